"""The seed data in fixtures/ loads, is complete, and says what the facts say."""

import csv
import filecmp
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import Count, Q

from opendata.collections import COLLECTIONS, load_seed, seed_directory
from outreach.models import Edition, Event
from registry.models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Office,
    Party,
    Source,
)

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "fixtures" / "source"


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    """Load the seed once for this module, and roll it back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_seed()
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed")]


def facts(name):
    with open(FACTS / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_agreement_in_the_facts_is_loaded():
    assert Agreement.objects.count() == len(facts("agreements.csv")) == 138
    titles = set(Agreement.objects.values_list("title_en", flat=True))
    assert titles == {row["title"] for row in facts("agreements.csv")}


def test_every_office_in_the_facts_is_loaded_with_its_city():
    names = set(Office.objects.values_list("name", "city__name"))
    for row in facts("consulates.csv"):
        assert (row["office_name"], row["city"]) in names


def test_every_agreement_has_a_party_and_exactly_one_primary_source():
    counted = Agreement.objects.annotate(
        parties_count=Count("parties", distinct=True),
        primary=Count("citations", filter=Q(citations__is_primary=True), distinct=True),
    )
    assert not counted.filter(parties_count=0).exists()
    assert set(counted.values_list("primary", flat=True)) == {1}
    primary_urls = set(
        AgreementSource.objects.filter(is_primary=True).values_list(
            "source__url", flat=True
        )
    )
    assert primary_urls == {row["source_url"] for row in facts("agreements.csv")}


def test_the_arizona_alliance_is_one_agreement_with_five_consulates():
    alliance = Agreement.objects.get(
        title_en="OSHA Phoenix Area Office alliance with the Mexican consulates in Arizona"
    )
    foreign = alliance.parties.filter(side=Party.Side.FOREIGN).select_related(
        "office__city"
    )
    assert sorted(p.office.city.name for p in foreign) == [
        "Douglas",
        "Nogales",
        "Phoenix",
        "Tucson",
        "Yuma",
    ]
    assert alliance.kind == Agreement.Kind.ALLIANCE
    assert alliance.signed.iso() == "2012-04-27"
    # The research article's 1 June 2010 is the national letter the alliance cites.
    assert alliance.framework.signed.iso() == "2010-06-01"
    assert alliance.framework.kind == Agreement.Kind.LOA


def test_the_2004_package_is_a_joint_declaration_and_two_letters():
    declaration = Agreement.objects.get(signed_on=date(2004, 7, 21), kind="declaration")
    letters = declaration.local_agreements.all()
    assert {letter.kind for letter in letters} == {Agreement.Kind.LOA}
    assert {letter.signed_on for letter in letters} == {date(2004, 7, 21)}
    assert {
        p.agency.acronym for letter in letters for p in letter.parties.filter(side="us")
    } == {
        "WHD",
        "OSHA",
    }


def test_vague_parties_are_the_agency_not_an_invented_office():
    letter = Agreement.objects.get(slug="2004-osha-mx-sre-loa")
    foreign = letter.parties.get(side=Party.Side.FOREIGN)
    assert foreign.office is None
    assert foreign.agency.acronym == "SRE"


def test_labor_rights_week_editions_are_numbered_from_2009():
    editions = list(Edition.objects.order_by("year"))
    assert editions[0].year == 2009 and editions[0].number == 1
    assert all(edition.number == edition.year - 2008 for edition in editions)
    first = editions[0]
    assert (first.starts_on, first.ends_on) == (date(2009, 8, 31), date(2009, 9, 4))
    # Sources disagree on how many consulates took part in 2009: all are kept.
    assert sorted(o.value for o in first.outcomes.filter(metric="consulates")) == [
        11,
        13,
        14,
        15,
    ]


def test_unknown_dates_stay_unknown_and_partial_dates_keep_their_precision():
    by_id = {row["title"]: row for row in facts("agreements.csv")}
    for agreement in Agreement.objects.all():
        assert agreement.signed.iso() == by_id[agreement.title_en]["date_signed"]


def test_every_event_and_edition_has_a_source_and_cancelled_events_stay():
    assert not Event.objects.filter(sources=None).exists()
    assert not Edition.objects.filter(sources=None).exists()
    assert Event.objects.filter(
        status=Event.Status.CANCELLED, is_published=True
    ).exists()
    chicago = Event.objects.get(slug="2017-chicago-labor-rights-week")
    assert {t.slug for t in chicago.topics.all()} >= {"sexual-harassment"}


def test_sources_carry_the_facts_reliability_ratings():
    assert (
        Source.objects.get(url__startswith="http://founderscode.com").reliability
        == "low"
    )
    assert Source.objects.filter(url__contains="dol.gov", reliability="high").exists()


def test_the_fixtures_are_rebuilt_identically_from_the_facts(tmp_path):
    subprocess.run(  # noqa: S603 (our own script, run with this interpreter)
        [sys.executable, str(FACTS / "build.py"), str(tmp_path)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    for collection in COLLECTIONS:
        name = f"{collection}.csv"
        assert filecmp.cmp(tmp_path / name, seed_directory() / name, shallow=False), (
            name
        )


def test_curators_see_the_arizona_alliance_and_the_2004_package_in_the_admin(
    admin_client,
):
    alliance = Agreement.objects.get(slug="2012-osha-phoenix-mx-phoenix-alliance")
    page = admin_client.get(
        f"/admin/registry/agreement/{alliance.pk}/change/"
    ).content.decode()
    for city in ("Phoenix", "Nogales", "Tucson", "Yuma", "Douglas"):
        assert f"Mexico in {city}" in page
    declaration = Agreement.objects.get(slug="2004-dol-mx-sre-declaration")
    page = admin_client.get(
        f"/admin/registry/agreement/{declaration.pk}/change/"
    ).content.decode()
    assert "Letter of Agreement between DOL Wage and Hour Division and SRE" in page
    assert "Letter of Agreement between OSHA and SRE" in page
    editions = admin_client.get("/admin/outreach/edition/").content.decode()
    assert "2009" in editions and "2024" in editions


def test_every_public_page_of_the_seed_data_answers(client):
    pages = [
        *Agreement.objects.published(),
        *Office.objects.all(),
        *City.objects.all(),
        *Agency.objects.all(),
        *Edition.objects.all(),
        *Event.objects.published(),
    ]
    for path in ["/", "/es/", *(page.get_absolute_url() for page in pages)]:
        assert client.get(path).status_code == 200, path
