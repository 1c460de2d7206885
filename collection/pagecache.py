"""Anonymous answers (pages, the API, feeds, the calendar) from the shared cache.

`SharedPageCache` keeps the whole response to an anonymous GET or HEAD in the
default cache (Redis when REDIS_URL is set) under a key made of what the answer
depends on: the host, the method, the address with its query, the language
asked for (a cookie or Accept-Language can choose it where the path does not)
and, under /api/, the Accept header. Each entry also holds the data revision
and the day it was built for: a write anywhere moves the revision on
(collection.signals), so the next request rebuilds the answer and nothing stale
is ever served, on this server or another; statuses change with the date, so
does the day.

A hit answers from outside most of the middleware (sessions, language, CSRF,
authentication, throttling) after one read of the revision and one of the
cache, and a client or CDN sending back the entry's ETag is answered 304.

Nothing is cached for a request that carries a session cookie or an
Authorization header (staff, API writers: they may see drafts). An answer to
a request without them is the public one, for everybody without them, even
where the view asked who is signed in (`Vary: Cookie`, kept for a CDN, which
then shares one copy among all visitors without cookies). No answer is kept
that sets a cookie, that says it is private, that streams (downloads are files
of their own, opendata.builds), that used the page's CSP nonce, or that is over
PAGE_CACHE_MAX_BYTES. Those answers go out as they are, staff's marked private.

While Redis is down every read is a miss (collection.cache): the site answers
from the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
)

from .models import Revision

#: Answers kept: a page, or an address that is not one (bots ask for many).
STORED_STATUSES = (200, 404)
#: Where nothing is cached: the admin, the language switch.
UNCACHED_PATHS = ("/admin/", "/i18n/")
#: Headers an entry keeps (the rest are set again by the middleware outside).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Disposition",
    "Cache-Control",
    "ETag",
    "Last-Modified",
    "Vary",
    "Link",
    "Allow",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
)


@dataclass(frozen=True)
class Entry:
    """A stored answer and what it was built from."""

    revision: int
    day: str
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        response["Content-Length"] = str(len(self.content))
        response["X-Cache"] = "hit"
        return response


def anonymous(request: HttpRequest) -> bool:
    """No session and no credentials: the public answer, the same for all."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def applies(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and anonymous(request)
        and not request.path.startswith(UNCACHED_PATHS)
    )


def page_key(request: HttpRequest) -> str:
    parts = [
        request.get_host(),
        request.method or "",
        request.get_full_path(),
        translation.get_language_from_request(request, check_path=True),
        request.META.get("HTTP_ACCEPT", "") if request.path.startswith("/api/") else "",
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"page:{digest}"


def storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    control = response.get("Cache-Control", "")
    return (
        isinstance(response, HttpResponse)
        and response.status_code in STORED_STATUSES
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
        and not isinstance(getattr(request, "_csp_nonce", None), str)
        and len(response.content) <= settings.PAGE_CACHE_MAX_BYTES
    )


def conditional(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """304 when the client already holds this answer (its ETag)."""
    if response.status_code != 200 or not response.has_header("ETag"):
        return response
    not_modified = get_conditional_response(request, etag=response["ETag"])
    if not_modified is None:
        return response
    for name in ("ETag", "Cache-Control", "Vary", "Last-Modified"):
        if response.has_header(name):
            not_modified[name] = response[name]
    return not_modified


class SharedPageCache:
    """Middleware: see the module's docstring. It sits outside the session,
    language and authentication middleware, inside the security and CSP ones
    (which add their headers to every answer, a stored one too)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not applies(request):
            response = self.get_response(request)
            if not anonymous(request) and not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key = page_key(request)
        revision = Revision.number_now()
        day = timezone.localdate().isoformat()
        entry = cache.get(key)
        if isinstance(entry, Entry) and (entry.revision, entry.day) == (revision, day):
            return conditional(request, entry.response())
        response = self.get_response(request)
        if storable(request, response):
            assert isinstance(response, HttpResponse)
            self.prepare(response)
            headers = tuple(
                (name, response[name]) for name in KEPT_HEADERS if name in response
            )
            cache.set(
                key,
                Entry(revision, day, response.status_code, headers, response.content),
                settings.PAGE_CACHE_SECONDS,
            )
            response["X-Cache"] = "miss"
        return conditional(request, response)

    @staticmethod
    def prepare(response: HttpResponse) -> None:
        """The headers a CDN in front needs: a validator and how long it may
        keep the answer (what it varies with, the views and the language
        middleware have said: Accept under /api/, Accept-Language where the
        path does not name the language)."""
        if not response.has_header("ETag"):
            digest = hashlib.sha256(response.content).hexdigest()[:32]
            response["ETag"] = f'"{digest}"'
        if not response.has_header("Cache-Control"):
            patch_cache_control(
                response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE
            )
