"""Per-client limits on pages and downloads outside the API (collection.throttling)."""

import pytest
from pytest_django.asserts import assertContains

from collection.throttling import WindowThrottle
from tests import factories as f

pytestmark = pytest.mark.django_db

#: 20 seconds into a minute: the window ends in 40 seconds.
NOW = 60 * 100_000 + 20.0


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, stopped (and moved on by hand)."""
    now = [NOW]
    monkeypatch.setattr(WindowThrottle, "timer", staticmethod(lambda: now[0]))
    return now


@pytest.fixture
def rates(settings, clock):
    settings.PUBLIC_PAGE_RATE = "2/minute"
    settings.DOWNLOAD_RATE = "2/minute"
    return settings


def test_a_client_over_the_page_rate_is_told_when_to_come_back(
    client, rates, django_assert_num_queries
):
    assert client.get("/data/").status_code == 200
    assert client.get("/data/").status_code == 200
    with django_assert_num_queries(0):
        refused = client.get("/data/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assertContains(refused, "Too many requests", status_code=429)
    assertContains(refused, "try again in 40 seconds", status_code=429)


def test_the_refusal_is_in_the_pages_language(client, rates):
    for _ in range(2):
        client.get("/es/help/")
    refused = client.get("/es/help/")
    assert refused.status_code == 429
    assertContains(refused, "Demasiadas solicitudes", status_code=429)
    assertContains(refused, "inténtelo de nuevo en 40 segundos", status_code=429)


def test_the_count_starts_again_with_the_next_window(client, rates, clock):
    for _ in range(2):
        client.get("/data/")
    assert client.get("/data/").status_code == 429
    clock[0] += 40
    assert client.get("/data/").status_code == 200


def test_downloads_have_their_own_rate_and_a_plain_text_refusal(client, rates):
    rates.PUBLIC_PAGE_RATE = "100/minute"
    assert client.get("/data/latest/agreements.csv").status_code == 200
    assert client.get("/events.ics").status_code == 200
    refused = client.get("/feeds/agreements/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert refused["Content-Type"] == "text/plain; charset=utf-8"
    assert "downloads" in refused.content.decode()
    assert client.get("/es/events.ics").status_code == 429
    assert client.get("/numbers/status.csv").status_code == 429
    assert client.get("/data/").status_code == 200  # a page, not a download
    assert client.get("/numbers/").status_code == 200  # a page too


def test_pages_do_not_use_up_the_downloads(client, rates):
    rates.PUBLIC_PAGE_RATE = "1/minute"
    assert client.get("/data/").status_code == 200
    assert client.get("/data/").status_code == 429
    assert client.get("/data/latest/datapackage.json").status_code == 200


def test_another_address_has_its_own_count(client, rates):
    for _ in range(2):
        client.get("/data/")
    assert client.get("/data/").status_code == 429
    assert client.get("/data/", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_forwarded_for_cannot_buy_a_fresh_count_without_a_trusted_proxy(client, rates):
    assert rates.REST_FRAMEWORK["NUM_PROXIES"] == 0
    statuses = [
        client.get("/data/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_behind_one_proxy_the_forwarded_address_is_the_client(client, rates):
    rates.REST_FRAMEWORK = {**rates.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The proxy (always 10.0.0.1) appends the address it saw to whatever
    # the client sent: that last address is the client.
    one = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.1"}
    other = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.2"}
    assert [client.get("/data/", **one).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    spoofed = {**one, "HTTP_X_FORWARDED_FOR": "5.6.7.8, 203.0.113.1"}
    assert client.get("/data/", **spoofed).status_code == 429
    assert client.get("/data/", **other).status_code == 200


def test_staff_are_not_counted(client, rates):
    client.force_login(f.curator())
    for _ in range(5):
        assert client.get("/data/").status_code == 200
        assert client.get("/data/latest/agreements.csv").status_code == 200
    client.logout()
    assert client.get("/data/").status_code == 200  # nothing was counted


def test_the_admin_the_api_and_static_files_are_not_counted_here(client, rates):
    rates.PUBLIC_PAGE_RATE = rates.DOWNLOAD_RATE = "1/minute"
    for _ in range(3):
        assert client.get("/admin/login/").status_code == 200
        assert client.get("/api/v1/").status_code == 200
        assert client.get("/static/css/site.css").status_code == 200


def test_a_304_does_not_count(client, rates):
    first = client.get("/data/latest/agreements.csv")
    for _ in range(5):
        again = client.get(
            "/data/latest/agreements.csv", HTTP_IF_NONE_MATCH=first["ETag"]
        )
        assert again.status_code == 304
    assert client.get("/data/latest/agreements.csv").status_code == 200
    assert client.get("/data/latest/agreements.csv").status_code == 429


def test_pages_answer_when_the_cache_is_down(client, rates):
    rates.CACHES = {
        "default": {
            "BACKEND": "collection.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    for _ in range(4):
        assert client.get("/data/").status_code == 200
        assert client.get("/data/latest/datapackage.json").status_code == 200
    from django.core.cache import cache

    assert not cache.available  # the counts really went to the dead Redis


def test_parallel_api_requests_cannot_slip_past_the_rate(clock, monkeypatch):
    """30 requests at once from one address at 10 a minute: exactly 10 pass,
    on whichever cache the settings give (Redis in CI), as two app servers
    would count them; a signed-in account has its own count."""
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from rest_framework.throttling import SimpleRateThrottle

    from collection.throttling import ApiThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "10/min", "user": "3/min"}
    )

    def request(user=None):
        made = RequestFactory().get("/api/v1/agreements/", REMOTE_ADDR="192.0.2.7")
        made.user = user or AnonymousUser()
        return made

    with ThreadPoolExecutor(30) as pool:
        passed = list(
            pool.map(lambda _: ApiThrottle().allow_request(request()), range(30))
        )
    assert passed.count(True) == 10
    account = SimpleNamespace(is_authenticated=True, pk=41)
    through = [ApiThrottle().allow_request(request(account)) for _ in range(4)]
    assert through == [True, True, True, False]
