"""Every collection of the registry, by the name the API, the open-data files
and the commands use, in the order a full load needs; and the file operations
by that name (import, export, the seed data)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tablib
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import Result

from collection.files import (
    FileRefused,
    ImportFailed,
    RowError,
    import_file,
    read_dataset,
)
from collection.files import import_permission as resource_import_permission
from collection.resources import CollectionResource
from outreach.resources import (
    EditionResource,
    EventResource,
    OrganizationResource,
    OutcomeResource,
    ProgrammeContactResource,
    ProgrammeResource,
)
from registry.resources import (
    AgencyResource,
    AgreementResource,
    CitationResource,
    CityResource,
    ContactResource,
    CountryResource,
    DocumentResource,
    JurisdictionResource,
    LawResource,
    OfficeResource,
    PartyResource,
    SourceResource,
    StateResource,
    TopicResource,
)

#: Every collection, named as in the API, in the order a full load needs.
COLLECTIONS: dict[str, type[CollectionResource]] = {
    resource.collection: resource
    for resource in (
        CountryResource,
        StateResource,
        SourceResource,
        CityResource,
        AgencyResource,
        OfficeResource,
        JurisdictionResource,
        ContactResource,
        LawResource,
        TopicResource,
        AgreementResource,
        PartyResource,
        CitationResource,
        DocumentResource,
        EditionResource,
        OrganizationResource,
        ProgrammeResource,
        ProgrammeContactResource,
        EventResource,
        OutcomeResource,
    )
}


def import_dataset(
    collection: str,
    dataset: tablib.Dataset,
    *,
    dry_run: bool = False,
    user: Any = None,
    file_name: str = "",
) -> Result:
    """Import a file into the named collection, all or nothing (see
    collection.files.import_file)."""
    if collection not in COLLECTIONS:
        raise ImportFailed(collection, [RowError(1, [_("unknown collection")])])
    return import_file(
        COLLECTIONS[collection],
        dataset,
        dry_run=dry_run,
        user=user,
        file_name=file_name,
    )


def export_dataset(
    collection: str, queryset: Iterable[object] | None = None
) -> tablib.Dataset:
    """A collection in the registry's file format (all of it by default)."""
    return COLLECTIONS[collection]().export(queryset)


def export_file(collection: str, file_format: str) -> tuple[str | bytes, int]:
    """A whole collection as a file in one of FORMATS, and its number of rows."""
    dataset = export_dataset(collection)
    return dataset.export(file_format), len(dataset)


def import_permission(collection: str) -> str:
    """The permission to import a collection (e.g. "registry.import_agreement")."""
    return resource_import_permission(COLLECTIONS[collection])


def seed_directory() -> Path:
    return Path(settings.FIXTURE_DIRS[0])


def read_collection_file(collection: str, path: Path) -> tablib.Dataset:
    """A collection's file, read within the import caps; a file refused whole
    is an ImportFailed like a file with bad rows."""
    try:
        return read_dataset(path)
    except FileRefused as refusal:
        raise ImportFailed(collection, [RowError(1, [str(refusal)])]) from None


def load_seed(directory: Path | None = None) -> dict[str, int]:
    """Load every collection's CSV file from fixtures/, in one transaction."""
    directory = directory or seed_directory()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for collection in COLLECTIONS:
            path = directory / f"{collection}.csv"
            if path.exists():
                result = import_dataset(
                    collection,
                    read_collection_file(collection, path),
                    file_name=f"fixtures/{path.name}",
                )
                counts[collection] = result.total_rows
    return counts
