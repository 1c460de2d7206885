from django.urls import path

from . import feeds, views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<slug:slug>/", views.agreement_detail, name="agreement-detail"),
    path(
        "agreements/<slug:slug>/correction/",
        views.agreement_correction,
        name="agreement-correction",
    ),
    path("cities/", views.city_list, name="city-list"),
    path("cities/<slug:slug>/", views.city_detail, name="city-detail"),
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency-detail"),
    path("offices/<slug:slug>/", views.office_detail, name="office-detail"),
    path("countries/<slug:code>/", views.country_detail, name="country-detail"),
    path("search/", views.search, name="search"),
    path("feeds/agreements/", feeds.AgreementFeed(), name="agreement-feed"),
]
