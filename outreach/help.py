"""Find help near me: from where a person lives (a ZIP code, or a state and
county) to whom to call, the agreements that cover the place, events near by
and year-round programmes. The public page and the API answer with this.

Which consulate serves a county is read from the offices' jurisdictions on the
day asked (they change: in 2022 SRE moved 38 Texas counties from Dallas to
Albuquerque): a jurisdiction naming the county first, then one covering the
whole state. Where none is on record, the offices of the same state nearest to
the place stand in, marked `nearest` so the page can say their exact service
area is not on record.

Every read is bounded (a few rows of each kind, and their counts), so the
answer costs the same number of queries however much the registry holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.counting import counted
from registry.geography import Place, find_county, places_for_zip
from registry.models import (
    Agency,
    Agreement,
    Contact,
    Office,
    State,
)

from .models import Event, Programme

#: Rows of each kind an answer shows (the page links to the full lists).
AGREEMENTS_SHOWN = 8
EVENTS_SHOWN = 5
PROGRAMMES_SHOWN = 5
CONSULATES_SHOWN = 6  # one per country
AGENCY_OFFICES_SHOWN = 5  # one per agency
NEAREST_CANDIDATES = 40

COUNTY = "county"
STATE = "state"
NEAREST = "nearest"


class HelpQueryError(ValueError):
    """The question cannot be answered as asked: a malformed ZIP code, an
    unknown state or county. `message` says what to do instead."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class ServingOffice:
    office: Office
    #: How the office is known to serve the place: its jurisdiction names the
    #: county, covers the whole state, or it is only the nearest one.
    basis: str
    contacts: list[Contact] = field(default_factory=list)

    @property
    def is_nearest(self) -> bool:
        return self.basis == NEAREST


@dataclass
class Help:
    place: Place
    state: State
    day: date
    consulates: list[ServingOffice]
    agency_offices: list[ServingOffice]
    hotlines: list[Contact]
    local_agreements: list[Agreement]
    local_agreement_count: int
    national_agreements: list[Agreement]
    national_agreement_count: int
    upcoming_events: list[Event]
    recent_events: list[Event]
    programmes: list[Programme]


def places_for(
    *, zip_code: str = "", state: str = "", county: str = ""
) -> tuple[Place, ...]:
    """The places a question names: a ZIP code's county (or counties), or a
    state's county. Raises HelpQueryError with what to do instead."""
    zip_code, state, county = zip_code.strip(), state.strip(), county.strip()
    if "\x00" in zip_code + state + county:
        raise HelpQueryError(_("Null characters are not allowed."))
    if zip_code:
        try:
            places = places_for_zip(zip_code)
        except ValueError:
            raise HelpQueryError(_("A ZIP code has five digits, e.g. 77036.")) from None
        if not places:
            raise HelpQueryError(
                _(
                    "ZIP code %(zip)s is not in our list of US ZIP codes. Check "
                    "it, or choose your state and county instead."
                )
                % {"zip": zip_code},
                status=404,
            )
        return places
    if not state:
        raise HelpQueryError(_("Enter a ZIP code, or choose a state and a county."))
    if not county:
        raise HelpQueryError(_("Choose your county."))
    place = find_county(state, county)
    if place is None:
        raise HelpQueryError(
            _("There is no county called “%(county)s” in that state.")
            % {"county": county},
            status=404,
        )
    return (place,)


def find_help(
    place: Place, *, day: date | None = None, now: datetime | None = None
) -> Help:
    """Everything the page shows for one place (a county of a state)."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    state = State.objects.filter(code__iexact=place.state).first()
    if state is None:
        raise HelpQueryError(_("That state is not in the registry."), status=404)

    consulates, agency_offices, hotlines = whom_to_call(place, state, day)
    offices = [s.office for s in [*consulates, *agency_offices]]
    office_ids = [o.pk for o in offices]
    countries = {s.office.agency.country_id for s in consulates}
    local = (
        Agreement.objects.published()
        .for_offices(office_ids)
        .exclude(scope=Agreement.Scope.NATIONAL)
    )
    national = (
        Agreement.objects.published()
        .national()
        .filter(
            Q(parties__agency__country__in=countries)
            | Q(parties__office__agency__country__in=countries)
        )
        .distinct()
    )

    events = Event.objects.published().filter(
        Q(city__state=state) | Q(host_office__in=office_ids)
    )
    upcoming = list(
        events.upcoming(now)
        .select_related("city__state", "host_office")
        .order_by("starts_at")[:EVENTS_SHOWN]
    )
    recent = list(
        events.past(now)
        .dated()
        .select_related("city__state", "host_office")
        .latest_first()[:3]
    )
    programmes = list(
        Programme.objects.filter(Q(city__state=state) | Q(offices__in=office_ids))
        .select_related("city__state")
        .distinct()
        .order_by("name")[:PROGRAMMES_SHOWN]
    )

    return Help(
        place=place,
        state=state,
        day=day,
        consulates=consulates,
        agency_offices=agency_offices,
        hotlines=hotlines,
        local_agreements=list(local.for_listing().newest_first()[:AGREEMENTS_SHOWN]),
        local_agreement_count=counted(local),
        national_agreements=list(
            national.for_listing().newest_first()[:AGREEMENTS_SHOWN]
        ),
        national_agreement_count=counted(national),
        upcoming_events=upcoming,
        recent_events=recent,
        programmes=programmes,
    )


def whom_to_call(
    place: Place, state: State, day: date
) -> tuple[list[ServingOffice], list[ServingOffice], list[Contact]]:
    """The consulates and agency offices serving the place, each with its
    public contacts, and the national lines that apply there."""
    consulates, agency_offices = _serving_offices(place, state, day)
    offices = [s.office for s in [*consulates, *agency_offices]]
    contacts: dict[int, list[Contact]] = {}
    for contact in (
        Contact.objects.published()
        .filter(office__in=[o.pk for o in offices])
        .select_related("source")
        .in_kind_order()
    ):
        contacts.setdefault(contact.office_id or 0, []).append(contact)
    for serving in [*consulates, *agency_offices]:
        serving.contacts = contacts.get(serving.office.pk, [])

    # National hotlines apply wherever their agency does: the US federal
    # agencies' everywhere; a foreign ministry's (Mexico's CIAM) wherever one of
    # its consulates serves, and everywhere no consulate is on record (the line
    # can say which consulate serves).
    foreign_agencies: Any = {s.office.agency_id for s in consulates} | {
        s.office.agency.parent_id for s in consulates if s.office.agency.parent_id
    }
    if not consulates:
        foreign_agencies = Agency.objects.exclude(country__code="us").values("pk")
    hotlines = list(
        Contact.objects.published()
        .national_lines(foreign_agencies)
        .select_related("agency", "source")
        .in_kind_order()[:20]
    )

    return consulates, agency_offices, hotlines


def _serving_offices(
    place: Place, state: State, day: date
) -> tuple[list[ServingOffice], list[ServingOffice]]:
    """The consulates (one per country, Mexico's first) and the US agency
    offices (one per agency) that serve the place."""
    served = list(
        Office.objects.serving(state, place.county, day)
        .select_related("agency__country", "city__state")
        .order_by(F("served_by_county").desc(), "name")[:NEAREST_CANDIDATES]
    )
    consulates: dict[str, ServingOffice] = {}
    agencies: dict[int, ServingOffice] = {}

    def add(office: Office, basis: str) -> None:
        if office.is_consular:
            consulates.setdefault(
                office.agency.country.code, ServingOffice(office, basis)
            )
        elif office.agency.country.code == "us":
            agencies.setdefault(office.agency_id, ServingOffice(office, basis))

    for office in served:
        add(office, COUNTY if getattr(office, "served_by_county", False) else STATE)
    if place.latitude is not None and place.longitude is not None:
        nearest = Office.objects.nearest_in(
            state, place.latitude, place.longitude, day
        ).select_related("agency__country", "city__state")[:NEAREST_CANDIDATES]
        for office in nearest:
            add(office, NEAREST)

    def country_order(serving: ServingOffice) -> tuple[bool, str]:
        code = serving.office.agency.country.code
        return (code != "mx", code)

    return (
        sorted(consulates.values(), key=country_order)[:CONSULATES_SHOWN],
        list(agencies.values())[:AGENCY_OFFICES_SHOWN],
    )
