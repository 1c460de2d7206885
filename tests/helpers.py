"""Helpers shared by the page, admin and seed tests."""

import importlib.util
import re
import sys
from html import unescape
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries(client, path, status=200, **params):
    """GET `path` and return how many SQL queries answering it took.

    The content-type cache and the shared cache (where counts are kept per
    data revision, collection.counting) are cleared first, so each count is
    that of a first visit, whatever ran before.
    """
    ContentType.objects.clear_cache()
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == status, (path, response.status_code)
    return len(captured)


SEED_SOURCE = Path(__file__).resolve().parents[1] / "fixtures" / "source"


def seed_module(name):
    """A module of fixtures/source, loaded as build.py loads it (its folder on the path)."""
    if str(SEED_SOURCE) not in sys.path:
        sys.path.append(str(SEED_SOURCE))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SEED_SOURCE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def sitemap_locations(client):
    """Every address the sitemap lists: its index, then each page of each sitemap
    the index names (with the alternates' addresses)."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    found = []
    for page in re.findall(r"<loc>(.*?)</loc>", index.content.decode()):
        response = client.get(unescape(page))
        assert response.status_code == 200, page
        xml = response.content.decode()
        found += re.findall(r"<loc>(.*?)</loc>", xml)
        found += re.findall(r'hreflang="[^"]+" href="([^"]+)"', xml)
    return [unescape(location) for location in found]
