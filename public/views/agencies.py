"""Agency and office pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from collection.counting import kept
from outreach.models import Event
from registry.models import Agency, Agreement, Contact, Country, Office, Party

from ..structured_data import office_data
from .common import bounded, offices_by_state, regional_map

#: Contact points an office page shows (its own, then its agency's lines).
CONTACTS_SHOWN = 20


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
    """An agency: its parts, its offices by state, its most recent agreements
    (with the office that signed and the other side's country) and how many
    it has with each country, and its events; every section bounded."""
    agency = get_object_or_404(
        Agency.objects.select_related("parent", "country"), slug=slug
    )
    family = Agency.objects.descendant_ids(agency)
    contacts = list(
        Contact.objects.published()
        .filter(agency=agency)
        .select_related("source")
        .in_kind_order()[:CONTACTS_SHOWN]
    )
    office_groups = offices_by_state(Office.objects.for_agency(agency))
    published = Agreement.objects.published().for_agency(agency)
    agreements = bounded(published.for_listing().newest_first())
    rows = []
    for agreement in agreements["rows"]:
        parties = list(agreement.parties.all())
        own = [p for p in parties if p.party_agency and p.party_agency.pk in family]
        others = [p for p in parties if p not in own]
        countries = sorted(
            {str(p.party_agency.country) for p in others if p.party_agency}
        )
        rows.append({"agreement": agreement, "own": own, "countries": countries})
    context = {
        "agency": agency,
        "contacts": contacts,
        "children": bounded(agency.children.order_by("name"), limit=20),
        "office_groups": office_groups,
        "office_count": sum(group["count"] for group in office_groups),
        "agreements": agreements,
        "rows": rows,
        "by_country": agreements_by_country(published, agency.country),
        "events": bounded(
            Event.objects.published()
            .for_agency(agency)
            .select_related("city__state", "host_office")
            .latest_first()
        ),
        **regional_map(office for group in office_groups for office in group["rows"]),
    }
    return render(request, "registry/agency_detail.html", context)


def agreements_by_country(
    agreements: QuerySet[Agreement], own: Country
) -> list[dict[str, Any]]:
    """How many of `agreements` have a party of each country other than `own`
    (the other side), most first: one query, one row per country, read
    once per data revision (it reads every party of the agency's agreements)."""

    def country(field: str) -> Coalesce:
        return Coalesce(
            f"agency__country__{field}", f"office__agency__country__{field}"
        )

    counts = (
        Party.objects.filter(agreement__in=agreements.order_by().values("pk"))
        .exclude(Q(agency__country=own) | Q(office__agency__country=own))
        .values(
            code=country("code"), name_en=country("name_en"), name_es=country("name_es")
        )
        .annotate(count=Count("agreement", distinct=True))
        .order_by("-count", "name_en")
    )
    return [
        {
            "country": Country(
                code=row["code"], name_en=row["name_en"], name_es=row["name_es"]
            ),
            "count": row["count"],
        }
        for row in kept(counts, list)
    ]


def office_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One office: its agreements and events first (each bounded), then where
    it is and the area it serves, then the curators' notes. No map: one dot
    says no more than the city's name."""
    office = get_object_or_404(
        Office.objects.select_related(
            "agency__country", "city__state"
        ).prefetch_related("sources"),
        slug=slug,
    )
    # Whom to call: the office's own lines, then its agency's national ones.
    contacts = list(
        Contact.objects.published()
        .reaching(office)
        .select_related("agency", "source")
        .in_kind_order()[:CONTACTS_SHOWN]
    )
    context = {
        "office": office,
        "jurisdictions": bounded(office.jurisdictions.select_related("state"), 30),
        "agreements": bounded(
            Agreement.objects.published()
            .for_listing()
            .for_office(office)
            .newest_first()
        ),
        "events": bounded(
            Event.objects.published()
            .for_office(office)
            .select_related("city__state")
            .latest_first()
        ),
        "programmes": bounded(office.programmes.order_by("name")),
        "own_contacts": [c for c in contacts if c.office_id == office.pk],
        "agency_contacts": [c for c in contacts if c.office_id != office.pk],
        "structured_data": office_data(request, office, contacts),
    }
    return render(request, "registry/office_detail.html", context)
