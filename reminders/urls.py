from django.urls import path

from .views import opt_out, outbox

app_name = "reminders"

urlpatterns = [
    # Participants' page: under /r/ (accounts.participant_pages), no cookie, no sign-in.
    path("r/<str:token>", opt_out.opt_out, name="opt_out"),
    # Managers' view of the organization's reminders (views/outbox.py).
    path("organizations/<uuid:org_code>/reminders/", outbox.reminder_outbox, name="outbox"),
    path(
        "organizations/<uuid:org_code>/reminders/<int:pk>/retry/",
        outbox.reminder_retry_view,
        name="retry",
    ),
]
