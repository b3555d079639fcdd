from django.urls import include, path

from .views import certification

app_name = "facilitators"

certification_urls = [
    path("", certification.certification_detail, name="certification_detail"),
    path("change/", certification.certification_change_view, name="certification_change"),
]

urlpatterns = [
    path("<uuid:profile_code>/certification/", include(certification_urls)),
]
