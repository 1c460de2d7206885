"""Conditional writes: a record's ETag names its version; a write that sends
an ETag the record no longer has (If-Match) is refused with 412 and changes
nothing; the answer to a write carries the record's new ETag."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from collection.models import Versioned
from outreach.models import Organization
from registry.models import Agreement
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    return f.AgreementFactory(slug="houston-loa", title_en="Old title")


def item(agreement):
    return f"/api/v1/agreements/{agreement.slug}/"


def test_a_write_with_the_current_etag_goes_through_and_gets_the_new_one(
    curator_api, agreement
):
    etag = curator_api.get(item(agreement))["ETag"]
    changed = curator_api.patch(
        item(agreement), {"title_en": "New title"}, format="json", HTTP_IF_MATCH=etag
    )
    assert changed.status_code == 200
    assert changed["ETag"] and changed["ETag"] != etag
    # The new ETag is the one a read now gives, and the next write's.
    assert curator_api.get(item(agreement))["ETag"] == changed["ETag"]
    again = curator_api.patch(
        item(agreement),
        {"title_en": "Newer title"},
        format="json",
        HTTP_IF_MATCH=changed["ETag"],
    )
    assert again.status_code == 200


def test_a_write_with_a_stale_etag_is_412_and_changes_nothing(curator_api, agreement):
    old = curator_api.get(item(agreement))["ETag"]
    assert (
        curator_api.patch(
            item(agreement), {"title_en": "First"}, format="json", HTTP_IF_MATCH=old
        ).status_code
        == 200
    )
    current = curator_api.get(item(agreement))["ETag"]

    refused = curator_api.patch(
        item(agreement), {"title_en": "Second"}, format="json", HTTP_IF_MATCH=old
    )

    assert refused.status_code == 412
    detail = refused.json()["detail"]
    assert "changed since" in detail and current in detail
    assert refused["ETag"] == current
    assert Agreement.objects.get(pk=agreement.pk).title_en == "First"


def test_a_stale_put_and_a_stale_delete_are_412_too(curator_api, agreement):
    old = curator_api.get(item(agreement))["ETag"]
    body = curator_api.get(item(agreement)).json()
    curator_api.patch(item(agreement), {"title_en": "First"}, format="json")
    put = curator_api.put(
        item(agreement), {**body, "title_en": "Put"}, format="json", HTTP_IF_MATCH=old
    )
    assert put.status_code == 412
    assert curator_api.delete(item(agreement), HTTP_IF_MATCH=old).status_code == 412
    assert Agreement.objects.get(pk=agreement.pk).title_en == "First"
    current = curator_api.get(item(agreement))["ETag"]
    assert curator_api.delete(item(agreement), HTTP_IF_MATCH=current).status_code == 204
    assert not Agreement.objects.filter(pk=agreement.pk).exists()


def test_a_change_to_another_record_does_not_make_an_etag_stale(curator_api, agreement):
    etag = curator_api.get(item(agreement))["ETag"]
    f.AgreementFactory()  # the data revision moves on; this record did not change
    assert curator_api.get(item(agreement), HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert (
        curator_api.patch(
            item(agreement), {"title_en": "New"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )


def test_an_etag_read_anonymously_serves_a_write_with_a_token(
    api, curator_api, agreement
):
    etag = api.get(item(agreement))["ETag"]
    response = curator_api.patch(
        item(agreement), {"title_en": "New"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["*", None])
def test_any_etag_and_no_if_match_are_allowed(curator_api, agreement, header):
    extra = {"HTTP_IF_MATCH": header} if header else {}
    curator_api.patch(item(agreement), {"title_en": "First"}, format="json")
    response = curator_api.patch(
        item(agreement), {"title_en": "Second"}, format="json", **extra
    )
    assert response.status_code == 200
    assert Agreement.objects.get(pk=agreement.pk).title_en == "Second"


@pytest.mark.parametrize(
    "header", ['W/"abc"', '"not-an-etag-of-ours"', "garbage", '"", ""']
)
def test_an_if_match_of_no_version_of_the_record_is_412(curator_api, agreement, header):
    response = curator_api.patch(
        item(agreement), {"title_en": "New"}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code == 412
    assert Agreement.objects.get(pk=agreement.pk).title_en == "Old title"


def test_the_etag_of_another_record_does_not_match(curator_api, agreement):
    other = f.AgreementFactory()
    etag = curator_api.get(item(other))["ETag"]
    response = curator_api.patch(
        item(agreement), {"title_en": "New"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412


def test_a_write_that_loses_the_race_after_its_check_is_412(curator_api, monkeypatch):
    """Another write lands between the If-Match check (and hold) and this
    write's save: the conditional UPDATE matches nothing, nothing is saved."""
    organization = f.OrganizationFactory(slug="center", name="Old")
    path = "/api/v1/organizations/center/"
    etag = curator_api.get(path)["ETag"]
    hold = Versioned.hold

    def held_then_beaten(self):
        hold(self)
        Organization.objects.filter(pk=self.pk).update(version=F("version") + 1)

    monkeypatch.setattr(Versioned, "hold", held_then_beaten)
    response = curator_api.patch(
        path, {"name": "Mine"}, format="json", HTTP_IF_MATCH=etag
    )
    monkeypatch.undo()

    assert response.status_code == 412
    assert "changed since" in response.json()["detail"]
    assert Organization.objects.get(pk=organization.pk).name == "Old"


def test_a_repeat_read_with_the_etag_is_304_after_one_query(api, agreement):
    f.PartyFactory(agreement=agreement)
    first = api.get(item(agreement))
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as repeat:
        again = api.get(item(agreement), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert len(repeat) == 1  # the data revision; the record is not read


@pytest.fixture
def organization():
    return f.OrganizationFactory(slug="worker-center", name="Worker center")


def org_item(organization):
    return f"/api/v1/organizations/{organization.slug}/"


def test_outreach_collections_honour_if_match(curator_api, organization):
    old = curator_api.get(org_item(organization))["ETag"]
    first = curator_api.patch(
        org_item(organization), {"name": "First"}, format="json", HTTP_IF_MATCH=old
    )
    assert first.status_code == 200
    refused = curator_api.patch(
        org_item(organization), {"name": "Second"}, format="json", HTTP_IF_MATCH=old
    )
    assert refused.status_code == 412
    assert (
        curator_api.delete(org_item(organization), HTTP_IF_MATCH=old).status_code == 412
    )
    assert Organization.objects.get(pk=organization.pk).name == "First"
    assert (
        curator_api.patch(
            org_item(organization),
            {"name": "Second"},
            format="json",
            HTTP_IF_MATCH=first["ETag"],
        ).status_code
        == 200
    )


def test_an_event_write_with_a_stale_etag_is_412(curator_api):
    event = f.EventFactory(slug="workshop", title_en="Old")
    path = "/api/v1/events/workshop/"
    old = curator_api.get(path)["ETag"]
    assert (
        curator_api.patch(path, {"title_en": "First"}, format="json").status_code == 200
    )
    refused = curator_api.patch(
        path, {"title_en": "Second"}, format="json", HTTP_IF_MATCH=old
    )
    assert refused.status_code == 412
    event.refresh_from_db()
    assert event.title_en == "First"


def test_a_created_record_comes_with_its_etag(curator_api):
    created = curator_api.post(
        "/api/v1/organizations/",
        {"slug": "new-center", "name": "New center", "kind": "worker_center"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (
        created["ETag"] == curator_api.get("/api/v1/organizations/new-center/")["ETag"]
    )
