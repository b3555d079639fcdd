from django.urls import path

from . import views

app_name = "curriculum"

urlpatterns = [
    path("", views.topic_list, name="topic_list"),
    path("materials/<uuid:code>/file/", views.material_file, name="material_file"),
    path("<slug:slug>/", views.topic_detail, name="topic_detail"),
]
