"""Reading and importing a collection's files, all or nothing.

Any collection's resource (a `CollectionResource`) goes through here, whoever
imports: the admin, the `registry_import` command, the seed data. The list of
collections by name is open data's (opendata.collections).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import Result, RowResult

from .reading import FORMATS as FORMATS
from .reading import FileRefused as FileRefused
from .reading import bounded_dataset, check_format
from .resources import CollectionResource


@dataclass
class RowError:
    """What is wrong with one row; `row` is the spreadsheet row (header = 1)."""

    row: int
    messages: list[str]

    def __str__(self) -> str:
        return _("row %(row)s: %(messages)s") % {
            "row": self.row,
            "messages": "; ".join(self.messages),
        }


@dataclass
class ImportFailed(Exception):
    """Nothing was imported: the file has these errors."""

    collection: str
    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            _("%(collection)s: nothing imported, %(count)s row(s) with errors.")
            % {"collection": self.collection, "count": len(self.errors)}
        ]
        lines += [f"  {error}" for error in self.errors]
        return "\n".join(lines)


def read_dataset(path: Path, file_format: str | None = None) -> tablib.Dataset:
    """Read a file in one of FORMATS (by its extension unless given), a row at
    a time, within the import caps (collection.reading); CSV and JSON in UTF-8
    (a spreadsheet's byte-order mark is accepted). Raises FileRefused, or
    OSError when the file cannot be opened."""
    file_format = file_format or path.suffix.lstrip(".").lower()
    check_format(file_format)
    with path.open("rb") as source:
        return bounded_dataset(source, file_format, os.fstat(source.fileno()).st_size)


def result_errors(result: Result) -> list[RowError]:
    """Every error of an import result, by spreadsheet row."""
    errors = (
        [RowError(1, [str(error.error) for error in result.base_errors])]
        if result.base_errors
        else []
    )
    for number, errors_in_row in result.row_errors():
        errors.append(RowError(number + 1, [str(e.error) for e in errors_in_row]))
    for invalid in result.invalid_rows:
        messages = [
            f"{name}: {' '.join(str(m) for m in field_messages)}"
            if name != "__all__"
            else " ".join(str(m) for m in field_messages)
            for name, field_messages in invalid.error_dict.items()
        ]
        errors.append(RowError(invalid.number + 1, messages))
    return sorted(errors, key=lambda error: error.row)


def import_file(
    resource_class: type[CollectionResource],
    dataset: tablib.Dataset,
    *,
    dry_run: bool = False,
    user: Any = None,
    file_name: str = "",
) -> Result:
    """Import every row of `dataset`, or none: any bad row raises ImportFailed
    naming every bad row, and the database is left unchanged. `user` is
    recorded in the history and scopes what may be imported (None: the system)."""
    resource = resource_class(user=user)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            user=user,
            file_name=file_name,
        )
        errors = result_errors(result)
        if errors:
            transaction.set_rollback(True)
            raise ImportFailed(resource_class.collection, errors)
    return result


def import_permission(resource_class: type[CollectionResource]) -> str:
    """The permission to import a collection (e.g. "registry.import_agreement")."""
    opts = resource_class._meta.model._meta
    return f"{opts.app_label}.import_{opts.model_name}"


def summary(collection: str, result: Result) -> str:
    totals = result.totals
    return _(
        "%(collection)s: %(rows)s rows: %(new)s new, %(updated)s updated, "
        "%(unchanged)s unchanged."
    ) % {
        "collection": collection,
        "rows": result.total_rows,
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
        "unchanged": totals[RowResult.IMPORT_TYPE_SKIP],
    }
