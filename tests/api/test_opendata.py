"""/data/: bulk downloads of the whole registry and their data dictionary."""

import csv
import io
import json
import zipfile
from datetime import date

import pytest
import tablib
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opendata.collections import COLLECTIONS, import_dataset
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    draft = f.AgreementFactory(
        slug="draft", title_en="Draft letter", is_published=False
    )
    f.PartyFactory(agreement=draft, signer_name="Secret Signer")
    f.AgreementSourceFactory(agreement=draft, source__url="https://only.cited.by/draft")
    public = f.AgreementFactory(slug="public", framework=draft)
    f.PartyFactory(agreement=public)
    f.AgreementSourceFactory(agreement=public, source__url="https://www.dol.gov/public")
    f.EventFactory(slug="draft-event", is_published=False)
    f.EventFactory(slug="public-event", edition=f.EditionFactory(year=2017))
    return locals()


def rows(content):
    return list(csv.DictReader(io.StringIO(content.decode())))


def body(response):
    """A download's bytes: files are streamed from disk."""
    return b"".join(response.streaming_content)


def download(client, path):
    return body(client.get(path))


def test_the_data_page_lists_every_collection(client, data):
    page = client.get("/data/").content.decode()
    for name in COLLECTIONS:
        assert f"/data/latest/{name}.csv" in page
    assert "/data/latest/datapackage.json" in page and "Creative Commons" in page


def test_the_data_page_is_in_spanish_at_es_data_and_each_links_the_other(client, data):
    spanish = client.get("/es/data/")
    assert spanish.status_code == 200
    page = spanish.content.decode()
    assert '<html lang="es">' in page and "<h1>Datos abiertos</h1>" in page
    assert 'href="http://testserver/data/" hreflang="en"' in page
    english = client.get("/data/").content.decode()
    assert 'href="http://testserver/es/data/" hreflang="es"' in english
    # The files are the same under either address.
    assert body(client.get("/es/data/latest/agreements.csv")) == body(
        client.get("/data/latest/agreements.csv")
    )


def test_downloads_are_dated_and_hold_public_data_only(client, data):
    response = client.get("/data/latest/agreements.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="agreements-{timezone.localdate()}.csv"'
    )
    agreements = rows(body(response))
    assert [a["slug"] for a in agreements] == ["public"]
    assert agreements[0]["framework"] == ""  # the framework is a draft
    parties = rows(download(client, "/data/latest/parties.csv"))
    assert {p["agreement"] for p in parties} == {"public"}
    sources = {s["url"] for s in rows(download(client, "/data/latest/sources.csv"))}
    assert "https://www.dol.gov/public" in sources
    assert "https://only.cited.by/draft" not in sources
    events = rows(download(client, "/data/latest/events.csv"))
    assert [e["slug"] for e in events] == ["public-event"]


def test_the_zip_holds_every_file_and_the_dictionary_describes_every_column(
    client, data
):
    response = client.get("/data/latest/registry.zip")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    package = json.loads(archive.read("datapackage.json"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["name"] for r in package["resources"]} == set(COLLECTIONS)
    for resource in package["resources"]:
        header = next(csv.reader(io.StringIO(archive.read(resource["path"]).decode())))
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == header, resource["name"]
        assert all(field.get("description") for field in fields), resource["name"]
        for key in resource["schema"].get("foreignKeys", []):
            assert key["reference"]["resource"] in set(COLLECTIONS)
    agreements = next(r for r in package["resources"] if r["name"] == "agreements")
    types = {field["name"]: field["type"] for field in agreements["schema"]["fields"]}
    assert (types["signed_on"], types["is_published"], types["expires_on"]) == (
        "string",
        "boolean",
        "date",
    )


def test_every_download_is_accepted_back_by_the_importer(client, data):
    for name in COLLECTIONS:
        content = download(client, f"/data/latest/{name}.csv").decode()
        import_dataset(name, tablib.Dataset().load(content, format="csv"))


def test_a_repeat_download_gets_304_after_one_query(client, data):
    first = client.get("/data/latest/agreements.csv")
    with CaptureQueriesContext(connection) as captured:
        again = client.get(
            "/data/latest/agreements.csv", HTTP_IF_NONE_MATCH=first["ETag"]
        )
    assert again.status_code == 304 and len(captured) == 1


def test_dated_snapshots_are_published_and_served(client, data, settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path
    call_command("publish_open_data", "--date", "2026-09-01")
    assert (tmp_path / "2026-09-01" / "registry.zip").is_file()
    assert "2026-09-01" in client.get("/data/").content.decode()
    response = client.get("/data/2026-09-01/agreements.csv")
    assert response.status_code == 200
    assert 'filename="agreements-2026-09-01.csv"' in response["Content-Disposition"]
    assert [r["slug"] for r in rows(b"".join(response.streaming_content))] == ["public"]
    assert date.fromisoformat(
        json.loads((tmp_path / "2026-09-01" / "datapackage.json").read_text())[
            "version"
        ]
    ) == date(2026, 9, 1)


@pytest.mark.parametrize(
    "path",
    [
        "/data/latest/passwords.csv",
        "/data/latest/..%2Fsettings.py",
        "/data/2026-13-01/agreements.csv",
        "/data/1999-01-01/agreements.csv",
        "/data/2026-09-01/../../config/settings.py",
    ],
)
def test_unknown_files_and_dates_are_not_found(client, data, settings, tmp_path, path):
    settings.OPEN_DATA_ROOT = tmp_path
    assert client.get(path).status_code == 404


def count_queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_download_query_counts_are_pinned_and_do_not_grow_with_data(client, data):
    paths = [f"/data/latest/{name}.csv" for name in COLLECTIONS]
    paths += ["/data/latest/datapackage.json", "/data/", "/data/latest/registry.zip"]

    def counts():
        # The first download of a revision builds every file; the others,
        # and every later download, are served from the build.
        built = count_queries(client, "/data/latest/registry.zip")
        return built, {path: count_queries(client, path) for path in paths}

    before = counts()
    for _ in range(5):
        agreement = f.AgreementFactory()
        f.PartyFactory(agreement=agreement)
        f.AgreementSourceFactory(agreement=agreement)
        f.EventFactory().sources.add(f.SourceFactory())
    after = counts()
    assert after == before
    built, served = before
    # 32 as when the zip was built per request, plus the build's own
    # transaction (a savepoint inside the test's) and the revision read in it,
    # and the agreements' parties (their names, cities and states), and the
    # citations (one read, like the other files of one table).
    assert built == 37
    assert served == {path: 0 if path == "/data/" else 1 for path in paths}
