"""Record versions: every curated record carries one; a save made on a version
the record no longer has is refused by the database (a conditional UPDATE),
whatever the interleaving; imports move versions on without the check."""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from collection.history import tracked_models
from collection.models import StaleVersion, Versioned, number_versions
from opendata.collections import COLLECTIONS, export_dataset, import_dataset
from registry.models import Agreement, AgreementSource, Topic
from registry.services import cite_sources
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_curated_model_is_versioned():
    assert [m for m in tracked_models() if not issubclass(m, Versioned)] == []


def test_a_record_starts_at_1_and_each_save_moves_it_on_with_its_history():
    topic = f.TopicFactory(name_en="Wages")
    assert topic.version == 1
    topic.name_en = "Wages and hours"
    topic.save()
    assert topic.version == 2
    assert Topic.objects.get(pk=topic.pk).version == 2
    assert list(
        topic.history.order_by("history_id").values_list("history_type", "version")
    ) == [("+", 1), ("~", 2)]


def test_a_save_on_a_stale_version_is_refused_and_writes_nothing():
    agreement = f.AgreementFactory(title_en="Old", summary_en="Old summary")
    mine = Agreement.objects.get(pk=agreement.pk)
    theirs = Agreement.objects.get(pk=agreement.pk)
    theirs.title_en = "Theirs"
    theirs.save()

    mine.summary_en = "Mine"
    # Like any failed save, it spoils the transaction it is in: the callers
    # (admin, API, services) make it inside an atomic block of its own.
    with pytest.raises(StaleVersion) as refused, transaction.atomic():
        mine.save()

    assert (refused.value.expected, refused.value.current) == (1, 2)
    current = Agreement.objects.get(pk=agreement.pk)
    assert (current.title_en, current.summary_en) == ("Theirs", "Old summary")
    assert current.history.count() == 2  # no history row for the refused save


def test_a_save_with_update_fields_is_checked_too():
    topic = f.TopicFactory(name_en="Wages")
    stale = Topic.objects.get(pk=topic.pk)
    topic.save()
    stale.name_en = "Stale"
    with pytest.raises(StaleVersion), transaction.atomic():
        stale.save(update_fields=["name_en"])
    assert Topic.objects.get(pk=topic.pk).name_en == "Wages"


def test_a_save_of_a_record_deleted_since_is_refused_not_recreated():
    topic = f.TopicFactory()
    stale = Topic.objects.get(pk=topic.pk)
    topic.delete()
    with pytest.raises(StaleVersion) as refused, transaction.atomic():
        stale.save()
    assert refused.value.current is None
    assert not Topic.objects.filter(pk=stale.pk).exists()


def test_hold_checks_the_version_without_moving_it_on():
    topic = f.TopicFactory()
    topic.hold()
    assert Topic.objects.get(pk=topic.pk).version == 1
    Topic.objects.get(pk=topic.pk).save()
    with pytest.raises(StaleVersion):
        topic.hold()


def test_a_list_change_is_a_version_with_its_own_history_row():
    agreement = f.AgreementFactory()
    agreement.laws.add(f.LawFactory())
    assert agreement.version == 2
    assert Agreement.objects.get(pk=agreement.pk).version == 2
    versions = agreement.history.order_by("history_id").values_list(
        "version", flat=True
    )
    assert list(versions) == [1, 2]
    agreement.title_en = "Still saves"  # the instance followed the list's version
    agreement.save()
    assert agreement.version == 3


def test_an_import_moves_versions_on_without_the_check_and_records_them():
    agreement = f.AgreementFactory(title_en="Old")
    opened_before = Agreement.objects.get(pk=agreement.pk)
    data = export_dataset("agreements", Agreement.objects.filter(pk=agreement.pk))
    data.dict = [{**data.dict[0], "title_en": "Imported"}]

    import_dataset("agreements", data, user=f.curator())

    current = Agreement.objects.get(pk=agreement.pk)
    assert current.title_en == "Imported"
    assert current.version == opened_before.version + 1
    latest = current.history.latest("history_id")
    assert (latest.version, latest.history_type) == (current.version, "~")
    # A form or client that read the record before the import is stale now.
    opened_before.summary_en = "Too late"
    with pytest.raises(StaleVersion), transaction.atomic():
        opened_before.save()
    # Importing the same file again changes nothing, the version included.
    import_dataset("agreements", data, user=f.curator("again"))
    assert Agreement.objects.get(pk=agreement.pk).version == current.version


def test_citations_rewritten_in_bulk_move_on_too():
    citation = f.AgreementSourceFactory(is_primary=False)
    first = f.SourceFactory()
    cite_sources(
        citations={citation.agreement: [first, citation.source]}, by=None, reason=""
    )
    moved = AgreementSource.objects.get(pk=citation.pk)
    assert (moved.is_primary, moved.version) == (False, citation.version)
    cite_sources(
        citations={citation.agreement: [citation.source, first]}, by=None, reason=""
    )
    moved = AgreementSource.objects.get(pk=citation.pk)
    assert moved.is_primary and moved.version == citation.version + 1
    assert moved.history.latest("history_id").version == moved.version


def test_the_version_is_in_no_file_and_no_api_body(client):
    for name, resource in COLLECTIONS.items():
        assert "version" not in resource.export_headers(), name
    f.AgreementFactory(slug="a")
    assert "version" not in client.get("/api/v1/agreements/a/").json()


def test_existing_rows_get_the_versions_their_history_implies():
    """What the migration adding the field does (registry 0013, outreach 0014)."""
    topic = f.TopicFactory()
    for name in ("Second", "Third"):
        topic.name_en = name
        topic.save()
    gone = f.TopicFactory()
    gone.delete()
    untouched = f.TopicFactory()
    history = Topic.history.model
    before = sorted(history.objects.values_list("history_id", "version"))
    Topic.objects.update(version=1)
    history.objects.update(version=1)

    number_versions(Topic, history)

    assert Topic.objects.get(pk=topic.pk).version == 3
    assert Topic.objects.get(pk=untouched.pk).version == 1
    assert sorted(history.objects.values_list("history_id", "version")) == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_on_postgresql_one_wins_the_other_is_refused():
    """Two connections save the same record at once: the second one's UPDATE
    waits for the first one's row lock, then finds a newer version and
    matches nothing. The order of the steps is fixed by events, not by time."""
    assert connection.vendor == "postgresql"  # the marker leaves it out on SQLite
    agreement = f.AgreementFactory(title_en="Old")
    first_saved, second_read, first_may_commit = (threading.Event() for _ in "abc")
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                mine = Agreement.objects.get(pk=agreement.pk)
                mine.title_en = "First"
                mine.save()  # holds the row lock until the commit
                first_saved.set()
                first_may_commit.wait(30)
            outcome["first"] = "saved"
        finally:
            close_old_connections()
            connection.close()

    def second() -> None:
        try:
            first_saved.wait(30)
            with transaction.atomic():
                mine = Agreement.objects.get(pk=agreement.pk)  # still version 1
                second_read.set()
                mine.title_en = "Second"
                try:
                    mine.save()  # waits for the first to commit
                    outcome["second"] = "saved"
                except StaleVersion as stale:
                    outcome["second"] = ("refused", stale.current)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    second_read.wait(30)
    first_may_commit.set()
    for thread in threads:
        thread.join(60)

    assert outcome == {"first": "saved", "second": ("refused", 2)}
    assert Agreement.objects.get(pk=agreement.pk).title_en == "First"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("terminations", [1, 2])
def test_a_read_whose_connection_is_terminated_is_answered_on_a_new_one(
    client, monkeypatch, terminations
):
    """pg_terminate_backend during a request (a restart, a failover, an
    operator), once or again on the new connection: the page is read again
    on a new connection, not a 500."""
    from collection.models import Revision

    f.AgreementFactory(title_en="Still here")
    current = Revision.current.__func__
    calls = []

    def terminated(cls):
        calls.append(connection.cursor().connection.info.backend_pid)
        if len(calls) <= terminations:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return current(cls)

    monkeypatch.setattr(Revision, "current", classmethod(terminated))
    response = client.get("/api/v1/agreements/")
    assert response.status_code == 200
    assert response.json()["results"][0]["title_en"] == "Still here"
    assert len(calls) == terminations + 1 and len(set(calls)) == len(calls)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_is_run_again_twice_at_most(client, monkeypatch):
    from collection.middleware import READ_RETRIES
    from collection.models import Revision

    calls = []

    def always_terminated(cls):
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(Revision, "current", classmethod(always_terminated))
    client.raise_request_exception = False
    assert client.get("/api/v1/agreements/").status_code == 500
    assert len(calls) == 1 + READ_RETRIES


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_whose_connection_is_terminated_is_not_repeated(monkeypatch):
    """The client of a write cannot know whether it was saved: it is told
    (500) and repeats it itself; the server never runs a write twice."""
    from collection.models import Versioned
    from tests.api.conftest import client_with_token

    topic = f.TopicFactory(name_en="Before")
    api = client_with_token(f.curator("writer"))
    calls = []

    def terminated(self):
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(Versioned, "hold", terminated)
    api.raise_request_exception = False
    response = api.patch(
        f"/api/v1/topics/{topic.slug}/", {"name_en": "After"}, format="json"
    )
    assert response.status_code == 500
    assert len(calls) == 1
    topic.refresh_from_db()
    assert topic.name_en == "Before"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_download_whose_build_loses_its_connection_is_built_again(
    client, monkeypatch
):
    """The build of /data/latest/ runs in a transaction; when its connection
    is terminated the transaction's rollback replaces the connection, and the
    error, not the connection, shows the loss: the read is run again."""
    from opendata import builds

    f.AgreementFactory(title_en="Still here")
    spy = builds.write_package
    calls = []

    def terminated(folder, on=None):
        calls.append(1)
        if len(calls) == 1:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return spy(folder, on)

    monkeypatch.setattr(builds, "write_package", terminated)
    response = client.get("/data/latest/registry.zip")
    assert response.status_code == 200
    assert len(calls) == 2


def test_a_connection_lost_while_results_stream_counts_as_lost():
    """A server-side cursor (an export streaming rows) that loses its server
    gets no SQLSTATE from libpq, only its words: still a lost connection, so
    the read is run again; an error of the query itself is not."""
    import psycopg
    from django.db import OperationalError

    from collection.middleware import ended_connection

    def wrapped(cause):
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error

    lost = psycopg.OperationalError(
        "consuming input failed: server closed the connection unexpectedly"
    )
    assert ended_connection(wrapped(lost))
    assert not ended_connection(wrapped(psycopg.OperationalError("deadlock detected")))
