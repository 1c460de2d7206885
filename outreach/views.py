"""Public pages of the outreach app: Labor Rights Week, events, the calendar."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .calendar import calendar_response
from .filters import EventFilter
from .models import Edition, Event, Outcome
from .structured_data import event_data


def edition_list(request: HttpRequest) -> HttpResponse:
    editions = Edition.objects.annotate(
        event_count=Count("events", filter=Q(events__is_published=True), distinct=True)
    ).order_by("-year")
    return render(request, "outreach/edition_list.html", {"editions": editions})


def edition_detail(request: HttpRequest, year: int) -> HttpResponse:
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
        .order_by("city__name", "starts_at", "title_en")
    )
    by_city: dict[str, list[Event]] = {}
    for event in events:
        by_city.setdefault(str(event.city) if event.city else "", []).append(event)
    context = {
        "edition": edition,
        "events_by_city": sorted(
            by_city.items(), key=lambda item: (item[0] == "", item[0])
        ),
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
        .filter(starts_at__isnull=False)
        .select_related("city__state", "host_office", "edition"),
        request=request,
    )
    if not filterset.is_valid():
        return HttpResponse(
            "\n".join(
                f"{name}: {' '.join(errors)}"
                for name, errors in filterset.errors.items()
            ),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return calendar_response(request, filterset.qs.order_by("starts_at", "slug"))
