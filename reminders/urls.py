from django.urls import path

from .views import opt_out

app_name = "reminders"

urlpatterns = [
    # Participants' page: under /r/ (accounts.participant_pages), no cookie, no sign-in.
    path("r/<str:token>", opt_out.opt_out, name="opt_out"),
]
