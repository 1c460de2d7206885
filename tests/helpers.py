"""Helpers shared by the page and admin tests."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries(client, path, status=200, **params):
    """GET `path` and return how many SQL queries answering it took.

    The content-type cache is cleared first, so each count is the same whatever
    other test ran before.
    """
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == status, (path, response.status_code)
    return len(captured)
