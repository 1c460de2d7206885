"""The fourth reading (fixtures/source/research/): every fact with its page and
the page's words, the words shown with the source, a record that knows how
complete it is."""

import csv
from pathlib import Path

import pytest
import tablib
from django.core.management import call_command
from django.urls import reverse

from collection.files import ImportFailed
from opendata.collections import COLLECTIONS, export_dataset, import_dataset, load_seed
from outreach.models import Outcome
from registry.models import Agreement, AgreementSource, Source
from tests.helpers import seed_module

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "fixtures" / "source"
NOTES = FACTS / "research"
COVERAGE_DOC = ROOT / "docs" / "data-coverage.md"


research = seed_module("research")


def rows():
    return research.read_rows(NOTES)


def new_agreements():
    """The agreements the research adds: the records it gives a title."""
    return sorted({row["record"] for row in rows() if row["fact"] == "title"})


# --- The notes themselves ------------------------------------------------------------


def test_every_fact_of_the_research_has_its_page_and_the_pages_words():
    checked = rows()
    assert len(checked) > 500
    for row in checked:
        if row["fact"] in research.PROSE:
            continue
        assert row["url"].startswith(("http://", "https://")), row["_where"]
        assert 0 < len(row["quote"].split()) <= 25, row["_where"]


def test_every_new_agreement_of_the_research_cites_a_page_in_its_words():
    by_record: dict[str, list[dict[str, str]]] = {}
    for row in rows():
        if row["url"] and row["quote"]:
            by_record.setdefault(row["record"], []).append(row)
    added = new_agreements()
    assert len(added) >= 20
    assert not [slug for slug in added if slug not in by_record]


def write_notes(directory, *lines):
    header = "record,fact,value,url,quote,note"
    (directory / "family.csv").write_text("\n".join([header, *lines]) + "\n")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "2016-x-alliance,signed_on,2016-01-01,,,",
            "a fact needs the URL of the page it was read in",
        ),
        (
            "2016-x-alliance,signed_on,2016-01-01,https://www.osha.gov/a,,",
            "a fact read in a page needs the page's words (quote)",
        ),
        (
            "2016-x-alliance,signed_on,2016-01-01,https://www.osha.gov/a,"
            + " ".join(["word"] * 26)
            + ",",
            "the quote has 26 words; at most 25",
        ),
        (
            "2016-x-alliance,colour,blue,https://www.osha.gov/a,it is blue,",
            "unknown fact",
        ),
    ],
)
def test_a_fact_without_its_page_or_with_a_long_quote_is_refused(
    tmp_path, line, problem
):
    write_notes(tmp_path, line)
    with pytest.raises(research.ResearchError) as refused:
        research.read_rows(tmp_path)
    assert "family.csv:2" in str(refused.value)
    assert problem in str(refused.value)


def test_a_new_agreement_without_a_page_is_refused(tmp_path):
    """The registry's own words (a title, summaries) do not make an agreement:
    at least one fact must be read in a page, in its words."""
    write_notes(
        tmp_path,
        "2016-x-alliance,title,An alliance,,,",
        "2016-x-alliance,summary_en,It does things.,,,",
        "2016-x-alliance,summary_es,Hace cosas.,,,",
    )
    reading = research.Research(build=None, rows=research.read_rows(tmp_path))
    with pytest.raises(research.ResearchError, match="no fact read in a page"):
        reading.new_agreement("2016-x-alliance")


def test_a_new_agreement_without_its_kind_is_refused(tmp_path):
    write_notes(
        tmp_path,
        "2016-x-alliance,title,An alliance,,,",
        "2016-x-alliance,signed_on,2016-01-01,https://www.osha.gov/a,Signed January 1 2016,",
    )
    reading = research.Research(build=None, rows=research.read_rows(tmp_path))
    with pytest.raises(research.ResearchError, match="no kind"):
        reading.new_agreement("2016-x-alliance")


# --- In the registry -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("seed")
class TestSeed:
    def test_every_new_agreement_is_published_with_a_quoted_source(self):
        for slug in new_agreements():
            agreement = Agreement.objects.get(slug=slug)
            quotes = [c.quote for c in agreement.citations.all() if c.quote]
            assert quotes, slug
            assert all(len(q.split()) <= 25 for q in quotes), slug

    def test_no_citation_quotes_more_than_25_words(self):
        quotes = AgreementSource.objects.exclude(quote="").values_list(
            "quote", flat=True
        )
        assert len(quotes) > 100
        assert max(len(q.split()) for q in quotes) <= 25

    def test_the_quote_is_shown_under_its_source_on_the_agreement_page(self, client):
        citation = (
            AgreementSource.objects.exclude(quote="")
            .filter(agreement__is_published=True)
            .select_related("agreement", "source")
            .first()
        )
        page = client.get(citation.agreement.get_absolute_url()).content.decode()
        sources = page[page.index('id="sources-title"') :]
        from django.utils.html import escape

        assert f"“{escape(citation.quote)}”" in sources
        assert escape(citation.source.url) in sources

    def test_the_api_gives_each_source_with_its_quote(self, client):
        citation = (
            AgreementSource.objects.exclude(quote="")
            .exclude(supports="")
            .filter(agreement__is_published=True)
            .select_related("agreement", "source")
            .first()
        )
        url = reverse("api:agreement-detail", kwargs={"slug": citation.agreement.slug})
        sources = client.get(url).json()["sources"]
        cited = next(s for s in sources if s["url"] == citation.source.url)
        assert cited["quote"] == citation.quote
        assert cited["supports"] == citation.supports
        assert {"title", "publisher", "published_on", "archive_url"} <= set(cited)

    def test_the_citations_download_carries_the_quotes(self, client):
        response = client.get(reverse("opendata:latest", args=["citations.csv"]))
        assert response.status_code == 200
        lines = list(
            csv.DictReader(b"".join(response.streaming_content).decode().splitlines())
            if response.streaming
            else csv.DictReader(response.content.decode().splitlines())
        )
        quoted = [line for line in lines if line["quote"]]
        assert (
            len(quoted)
            == AgreementSource.objects.exclude(quote="")
            .filter(agreement__is_published=True)
            .count()
        )

    def test_sources_have_titles_publishers_and_dates_from_the_pages(self):
        assert Source.objects.exclude(title="").count() >= 150
        assert Source.objects.filter(published_on__isnull=False).count() >= 50

    def test_the_denver_alliance_is_renewed_in_2016_and_in_2023(self):
        renewal = Agreement.objects.get(slug="2023-osha-denver-mx-denver-alliance")
        assert str(renewal.signed_on) == "2023-02-09" and renewal.term_months == 24
        assert renewal.renews.slug == "2016-osha-denver-mx-denver-alliance"
        assert str(renewal.renews.signed_on) == "2016-12-09"
        assert renewal.renews.renews.slug == "2003-osha-englewood-mx-denver-alliance"
        assert renewal.renews.framework.slug == "2014-osha-mx-sre-loa"
        assert renewal.renews.status == Agreement.Status.SUPERSEDED
        citation = renewal.renews.citations.get(is_primary=True)
        assert citation.quote == "Region 8 - Renewal Agreement - December 9, 2016"

    def test_the_counties_an_alliance_names_are_its_consulates_service_area(self):
        from registry.models import Jurisdiction

        laredo = Jurisdiction.objects.filter(office__slug="mx-consulate-laredo")
        assert set(laredo.values_list("county", flat=True)) >= {
            "Duval",
            "Jim Hogg",
            "La Salle",
            "McMullen",
            "Webb",
            "Zapata",
        }
        # A state a text names is recorded as part of it, never the whole.
        named = Jurisdiction.objects.filter(note__startswith="Named as served")
        assert named.exists()
        assert not named.filter(county="", is_partial=False).exists()

    def test_a_report_gives_events_held_and_figures_with_its_words(self):
        reported = Outcome.objects.filter(agreement__isnull=False)
        assert reported.count() >= 5
        assert all(outcome.note.startswith("“") for outcome in reported)
        from outreach.models import Event

        held = Event.objects.filter(note__startswith="Reported in a report of")
        assert held.count() >= 15
        assert set(held.values_list("status", flat=True)) == {"held"}

    def test_the_coverage_document_says_what_the_data_says(self):
        from io import StringIO

        from opendata.management.commands.registry_coverage import BEGIN, END

        out = StringIO()
        call_command("registry_coverage", stdout=out)
        document = COVERAGE_DOC.read_text(encoding="utf-8")
        written = document.split(BEGIN, 1)[1].split(END, 1)[0].strip()
        assert written == out.getvalue().strip(), (
            "docs/data-coverage.md is out of date: run "
            "`make coverage` (manage.py registry_coverage --write docs/data-coverage.md)"
        )

    def test_the_numbers_page_says_how_complete_the_record_is(self, client):
        page = client.get(reverse("public:numbers")).content.decode()
        assert "How complete the record is" in page
        spanish = client.get("/es" + reverse("public:numbers")).content.decode()
        assert "Qué tan completo" in spanish


def test_a_citation_quote_of_more_than_25_words_is_refused_naming_its_row(db):
    from tests import factories as f

    agreement = f.AgreementFactory(slug="a-letter")
    for number, primary in ((1, True), (2, False)):
        source = f.SourceFactory(url=f"https://www.dol.gov/{number}")
        AgreementSource.objects.create(
            agreement=agreement, source=source, is_primary=primary
        )
    long_quote = " ".join(["word"] * 26)
    data = tablib.Dataset(headers=["agreement", "source", "is_primary", "quote"])
    data.append(["a-letter", "https://www.dol.gov/1", "true", "short words"])
    data.append(["a-letter", "https://www.dol.gov/2", "false", long_quote])
    with pytest.raises(ImportFailed) as refused:
        import_dataset("citations", data)
    assert "row 3: quote: A quote has at most 25 words; this one has 26." in str(
        refused.value
    )
    # Nothing imported: the good row waits for the file to be right.
    assert set(agreement.citations.values_list("quote", flat=True)) == {""}


@pytest.mark.django_db(transaction=True)
def test_registry_export_then_import_into_an_empty_database_reproduces_everything(
    tmp_path,
):
    load_seed()
    before = {name: export_dataset(name).export("csv") for name in COLLECTIONS}
    for name in COLLECTIONS:
        call_command("registry_export", name, output=tmp_path / f"{name}.csv")
    call_command("flush", interactive=False, verbosity=0)
    assert not Agreement.objects.exists() and not Outcome.objects.exists()
    for name in COLLECTIONS:
        call_command("registry_import", name, tmp_path / f"{name}.csv", verbosity=0)
    for name in COLLECTIONS:
        assert export_dataset(name).export("csv") == before[name], name
