from django.urls import path

from .views import participant

app_name = "feedback"

# The participants' page: public, no account, no cookie (views/participant.py).
participant_urls = [
    path("f/<str:token>", participant.feedback_form, name="form"),
]

# Staff pages (signed in, scoped to the organization).
staff_urls: list = []

urlpatterns = participant_urls + staff_urls
