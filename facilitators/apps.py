from django.apps import AppConfig


class FacilitatorsConfig(AppConfig):
    name = "facilitators"
