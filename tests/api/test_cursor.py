"""Walking a collection with `?cursor=`: keyset pages in the sync order
(updated_at, then the key), each costing what the first one does."""

import base64
import json
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from collection.formats import Pagination
from config.urls import router
from registry.models import Agreement
from tests import factories as f
from tests.api.test_collections import COLLECTIONS, LIST_QUERIES, queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements/"
NOT_A_CURSOR = (
    "This is not a cursor this API gave. Start with an empty cursor= and follow "
    "next, which holds the next page's cursor."
)
VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}


def walk(client, path, **params):
    """Every page of a walk from an empty cursor, following `next`."""
    return follow(client, client.get(path, {"cursor": "", **params}))


def follow(client, response):
    """This page and every page after it, following `next`."""
    pages = []
    while True:
        assert response.status_code == 200, response.content
        page = response.json()
        pages.append(page)
        if page["next"] is None:
            return pages
        assert page["next"].startswith("http://testserver/")
        response = client.get(page["next"])


def keys(pages: list[Any], name: str = "slug") -> list[Any]:
    return [row[name] for page in pages for row in page["results"]]


def encoded(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_of(url):
    return parse_qs(urlsplit(url).query)["cursor"][0]


def decoded(cursor):
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def sync_order(queryset):
    return list(queryset.order_by("updated_at", "pk").values_list("slug", flat=True))


def test_a_walk_gives_every_published_row_once_in_sync_order(api):
    rows = [f.AgreementFactory() for _ in range(7)]
    f.AgreementFactory(is_published=False, slug="draft-a")
    f.AgreementFactory(is_published=False, slug="draft-b")
    # Five rows changed at the same moment: the key orders them, across pages.
    moment = timezone.now() - timedelta(days=1)
    Agreement.objects.filter(pk__in=[r.pk for r in rows[1:6]]).update(updated_at=moment)

    pages = walk(api, URL, page_size=2)

    expected = [r.slug for r in rows[1:6]] + [rows[0].slug, rows[6].slug]
    assert keys(pages) == expected == sync_order(Agreement.objects.published())
    assert [len(page["results"]) for page in pages] == [2, 2, 2, 1]
    assert {page["count"] for page in pages} == {7}
    assert {page["previous"] for page in pages} == {None}
    assert pages[-1]["next"] is None
    assert "draft-a" not in keys(pages) and "draft-b" not in keys(pages)


def test_a_curator_walks_the_drafts_too(curator_api):
    f.AgreementFactory()
    f.AgreementFactory(is_published=False, slug="draft-a")
    pages = walk(curator_api, URL, page_size=1)
    assert sorted(keys(pages)) == sorted(
        Agreement.objects.values_list("slug", flat=True)
    )
    assert "draft-a" in keys(pages) and pages[0]["count"] == 2


def test_a_walk_whose_page_ends_on_the_last_row_has_no_next(api):
    for _ in range(4):
        f.AgreementFactory()
    pages = walk(api, URL, page_size=2)
    assert [len(page["results"]) for page in pages] == [2, 2]
    assert pages[-1]["next"] is None
    assert walk(api, URL, page_size=200)[0]["next"] is None


def test_filters_apply_on_every_page(api):
    mous = [f.AgreementFactory(kind=Agreement.Kind.MOU) for _ in range(5)]
    for _ in range(4):
        f.AgreementFactory(kind=Agreement.Kind.LOA)
    pages = walk(api, URL, page_size=2, kind="mou")
    assert keys(pages) == sync_order(Agreement.objects.filter(kind="mou"))
    assert len(pages) == 3 and {page["count"] for page in pages} == {5}
    assert all("kind=mou" in page["next"] for page in pages[:-1])

    recent = timezone.now() - timedelta(hours=1)
    Agreement.objects.exclude(pk__in=[m.pk for m in mous[:3]]).update(
        updated_at=recent - timedelta(days=2)
    )
    since = walk(api, URL, page_size=2, updated_since=recent.isoformat())
    assert sorted(keys(since)) == sorted(str(m.slug) for m in mous[:3])
    assert since[0]["count"] == 3


def test_a_row_changed_during_a_walk_comes_again_at_its_end(api):
    rows = [f.AgreementFactory() for _ in range(6)]
    first = api.get(URL, {"cursor": "", "page_size": 2}).json()
    assert keys([first]) == [rows[0].slug, rows[1].slug]

    seen, ahead = rows[0], rows[4]
    for row in (seen, ahead):
        row.refresh_from_db()
        row.summary_en = "Changed during the walk."
        row.save()

    walked = keys([first, *follow(api, api.get(first["next"]))])
    # What sync needs: every change after the walk began is read again.
    assert walked == [
        rows[0].slug, rows[1].slug, rows[2].slug, rows[3].slug, rows[5].slug,
        rows[0].slug, rows[4].slug,
    ]  # fmt: skip


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_collection_walks_in_sync_order(api, collection):
    make, _key = COLLECTIONS[collection]
    for _ in range(3):
        make()
    viewset = VIEWSETS[collection]
    model = viewset.serializer_class.Meta.model
    visible = model.objects.all()
    if any(field.name == "is_published" for field in model._meta.fields):
        visible = visible.filter(is_published=True)
    key = viewset.lookup_field
    expected = [
        str(k) for k in visible.order_by("updated_at", "pk").values_list(key, flat=True)
    ]
    pages = walk(api, f"/api/v1/{collection}/", page_size=2)
    assert [str(k) for k in keys(pages, key)] == expected
    assert {page["count"] for page in pages} == {len(expected)}


def test_events_walk_without_their_drafts(api):
    events = [f.EventFactory() for _ in range(5)]
    f.EventFactory(is_published=False, slug="draft-event")
    pages = walk(api, "/api/v1/events/", page_size=2)
    assert sorted(keys(pages)) == sorted(str(e.slug) for e in events)
    assert [len(page["results"]) for page in pages] == [2, 2, 1]
    assert {page["count"] for page in pages} == {5}


@pytest.mark.parametrize("collection", ["agreements", "events", "offices"])
def test_a_cursor_page_costs_what_the_first_page_does(api, collection):
    make, _key = COLLECTIONS[collection]
    for _ in range(3):
        make()
    path = f"/api/v1/{collection}/"
    first = queries(api, path, cursor="", page_size=2)
    second_url = api.get(path, {"cursor": "", "page_size": 2}).json()["next"]
    second = queries(api, path, cursor=cursor_of(second_url), page_size=2)
    for _ in range(6):
        make()
    pages = walk(api, path, page_size=2)
    deep = queries(api, path, cursor=cursor_of(pages[-2]["next"]), page_size=2)
    large = queries(api, path, cursor=cursor_of(pages[1]["next"]), page_size=200)
    # The same as a page by number (tests/api/test_collections.py).
    assert (first, second, deep, large) == (LIST_QUERIES[collection],) * 4


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "abcde",  # not base64 (a length no encoding has)
        "=abc",
        encoded("not json"),
        encoded("[1, 2]"),
        encoded('"text"'),
        encoded('{"pk": 1}'),
        encoded('{"updated_at": "2026-01-01T00:00:00.000000+00:00"}'),
        encoded('{"updated_at": "2026-01-01T00:00:00+00:00", "pk": 1, "x": 2}'),
        encoded('{"updated_at": "2026-13-45T00:00:00+00:00", "pk": 1}'),
        encoded('{"updated_at": "yesterday", "pk": 1}'),
        encoded('{"updated_at": "2026-01-01T00:00:00", "pk": 1}'),  # no offset
        encoded('{"updated_at": "0001-01-01T00:00:00+05:00", "pk": 1}'),
        encoded('{"updated_at": 1767225600, "pk": 1}'),
        encoded('{"updated_at": "2026-01-01T00:00:00\\u0000+00:00", "pk": 1}'),
        encoded('{"updated_at\x00": "2026-01-01T00:00:00+00:00", "pk": 1}'),
        encoded('{"updated_at": "2026-01-01T00:00:00+00:00", "pk": 9' + "9" * 30 + "}"),
        encoded(
            '{"updated_at": "2026-01-01T00:00:00+00:00", "pk": 9223372036854775808}'
        ),
        encoded('{"updated_at": "2026-01-01T00:00:00+00:00", "pk": -1}'),
        encoded('{"updated_at": "2026-01-01T00:00:00+00:00", "pk": "1"}'),
        encoded('{"updated_at": "2026-01-01T00:00:00+00:00", "pk": true}'),
        encoded('{"updated_at": "2026-01-01T00:00:00+00:00", "pk": 1.5}'),
        encoded('{"updated_at": "2026-01-01T00:00:00+00:00", "pk": NaN}'),
        encoded("[" * 500 + "]" * 500),
        "A" * 201,
        base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    ],
)
def test_a_cursor_the_api_did_not_give_is_a_400(api, cursor):
    f.AgreementFactory()
    response = api.get(URL, {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert response.json() == {"cursor": [NOT_A_CURSOR]}


def test_a_cursor_with_its_padding_or_a_largest_key_is_read(api):
    f.AgreementFactory()
    padded = base64.urlsafe_b64encode(
        json.dumps({"updated_at": "2000-01-01T00:00:00+00:00", "pk": 1}).encode()
    ).decode()
    assert padded.endswith("=")
    assert api.get(URL, {"cursor": padded}).json()["count"] == 1
    largest = encoded(
        json.dumps({"updated_at": "2000-01-01T00:00:00+00:00", "pk": 2**63 - 1})
    )
    assert api.get(URL, {"cursor": largest}).status_code == 200


def test_a_nul_byte_in_the_cursor_is_a_400_naming_it(api):
    response = api.get(URL, {"cursor": "eyJ\x00"})
    assert response.status_code == 400
    assert "“cursor” contains a control character (U+0000)" in response.json()["detail"]


def test_cursor_and_page_together_are_a_400(api):
    f.AgreementFactory()
    for page in ("1", "2", "last", ""):
        response = api.get(URL, {"cursor": "", "page": page})
        assert response.status_code == 400
        assert response.json() == {
            "cursor": [
                "Give cursor or page, not both: use one or the other "
                "(cursor pages follow next)."
            ]
        }


def test_cursor_pages_are_only_in_updated_at_order(api):
    f.AgreementFactory()
    for ordering in ("-signed_on", "slug", "-updated_at", "updated_at,slug", "nope"):
        response = api.get(URL, {"cursor": "", "ordering": ordering})
        assert response.status_code == 400, ordering
        assert response.json() == {
            "cursor": [
                "Cursor pages are always in updated_at order (then by key): "
                "leave ordering out, or give ordering=updated_at."
            ]
        }
    assert api.get(URL, {"cursor": "", "ordering": "updated_at"}).status_code == 200


def test_the_last_page_by_number_says_to_walk_with_cursor(api):
    response = api.get(URL, {"page_size": 200, "page": 51})
    assert response.status_code == 400
    (message,) = response.json()["page"]
    assert "walk further with cursor= (following next)" in message
    assert "updated_since" in message


def test_the_schema_documents_cursor_on_lists(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    for collection in COLLECTIONS:
        parameters = schema["paths"][f"/api/v1/{collection}/"]["get"]["parameters"]
        (cursor,) = [p for p in parameters if p["name"] == "cursor"]
        assert cursor["in"] == "query" and not cursor["required"]
        assert "follow `next`" in cursor["description"]
    item = schema["paths"]["/api/v1/agreements/{slug}/"]["get"]["parameters"]
    assert "cursor" not in {p["name"] for p in item}


def test_a_cursor_holds_the_last_rows_moment_and_key(api):
    rows = [f.AgreementFactory() for _ in range(2)]
    page = api.get(URL, {"cursor": "", "page_size": 1}).json()
    text = cursor_of(page["next"])
    assert "=" not in text  # URL-safe base64, without its padding
    assert decoded(text) == {
        "updated_at": rows[0]
        .updated_at.astimezone(UTC)
        .isoformat(timespec="microseconds"),
        "pk": rows[0].pk,
    }


def test_a_model_without_updated_at_is_walked_by_its_key_alone():
    # Every collection has updated_at; a model without it (here User) is
    # walked in the order of its primary key.
    users = [User.objects.create_user(f"user-{n}") for n in range(3)]
    request = Request(APIRequestFactory().get("/x/", {"cursor": "", "page_size": 2}))
    paginator = Pagination()
    first = paginator.read_by_cursor(User.objects.all(), request)
    following = paginator.get_paginated_response([]).data["next"]
    assert first == users[:2]
    assert decoded(cursor_of(following)) == {"pk": users[1].pk}
    request = Request(APIRequestFactory().get(following))
    assert Pagination().read_by_cursor(User.objects.all(), request) == users[2:]
