"""The registry's file format: imports are all or nothing and name bad rows."""

from io import StringIO

import pytest
import tablib
from django.core.management import CommandError, call_command

from collection.files import ImportFailed
from opendata.collections import export_dataset, import_dataset
from registry.models import Agreement, Party
from registry.resources import AgreementResource
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "slug,title_en,kind,scope,signed_on,is_published,sources\n"


def dataset(text):
    return tablib.Dataset().load(text, format="csv")


@pytest.fixture
def source():
    return f.SourceFactory(url="https://www.osha.gov/news/1")


def test_a_good_file_imports_every_row_with_its_date_precision(source):
    import_dataset(
        "agreements",
        dataset(
            HEADER
            + "a-2011,Letter,loa,local,2011-11,true,https://www.osha.gov/news/1\n"
            + "a-2014,Interval,mou,national,2014-10-22/2014-10-23,false,\n"
        ),
    )
    first, second = Agreement.objects.order_by("slug")
    assert (first.signed.iso(), first.signed_on_precision) == ("2011-11", "month")
    assert second.signed_on_precision == "interval" and not second.is_published
    assert first.citations.get().is_primary


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(source):
    text = (
        HEADER
        + "good,Letter,loa,local,2011-11-01,true,\n"
        + "bad-date,Letter,loa,local,21/07/2004,true,\n"
        + "bad-kind,Letter,treaty,local,2012,true,\n"
        + "bad-source,Letter,loa,local,2012,true,https://nowhere.example/\n"
    )
    with pytest.raises(ImportFailed) as failure:
        import_dataset("agreements", dataset(text))
    rows = {error.row: " ".join(error.messages) for error in failure.value.errors}
    assert sorted(rows) == [3, 4, 5]  # spreadsheet rows: the header is row 1
    assert "21/07/2004" in rows[3]
    assert "treaty" in rows[4]
    assert "nowhere.example" in rows[5]
    assert not Agreement.objects.exists()


def test_a_database_constraint_failure_also_rolls_back_the_whole_file():
    f.AgreementFactory(slug="taken")
    text = (
        "slug,title_en,kind,scope,signed_on,expires_on\n"
        "new,Letter,loa,local,2015-08-31,2017-08-31\n"
        "backwards,Letter,loa,local,2015-08-31,2014-01-01\n"
    )
    with pytest.raises(ImportFailed) as failure:
        import_dataset("agreements", dataset(text))
    assert [error.row for error in failure.value.errors] == [3]
    assert list(Agreement.objects.values_list("slug", flat=True)) == ["taken"]


def test_unknown_columns_and_missing_keys_are_refused():
    with pytest.raises(ImportFailed, match="unknown columns: titel"):
        import_dataset("agreements", dataset("slug,titel\nx,Letter\n"))
    with pytest.raises(ImportFailed, match="missing columns: slug"):
        import_dataset("agreements", dataset("title_en\nLetter\n"))


def test_related_rows_are_referenced_by_slug_and_unknown_slugs_are_errors():
    agreement = f.AgreementFactory(slug="2012-osha-phoenix")
    office = f.ConsulateFactory(slug="mx-consulate-yuma")
    import_dataset(
        "parties",
        dataset(
            "agreement,side,office,agency,signer_name\n"
            "2012-osha-phoenix,foreign,mx-consulate-yuma,,\n"
        ),
    )
    assert Party.objects.get().office == office
    with pytest.raises(ImportFailed, match="mx-consulate-nowhere"):
        import_dataset(
            "parties",
            dataset(
                f"agreement,side,office\n{agreement.slug},foreign,mx-consulate-nowhere\n"
            ),
        )
    with pytest.raises(ImportFailed, match="no-such-law"):
        import_dataset(
            "agreements", dataset("slug,laws\n2012-osha-phoenix,no-such-law\n")
        )


def test_reimporting_a_file_updates_rows_instead_of_duplicating(source):
    text = HEADER + "a-2011,Letter,loa,local,2011-11,true,https://www.osha.gov/news/1\n"
    import_dataset("agreements", dataset(text))
    import_dataset(
        "agreements", dataset(text.replace("Letter", "Letter of arrangement"))
    )
    assert list(Agreement.objects.values_list("title_en", flat=True)) == [
        "Letter of arrangement"
    ]


def test_an_export_imports_back_unchanged(source):
    agreement = f.AgreementFactory(
        slug="a",
        signed_on=f.AgreementFactory._meta.model._meta.get_field("signed_on").to_python(
            "2015-08-31"
        ),
        term_months=24,
        framework=f.AgreementFactory(slug="national"),
    )
    f.AgreementSourceFactory(agreement=agreement, source=source)
    agreement.laws.add(f.LawFactory(slug="flsa"))
    exported = export_dataset("agreements")
    assert exported.headers == AgreementResource.export_headers()
    before = list(Agreement.objects.order_by("slug").values())
    import_dataset("agreements", exported)
    assert list(Agreement.objects.order_by("slug").values()) == [
        {**row, "updated_at": after["updated_at"]}
        for row, after in zip(
            before, Agreement.objects.order_by("slug").values(), strict=True
        )
    ]
    assert {a.slug: a.status for a in Agreement.objects.all()} == dict(
        zip(exported["slug"], exported["status"], strict=True)
    )


def test_load_seed_keeps_an_existing_database_and_reports_bad_files(tmp_path, settings):
    f.AgreementFactory()
    out = StringIO()
    call_command("load_seed", "--if-empty", stdout=out)
    assert "already has data" in out.getvalue()
    (tmp_path / "countries.csv").write_text("code,name_en,name_es\nMEX,Mexico,México\n")
    settings.FIXTURE_DIRS = [tmp_path]
    with pytest.raises(CommandError, match="(?s)countries: nothing imported.*row 2"):
        call_command("load_seed", "--force", stdout=out)
