from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("organizations/<uuid:org_code>/retention/", views.retention_page, name="page"),
]
