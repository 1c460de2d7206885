"""How complete the record is: the share of agreements whose status can be
derived, the Mexican consular offices with and without an agreement with
each US agency, and how well the sources are described. Shown on /numbers/
and written into docs/data-coverage.md (`manage.py registry_coverage`).
A fixed number of aggregate queries, whatever the size of the registry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Agency, Agreement, AgreementSource, Office, Party, Source

#: The US agencies whose consular agreements are counted one by one, with
#: every part of each (the Department of Justice's divisions); state labour
#: departments are counted together.
AGENCY_GROUPS = ("dol-whd", "dol-osha", "eeoc", "nlrb", "doj")
STATE_AGENCIES = "state"
ANY_AGENCY = "any"


@dataclass
class OfficeCount:
    """Mexican consular offices party to an agreement with one US agency."""

    key: str
    label: str
    with_agreement: int
    without_agreement: int


@dataclass
class Coverage:
    agreements: int
    local_agreements: int
    derivable: int
    offices: int
    by_agency: list[OfficeCount]
    #: The Mexican consular offices party to no published agreement at all.
    offices_without: list[Office]
    sources: int
    sources_titled: int
    sources_published: int
    sources_dated: int
    sources_archived: int
    citations: int
    citations_quoted: int

    @property
    def derivable_share(self) -> int:
        """Percent of published agreements with a status other than unknown."""
        return round(100 * self.derivable / self.agreements) if self.agreements else 0


def mexican_consular_offices() -> Q:
    return Q(agency__slug="mx-sre", kind__in=Office.CONSULAR_KINDS) & ~Q(
        kind=Office.Kind.EMBASSY
    )


def coverage(today: date | None = None) -> Coverage:
    today = today or timezone.localdate()
    published = Agreement.objects.published()
    counts = published.aggregate(
        total=Count("pk"),
        local=Count("pk", filter=Q(scope=Agreement.Scope.LOCAL)),
        unknown=Count(
            "pk", filter=Agreement.objects.status_q(Agreement.Status.UNKNOWN, today)
        ),
    )
    offices = list(
        Office.objects.filter(mexican_consular_offices())
        .select_related("city__state")
        .order_by("city__name")
    )
    # Which US agencies each consular office has a published agreement with:
    # distinct (office, agency) pairs, bounded by offices × agencies.
    pairs = set(
        Party.objects.filter(
            side=Party.Side.FOREIGN,
            office__in=[office.pk for office in offices],
            agreement__in=published,
        )
        .filter(agreement__parties__side=Party.Side.US)
        .values_list(
            "office_id",
            "agreement__parties__agency_id",
            "agreement__parties__office__agency_id",
        )
        .distinct()
    )
    agencies = {
        agency.pk: agency
        for agency in Agency.objects.only(
            "name", "acronym", "slug", "parent_id", "level"
        )
    }

    def groups_of(agency_id: int | None) -> set[str]:
        found: set[str] = set()
        while agency_id is not None:
            agency = agencies[agency_id]
            if agency.slug in AGENCY_GROUPS:
                found.add(agency.slug)
            if agency.level == Agency.Level.STATE:
                found.add(STATE_AGENCIES)
            agency_id = agency.parent_id
        return found | {ANY_AGENCY}

    partners: dict[int, set[str]] = {office.pk: set() for office in offices}
    for office_id, agency_id, office_agency_id in pairs:
        partners[office_id] |= groups_of(agency_id or office_agency_id)
    labels = {
        agency.slug: str(agency)
        for agency in agencies.values()
        if agency.slug in AGENCY_GROUPS
    }
    labels[STATE_AGENCIES] = _("A state agency")
    labels[ANY_AGENCY] = _("Any US agency")
    by_agency = []
    for key in (*AGENCY_GROUPS, STATE_AGENCIES, ANY_AGENCY):
        if key not in labels:
            continue
        having = sum(1 for found in partners.values() if key in found)
        by_agency.append(OfficeCount(key, labels[key], having, len(offices) - having))
    sources = Source.objects.aggregate(
        total=Count("pk"),
        titled=Count("pk", filter=~Q(title="")),
        published=Count("pk", filter=~Q(publisher="")),
        dated=Count("pk", filter=Q(published_on__isnull=False)),
        archived=Count("pk", filter=~Q(archive_url="")),
    )
    citations = AgreementSource.objects.filter(agreement__in=published).aggregate(
        total=Count("pk"), quoted=Count("pk", filter=~Q(quote=""))
    )
    return Coverage(
        agreements=counts["total"],
        local_agreements=counts["local"],
        derivable=counts["total"] - counts["unknown"],
        offices=len(offices),
        by_agency=by_agency,
        offices_without=[o for o in offices if ANY_AGENCY not in partners[o.pk]],
        sources=sources["total"],
        sources_titled=sources["titled"],
        sources_published=sources["published"],
        sources_dated=sources["dated"],
        sources_archived=sources["archived"],
        citations=citations["total"],
        citations_quoted=citations["quoted"],
    )
