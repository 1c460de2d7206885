"""Labor Rights Week pages, event pages and the calendar file."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from outreach.filters import EventFilter
from outreach.models import Edition, Event, Outcome

from ..calendar import calendar_response
from ..structured_data import event_data
from .common import filter_errors


def edition_list(request: HttpRequest) -> HttpResponse:
    editions = Edition.objects.with_event_count().order_by("-year")
    return render(request, "outreach/edition_list.html", {"editions": editions})


def edition_detail(request: HttpRequest, year: int) -> HttpResponse:
    """An edition's events by city (the template regroups them), the cities in
    alphabetical order and events without a city last."""
    edition = get_object_or_404(
        Edition.objects.prefetch_related(
            "sources",
            Prefetch("outcomes", queryset=Outcome.objects.select_related("source")),
        ),
        year=year,
    )
    events = (
        edition.events.published()
        .select_related("city__state", "host_office")
        .order_by(
            F("city__name").asc(nulls_last=True),
            "city__state__code",
            "city_id",
            "starts_at",
            "title_en",
        )
    )
    context = {
        "edition": edition,
        "events": events,
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


def calendar(request: HttpRequest) -> HttpResponse:
    """/events.ics: published, dated events; ?city=, ?agency=, ?edition=... apply."""
    filterset = EventFilter(
        request.GET,
        queryset=Event.objects.published()
        .dated()
        .select_related("city__state", "host_office", "edition"),
        request=request,
    )
    if not filterset.is_valid():
        return filter_errors(filterset)
    return calendar_response(request, filterset.qs.order_by("starts_at", "slug"))
