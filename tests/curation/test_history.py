"""Every change keeps its history, whichever way it came: who, when, which
fields, old and new values; and the admin shows it."""

from typing import cast

import pytest
import tablib
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from opendata.collections import import_dataset
from outreach.models import Event
from registry.models import Agreement, Law
from tests import factories as f
from tests.helpers import queries

pytestmark = pytest.mark.django_db


def test_an_admin_change_records_who_and_the_old_and_new_values(client):
    law = f.LawFactory(slug="flsa", short_name="FLSA", name_en="Fair Labor Act")
    curator = f.curator()
    client.force_login(curator)
    response = client.post(
        reverse("admin:registry_law_change", args=[law.pk]),
        {
            "slug": "flsa",
            "short_name": "FLSA",
            "name_en": "Fair Labor Standards Act",
            "name_es": "",
        },
    )
    assert response.status_code == 302
    new, old = law.history.order_by("-history_id")[:2]
    assert (new.history_type, new.history_user) == ("~", curator)
    assert [(c.field, c.old, c.new) for c in new.diff_against(old).changes] == [
        ("name_en", "Fair Labor Act", "Fair Labor Standards Act")
    ]
    page = client.get(reverse("admin:registry_law_history", args=[law.pk]))
    assert page.status_code == 200
    assert "Fair Labor Act" in page.content.decode()
    assert "Fair Labor Standards Act" in page.content.decode()


def test_an_api_change_records_the_token_user():
    office = f.ConsulateFactory(slug="consulate-a")
    event = f.EventFactory(slug="e", host_office=office, title_en="Before")
    editor = f.event_editor("editor", office)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    response = api.patch("/api/v1/events/e/", {"title_en": "After"}, format="json")
    assert response.status_code == 200
    record = event.history.latest("history_id")
    assert (record.history_user, record.title_en) == (editor, "After")
    assert record.prev_record.title_en == "Before"


def test_many_to_many_lists_are_in_the_history(client):
    agreement = f.AgreementFactory()
    law = f.LawFactory()
    agreement.laws.add(law)
    latest = agreement.history.latest("history_id")
    assert [row.law for row in latest.laws.all()] == [law]


def test_a_deleted_record_keeps_its_history():
    law = f.LawFactory(slug="gone")
    law.delete()
    assert list(
        Law.history.filter(slug="gone").values_list("history_type", flat=True)
    ) == [
        "-",
        "+",
    ]


def test_an_import_records_its_file_and_user():
    curator = f.curator()
    source = f.SourceFactory(url="https://example.org/a")
    data = tablib.Dataset(headers=["slug", "title_en", "kind", "scope", "sources"])
    data.append(["imported", "Imported", "loa", "local", source.url])
    import_dataset("agreements", data, user=curator, file_name="batch.csv")
    record = Agreement.history.get(slug="imported")
    assert record.history_user == curator
    assert record.history_change_reason == "import of batch.csv"


def test_the_history_page_is_pinned(client):
    event = cast(Event, f.EventFactory(title_en="First"))
    event.title_en = "Second"
    event.save()
    client.force_login(f.curator())
    url = reverse("admin:outreach_event_history", args=[event.pk])
    before = queries(client, url)
    for number in range(10):
        event.title_en = f"Title {number}"
        event.save()
        event.topics.add(f.TopicFactory())
    assert queries(client, url) == before
    page = client.get(url).content.decode()
    assert "Title 8" in page and "Title 9" in page  # old → new
