"""The read vocabulary every other part of the registry uses."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from outreach.models import Event
from registry.models import Agreement, Office
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CityFactory,
    ConsulateFactory,
    CountryFactory,
    EventFactory,
    JurisdictionFactory,
    OfficeFactory,
    PartyFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db


def agreement_with(*offices, **fields):
    agreement = AgreementFactory(**fields)
    for office in offices:
        PartyFactory(
            agreement=agreement,
            office=office,
            side="foreign" if office.agency.country.code != "us" else "us",
        )
    return agreement


def test_published_hides_drafts():
    shown = AgreementFactory(is_published=True)
    AgreementFactory(is_published=False)
    assert list(Agreement.objects.published()) == [shown]


def test_for_city_uses_offices_in_the_city_and_jurisdictions_covering_it():
    texas = StateFactory(code="TX", slug="tx")
    houston = CityFactory(name="Houston", slug="houston-tx", state=texas)
    laredo = CityFactory(name="Laredo", slug="laredo-tx", state=texas, county="Webb")
    local = agreement_with(OfficeFactory(city=houston), ConsulateFactory(city=houston))
    covering_state = ConsulateFactory()
    JurisdictionFactory(office=covering_state, state=texas)
    by_state = agreement_with(covering_state)
    partial = ConsulateFactory()
    JurisdictionFactory(office=partial, state=texas, is_partial=True)
    agreement_with(partial)
    by_county = ConsulateFactory()
    JurisdictionFactory(office=by_county, state=texas, county="Webb")
    county_agreement = agreement_with(by_county)
    agreement_with(OfficeFactory())  # elsewhere

    assert set(Agreement.objects.for_city(houston)) == {local, by_state}
    assert set(Agreement.objects.for_city(laredo)) == {by_state, county_agreement}
    assert Agreement.objects.for_city(houston).count() == 2  # no duplicate rows


def test_for_agency_includes_the_agencies_parts():
    dol = AgencyFactory(slug="dol")
    whd = AgencyFactory(slug="dol-whd", parent=dol)
    osha = AgencyFactory(slug="dol-osha", parent=dol)
    whd_agreement = agreement_with(OfficeFactory(agency=whd))
    osha_agreement = agreement_with(OfficeFactory(agency=osha))
    national = AgreementFactory()
    PartyFactory(agreement=national, office=None, agency=dol)

    assert set(Agreement.objects.for_agency(dol)) == {
        whd_agreement,
        osha_agreement,
        national,
    }
    assert set(Agreement.objects.for_agency(whd)) == {whd_agreement}


def test_for_country_for_state_and_for_office():
    mexico = CountryFactory(code="mx", name_en="Mexico", name_es="México")
    consulate = ConsulateFactory(agency__country=mexico)
    with_mexico = agreement_with(consulate, OfficeFactory())
    us_only = agreement_with(OfficeFactory())
    assert list(Agreement.objects.for_country(mexico)) == [with_mexico]
    assert set(Agreement.objects.for_country(CountryFactory())) == {
        with_mexico,
        us_only,
    }
    assert list(Agreement.objects.for_office(consulate)) == [with_mexico]

    ohio = StateFactory(code="OH", slug="oh", name="Ohio")
    detroit = ConsulateFactory()
    JurisdictionFactory(office=detroit, state=ohio)
    covering_ohio = agreement_with(detroit)
    in_ohio = agreement_with(OfficeFactory(city=CityFactory(state=ohio)))
    assert set(Agreement.objects.for_state(ohio)) == {covering_ohio, in_ohio}


def test_offices_for_city_and_agency():
    city = CityFactory()
    here = OfficeFactory(city=city)
    covering = ConsulateFactory()
    JurisdictionFactory(office=covering, state=city.state)
    OfficeFactory()
    assert set(Office.objects.for_city(city)) == {here, covering}
    assert list(Office.objects.for_agency(here.agency)) == [here]
    assert list(Office.objects.consular()) == [covering]


def test_event_reads():
    now = datetime(2026, 8, 31, 12, tzinfo=ZoneInfo("UTC"))
    past = EventFactory(starts_at=now - timedelta(days=3))
    running = EventFactory(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1)
    )
    coming = EventFactory(
        starts_at=now + timedelta(days=1), status=Event.Status.CANCELLED
    )
    EventFactory(starts_at=None)
    EventFactory(starts_at=now + timedelta(days=2), is_published=False)
    assert list(Event.objects.published().upcoming(now)) == [running, coming]
    assert past not in Event.objects.upcoming(now)

    whd = AgencyFactory(slug="dol-whd")
    guest = OfficeFactory(agency=whd)
    running.offices.add(guest)
    past.agencies.add(whd)
    assert set(Event.objects.for_agency(whd)) == {running, past}
    assert set(Event.objects.for_agency(coming.host_office.agency)) == {coming}
    assert list(Event.objects.for_office(guest)) == [running]
    assert list(Event.objects.for_city(coming.city)) == [coming]


# --- Who sees drafts, who changes which events -------------------------------------


def test_visible_to_shows_drafts_only_to_those_who_may_view_them():
    from django.contrib.auth.models import AnonymousUser, User

    from tests.factories import curator

    shown = AgreementFactory(is_published=True)
    draft = AgreementFactory(is_published=False)
    reader = User.objects.create_user("reader")  # a token user without permissions
    for public in (None, AnonymousUser(), reader):
        assert list(Agreement.objects.visible_to(public)) == [shown]
    assert set(Agreement.objects.visible_to(curator("curator-q"))) == {shown, draft}


def test_an_event_editor_sees_the_drafts_of_their_own_offices_only():
    from tests.factories import curator, event_editor

    mine, other = ConsulateFactory(), ConsulateFactory()
    published = EventFactory(is_published=True, host_office=other)
    my_draft = EventFactory(is_published=False, host_office=mine)
    other_draft = EventFactory(is_published=False, host_office=other)
    editor = event_editor("editor-q", mine)
    assert set(Event.objects.visible_to(editor)) == {published, my_draft}
    assert set(Event.objects.visible_to(None)) == {published}
    assert set(Event.objects.visible_to(curator("curator-e"))) == {
        published,
        my_draft,
        other_draft,
    }


def test_editable_by_follows_the_offices_a_person_belongs_to():
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import curator, event_editor

    mine, other = ConsulateFactory(), ConsulateFactory()
    my_event = EventFactory(host_office=mine)
    other_event = EventFactory(host_office=other)
    EventFactory(host_office=None)
    editor = event_editor("editor-e", mine)
    assert list(Office.objects.for_member(editor)) == [mine]
    assert list(Event.objects.editable_by(editor)) == [my_event]
    assert set(Office.objects.for_member(curator("curator-o"))) >= {mine, other}
    assert Event.objects.editable_by(curator("curator-p")).count() == 3
    editor.is_active = False
    for nobody in (None, AnonymousUser(), editor):
        assert not Office.objects.for_member(nobody).exists()
        assert not Event.objects.editable_by(nobody).exists()
    assert other_event not in Event.objects.editable_by(event_editor("editor-f"))
