"""/api/v1/events/: filters, embedded host office and city, drafts, writes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from outreach.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"
CHICAGO = ZoneInfo("America/Chicago")


def slugs(response):
    assert response.status_code == 200, response.content
    return sorted(row["slug"] for row in response.json()["results"])


@pytest.fixture
def world():
    illinois = f.StateFactory(code="IL", slug="il", name="Illinois")
    chicago = f.CityFactory(name="Chicago", slug="chicago-il", state=illinois)
    houston = f.CityFactory(name="Houston", slug="houston-tx")
    dol = f.AgencyFactory(slug="dol")
    whd = f.AgencyFactory(slug="dol-whd", parent=dol)
    consulate = f.ConsulateFactory(slug="mx-consulate-chicago", city=chicago)
    whd_chicago = f.OfficeFactory(slug="dol-whd-chicago", agency=whd, city=chicago)
    edition = f.EditionFactory(year=2017)
    harassment = f.TopicFactory(slug="sexual-harassment")
    chicago_week = f.EventFactory(
        slug="2017-chicago",
        edition=edition,
        city=chicago,
        host_office=consulate,
        title_en="Labor Rights Week in Chicago",
        description_en="Workshops on harassment",
        starts_at=datetime(2017, 8, 28, 9, tzinfo=CHICAGO),
        kind="programme",
    )
    chicago_week.topics.add(harassment)
    chicago_week.offices.add(whd_chicago)
    houston_cancelled = f.EventFactory(
        slug="2017-houston",
        edition=edition,
        city=houston,
        status="cancelled",
        starts_at=datetime(2017, 8, 30, tzinfo=CHICAGO),
        mode="virtual",
    )
    houston_cancelled.agencies.add(dol)
    f.EventFactory(
        slug="2024-year-round",
        edition=None,
        city=chicago,
        starts_at=datetime(2024, 3, 1, tzinfo=CHICAGO),
    )
    return locals()


GOOD = {
    "edition": ("2017", ["2017-chicago", "2017-houston"]),
    "city": ("chicago-il", ["2017-chicago", "2024-year-round"]),
    "agency": ("dol", ["2017-chicago", "2017-houston"]),
    "office": ("dol-whd-chicago", ["2017-chicago"]),
    "topic": ("sexual-harassment", ["2017-chicago"]),
    "starts_after": ("2017-08-29", ["2017-houston", "2024-year-round"]),
    "starts_before": ("2017-08-28", ["2017-chicago"]),
    "status": ("cancelled", ["2017-houston"]),
    "mode": ("virtual", ["2017-houston"]),
    "kind": ("programme", ["2017-chicago"]),
    "q": ("harassment", ["2017-chicago"]),
}  # fmt: skip


@pytest.mark.parametrize("name", GOOD)
def test_every_filter(api, world, name):
    value, expected = GOOD[name]
    assert slugs(api.get(URL, {name: value})) == expected


def test_the_designs_example_query(api, world):
    response = api.get(
        URL, {"edition": "2017", "city": "chicago-il", "topic": "sexual-harassment"}
    )
    assert slugs(response) == ["2017-chicago"]


BAD = {
    "edition": "1999", "city": "nowhere-xx", "agency": "nobody", "office": "no-office",
    "topic": "no-topic", "starts_after": "2017-02-30", "starts_before": "soon",
    "status": "postponed", "mode": "telepathic", "kind": "party",
    "updated_since": "2017", "published": "maybe",
}  # fmt: skip


@pytest.mark.parametrize("name", BAD)
def test_a_bad_value_of_every_filter_is_a_400_naming_it(api, world, name):
    response = api.get(URL, {name: BAD[name]})
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_an_event_embeds_its_host_office_and_city(api, world):
    data = api.get(f"{URL}2017-chicago/").json()
    assert data["host_office"]["slug"] == "mx-consulate-chicago"
    assert data["host_office"]["name"] and data["host_office"]["agency"]
    assert data["city"] == {
        "slug": "chicago-il",
        "url": data["city"]["url"],
        "name": "Chicago",
        "state": "il",
    }
    assert data["edition"]["slug"] == "2017" and data["edition"]["url"].endswith(
        "/editions/2017/"
    )
    assert data["starts_at"].startswith("2017-08-28")
    cancelled = api.get(f"{URL}2017-houston/").json()
    assert (cancelled["status"], cancelled["mode"]) == ("cancelled", "virtual")


def test_draft_events_are_invisible_to_anonymous_clients(api, curator_api, world):
    f.EventFactory(slug="draft-event", is_published=False, title_en="Not yet")
    assert "draft-event" not in slugs(api.get(URL))
    assert api.get(URL).json()["count"] == 3
    assert api.get(f"{URL}draft-event/").status_code == 404
    assert "Not yet" not in api.get(URL, {"format": "csv"}).content.decode()
    assert curator_api.get(f"{URL}draft-event/").status_code == 200


NEW = {
    "slug": "2026-chicago-tabling",
    "title_en": "Tabling at the consulate",
    "title_es": "Mesa informativa en el consulado",
    "kind": "tabling",
    "edition": 2017,
    "host_office": "mx-consulate-chicago",
    "offices": ["dol-whd-chicago"],
    "city": "chicago-il",
    "starts_at": "2026-08-31T10:00:00-05:00",
    "ends_at": "2026-08-31T14:00:00-05:00",
    "time_zone": "America/Chicago",
    "topics": ["sexual-harassment"],
    "source_urls": ["https://consulmex.sre.gob.mx/chicago/"],
    "is_published": True,
}


def test_writes_need_the_events_permission(api, reader_api, curator_api, world):
    assert reader_api.post(URL, NEW, format="json").status_code == 403
    response = curator_api.post(URL, NEW, format="json")
    assert response.status_code == 201, response.json()
    event = Event.objects.get(slug=NEW["slug"])
    assert [o.slug for o in event.offices.all()] == ["dol-whd-chicago"]
    assert [s.url for s in event.sources.all()] == NEW["source_urls"]
    assert api.get(f"{URL}{NEW['slug']}/").json()["title_es"] == NEW["title_es"]


def test_an_event_cannot_end_before_it_starts(curator_api, world):
    response = curator_api.post(
        URL, {**NEW, "ends_at": "2026-08-31T09:00:00-05:00"}, format="json"
    )
    assert response.status_code == 400
    assert not Event.objects.filter(slug=NEW["slug"]).exists()
