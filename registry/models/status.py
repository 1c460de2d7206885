"""An agreement's status, derived from its dates and renewals: never stored,
never typed by hand.

The rule is written twice, side by side: `status_on()` reads one agreement in
Python (pages, files, the API), `status_q()` says the same in SQL (filters,
facets, the radar). Each branch of one has its twin in the other; together the
Q objects split every agreement into exactly one status, and the tests check
that both forms agree on every case.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .agreements import Agreement

#: An agreement is "expiring" when its expiry falls within this many days.
EXPIRING_WITHIN_DAYS = 90


class Status(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    EXPIRING = "expiring", _("Expiring within 90 days")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded by a renewal")
    UNKNOWN = "unknown", _("Unknown")


def status_on(agreement: Agreement, day: date) -> str:
    """The agreement's status on `day`.

    Order matters: a published renewal signed by `day` supersedes (a draft
    renewal is not yet public record); a concluded agreement with no date has
    expired; before its signing, or with no term, expiry or end known, the
    status is unknown. Reads the renewal: fetch it with the agreement
    (`AgreementQuerySet.with_status_data`).
    """
    soon = day + timedelta(days=EXPIRING_WITHIN_DAYS)
    renewal = getattr(agreement, "renewal", None)
    if (
        renewal is not None
        and renewal.is_published
        and (renewal.signed_on is None or renewal.signed_on <= day)
    ):
        return Status.SUPERSEDED
    if agreement.is_concluded and agreement.expiry_latest is None:
        return Status.EXPIRED
    if agreement.expiry_latest is not None and agreement.expiry_latest < day:
        return Status.EXPIRED
    if agreement.signed_on is not None and agreement.signed_on > day:
        return Status.UNKNOWN
    if agreement.expiry_earliest is not None and agreement.expiry_latest is not None:
        return Status.EXPIRING if agreement.expiry_earliest <= soon else Status.IN_FORCE
    if agreement.is_open_ended:
        return Status.IN_FORCE
    return Status.UNKNOWN


def unknown_reason(agreement: Agreement, day: date) -> str:
    """Why the status on `day` is unknown, in one line (status_on's branches
    that end in UNKNOWN)."""
    if agreement.signed_on is not None and agreement.signed_on > day:
        return str(_("Its signing date is still to come."))
    if agreement.term_months and agreement.signed_on is None:
        return str(
            _(
                "The sources state its term (%(months)s months) but not when it "
                "was signed, so its expiry cannot be derived."
            )
            % {"months": agreement.term_months}
        )
    return str(_("The sources do not state a term or an expiry."))


#: How far ahead a list may look for expiries (?expires_within=), in days.
EXPIRY_HORIZONS = (EXPIRING_WITHIN_DAYS, 365)


def _superseded_q(day: date) -> Q:
    return Q(renewal__isnull=False, renewal__is_published=True) & (
        Q(renewal__signed_on__isnull=True) | Q(renewal__signed_on__lte=day)
    )


def _live_q(day: date) -> Q:
    """Signed, not ended without a date, not replaced by a renewal."""
    ended_undated = Q(is_concluded=True, expiry_latest__isnull=True)
    return ~_superseded_q(day) & ~ended_undated & ~Q(signed_on__gt=day)


def expires_within_q(days: int, day: date) -> Q:
    """The agreements in force on `day` that may expire within `days`."""
    soon = day + timedelta(days=days)
    return _live_q(day) & Q(expiry_latest__gte=day, expiry_earliest__lte=soon)


def status_q(status: str, day: date) -> Q:
    """The agreements whose status on `day` is `status`, as a condition."""
    soon = day + timedelta(days=EXPIRING_WITHIN_DAYS)
    superseded = _superseded_q(day)
    ended_undated = Q(is_concluded=True, expiry_latest__isnull=True)
    live = _live_q(day)
    expiring = expires_within_q(EXPIRING_WITHIN_DAYS, day)
    in_force = live & (
        Q(expiry_earliest__gt=soon) | Q(expiry_latest__isnull=True, is_open_ended=True)
    )
    expired = ~superseded & (ended_undated | Q(expiry_latest__lt=day))
    by_status = {
        Status.SUPERSEDED: superseded,
        Status.EXPIRED: expired,
        Status.EXPIRING: expiring,
        Status.IN_FORCE: in_force,
    }
    if status == Status.UNKNOWN:
        return ~(superseded | expired | expiring | in_force)
    return by_status[Status(status)]
