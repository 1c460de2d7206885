from datetime import date

import pytest
from django.utils import translation

from registry.dates import DatePrecision, PartialDate, add_months


@pytest.mark.parametrize(
    ("text", "start", "latest", "precision"),
    [
        ("2004-07-21", date(2004, 7, 21), date(2004, 7, 21), DatePrecision.DAY),
        ("2011-11", date(2011, 11, 1), date(2011, 11, 30), DatePrecision.MONTH),
        ("2012-02", date(2012, 2, 1), date(2012, 2, 29), DatePrecision.MONTH),
        ("2012", date(2012, 1, 1), date(2012, 12, 31), DatePrecision.YEAR),
        (
            "2014-10-22/2014-10-23",
            date(2014, 10, 22),
            date(2014, 10, 23),
            DatePrecision.INTERVAL,
        ),
        ("", None, None, DatePrecision.UNKNOWN),
    ],
)
def test_partial_dates_keep_their_precision_both_ways(text, start, latest, precision):
    parsed = PartialDate.parse(text)
    assert (parsed.earliest, parsed.latest, parsed.precision) == (
        start,
        latest,
        precision,
    )
    assert parsed.iso() == text


@pytest.mark.parametrize(
    "text",
    [
        "2011-13",
        "21/07/2004",
        "July 2004",
        "2014-10-23/2014-10-22",
        "2014-10/2014-11",
        "2004-02-30",
    ],
)
def test_malformed_dates_are_rejected_with_a_message(text):
    with pytest.raises(ValueError, match=r"\S"):
        PartialDate.parse(text)


def test_partial_dates_are_written_out_no_more_precisely_than_known():
    with translation.override("en"):
        assert str(PartialDate.parse("2011-11")) == "November 2011"
        assert str(PartialDate.parse("2012")) == "2012"
        assert str(PartialDate.parse("2004-07-21")) == "July 21, 2004"
        assert str(PartialDate.parse("2014-10-22/2014-10-23")) == (
            "between Oct. 22, 2014 and Oct. 23, 2014"
        )
        assert str(PartialDate.parse("")) == "date unknown"
    with translation.override("es"):
        assert str(PartialDate.parse("2011-11")) == "noviembre de 2011"
        assert str(PartialDate.parse("2004-07-21")) == "21 de julio de 2004"


def test_add_months_clamps_to_the_end_of_short_months():
    assert add_months(date(2022, 9, 2), 36) == date(2025, 9, 2)
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert add_months(date(2015, 12, 15), 24) == date(2017, 12, 15)
