"""Synthetic data for benchmarks: `manage.py generate_synthetic`.

Fills a database with made-up, bilingual records at any scale (by default
100,000 published agreements, 5,000 offices and 200,000 events, with their
parties, sources, citations, documents, jurisdictions and Labor Rights Week
editions), so that pages, the API and the downloads can be measured at sizes
the real registry will not reach for years.

**Marked, so it never mixes with real data.** Every record it creates says
so: slugs begin with `synthetic-` (agreements, events, offices, agencies,
cities, states, laws, topics), every URL (sources, documents, websites) is
under `https://synthetic.invalid/` (`.invalid` is reserved, RFC 2606), and
every note begins with "Synthetic record for benchmarks". Countries are the
one exception: a country is its ISO code and names, with nothing to mark, so
the command adds the real codes it needs when they are missing.

**Refusals.** `generate()` refuses (CommandError, nothing written) on a
database holding any real agreement, office, edition or event, and, unless
asked to `replace`, on one that already holds synthetic data; `replace`
deletes every marked record first (in bulk, without history) and generates
afresh, in one transaction. `load_seed` and `registry_import` call
`refuse_if_synthetic()`, so real data is never loaded beside synthetic data.

**Reference rows.** Countries, states, cities, laws and topics already in
the database are reused (cities: those in the United States with a time
zone); what is missing is created, marked: cities from the `zipcodes`
package's data set (the largest by number of ZIP codes, with their county,
coordinates and time zone). Agencies are always the command's own.

**Deterministic.** Each kind of record draws from its own random stream,
seeded with `seed`; every choice is one draw, so the same seed and counts
give the same records (slugs, titles, dates) on every run, over the same
reference rows. Dates are placed relative to `today` (some events are
upcoming, some agreements about to expire): slugs and titles do not depend
on it, dates do; give the same `today` to repeat a run of another day.

**Fast.** Rows are written with bulk_create in batches, a batch generated at
a time (never a whole collection in memory), with no history rows (the
history is for curation) and one move of the data revision at the end.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from functools import cache
from random import Random
from statistics import fmean
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import zipcodes
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from collection.models import Revision
from outreach.models import EVENT_YEARS, FIRST_YEAR, Edition, Event
from registry.dates import DatePrecision, add_months
from registry.geography import bare_county, counties_of, place_of
from registry.models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Country,
    Document,
    Jurisdiction,
    Law,
    Office,
    Party,
    Source,
    State,
    Topic,
)
from registry.models.agreements import MAX_TERM_MONTHS
from registry.models.places import TIME_ZONES

T = TypeVar("T")

#: The marks every synthetic record carries.
MARK = "Synthetic record for benchmarks"
PREFIX = "synthetic-"
URL_ROOT = "https://synthetic.invalid/"

#: Rows per INSERT, and per generated batch.
BATCH_SIZE = 5_000

#: The years `today` may be in: editions run from 2009 to the next one, and
#: events' dates stay within EVENT_YEARS.
TODAY_YEARS = range(2020, 2099)


def note(what: str) -> str:
    return f"{MARK}: made up by manage.py generate_synthetic, not a real {what}."


@dataclass(frozen=True)
class Scale:
    """How many records to generate."""

    agreements: int = 100_000
    offices: int = 5_000
    events: int = 200_000
    sources: int = 50_000
    #: Cities in all: those reused first, then synthetic ones.
    cities: int = 600


@dataclass
class Summary:
    created: Counter[str] = field(default_factory=Counter)
    reused: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


# --- Which records are synthetic ----------------------------------------------


def marked() -> list[tuple[str, type[models.Model], Q]]:
    """Each collection whose records carry a mark of their own, with the
    condition that finds its synthetic ones. Parties, citations, documents
    and jurisdictions belong to a marked agreement or office (and carry the
    mark in their notes)."""
    slug = Q(slug__startswith=PREFIX)
    return [
        ("sources", Source, Q(url__startswith=URL_ROOT)),
        ("states", State, slug),
        ("cities", City, slug),
        ("agencies", Agency, slug),
        ("offices", Office, slug),
        ("laws", Law, slug),
        ("topics", Topic, slug),
        ("agreements", Agreement, slug),
        ("editions", Edition, Q(note__startswith=MARK)),
        ("events", Event, slug),
    ]


#: Collections whose real records synthetic data must never join.
REAL_DATA = ("offices", "agreements", "editions", "events")


def synthetic_collections() -> list[str]:
    """The collections that hold synthetic records."""
    return [
        name
        for name, model, condition in marked()
        if model._default_manager.filter(condition).exists()
    ]


def real_records() -> dict[str, int]:
    """How many real (unmarked) offices, agreements, editions and events the
    database holds, by collection (none: an empty dict)."""
    found = {}
    for name, model, condition in marked():
        if name in REAL_DATA:
            count = model._default_manager.exclude(condition).count()
            if count:
                found[name] = count
    return found


def synthetic_refusal(action: str) -> str:
    """Why `action` (loading real data) is refused on this database, or ""
    when it holds no synthetic record."""
    found = synthetic_collections()
    if not found:
        return ""
    return (
        f"This database holds synthetic benchmark data ({', '.join(found)} made "
        f"by generate_synthetic: slugs beginning “{PREFIX}”, sources under "
        f"{URL_ROOT}), so {action} was refused: real data must never mix with "
        "synthetic data. Nothing was written. Load real data into a fresh "
        "database (createdb, then manage.py migrate)."
    )


def refuse_if_synthetic(action: str) -> None:
    """Raise CommandError when the database holds synthetic records: for the
    commands that load real data (load_seed, registry_import)."""
    message = synthetic_refusal(action)
    if message:
        raise CommandError(message)


# --- Deleting synthetic data --------------------------------------------------


def _owned_lists(
    model: type[models.Model], owners: models.QuerySet[Any]
) -> list[tuple[str, models.QuerySet[Any]]]:
    """The rows of `model`'s plain many-to-many lists that belong to `owners`."""
    steps = []
    for list_field in model._meta.many_to_many:
        through = list_field.remote_field.through
        assert through is not None
        if through._meta.auto_created:
            owner = list_field.m2m_field_name()
            rows = through._default_manager.filter(**{f"{owner}__in": owners})
            steps.append((f"{model._meta.model_name} {list_field.name}", rows))
    return steps


def delete_synthetic(report: Callable[[str], None] = lambda line: None) -> Counter[str]:
    """Delete every synthetic record, dependants first, with plain DELETE
    statements: no signals, no history rows (the caller moves the revision
    on). Reused real rows are left alone, and so are countries."""
    query = {name: model._default_manager.filter(c) for name, model, c in marked()}
    keys = {name: rows.values("pk") for name, rows in query.items()}
    steps: list[tuple[str, models.QuerySet[Any]]] = [
        *_owned_lists(Event, keys["events"]),
        ("events", query["events"]),
        *_owned_lists(Edition, keys["editions"]),
        ("editions", query["editions"]),
        *_owned_lists(Agreement, keys["agreements"]),
        ("parties", Party.objects.filter(agreement__in=keys["agreements"])),
        (
            "citations",
            AgreementSource.objects.filter(agreement__in=keys["agreements"]),
        ),
        ("documents", Document.objects.filter(agreement__in=keys["agreements"])),
        ("agreements", query["agreements"]),
        ("jurisdictions", Jurisdiction.objects.filter(office__in=keys["offices"])),
        *_owned_lists(Office, keys["offices"]),
        ("offices", query["offices"]),
        *_owned_lists(Agency, keys["agencies"]),
        ("agencies", query["agencies"]),
        ("sources", query["sources"]),
        *_owned_lists(City, keys["cities"]),
        ("cities", query["cities"]),
        ("states", query["states"]),
        ("laws", query["laws"]),
        ("topics", query["topics"]),
    ]
    report("  deleting the synthetic data already there")
    deleted: Counter[str] = Counter()
    for name, rows in steps:
        count = rows._raw_delete(rows.db)
        if count and " " not in name:
            deleted[name] += count
    return deleted


# --- Generating ---------------------------------------------------------------


def generate(
    scale: Scale | None = None,
    *,
    seed: int = 1,
    today: date | None = None,
    replace: bool = False,
    batch_size: int = BATCH_SIZE,
    report: Callable[[str], None] = lambda line: None,
) -> Summary:
    """Fill the database with synthetic records, in one transaction; refuse
    (CommandError, nothing written) where real data is, and where synthetic
    data already is unless `replace`."""
    scale = scale or Scale()
    today = today or timezone.localdate()
    _check(scale, today, batch_size)
    started = time.monotonic()
    with transaction.atomic(), Revision.batch():
        real = real_records()
        if real:
            raise CommandError(
                "This database holds real records ("
                + ", ".join(f"{name}: {count:,}" for name, count in real.items())
                + "): "
                "synthetic data is generated only into a database without real "
                "agreements, offices, Labor Rights Week editions or events, so "
                "that the two never mix. Nothing was written. Use a fresh "
                "database (createdb, then manage.py migrate)."
            )
        existing = synthetic_collections()
        deleted: Counter[str] = Counter()
        if existing and not replace:
            raise CommandError(
                "This database already holds synthetic data "
                f"({', '.join(existing)}). Nothing was written. Run with "
                "--replace to delete it and generate it afresh."
            )
        if existing:
            deleted = delete_synthetic(report)
        generator = _Generator(scale, seed, today, batch_size, report, started)
        generator.run()
        Revision.bump()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh statistics, or the planner takes a million new rows for none and
        # reads whole tables where an index would do (search, lists); and the
        # visibility map, without which an index-only scan (a deep page's keys)
        # reads the table too. Autovacuum would do both, later.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return Summary(
        created=generator.created,
        reused=generator.reused,
        deleted=deleted,
        seconds=time.monotonic() - started,
    )


def _check(scale: Scale, today: date, batch_size: int) -> None:
    for name, value in vars(scale).items():
        if value < 0:
            raise CommandError(f"--{name} cannot be negative.")
    if batch_size < 1:
        raise CommandError("--batch-size is at least 1.")
    if today.year not in TODAY_YEARS:
        raise CommandError(
            f"--today is between {TODAY_YEARS[0]} and {TODAY_YEARS[-1]}, so "
            "that every edition and event date stays within the registry's years."
        )
    if (scale.agreements or scale.events) and scale.offices < 2:
        raise CommandError(
            "Agreements and events need offices on both sides: --offices is at least 2."
        )
    if scale.offices and scale.cities < 1:
        raise CommandError("Offices need a city: --cities is at least 1.")


class Draws:
    """A seeded stream of choices. A pick is one draw whatever the number of
    options (`sample` and `shuffled` take one per item), so a stream stays in
    step when the options change: the number of editions grows with `today`,
    and the slugs and titles drawn after must not."""

    def __init__(self, seed: int, stream: str) -> None:
        self._next = Random(f"generate_synthetic:{seed}:{stream}").random

    def uniform(self) -> float:
        return self._next()

    def below(self, n: int) -> int:
        return min(int(self._next() * n), n - 1)

    def between(self, low: int, high: int) -> int:
        return low + self.below(high - low + 1)

    def chance(self, probability: float) -> bool:
        return self._next() < probability

    def pick(self, options: Sequence[T]) -> T:
        return options[self.below(len(options))]

    def weighted(self, options: Sequence[tuple[T, float]]) -> T:
        point = self._next() * sum(weight for _option, weight in options)
        for option, weight in options:
            point -= weight
            if point < 0:
                return option
        return options[-1][0]

    def shuffled(self, options: Sequence[T]) -> list[T]:
        items = list(options)
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    def sample(self, options: Sequence[T], k: int) -> list[T]:
        """Up to `k` different options."""
        chosen: list[T] = []
        for _ in range(k):
            option = self.pick(options)
            if option not in chosen:
                chosen.append(option)
        return chosen


# --- Vocabulary ---------------------------------------------------------------

COUNTRIES = {
    "us": ("United States", "Estados Unidos"),
    "mx": ("Mexico", "México"),
    "gt": ("Guatemala", "Guatemala"),
    "hn": ("Honduras", "Honduras"),
    "sv": ("El Salvador", "El Salvador"),
    "do": ("Dominican Republic", "República Dominicana"),
    "cr": ("Costa Rica", "Costa Rica"),
    "co": ("Colombia", "Colombia"),
    "pe": ("Peru", "Perú"),
    "ec": ("Ecuador", "Ecuador"),
    "ni": ("Nicaragua", "Nicaragua"),
    "ph": ("Philippines", "Filipinas"),
    "br": ("Brazil", "Brasil"),
}

STATES = {
    "al": "Alabama", "ak": "Alaska", "az": "Arizona", "ar": "Arkansas",
    "ca": "California", "co": "Colorado", "ct": "Connecticut", "de": "Delaware",
    "dc": "District of Columbia", "fl": "Florida", "ga": "Georgia", "hi": "Hawaii",
    "id": "Idaho", "il": "Illinois", "in": "Indiana", "ia": "Iowa", "ks": "Kansas",
    "ky": "Kentucky", "la": "Louisiana", "me": "Maine", "md": "Maryland",
    "ma": "Massachusetts", "mi": "Michigan", "mn": "Minnesota", "ms": "Mississippi",
    "mo": "Missouri", "mt": "Montana", "ne": "Nebraska", "nv": "Nevada",
    "nh": "New Hampshire", "nj": "New Jersey", "nm": "New Mexico", "ny": "New York",
    "nc": "North Carolina", "nd": "North Dakota", "oh": "Ohio", "ok": "Oklahoma",
    "or": "Oregon", "pa": "Pennsylvania", "pr": "Puerto Rico", "ri": "Rhode Island",
    "sc": "South Carolina", "sd": "South Dakota", "tn": "Tennessee", "tx": "Texas",
    "ut": "Utah", "vt": "Vermont", "va": "Virginia", "wa": "Washington",
    "wv": "West Virginia", "wi": "Wisconsin", "wy": "Wyoming",
}  # fmt: skip

LAWS = [
    ("flsa", "FLSA", "Fair Labor Standards Act", "Ley de Normas Justas de Trabajo"),
    ("mspa", "MSPA", "Migrant and Seasonal Agricultural Worker Protection Act", "Ley de Protección al Trabajador Agrícola Migrante y de Temporada"),
    ("osh-act", "OSH Act", "Occupational Safety and Health Act", "Ley de Seguridad y Salud Ocupacional"),
    ("title-vii", "Title VII", "Title VII of the Civil Rights Act", "Título VII de la Ley de Derechos Civiles"),
    ("nlra", "NLRA", "National Labor Relations Act", "Ley Nacional de Relaciones Laborales"),
    ("h-2a", "H-2A", "H-2A temporary agricultural worker programme", "Programa H-2A de trabajadores agrícolas temporales"),
    ("h-2b", "H-2B", "H-2B temporary non-agricultural worker programme", "Programa H-2B de trabajadores no agrícolas temporales"),
]  # fmt: skip

TOPICS = [
    ("wages-and-hours", "Wages and hours", "Salarios y horas"),
    ("safety-and-health", "Safety and health", "Seguridad y salud"),
    ("discrimination", "Discrimination", "Discriminación"),
    ("sexual-harassment", "Sexual harassment", "Acoso sexual"),
    ("child-labor", "Child labour", "Trabajo infantil"),
    ("retaliation", "Retaliation", "Represalias"),
    ("construction", "Construction", "Construcción"),
    ("agriculture-and-food", "Agriculture and food processing", "Agricultura y procesamiento de alimentos"),
    ("women-workers", "Women workers", "Mujeres trabajadoras"),
    ("temporary-work-visas", "Temporary work visas", "Visas de trabajo temporal"),
]  # fmt: skip


@dataclass(frozen=True)
class OfficeStyle:
    """How an agency names an office: the official name (in its language)
    and the English and Spanish forms, with `{city}` for the city."""

    kind: str
    official: str
    en: str
    es: str
    weight: float = 1.0


@dataclass(frozen=True)
class AgencySpec:
    key: str  # slug after the prefix: "dol-whd"
    short: str  # in office and agreement slugs: "whd"
    name: str  # official name
    acronym: str
    country: str
    level: str
    name_en: str  # as titles write it
    name_es: str
    parent: str = ""
    state: str = ""  # a state agency's offices are in its state
    weight: float = 0.0  # share of the offices on its side
    styles: tuple[OfficeStyle, ...] = ()
    signers: tuple[str, ...] = ()
    demonym: tuple[str, str] = ("", "")  # the workers: "Mexican", "mexicanos"

    @property
    def is_us(self) -> bool:
        return self.country == "us"


def _us_office(kind: str, en: str, es: str, weight: float = 1.0) -> OfficeStyle:
    return OfficeStyle(kind, en, en, es, weight)


def _consulate(kind: str, es: str, en: str, weight: float = 1.0) -> OfficeStyle:
    return OfficeStyle(kind, es, en, es, weight)


def _state_agency(
    key: str, name: str, acronym: str, state: str, name_es: str
) -> AgencySpec:
    return AgencySpec(
        key, key, name, acronym, "us", Agency.Level.STATE, name, name_es,
        state=state, weight=0.02,
        styles=(
            _us_office(
                Office.Kind.FIELD_OFFICE, f"{name}, {{city}} Office",
                f"Oficina de {{city}}: {name_es}",
            ),
        ),
        signers=("Director", "Deputy Director", "Regional Manager"),
    )  # fmt: skip


def _ministry(
    country: str,
    name: str,
    acronym: str,
    name_en: str,
    name_es: str,
    demonym: tuple[str, str],
    weight: float,
    styles: tuple[OfficeStyle, ...],
) -> AgencySpec:
    return AgencySpec(
        f"{country}-foreign-ministry", f"{country}-consulate", name, acronym,
        country, Agency.Level.FOREIGN_MINISTRY, name_en, name_es, weight=weight,
        styles=styles, demonym=demonym,
        signers=("Cónsul General", "Cónsul", "Cónsul Adscrito", "Jefe de Protección"),
    )  # fmt: skip


def _latin_consulates(of_es: str, of_en: str) -> tuple[OfficeStyle, ...]:
    return (
        _consulate(
            Office.Kind.CONSULATE_GENERAL,
            f"Consulado General {of_es} en {{city}}",
            f"Consulate General {of_en} in {{city}}",
        ),
        _consulate(
            Office.Kind.CONSULATE,
            f"Consulado {of_es} en {{city}}",
            f"Consulate {of_en} in {{city}}",
            2,
        ),
    )


FEDERAL = Agency.Level.FEDERAL
AGENCIES = (
    AgencySpec(
        "dol", "dol", "U.S. Department of Labor", "DOL", "us", FEDERAL,
        "U.S. Department of Labor", "Departamento del Trabajo de EE. UU.",
        weight=0.04,
        styles=(_us_office(Office.Kind.REGIONAL_OFFICE, "DOL {city} Regional Office", "Oficina Regional del DOL en {city}"),),
        signers=("Secretary of Labor", "Regional Administrator"),
    ),
    AgencySpec(
        "dol-whd", "whd", "Wage and Hour Division", "WHD", "us", FEDERAL,
        "Wage and Hour Division (WHD)", "División de Horas y Salarios (WHD)",
        parent="dol", weight=0.32,
        styles=(
            _us_office(Office.Kind.DISTRICT_OFFICE, "WHD {city} District Office", "Oficina de Distrito de la WHD en {city}", 3),
            _us_office(Office.Kind.FIELD_OFFICE, "WHD {city} Field Office", "Oficina de Campo de la WHD en {city}", 2),
        ),
        signers=("District Director", "Assistant District Director", "Administrator"),
    ),
    AgencySpec(
        "dol-osha", "osha", "Occupational Safety and Health Administration", "OSHA",
        "us", FEDERAL, "Occupational Safety and Health Administration (OSHA)",
        "Administración de Seguridad y Salud Ocupacional (OSHA)",
        parent="dol", weight=0.26,
        styles=(
            _us_office(Office.Kind.AREA_OFFICE, "OSHA {city} Area Office", "Oficina de Área de la OSHA en {city}", 4),
            _us_office(Office.Kind.REGIONAL_OFFICE, "OSHA {city} Regional Office", "Oficina Regional de la OSHA en {city}"),
        ),
        signers=("Area Director", "Regional Administrator", "Assistant Secretary"),
    ),
    AgencySpec(
        "eeoc", "eeoc", "U.S. Equal Employment Opportunity Commission", "EEOC", "us",
        FEDERAL, "Equal Employment Opportunity Commission (EEOC)",
        "Comisión para la Igualdad de Oportunidades en el Empleo (EEOC)",
        weight=0.18,
        styles=(
            _us_office(Office.Kind.DISTRICT_OFFICE, "EEOC {city} District Office", "Oficina de Distrito de la EEOC en {city}", 2),
            _us_office(Office.Kind.FIELD_OFFICE, "EEOC {city} Field Office", "Oficina de Campo de la EEOC en {city}", 3),
        ),
        signers=("District Director", "Field Director", "Chair"),
    ),
    AgencySpec(
        "nlrb", "nlrb", "National Labor Relations Board", "NLRB", "us", FEDERAL,
        "National Labor Relations Board (NLRB)",
        "Junta Nacional de Relaciones Laborales (NLRB)",
        weight=0.1,
        styles=(
            _us_office(Office.Kind.REGIONAL_OFFICE, "NLRB {city} Regional Office", "Oficina Regional de la NLRB en {city}", 3),
            _us_office(Office.Kind.FIELD_OFFICE, "NLRB {city} Resident Office", "Oficina Residente de la NLRB en {city}"),
        ),
        signers=("Regional Director", "General Counsel"),
    ),
    _state_agency("tx-twc", "Texas Workforce Commission", "TWC", "tx", "Comisión de la Fuerza Laboral de Texas"),
    _state_agency("ca-lco", "California Labor Commissioner's Office", "", "ca", "Oficina del Comisionado Laboral de California"),
    _state_agency("il-dol", "Illinois Department of Labor", "IDOL", "il", "Departamento del Trabajo de Illinois"),
    _state_agency("ny-dol", "New York State Department of Labor", "", "ny", "Departamento del Trabajo del Estado de Nueva York"),
    _state_agency("wa-lni", "Washington State Department of Labor & Industries", "L&I", "wa", "Departamento de Trabajo e Industrias del Estado de Washington"),
    _state_agency("or-boli", "Oregon Bureau of Labor and Industries", "BOLI", "or", "Oficina de Trabajo e Industrias de Oregón"),
    _state_agency("co-cdle", "Colorado Department of Labor and Employment", "CDLE", "co", "Departamento de Trabajo y Empleo de Colorado"),
    _state_agency("nj-dol", "New Jersey Department of Labor and Workforce Development", "NJDOL", "nj", "Departamento de Trabajo y Desarrollo de la Fuerza Laboral de Nueva Jersey"),
    _ministry(
        "mx", "Secretaría de Relaciones Exteriores", "SRE",
        "Secretariat of Foreign Affairs of Mexico (SRE)",
        "Secretaría de Relaciones Exteriores (SRE) de México",
        ("Mexican", "mexicanos"), 0.4,
        (
            *_latin_consulates("de México", "of Mexico"),
            _consulate(Office.Kind.CONSULAR_OFFICE, "Oficina Consular de México en {city}", "Consular Office of Mexico in {city}", 0.5),
        ),
    ),
    _ministry(
        "gt", "Ministerio de Relaciones Exteriores de Guatemala", "MINEX",
        "Ministry of Foreign Affairs of Guatemala",
        "Ministerio de Relaciones Exteriores de Guatemala",
        ("Guatemalan", "guatemaltecos"), 0.12,
        _latin_consulates("de Guatemala", "of Guatemala"),
    ),
    _ministry(
        "hn", "Secretaría de Relaciones Exteriores y Cooperación Internacional", "SRECI",
        "Secretariat of Foreign Affairs and International Cooperation of Honduras",
        "Secretaría de Relaciones Exteriores y Cooperación Internacional de Honduras",
        ("Honduran", "hondureños"), 0.1,
        _latin_consulates("de Honduras", "of Honduras"),
    ),
    _ministry(
        "sv", "Ministerio de Relaciones Exteriores de El Salvador", "",
        "Ministry of Foreign Affairs of El Salvador",
        "Ministerio de Relaciones Exteriores de El Salvador",
        ("Salvadoran", "salvadoreños"), 0.1,
        _latin_consulates("de El Salvador", "of El Salvador"),
    ),
    _ministry(
        "do", "Ministerio de Relaciones Exteriores de la República Dominicana", "MIREX",
        "Ministry of Foreign Affairs of the Dominican Republic",
        "Ministerio de Relaciones Exteriores de la República Dominicana",
        ("Dominican", "dominicanos"), 0.05,
        _latin_consulates("de la República Dominicana", "of the Dominican Republic"),
    ),
    _ministry(
        "cr", "Ministerio de Relaciones Exteriores y Culto", "",
        "Ministry of Foreign Affairs and Worship of Costa Rica",
        "Ministerio de Relaciones Exteriores y Culto de Costa Rica",
        ("Costa Rican", "costarricenses"), 0.03,
        _latin_consulates("de Costa Rica", "of Costa Rica"),
    ),
    _ministry(
        "co", "Ministerio de Relaciones Exteriores de Colombia", "",
        "Ministry of Foreign Affairs of Colombia",
        "Ministerio de Relaciones Exteriores de Colombia",
        ("Colombian", "colombianos"), 0.04,
        _latin_consulates("de Colombia", "of Colombia"),
    ),
    _ministry(
        "pe", "Ministerio de Relaciones Exteriores del Perú", "",
        "Ministry of Foreign Affairs of Peru",
        "Ministerio de Relaciones Exteriores del Perú",
        ("Peruvian", "peruanos"), 0.03,
        _latin_consulates("del Perú", "of Peru"),
    ),
    _ministry(
        "ec", "Ministerio de Relaciones Exteriores y Movilidad Humana", "",
        "Ministry of Foreign Affairs and Human Mobility of Ecuador",
        "Ministerio de Relaciones Exteriores y Movilidad Humana del Ecuador",
        ("Ecuadorian", "ecuatorianos"), 0.04,
        _latin_consulates("del Ecuador", "of Ecuador"),
    ),
    _ministry(
        "ni", "Ministerio de Relaciones Exteriores de Nicaragua", "",
        "Ministry of Foreign Affairs of Nicaragua",
        "Ministerio de Relaciones Exteriores de Nicaragua",
        ("Nicaraguan", "nicaragüenses"), 0.02,
        _latin_consulates("de Nicaragua", "of Nicaragua"),
    ),
    _ministry(
        "ph", "Department of Foreign Affairs", "DFA",
        "Department of Foreign Affairs of the Philippines (DFA)",
        "Departamento de Relaciones Exteriores de Filipinas (DFA)",
        ("Filipino", "filipinos"), 0.04,
        (OfficeStyle(Office.Kind.CONSULATE_GENERAL, "Philippine Consulate General in {city}", "Philippine Consulate General in {city}", "Consulado General de Filipinas en {city}"),),
    ),
    _ministry(
        "br", "Ministério das Relações Exteriores", "MRE",
        "Ministry of Foreign Affairs of Brazil",
        "Ministerio de Relaciones Exteriores de Brasil",
        ("Brazilian", "brasileños"), 0.03,
        (OfficeStyle(Office.Kind.CONSULATE_GENERAL, "Consulado-Geral do Brasil em {city}", "Consulate General of Brazil in {city}", "Consulado General de Brasil en {city}"),),
    ),
)  # fmt: skip

#: Agreement kinds: English and Spanish names, the Spanish article, what
#: instruments call themselves, and how often.
KINDS: dict[str, tuple[str, str, str, tuple[str, ...], int]] = {
    Agreement.Kind.ALLIANCE: ("Alliance", "Alianza", "la", ("Alliance", "Arrangement Establishing an Alliance", "Alliance agreement"), 35),
    Agreement.Kind.LOA: ("Letter of arrangement", "Carta de arreglo", "la", ("Letter of Arrangement", "Letter of Agreement", "Carta de Arreglo"), 25),
    Agreement.Kind.MOU: ("Memorandum of understanding", "Memorando de entendimiento", "el", ("Memorandum of Understanding", "Memorando de Entendimiento"), 22),
    Agreement.Kind.DECLARATION: ("Joint declaration", "Declaración conjunta", "la", ("Joint Declaration", "Declaración Conjunta"), 10),
    Agreement.Kind.OTHER: ("Agreement", "Acuerdo", "el", ("Partnership agreement", "Institutional agreement", "Acuerdo de colaboración"), 8),
}  # fmt: skip

ACTIONS = [
    ("share information on complaints", "compartir información sobre quejas"),
    ("hold joint outreach sessions", "organizar sesiones informativas conjuntas"),
    ("train consular staff", "capacitar al personal consular"),
    ("refer workers' complaints", "canalizar las quejas de los trabajadores"),
    ("take part in Labor Rights Week", "participar en la Semana de Derechos Laborales"),
    ("distribute materials in Spanish", "distribuir materiales en español"),
]
KNOWN_TO: dict[str, str] = {
    DatePrecision.MONTH: "the date is known to the month",
    DatePrecision.YEAR: "the date is known to the year",
    DatePrecision.INTERVAL: "the date is known to within a few days",
}
FACTS = ["signing date", "parties", "signing date, term", "texts", "area served"]
SOURCE_SECTIONS = [
    ("newsroom/releases", "Synthetic news release", Source.Reliability.HIGH, 5),
    ("alliances/annual-reports", "Synthetic alliance annual report", Source.Reliability.HIGH, 2),
    ("consulates/bulletins", "Synthetic consular bulletin", Source.Reliability.MEDIUM_HIGH, 2),
    ("news/articles", "Synthetic news article", Source.Reliability.MEDIUM, 3),
    ("blogs/posts", "Synthetic blog post", Source.Reliability.LOW, 1),
]  # fmt: skip

EVENT_KINDS: dict[str, tuple[str, str, int]] = {
    Event.Kind.WORKSHOP: ("workshop", "taller", 20),
    Event.Kind.CONSULTATIONS: ("legal consultations", "asesorías legales", 15),
    Event.Kind.TABLING: ("information table", "mesa informativa", 12),
    Event.Kind.FORUM: ("forum", "foro", 8),
    Event.Kind.TRAINING: ("training session", "capacitación", 10),
    Event.Kind.FAIR: ("workers' rights fair", "feria de derechos laborales", 6),
    Event.Kind.PRESS_EVENT: ("press conference", "conferencia de prensa", 5),
    Event.Kind.BROADCAST: ("online session", "sesión en línea", 8),
    Event.Kind.PROGRAMME: ("week of activities", "semana de actividades", 6),
    Event.Kind.SIGNING: ("signing ceremony", "ceremonia de firma", 3),
    Event.Kind.OTHER: ("community meeting", "reunión comunitaria", 7),
}
VENUES = [
    "{host}",
    "{city} Public Library",
    "{city} Community Center",
    "Parish hall, {city}",
    "Union hall, {city}",
    "{city} Workers' Center",
]
LANGUAGES = ["es,en", "es,en", "es", "en,es", "es,en,quc", "es,mam", ""]
THEMES = [
    ("Safety at work, every day", "Seguridad en el trabajo, todos los días"),
    ("Your rights have no borders", "Tus derechos no tienen fronteras"),
    ("A fair wage for every hour", "Un salario justo por cada hora"),
    ("Informed workers, safe workers", "Trabajadores informados, trabajadores seguros"),
    ("Speak up without fear", "Alza la voz sin miedo"),
]
FIRST_NAMES = [
    "Ana", "Carlos", "María", "José", "Laura", "Miguel", "Sofía", "Luis",
    "Patricia", "Jorge", "Elena", "Ricardo", "Karen", "David", "Susan",
    "Michael", "Linda", "Robert", "Teresa", "Daniel", "Gloria", "Andrés",
]  # fmt: skip
LAST_NAMES = [
    "García", "Martínez", "Hernández", "López", "González", "Pérez", "Ramírez",
    "Torres", "Flores", "Rivera", "Smith", "Johnson", "Brown", "Miller",
    "Davis", "Wilson", "Moore", "Taylor", "Anderson", "Castillo", "Ortiz",
]  # fmt: skip


def _lower_first(text: str) -> str:
    """ "Wages and hours" → "wages and hours" ("COVID-19" stays)."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _es_article(name: str) -> str:
    """The Spanish article before an office's or agency's name."""
    first = name.split(" ", 1)[0]
    feminine = {"Oficina", "Comisión", "Junta", "División", "Administración"}
    return "la" if first in feminine or first.startswith("Secretar") else "el"


def _list(names: Sequence[str], conjunction: str) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def _fit(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _slug(*parts: str, length: int) -> str:
    return slugify(" ".join(parts))[:length].strip("-")


# --- Rows the generator keeps while it runs -----------------------------------


@dataclass(frozen=True)
class _City:
    pk: int
    name: str
    slug_part: str
    state_pk: int
    state_code: str  # lower case: "tx"
    state_name: str
    county: str
    time_zone: str


@dataclass(frozen=True)
class _Office:
    pk: int
    spec: AgencySpec
    city: _City
    name_en: str
    name_es: str
    kind: str


@dataclass(frozen=True)
class _ZipCity:
    state: str
    name: str
    county: str
    latitude: float
    longitude: float
    time_zone: str
    zip_codes: int


@cache
def _zip_cities() -> tuple[_ZipCity, ...]:
    """The US cities of the `zipcodes` data set, the largest (most ZIP codes)
    first, each with its main county and time zone and the mean of its ZIP
    codes' coordinates."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in zipcodes.list_all():
        state = (row.get("state") or "").lower()
        if (
            row.get("zip_code_type") == "STANDARD"
            and row.get("active", True)
            and state in STATES
            and row.get("city")
        ):
            groups.setdefault((state, row["city"]), []).append(row)
    cities = []
    for (state, name), rows in groups.items():
        zone = Counter(r.get("timezone") or "" for r in rows).most_common(1)[0][0]
        try:
            latitude = fmean(float(r["lat"]) for r in rows)
            longitude = fmean(float(r["long"]) for r in rows)
        except (KeyError, TypeError, ValueError):
            continue
        if zone not in TIME_ZONES:
            continue
        county = Counter(bare_county(r.get("county") or "") for r in rows)
        cities.append(
            _ZipCity(
                state,
                name,
                county.most_common(1)[0][0],
                latitude,
                longitude,
                zone,
                len(rows),
            )
        )
    cities.sort(key=lambda c: (-c.zip_codes, c.state, c.name))
    return tuple(cities)


def _labor_day(year: int) -> date:
    """The first Monday of September."""
    first = date(year, 9, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


# --- The generator -------------------------------------------------------------


class _Generator:
    def __init__(
        self,
        scale: Scale,
        seed: int,
        today: date,
        batch_size: int,
        report: Callable[[str], None],
        started: float,
    ) -> None:
        self.scale = scale
        self.seed = seed
        self.today = today
        self.batch_size = batch_size
        self.report = report
        self.started = started
        self.created: Counter[str] = Counter()
        self.reused: Counter[str] = Counter()
        self.countries: dict[str, int] = {}
        self.cities: list[_City] = []
        self.agencies: dict[str, int] = {}
        self.source_ids: list[int] = []
        self.consulates: list[_Office] = []
        self.us_offices: list[_Office] = []
        # The offices by city and by state, for choosing parties and hosts.
        self.consulates_by_city: dict[int, list[_Office]] = {}
        self.us_by_city: dict[int, list[_Office]] = {}
        self.us_by_state: dict[int, list[_Office]] = {}
        self.laws: list[int] = []
        self.topics: list[tuple[int, str, str]] = []
        self.editions: list[tuple[int, date, date]] = []
        self.nationals: dict[str, list[int]] = {}

    def draws(self, stream: str) -> Draws:
        return Draws(self.seed, stream)

    def insert(self, name: str, rows: list[Any]) -> None:
        if rows:
            type(rows[0])._default_manager.bulk_create(rows, batch_size=self.batch_size)
            self.created[name] += len(rows)

    def progress(self, name: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        self.report(f"  {name}: {done:,} / {total:,} ({elapsed:.1f} s)")

    def run(self) -> None:
        self.make_countries()
        self.make_places()
        self.make_vocabulary()
        self.make_agencies()
        self.make_sources()
        self.make_offices()
        self.make_agreements()
        self.make_editions()
        self.make_events()

    # Reference rows ---------------------------------------------------------

    def make_countries(self) -> None:
        existing = dict(Country.objects.values_list("code", "pk"))
        missing = [
            Country(code=code, name_en=en, name_es=es)
            for code, (en, es) in COUNTRIES.items()
            if code not in existing
        ]
        self.insert("countries", missing)
        self.reused["countries"] = len(COUNTRIES) - len(missing)
        self.countries = dict(
            Country.objects.filter(code__in=COUNTRIES).values_list("code", "pk")
        )

    def make_places(self) -> None:
        wanted = self.scale.cities
        reused = list(
            City.objects.filter(country__code="us", state__isnull=False)
            .exclude(time_zone="")
            .select_related("state")
            .order_by("slug")[:wanted]
        )
        taken = {(c.state.code.lower(), c.name.casefold()) for c in reused if c.state}
        states = {
            s.code.lower(): s
            for s in State.objects.filter(country__code="us").order_by("slug")
        }
        chosen: list[_ZipCity] = []
        slugs = set(City.objects.values_list("slug", flat=True))
        for zip_city in _zip_cities():
            if len(reused) + len(chosen) >= wanted:
                break
            slug = _slug(PREFIX, zip_city.name, zip_city.state, length=80)
            if (zip_city.state, zip_city.name.casefold()) in taken or slug in slugs:
                continue
            slugs.add(slug)
            chosen.append(zip_city)
        new_states = [
            State(
                country_id=self.countries["us"],
                code=code.upper(),
                name=STATES[code],
                slug=f"{PREFIX}{code}",
            )
            for code in sorted({c.state for c in chosen} - set(states))
        ]
        self.insert("states", new_states)
        states.update({s.code.lower(): s for s in new_states})
        new_cities = [
            City(
                name=c.name,
                slug=_slug(PREFIX, c.name, c.state, length=80),
                state=states[c.state],
                country_id=self.countries["us"],
                county=c.county,
                latitude=Decimal(f"{c.latitude:.5f}"),
                longitude=Decimal(f"{c.longitude:.5f}"),
                time_zone=c.time_zone,
                note=note("city record"),
            )
            for c in chosen
        ]
        self.insert("cities", new_cities)
        self.reused["cities"] = len(reused)
        self.reused["states"] = len(
            {c.state_id for c in [*reused, *new_cities]} - {s.pk for s in new_states}
        )
        for city in [*reused, *new_cities]:
            assert city.state is not None
            place = place_of(city)
            self.cities.append(
                _City(
                    pk=city.pk,
                    name=city.name,
                    slug_part=city.slug.removeprefix(PREFIX),
                    state_pk=city.state.pk,
                    state_code=city.state.code.lower(),
                    state_name=city.state.name,
                    county=place.county if place else "",
                    time_zone=city.time_zone,
                )
            )

    def make_vocabulary(self) -> None:
        laws = list(Law.objects.order_by("slug").values_list("pk", flat=True))
        if laws:
            self.reused["laws"] = len(laws)
        else:
            new_laws = [
                Law(slug=f"{PREFIX}{slug}", short_name=short, name_en=en, name_es=es)
                for slug, short, en, es in LAWS
            ]
            self.insert("laws", new_laws)
            laws = [law.pk for law in new_laws]
        topics = list(
            Topic.objects.order_by("slug").values_list("pk", "name_en", "name_es")
        )
        if topics:
            self.reused["topics"] = len(topics)
        else:
            new_topics = [
                Topic(slug=f"{PREFIX}{slug}", name_en=en, name_es=es)
                for slug, en, es in TOPICS
            ]
            self.insert("topics", new_topics)
            topics = [(t.pk, t.name_en, t.name_es) for t in new_topics]
        self.laws = laws
        self.topics = [(pk, en, es or en) for pk, en, es in topics]

    def make_agencies(self) -> None:
        for parents in (True, False):
            rows = [
                Agency(
                    name=spec.name,
                    acronym=spec.acronym,
                    slug=f"{PREFIX}{spec.key}",
                    country_id=self.countries[spec.country],
                    level=spec.level,
                    parent_id=self.agencies[spec.parent] if spec.parent else None,
                    website=f"{URL_ROOT}agencies/{spec.key}/",
                    note=note("agency record"),
                )
                for spec in AGENCIES
                if bool(spec.parent) != parents
            ]
            self.insert("agencies", rows)
            self.agencies.update(
                {row.slug.removeprefix(PREFIX): row.pk for row in rows}
            )

    def make_sources(self) -> None:
        draw = self.draws("sources")
        total = self.scale.sources
        sections = [(s, s[3]) for s in SOURCE_SECTIONS]
        for start in range(0, total, self.batch_size):
            rows = []
            for n in range(start, min(start + self.batch_size, total)):
                section, title, reliability, _weight = draw.weighted(sections)
                published = self.today - timedelta(days=draw.between(30, 8000))
                accessed = published + timedelta(
                    days=draw.below((self.today - published).days + 1)
                )
                topic = draw.pick(TOPICS)
                rows.append(
                    Source(
                        url=f"{URL_ROOT}{section}/{n:06d}",
                        title=f"{title} {n:06d}: {topic[1].lower()}",
                        publisher=f"Synthetic {draw.pick(AGENCIES).acronym or 'agency'} newsroom",
                        published_on=published if draw.chance(0.8) else None,
                        accessed_on=accessed,
                        reliability=reliability,
                        note=note("source"),
                    )
                )
            self.insert("sources", rows)
            self.source_ids.extend(row.pk for row in rows)
            self.progress("sources", len(self.source_ids), total)

    # Offices and their areas ---------------------------------------------------

    def make_offices(self) -> None:
        draw = self.draws("offices")
        by_state: dict[str, list[_City]] = {}
        for city in self.cities:
            by_state.setdefault(city.state_code, []).append(city)
        specs = {
            side: [
                (spec, spec.weight)
                for spec in AGENCIES
                if spec.is_us == side
                and spec.styles
                and (not spec.state or spec.state in by_state)
            ]
            for side in (True, False)
        }
        orders = {
            spec.key: draw.shuffled(by_state[spec.state] if spec.state else self.cities)
            for spec in AGENCIES
            if spec.styles and (not spec.state or spec.state in by_state)
        }
        used: Counter[str] = Counter()
        pending: list[tuple[Office, AgencySpec, _City, str, str]] = []
        total = self.scale.offices
        for k in range(total):
            # 45 % consular, the first office one of them and the second not.
            consular = (k * 9) % 20 < 9
            spec = draw.weighted(specs[not consular])
            style = draw.weighted([(s, s.weight) for s in spec.styles])
            order = orders[spec.key]
            city = order[used[spec.key] % len(order)]
            repeat = used[spec.key] // len(order)
            used[spec.key] += 1
            suffix = f" ({repeat + 1})" if repeat else ""
            official = style.official.format(city=city.name) + suffix
            name_en = style.en.format(city=city.name) + suffix
            name_es = style.es.format(city=city.name) + suffix
            slug = _slug(PREFIX, f"{k:05d}", spec.short, city.slug_part, length=80)
            opened = self.today - timedelta(days=draw.between(3 * 365, 40 * 365))
            has_opening = draw.chance(0.5)
            closed = self.today - timedelta(days=draw.below(5 * 365))
            office = Office(
                agency_id=self.agencies[spec.key],
                name=official,
                name_en=name_en if name_en != official else "",
                name_es=name_es if name_es != official else "",
                is_name_attested=False,
                slug=slug,
                kind=style.kind,
                city_id=city.pk,
                website=f"{URL_ROOT}offices/{slug}/" if draw.chance(0.4) else "",
                active_from=opened if has_opening else None,
                active_to=max(closed, opened) if draw.chance(0.03) else None,
                note=note("office"),
            )
            pending.append((office, spec, city, name_en, name_es))
            if len(pending) == self.batch_size or k == total - 1:
                self.write_offices(pending, draw, by_state)
                pending = []
                self.progress("offices", k + 1, total)

    def write_offices(
        self,
        pending: list[tuple[Office, AgencySpec, _City, str, str]],
        draw: Draws,
        by_state: dict[str, list[_City]],
    ) -> None:
        self.insert("offices", [office for office, *_rest in pending])
        areas: list[Jurisdiction] = []
        cited = []
        through = Office.sources.through
        for office, spec, city, name_en, name_es in pending:
            row = _Office(office.pk, spec, city, name_en, name_es, office.kind)
            if spec.is_us:
                self.us_offices.append(row)
                self.us_by_city.setdefault(city.pk, []).append(row)
                self.us_by_state.setdefault(city.state_pk, []).append(row)
            else:
                self.consulates.append(row)
                self.consulates_by_city.setdefault(city.pk, []).append(row)
            source_id = self.source(draw)
            if source_id is not None:
                cited.append(through(office_id=office.pk, source_id=source_id))
            areas.extend(self.jurisdictions(office, spec, city, draw, by_state))
        self.insert("office sources", cited)
        self.insert("jurisdictions", areas)

    def source(self, draw: Draws) -> int | None:
        """A source to cite (None when no sources are generated)."""
        return draw.pick(self.source_ids) if self.source_ids else None

    def jurisdictions(
        self,
        office: Office,
        spec: AgencySpec,
        city: _City,
        draw: Draws,
        by_state: dict[str, list[_City]],
    ) -> Iterator[Jurisdiction]:
        """The area an office serves: its state, part of it, or counties (for
        consulates, mostly), sometimes a neighbouring state too."""
        shape, extra, cited, dated = (draw.below(10), draw.chance(0.15),
                                      draw.chance(0.5), draw.chance(0.2))  # fmt: skip
        counties = counties_of(city.state_code)
        other_counties = draw.sample(counties, 3) if counties else []
        other_state = draw.pick(sorted(by_state))
        if (spec.is_us and shape >= 4) or shape >= 8:
            return  # no area on record (most US offices, some consulates)
        source_id = self.source(draw) if cited else None
        valid_from = self.today - timedelta(days=draw.between(365, 15 * 365))

        def area(
            state_pk: int, county: str = "", partial: bool = False
        ) -> Jurisdiction:
            return Jurisdiction(
                office_id=office.pk,
                state_id=state_pk,
                county=county,
                is_partial=partial,
                valid_from=valid_from if dated else None,
                source_id=source_id,
                note=note("service area"),
            )

        if shape < 2 and city.county:
            names = [city.county, *(c for c in other_counties if c != city.county)]
            for county in names:
                yield area(city.state_pk, county)
        else:
            yield area(city.state_pk, partial=shape == 2)
        if extra and other_state != city.state_code:
            yield area(by_state[other_state][0].state_pk, partial=True)

    # Agreements ---------------------------------------------------------------

    def make_agreements(self) -> None:
        total = self.scale.agreements
        if not total:
            return
        draw = self.draws("agreements")
        children = self.draws("agreement details")
        nationals = max(1, total // 100)
        done = 0
        for phase, stop in (("national", nationals), ("local", total)):
            index = done
            while index < stop:
                batch: list[_PendingAgreement] = []
                while index < stop and len(batch) < self.batch_size:
                    group = self.agreement_group(draw, index, stop, phase)
                    batch.extend(group)
                    index += len(group)
                self.write_agreements(batch, children)
                done = index
                self.progress("agreements", done, total)

    def agreement_group(
        self, draw: Draws, index: int, stop: int, phase: str
    ) -> list[_PendingAgreement]:
        """An agreement and, sometimes, its renewals (same parties, later)."""
        scope = (
            Agreement.Scope.NATIONAL
            if phase == "national"
            else draw.weighted(
                [(Agreement.Scope.LOCAL, 3), (Agreement.Scope.REGIONAL, 1)]
            )
        )
        parties = self.choose_parties(draw, scope)
        future, back, ahead = draw.chance(0.01), draw.below(8000), draw.between(1, 180)
        shape = _Shape(
            kind=draw.weighted([(k, v[4]) for k, v in KINDS.items()]),
            scope=scope,
            parties=parties,
            topics=draw.sample(self.topics, 3)[: draw.between(1, 3)],
            laws=draw.sample(self.laws, 2)[: draw.below(3)] if self.laws else [],
            precision=draw.weighted(
                [
                    (DatePrecision.DAY, 75),
                    (DatePrecision.MONTH, 12),
                    (DatePrecision.YEAR, 6),
                    (DatePrecision.INTERVAL, 2),
                    (DatePrecision.UNKNOWN, 5),
                ]
            ),
            term=draw.uniform(),
            months=draw.pick([12, 24, 24, 36, 36, 48, 60, 60, 120]),
            stated_days=draw.between(365, 1825),
            framework=draw.uniform(),
        )
        renewals = 0
        if draw.chance(0.18):
            renewals = 2 if draw.chance(0.25) else 1
        if shape.precision == DatePrecision.UNKNOWN:
            renewals = 0  # a renewal's date comes from the one it renews
        # The newest of the chain is signed on the day drawn, each one it
        # renews a term (`months`) earlier.
        newest = self.today + timedelta(days=ahead if future else -back)
        count = min(renewals + 1, stop - index)
        group: list[_PendingAgreement] = []
        for depth in range(count):
            signed = add_months(newest, -shape.months * (count - 1 - depth))
            agreement = self.agreement(index + depth, shape, signed, depth)
            group.append(
                _PendingAgreement(agreement, shape, group[-1] if group else None)
            )
        return group

    def choose_parties(self, draw: Draws, scope: str) -> list[_Party]:
        """A US agency (or office), a foreign consular office (or ministry),
        sometimes a third and a fourth."""
        third, fourth, pair = draw.chance(0.6), draw.chance(0.2), draw.chance(0.3)
        if scope == Agreement.Scope.NATIONAL:
            us_specs = [s for s in AGENCIES if s.is_us and s.level == FEDERAL]
            foreign = draw.pick([s for s in AGENCIES if not s.is_us])
            us = draw.sample(us_specs, 2)[: 1 + third]
            return [_Party(spec=s) for s in us] + [_Party(spec=foreign)]
        consulate = draw.pick(self.consulates)
        city = consulate.city
        near = self.us_by_city.get(city.pk, [])
        pool = (near if scope == Agreement.Scope.LOCAL else []) or (
            self.us_by_state.get(city.state_pk) or self.us_offices
        )
        us_offices = draw.sample(pool, 3)[: 1 + third + fourth]
        parties = [_Party(office=o) for o in us_offices] + [_Party(office=consulate)]
        # Sometimes another country's consulate in the same city joins in.
        others = [
            o
            for o in self.consulates_by_city.get(city.pk, [])
            if o.spec is not consulate.spec
        ]
        if pair and others:
            parties.append(_Party(office=draw.pick(others)))
        return parties

    def agreement(
        self, index: int, shape: _Shape, start: date, depth: int
    ) -> Agreement:
        """One agreement of the group's shape, signed on `start` (renewals:
        `depth` 1, 2)."""
        parties, topics = shape.parties, shape.topics
        kind_en, kind_es, article, named, _weight = KINDS[shape.kind]
        us = [p for p in parties if p.spec_of.is_us]
        foreign = [p for p in parties if not p.spec_of.is_us]
        place = parties[-1].office.city if parties[-1].office else None
        for party in foreign:
            if party.office:
                place = party.office.city
                break
        names_en = [f"the {p.name_en}" for p in parties]
        names_es = [f"{_es_article(p.name_es)} {p.name_es}" for p in parties]
        between = "among" if len(parties) > 2 else "between"
        if depth:
            title_en = (
                f"Renewal of the {kind_en.lower()} {between} {_list(names_en, 'and')}"
            )
            of = "del" if article == "el" else "de la"
            title_es = f"Renovación {of} {kind_es.lower()} entre {_list(names_es, 'y')}"
        else:
            title_en = f"{kind_en} {between} {_list(names_en, 'and')}"
            title_es = f"{kind_es} entre {_list(names_es, 'y')}"
        demonym_en, demonym_es = foreign[0].spec_of.demonym
        if shape.scope == Agreement.Scope.NATIONAL or place is None:
            where_en, where_es = "the United States", "Estados Unidos"
        elif shape.scope == Agreement.Scope.REGIONAL:
            where_en = where_es = place.state_name
        else:
            where_en = where_es = f"{place.name}, {place.state_name}"
        action = ACTIONS[index % len(ACTIONS)]
        subjects_en = _list([_lower_first(t[1]) for t in topics], "and")
        subjects_es = _list([_lower_first(t[2]) for t in topics], "y")
        summary_en = (
            f"{MARK}. {kind_en} in which {_list(names_en, 'and')} agree to "
            f"{action[0]} on {subjects_en} for {demonym_en} workers in {where_en}."
        )
        which = "el que" if article == "el" else "la que"
        summary_es = (
            f"Registro sintético para pruebas de rendimiento. {kind_es} por {which} "
            f"{_list(names_es, 'y')} acuerdan {action[1]} sobre {subjects_es} "
            f"para los trabajadores {demonym_es} en {where_es}."
        )
        first_us = us[0].short if us else ""
        slug = _slug(
            PREFIX, f"{index:06d}", first_us, foreign[0].short,
            place.slug_part if place else "national", shape.kind,
            "renewal" if depth else "", length=120,
        )  # fmt: skip
        agreement = Agreement(
            title_en=_fit(title_en, 300),
            title_es=_fit(title_es, 300),
            slug=slug,
            kind=shape.kind,
            instrument_as_named=named[index % len(named)],
            scope=shape.scope,
            summary_en=summary_en,
            summary_es=summary_es,
            translated_by_registry="summary_es" if index % 3 == 0 else "",
            note=note("agreement"),
            is_published=True,
        )
        if shape.precision == DatePrecision.UNKNOWN:
            agreement.signed_on_precision = shape.precision
        else:
            agreement.signed_on = start
            agreement.signed_on_precision = shape.precision
            if shape.precision == DatePrecision.INTERVAL:
                agreement.signed_on_end = start + timedelta(days=1 + index % 3)
            if shape.precision != DatePrecision.DAY:
                agreement.signed_on_note = f"{MARK}: {KNOWN_TO[shape.precision]}."
        # 45 % a term, 10 % a stated expiry, 10 % open-ended, 5 % concluded;
        # the rest state nothing (as most real agreements' sources do).
        if shape.term < 0.45:
            agreement.term_months = min(shape.months, MAX_TERM_MONTHS)
            agreement.term_note = f"{MARK}: a term of {shape.months} months."
        elif shape.term < 0.55 and agreement.signed_on:
            agreement.expires_on = agreement.signed_on + timedelta(
                days=shape.stated_days
            )
        elif shape.term < 0.65:
            agreement.is_open_ended = True
            agreement.term_note = f"{MARK}: no end date."
        elif shape.term < 0.7:
            agreement.is_concluded = True
        # 30 % of the others rest on a national agreement of their country.
        if shape.scope != Agreement.Scope.NATIONAL and shape.framework < 0.3:
            frameworks = self.nationals.get(foreign[0].spec_of.country, [])
            if frameworks:
                agreement.framework_id = frameworks[
                    int(shape.framework / 0.3 * len(frameworks))
                ]
        agreement.set_derived_fields()
        return agreement

    def write_agreements(self, batch: list[_PendingAgreement], draw: Draws) -> None:
        depth = 0
        while True:
            level = [p for p in batch if p.depth == depth]
            if not level:
                break
            for pending in level:
                if pending.renews is not None:
                    pending.agreement.renews_id = pending.renews.agreement.pk
            self.insert("agreements", [p.agreement for p in level])
            depth += 1
        parties: list[Party] = []
        citations: list[AgreementSource] = []
        documents: list[Document] = []
        laws: list[models.Model] = []
        topics: list[models.Model] = []
        law_link, topic_link = Agreement.laws.through, Agreement.topics.through
        for pending in batch:
            agreement, shape = pending.agreement, pending.shape
            if agreement.scope == Agreement.Scope.NATIONAL:
                country = next(
                    p.spec_of.country for p in shape.parties if not p.spec_of.is_us
                )
                self.nationals.setdefault(country, []).append(agreement.pk)
            signer, titled = draw.chance(0.7), draw.below(3)
            for position, party in enumerate(shape.parties):
                parties.append(
                    Party(
                        agreement_id=agreement.pk,
                        side=Party.Side.US if party.spec_of.is_us else Party.Side.FOREIGN,
                        office_id=party.office.pk if party.office else None,
                        agency_id=None if party.office else self.agencies[party.spec_of.key],
                        signer_name=(
                            f"{draw.pick(FIRST_NAMES)} {draw.pick(LAST_NAMES)}"
                            if signer else ""
                        ),
                        signer_title=party.spec_of.signers[titled % len(party.spec_of.signers)] if signer else "",
                        note=note("party"),
                        position=position,
                    )
                )  # fmt: skip
            cited = (
                [draw.pick(self.source_ids) for _ in range(3)]
                if self.source_ids
                else []
            )
            for number, source_id in enumerate(
                dict.fromkeys(cited[: 1 + draw.below(3)])
            ):
                day = agreement.signed_on
                citations.append(
                    AgreementSource(
                        agreement_id=agreement.pk,
                        source_id=source_id,
                        is_primary=number == 0,
                        supports=draw.pick(FACTS),
                        quote=(
                            f"The parties signed this synthetic {KINDS[agreement.kind][0].lower()} on {day:%d %B %Y}."
                            if day and number == 0 else ""
                        ),
                        note=note("citation"),
                    )
                )  # fmt: skip
            for kind, language in [
                (Document.Kind.FULL_TEXT, Document.Language.ENGLISH),
                (Document.Kind.TRANSLATION, Document.Language.SPANISH),
                (Document.Kind.PRESS_RELEASE, Document.Language.SPANISH),
            ][: draw.below(3)]:
                documents.append(
                    Document(
                        agreement_id=agreement.pk,
                        url=f"{URL_ROOT}agreements/{agreement.slug}/{kind}-{language}.pdf",
                        language=language,
                        kind=kind,
                                title=agreement.title_en if language == "en" else agreement.title_es,
                        note=note("document"),
                    )
                )  # fmt: skip
            laws.extend(
                law_link(agreement_id=agreement.pk, law_id=pk) for pk in shape.laws
            )
            topics.extend(
                topic_link(agreement_id=agreement.pk, topic_id=t[0]) for t in shape.topics
            )  # fmt: skip
        self.insert("parties", parties)
        # bulk_create sends no post_save: the names search reads, per batch.
        Agreement.objects.filter(
            pk__in=[p.agreement.pk for p in batch]
        ).refresh_party_names()
        self.insert("citations", citations)
        self.insert("documents", documents)
        self.insert("agreement laws", laws)
        self.insert("agreement topics", topics)

    # Labor Rights Week and events -------------------------------------------------

    def make_editions(self) -> None:
        draw = self.draws("editions")
        last = self.today.year
        if self.today > _labor_day(last) - timedelta(days=3):
            last += 1  # this year's week is over: the next one is announced
        rows, weeks = [], []
        for year in range(FIRST_YEAR, last + 1):
            # The week before Labor Day, Monday to Friday.
            starts = _labor_day(year) - timedelta(days=7)
            weeks.append((starts, starts + timedelta(days=4)))
            theme = draw.pick(THEMES)
            rows.append(
                Edition(
                    year=year,
                    number=year - FIRST_YEAR + 1,
                    starts_on=weeks[-1][0],
                    ends_on=weeks[-1][1],
                    theme_en=theme[0],
                    theme_es=theme[1],
                    note=note("Labor Rights Week edition"),
                )
            )
        self.insert("editions", rows)
        through = Edition.sources.through
        cited = [(row.pk, self.source(draw)) for row in rows]
        self.insert(
            "edition sources",
            [through(edition_id=pk, source_id=s) for pk, s in cited if s is not None],
        )
        self.editions = [
            (row.pk, starts, ends)
            for row, (starts, ends) in zip(rows, weeks, strict=True)
        ]

    def make_events(self) -> None:
        total = self.scale.events
        if not total:
            return
        draw = self.draws("events")
        by_state: dict[int, list[_City]] = {}
        for city in self.cities:
            by_state.setdefault(city.state_pk, []).append(city)
        kinds = [(k, v[2]) for k, v in EVENT_KINDS.items()]
        for start in range(0, total, self.batch_size):
            batch = [
                self.event(n, draw, kinds, by_state)
                for n in range(start, min(start + self.batch_size, total))
            ]
            self.write_events(batch)
            self.progress("events", start + len(batch), total)

    def event(
        self,
        n: int,
        draw: Draws,
        kinds: Sequence[tuple[str, float]],
        by_state: dict[int, list[_City]],
    ) -> _PendingEvent:
        # Every draw below is made whatever the branch taken, so that an
        # event's choices (its slug, its title) do not depend on `today`,
        # which decides whether it is past or upcoming.
        host = (
            draw.pick(self.consulates)
            if draw.chance(0.85)
            else draw.pick(self.us_offices)
        )
        moved, mode_u, lrw = draw.chance(0.1), draw.uniform(), draw.chance(0.7)
        city = draw.pick(by_state[host.city.state_pk]) if moved else host.city
        kind = draw.weighted(kinds)
        phrase_en, phrase_es, _weight = EVENT_KINDS[kind]
        topic = draw.pick(self.topics)
        edition_u, in_week, back, ahead, future = draw.uniform(), draw.below(7), draw.between(1, 8 * 365), draw.between(1, 365), draw.chance(0.15)  # fmt: skip
        all_day, hour, half, hours = draw.chance(0.25), draw.between(9, 18), draw.chance(0.5), draw.between(1, 4)  # fmt: skip
        status_u, attendance, registration = draw.uniform(), draw.between(10, 400), draw.chance(0.2)  # fmt: skip
        venue, languages, participant = draw.pick(VENUES), draw.pick(LANGUAGES), draw.chance(0.35)  # fmt: skip
        partner = draw.pick(self.us_by_state.get(host.city.state_pk) or self.us_offices)
        extra_topic = draw.pick(self.topics) if draw.chance(0.4) else None
        source_id = draw.pick(self.source_ids) if self.source_ids else None
        mode = (
            Event.Mode.IN_PERSON if mode_u < 0.8 else Event.Mode.VIRTUAL if mode_u < 0.88
            else Event.Mode.HYBRID if mode_u < 0.95 else Event.Mode.UNKNOWN
        )  # fmt: skip
        edition_id = None
        if lrw and self.editions:
            edition_id, first, last = self.editions[int(edition_u * len(self.editions))]
            day = first + timedelta(days=in_week % ((last - first).days + 1))
            end_day = last if kind == Event.Kind.PROGRAMME else day
        else:
            day = self.today + timedelta(days=ahead if future else -back)
            end_day = day
        if kind == Event.Kind.PROGRAMME:
            all_day = True
        zone = ZoneInfo(city.time_zone)
        if all_day:
            starts = datetime.combine(day, clock(0, 0), tzinfo=zone)
            ends = datetime.combine(end_day, clock(23, 59), tzinfo=zone)
        else:
            starts = datetime.combine(day, clock(hour, 30 if half else 0), tzinfo=zone)
            ends = starts + timedelta(hours=hours)
        past = end_day < self.today
        if past:
            status = Event.Status.HELD if status_u < 0.92 else (
                Event.Status.CANCELLED if status_u < 0.96 else Event.Status.SCHEDULED
            )  # fmt: skip
        else:
            status = (
                Event.Status.SCHEDULED if status_u < 0.95 else Event.Status.CANCELLED
            )
        topic_en, topic_es = _lower_first(topic[1]), _lower_first(topic[2])
        host_es = f"{_es_article(host.name_es)} {host.name_es}"
        if edition_id is not None:
            title_en = f"Labor Rights Week in {city.name}: {phrase_en} on {topic_en}"
            title_es = f"Semana de Derechos Laborales en {city.name}: {phrase_es} sobre {topic_es}"
        else:
            title_en = f"{phrase_en.capitalize()} on {topic_en} at the {host.name_en}"
            title_es = f"{phrase_es.capitalize()} sobre {topic_es} en {host_es}"
        online = mode == Event.Mode.VIRTUAL
        event = Event(
            slug=_slug(PREFIX, f"{n:06d}", city.slug_part, kind, length=120),
            edition_id=edition_id,
            title_en=_fit(title_en, 300),
            title_es=_fit(title_es, 300),
            kind=kind,
            status=status,
            mode=mode,
            host_office_id=host.pk,
            city_id=None if online else city.pk,
            venue="" if online else venue.format(host=host.name_en, city=city.name),
            starts_at=starts,
            ends_at=ends,
            is_all_day=all_day,
            time_zone=city.time_zone,
            languages=languages,
            description_en=(
                f"A {phrase_en} of the {host.name_en} on {topic_en}, for workers "
                f"in {city.name} and nearby. {MARK}."
            ),
            description_es=(
                f"{phrase_es.capitalize()} de {host_es} sobre {topic_es}, para "
                f"trabajadores de {city.name} y alrededores. Registro sintético "
                "para pruebas de rendimiento."
            ),
            registration_url=f"{URL_ROOT}events/{n:06d}/register" if registration else "",
            attendance=attendance if past and status == Event.Status.HELD and attendance % 2 else None,
            note=note("event"),
            is_published=True,
        )  # fmt: skip
        assert event.starts_at is not None and event.starts_at.year in EVENT_YEARS
        topics = list(
            dict.fromkeys([topic[0], *([extra_topic[0]] if extra_topic else [])])
        )
        offices = [partner.pk] if participant and partner.pk != host.pk else []
        return _PendingEvent(event, topics, offices, source_id)

    def write_events(self, batch: list[_PendingEvent]) -> None:
        self.insert("events", [p.event for p in batch])
        topic_link = Event.topics.through
        office_link = Event.offices.through
        source_link = Event.sources.through
        self.insert(
            "event topics",
            [topic_link(event_id=p.event.pk, topic_id=t) for p in batch for t in p.topics],
        )  # fmt: skip
        self.insert(
            "event offices",
            [office_link(event_id=p.event.pk, office_id=o) for p in batch for o in p.offices],
        )  # fmt: skip
        self.insert(
            "event sources",
            [source_link(event_id=p.event.pk, source_id=p.source_id) for p in batch if p.source_id],
        )  # fmt: skip


@dataclass(frozen=True)
class _Party:
    office: _Office | None = None
    spec: AgencySpec | None = None  # an agency as a party (national agreements)

    @property
    def spec_of(self) -> AgencySpec:
        spec = self.office.spec if self.office else self.spec
        assert spec is not None
        return spec

    @property
    def name_en(self) -> str:
        return self.office.name_en if self.office else self.spec_of.name_en

    @property
    def name_es(self) -> str:
        return self.office.name_es if self.office else self.spec_of.name_es

    @property
    def short(self) -> str:
        """In slugs: the office's agency ("whd", "mx-consulate"), or the
        agency itself ("whd", "mx" for its foreign ministry)."""
        spec = self.spec_of
        return spec.short if self.office or spec.is_us else spec.country


@dataclass(frozen=True)
class _Shape:
    """What an agreement and its renewals share, as drawn."""

    kind: str
    scope: str
    parties: list[_Party]
    topics: list[tuple[int, str, str]]
    laws: list[int]
    precision: str
    term: float  # which of term, expiry, open-ended... (see `agreement`)
    months: int
    stated_days: int
    framework: float  # whether (and which) national agreement it rests on


@dataclass
class _PendingAgreement:
    agreement: Agreement
    shape: _Shape
    renews: _PendingAgreement | None = None

    @property
    def depth(self) -> int:
        return 0 if self.renews is None else self.renews.depth + 1


@dataclass
class _PendingEvent:
    event: Event
    topics: list[int]
    offices: list[int]
    source_id: int | None
