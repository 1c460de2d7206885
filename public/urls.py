"""The public site's pages (English at /, Spanish at /es/: see config.urls)."""

from django.urls import path

from . import feeds
from .views import agencies, agreements, events, home, numbers, places
from .views.help import help_page

app_name = "public"
urlpatterns = [
    path("", home.home, name="home"),
    path("search/", home.search, name="search"),
    path("help/", help_page, name="help"),
    path("agreements/", agreements.AgreementListView.as_view(), name="agreement-list"),
    path(
        "agreements/<slug:slug>/",
        agreements.agreement_detail,
        name="agreement-detail",
    ),
    path(
        "agreements/<slug:slug>/correction/",
        agreements.agreement_correction,
        name="agreement-correction",
    ),
    path("cities/", places.city_list, name="city-list"),
    path("cities/<slug:slug>/", places.city_detail, name="city-detail"),
    path("countries/<slug:code>/", places.country_detail, name="country-detail"),
    path("agencies/", agencies.agency_list, name="agency-list"),
    path("agencies/<slug:slug>/", agencies.agency_detail, name="agency-detail"),
    path("offices/<slug:slug>/", agencies.office_detail, name="office-detail"),
    path("labor-rights-week/", events.edition_list, name="edition-list"),
    path("labor-rights-week/<int:year>/", events.edition_detail, name="edition-detail"),
    path("events/<slug:slug>/", events.event_detail, name="event-detail"),
    path("events.ics", events.calendar, name="calendar"),
    path("feeds/agreements/", feeds.AgreementFeed(), name="agreement-feed"),
    path("numbers/", numbers.numbers, name="numbers"),
    path("numbers/<slug:table>.csv", numbers.numbers_csv, name="numbers-csv"),
]
