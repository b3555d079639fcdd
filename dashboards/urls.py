from django.urls import include, path

from .views import evaluation, exports, feedback_by_training_level, manager

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
    path(
        "organizations/<uuid:org_code>/dashboard/tables/<slug:table>.csv",
        manager.table_csv,
        name="manager_table_csv",
    ),
]

# The formative-evaluation report and the platform dashboard (views/evaluation.py).
evaluation_urls = [
    path(
        "organizations/<uuid:org_code>/dashboard/report/",
        evaluation.report,
        name="evaluation_report",
    ),
    path(
        "organizations/<uuid:org_code>/dashboard/report.csv",
        evaluation.report_csv,
        name="evaluation_report_csv",
    ),
    path("platform/dashboard/", evaluation.platform, name="platform"),
    path("platform/dashboard/report/", evaluation.platform_report, name="platform_report"),
]

# De-identified exports for the organization's managers (views/exports.py).
export_urls = [
    path("", exports.page, name="exports"),
    path("sessions.csv", exports.sessions_csv, name="export_sessions"),
    path("participants.csv", exports.participants_csv, name="export_participants"),
    path("codebook/", exports.codebook_page, name="export_codebook"),
    path("codebook.csv", exports.codebook_csv, name="export_codebook_csv"),
]

urlpatterns = [
    *feedback_urls,
    *manager_urls,
    *evaluation_urls,
    path("organizations/<uuid:org_code>/dashboard/exports/", include(export_urls)),
]
