"""Synthetic data for benchmarks (`generate_synthetic`): the counts asked, every
record marked and valid, the same seed giving the same data, the refusals that
keep synthetic and real data apart, and pages that answer on it."""

from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from collection.history import tracked_models
from collection.models import Revision
from opendata.synthetic import MARK, PREFIX, URL_ROOT
from outreach.models import Edition, Event
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
from tests import factories as f

pytestmark = pytest.mark.django_db

SMALL = {"agreements": 60, "offices": 20, "events": 100, "sources": 40, "cities": 12}
TODAY = "2026-05-15"


def generate(*extra, today=TODAY, **counts):
    """Run the command at a small scale; its output."""
    options = {**SMALL, **counts}
    args = [arg for name, value in options.items() for arg in (f"--{name}", value)]
    out = StringIO()
    call_command(
        "generate_synthetic", *map(str, args), "--today", today, *extra, stdout=out
    )
    return out.getvalue()


def snapshot():
    """What the same seed must give again: slugs, titles, dates, parties."""
    return {
        "agreements": list(
            Agreement.objects.order_by("slug").values_list(
                "slug", "title_en", "title_es", "signed_on", "expiry_earliest"
            )
        ),
        "parties": list(
            Party.objects.order_by("agreement__slug", "position").values_list(
                "agreement__slug", "office__slug", "agency__slug", "signer_name"
            )
        ),
        "offices": list(Office.objects.order_by("slug").values_list("slug", "name")),
        "events": list(
            Event.objects.order_by("slug").values_list(
                "slug", "title_en", "title_es", "starts_at", "ends_at"
            )
        ),
    }


def test_it_creates_the_counts_asked_with_parties_on_both_sides():
    out = generate()

    assert Agreement.objects.published().count() == 60
    assert Agreement.objects.count() == 60
    assert Office.objects.count() == 20
    assert Event.objects.count() == 100
    assert Source.objects.count() == 40
    assert City.objects.count() == 12
    per_agreement = Agreement.objects.annotate(
        us=Count("parties", filter=Q(parties__side=Party.Side.US), distinct=True),
        foreign=Count(
            "parties", filter=Q(parties__side=Party.Side.FOREIGN), distinct=True
        ),
        primary=Count("citations", filter=Q(citations__is_primary=True), distinct=True),
    )
    assert all(a.us >= 1 and a.foreign >= 1 for a in per_agreement)
    assert all(a.primary == 1 for a in per_agreement)
    assert 2.4 <= Party.objects.count() / 60 <= 3.5
    assert Document.objects.exists() and Jurisdiction.objects.exists()
    assert Edition.objects.filter(year=2009, number=1).exists()
    assert "Created:" in out and "60 agreements" in out
    assert "Generated " in out and " s." in out


def test_every_record_it_creates_is_marked():
    generate()

    for model in (State, City, Agency, Office, Law, Topic, Agreement, Event):
        assert not model.objects.exclude(slug__startswith=PREFIX).exists(), model
    assert not Source.objects.exclude(url__startswith=URL_ROOT).exists()
    assert not Document.objects.exclude(url__startswith=URL_ROOT).exists()
    assert not Agency.objects.exclude(website__startswith=URL_ROOT).exists()
    assert (
        not Office.objects.exclude(website="")
        .exclude(website__startswith=URL_ROOT)
        .exists()
    )
    assert (
        not Event.objects.exclude(registration_url="")
        .exclude(registration_url__startswith=URL_ROOT)
        .exists()
    )
    for model in (
        Source, City, Agency, Office, Jurisdiction, Agreement, Party,
        AgreementSource, Document, Edition, Event,
    ):  # fmt: skip
        assert not model.objects.exclude(note__startswith=MARK).exists(), model
    assert not Agreement.objects.exclude(summary_en__startswith=MARK).exists()
    # Countries (an ISO code and two names) are the one exception: real codes.
    assert set(Country.objects.values_list("code", flat=True)) >= {"us", "mx", "gt"}


def test_its_records_pass_the_models_validation_at_version_one():
    generate()

    for model in (
        State, City, Agency, Office, Jurisdiction, Source, Agreement, Party,
        AgreementSource, Document, Edition, Event,
    ):  # fmt: skip
        for record in model.objects.all():
            record.full_clean()
            assert record.version == 1, record
    statuses = {a.status_on(date(2026, 5, 15)) for a in Agreement.objects.all()}
    assert {"expired", "unknown"} <= statuses


def test_it_writes_no_history_and_moves_the_revision_once(client):
    before = Revision.current().number
    etag = client.get("/api/v1/agreements/").headers["ETag"]

    generate()

    assert Revision.current().number == before + 1
    assert client.get("/api/v1/agreements/").headers["ETag"] != etag
    for model in tracked_models():
        assert not model.history.exists(), model


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    generate("--seed", "7")
    first = snapshot()

    generate("--seed", "7", "--replace")
    assert snapshot() == first

    generate("--seed", "8", "--replace")
    other = snapshot()
    assert other["agreements"] != first["agreements"]
    assert other["events"] != first["events"]
    assert other["offices"] != first["offices"]


def test_dates_follow_today_but_slugs_and_titles_do_not():
    generate(today="2025-03-01")
    before = snapshot()
    day = datetime(2025, 3, 1, tzinfo=UTC)
    assert Event.objects.upcoming(now=day).exists()
    assert Event.objects.past(now=day).exists()

    generate("--replace", today="2026-10-01")
    after = snapshot()

    assert [row[:3] for row in after["agreements"]] == [
        row[:3] for row in before["agreements"]
    ]
    assert [row[:3] for row in after["events"]] == [row[:3] for row in before["events"]]
    assert after["events"] != before["events"]  # the dates moved
    assert Edition.objects.order_by("-year").first().year == 2027


@pytest.mark.parametrize(
    "real",
    [
        f.AgreementFactory,
        f.OfficeFactory,
        lambda: f.EditionFactory(year=2012),
        f.EventFactory,
    ],
    ids=["agreement", "office", "edition", "event"],
)
def test_it_refuses_a_database_with_real_data_and_writes_nothing(real):
    real()
    counts = {m: m.objects.count() for m in (Country, Source, Agency, City, Topic)}
    revision = Revision.current().number

    with pytest.raises(CommandError, match="holds real records.*Nothing was written"):
        generate()

    assert {m: m.objects.count() for m in counts} == counts
    assert Revision.current().number == revision
    assert not Agreement.objects.filter(slug__startswith=PREFIX).exists()


def test_run_again_it_refuses_unless_told_to_replace():
    generate()
    first = snapshot()

    with pytest.raises(CommandError, match="already holds synthetic data.*--replace"):
        generate(agreements=10)
    assert snapshot() == first

    out = generate("--replace", agreements=10, events=5, sources=3)
    assert "Deleted:" in out and "60 agreements" in out
    assert Agreement.objects.count() == 10
    assert Event.objects.count() == 5
    assert Source.objects.count() == 3
    assert Party.objects.filter(agreement__slug__startswith=PREFIX).count() == (
        Party.objects.count()
    )


def test_it_reuses_reference_rows_and_replace_leaves_them():
    texas = f.StateFactory(code="TX", slug="tx", name="Texas")
    houston = f.CityFactory(
        name="Houston", slug="houston-tx", state=texas, time_zone="America/Chicago"
    )
    wages = f.TopicFactory(slug="wages", name_en="Wages", name_es="Salarios")

    generate(cities=3)
    generate("--replace", cities=3)

    assert City.objects.filter(pk=houston.pk, note="").exists()
    assert Office.objects.filter(city=houston).exists()
    assert list(Topic.objects.all()) == [wages]
    assert Event.objects.filter(topics=wages).count() == Event.objects.count()
    synthetic_cities = City.objects.filter(slug__startswith=PREFIX)
    assert synthetic_cities.count() == 2
    assert State.objects.filter(slug="tx").exists()


def test_load_seed_refuses_a_synthetic_database():
    generate()

    for args in ([], ["--force"], ["--force", "--apply"]):
        with pytest.raises(CommandError, match="holds synthetic benchmark data"):
            call_command("load_seed", *args, stdout=StringIO())
    out = StringIO()
    call_command("load_seed", "--if-empty", stdout=out)

    assert "synthetic benchmark data" in out.getvalue()
    assert not Agreement.objects.exclude(slug__startswith=PREFIX).exists()
    assert not Law.objects.exclude(slug__startswith=PREFIX).exists()


def test_registry_import_refuses_a_synthetic_database():
    generate()
    laws = Law.objects.count()
    seed_laws = Path(__file__).resolve().parents[1] / "fixtures" / "laws.csv"

    with pytest.raises(CommandError, match="holds synthetic benchmark data"):
        call_command("registry_import", "laws", str(seed_laws), stdout=StringIO())

    assert Law.objects.count() == laws


def test_pages_and_the_api_answer_on_synthetic_data(client):
    generate()
    agreement = Agreement.objects.order_by("slug").last()
    office = Office.objects.filter(parties__isnull=False).order_by("slug").first()
    event = Event.objects.order_by("slug").first()
    edition = event.edition or Edition.objects.order_by("-year").first()

    for path in [
        "/agreements/",
        agreement.get_absolute_url(),
        f"/es{agreement.get_absolute_url()}",
        office.get_absolute_url(),
        event.get_absolute_url(),
        event.host_office.city.get_absolute_url(),
        Agency.objects.get(slug=f"{PREFIX}dol-whd").get_absolute_url(),
        edition.get_absolute_url(),
        "/api/v1/agreements/",
        f"/api/v1/agreements/{agreement.slug}/",
        "/api/v1/events/",
        "/api/v1/offices/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert agreement.title_en in page and MARK in page
    assert client.get("/api/v1/agreements/").json()["count"] == 60
