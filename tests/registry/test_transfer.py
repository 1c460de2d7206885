"""Spreadsheets in and out: every format, every collection, formula-safe
exports, the history of imported rows, and the commands' contract."""

from datetime import date
from io import BytesIO, StringIO

import openpyxl
import pytest
import tablib
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection.files import ImportFailed
from opendata.collections import COLLECTIONS, export_dataset, import_dataset, load_seed
from outreach.models import Event
from registry.models import Agreement, AgreementSource, City, Office
from tests import factories as f

pytestmark = pytest.mark.django_db


def dataset(text):
    return tablib.Dataset().load(text, format="csv")


def agreements_csv(count, start=0, **columns):
    header = "slug,title_en,kind,scope,signed_on,renews,laws,is_published,sources"
    rows = [
        f"bulk-{n},Letter {n},loa,local,2015-{1 + n % 12:02d},,flsa,true,"
        "https://www.dol.gov/1"
        for n in range(start, start + count)
    ]
    return dataset("\n".join([header, *rows]) + "\n")


@pytest.fixture
def references():
    f.LawFactory(slug="flsa")
    f.SourceFactory(url="https://www.dol.gov/1")


# --- Whole collections, every format ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_every_collection_round_trips_through_an_empty_database():
    """Export everything, empty the database, import the files in order: the
    exports are identical, for every collection."""
    load_seed()
    before = {name: export_dataset(name).export("csv") for name in COLLECTIONS}
    call_command("flush", interactive=False, verbosity=0)
    assert not Agreement.objects.exists()
    for name in COLLECTIONS:
        import_dataset(name, dataset(before[name]))
    after = {name: export_dataset(name).export("csv") for name in COLLECTIONS}
    for name in COLLECTIONS:
        assert after[name] == before[name], name


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_each_format_imports_what_it_exports(references, file_format):
    import_dataset("agreements", agreements_csv(3))
    exported = export_dataset("agreements").export(file_format)
    Agreement.objects.update(title_en="changed")
    import_dataset("agreements", tablib.Dataset().load(exported, format=file_format))
    assert sorted(Agreement.objects.values_list("title_en", flat=True)) == [
        "Letter 0",
        "Letter 1",
        "Letter 2",
    ]


def test_xlsx_files_are_parsed_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML  # openpyxl guards against XML entity attacks only then


# --- Formulas ------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x")', "+1 555", "-x", "@SUM(A1)", "\tTab", "'quoted"]


@pytest.mark.parametrize("text", FORMULAS)
def test_exports_escape_formulas_in_text_and_imports_undo_it(text):
    f.AgreementFactory(slug="a", title_en=text, note=text)
    exported = export_dataset("agreements")
    assert exported["title_en"] == ["'" + text]
    sheet = openpyxl.load_workbook(BytesIO(exported.export("xlsx"))).active
    titles = [cell.value for cell in sheet[2]]
    assert "'" + text in titles
    Agreement.objects.update(title_en="reset", note="")
    import_dataset("agreements", dataset(exported.export("csv")))
    assert Agreement.objects.values_list("title_en", "note").get() == (text, text)


def test_numbers_keep_their_sign():
    f.CityFactory(slug="el-paso-tx", latitude=31.76, longitude=-106.49)
    [longitude] = export_dataset("cities")["longitude"]
    assert float(longitude) == -106.49  # no apostrophe: not text


# --- Rows that refer to each other, bad rows, duplicates -----------------------------


def test_a_row_may_renew_an_agreement_of_an_earlier_row(references):
    data = agreements_csv(2)
    data[1] = tuple(
        "bulk-0" if header == "renews" else value
        for header, value in zip(data.headers, data[1], strict=True)
    )
    import_dataset("agreements", data)
    assert Agreement.objects.get(slug="bulk-1").renews.slug == "bulk-0"


def test_a_repeated_key_is_an_error_naming_both_rows(references):
    data = agreements_csv(3)
    data.append(data[0])
    with pytest.raises(ImportFailed) as failure:
        import_dataset("agreements", data)
    [error] = failure.value.errors
    assert error.row == 5
    assert "repeats row 2" in error.messages[0]
    assert not Agreement.objects.exists()


def test_a_database_constraint_names_its_row_and_its_rule():
    text = (
        "slug,name,agency,kind,active_from,active_to\n"
        f"ok,Office,{f.AgencyFactory().slug},district_office,2010-01-01,\n"
        f"backwards,Office,{f.AgencyFactory().slug},district_office,2015-01-01,2014-01-01\n"
    )
    with pytest.raises(ImportFailed) as failure:
        import_dataset("offices", dataset(text))
    [error] = failure.value.errors
    assert error.row == 3
    assert "constraint failed" not in error.messages[0].lower()
    assert "violates" not in error.messages[0]


@pytest.mark.django_db(transaction=True)
def test_an_update_breaking_a_constraint_names_its_row_and_keeps_every_record():
    agency = f.AgencyFactory().slug
    header = "slug,name,agency,kind,active_from,active_to\n"
    import_dataset(
        "offices",
        dataset(
            header + f"a,Office A,{agency},district_office,2010-01-01,\n"
            f"b,Office B,{agency},district_office,2010-01-01,\n"
        ),
    )
    text = (
        header + f"a,Office A renamed,{agency},district_office,2010-01-01,\n"
        f"b,Office B,{agency},district_office,2015-01-01,2014-01-01\n"
    )
    with pytest.raises(ImportFailed) as failure:
        import_dataset("offices", dataset(text))
    [error] = failure.value.errors
    assert error.row == 3
    assert "cannot close before it opens" in error.messages[0]
    assert sorted(Office.objects.values_list("name", "active_to")) == [
        ("Office A", None),
        ("Office B", None),
    ]

    good = text.replace("2015-01-01,2014-01-01", "2010-01-01,2014-01-01")
    import_dataset("offices", dataset(good))
    assert sorted(Office.objects.values_list("name", "active_to")) == [
        ("Office A renamed", None),
        ("Office B", date(2014, 1, 1)),
    ]


# --- History ---------------------------------------------------------------------------


def test_imported_rows_have_history_with_user_reason_and_lists(references):
    curator = f.curator()
    import_dataset("agreements", agreements_csv(2), user=curator, file_name="a.csv")
    record = Agreement.history.get(slug="bulk-0")
    assert (record.history_type, record.history_user) == ("+", curator)
    assert record.history_change_reason == "import of a.csv"
    assert [law.law.slug for law in record.laws.all()] == ["flsa"]
    citation = AgreementSource.history.get(agreement__slug="bulk-0")
    assert citation.history_user == curator and citation.is_primary


def test_reimporting_an_unchanged_file_changes_nothing_and_records_nothing(references):
    import_dataset("agreements", agreements_csv(3))
    result = import_dataset("agreements", agreements_csv(3))
    assert result.totals["skip"] == 3
    assert Agreement.history.count() == 3
    assert AgreementSource.history.count() == 3


def test_an_updated_row_records_old_and_new_values(references):
    import_dataset("agreements", agreements_csv(1))
    data = agreements_csv(1)
    data[0] = tuple(
        "Renamed" if header == "title_en" else value
        for header, value in zip(data.headers, data[0], strict=True)
    )
    import_dataset("agreements", data, user=f.curator())
    new, old = Agreement.history.filter(slug="bulk-0").order_by("-history_id")[:2]
    delta = new.diff_against(old)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("title_en", "Letter 0", "Renamed")
    ]
    assert new.history_type == "~"


# --- Speed: queries do not grow with the rows ------------------------------------------


def test_an_import_costs_no_query_per_row(references):
    """Rows are written in batches: ten times the rows, a few more statements
    (SQLite splits long INSERTs), never one more query per row."""

    def count(rows, start):
        with CaptureQueriesContext(connection) as captured:
            import_dataset("agreements", agreements_csv(rows, start=start))
        return len(captured)

    few, many = count(20, 0), count(200, 1000)
    assert many - few < 10 and many < 40


# --- The commands --------------------------------------------------------------------


def test_registry_export_writes_each_format(tmp_path):
    f.EventFactory(slug="e1")
    for file_format in ("csv", "xlsx", "json"):
        path = tmp_path / f"events.{file_format}"
        call_command("registry_export", "events", "-o", str(path), stderr=StringIO())
        data = tablib.Dataset().load(
            path.read_bytes() if file_format == "xlsx" else path.read_text(),
            format=file_format,
        )
        assert list(data["slug"]) == ["e1"]
    out = StringIO()
    call_command("registry_export", "events", "--format", "json", stdout=out)
    assert '"slug": "e1"' in out.getvalue()


def test_registry_import_reports_success_and_its_counts(tmp_path, references):
    path = tmp_path / "agreements.csv"
    path.write_text(agreements_csv(2).export("csv"))
    out = StringIO()
    call_command("registry_import", "agreements", str(path), stdout=out)
    assert "2 rows: 2 new, 0 updated, 0 unchanged" in out.getvalue()


def test_registry_import_with_a_bad_row_exits_non_zero_and_changes_nothing(
    tmp_path, references
):
    path = tmp_path / "agreements.csv"
    data = agreements_csv(3)
    data[1] = tuple(
        "treaty" if header == "kind" else value
        for header, value in zip(data.headers, data[1], strict=True)
    )
    path.write_text(data.export("csv"))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("registry_import", "agreements", str(path), stderr=err)
    assert "row 3: kind:" in err.getvalue()
    assert not Agreement.objects.exists()


def test_registry_import_dry_run_changes_nothing(tmp_path, references):
    path = tmp_path / "agreements.csv"
    path.write_text(agreements_csv(2).export("csv"))
    out = StringIO()
    call_command("registry_import", "agreements", str(path), "--dry-run", stdout=out)
    assert "dry run" in out.getvalue()
    assert not Agreement.objects.exists()


def test_registry_import_as_an_event_editor_is_scoped(tmp_path):
    mine, theirs = f.ConsulateFactory(slug="mine"), f.ConsulateFactory(slug="theirs")
    f.event_editor("editor", mine)
    event = f.EventFactory(slug="e", host_office=mine)
    path = tmp_path / "events.csv"
    exported = export_dataset("events", Event.objects.filter(pk=event.pk))
    path.write_text(exported.export("csv").replace(",mine,", ",theirs,"))
    with pytest.raises(CommandError):
        call_command(
            "registry_import",
            "events",
            str(path),
            "--user",
            "editor",
            stderr=StringIO(),
        )
    with pytest.raises(CommandError, match="may not import agreements"):
        call_command("registry_import", "agreements", str(path), "--user", "editor")
    assert Event.objects.get().host_office == mine
    assert theirs.pk


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "No file"),
        ("agreements.txt", "slug\n", "Unknown file format"),
        ("agreements.xlsx", "not a workbook", "Cannot read"),
    ],
)
def test_registry_import_explains_unreadable_files(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("registry_import", "agreements", str(path))


def test_cities_export_has_no_database_ids():
    city = f.CityFactory(slug="houston-tx")
    exported = export_dataset("cities")
    assert "id" not in exported.headers
    assert str(city.pk) not in exported.export("csv").split("\n")[1].split(",")[:1]
    assert City.objects.count() == 1


# --- Exports read a fixed number of queries -------------------------------------------


def add_records(count):
    """`count` of every kind of record, each with what its file names by key."""
    for _ in range(count):
        office = f.ConsulateFactory()
        f.JurisdictionFactory(office=office)
        f.ContactFactory(office=office)
        agreement = f.AgreementFactory(framework=f.AgreementFactory())
        f.PartyFactory(agreement=agreement, office=office)
        f.AgreementSourceFactory(agreement=agreement)
        f.DocumentFactory(agreement=agreement)
        edition = f.EditionFactory()
        f.EventFactory(edition=edition, host_office=office)
        f.OutcomeFactory(edition=edition)
        f.ProgrammeContactFactory()
        f.OrganizationFactory()


def export_queries():
    counts = {}
    for name in COLLECTIONS:
        with CaptureQueriesContext(connection) as captured:
            export_dataset(name).export("csv")
        counts[name] = len(captured)
    return counts


def test_every_collection_exports_in_queries_that_do_not_grow_with_its_rows():
    """`registry_export` and the admin's export: the records a file names by
    key come with their rows, not one query per row."""
    add_records(2)
    before = export_queries()
    add_records(6)
    assert export_queries() == before
    # One query for most files; the agreements' derived columns (parties by
    # name, cities, states, countries) and the lists of the others a few more.
    assert before["parties"] == before["jurisdictions"] == before["citations"] == 1
