"""Dates known only to some precision: a day, a month, a year, or an interval.

Sources often give "November 2011", "2012" or "22 or 23 October". A `PartialDate`
keeps that precision: it is stored as an earliest date (plus a latest date for
intervals) and a precision, shown in words, and written to files as ISO 8601
reduced-precision text ("2011-11", "2012", "2014-10-22/2014-10-23").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    INTERVAL = "interval", _("Interval (between two dates)")
    UNKNOWN = "unknown", _("Unknown")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of shorter months (and
    to the calendar's last day, 9999-12-31)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _not_a_date(text: str) -> ValueError:
    return ValueError(
        gettext(
            "Not a date: %(value)s. Use YYYY-MM-DD, YYYY-MM, YYYY or YYYY-MM-DD/YYYY-MM-DD."
        )
        % {"value": text}
    )


@dataclass(frozen=True)
class PartialDate:
    """A date with the precision it is known to; `start` is its earliest day."""

    start: date | None
    precision: str = DatePrecision.DAY
    end: date | None = None  # only for intervals

    @property
    def earliest(self) -> date | None:
        return self.start

    @property
    def latest(self) -> date | None:
        """The last day the date can be, given its precision."""
        if self.start is None:
            return None
        if self.precision == DatePrecision.INTERVAL:
            return self.end
        if self.precision == DatePrecision.MONTH:
            last = calendar.monthrange(self.start.year, self.start.month)[1]
            return self.start.replace(day=last)
        if self.precision == DatePrecision.YEAR:
            return date(self.start.year, 12, 31)
        return self.start

    @property
    def is_known(self) -> bool:
        return self.start is not None

    @classmethod
    def parse(cls, text: str | None) -> PartialDate:
        """Read ISO 8601 reduced precision: '', '2012', '2011-11', '2004-07-21',
        or an interval '2016-08-29/2016-09-04'. Raises ValueError otherwise."""
        text = (text or "").strip()
        if not text:
            return cls(None, DatePrecision.UNKNOWN)
        if "/" in text:
            first, _sep, second = text.partition("/")
            if not (_ISO.match(first.strip()) and _ISO.match(second.strip())):
                raise _not_a_date(text)
            start, end = cls.parse(first), cls.parse(second)
            if (
                start.precision != DatePrecision.DAY
                or end.precision != DatePrecision.DAY
            ):
                raise ValueError(
                    gettext("Both ends of an interval must be full dates: %(value)s")
                    % {"value": text}
                )
            if end.start is None or start.start is None or end.start <= start.start:
                raise ValueError(
                    gettext("An interval must end after it starts: %(value)s")
                    % {"value": text}
                )
            return cls(start.start, DatePrecision.INTERVAL, end.start)
        match = _ISO.match(text)
        if not match:
            raise _not_a_date(text)
        year, month, day = match.groups()
        if day:
            return cls(date(int(year), int(month), int(day)), DatePrecision.DAY)
        if month:
            return cls(date(int(year), int(month), 1), DatePrecision.MONTH)
        return cls(date(int(year), 1, 1), DatePrecision.YEAR)

    def iso(self) -> str:
        """The reduced-precision ISO 8601 form used in files and the API."""
        if self.start is None:
            return ""
        if self.precision == DatePrecision.INTERVAL and self.end is not None:
            return f"{self.start.isoformat()}/{self.end.isoformat()}"
        if self.precision == DatePrecision.MONTH:
            return self.start.strftime("%Y-%m")
        if self.precision == DatePrecision.YEAR:
            return str(self.start.year)
        return self.start.isoformat()

    def __str__(self) -> str:
        """In words, in the active language, never more precise than known."""
        if self.start is None:
            return gettext("date unknown")
        if self.precision == DatePrecision.INTERVAL and self.end is not None:
            return gettext("between %(start)s and %(end)s") % {
                "start": formats.date_format(self.start, "DATE_FORMAT"),
                "end": formats.date_format(self.end, "DATE_FORMAT"),
            }
        if self.precision == DatePrecision.MONTH:
            return formats.date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.precision == DatePrecision.YEAR:
            return str(self.start.year)
        return formats.date_format(self.start, "DATE_FORMAT")
