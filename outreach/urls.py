from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("labor-rights-week/", views.edition_list, name="edition-list"),
    path("labor-rights-week/<int:year>/", views.edition_detail, name="edition-detail"),
    path("events/<slug:slug>/", views.event_detail, name="event-detail"),
    path("events.ics", views.calendar, name="calendar"),
]
