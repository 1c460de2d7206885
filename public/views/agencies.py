"""Agency and office pages."""

from __future__ import annotations

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from outreach.models import Event
from registry.models import Agency, Agreement, Office

from ..structured_data import office_data
from .common import map_points


def agency_list(request: HttpRequest) -> HttpResponse:
    """Agencies grouped by level (US federal first), as the template's
    {% regroup %} reads them."""
    agencies = (
        Agency.objects.select_related("country", "parent")
        .with_office_count()
        .in_level_order()
    )
    return render(request, "registry/agency_list.html", {"agencies": agencies})


def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(
        Agency.objects.select_related("parent", "country"), slug=slug
    )
    family = Agency.objects.descendant_ids(agency)
    offices = list(
        Office.objects.for_agency(agency)
        .select_related("agency", "city__state")
        .order_by("name")
    )
    agreements = (
        Agreement.objects.published()
        .for_listing()
        .for_agency(agency)
        .order_by(F("signed_on").desc(nulls_last=True), "title_en")
    )
    rows = []
    for agreement in agreements:
        parties = list(agreement.parties.all())
        own = [p for p in parties if p.party_agency and p.party_agency.pk in family]
        others = [p for p in parties if p not in own]
        countries = sorted(
            {str(p.party_agency.country) for p in others if p.party_agency}
        )
        rows.append({"agreement": agreement, "own": own, "countries": countries})
    context = {
        "agency": agency,
        "children": agency.children.order_by("name"),
        "offices": offices,
        "rows": rows,
        "events": Event.objects.published()
        .for_agency(agency)
        .select_related("city__state", "host_office")
        .latest_first()[:50],
        "map_points": map_points(offices),
    }
    return render(request, "registry/agency_detail.html", context)


def office_detail(request: HttpRequest, slug: str) -> HttpResponse:
    office = get_object_or_404(
        Office.objects.select_related(
            "agency__country", "city__state"
        ).prefetch_related("sources"),
        slug=slug,
    )
    context = {
        "office": office,
        "jurisdictions": office.jurisdictions.select_related("state"),
        "agreements": Agreement.objects.published()
        .for_listing()
        .for_office(office)
        .order_by(F("signed_on").desc(nulls_last=True), "title_en"),
        "events": Event.objects.published()
        .for_office(office)
        .select_related("city__state")
        .latest_first(),
        "programmes": office.programmes.order_by("name"),
        "map_points": map_points([office]),
        "structured_data": office_data(request, office),
    }
    return render(request, "registry/office_detail.html", context)
