"""The curators' review queue and renewal radar: what needs a curator today.

One `build_radar()` call feeds both the admin page and the daily e-mail. Every
section is fetched in a fixed number of queries, whatever the registry's size.
Only published agreements count as in force, expiring or expired; drafts have
their own section.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from django.db.models import F, Max, Model, Q
from django.db.models.options import Options
from django.utils import timezone

from outreach.models import Edition, Event, Organization, Programme
from registry.models import (
    Agency,
    Agreement,
    City,
    Contact,
    CorrectionReport,
    Office,
)


@dataclass(frozen=True)
class AgencyOffices:
    """An agency and those of its open offices that no agreement in force covers.

    Each office carries `last_expiry`: the latest expiry of a published
    agreement it was a party to (None when it never had a dated one)."""

    agency: Agency
    offices: Sequence[Office]


@dataclass(frozen=True)
class Unsourced:
    """The records of one model that cite no source."""

    opts: Options[Any]
    rows: list[Model]


@dataclass(frozen=True)
class Radar:
    today: date
    #: Correction reports from the public site not yet closed, newest first.
    open_reports: list[CorrectionReport]
    #: Expiring within EXPIRING_WITHIN_DAYS, soonest first, with any renewal.
    expiring: list[Agreement]
    #: Expired, with no renewal or only a draft one (shown), latest first.
    expired_without_renewal: list[Agreement]
    #: Per agency, its open offices party to no agreement in force.
    offices_without_agreement: list[AgencyOffices]
    agreements_without_source: list[Agreement]
    agencies_without_source: list[Agency]
    offices_without_source: list[Office]
    cities_without_source: list[City]
    editions_without_source: list[Edition]
    organizations_without_source: list[Organization]
    programmes_without_source: list[Programme]
    events_without_source: list[Event]
    draft_agreements: list[Agreement]
    draft_events: list[Event]
    contact_leads: list[Contact]

    @property
    def office_without_agreement_count(self) -> int:
        return sum(len(group.offices) for group in self.offices_without_agreement)

    @property
    def without_source(self) -> list[Unsourced]:
        """The records-without-a-source lists, one per model, in display order."""
        lists: list[list[Any]] = [
            self.agreements_without_source,
            self.agencies_without_source,
            self.offices_without_source,
            self.cities_without_source,
            self.editions_without_source,
            self.organizations_without_source,
            self.programmes_without_source,
            self.events_without_source,
        ]
        models: list[type[Model]] = [
            Agreement, Agency, Office, City, Edition, Organization, Programme, Event,
        ]  # fmt: skip
        return [
            Unsourced(model._meta, rows)
            for model, rows in zip(models, lists, strict=True)
        ]


def _open_reports() -> list[CorrectionReport]:
    return list(
        CorrectionReport.objects.open()
        .select_related("agreement")
        .order_by("-created_at", "-pk")
    )


def _expiring(today: date) -> list[Agreement]:
    return list(
        Agreement.objects.published()
        .expiring(on=today)
        .for_listing()
        .order_by("expiry_earliest", "title_en", "pk")
    )


def _expired_without_renewal(today: date) -> list[Agreement]:
    # A published renewal not yet signed on `today` leaves the agreement
    # expired (see registry.models.status), but the renewal is on record:
    # not listed.
    return list(
        Agreement.objects.published()
        .with_status(Agreement.Status.EXPIRED, on=today)
        .without_published_renewal()
        .for_listing()
        .order_by(F("expiry_latest").desc(nulls_last=True), "title_en", "pk")
    )


def _offices_without_agreement(today: date) -> list[AgencyOffices]:
    offices = (
        Office.objects.open_on(today)
        .not_party_to(Agreement.objects.published().in_force_on(today))
        .select_related("agency", "city__state")
        .annotate(
            last_expiry=Max(
                "parties__agreement__expiry_latest",
                filter=Q(parties__agreement__is_published=True),
            )
        )
        .order_by("agency__name", "agency_id", "name", "pk")
    )
    return [
        AgencyOffices(rows[0].agency, rows)
        for rows in (
            list(group) for _, group in groupby(offices, key=lambda o: o.agency_id)
        )
    ]


def build_radar(today: date | None = None) -> Radar:
    """Everything the review page and the daily digest show, as of `today`."""
    today = today or timezone.localdate()
    return Radar(
        today=today,
        open_reports=_open_reports(),
        expiring=_expiring(today),
        expired_without_renewal=_expired_without_renewal(today),
        offices_without_agreement=_offices_without_agreement(today),
        agreements_without_source=list(
            Agreement.objects.without_source().order_by("title_en", "pk")
        ),
        agencies_without_source=list(Agency.objects.without_source()),
        offices_without_source=list(Office.objects.without_source()),
        cities_without_source=list(
            City.objects.without_source().select_related("state")
        ),
        editions_without_source=list(Edition.objects.without_source()),
        organizations_without_source=list(Organization.objects.without_source()),
        programmes_without_source=list(Programme.objects.without_source()),
        events_without_source=list(
            Event.objects.without_source().order_by(
                F("starts_at").desc(nulls_last=True), "title_en", "pk"
            )
        ),
        draft_agreements=list(
            Agreement.objects.drafts()
            .select_related("renews")
            .order_by("created_at", "pk")
        ),
        draft_events=list(
            Event.objects.drafts()
            .select_related("host_office")
            .order_by("created_at", "pk")
        ),
        contact_leads=list(
            Contact.objects.leads()
            .select_related("office", "agency", "source")
            .order_by("office__name", "agency__name", "kind", "pk")
        ),
    )
