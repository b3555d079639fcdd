from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.profile, name="profile"),
    # KEEPALIVE_PATH in accounts/middleware.py names this address too.
    path("me/keep-alive/", views.session_keepalive, name="session_keepalive"),
    path("me/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("organizations/<uuid:org_code>/staff/", views.staff, name="staff"),
    path(
        "organizations/<uuid:org_code>/invitations/new/",
        views.invitation_create,
        name="invitation_create",
    ),
    path(
        "organizations/<uuid:org_code>/invitations/<uuid:code>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organizations/<uuid:org_code>/invitations/<uuid:code>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
