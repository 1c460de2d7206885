"""Bulk downloads of the whole registry: one CSV per collection, in the format
of the imports and of the API's `?format=csv`, the same rows as an XLSX
workbook, and a `datapackage.json` (Frictionless Data Package) describing
every column of the CSVs, the keys and the licence.

Only public data goes out: published agreements and events, the parties and
documents of published agreements, and the sources that public records cite.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

from collection.formats import write_rows_xlsx
from outreach.models import (
    Edition,
    Event,
    Organization,
    Outcome,
    Programme,
    ProgrammeContact,
)
from registry.models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Contact,
    Country,
    Document,
    Jurisdiction,
    Law,
    Office,
    Party,
    Source,
    State,
    Topic,
    hide_draft_references,
)

from .collections import COLLECTIONS

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}

#: Who the files are for: everyone, so drafts never go out.
PUBLIC = None

#: Rows read from the database at a time (with their prefetched lists) while a
#: file is written, so that no collection is held whole as model objects.
CHUNK_SIZE = 2000


def _public_sources() -> models.QuerySet[Source]:
    cited: list[models.QuerySet[Any, Any]] = [
        AgreementSource.objects.filter(
            agreement__in=Agreement.objects.visible_to(PUBLIC)
        ).values("source_id"),
        Event.sources.through.objects.filter(
            event__in=Event.objects.visible_to(PUBLIC)
        ).values("source_id"),
    ]
    for model in (City, Agency, Office, Edition, Organization, Programme):
        cited.append(model.sources.through.objects.values("source_id"))
    cited.append(Jurisdiction.objects.exclude(source=None).values("source_id"))
    cited.append(Outcome.objects.values("source_id"))
    for contacts in (Contact.objects, ProgrammeContact.objects):
        cited.append(contacts.visible_to(PUBLIC).values("source_id"))
    condition = Q()
    for subquery in cited:
        condition |= Q(pk__in=subquery)
    return Source.objects.filter(condition).order_by("url", "title")


def _agreements() -> Iterator[Agreement]:
    rows = (
        Agreement.objects.visible_to(PUBLIC)
        .with_parties()  # the parties' names, cities and states
        .select_related("framework", "renews", "renewal")
        .prefetch_related(
            Prefetch(
                "citations", queryset=AgreementSource.objects.select_related("source")
            ),
            "laws",
            "topics",
        )
        .order_by("slug")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    while chunk := list(islice(rows, CHUNK_SIZE)):
        yield from hide_draft_references(chunk)


#: What each downloadable collection holds, in load order.
PUBLIC_ROWS: dict[str, Callable[[], Iterable[Any]]] = {
    "countries": lambda: Country.objects.order_by("code"),
    "states": lambda: State.objects.select_related("country").order_by("slug"),
    "sources": _public_sources,
    "cities": lambda: (
        City.objects.select_related("state", "country")
        .prefetch_related("sources")
        .order_by("slug")
    ),
    "agencies": lambda: (
        Agency.objects.select_related("country", "parent")
        .prefetch_related("sources")
        .order_by("slug")
    ),
    "offices": lambda: (
        Office.objects.select_related("agency", "city")
        .prefetch_related("sources")
        .order_by("slug")
    ),
    "jurisdictions": lambda: Jurisdiction.objects.select_related(
        "office", "state", "source"
    ).order_by("office__slug", "state__slug", "county"),
    "contacts": lambda: (
        Contact.objects.visible_to(PUBLIC)
        .select_related("office", "agency", "source")
        .order_by("office__slug", "agency__slug", "kind", "value")
    ),
    "laws": lambda: Law.objects.order_by("slug"),
    "topics": lambda: Topic.objects.order_by("slug"),
    "agreements": _agreements,
    "parties": lambda: (
        Party.objects.filter(agreement__in=Agreement.objects.visible_to(PUBLIC))
        .select_related("agreement", "office", "agency")
        .order_by("agreement__slug", "position", "pk")
    ),
    "citations": lambda: (
        AgreementSource.objects.filter(
            agreement__in=Agreement.objects.visible_to(PUBLIC)
        )
        .select_related("agreement", "source")
        .order_by("agreement__slug", "-is_primary", "pk")
    ),
    "documents": lambda: (
        Document.objects.filter(agreement__in=Agreement.objects.visible_to(PUBLIC))
        .select_related("agreement")
        .order_by("agreement__slug", "url")
    ),
    "editions": lambda: Edition.objects.prefetch_related("sources").order_by("year"),
    "organizations": lambda: (
        Organization.objects.select_related("city")
        .prefetch_related("sources")
        .order_by("slug")
    ),
    "programmes": lambda: (
        Programme.objects.select_related("city")
        .prefetch_related("offices", "agencies", "organizations", "sources")
        .order_by("slug")
    ),
    "programme-contacts": lambda: (
        ProgrammeContact.objects.visible_to(PUBLIC)
        .select_related("programme", "source")
        .order_by("programme__slug", "kind", "value")
    ),
    "events": lambda: (
        Event.objects.visible_to(PUBLIC)
        .select_related("edition", "host_office", "city")
        .prefetch_related("offices", "agencies", "organizations", "topics", "sources")
        .order_by("slug")
    ),
    "outcomes": lambda: (
        Outcome.objects.filter(
            Q(agreement__isnull=True)
            | Q(agreement__in=Agreement.objects.visible_to(PUBLIC))
        )
        .select_related("edition", "programme", "agreement", "source")
        .order_by("edition__year", "programme__slug", "agreement__slug", "metric", "pk")
    ),
}

# Keys of each collection, and the columns that refer to other collections.
PRIMARY_KEYS = {
    "countries": ["code"], "states": ["slug"], "sources": ["url", "title"],
    "cities": ["slug"], "agencies": ["slug"], "offices": ["slug"],
    "jurisdictions": ["office", "state", "county"],
    "contacts": ["office", "agency", "kind", "value", "source"],
    "laws": ["slug"], "topics": ["slug"],
    "agreements": ["slug"], "parties": ["agreement", "office", "agency"],
    "citations": ["agreement", "source"],
    "documents": ["agreement", "url"], "editions": ["year"], "organizations": ["slug"],
    "programmes": ["slug"], "programme-contacts": ["programme", "kind", "value", "source"],
    "events": ["slug"], "outcomes": [],
}  # fmt: skip
FOREIGN_KEYS = {
    ("states", "country"): ("countries", "code"),
    ("cities", "state"): ("states", "slug"),
    ("cities", "country"): ("countries", "code"),
    ("agencies", "country"): ("countries", "code"),
    ("agencies", "parent"): ("agencies", "slug"),
    ("offices", "agency"): ("agencies", "slug"),
    ("offices", "city"): ("cities", "slug"),
    ("jurisdictions", "office"): ("offices", "slug"),
    ("jurisdictions", "state"): ("states", "slug"),
    ("contacts", "office"): ("offices", "slug"),
    ("contacts", "agency"): ("agencies", "slug"),
    ("programme-contacts", "programme"): ("programmes", "slug"),
    ("agreements", "framework"): ("agreements", "slug"),
    ("agreements", "renews"): ("agreements", "slug"),
    ("parties", "agreement"): ("agreements", "slug"),
    ("parties", "office"): ("offices", "slug"),
    ("parties", "agency"): ("agencies", "slug"),
    ("citations", "agreement"): ("agreements", "slug"),
    ("documents", "agreement"): ("agreements", "slug"),
    ("organizations", "city"): ("cities", "slug"),
    ("programmes", "city"): ("cities", "slug"),
    ("events", "edition"): ("editions", "year"),
    ("events", "host_office"): ("offices", "slug"),
    ("events", "city"): ("cities", "slug"),
    ("outcomes", "edition"): ("editions", "year"),
    ("outcomes", "programme"): ("programmes", "slug"),
    ("outcomes", "agreement"): ("agreements", "slug"),
}

DESCRIPTIONS = {
    "countries": "Countries, by ISO 3166-1 alpha-2 code.",
    "states": "US states, the District of Columbia and Puerto Rico.",
    "sources": "Where the facts come from, with how far to trust each.",
    "cities": "Cities where offices sit or events happen.",
    "agencies": "Government bodies: US labour agencies, state agencies, foreign ministries.",
    "offices": "Signatory offices: agency offices, embassies and consulates.",
    "jurisdictions": "The states and counties an office serves.",
    "contacts": "How to reach offices and agencies: protection lines, national "
    "hotlines, phones, e-mails and addresses, each with its source and the date "
    "the source stated it (public values only).",
    "laws": "Laws the agreements cover.",
    "topics": "Topics of agreements and events.",
    "agreements": "Agreements between US labour agencies and foreign governments' offices.",
    "parties": "The parties to each agreement: an office (or an agency) on one side.",
    "citations": "The sources each agreement cites, the primary one first, with the "
    "facts read in each and the source's own words (a quote of at most 25 words).",
    "documents": "Agreement texts, translations, releases and reports, by language.",
    "editions": "Labor Rights Week editions, one a year since 2009.",
    "organizations": "Civil-society partner organisations.",
    "programmes": "Year-round programmes: hotlines, ventanillas, partnerships.",
    "programme-contacts": "How to reach year-round programmes (public values only).",
    "events": "Labor Rights Week and year-round events.",
    "outcomes": "Reported figures, each with its source; conflicting figures are all kept.",
}

# Columns that are not plain model fields.
COLUMN_DESCRIPTIONS = {
    "signed_on": "Signing date as precise as known: YYYY-MM-DD, YYYY-MM, YYYY, or an "
    "interval YYYY-MM-DD/YYYY-MM-DD; empty when unknown.",
    "signed_from": "The first day the agreement may have been signed on, given "
    "signed_on's precision (YYYY-MM-DD): the day itself, the first of the month "
    "or year, or the interval's start; empty when unknown.",
    "signed_to": "The last day the agreement may have been signed on (YYYY-MM-DD): "
    "the day itself, the last of the month or year, or the interval's end; empty "
    "when unknown.",
    "signed_on_precision": "day, month, year, interval or unknown.",
    "us_parties": "The US parties by name (an office by its official name, as in "
    "offices.csv, or an agency named without an office by its name and "
    "acronym), separated by '; '. From parties.csv; ignored on import.",
    "foreign_parties": "The foreign governments' parties by name (consulates, "
    "embassies, ministries), separated by '; '. From parties.csv; ignored on "
    "import.",
    "foreign_countries": "The countries of the foreign parties, by English name, "
    "separated by '; '. Ignored on import.",
    "cities": "The cities of the party offices, by name, each once, separated by "
    "'; '. Ignored on import.",
    "states": "The US states of the party offices, by name, each once, separated "
    "by '; '. Ignored on import.",
    "page_url": "The agreement's page on the public site (in English; the "
    "Spanish page is under /es/). Ignored on import.",
    "expires": "Expiry as precise as known (stated, or derived from the term); an "
    "interval when the signing date is a month or a year; empty when unknown.",
    "status": "Status on the package's date: in_force, expiring (within 90 days), "
    "expired, superseded (by a published renewal) or unknown.",
    "sources": "The record's sources, separated by '; ' (URLs, or titles of printed "
    "sources); for agreements the first is the primary source.",
    "source": "The source (its URL, or its title if printed).",
    "slug": "The record's key, used in URLs and by other files.",
    "title_en": "Title in English.",
    "title_es": "Title in Spanish; empty when no Spanish title is known.",
    "summary_en": "What it covers, in English.",
    "summary_es": "What it covers, in Spanish.",
    "description_en": "Description in English.",
    "description_es": "Description in Spanish.",
    "note": "Notes: disagreements between sources, doubts and context.",
    "signed_on_note": "How the signing date is known, when it is derived or uncertain.",
    "term_months": "Term in months, only where a source states it.",
    "expires_on": "Expiry date, only where a source states it.",
    "is_open_ended": "true when a source says the agreement has no end date.",
    "is_concluded": "true when a source says the agreement has ended, even without a date.",
    "is_published": "Always true in the public files (drafts are left out).",
    "is_name_attested": "false when the name is a descriptive form, not an official "
    "title found in a source.",
    "kind_note": "Where sources disagree on the office's kind or rank.",
    "is_partial": "true when only an unnamed part of the state is covered.",
    "county": "County, where known.",
    "time_zone": "IANA time zone name.",
    "is_all_day": "true when only the days are known; times are then midnight.",
    "starts_at": "Start, ISO 8601 with UTC offset, in the event's time zone; empty "
    "when no source gives the date.",
    "ends_at": "End, ISO 8601 with UTC offset, in the event's time zone.",
    "date_note": "How the date is known, when it is not exact.",
    "position": "Order of the party within the agreement.",
    "value": "The contact value: phone numbers in E.164 (+18664879243, an "
    "extension as ;ext=117), otherwise as the source printed it. In CSV files a "
    "leading apostrophe ('+18664879243) keeps spreadsheets from reading the "
    "number as a formula, as for every text cell that starts with + - = or @.",
    "as_of": "When the source stated the value, as precise as known: YYYY-MM-DD, "
    "YYYY-MM or YYYY.",
    "as_of_note": "How the as-of date is known, when the source does not print it.",
    "quote": "The source's words the value was read in (at most 25 words).",
    "standing": "current in the public files (leads, superseded values and "
    "repeats are curators' records).",
}

TYPES = {
    models.BooleanField: "boolean",
    models.DateTimeField: "datetime",
    models.DateField: "date",
    models.PositiveSmallIntegerField: "integer",
    models.PositiveIntegerField: "integer",
    models.DecimalField: "number",
}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _field_schema(
    model: type[models.Model], column: str, attribute: str | None
) -> dict[str, str]:
    schema = {"name": column, "type": "string"}
    field: Any
    try:
        field = model._meta.get_field(attribute or column)
    except FieldDoesNotExist:
        field = None
    if column in COLUMN_DESCRIPTIONS:
        schema["description"] = COLUMN_DESCRIPTIONS[column]
    elif field is not None:
        name = _sentence(str(field.verbose_name))
        help_text = str(getattr(field, "help_text", "") or "")
        if field.is_relation and field.related_model is not None:
            key = {Country: "ISO code", Edition: "year"}.get(
                field.related_model, "slug"
            )
            text = f"{name}, by {key}."
            if field.many_to_many:
                text += " Several are separated by '; '."
            if help_text:
                text += f" {help_text}"
        else:
            text = help_text or f"{name}."
        choices = getattr(field, "choices", None)
        if choices:
            text += (
                " One of: " + ", ".join(str(value) for value, _label in choices) + "."
            )
        schema["description"] = text
    # A signing date is written with its precision ("2011-11"): text, not a date.
    if (
        field is not None
        and not field.is_relation
        and column
        not in (
            "signed_on",
            "as_of",
        )
    ):
        for field_class, type_name in TYPES.items():
            if isinstance(field, field_class):
                schema["type"] = type_name
                break
    schema.update(DERIVED_TYPES.get(column, {}))
    return schema


#: Types of columns that are not model fields.
DERIVED_TYPES = {
    "signed_from": {"type": "date"},
    "signed_to": {"type": "date"},
    "page_url": {"type": "string", "format": "uri"},
}


def datapackage(on: date | None = None) -> dict[str, Any]:
    """The data dictionary: every collection's columns, keys and the licence."""
    on = on or timezone.localdate()
    resources = []
    for name, resource_class in COLLECTIONS.items():
        resource = resource_class()
        fields = [
            _field_schema(resource._meta.model, field.column_name, field.attribute)
            for field in resource.get_export_fields()
        ]
        schema: dict[str, Any] = {"fields": fields}
        if PRIMARY_KEYS[name]:
            schema["primaryKey"] = PRIMARY_KEYS[name]
        foreign = [
            {"fields": column, "reference": {"resource": target, "fields": key}}
            for (collection, column), (target, key) in FOREIGN_KEYS.items()
            if collection == name
        ]
        if foreign:
            schema["foreignKeys"] = foreign
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": DESCRIPTIONS[name],
                "schema": schema,
            }
        )
    return {
        "name": "labour-agreements-registry",
        "title": "Labour agreements registry",
        "description": (
            "Binational labour agreements between US labour agencies and foreign "
            "governments' consulates, their parties and sources, Labor Rights Week "
            "editions and events, programmes and partner organisations."
        ),
        "version": on.isoformat(),
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "licenses": [LICENSE],
        "sources": [
            {"title": "The registry's sources, listed in sources.csv"},
            {
                "title": "GeoNames (city coordinates and time zones)",
                "path": "https://www.geonames.org/",
            },
        ],
        "resources": resources,
    }


def _in_chunks(rows: Iterable[Any]) -> Iterable[Any]:
    if isinstance(rows, models.QuerySet):
        return rows.iterator(chunk_size=CHUNK_SIZE)
    return rows


def collection_chunks(name: str) -> Iterator[Any]:
    """One collection's public rows in the file format, pages linked at
    SITE_URL: tablib datasets of CHUNK_SIZE rows each (the first one also when
    there are no rows: it carries the headers), so that a file of 100,000
    agreements is written without holding them all."""
    resource = COLLECTIONS[name]()
    rows = iter(_in_chunks(PUBLIC_ROWS[name]()))
    first = True
    while (chunk := list(islice(rows, CHUNK_SIZE))) or first:
        first = False
        yield resource.export(chunk)


def datapackage_json(on: date | None = None) -> bytes:
    return json.dumps(datapackage(on), indent=2, ensure_ascii=False).encode()


#: The files of a package: one CSV and one XLSX per collection, the
#: dictionary and the zip (the data package: the CSVs and the dictionary).
PACKAGE_FILES = (
    *(f"{name}.csv" for name in COLLECTIONS),
    *(f"{name}.xlsx" for name in COLLECTIONS),
    "datapackage.json",
    "registry.zip",
)


def _written(writer: Any, datasets: Iterable[Any]) -> Iterator[Any]:
    """Each row of `datasets`, once `writer` has written it."""
    for dataset in datasets:
        for row in dataset:
            writer.writerow(row)
            yield row


def write_package(folder: Path, on: date | None = None) -> None:
    """Write every file of a package into `folder`, one collection at a time,
    its rows read once, in chunks, for its CSV and its XLSX (never the whole
    collection in memory): then datapackage.json and registry.zip holding the
    CSVs and the dictionary."""
    members = []
    for name in COLLECTIONS:
        path = folder / f"{name}.csv"
        members.append(path)
        chunks = collection_chunks(name)
        first = next(chunks)
        headers = list(first.headers or [])
        with path.open("w", encoding="utf-8", newline="") as text:
            # As tablib writes a CSV (the csv module's excel dialect), a chunk
            # at a time; the workbook gets each row as it is written.
            writer = csv.writer(text)
            writer.writerow(headers)
            rows = _written(writer, chain([first], chunks))
            with (folder / f"{name}.xlsx").open("wb") as workbook:
                write_rows_xlsx(headers, rows, workbook, title=name)
    path = folder / "datapackage.json"
    path.write_bytes(datapackage_json(on))
    members.append(path)
    write_zip(folder / "registry.zip", members)


def write_zip(target: Path, members: Iterable[Path]) -> None:
    """Zip files from disk, copied through in blocks, each entry as
    `ZipFile.writestr` would write it (now as its time, mode 0600)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(members, key=lambda member: member.name):
            entry = zipfile.ZipInfo(path.name, date_time=time.localtime()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.file_size = path.stat().st_size
            with path.open("rb") as source, archive.open(entry, "w") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
