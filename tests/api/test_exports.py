"""Agreements as files for people with spreadsheets: the CSV and XLSX of the
API, the list page and /data/, with the columns a reader needs without joins,
named for what they hold and when, and accepted back by the importer."""

import csv
import io
import json
import re
from datetime import date

import openpyxl
import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collection.formats import XLSX_MEDIA_TYPE
from collection.reading import load_dataset
from opendata.collections import export_dataset, import_dataset
from registry.models import Agreement
from tests import factories as f

from .test_opendata import body

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements/"
DERIVED = [
    "signed_from",
    "signed_to",
    "us_parties",
    "foreign_parties",
    "foreign_countries",
    "cities",
    "states",
    "page_url",
]


@pytest.fixture
def world():
    texas = f.StateFactory(code="TX", slug="tx", name="Texas")
    f.StateFactory(code="AZ", slug="az", name="Arizona")
    austin = f.CityFactory(name="Austin", slug="austin-tx", state=texas)
    el_paso = f.CityFactory(name="El Paso", slug="el-paso-tx", state=texas)
    mexico = f.CountryFactory(code="mx", name_en="Mexico", name_es="México")
    dol = f.AgencyFactory(slug="dol", name="U.S. Department of Labor", acronym="DOL")
    osha = f.AgencyFactory(
        slug="dol-osha",
        name="Occupational Safety and Health Administration",
        acronym="OSHA",
        parent=dol,
    )
    sre = f.ForeignAgencyFactory(
        slug="mx-sre",
        name="Secretaría de Relaciones Exteriores",
        acronym="SRE",
        country=mexico,
    )
    osha_austin = f.OfficeFactory(
        slug="dol-osha-austin",
        name="OSHA Austin Area Office",
        agency=osha,
        city=austin,
    )
    osha_el_paso = f.OfficeFactory(
        slug="dol-osha-el-paso",
        name="OSHA El Paso Area Office",
        agency=osha,
        city=el_paso,
    )
    consulate = f.ConsulateFactory(
        slug="mx-consulate-austin",
        name="Consulate General of Mexico in Austin",
        agency=sre,
        city=austin,
    )
    alliance = f.AgreementFactory(
        slug="osha-austin-alliance",
        title_en="OSHA Austin alliance",
        kind="alliance",
        signed_on=date(2016, 8, 29),
        signed_on_end=date(2016, 9, 4),
        signed_on_precision="interval",
    )
    f.PartyFactory(agreement=alliance, office=osha_austin, position=0)
    f.PartyFactory(agreement=alliance, office=osha_el_paso, position=1)
    f.PartyFactory(agreement=alliance, office=consulate, side="foreign", position=2)
    national = f.AgreementFactory(
        slug="national-declaration",
        kind="declaration",
        scope="national",
        signed_on=date(2014, 11, 1),
        signed_on_precision="month",
    )
    f.PartyFactory(agreement=national, office=None, agency=dol)
    f.PartyFactory(agreement=national, office=None, agency=sre, side="foreign")
    alliance.laws.add(f.LawFactory(slug="osh-act"))
    alliance.topics.add(f.TopicFactory(slug="heat"))
    f.AgreementSourceFactory(agreement=alliance)
    f.AgreementFactory(
        slug="undated",
        signed_on=None,
        signed_on_precision="unknown",
        framework=national,
    )
    return locals()


def csv_rows(response):
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def workbook_rows(content):
    """A workbook's first sheet as lists of text (an empty cell is "")."""
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [
        ["" if value is None else value for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def as_lists(response):
    reader = csv.reader(io.StringIO(response.content.decode()))
    return list(reader)


def test_the_csv_names_parties_places_dates_and_the_page(api, world):
    rows = {row["slug"]: row for row in csv_rows(api.get(URL, {"format": "csv"}))}
    alliance = rows["osha-austin-alliance"]
    assert alliance["us_parties"] == "OSHA Austin Area Office; OSHA El Paso Area Office"
    assert alliance["foreign_parties"] == "Consulate General of Mexico in Austin"
    assert alliance["foreign_countries"] == "Mexico"
    assert alliance["cities"] == "Austin; El Paso"  # each city once
    assert alliance["states"] == "Texas"
    assert alliance["page_url"] == "http://testserver/agreements/osha-austin-alliance/"
    # The precise date is kept; its bounds are plain dates beside it.
    assert alliance["signed_on"] == "2016-08-29/2016-09-04"
    assert date.fromisoformat(alliance["signed_from"]) == date(2016, 8, 29)
    assert date.fromisoformat(alliance["signed_to"]) == date(2016, 9, 4)

    national = rows["national-declaration"]
    assert national["signed_on"] == "2014-11"
    assert (national["signed_from"], national["signed_to"]) == (
        "2014-11-01",
        "2014-11-30",
    )
    # Agencies named without an office: by name and acronym, no city.
    assert national["us_parties"] == "U.S. Department of Labor (DOL)"
    assert national["foreign_parties"] == "Secretaría de Relaciones Exteriores (SRE)"
    assert national["foreign_countries"] == "Mexico"
    assert (national["cities"], national["states"]) == ("", "")

    undated = rows["undated"]
    assert (undated["signed_on"], undated["signed_from"], undated["signed_to"]) == (
        "",
        "",
        "",
    )
    assert undated["us_parties"] == undated["foreign_parties"] == ""


def test_page_urls_are_on_the_host_asked(api, world, settings):
    settings.ALLOWED_HOSTS = ["registry.example.org"]
    response = api.get(URL, {"format": "csv"}, HTTP_HOST="registry.example.org")
    urls = {row["page_url"] for row in csv_rows(response)}
    assert "http://registry.example.org/agreements/osha-austin-alliance/" in urls


def today():
    return timezone.localdate().isoformat()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "filters, name",
    [
        ({}, "agreements"),
        (
            {"agency": "dol-osha", "country": "mx", "state": "tx"},
            "agreements-osha-mx-tx",
        ),
        # Whatever the order of the address: the agency, country and state first.
        ({"state": "tx", "agency": "dol-osha"}, "agreements-osha-tx"),
        ({"q": "Heat Stress", "kind": "alliance"}, "agreements-heat-stress-alliance"),
        (
            {"year_from": "2015", "city": "austin-tx"},
            "agreements-austin-tx-year-from-2015",
        ),
    ],
)
def test_files_are_named_for_their_filters_and_the_day(
    api, world, file_format, filters, name
):
    response = api.get(URL, {**filters, "format": file_format})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{name}-{today()}.{file_format}"'
    )


def test_a_file_name_stays_short_and_safe_whatever_the_filters(api, world):
    words = 'Ñandú "quoted"/../; rm -rf * ' + "very long words " * 20
    response = api.get(URL, {"q": words, "status": "in_force", "format": "csv"})
    assert response.status_code == 200
    name = re.fullmatch(
        r'attachment; filename="([a-z0-9-]+)-(\d{4}-\d{2}-\d{2})\.csv"',
        response["Content-Disposition"],
    )
    assert name is not None, response["Content-Disposition"]
    stem = name.group(1)
    assert stem.startswith("agreements-nandu-quoted-rm-rf-very-long")
    assert len(stem) <= 100 and "--" not in stem
    assert name.group(2) == today()


def test_one_agreement_as_a_file_is_named_for_it(api, world):
    response = api.get(f"{URL}osha-austin-alliance/", {"format": "xlsx"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="agreements-osha-austin-alliance-{today()}.xlsx"'
    )
    assert [row[0] for row in workbook_rows(response.content)] == [
        "slug",
        "osha-austin-alliance",
    ]


def test_the_xlsx_holds_the_rows_and_columns_of_the_csv(api, world):
    params = {"agency": "dol-osha"}
    as_csv = as_lists(api.get(URL, {**params, "format": "csv"}))
    response = api.get(URL, {**params, "format": "xlsx"})
    assert response["Content-Type"] == XLSX_MEDIA_TYPE
    rows = workbook_rows(response.content)
    assert rows == as_csv
    assert len(rows) == 2 and set(DERIVED) <= set(rows[0])


def test_cells_that_would_be_formulas_are_escaped_in_both_files(api, world):
    f.AgreementFactory(
        slug="formula", title_en='=HYPERLINK("http://evil")', summary_en="@SUM(A1)"
    )
    row = next(
        r for r in csv_rows(api.get(URL, {"format": "csv"})) if r["slug"] == "formula"
    )
    assert row["title_en"] == '\'=HYPERLINK("http://evil")'
    assert row["summary_en"] == "'@SUM(A1)"
    content = api.get(URL, {"format": "xlsx"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    headers = [cell.value for cell in sheet[1]]
    cells = {
        row[0].value: dict(zip(headers, row, strict=True))
        for row in sheet.iter_rows(min_row=2)
    }
    title = cells["formula"]["title_en"]
    assert title.value == '\'=HYPERLINK("http://evil")' and title.data_type == "s"
    assert all(
        cell.data_type in ("s", "n") for row in cells.values() for cell in row.values()
    )  # text or empty, never a formula


def test_a_bad_filter_asked_as_xlsx_is_a_400_in_json(api, world):
    response = api.get(URL, {"state": "zz", "format": "xlsx"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["state"]
    assert not response.has_header("Content-Disposition")


def test_writes_do_not_answer_as_a_workbook(curator_api, world):
    response = curator_api.post(f"{URL}?format=xlsx", {}, format="json")
    assert response.status_code == 404


def grow(world, count):
    """`count` more agreements like the alliance: three parties in three cities."""
    texas = world["texas"]
    for _ in range(count):
        agreement = f.AgreementFactory(framework=world["national"])
        for side in ("us", "us", "foreign"):
            office = (f.ConsulateFactory if side == "foreign" else f.OfficeFactory)(
                city=f.CityFactory(state=texas)
            )
            f.PartyFactory(agreement=agreement, office=office, side=side)
        f.PartyFactory(
            agreement=agreement,
            office=None,
            agency=f.ForeignAgencyFactory(),
            side="foreign",
        )
        agreement.laws.add(world["alliance"].laws.first())
        f.AgreementSourceFactory(agreement=agreement)


def count_queries(client, path, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured)


#: A file of every agreement: the revision, the agreements (with their
#: framework, renewed and renewal), their parties (with offices and agencies),
#: citations, documents, laws and topics (the API's reads); then, for the
#: derived columns, the countries of the offices' agencies, the offices' cities
#: with their states, and the countries of agencies named without an office;
#: and how many rows the file has (it is bounded, collection.api).
FILE_QUERIES = 11


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_file_query_counts_are_pinned_and_do_not_grow_with_the_rows(
    api, world, file_format
):
    small = count_queries(api, URL, format=file_format)
    grow(world, 10)
    large = count_queries(api, URL, format=file_format)
    assert (small, large) == (FILE_QUERIES, FILE_QUERIES)
    # Filters cost their own lookups (the agency, the state), not a query a row.
    filtered = {"agency": "dol-osha", "state": "tx"}
    before = count_queries(api, URL, format=file_format, **filtered)
    grow(world, 5)
    assert count_queries(api, URL, format=file_format, **filtered) == before


#: Fields that are not the agreement's data: ids and times of the writes.
# party_names is derived from the parties, which have their own file.
NOT_DATA = {
    "id", "version", "created_at", "updated_at", "framework", "renews", "party_names",
}  # fmt: skip


def agreements_as_stored():
    """Every agreement's fields, lists and references, by slug."""
    return {
        agreement.slug: (
            {
                field.name: getattr(agreement, field.attname)
                for field in Agreement._meta.concrete_fields
                if field.name not in NOT_DATA
            },
            agreement.framework.slug if agreement.framework else None,
            agreement.renews.slug if agreement.renews else None,
            sorted(law.slug for law in agreement.laws.all()),
            sorted(topic.slug for topic in agreement.topics.all()),
            [c.source.url for c in agreement.citations.order_by("-is_primary", "pk")],
        )
        for agreement in Agreement.objects.select_related(
            "framework", "renews"
        ).prefetch_related("laws", "topics")
    }


def test_an_exported_file_imports_back_over_the_same_rows_unchanged(api, world):
    before = agreements_as_stored()
    content = api.get(URL, {"format": "csv"}).content.decode()
    result = import_dataset("agreements", tablib.Dataset().load(content, format="csv"))
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == len(before)  # every row unchanged
    assert agreements_as_stored() == before


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_exported_file_imports_into_an_empty_registry_as_the_same_data(
    api, world, file_format
):
    before = agreements_as_stored()
    content = api.get(URL, {"format": file_format}).content
    dataset = load_dataset(content, file_format)
    assert set(DERIVED) <= set(dataset.headers)
    Agreement.objects.update(framework=None, renews=None)
    Agreement.objects.all().delete()
    result = import_dataset("agreements", dataset)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == len(before)
    assert agreements_as_stored() == before
    framework = Agreement.objects.get(slug="undated").framework
    assert framework is not None and framework.slug == "national-declaration"


def test_the_list_page_offers_csv_and_xlsx_of_the_rows_shown(client, world):
    page = client.get("/agreements/", {"agency": "dol-osha"}).content.decode()
    links = dict(
        re.findall(r'href="(/api/v1/agreements/\?[^"]*format=(csv|xlsx))"', page)
    )
    assert set(links.values()) == {"csv", "xlsx"}
    by_format = {kind: link.replace("&amp;", "&") for link, kind in links.items()}
    assert by_format["xlsx"] == "/api/v1/agreements/?agency=dol-osha&format=xlsx"
    response = client.get(by_format["xlsx"])
    assert response["Content-Disposition"] == (
        f'attachment; filename="agreements-osha-{today()}.xlsx"'
    )
    assert [row[0] for row in workbook_rows(response.content)[1:]] == [
        "osha-austin-alliance"
    ]
    page = client.get("/agreements/").content.decode()
    assert 'href="/api/v1/agreements/?format=xlsx"' in page


def test_the_downloads_hold_the_new_columns_and_an_xlsx_of_each_file(
    client, world, settings
):
    settings.SITE_URL = "https://registry.example.org/"
    listing = client.get("/data/").content.decode()
    for extension in ("csv", "xlsx"):
        assert f'href="/data/latest/agreements.{extension}"' in listing
        assert f"agreements-{today()}.{extension}" in listing
    # Built by a Spanish reader's request, the files are everyone's: in English.
    as_csv = client.get("/es/data/latest/agreements.csv")
    rows = list(csv.DictReader(io.StringIO(body(as_csv).decode())))
    alliance = next(row for row in rows if row["slug"] == "osha-austin-alliance")
    assert alliance["page_url"] == (
        "https://registry.example.org/agreements/osha-austin-alliance/"
    )
    assert alliance["foreign_parties"] == "Consulate General of Mexico in Austin"
    assert alliance["cities"] == "Austin; El Paso"
    as_xlsx = client.get("/data/latest/agreements.xlsx")
    assert as_xlsx["Content-Type"] == XLSX_MEDIA_TYPE
    assert as_xlsx["Content-Disposition"] == (
        f'attachment; filename="agreements-{today()}.xlsx"'
    )
    assert workbook_rows(body(as_xlsx)) == list(
        csv.reader(
            io.StringIO(body(client.get("/data/latest/agreements.csv")).decode())
        )
    )
    package = client.get("/data/latest/datapackage.json")
    fields = {
        field["name"]: field
        for resource in json.loads(body(package))["resources"]
        if resource["name"] == "agreements"
        for field in resource["schema"]["fields"]
    }
    assert fields["signed_from"]["type"] == fields["signed_to"]["type"] == "date"
    assert fields["page_url"]["format"] == "uri"


def test_the_command_and_admin_exports_do_not_grow_with_the_rows(world):
    """`registry_export` and the admin export a query (all, or the admin's
    list) through the resource, which fetches the derived columns' records."""

    def exported():
        with CaptureQueriesContext(connection) as captured:
            dataset = export_dataset("agreements", Agreement.objects.order_by("slug"))
            export_dataset("agreements")  # all of them, as the command
        return len(captured), dataset

    small, dataset = exported()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["slug"] == "national-declaration"
    assert row["us_parties"] == "U.S. Department of Labor (DOL)"
    assert row["page_url"].endswith("/agreements/national-declaration/")
    grow(world, 10)
    # Each export: the agreements, then one query per related table (15);
    # all of them (the command's) have their framework and renewal in the
    # agreements' own query (14).
    assert exported()[0] == small == 15 + 14


def test_a_file_of_the_api_is_bounded_and_points_to_the_whole_collection(
    api, monkeypatch
):
    """Like its pages, a file of the API stops at Pagination.max_rows rows: a
    larger one is a 400 naming its size, the filters to narrow it and the
    whole collection's own file (built once per data revision)."""
    from collection.formats import Pagination

    monkeypatch.setattr(Pagination, "max_rows", 2)
    for kind in ("alliance", "alliance", "loa"):
        f.AgreementFactory(kind=kind)
    for file_format in ("csv", "xlsx"):
        refused = api.get(URL, {"format": file_format})
        assert refused.status_code == 400
    message = api.get(URL, {"format": "csv"}).content.decode()
    assert "These are 3 rows; a file of the API holds at most 2." in message
    assert "http://testserver/data/latest/agreements.csv" in message
    narrowed = api.get(URL, {"format": "csv", "kind": "alliance"})
    assert narrowed.status_code == 200
    assert len(csv_rows(narrowed)) == 2
