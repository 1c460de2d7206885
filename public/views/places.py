"""City and country pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from collection.counting import counted
from outreach.help import ServingOffice, whom_to_call
from outreach.models import Event, Organization, Programme
from registry.geography import place_of
from registry.models import Agreement, City, Contact, Country, GatewayType, Office

from .common import SECTION_ROWS, bounded, offices_by_state, regional_map

#: What each type of Singer's typology of immigrant gateways means, in a
#: sentence for a reader of the city's page.
GATEWAY_MEANINGS: dict[str, Promise] = {
    GatewayType.FORMER: _(
        "Many immigrants settled here in the early 1900s, far fewer in recent decades."
    ),
    GatewayType.CONTINUOUS: _(
        "Many immigrants have settled here for more than a century, and still do."
    ),
    GatewayType.POST_WW2: _(
        "Few immigrants settled here before the Second World War; many have since."
    ),
    GatewayType.EMERGING: _(
        "Few immigrants lived here until about 1970; many have settled here since."
    ),
    GatewayType.MAJOR_EMERGING: _(
        "Few immigrants lived here until about 1980; many have settled here since, "
        "and they are now a large part of the population."
    ),
    GatewayType.MINOR_EMERGING: _(
        "Few immigrants lived here until about 1980; their number has grown fast "
        "since, but stays smaller than in the large gateways."
    ),
    GatewayType.RE_EMERGING: _(
        "Many immigrants settled here in the early 1900s, few in the middle of the "
        "century, and many again in recent decades."
    ),
    GatewayType.PRE_EMERGING: _(
        "Few immigrants lived here for most of the 20th century; their number has "
        "grown fast since 1990."
    ),
}


def city_list(request: HttpRequest) -> HttpResponse:
    cities = (
        City.objects.select_related("state", "country")
        .with_office_count()
        .order_by("state__name", "name")
    )
    return render(request, "registry/city_list.html", {"cities": cities})


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A city: what covers it first (agreements, events, programmes, offices,
    partners), each section cut to a page with a "See all" link; the
    typology and the curators' notes last."""
    city = get_object_or_404(City.objects.select_related("state", "country"), slug=slug)
    offices = bounded(
        Office.objects.for_city(city)
        .select_related("agency", "city__state")
        .annotate(
            elsewhere=Case(
                When(city=city, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("elsewhere", "name")
    )
    now = timezone.now()
    events = Event.objects.published().for_city(city)
    listed = events.select_related("host_office", "city__state")
    upcoming = list(listed.upcoming(now).order_by("starts_at")[:SECTION_ROWS])
    past = list(listed.past(now).latest_first()[:SECTION_ROWS])
    # Whom to call, as the help page answers for the city's county.
    place = place_of(city)
    consulates: list[ServingOffice] = []
    hotlines: list[Contact] = []
    if place is not None and city.state is not None:
        consulates, _agency_offices, hotlines = whom_to_call(
            place, city.state, timezone.localdate()
        )
    context = {
        "city": city,
        "consulates": consulates,
        "hotlines": hotlines,
        "help_query": urlencode({"state": city.state.slug, "county": place.county})
        if place is not None and place.county and city.state is not None
        else "",
        "offices": offices,
        "agreements": bounded(
            Agreement.objects.published().for_listing().for_city(city).newest_first()
        ),
        "national_count": counted(Agreement.objects.published().national()),
        "upcoming_events": upcoming,
        "past_events": past,
        # For "See all": both lists together, and how many events there are.
        "events": {"rows": upcoming + past, "count": counted(events)},
        "programmes": bounded(Programme.objects.for_city(city).order_by("name")),
        "organizations": bounded(Organization.objects.for_city(city).order_by("name")),
        "gateway_meaning": GATEWAY_MEANINGS.get(city.gateway_type, ""),
        **regional_map(offices["rows"]),
    }
    return render(request, "registry/city_detail.html", context)


def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A country: its agencies, its offices in the United States by state, and
    its most recent agreements, each bounded, with links to all of them."""
    country = get_object_or_404(Country, code=code)
    office_groups = offices_by_state(Office.objects.for_country(country))
    context = {
        "country": country,
        "agencies": bounded(country.agencies.order_by("name"), limit=20),
        "office_groups": office_groups,
        "office_count": sum(group["count"] for group in office_groups),
        "agreements": bounded(
            Agreement.objects.published()
            .for_listing()
            .for_country(country)
            .newest_first()
        ),
        **regional_map(office for group in office_groups for office in group["rows"]),
    }
    return render(request, "registry/country_detail.html", context)
