"""Loading the seed data (fixtures/) into a database that already has data,
without undoing anyone's curation.

`plan_seed()` imports every seed file inside a transaction it rolls back, and
compares each record before and after: what the seed would add and what it
would change, field by field. A change is *kept out* when

- a person changed the record since (its history has a row with a user: the
  admin, the API or a curator's import; the seed's own loads have none), or
- it would publish a record that is a draft in the database, or
- it would add back a record a person deleted.

`apply_seed()` imports the seed files again without those rows (and with
drafts left drafts), in one transaction. Records the seed does not hold are
never touched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tablib
from django.db import models, transaction
from import_export.results import RowResult

from collection.files import read_dataset

from .collections import COLLECTIONS, import_dataset, seed_directory

#: Fields that change on every save and say nothing about the data.
BOOKKEEPING = {"updated_at", "created_at", "version"}


@dataclass
class Change:
    """What the seed would do to one record."""

    collection: str
    row: int  # the seed file's row (the header is row 1)
    record: str
    action: str  # "add", "update"
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # old, new
    #: Why the change is kept out ("" when it would be applied).
    kept_out: str = ""
    #: The seed would publish this draft: the rest applies, the draft stays one.
    keeps_draft: bool = False

    def __str__(self) -> str:
        head = f"{self.collection} row {self.row}: {self.action} {self.record}"
        if self.kept_out:
            head += f" (not applied: {self.kept_out})"
        lines = [head]
        for name, (old, new) in self.fields.items():
            lines.append(f"    {name}: {_short(old)} -> {_short(new)}")
        return "\n".join(lines)


@dataclass
class SeedPlan:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def applicable(self) -> list[Change]:
        return [change for change in self.changes if not change.kept_out]

    @property
    def kept_out(self) -> list[Change]:
        return [change for change in self.changes if change.kept_out]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _datasets(directory: Path) -> dict[str, tablib.Dataset]:
    return {
        name: read_dataset(directory / f"{name}.csv")
        for name in COLLECTIONS
        if (directory / f"{name}.csv").exists()
    }


def _model(collection: str) -> type[models.Model]:
    model: type[models.Model] = COLLECTIONS[collection]._meta.model
    return model


def _values(model: type[models.Model], pks: Any = None) -> dict[int, dict[str, Any]]:
    """Each record's field values and lists, by primary key."""
    concrete = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in BOOKKEEPING
    ]
    lists = [f.name for f in model._meta.many_to_many]
    queryset = model._default_manager.all()
    if pks is not None:
        queryset = queryset.filter(pk__in=pks)
    values: dict[int, dict[str, Any]] = {}
    for obj in queryset.prefetch_related(*lists).iterator(chunk_size=2000):
        row = {f.name: getattr(obj, f.attname) for f in concrete}
        for name in lists:
            row[name] = sorted(related.pk for related in getattr(obj, name).all())
        values[obj.pk] = row
    return values


def _curated(model: type[models.Model], pks: list[int]) -> dict[int, str]:
    """The records a person changed: who, and when, last."""
    history = model.history.model  # type: ignore[attr-defined]
    people: dict[int, str] = {}
    rows = (
        history.objects.filter(id__in=pks, history_user__isnull=False)
        .order_by("history_date")
        .values_list("id", "history_user__username", "history_date")
    )
    for pk, username, when in rows:
        people[pk] = f"changed by {username} on {when:%Y-%m-%d}"
    return people


def _deleted_keys(collection: str) -> dict[tuple[Any, ...], str]:
    """The natural keys of records a person deleted."""
    resource = COLLECTIONS[collection]()
    model = _model(collection)
    attnames = []
    for name in resource.get_import_id_fields():
        key_field = model._meta.get_field(resource.fields[name].attribute)
        assert isinstance(key_field, models.Field)
        attnames.append(key_field.attname)
    history = model.history.model  # type: ignore[attr-defined]
    rows = history.objects.filter(
        history_type="-", history_user__isnull=False
    ).values_list(*attnames, "history_user__username")
    return {tuple(row[:-1]): f"deleted by {row[-1]}" for row in rows.iterator()}


def _key_of(collection: str, values: dict[str, Any]) -> tuple[Any, ...]:
    resource = COLLECTIONS[collection]()
    return tuple(
        values[resource.fields[name].attribute]
        for name in resource.get_import_id_fields()
    )


def plan_seed(directory: Path | None = None) -> SeedPlan:
    """What loading the seed would change, without changing anything."""
    datasets = _datasets(directory or seed_directory())
    plan = SeedPlan()
    with transaction.atomic():
        for collection, dataset in datasets.items():
            model = _model(collection)
            before = _values(model)
            deleted = _deleted_keys(collection)
            result = import_dataset(collection, dataset, file_name="fixtures")
            updated = {
                index: int(row.object_id)
                for index, row in enumerate(result.rows)
                if row.import_type == RowResult.IMPORT_TYPE_UPDATE
            }
            added_rows = [
                index
                for index, row in enumerate(result.rows)
                if row.import_type == RowResult.IMPORT_TYPE_NEW
            ]
            plan.unchanged += sum(
                1
                for row in result.rows
                if row.import_type == RowResult.IMPORT_TYPE_SKIP
            )
            after_updated = _values(model, updated.values())
            curated = _curated(model, list(updated.values()))
            for index, pk in updated.items():
                old, new = before[pk], after_updated[pk]
                changes = {
                    name: (old[name], new[name])
                    for name in new
                    if old[name] != new[name]
                }
                keeps_draft = changes.get("is_published") == (False, True)
                if keeps_draft:
                    del changes["is_published"]
                reason = curated.get(pk, "")
                if not changes:  # it would only have published a draft
                    reason = reason or "a draft stays a draft"
                plan.changes.append(
                    Change(
                        collection,
                        index + 2,
                        str(model._default_manager.get(pk=pk)),
                        "update",
                        changes,
                        reason,
                        keeps_draft,
                    )
                )
            # New records, in the order they were created: the file's order.
            new_pks = sorted(
                set(model._default_manager.values_list("pk", flat=True)) - set(before)
            )
            added = _values(model, new_pks)
            for index, pk in zip(added_rows, new_pks, strict=True):
                key = _key_of(collection, added[pk])
                plan.changes.append(
                    Change(
                        collection,
                        index + 2,
                        str(model._default_manager.get(pk=pk)),
                        "add",
                        kept_out=deleted.get(key, ""),
                    )
                )
        transaction.set_rollback(True)
    return plan


def apply_seed(plan: SeedPlan, directory: Path | None = None) -> dict[str, int]:
    """Load the seed without the changes the plan keeps out; drafts stay drafts."""
    datasets = _datasets(directory or seed_directory())
    left_out: dict[str, set[int]] = defaultdict(set)
    drafts: dict[str, set[int]] = defaultdict(set)
    for change in plan.changes:
        if change.kept_out:
            left_out[change.collection].add(change.row)
        elif change.keeps_draft:
            drafts[change.collection].add(change.row)
    counts: dict[str, int] = {}
    with transaction.atomic():
        for collection, dataset in datasets.items():
            headers = list(dataset.headers or [])
            rows = tablib.Dataset(headers=headers)
            for number, row in enumerate(dataset, start=2):
                if number in left_out[collection]:
                    continue
                if number in drafts[collection]:
                    row = list(row)
                    row[headers.index("is_published")] = "false"
                rows.append(row)
            result = import_dataset(collection, rows, file_name="fixtures")
            counts[collection] = result.total_rows
    return counts
