"""A list's count is worked out once per data revision and query, then read
from the shared cache: it never costs a count of the whole table twice, and a
change is counted at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f

pytestmark = pytest.mark.django_db


def queries(client, path):
    """How many queries answering `path` took, the shared cache left as it is."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def shown_count(client, path):
    page = client.get(path).content.decode()
    return int(re.search(r'"count":\s*(\d+)', page).group(1))


def test_the_api_counts_once_per_revision_and_filter(client):
    for number in range(3):
        f.AgreementFactory(kind="alliance", slug=f"alliance-{number}")
    f.AgreementFactory(kind="loa")
    first = queries(client, "/api/v1/agreements/")
    again = queries(client, "/api/v1/agreements/")
    assert again == first - 1  # the count, from the cache
    assert shown_count(client, "/api/v1/agreements/") == 4
    # Another filter is another count.
    assert shown_count(client, "/api/v1/agreements/?kind=alliance") == 3
    # A change is counted at once.
    f.AgreementFactory(kind="alliance")
    assert queries(client, "/api/v1/agreements/") == first
    assert shown_count(client, "/api/v1/agreements/") == 5
    assert shown_count(client, "/api/v1/agreements/?kind=alliance") == 4


def test_the_agreement_list_page_counts_once_per_revision(client):
    f.AgreementFactory(title_en="Alliance one")
    first = queries(client, "/agreements/")
    assert queries(client, "/agreements/") == first - 1
    f.AgreementFactory(title_en="Alliance two")
    assert "2 agreements" in client.get("/agreements/").content.decode()
