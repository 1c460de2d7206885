"""The database itself rejects bad rows (on SQLite and PostgreSQL alike)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from registry.dates import DatePrecision
from registry.models import Agreement, Jurisdiction, Party
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CityFactory,
    ConsulateFactory,
    CountryFactory,
    EditionFactory,
    EventFactory,
    JurisdictionFactory,
    OfficeFactory,
    OutcomeFactory,
    PartyFactory,
    ProgrammeFactory,
    SourceFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db


def rejected(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def update(model_obj, **fields):
    """Write straight to the table, bypassing save() and validation."""
    return lambda: type(model_obj).objects.filter(pk=model_obj.pk).update(**fields)


def test_agreement_slugs_are_unique():
    AgreementFactory(slug="2012-osha-phoenix")
    rejected(lambda: AgreementFactory(slug="2012-osha-phoenix"))


@pytest.mark.parametrize(
    "fields",
    [
        {"signed_on": None, "signed_on_precision": DatePrecision.DAY},
        {"signed_on_precision": DatePrecision.UNKNOWN},
        {"signed_on_precision": DatePrecision.INTERVAL},
        {
            "signed_on_precision": DatePrecision.INTERVAL,
            "signed_on_end": date(2020, 8, 30),
        },
        {"signed_on_end": date(2020, 9, 4)},
    ],
)
def test_signing_date_must_match_its_precision(fields):
    agreement = AgreementFactory(signed_on=date(2020, 8, 31))
    rejected(update(agreement, **fields))


def test_expiry_cannot_be_before_signing():
    agreement = AgreementFactory(signed_on=date(2020, 8, 31))
    rejected(update(agreement, expires_on=date(2020, 8, 30)))


def test_term_is_at_least_a_month_and_open_ended_means_no_term():
    agreement = AgreementFactory()
    rejected(update(agreement, term_months=0))
    rejected(update(agreement, is_open_ended=True, term_months=24))


def test_agreement_cannot_renew_itself_or_be_its_own_framework():
    agreement = AgreementFactory()
    rejected(update(agreement, renews=agreement))
    rejected(update(agreement, framework=agreement))


def test_an_agreement_is_renewed_at_most_once():
    old = AgreementFactory()
    AgreementFactory(renews=old)
    rejected(lambda: AgreementFactory(renews=old))


def test_party_is_an_office_or_an_agency_never_both_or_neither():
    party = PartyFactory()
    rejected(update(party, agency=AgencyFactory()))
    rejected(update(party, office=None))


def test_one_party_row_per_office_and_agreement():
    party = PartyFactory()
    rejected(lambda: PartyFactory(agreement=party.agreement, office=party.office))
    agency = AgencyFactory()
    PartyFactory(agreement=party.agreement, office=None, agency=agency)
    rejected(
        lambda: PartyFactory(agreement=party.agreement, office=None, agency=agency)
    )


def test_reference_keys_are_protected_from_deletion():
    party = PartyFactory()
    with pytest.raises(ProtectedError):
        party.office.delete()
    with pytest.raises(ProtectedError):
        party.office.agency.delete()
    with pytest.raises(ProtectedError):
        party.office.city.delete()
    renewal = AgreementFactory(renews=AgreementFactory())
    with pytest.raises(ProtectedError):
        renewal.renews.delete()


def test_deleting_an_agreement_removes_its_parties():
    party = PartyFactory()
    party.agreement.delete()
    assert not Party.objects.exists()


def test_county_jurisdiction_cannot_also_be_partial_and_areas_are_unique():
    jurisdiction = JurisdictionFactory(county="Webb")
    rejected(update(jurisdiction, is_partial=True))
    rejected(
        lambda: Jurisdiction.objects.create(
            office=jurisdiction.office, state=jurisdiction.state, county="Webb"
        )
    )


def test_city_coordinates_are_on_the_globe():
    city = CityFactory()
    rejected(update(city, latitude=95, longitude=10))
    rejected(update(city, latitude=10, longitude=-190))


def test_country_codes_are_lower_case():
    rejected(lambda: CountryFactory(code="MX"))


def test_state_codes_are_unique_per_country():
    state = StateFactory()
    rejected(
        lambda: StateFactory(code=state.code, slug="other-slug", country=state.country)
    )


def test_source_urls_are_unique_and_a_source_needs_a_url_or_title():
    source = SourceFactory()
    rejected(lambda: SourceFactory(url=source.url))
    rejected(lambda: SourceFactory(url="", title=""))


def test_office_active_to_not_before_active_from():
    office = OfficeFactory(active_from=date(2010, 1, 1))
    rejected(update(office, active_to=date(2009, 12, 31)))


def test_edition_end_not_before_start_and_years_unique():
    edition = EditionFactory(year=2016, starts_on=date(2016, 8, 29))
    rejected(update(edition, ends_on=date(2016, 8, 28)))
    rejected(lambda: EditionFactory._meta.model.objects.create(year=2016, number=99))


def test_event_end_not_before_start():
    event = EventFactory()
    rejected(update(event, ends_at=event.starts_at - timedelta(minutes=1)))
    undated = EventFactory(starts_at=None)
    rejected(update(undated, ends_at=datetime(2017, 9, 1, tzinfo=ZoneInfo("UTC"))))


def test_outcome_belongs_to_an_edition_or_a_programme_not_both():
    outcome = OutcomeFactory()
    rejected(update(outcome, programme=ProgrammeFactory()))
    rejected(update(outcome, value=-1))


def test_edition_in_use_by_events_is_protected():
    event = EventFactory(edition=EditionFactory())
    with pytest.raises(ProtectedError):
        event.edition.delete()
    with pytest.raises(ProtectedError):
        event.host_office.delete()


def test_model_validation_gives_curators_messages_for_the_same_rules():
    agreement = Agreement(
        title_en="x",
        slug="x",
        kind="loa",
        scope="local",
        signed_on=date(2020, 1, 1),
        signed_on_precision=DatePrecision.UNKNOWN,
    )
    with pytest.raises(ValidationError) as raised:
        agreement.full_clean()
    assert "signed_on_precision" in raised.value.message_dict
    consulate = ConsulateFactory()
    party = Party(agreement=AgreementFactory(), office=consulate, side=Party.Side.US)
    with pytest.raises(ValidationError) as raised:
        party.full_clean()
    assert "side" in raised.value.message_dict
