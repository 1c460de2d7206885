"""Doors: the admin login's lockout (per address and per account, in the
database), the enforced Content-Security-Policy, every cookie's flags with
the production settings, and who makes API tokens for whom."""

import re
import runpy
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import global_settings, settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.test import Client, override_settings
from pytest_django.asserts import assertContains, assertNotContains
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def sign_in(username, password, address="10.0.0.1", **headers):
    """One sign-in at the admin, from a fresh browser at `address`."""
    return Client().post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def fail(times, username="curator", address="10.0.0.1", **headers):
    for _ in range(times):
        response = sign_in(username, "wrong", address, **headers)
    return response


def signed_in(response):
    return response.status_code == 302 and response["Location"] == "/admin/"


def locked(response):
    return response.status_code == 429 and b"Sign-in locked" in response.content


@pytest.fixture
def curator():
    return f.curator("curator")


# --- The lockout ------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(curator):
    assert fail(4).status_code == 200  # the login form again, with its error
    assert locked(fail(1))
    response = sign_in("curator", "pw")
    assert locked(response)
    assert response["Retry-After"] == "900"
    assertContains(
        response,
        "the account “curator”, and sign-in from your address, are locked "
        "for 15 minutes",
        status_code=429,
    )
    assertContains(response, "the registry’s administrator", status_code=429)


def test_another_address_cannot_get_round_an_account_lock(curator):
    for n in range(5):  # a distributed attack: one guess from each address
        fail(1, address=f"10.0.1.{n}")
    response = sign_in("curator", "pw", address="10.0.2.99")
    assert locked(response)
    assertContains(
        response, "the account “curator” is locked for 15 minutes", status_code=429
    )


def test_a_password_spray_from_one_address_locks_the_address(curator):
    for name in ["ana", "beto", "carla", "dora", "eli"]:
        fail(1, username=name)
    response = sign_in("curator", "pw")
    assert locked(response)
    assertContains(
        response,
        "sign-in from your address is locked for 15 minutes",
        status_code=429,
    )
    assert signed_in(sign_in("curator", "pw", address="10.0.0.2"))


def test_x_forwarded_for_cannot_name_a_fresh_address(curator):
    """With no proxy trusted (NUM_PROXIES=0) the address is the connection's,
    whatever X-Forwarded-For the client sends."""
    for n, name in enumerate(["ana", "beto", "carla", "dora", "eli"]):
        fail(1, username=name, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert locked(sign_in("curator", "pw", HTTP_X_FORWARDED_FOR="198.51.100.77"))


def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw(curator):
    proxied = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    with override_settings(REST_FRAMEWORK=proxied):
        for name in ["ana", "beto", "carla", "dora", "eli"]:
            # A client's own X-Forwarded-For entry comes first; the proxy
            # (10.0.0.1) appends the address it saw.
            fail(1, username=name, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
        assert locked(sign_in("curator", "pw", HTTP_X_FORWARDED_FOR="203.0.113.7"))
        assert signed_in(
            sign_in("curator", "pw", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.8")
        )


def test_failures_count_until_a_success(curator):
    fail(4)
    assert signed_in(sign_in("curator", "pw"))
    assert fail(4).status_code == 200  # the success cleared the first four
    assert locked(fail(1))


def test_the_lock_ends_a_cool_off_after_the_last_attempt(curator):
    fail(5)

    def minutes_pass(minutes):
        AccessAttempt.objects.update(
            attempt_time=F("attempt_time") - timedelta(minutes=minutes)
        )

    minutes_pass(14)
    assert locked(sign_in("curator", "pw"))  # and the wait starts again
    minutes_pass(14)
    assert locked(sign_in("curator", "pw"))
    minutes_pass(16)
    assert signed_in(sign_in("curator", "pw"))


def test_the_lockout_holds_while_redis_is_down(curator):
    """The cache fails open (collection.cache); the lockout is in the
    database and does not."""
    dead = {
        "default": {
            "BACKEND": "collection.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=dead):
        fail(5)
        assert locked(sign_in("curator", "pw"))
        assert AccessAttempt.objects.filter(username="curator").exists()


def test_operators_unlock_an_account_or_an_address(curator):
    for n in range(5):
        fail(1, address=f"10.0.1.{n}")
    assert locked(sign_in("curator", "pw", address="10.0.3.1"))
    call_command("axes_reset_username", "curator")
    assert signed_in(sign_in("curator", "pw", address="10.0.3.1"))

    for name in ["ana", "beto", "carla", "dora", "eli"]:
        fail(1, username=name, address="10.0.4.1")
    assert locked(sign_in("curator", "pw", address="10.0.4.1"))
    call_command("axes_reset_ip", "10.0.4.1")
    assert signed_in(sign_in("curator", "pw", address="10.0.4.1"))

    fail(5)
    call_command("axes_reset")
    assert signed_in(sign_in("curator", "pw"))


@override_settings(LOCKOUT_CONTACT="registry-admins@example.org")
def test_the_lockout_page_names_whom_to_ask(curator):
    response = fail(5)
    assertContains(response, "registry-admins@example.org", status_code=429)


# --- Content-Security-Policy -----------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/es/agreements/", "/admin/login/", "/api/v1/agreements/"]
)
def test_every_answer_carries_the_strict_policy(client, path):
    response = client.get(path)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no nonce where none is used
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response


def test_the_api_docs_script_runs_by_its_requests_nonce(client):
    nonces = []
    for _ in range(2):
        response = client.get("/api/v1/docs/")
        (nonce,) = re.findall(r'<script nonce="([^"]+)">', response.text)
        policy = response["Content-Security-Policy"]
        assert f"script-src 'self' 'nonce-{nonce}'" in policy
        assert "img-src 'self' data:" in policy  # Swagger UI's icons
        assert "<style" not in response.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


# --- Cookies -----------------------------------------------------------------

COOKIE_SETTINGS = [
    f"{cookie}_COOKIE_{flag}"
    for cookie in ("SESSION", "CSRF", "LANGUAGE")
    for flag in ("SECURE", "SAMESITE", "HTTPONLY")
]


@pytest.fixture
def production_cookies(monkeypatch):
    """The cookie settings config/settings.py computes with the production
    environment of docs/deploy.md (the suite itself runs over plain HTTP)."""
    for name in COOKIE_SETTINGS + ["DEBUG"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    monkeypatch.setenv("ALLOWED_HOSTS", "registry.example.org")
    computed = runpy.run_path(str(Path(settings.BASE_DIR) / "config" / "settings.py"))
    assert computed["DEBUG"] is False
    values = {
        name: computed.get(name, getattr(global_settings, name))
        for name in COOKIE_SETTINGS
    }
    with override_settings(**values):
        yield


def assert_flags(response, name, httponly=True):
    morsel = response.cookies[name]
    assert morsel["secure"] is True, morsel.OutputString()
    assert morsel["samesite"] == "Lax", morsel.OutputString()
    assert bool(morsel["httponly"]) is httponly, morsel.OutputString()


def test_every_cookie_is_secure_and_same_site_in_production(production_cookies):
    f.curator("curator")
    client = Client()
    # The language chosen at /i18n/setlang/ (Django's language switch).
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/es/"})
    assert_flags(response, settings.LANGUAGE_COOKIE_NAME)
    # The CSRF token, set by the login form; the session, by signing in.
    assert_flags(client.get(LOGIN), settings.CSRF_COOKIE_NAME, httponly=False)
    response = client.post(LOGIN, {"username": "curator", "password": "pw"})
    assert_flags(response, settings.SESSION_COOKIE_NAME)
    # An admin's notice (a token revoked), kept in a cookie.
    response = client.post("/admin/token/", {"action": "revoke"})
    assert response.status_code == 302
    assert_flags(response, "messages")


# --- API tokens --------------------------------------------------------------


def api_status(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/topics/").status_code


def test_a_curator_makes_replaces_and_revokes_their_own_token(client, curator):
    client.force_login(curator)
    assertContains(client.get("/admin/"), "/admin/token/")
    assertContains(client.get("/admin/token/"), "You have no token.")

    response = client.post("/admin/token/", {"action": "issue"})
    key = Token.objects.get(user=curator).key
    assertContains(response, key)
    assert "no-store" in response["Cache-Control"]
    assert api_status(key) == 200
    # Shown once: the page knows the token, never again its key.
    response = client.get("/admin/token/")
    assertContains(response, "You have a token")
    assertNotContains(response, key)

    client.post("/admin/token/", {"action": "issue"})
    replaced = Token.objects.get(user=curator).key
    assert replaced != key
    assert api_status(key) == 401
    assert api_status(replaced) == 200

    response = client.post("/admin/token/", {"action": "revoke"}, follow=True)
    assertContains(response, "Your API token was revoked.")
    assert not Token.objects.filter(user=curator).exists()
    assert api_status(replaced) == 401


def test_a_curator_makes_no_token_for_anyone_else(client, curator):
    other = f.curator("other")
    client.force_login(curator)
    client.post("/admin/token/", {"action": "issue", "user": other.pk})
    assert not Token.objects.filter(user=other).exists()
    # The admin's Tokens list offers every account and lists every key:
    # superusers only.
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 403
    assert client.get("/admin/authtoken/tokenproxy/add/").status_code == 403
    assert client.post("/admin/token/", {"action": "steal"}).status_code == 400


def test_every_staff_member_has_their_token_page_and_visitors_none(client):
    editor = f.event_editor("editor", f.ConsulateFactory())
    client.force_login(editor)
    client.post("/admin/token/", {"action": "issue"})
    assert Token.objects.filter(user=editor).exists()

    client.logout()
    response = client.get("/admin/token/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    visitor = User.objects.create_user("visitor", password="pw")
    client.force_login(visitor)
    assert client.post("/admin/token/", {"action": "issue"}).status_code == 302
    assert not Token.objects.filter(user=visitor).exists()


def test_operators_make_a_token_with_the_command(capsys):
    partner = User.objects.create_user("partner-system")
    call_command("api_token", "partner-system")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=partner).key == key
    call_command("api_token", "partner-system")
    assert capsys.readouterr().out.strip() == key
    call_command("api_token", "partner-system", "--replace")
    assert capsys.readouterr().out.strip() not in ("", key)
    call_command("api_token", "partner-system", "--revoke")
    assert not Token.objects.filter(user=partner).exists()
    with pytest.raises(CommandError, match="No account named 'nobody'"):
        call_command("api_token", "nobody")
