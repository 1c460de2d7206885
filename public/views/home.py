"""The home page and the one search over everything."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from collection.counting import counted, kept
from outreach.models import Edition, Event, Organization
from registry.models import Agreement, City, Office

from .common import map_points

#: The home page's upcoming events: not over yet, started a month ago at most.
HOME_EVENTS_STARTED_WITHIN = timedelta(days=31)
#: Rows per group on the search page (a link says when there are more).
SEARCH_LIMIT = 20
#: Agreements and events are ranked among their most recent matches, at most
#: this many by text (and events as many by city; collection.search): a word
#: found in most of 100,000 records still costs milliseconds.
SEARCH_CANDIDATES = 500
#: Rows in each of the home page's lists.
HOME_ROWS = 6


def consulate_map(offices: QuerySet[Office]) -> str:
    """The home page's map of every consular office, as HTML: it names each
    office twice (a link's label and a tooltip), so it is rendered once per
    data revision and language (kept), not per request."""
    title = _("Consulates and embassies on a map of the United States")
    context = {"map_points": map_points(offices), "map_title": title}
    return render_to_string("includes/map.html", context)


def first_keys(agreements: QuerySet[Agreement]) -> list[int]:
    return list(agreements.values_list("pk", flat=True)[:HOME_ROWS])


def home(request: HttpRequest) -> HttpResponse:
    # Which agreements expire soon is found once per data revision and day
    # (kept: its query filters most agreements in force), then read by key.
    expiring = kept(
        Agreement.objects.published().expiring().order_by("expiry_earliest", "pk"),
        first_keys,
    )
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
        .newest_first()[:HOME_ROWS],
        "expiring_agreements": Agreement.objects.filter(pk__in=expiring)
        .for_listing()
        .order_by("expiry_earliest", "pk"),
        "upcoming_events": Event.objects.published()
        .upcoming(started_within=HOME_EVENTS_STARTED_WITHIN)
        .select_related("city__state", "host_office")[:HOME_ROWS],
        "consulate_map": kept(
            Office.objects.consular().select_related("agency", "city__state"),
            consulate_map,
            vary=get_language(),
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
