"""HTTP behaviour of the API: conditional GET, pagination, throttling, CORS."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import SimpleRateThrottle

from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements/"


def test_a_repeat_with_the_etag_gets_304_after_one_query_without_rendering(api):
    f.PartyFactory()
    first = api.get(URL)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    with CaptureQueriesContext(connection) as captured:
        again = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert len(captured) == 1  # the data revision; no agreement is read
    item = api.get(f"{URL}{f.AgreementFactory().slug}/")
    assert (
        api.get(item.wsgi_request.path, HTTP_IF_NONE_MATCH=item["ETag"]).status_code
        == 304
    )


def test_if_modified_since_also_gets_304(api):
    f.AgreementFactory()
    first = api.get(URL)
    assert (
        api.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    )


def test_validators_change_with_any_write_and_with_the_query(api):
    agreement = f.AgreementFactory()
    etag = api.get(URL)["ETag"]
    assert api.get(URL, {"kind": "loa"})["ETag"] != etag
    assert api.get(URL, {"format": "csv"})["ETag"] != etag
    party = f.PartyFactory(agreement=agreement)  # a change to a related record
    assert api.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200
    etag = api.get(URL)["ETag"]
    party.office.name = "Renamed office"
    party.office.save()
    assert api.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_caching_headers_differ_for_anonymous_and_token_clients(api, curator_api):
    f.AgreementFactory()
    assert api.get(URL)["Cache-Control"] == "public, max-age=60"
    assert curator_api.get(URL)["Cache-Control"] == "private, no-cache"
    assert "Authorization" in api.get(URL)["Vary"]
    # The drafts a curator sees never share a validator with the public list.
    assert curator_api.get(URL)["ETag"] != api.get(URL)["ETag"]


def test_pagination_edges(api):
    for _ in range(5):
        f.AgreementFactory()
    page = api.get(URL, {"page_size": 2}).json()
    assert (page["count"], len(page["results"]), page["previous"]) == (5, 2, None)
    assert "page=2" in page["next"]
    last = api.get(URL, {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None and last["previous"]
    assert api.get(URL, {"page_size": 2, "page": 4}).status_code == 404
    # A page number that cannot be one is a 400 naming the parameter; a page
    # past the end, a 404.
    zero = api.get(URL, {"page": 0})
    assert zero.status_code == 400 and "page" in zero.json()
    assert api.get(URL, {"page": "last"}).json()[
        "results"
    ]  # DRF's name for the last page
    assert api.get(URL, {"page": "x"}).status_code == 400
    assert (
        len(api.get(URL, {"page_size": 1000}).json()["results"]) == 5
    )  # capped at 200
    deep = api.get(URL, {"page_size": 200, "page": 51})
    assert deep.status_code == 400 and "page" in deep.json()


def test_page_size_is_capped_at_200():
    from collection.formats import Pagination

    assert Pagination.max_page_size == 200


def test_clients_are_throttled_per_client(api, reader_api, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"}
    )
    for _ in range(3):
        assert api.get(URL).status_code == 200
    limited = api.get(URL)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    for _ in range(5):
        assert reader_api.get(URL).status_code == 200  # a token has its own bucket
    assert reader_api.get(URL).status_code == 429


def test_forwarded_for_headers_do_not_buy_a_fresh_bucket(api, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "5/min"}
    )
    assert api.get(URL, HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 200
    assert api.get(URL, HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 200
    assert api.get(URL, HTTP_X_FORWARDED_FOR="10.0.0.3").status_code == 429


def test_cors_allows_reading_from_other_sites(api):
    response = api.get(URL, HTTP_ORIGIN="https://consulmex.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = api.options(
        URL,
        HTTP_ORIGIN="https://consulmex.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    assert "Access-Control-Allow-Origin" not in api.get(
        "/", HTTP_ORIGIN="https://x.example"
    )


def test_the_api_root_lists_every_collection(api):
    root = api.get("/api/v1/").json()
    assert set(root) == {
        "agreements",
        "agencies",
        "offices",
        "cities",
        "countries",
        "states",
        "laws",
        "editions",
        "events",
        "organizations",
        "programmes",
        "topics",
    }


@pytest.mark.parametrize(
    "path, expected", [("/api/v1/", 0), ("/api/v1/schema/", 0), ("/api/v1/docs/", 0)]
)
def test_root_schema_and_docs_need_no_query(api, path, expected):
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path).status_code == 200
    assert len(captured) == expected


@pytest.mark.parametrize(
    ("view_name", "key"),
    [
        ("api:agreement-detail", "mou-2004-dol-sre"),
        ("api:edition-detail", "2026"),
        ("api:country-detail", "mx"),
        ("api:city-detail", "san-jose-ca"),
    ],
)
def test_references_link_where_reverse_does(rf, view_name, key):
    """Each reference's URL is built once per view and request, then filled
    in: the same URL reverse() and build_absolute_uri() give."""
    from django.urls import reverse

    from collection.api import absolute

    request = rf.get("/api/v1/agreements/")
    context = {"request": request}
    expected = request.build_absolute_uri(reverse(view_name, args=[key]))
    assert absolute(context, view_name, key) == expected
    assert absolute(context, view_name, key) == expected  # from the kept parts
