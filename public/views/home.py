"""The home page and the one search over everything."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from collection.counting import counted
from outreach.models import Edition, Event, Organization
from registry.models import Agreement, City, Office

from .common import map_points

#: The home page's upcoming events: not over yet, started a month ago at most.
HOME_EVENTS_STARTED_WITHIN = timedelta(days=31)
#: Rows per group on the search page (a link says when there are more).
SEARCH_LIMIT = 20
#: Agreements and events are ranked among their most recent matches, at most
#: this many by text and as many by party or city (collection.search): a word
#: found in most of 100,000 records still costs milliseconds.
SEARCH_CANDIDATES = 500


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "counts": {
            "agreements": counted(Agreement.objects.published()),
            "offices": counted(Office.objects.all()),
            "cities": counted(City.objects.all()),
            "editions": counted(Edition.objects.all()),
        },
        # The list's order (its index): the newest dated ones first.
        "recent_agreements": Agreement.objects.published()
        .for_listing()
        .dated()
        .newest_first()[:6],
        "expiring_agreements": Agreement.objects.published()
        .for_listing()
        .expiring()
        .order_by("expiry_earliest")[:6],
        "upcoming_events": Event.objects.published()
        .upcoming(started_within=HOME_EVENTS_STARTED_WITHIN)
        .select_related("city__state", "host_office")[:6],
        "map_points": map_points(
            Office.objects.consular().select_related("agency", "city__state")
        ),
    }
    return render(request, "public/home.html", context)


def search(request: HttpRequest) -> HttpResponse:
    """One search over agreements, offices, cities, events and organisations."""
    text = request.GET.get("q", "").strip()[:200]
    groups: list[dict[str, Any]] = []
    if len(text) >= 2:
        found = [
            (
                _("Agreements"),
                Agreement.objects.published().search(text, SEARCH_CANDIDATES),
            ),
            (
                _("Offices"),
                Office.objects.search(text).select_related("agency", "city__state"),
            ),
            (_("Cities"), City.objects.search(text).select_related("state")),
            (
                _("Events"),
                Event.objects.published()
                .search(text, SEARCH_CANDIDATES)
                .select_related("city__state"),
            ),
            (
                _("Partner organisations"),
                Organization.objects.search(text).select_related("city__state"),
            ),
        ]
        for label, queryset in found:
            rows = list(queryset.order_by("-rank", "pk")[: SEARCH_LIMIT + 1])
            groups.append(
                {
                    "label": label,
                    "rows": rows[:SEARCH_LIMIT],
                    "more": len(rows) > SEARCH_LIMIT,
                }
            )
    context = {
        "q": text,
        "groups": groups,
        "found": any(group["rows"] for group in groups),
        "too_short": 0 < len(text) < 2,
    }
    return render(request, "public/search.html", context)
