"""City and country pages."""

from __future__ import annotations

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from outreach.models import Event, Organization, Programme
from registry.models import Agreement, City, Country, Office

from .common import map_points


def city_list(request: HttpRequest) -> HttpResponse:
    cities = (
        City.objects.select_related("state", "country")
        .with_office_count()
        .order_by("state__name", "name")
    )
    return render(request, "registry/city_list.html", {"cities": cities})


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City.objects.select_related("state", "country"), slug=slug)
    offices = list(
        Office.objects.for_city(city)
        .select_related("agency", "city__state")
        .order_by("name")
    )
    now = timezone.now()
    events = (
        Event.objects.published()
        .for_city(city)
        .select_related("host_office", "city__state")
    )
    context = {
        "city": city,
        "offices": offices,
        "agreements": Agreement.objects.published()
        .for_listing()
        .for_city(city)
        .order_by(F("signed_on").desc(nulls_last=True), "title_en"),
        "national_count": Agreement.objects.published().national().count(),
        "upcoming_events": events.upcoming(now).order_by("starts_at"),
        "past_events": events.past(now).latest_first(),
        "programmes": Programme.objects.for_city(city).order_by("name"),
        "organizations": Organization.objects.for_city(city).order_by("name"),
        "map_points": map_points(offices),
    }
    return render(request, "registry/city_detail.html", context)


def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(Country, code=code)
    offices = list(
        Office.objects.for_country(country)
        .select_related("agency", "city__state")
        .order_by("city__name", "name")
    )
    context = {
        "country": country,
        "agencies": country.agencies.order_by("name"),
        "offices": offices,
        "agreements": Agreement.objects.published()
        .for_listing()
        .for_country(country)
        .order_by(F("signed_on").desc(nulls_last=True), "title_en"),
        "map_points": map_points(offices),
    }
    return render(request, "registry/country_detail.html", context)
