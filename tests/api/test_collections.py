"""What every collection of /api/v1/ does the same way."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db


def full_agreement():
    agreement = f.AgreementFactory(
        renews=f.AgreementFactory(), framework=f.AgreementFactory()
    )
    f.PartyFactory(agreement=agreement)
    f.PartyFactory(
        agreement=agreement,
        office=None,
        agency=f.ForeignAgencyFactory(),
        side="foreign",
    )
    f.AgreementSourceFactory(agreement=agreement)
    f.DocumentFactory(agreement=agreement)
    agreement.laws.add(f.LawFactory())
    agreement.topics.add(f.TopicFactory())
    return agreement


def full_event():
    event = f.EventFactory(edition=f.EditionFactory())
    event.offices.add(f.OfficeFactory())
    event.agencies.add(f.AgencyFactory())
    event.organizations.add(f.OrganizationFactory())
    event.topics.add(f.TopicFactory())
    event.sources.add(f.SourceFactory())
    return event


def full_office():
    office = f.ConsulateFactory()
    f.JurisdictionFactory(office=office, state=f.StateFactory(code="AZ", slug="az"))
    office.sources.add(f.SourceFactory())
    return office


def full_programme():
    programme = f.ProgrammeFactory(city=f.CityFactory())
    programme.offices.add(f.OfficeFactory())
    programme.agencies.add(f.AgencyFactory())
    f.OutcomeFactory(edition=None, programme=programme)
    return programme


_years = iter(range(2030, 3000))
_codes = iter(
    f"{a}{b}"
    for a in "abcdefghijklmnopqrstuvwxyz"
    for b in "abcdefghijklmnopqrstuvwxyz"
)
_states = iter(range(1000))

# collection: (maker, key of an item)
COLLECTIONS = {
    "agreements": (full_agreement, lambda o: o.slug),
    "agencies": (lambda: f.AgencyFactory(parent=f.AgencyFactory()), lambda o: o.slug),
    "offices": (full_office, lambda o: o.slug),
    "cities": (lambda: f.CityFactory(), lambda o: o.slug),
    "countries": (lambda: f.CountryFactory(code=next(_codes)), lambda o: o.code),
    "states": (lambda: _state(), lambda o: o.slug),
    "laws": (lambda: f.LawFactory(), lambda o: o.slug),
    "editions": (lambda: f.OutcomeFactory(edition=f.EditionFactory(year=next(_years))).edition,
                 lambda o: o.year),
    "events": (full_event, lambda o: o.slug),
    "organizations": (lambda: f.OrganizationFactory(city=f.CityFactory()), lambda o: o.slug),
    "programmes": (full_programme, lambda o: o.slug),
    "topics": (lambda: f.TopicFactory(), lambda o: o.slug),
}  # fmt: skip


def _state():
    n = next(_states)
    return f.StateFactory(code=f"Z{n}", slug=f"z{n}")


def queries(api, path, **params):
    """Queries of a first visit: counts kept from an earlier request (per data
    revision, collection.counting) are cleared first."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, params)
    assert response.status_code == 200, (
        path,
        response.status_code,
        response.content[:300],
    )
    return len(captured)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_list_is_paginated_and_items_are_found_by_key(api, collection):
    make, key = COLLECTIONS[collection]
    obj = make()
    page = api.get(f"/api/v1/{collection}/").json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] >= 1
    item = api.get(f"/api/v1/{collection}/{key(obj)}/")
    assert item.status_code == 200
    assert item.json()["url"].endswith(f"/api/v1/{collection}/{key(obj)}/")
    assert api.get(f"/api/v1/{collection}/no-such-key-0000/").status_code == 404


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_csv_is_the_open_data_format_of_the_whole_filtered_collection(api, collection):
    make, _key = COLLECTIONS[collection]
    for _ in range(3):
        make()
    json_count = api.get(f"/api/v1/{collection}/").json()["count"]
    response = api.get(f"/api/v1/{collection}/", {"format": "csv", "page_size": 1})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == json_count  # not paginated
    from opendata.collections import COLLECTIONS as FILE_FORMATS

    assert list(rows[0]) == FILE_FORMATS[collection].export_headers()


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_updated_since_syncs_incrementally_and_rejects_bad_values(api, collection):
    make, _key = COLLECTIONS[collection]
    make()
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert (
        api.get(f"/api/v1/{collection}/", {"updated_since": later}).json()["count"] == 0
    )
    earlier = (timezone.now() - timedelta(days=1)).isoformat()
    assert (
        api.get(f"/api/v1/{collection}/", {"updated_since": earlier}).json()["count"]
        >= 1
    )
    bad = api.get(f"/api/v1/{collection}/", {"updated_since": "yesterday"})
    assert bad.status_code == 400
    assert "updated_since" in bad.json()


# Queries for a list page and for an item: session-less token-less reads
# (offices, agencies and programmes: one more for their public contacts). A
# list reads its page's keys, then their rows (collection.counting).
LIST_QUERIES = {
    "agreements": 9, "agencies": 5, "offices": 8, "cities": 5, "countries": 4,
    "states": 4, "laws": 4, "editions": 6, "events": 9, "organizations": 5,
    "programmes": 10, "topics": 4,
}  # fmt: skip
ITEM_QUERIES = {
    "agreements": 7, "agencies": 3, "offices": 6, "cities": 3, "countries": 2,
    "states": 2, "laws": 2, "editions": 4, "events": 7, "organizations": 3,
    "programmes": 8, "topics": 2,
}  # fmt: skip


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_query_counts_are_pinned_and_do_not_grow_with_data_or_page_size(
    api, collection
):
    make, key = COLLECTIONS[collection]
    objects = [make() for _ in range(3)]
    small = queries(api, f"/api/v1/{collection}/", page_size=2)
    for _ in range(6):
        make()
    large = queries(api, f"/api/v1/{collection}/", page_size=200)
    assert (small, large) == (LIST_QUERIES[collection], LIST_QUERIES[collection])
    assert (
        queries(api, f"/api/v1/{collection}/{key(objects[0])}/")
        == ITEM_QUERIES[collection]
    )
    csv_small = queries(api, f"/api/v1/{collection}/", format="csv")
    for _ in range(3):
        make()
    assert queries(api, f"/api/v1/{collection}/", format="csv") == csv_small


@pytest.mark.parametrize(
    "moment, status",
    [("2026-10-24T08:57:55-17:06", 200), ("9999-12-31T23:00:00-05:00", 400)],
)
def test_updated_since_reads_any_offset_and_refuses_what_it_cannot_hold(
    api, moment, status
):
    f.AgreementFactory()
    response = api.get("/api/v1/agreements/", {"updated_since": moment})
    assert response.status_code == status
    if status == 400:
        assert list(response.json()) == ["updated_since"]
