"""Anonymous pages and API answers come from the shared cache (Redis in CI),
keyed so that any change is visible at once, with the headers a CDN needs;
nothing is cached for signed-in staff."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection import pagecache
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE = True


@pytest.fixture
def agreement():
    return f.AgreementFactory(slug="phoenix-alliance", title_en="OSHA Phoenix alliance")


def get(client, path, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    response.queries = len(captured)
    return response


def test_the_second_visit_is_answered_from_the_cache(client, agreement):
    first = get(client, "/agreements/phoenix-alliance/")
    second = get(client, "/agreements/phoenix-alliance/")
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second.queries == 1 < first.queries  # the data revision only
    assert second["Cache-Control"] == "public, max-age=60"
    assert second["ETag"] == first["ETag"]
    # Outside the cache, the security headers are on the stored answer too.
    assert second["X-Content-Type-Options"] == "nosniff"
    assert "default-src" in second["Content-Security-Policy"]


def test_a_change_is_visible_at_once(client, agreement):
    get(client, "/agreements/phoenix-alliance/")
    agreement.title_en = "OSHA Phoenix alliance, renewed"
    agreement.save()
    response = get(client, "/agreements/phoenix-alliance/")
    assert response["X-Cache"] == "miss"
    assert "OSHA Phoenix alliance, renewed" in response.content.decode()
    # An answer that was "not found" is found once the record exists.
    assert get(client, "/agreements/new-letter/").status_code == 404
    assert get(client, "/agreements/new-letter/")["X-Cache"] == "hit"
    f.AgreementFactory(slug="new-letter")
    assert get(client, "/agreements/new-letter/").status_code == 200


def test_each_language_query_and_format_has_its_own_entry(client, agreement):
    english = get(client, "/agreements/")
    spanish = get(client, "/es/agreements/")
    assert spanish["X-Cache"] == "miss" and spanish.content != english.content
    assert b'<html lang="es">' in spanish.content
    assert get(client, "/agreements/?kind=alliance")["X-Cache"] == "miss"
    json = get(client, "/api/v1/agreements/", HTTP_ACCEPT="application/json")
    csv = get(client, "/api/v1/agreements/", HTTP_ACCEPT="text/csv")
    assert json["Content-Type"].startswith("application/json")
    assert csv["Content-Type"].startswith("text/csv")
    again = get(client, "/api/v1/agreements/", HTTP_ACCEPT="text/csv")
    assert (again["X-Cache"], again.content) == ("hit", csv.content)
    assert "Accept" in again["Vary"]


def test_a_client_holding_the_answer_gets_304(client, agreement):
    etag = get(client, "/cities/")["ETag"]
    for _visit in range(2):  # built, then from the cache
        response = get(client, "/cities/", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        assert response["ETag"] == etag and not response.content
    f.CityFactory()
    assert get(client, "/cities/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_next_day_builds_the_page_again(client, agreement, monkeypatch):
    """A status depends on the date: an entry serves the day it was built."""
    get(client, "/agreements/phoenix-alliance/")
    tomorrow = date.today().replace(year=date.today().year + 1)
    monkeypatch.setattr(pagecache.timezone, "localdate", lambda: tomorrow)
    assert get(client, "/agreements/phoenix-alliance/")["X-Cache"] == "miss"


def test_nothing_is_cached_for_signed_in_staff(client, agreement):
    public = get(client, "/agreements/")
    assert public["X-Cache"] == "miss" and "Cookie" in public["Vary"]
    f.AgreementFactory(slug="draft-letter", title_en="Draft letter", is_published=False)
    assert "Draft letter" not in get(client, "/agreements/").content.decode()
    client.force_login(f.curator())
    for _visit in range(2):
        response = get(client, "/agreements/")
        assert "X-Cache" not in response
        assert "private" in response["Cache-Control"]
    client.logout()
    assert "Draft letter" not in get(client, "/agreements/").content.decode()
    # Nor for an API client sending its token.
    token = get(client, "/api/v1/agreements/", HTTP_AUTHORIZATION="Token abc")
    assert "X-Cache" not in token


def test_answers_of_their_own_are_not_kept(client, agreement):
    # The API documentation runs a script allowed by this answer's nonce.
    assert "X-Cache" not in get(client, "/api/v1/docs/")
    assert "X-Cache" not in get(client, "/api/v1/docs/")
    # A POST, the admin, a throttled or refused request.
    assert "X-Cache" not in get(client, "/admin/login/")
    refused = get(client, "/search/", data={"q": "a\x00b"})
    assert refused.status_code == 400 and "X-Cache" not in refused
    # The downloads stream files of their own.
    assert "X-Cache" not in get(client, "/data/latest/agreements.csv")


def test_a_large_answer_is_not_kept(client, agreement, settings):
    settings.PAGE_CACHE_MAX_BYTES = 100
    get(client, "/agreements/")
    again = get(client, "/agreements/")
    assert "X-Cache" not in again and again.queries > 1


def test_the_cache_can_be_turned_off(client, agreement, settings):
    settings.PAGE_CACHE = False
    get(client, "/agreements/")
    assert "X-Cache" not in get(client, "/agreements/")
