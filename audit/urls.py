from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("organizations/<uuid:org_code>/audit/", views.events, name="events"),
    path("organizations/<uuid:org_code>/audit/events.csv", views.events_csv, name="events_csv"),
]
