"""The derived status, over every kind of date a source can give.

Each case is checked twice: `Agreement.status_on()` in Python and
`AgreementQuerySet.status_q()` in SQL must agree, because lists filter in SQL
and pages show the property.
"""

from datetime import date

import pytest

from registry.dates import DatePrecision
from registry.models import Agreement
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)
S = Agreement.Status


def signed(text: str) -> dict:
    from registry.dates import PartialDate

    value = PartialDate.parse(text)
    return {
        "signed_on": value.start,
        "signed_on_end": value.end,
        "signed_on_precision": value.precision,
    }


CASES = {
    "no dates, no term": ({**signed("")}, S.UNKNOWN),
    "signed, term not stated": ({**signed("2025-06-01")}, S.UNKNOWN),
    "two-year term, years to run": (
        {**signed("2026-01-01"), "term_months": 24},
        S.IN_FORCE,
    ),
    "two-year term, ends in 47 days": (
        {**signed("2025-01-10"), "term_months": 24},
        S.EXPIRING,
    ),
    "ends in exactly 90 days": (
        {**signed("2024-02-22"), "term_months": 36},
        S.EXPIRING,
    ),
    "ends in 91 days": ({**signed("2024-02-23"), "term_months": 36}, S.IN_FORCE),
    "term over": ({**signed("2020-01-01"), "term_months": 24}, S.EXPIRED),
    "stated expiry is today": (
        {**signed("2024-01-01"), "expires_on": TODAY},
        S.EXPIRING,
    ),
    "stated expiry was yesterday": (
        {**signed("2024-01-01"), "expires_on": date(2026, 11, 23)},
        S.EXPIRED,
    ),
    "month precision, expiry month next month": (
        {**signed("2024-12"), "term_months": 24},
        S.EXPIRING,
    ),
    "month precision, today inside the expiry month": (
        {**signed("2024-11"), "term_months": 24},
        S.EXPIRING,
    ),
    "month precision, expiry month over": (
        {**signed("2024-10"), "term_months": 24},
        S.EXPIRED,
    ),
    "year precision, may expire within 90 days": (
        {**signed("2025"), "term_months": 24},
        S.EXPIRING,
    ),
    "year precision, far from expiry": (
        {**signed("2026"), "term_months": 24},
        S.IN_FORCE,
    ),
    "interval, a year to run": (
        {**signed("2026-08-29/2026-09-04"), "term_months": 12},
        S.IN_FORCE,
    ),
    "open-ended": ({**signed("2014-08-19"), "is_open_ended": True}, S.IN_FORCE),
    "open-ended, date unknown": ({**signed(""), "is_open_ended": True}, S.IN_FORCE),
    "concluded, no date": ({**signed(""), "is_concluded": True}, S.EXPIRED),
    "concluded, signed, no end date": (
        {**signed("2007-06-29"), "is_concluded": True},
        S.EXPIRED,
    ),
    "not signed yet": ({**signed("2027-03-01"), "term_months": 24}, S.UNKNOWN),
}


@pytest.mark.parametrize("fields, expected", CASES.values(), ids=CASES.keys())
def test_status_from_dates(fields, expected):
    created = AgreementFactory(**fields)
    agreement = Agreement.objects.with_status_data().get(pk=created.pk)
    assert agreement.status_on(TODAY) == expected
    assert list(Agreement.objects.with_status(expected, on=TODAY)) == [agreement]


RENEWALS = {
    "renewed before today": (signed("2025-03-01"), S.SUPERSEDED),
    "renewal date known to the month": (signed("2026-11"), S.SUPERSEDED),
    "renewal date unknown": (signed(""), S.SUPERSEDED),
    "renewal not signed yet": (signed("2027-01-15"), S.EXPIRING),
}


@pytest.mark.parametrize(
    "renewal_fields, expected", RENEWALS.values(), ids=RENEWALS.keys()
)
def test_renewal_supersedes_once_signed(renewal_fields, expected):
    created = AgreementFactory(**signed("2025-01-10"), term_months=24)
    AgreementFactory(renews=created, **renewal_fields)
    old = Agreement.objects.with_status_data().get(pk=created.pk)
    assert old.status_on(TODAY) == expected
    assert old in Agreement.objects.with_status(expected, on=TODAY)


def test_a_draft_renewal_does_not_supersede_yet():
    created = AgreementFactory(**signed("2025-01-10"), term_months=24)
    AgreementFactory(renews=created, is_published=False, **signed("2026-01-01"))
    old = Agreement.objects.with_status_data().get(pk=created.pk)
    assert old.status_on(TODAY) == S.EXPIRING
    assert old in Agreement.objects.with_status(S.EXPIRING, on=TODAY)


def test_each_agreement_has_exactly_one_status_in_sql():
    for fields, _expected in CASES.values():
        AgreementFactory(**fields)
    total = Agreement.objects.count()
    per_status = sum(Agreement.objects.with_status(s, on=TODAY).count() for s in S)
    assert per_status == total


def test_in_force_on_a_past_day_and_expiring_within():
    two_year = AgreementFactory(**signed("2015-08-31"), term_months=24)
    open_ended = AgreementFactory(**signed("2014-08-19"), is_open_ended=True)
    unknown = AgreementFactory(**signed("2012-04-27"))
    assert set(Agreement.objects.in_force_on(date(2016, 1, 1))) == {
        two_year,
        open_ended,
    }
    assert set(Agreement.objects.in_force_on(date(2017, 9, 1))) == {open_ended}
    assert unknown not in Agreement.objects.in_force_on(date(2013, 1, 1))
    assert list(Agreement.objects.expiring_within(90, on=date(2017, 7, 1))) == [
        two_year
    ]
    assert not Agreement.objects.expiring_within(30, on=date(2017, 7, 1)).exists()


def test_expiry_is_derived_when_saved_and_shown_with_its_precision():
    agreement = AgreementFactory(**signed("2015-08"), term_months=24)
    assert (agreement.expiry_earliest, agreement.expiry_latest) == (
        date(2017, 8, 1),
        date(2017, 8, 31),
    )
    assert agreement.expiry.precision == DatePrecision.INTERVAL
    agreement.term_months = None
    agreement.save(update_fields=["term_months"])
    agreement.refresh_from_db()
    assert agreement.expiry_earliest is None and not agreement.expiry.is_known


def test_month_and_year_dates_are_stored_as_their_first_day():
    agreement = AgreementFactory(
        signed_on=date(2011, 11, 14), signed_on_precision=DatePrecision.MONTH
    )
    assert agreement.signed_on == date(2011, 11, 1)
    assert agreement.signed.iso() == "2011-11"


def test_renewal_chain_runs_oldest_first():
    first = AgreementFactory(**signed("2011-06-16"))
    second = AgreementFactory(**signed("2016-08-29"), renews=first)
    third = AgreementFactory(**signed("2022-05-10"), renews=second)
    assert second.renewal_chain() == [first, second, third]
