"""The registry in numbers: published agreements counted by year of signing,
US agency, country, status today and scope, under the agreement list's own
filters; and the Labor Rights Week editions with their events and the figures
sources report. Each count is a chart, a table and a CSV file, every one an
aggregate in the database: the queries do not grow with the data."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from collection.counting import kept
from collection.importing import escape_formula
from outreach.models import Edition, EditionQuerySet, Outcome
from registry.coverage import Coverage, coverage
from registry.filters import AgreementFilter
from registry.models import Agency, Agreement, Country, Party

from .. import charts
from .agreements import filters_in_force
from .common import filter_errors

#: Query parameters that are not filters: the list's paging and sort order.
NOT_FILTERS = ("page", "ordering")


@dataclass
class Row:
    """One row of a count: `key` is its value in files and filters ("" when
    it has none, e.g. the year not known), `narrow` the filters that select
    it (None when no filter can). Set over the filters in force, they may
    replace one (the list takes one value per filter) only where the row lies
    inside it: `inside` names the values it lies inside (an agency's parts
    inside the agency), and a year lies inside any range of years."""

    key: str
    label: str
    count: int
    narrow: dict[str, str] | None = None
    inside: frozenset[str] = frozenset()
    inside_any: bool = False
    #: The label on the chart, when the full one is too long for it.
    short: str = ""
    query: str = ""

    def link(self, filters: dict[str, str]) -> str | None:
        """The query string of the filters in force narrowed to this row, or
        None when the list cannot show exactly what the row counts (a country
        other than the one chosen: the list cannot take both)."""
        if self.narrow is None:
            return None
        for name, value in self.narrow.items():
            current = filters.get(name, value)
            if current != value and not self.inside_any and current not in self.inside:
                return None
        return urlencode({**filters, **self.narrow})


@dataclass
class CountTable:
    """Agreements counted by one property: a chart, a table and a CSV file."""

    slug: str
    title: str
    key_name: str
    key_header: str
    rows: list[Row]
    shape: str
    note: str = ""
    chart: dict[str, Any] = field(default_factory=dict)
    csv_url: str = ""

    def csv_header(self) -> list[str]:
        if self.key_name == "year":
            return ["year", "agreements"]
        return [self.key_name, "name", "agreements"]

    def csv_rows(self) -> list[list[Any]]:
        if self.key_name == "year":
            return [[row.key, row.count] for row in self.rows]
        return [[row.key, escape_formula(row.label), row.count] for row in self.rows]


def signed_per_year(agreements: QuerySet[Agreement]) -> CountTable:
    """Every year from the first to the last with a signing (a year with none
    counts 0), then the agreements whose signing date is not known."""
    counts: dict[int | None, int] = {
        row["year"]: row["count"]
        for row in agreements.values(year=ExtractYear("signed_on"))
        .annotate(count=Count("pk", distinct=True))
        .order_by("year")
    }
    unknown = counts.pop(None, 0)
    years = [year for year in counts if year is not None]
    rows = [
        Row(
            str(year),
            str(year),
            counts.get(year, 0),
            {"year_from": str(year), "year_to": str(year)},
            inside_any=True,
        )
        for year in (range(min(years), max(years) + 1) if years else [])
    ]
    if unknown:
        rows.append(Row("", _("Year not known"), unknown))
    return CountTable(
        slug="signed-per-year",
        title=_("Agreements signed per year"),
        key_name="year",
        key_header=_("Year"),
        rows=rows,
        shape=_(
            "One bar per year of signing, oldest first, with its number of "
            "agreements written beside it; a hatched bar counts those whose "
            "signing year is not known."
        ),
    )


def family_tree(agencies: Sequence[Mapping[str, Any]]) -> dict[int, set[int]]:
    """Each agency's own id and those of every agency under it (as
    `Agency.objects.descendant_ids`, for all agencies from one read)."""
    children: dict[int | None, list[int]] = {}
    for agency in agencies:
        children.setdefault(agency["parent_id"], []).append(agency["pk"])
    families: dict[int, set[int]] = {}
    for agency in agencies:
        found: set[int] = set()
        todo = [agency["pk"]]
        while todo:
            pk = todo.pop()
            if pk not in found:
                found.add(pk)
                todo.extend(children.get(pk, []))
        families[agency["pk"]] = found
    return families


def short_name(name: str, acronym: str) -> str:
    """An agency's name for a chart: "Name (ACRONYM)" when it fits, else the
    acronym first, so that a cut name keeps it."""
    full = f"{name} ({acronym})" if acronym else name
    if len(full) <= charts.ABOVE_LABEL_CHARS or not acronym:
        return full
    return f"{acronym}: {name}"


def by_us_agency(agreements: QuerySet[Agreement]) -> CountTable:
    """Agreements with each US agency, or one of its parts, as a party: the
    agreements `?agency=` lists. One conditional count per US agency, in one
    query; agencies with none are left out."""
    agencies = list(
        Agency.objects.values(
            "pk", "parent_id", "slug", "name", "acronym", "country__code"
        )
    )
    families = family_tree(agencies)
    slugs = {agency["pk"]: agency["slug"] for agency in agencies}
    # Each agency lies inside the agencies whose families hold it.
    inside: dict[int, set[str]] = {}
    for pk, family in families.items():
        for member in family - {pk}:
            inside.setdefault(member, set()).add(slugs[pk])
    # The US side's agencies, as Agency.objects.us() chooses them.
    us = [agency for agency in agencies if agency["country__code"] == "us"]

    def party_of(ids: set[int]) -> Q:
        parties = Party.objects.filter(
            Q(agency_id__in=ids) | Q(office__agency_id__in=ids)
        )
        return Q(pk__in=parties.values("agreement_id"))

    counts = (
        agreements.aggregate(
            **{
                f"agency_{agency['pk']}": Count(
                    "pk", filter=party_of(families[agency["pk"]]), distinct=True
                )
                for agency in us
            }
        )
        if us
        else {}
    )
    rows = [
        Row(
            agency["slug"],
            str(Agency(name=agency["name"], acronym=agency["acronym"])),
            counts[f"agency_{agency['pk']}"],
            {"agency": agency["slug"]},
            inside=frozenset(inside.get(agency["pk"], ())),
            short=short_name(agency["name"], agency["acronym"]),
        )
        for agency in us
        if counts[f"agency_{agency['pk']}"]
    ]
    rows.sort(key=lambda row: (-row.count, row.label))
    return CountTable(
        slug="us-agencies",
        title=_("Agreements by US agency"),
        key_name="agency",
        key_header=_("US agency"),
        rows=rows,
        shape=_(
            "One bar per US agency, most agreements first, with the number "
            "written beside it."
        ),
        note=_(
            "An agency counts the agreements of its parts too (the Department "
            "of Labor those of WHD and OSHA), and an agreement with several "
            "agencies counts once for each."
        ),
    )


def by_country(agreements: QuerySet[Agreement]) -> CountTable:
    """Agreements with a party of each country on the foreign side."""

    def country(name: str) -> Coalesce:
        return Coalesce(
            f"parties__agency__country__{name}",
            f"parties__office__agency__country__{name}",
        )

    # Grouped through the agreements' own join to their parties (the values
    # reuse the filter's join), not over a subquery of them: a search's
    # condition names the agreements' table, which a subquery renames.
    counts = (
        agreements.filter(parties__side=Party.Side.FOREIGN)
        .values(
            code=country("code"), name_en=country("name_en"), name_es=country("name_es")
        )
        .annotate(count=Count("pk", distinct=True))
        .order_by("-count", "name_en")
    )
    rows = [
        Row(
            row["code"],
            Country(
                code=row["code"], name_en=row["name_en"], name_es=row["name_es"]
            ).name,
            row["count"],
            {"country": row["code"]},
        )
        for row in counts
    ]
    return CountTable(
        slug="countries",
        title=_("Agreements by country"),
        key_name="country",
        key_header=_("Country"),
        rows=rows,
        shape=_(
            "One bar per country of the foreign side, most agreements first, "
            "with the number written beside it."
        ),
        note=_("An agreement with several countries counts once for each."),
    )


def by_status(agreements: QuerySet[Agreement]) -> CountTable:
    """Agreements by their status today, each counted by the status's own
    condition in SQL (registry.models.status), all in one query."""
    today = timezone.localdate()
    counts = agreements.aggregate(
        **{
            status.value: Count(
                "pk", filter=Agreement.objects.status_q(status, today), distinct=True
            )
            for status in Agreement.Status
        }
    )
    return CountTable(
        slug="status",
        title=_("Status today"),
        key_name="status",
        key_header=_("Status today"),
        rows=[
            Row(
                status.value,
                str(status.label),
                counts[status.value],
                {"status": status.value},
            )
            for status in Agreement.Status
        ],
        shape=_(
            "One bar per status, in the order of the list's filter, with the "
            "number written beside it."
        ),
        note=_(
            "Derived from the dates and renewals the sources give, on today's date."
        ),
    )


def by_scope(agreements: QuerySet[Agreement]) -> CountTable:
    counts = {
        row["scope"]: row["count"]
        for row in agreements.values("scope")
        .annotate(count=Count("pk", distinct=True))
        .order_by()
    }
    return CountTable(
        slug="scope",
        title=_("Local or national"),
        key_name="scope",
        key_header=_("Scope"),
        rows=[
            Row(
                scope.value,
                str(scope.label),
                counts.get(scope.value, 0),
                {"scope": scope.value},
            )
            for scope in Agreement.Scope
        ],
        shape=_(
            "One bar per scope (national, regional or state-wide, local), with "
            "the number written beside it."
        ),
    )


#: The count tables, in page order, by the name of their CSV file.
COUNT_TABLES: dict[str, Callable[[QuerySet[Agreement]], CountTable]] = {
    "signed-per-year": signed_per_year,
    "us-agencies": by_us_agency,
    "countries": by_country,
    "status": by_status,
    "scope": by_scope,
}


def amount(value: Decimal) -> str:
    """A reported figure as the page's language writes numbers: 18,750."""
    places = 0 if value == value.to_integral() else 2
    return number_format(value, decimal_pos=places, force_grouping=True)


def plain(value: Decimal | None) -> str:
    """A figure for a file: 18750, 2.5; empty when none is reported."""
    if value is None:
        return ""
    return (
        str(value.quantize(Decimal(1)))
        if value == value.to_integral()
        else str(value.normalize())
    )


@dataclass
class Figure:
    """The figures sources report for one edition and metric: the lowest and
    highest (the same when they agree), and the qualifier they share ("" when
    they differ)."""

    low: Decimal
    high: Decimal
    qualifier: str

    def __str__(self) -> str:
        text = amount(self.low)
        if self.high != self.low:
            text = f"{text}–{amount(self.high)}"
        if self.qualifier and self.qualifier != Outcome.Qualifier.EXACT:
            text = f"{Outcome.Qualifier(self.qualifier).label} {text}"
        return text


@dataclass
class EditionRow:
    edition: Edition
    events_listed: int
    events_held: Figure | None
    people_reached: Figure | None
    protection_cases: Figure | None

    @property
    def figures(self) -> list[Figure | None]:
        """The reported figures, in EDITION_METRICS order (the table's)."""
        return [getattr(self, name) for name in EDITION_METRICS]


#: The outcomes the editions' table shows, by EditionRow field.
EDITION_METRICS = {
    "events_held": Outcome.Metric.EVENTS,
    "people_reached": Outcome.Metric.PEOPLE_REACHED,
    "protection_cases": Outcome.Metric.PROTECTION_CASES,
}


@dataclass
class EditionTable:
    slug: str
    title: str
    rows: list[EditionRow]
    chart: dict[str, Any] = field(default_factory=dict)
    csv_url: str = ""

    def csv_header(self) -> list[str]:
        header = ["year", "number", "events_listed"]
        for name in EDITION_METRICS:
            header += [f"{name}_min", f"{name}_max", f"{name}_qualifier"]
        return header

    def csv_rows(self) -> list[list[Any]]:
        rows = []
        for row in self.rows:
            cells: list[Any] = [row.edition.year, row.edition.number, row.events_listed]
            for name in EDITION_METRICS:
                figure: Figure | None = getattr(row, name)
                cells += (
                    [plain(figure.low), plain(figure.high), figure.qualifier]
                    if figure
                    else ["", "", ""]
                )
            rows.append(cells)
        return rows


def labor_rights_week(editions: EditionQuerySet | None = None) -> EditionTable:
    """Every edition (of `editions`), oldest first, with its published events
    and the figures sources report (none reported is None, never 0). The
    agreement filters do not apply: editions are not agreements."""
    if editions is None:  # never `editions or …`: that would run the query
        editions = Edition.objects.all()
    figures: dict[tuple[int, str], Figure] = {}
    for row in (
        Outcome.objects.filter(
            edition__isnull=False, metric__in=EDITION_METRICS.values()
        )
        .values("edition_id", "metric")
        .annotate(
            low=Min("value"),
            high=Max("value"),
            first_qualifier=Min("qualifier"),
            last_qualifier=Max("qualifier"),
        )
        .order_by()
    ):
        shared = row["first_qualifier"] == row["last_qualifier"]
        figures[row["edition_id"], row["metric"]] = Figure(
            row["low"],
            row["high"],
            row["first_qualifier"] if shared else "",
        )
    rows = [
        EditionRow(
            edition,
            edition.event_count,  # type: ignore[attr-defined]  # with_event_count()
            **{
                name: figures.get((edition.pk, metric))
                for name, metric in EDITION_METRICS.items()
            },
        )
        for edition in editions.with_event_count().order_by("year")
    ]
    return EditionTable(
        slug="labor-rights-week", title=_("Labor Rights Week"), rows=rows
    )


def people_reached_chart(table: EditionTable) -> dict[str, Any]:
    not_reported = _("not reported")
    bars = [
        charts.Bar(
            str(row.edition.year),
            float(row.people_reached.low) if row.people_reached else None,
            str(row.people_reached) if row.people_reached else not_reported,
            span_to=float(row.people_reached.high) if row.people_reached else None,
        )
        for row in table.rows
    ]
    reported = [row for row in table.rows if row.people_reached]
    desc = _(
        "One bar per edition, oldest first, with the people reached as sources "
        "report them written beside it; where sources disagree, the bar is solid "
        "up to the lowest figure and hatched up to the highest. "
    ) + ngettext(
        "%(count)s edition has a reported figure.",
        "%(count)s editions have a reported figure.",
        len(reported),
    ) % {"count": len(reported)}
    return charts.bar_chart(
        f"chart-{table.slug}", _("People reached, by edition"), desc, bars
    )


def count_chart(table: CountTable, total: int) -> dict[str, Any]:
    bars = [
        charts.Bar(
            row.short or row.label, row.count, str(row.count), hatched=not row.key
        )
        for row in table.rows
    ]
    desc = (
        table.shape
        + " "
        + ngettext("%(count)s agreement in all.", "%(count)s agreements in all.", total)
        % {"count": total}
    )
    if table.rows:
        top = max(table.rows, key=lambda row: row.count)
        desc += " " + _("The most: %(label)s, with %(count)s.") % {
            "label": top.label,
            "count": top.count,
        }
    return charts.bar_chart(f"chart-{table.slug}", table.title, desc, bars)


def filters_of(request: HttpRequest) -> dict[str, str]:
    """The query's filters, as the list's links keep them (its "filters only")."""
    return {
        name: str(value)
        for name, value in request.GET.items()
        if name not in NOT_FILTERS and value != ""
    }


def agreement_filter(request: HttpRequest) -> AgreementFilter:
    """The agreement list's FilterSet on the published agreements, as the list
    reads the query (registry.filters)."""
    return AgreementFilter(
        request.GET, queryset=Agreement.objects.published(), request=request
    )


def counted(filterset: AgreementFilter) -> QuerySet[Agreement]:
    """The filtered agreements to count on, in no order. Counted as they are,
    never inside a subquery: on PostgreSQL a search names the agreements'
    table in raw SQL, which a subquery renames. Counts are distinct, in case
    a filter joins a list (?law=, ?topic=)."""
    return filterset.qs.order_by()


def numbers(request: HttpRequest) -> HttpResponse:
    filterset = agreement_filter(request)
    template = "public/numbers.html"
    if not filterset.is_valid():
        errors = {"errors": dict(filterset.errors)}
        return render(request, template, errors, status=400)
    agreements = counted(filterset)
    filters = filters_of(request)
    # Each table reads every agreement the filters give: kept per data
    # revision, filters, language and day (statuses change with the date).
    vary = language_and_day()
    tables = [kept(agreements, build, vary) for build in COUNT_TABLES.values()]
    total = sum(row.count for row in tables[0].rows)
    for table in tables:
        for row in table.rows:
            row.query = row.link(filters) or ""
        table.chart = count_chart(table, total)
        table.csv_url = csv_url(table.slug, filters)
    editions = kept(Edition.objects.all(), labor_rights_week, get_language())
    editions.chart = people_reached_chart(editions)
    editions.csv_url = csv_url(editions.slug, {})
    context: dict[str, Any] = {
        "total": total,
        "tables": tables,
        "editions": editions,
        "in_force": filters_in_force(request, filterset),
        "filters_only": urlencode(filters),
        "coverage": kept(Agreement.objects.published(), registry_coverage, vary),
    }
    return render(request, template, context)


def language_and_day() -> str:
    """What the kept tables depend on besides the data (collection.counting):
    their labels' language, and the day their statuses are on."""
    return f"{get_language()} {timezone.localdate()}"


def registry_coverage(published: QuerySet[Agreement]) -> Coverage:
    """The registry's completeness (registry.coverage): whole-table counts,
    kept like the tables (`published` only names what they are kept under)."""
    return coverage()


def csv_url(table: str, filters: dict[str, str]) -> str:
    url = reverse("public:numbers-csv", kwargs={"table": table})
    return f"{url}?{urlencode(filters)}" if filters else url


def numbers_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the numbers page as CSV, under the same filters; the
    labels in the page's language, the keys as the filters take them."""
    chosen: CountTable | EditionTable
    if table == "labor-rights-week":
        chosen = kept(Edition.objects.all(), labor_rights_week, get_language())
    elif table in COUNT_TABLES:
        filterset = agreement_filter(request)
        if not filterset.is_valid():
            return filter_errors(filterset)
        chosen = kept(counted(filterset), COUNT_TABLES[table], language_and_day())
    else:
        raise Http404(table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table}.csv"'
    writer = csv.writer(response)
    writer.writerow(chosen.csv_header())
    writer.writerows(chosen.csv_rows())
    return response
