"""Writes that span several records: an agreement with its parties and
sources, sources named by URL, the triage of correction reports.

Each is one transaction and records the history of every row it writes, with
who (`by`; None for the system) and, where given, why. The admin, the API and
the spreadsheet import call these rather than writing the rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F

from collection.history import record_bulk, stamp
from collection.models import Revision

from .models import Agreement, AgreementSource, CorrectionReport, Party, Source
from .models.sources import is_url


@transaction.atomic
def sources_for(*, keys: Sequence[str], by: Any) -> list[Source]:
    """The sources named by `keys`, in order: a URL names a web source (one
    not in the registry yet is added, unrated), anything else the title of a
    printed source already in the registry (a missing one is a LookupError)."""
    found = {source.key: source for source in Source.objects.by_keys(keys)}
    sources = []
    for key in dict.fromkeys(keys):
        source = found.get(key)
        if source is None:
            if not is_url(key):
                raise LookupError(key)
            source = Source(url=key)
            source.full_clean()
            stamp(source, user=by)
            source.save()
            found[key] = source
        sources.append(source)
    return sources


@transaction.atomic
def cite_sources(
    *,
    citations: Mapping[Agreement, Sequence[Source]],
    by: Any,
    reason: str | None = None,
) -> None:
    """Make each agreement cite exactly its sources, the first one as its
    primary source; citations already right are left alone. In bulk, with the
    history of every citation added, changed or dropped: one agreement from
    the API, thousands from an import."""
    existing: dict[int, dict[int, AgreementSource]] = {a.pk: {} for a in citations}
    for citation in AgreementSource.objects.filter(agreement__in=list(citations)):
        existing[citation.agreement_id][citation.source_id] = citation
    new: list[AgreementSource] = []
    changed: list[AgreementSource] = []
    removed: list[AgreementSource] = []
    for agreement, sources in citations.items():
        wanted = list(dict.fromkeys(source.pk for source in sources))
        have = existing[agreement.pk]
        for position, source_id in enumerate(wanted):
            found = have.get(source_id)
            if found is None:
                new.append(
                    AgreementSource(
                        agreement_id=agreement.pk,
                        source_id=source_id,
                        is_primary=position == 0,
                    )
                )
            elif found.is_primary != (position == 0):
                found.is_primary = position == 0
                changed.append(found)
        removed += [c for source_id, c in have.items() if source_id not in wanted]
    for citation in removed:
        stamp(citation, user=by, reason=reason)
        citation.delete()
    AgreementSource.objects.bulk_create(new)
    for citation in changed:
        citation.version = F("version") + 1  # a bulk write moves versions on too
    AgreementSource.objects.bulk_update(changed, ["is_primary", "version"])
    record_bulk(AgreementSource, new, update=False, user=by, reason=reason)
    record_bulk(AgreementSource, changed, update=True, user=by, reason=reason)
    if new or changed:
        Revision.bump()


@transaction.atomic
def save_agreement(
    *,
    agreement: Agreement,
    lists: Mapping[str, Iterable[Any]] | None = None,
    parties: Sequence[Party] | None = None,
    sources: Sequence[Source] | None = None,
    by: Any,
) -> Agreement:
    """Save an agreement (new or changed) and, when given, replace its
    many-to-many lists (laws, topics), its parties (in the order given) and
    its sources (the first one primary), all or nothing.

    A change is made on the version the agreement was read at: if someone
    changed it since, StaleVersion is raised before anything is written (and
    the row is held at that version until the transaction ends)."""
    if agreement.pk is not None and not agreement._state.adding:
        agreement.hold()
    agreement.full_clean()
    stamp(agreement, user=by)
    agreement.save()
    for name, values in (lists or {}).items():
        getattr(agreement, name).set(values)
    if parties is not None:
        for party in agreement.parties.all():
            stamp(party, user=by)
            party.delete()
        for position, party in enumerate(parties):
            party.agreement = agreement
            party.position = position
            stamp(party, user=by)
            party.save()
    if sources is not None:
        cite_sources(citations={agreement: sources}, by=by)
    return agreement


@transaction.atomic
def triage_reports(*, reports: Iterable[CorrectionReport], status: str, by: Any) -> int:
    """Give correction reports a new status (fixed, dismissed, ...), each
    with its history; returns how many changed."""
    changed = 0
    for report in reports:
        if report.status == status:
            continue
        report.status = status
        stamp(report, user=by)
        report.save(update_fields=["status", "updated_at"])
        changed += 1
    return changed
