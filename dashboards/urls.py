from django.urls import path

from .views import feedback_by_training_level

app_name = "dashboards"

# Feedback results the feedback app cannot compute itself (views/feedback_by_training_level.py).
feedback_urls = [
    path(
        "organizations/<uuid:org_code>/feedback/by-training-level/",
        feedback_by_training_level.page,
        name="feedback_by_training_level",
    ),
]

urlpatterns = feedback_urls
