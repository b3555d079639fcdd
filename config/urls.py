from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as accounts_views

# Django admin signs in through allauth, so MFA and rate limits apply there too.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = _("Seeking Safety administration")
admin.site.site_title = _("Seeking Safety administration")

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("healthz", accounts_views.healthz, name="healthz"),
    path("favicon.ico", accounts_views.favicon, name="favicon"),
    path("manifest.webmanifest", accounts_views.web_manifest, name="web_manifest"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("retention.urls")),
    path("curriculum/", include("curriculum.urls")),
    path("", include("sessions_app.urls")),
    path("", include("facilitators.urls")),
    path("", include("feedback.urls")),
    path("", include("dashboards.urls")),
    path("", include("reminders.urls")),
    path("", include("audit.urls")),
]
