"""/data/latest/: files built once per data revision and day, then served."""

import io
import json
import os
import threading
import time
import zipfile
from contextlib import nullcontext
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from opendata import builds
from opendata.downloads import PACKAGE_FILES, write_package
from tests import factories as f

from .test_opendata import body, count_queries, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    draft = f.AgreementFactory(slug="draft", is_published=False)
    f.PartyFactory(agreement=draft, signer_name="Secret Signer")
    f.AgreementSourceFactory(agreement=draft, source__url="https://only.cited.by/draft")
    public = f.AgreementFactory(slug="public")
    f.PartyFactory(agreement=public)
    f.EventFactory(slug="draft-event", is_published=False)
    f.EventFactory(slug="public-event")
    return {"public": public}


@pytest.fixture
def made(monkeypatch):
    """The builds written, as (day, folder) pairs."""
    calls = []

    def spy(folder, on=None):
        calls.append(on)
        write_package(folder, on)

    monkeypatch.setattr(builds, "write_package", spy)
    return calls


def build_folders(settings):
    return sorted(
        child.name
        for child in settings.OPEN_DATA_BUILD_ROOT.iterdir()
        if not child.name.startswith(".")
    )


def test_the_first_download_builds_and_the_next_ones_are_served(client, data, made):
    first = client.get("/data/latest/registry.zip")
    assert first.streaming and len(made) == 1
    assert count_queries(client, "/data/latest/registry.zip") == 1
    for name in PACKAGE_FILES:
        response = client.get(f"/data/latest/{name}")
        assert response.status_code == 200 and response.streaming
    assert len(made) == 1


def test_a_save_changes_the_etag_and_the_files(client, data, made):
    before = client.get("/data/latest/agreements.csv")
    agreement = data["public"]
    agreement.title_en = "Renamed letter"
    agreement.save()
    after = client.get("/data/latest/agreements.csv")
    assert after["ETag"] != before["ETag"]
    assert [a["title_en"] for a in rows(body(after))] == ["Renamed letter"]
    stale = client.get("/data/latest/agreements.csv", HTTP_IF_NONE_MATCH=before["ETag"])
    assert stale.status_code == 200
    assert len(made) == 2


def test_a_new_day_changes_the_etag_and_the_files(client, data, made, monkeypatch):
    today = timezone.localdate()
    before = client.get("/data/latest/datapackage.json")
    tomorrow = today + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    after = client.get("/data/latest/datapackage.json")
    assert after["ETag"] != before["ETag"]
    assert json.loads(body(after))["version"] == tomorrow.isoformat()
    assert f"registry-datapackage-{tomorrow}.json" in after["Content-Disposition"]
    assert made == [today, tomorrow]


def test_served_files_are_what_a_fresh_build_writes(client, data, tmp_path):
    served = {name: body(client.get(f"/data/latest/{name}")) for name in PACKAGE_FILES}
    write_package(tmp_path, timezone.localdate())
    fresh = {name: (tmp_path / name).read_bytes() for name in PACKAGE_FILES}

    def package(content):
        return {**json.loads(content), "created": None}

    for name in PACKAGE_FILES:
        if name.endswith(".csv"):
            assert served[name] == fresh[name], name
    assert package(served["datapackage.json"]) == package(fresh["datapackage.json"])
    archive = zipfile.ZipFile(io.BytesIO(served["registry.zip"]))
    # The zip is the data package: the CSVs and their dictionary.
    assert sorted(archive.namelist()) == sorted(
        name for name in PACKAGE_FILES if name.endswith((".csv", ".json"))
    )
    for name in archive.namelist():
        assert archive.read(name) == served[name], name  # the zip holds the files


def test_drafts_stay_out_of_the_built_files(client, data):
    archive = zipfile.ZipFile(io.BytesIO(body(client.get("/data/latest/registry.zip"))))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Secret Signer" not in everything and b"draft-event" not in everything
    assert b"only.cited.by" not in everything


def test_only_the_newest_builds_are_kept(client, data, settings):
    leftover = settings.OPEN_DATA_BUILD_ROOT / ".build-crashed"
    leftover.mkdir(parents=True)
    old = time.time() - 2 * builds.STALE_AFTER
    os.utime(leftover, (old, old))
    numbers = []
    for n in range(builds.KEPT + 2):
        f.LawFactory(slug=f"law-{n}")
        client.get("/data/latest/laws.csv")
        numbers.append(max(int(name.split("-")[0]) for name in build_folders(settings)))
    today = timezone.localdate()
    assert build_folders(settings) == sorted(
        f"{number}-{today}" for number in numbers[-builds.KEPT :]
    )
    assert not leftover.exists()


def test_the_build_command_builds_ahead(client, data, made, settings):
    call_command("build_open_data")
    assert len(made) == 1
    assert count_queries(client, "/data/latest/registry.zip") == 1
    call_command("build_open_data")
    assert len(made) == 1


def test_todays_snapshot_is_the_latest_build(client, data, made, settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path / "snapshots"
    call_command("publish_open_data")
    folder = settings.OPEN_DATA_ROOT / timezone.localdate().isoformat()
    latest = client.get("/data/latest/registry.zip")
    assert body(latest) == (folder / "registry.zip").read_bytes()
    assert len(made) == 1


def concurrently(*jobs):
    """Run the jobs in threads, each with its own database connection."""
    results, errors = [None] * len(jobs), []

    def run(index, job):
        try:
            results[index] = job()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, job))
        for index, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    return threads, results, errors


def slow_builds(monkeypatch):
    """Builds that start (`inside` is set) and wait for `finish` to write."""
    inside, finish = threading.Event(), threading.Event()
    spy = builds.write_package

    def slow(folder, on=None):
        inside.set()
        finish.wait(10)
        spy(folder, on)

    monkeypatch.setattr(builds, "write_package", slow)
    return inside, finish


@pytest.mark.django_db(transaction=True)
def test_builders_on_one_host_take_turns(data, made, monkeypatch):
    """The second builder waits for the first, then serves its build."""
    inside, finish = slow_builds(monkeypatch)
    day = timezone.localdate()
    first, results, errors = concurrently(lambda: builds.ensure(day))
    assert inside.wait(10)
    second, more, more_errors = concurrently(lambda: builds.ensure(day))
    time.sleep(0.2)  # let the second reach the lock (it passes either way)
    finish.set()
    for thread in first + second:
        thread.join(20)
    assert not errors and not more_errors
    assert results[0] == more[0]
    assert len(made) == 1
    files = [name for name in os.listdir(results[0].folder) if name != builds.TIMING]
    assert sorted(files) == sorted(PACKAGE_FILES)


@pytest.mark.django_db(transaction=True)
def test_while_a_new_revision_is_built_the_last_build_is_served_at_once(
    data, made, monkeypatch
):
    """Under a stream of changes, downloads do not queue behind the builder:
    they get the newest complete build, one revision behind at most."""
    day = timezone.localdate()
    earlier = builds.ensure(day)
    inside, finish = slow_builds(monkeypatch)
    agreement = data["public"]
    agreement.title_en = "Renamed letter"
    agreement.save()  # a new revision, not built yet
    first, results, errors = concurrently(lambda: builds.ensure(day))
    assert inside.wait(10)
    started = time.monotonic()
    served, more, more_errors = concurrently(lambda: builds.ensure(day))
    for thread in served:
        thread.join(5)
    assert time.monotonic() - started < 5 and not more_errors
    assert more[0].number == earlier.number and more[0].folder == earlier.folder
    finish.set()
    for thread in first:
        thread.join(20)
    assert not errors and results[0].number > earlier.number
    # Once built, the new revision is what everyone gets.
    assert builds.ensure(day).number == results[0].number


@pytest.mark.django_db(transaction=True)
def test_builders_without_the_lock_leave_one_complete_build(data, made, monkeypatch):
    """Two hosts on a shared folder: both build, one rename wins, the other
    uses the winner's files and leaves nothing behind."""
    monkeypatch.setattr(builds, "_lock", lambda folder, wait=True: nullcontext(True))
    both = threading.Barrier(2)
    spy = builds.write_package

    def together(folder, on=None):
        both.wait(10)  # both are building at once
        spy(folder, on)

    monkeypatch.setattr(builds, "write_package", together)
    day = timezone.localdate()
    threads, results, errors = concurrently(
        lambda: builds.ensure(day), lambda: builds.ensure(day)
    )
    for thread in threads:
        thread.join(20)
    assert not errors
    assert results[0] == results[1] and len(made) == 2
    root = results[0].folder.parent
    assert [child.name for child in root.iterdir() if child.name != ".lock"] == [
        results[0].folder.name
    ]
    archive = zipfile.ZipFile(results[0].path("registry.zip"))
    assert archive.testzip() is None
    assert (
        date.fromisoformat(json.loads(archive.read("datapackage.json"))["version"])
        == day
    )


def test_where_builds_are_slow_a_download_is_sent_the_last_build_at_once(
    client, data, made, monkeypatch
):
    """Where a build takes longer than a request may (about 20 minutes at
    100,000 agreements, and gunicorn ends a request at 30 s), the download
    after a change is answered at once from the newest build, with that
    build's ETag, and the current build is made apart."""
    before = client.get("/data/latest/agreements.csv")
    newest = builds.newest_build()
    (newest.folder / builds.TIMING).write_text("1200")
    started: list[date] = []
    monkeypatch.setattr(builds, "build_in_background", started.append)
    agreement = data["public"]
    agreement.title_en = "Renamed letter"
    agreement.save()
    after = client.get("/data/latest/agreements.csv")
    assert after.status_code == 200 and after["ETag"] == before["ETag"]
    assert "Renamed letter" not in [a["title_en"] for a in rows(body(after))]
    assert started == [timezone.localdate()] and len(made) == 1
    again = client.get("/data/latest/agreements.csv", HTTP_IF_NONE_MATCH=before["ETag"])
    assert again.status_code == 304


@pytest.mark.django_db(transaction=True)
def test_the_build_made_apart_is_one_at_a_time_and_then_served(
    client, data, monkeypatch
):
    release = threading.Event()

    def slow(folder, on=None):
        release.wait(30)
        write_package(folder, on)

    monkeypatch.setattr(builds, "write_package", slow)
    day = timezone.localdate()
    thread = builds.build_in_background(day)
    assert thread is not None
    assert builds.build_in_background(day) is None  # this process is building
    release.set()
    thread.join(60)
    assert not thread.is_alive()
    built = builds.newest_build(day)
    assert built is not None and built.seconds > 0
    served = client.get("/data/latest/agreements.csv")
    assert [a["slug"] for a in rows(body(served))] == ["public"]
