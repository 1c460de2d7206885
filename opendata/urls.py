from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("latest/<str:filename>", views.latest, name="latest"),
    path("<str:day>/<str:filename>", views.snapshot, name="snapshot"),
]
