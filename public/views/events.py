"""Labor Rights Week pages, event pages and the calendar file."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from outreach.filters import EventFilter
from outreach.models import Edition, Event, Outcome

from ..calendar import calendar_response
from ..structured_data import event_data
from .common import filter_errors


def edition_list(request: HttpRequest) -> HttpResponse:
    editions = Edition.objects.with_event_count().order_by("-year")
    return render(request, "outreach/edition_list.html", {"editions": editions})


#: Cities a page of an edition shows, and events shown under each (the
#: city's page and the calendar file have the rest).
EDITION_CITIES = 25
EDITION_CITY_EVENTS = 5


def edition_detail(request: HttpRequest, year: int) -> HttpResponse:
    """An edition's events by city, the cities in alphabetical order and events
    without a city last: a page of cities (?page=), each with its first
    events and how many it has; bounded however many events an edition has."""
    edition = get_object_or_404(
        Edition.objects.prefetch_related(
            "sources",
            Prefetch("outcomes", queryset=Outcome.objects.select_related("source")),
        ),
        year=year,
    )
    events = edition.events.published()
    page = Paginator(events.city_counts(), EDITION_CITIES).get_page(
        request.GET.get("page")
    )
    counts: dict[int | None, int] = {
        row["city"]: row["count"] for row in page.object_list
    }
    in_page = Q(city__in=[key for key in counts if key is not None])
    if None in counts:
        in_page |= Q(city__isnull=True)
    shown = (
        events.filter(in_page)
        .first_in_each_city(EDITION_CITY_EVENTS)
        .select_related("city__state", "host_office")
    )
    groups: list[dict[str, Any]] = []
    for event in shown:
        if not groups or groups[-1]["city"] != event.city:
            count = counts[event.city_id]
            groups.append({"city": event.city, "events": [], "count": count})
        groups[-1]["events"].append(event)
    for group in groups:
        group["more"] = group["count"] - len(group["events"])
    context = {
        "edition": edition,
        "groups": groups,
        "page_obj": page,
        "outcomes": edition.outcomes.all(),
    }
    return render(request, "outreach/edition_detail.html", context)


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(
        Event.objects.published()
        .select_related("edition", "city__state", "host_office__agency")
        .prefetch_related("offices", "agencies", "organizations", "topics", "sources"),
        slug=slug,
    )
    context: dict[str, Any] = {
        "event": event,
        "structured_data": event_data(request, event),
    }
    return render(request, "outreach/event_detail.html", context)


#: The calendar file without a date filter: events from this long ago on.
CALENDAR_PAST = timedelta(days=365)
#: At most this many events in one calendar file, the nearest to today first.
CALENDAR_LIMIT = 1000
#: The filters that choose the calendar's dates themselves.
DATE_FILTERS = ("edition", "starts_after", "starts_before")


def calendar(request: HttpRequest) -> HttpResponse:
    """/events.ics: published, dated events; ?city=, ?agency=, ?edition=... apply.

    Bounded: without a date filter (an edition, starts_after, starts_before)
    it holds the upcoming events and those of the past year; in all cases at
    most CALENDAR_LIMIT of them, upcoming ones first, then the most recent."""
    filterset = EventFilter(
        request.GET,
        queryset=Event.objects.published()
        .dated()
        .select_related("city__state", "host_office", "edition"),
        request=request,
    )
    if not filterset.is_valid():
        return filter_errors(filterset)
    events = filterset.qs
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time()))
    if not any(request.GET.get(name) for name in DATE_FILTERS):
        events = events.filter(starts_at__gte=today - CALENDAR_PAST)
    upcoming = list(
        events.filter(starts_at__gte=today).order_by("starts_at", "slug")[
            :CALENDAR_LIMIT
        ]
    )
    past = events.filter(starts_at__lt=today).order_by("-starts_at", "-slug")
    chosen = [*reversed(past[: CALENDAR_LIMIT - len(upcoming)]), *upcoming]
    return calendar_response(request, chosen)
