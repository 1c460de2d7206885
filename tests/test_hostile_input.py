"""Hostile input gets a clear 400, never a 500, and nothing is saved: control
characters (NUL first) in an address, a query parameter, a form field or any
field of any API write; lone surrogates, numbers too large to hold and years
no URL can show in API writes."""

import json

import pytest
from django.apps import apps
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from config.urls import router
from tests import factories as f
from tests.api.conftest import client_with_token

pytestmark = pytest.mark.django_db

#: The collections every API write goes to, as the router serves them.
COLLECTIONS = [prefix for prefix, _viewset, _basename in router.registry]


@pytest.fixture
def records():
    """One record of every collection, with what they refer to."""
    agreement = f.AgreementFactory()
    f.PartyFactory(agreement=agreement)
    agreement.laws.add(f.LawFactory())
    agreement.topics.add(f.TopicFactory())
    event = f.EventFactory(edition=f.EditionFactory(year=2017))
    event.offices.add(f.OfficeFactory())
    f.ProgrammeFactory(city=event.city)
    f.OrganizationFactory(city=event.city)
    f.StateFactory()


@pytest.fixture
def curator(monkeypatch):
    """A curator's token, not throttled: these tests send thousands of writes."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None}
    )
    return client_with_token(f.curator("hostile-curator"))


def counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ("registry", "outreach")
    }


def writable_fields(api, collection):
    """The fields a write to the collection takes, as the API itself
    describes them (OPTIONS)."""
    described = api.options(f"/api/v1/{collection}/").json()["actions"]["POST"]
    return {name: spec for name, spec in described.items() if not spec.get("read_only")}


def first_url(api, collection):
    (first, *_rest) = api.get(f"/api/v1/{collection}/").json()["results"]
    return first["url"]


def send(api, method, url, body):
    """A raw JSON body (json.dumps would refuse 1e999 and keeps \\ud800 as an
    escape, which is what a hostile client sends)."""
    return getattr(api, method)(url, body, content_type="application/json")


HOSTILE_TEXT = {
    "NUL": json.dumps("chi\x00cago"),
    "a control character": json.dumps("line\x1bfeed"),
    "DEL": json.dumps("del\x7f"),
    "a lone surrogate": '"chi\\ud800cago"',
}
HOSTILE_NUMBERS = [
    "1e999",
    "-1e999",
    "12345",
    "17",
    "32767",
    "2147483647",  # a term of that many months once left the calendar: 500
    str(10**30),
    str(-(10**30)),
]


def test_every_api_write_refuses_control_characters_in_every_field(records, curator):
    before = counts()
    checked = 0
    for collection in COLLECTIONS:
        fields = writable_fields(curator, collection)
        assert fields, collection
        item = first_url(curator, collection)
        for name, spec in fields.items():
            for what, text in HOSTILE_TEXT.items():
                value = f"[{text}]" if spec["type"] in ("field", "list") else text
                body = f'{{"{name}": {value}}}'
                for method, url in (
                    ("post", f"/api/v1/{collection}/"),
                    ("patch", item),
                ):
                    response = send(curator, method, url, body)
                    assert response.status_code == 400, (
                        f"{method.upper()} {collection}.{name} with {what}: "
                        f"{response.status_code}"
                    )
                    said = response.json()[name]  # the field is named
                    assert "control character" in said[0] or "surrogate" in said[0]
                    checked += 1
    assert counts() == before  # nothing saved
    assert checked > 500  # every field of every collection was reached
    # A key the API does not know is ignored, whatever it holds.
    ignored = send(curator, "patch", item, '{"not a field \\u0000": "x"}')
    assert ignored.status_code == 200


def test_every_api_write_survives_huge_numbers_and_impossible_years(records, curator):
    """Not every such value is wrong for every field (17 is a fine day of the
    month), so this asserts no server error; and that the public lists still
    answer after the writes, as the edition with year 12345 once broke them."""
    for collection in COLLECTIONS:
        item = first_url(curator, collection)
        for name in writable_fields(curator, collection):
            for number in HOSTILE_NUMBERS:
                body = f'{{"{name}": {number}}}'
                for method, url in (
                    ("post", f"/api/v1/{collection}/"),
                    ("patch", item),
                ):
                    response = send(curator, method, url, body)
                    assert response.status_code < 500, (
                        f"{method.upper()} {collection}.{name}={number}: "
                        f"{response.status_code} {response.content[:200]!r}"
                    )
    anonymous = APIClient()
    for collection in COLLECTIONS:
        assert anonymous.get(f"/api/v1/{collection}/").status_code == 200, collection


@pytest.mark.parametrize("year", [12345, 17, 553, 1999, 2101])
def test_an_edition_outside_the_years_an_address_can_show_is_refused(curator, year):
    response = curator.post(
        "/api/v1/editions/", {"year": year, "theme_en": "x"}, format="json"
    )
    assert response.status_code == 400 and "year" in response.json()
    assert APIClient().get("/api/v1/editions/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=abc%00def",
        "/es/search/?q=abc%00def",
        "/agreements/?status=%00",
        "/help/?zip=770%0036",
        "/api/v1/agreements/?city=chi%00cago",
        "/api/v1/help/?zip=%1b",
        "/api/v1/agreements/?page%00=1",
        "/cities/chi%00cago/",
        "/api/v1/agreements/chi%00cago/",
    ],
)
def test_a_control_character_in_an_address_is_a_400(url):
    response = Client().get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert "control character" in response.json()["detail"]
    else:
        said = "carácter de control" if url.startswith("/es/") else "control character"
        assert said in response.content.decode()
        assert response["Content-Type"].startswith("text/html")


def test_tab_and_new_lines_are_text_not_refused():
    assert Client().get("/search/?q=workers%09rights%0A").status_code == 200


def test_a_control_character_in_a_form_field_is_a_400(records):
    agreement = apps.get_model("registry", "Agreement").objects.get()
    response = Client().post(
        f"/agreements/{agreement.slug}/correction/",
        {"message": "wrong\x00date", "email": "a@example.org"},
    )
    assert response.status_code == 400
    assert b"control character" in response.content
