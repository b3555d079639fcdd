from django.urls import path

from .views import feedback_by_training_level, manager

app_name = "dashboards"

# Feedback results the feedback app cannot compute itself (views/feedback_by_training_level.py).
feedback_urls = [
    path(
        "organizations/<uuid:org_code>/feedback/by-training-level/",
        feedback_by_training_level.page,
        name="feedback_by_training_level",
    ),
]

# The manager dashboard (views/manager.py).
manager_urls = [
    path("organizations/<uuid:org_code>/dashboard/", manager.page, name="manager"),
    path(
        "organizations/<uuid:org_code>/dashboard/refresh/",
        manager.refresh,
        name="manager_refresh",
    ),
]

urlpatterns = feedback_urls + manager_urls
