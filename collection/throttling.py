"""Per-client limits on the public site outside the API: pages (PUBLIC_PAGE_RATE)
and downloads (DOWNLOAD_RATE: the /data/ files, /events.ics, the feeds, the
tables of /numbers/).

The API has DRF's own throttles; the admin, the API and static files are not
counted here, nor are logged-in staff. A client is told apart as DRF's
throttles tell it (REST_FRAMEWORK's NUM_PROXIES: with 0 the connecting
address only, so X-Forwarded-For cannot buy a fresh count), and counted in
the shared cache, so every app server and worker counts together. With Redis
down the cache fails open (collection.cache): nothing is counted and every
request goes through, the site stays up.

Each client has a count per window (a minute for "240/minute"), started at
the window's first request; over the rate it is answered 429 with
Retry-After, the seconds until the window ends. A request answered 304 (a
client checking its copy with If-None-Match) does not count.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework.throttling import SimpleRateThrottle

PAGES = "pages"
DOWNLOADS = "downloads"


class WindowThrottle(SimpleRateThrottle):
    """DRF's rate format and client identity, with a count that the cache
    moves on atomically (add, then incr: in Redis too), so parallel requests
    cannot slip past the rate; DRF's own list of request times is read and
    written back whole, and loses counts under concurrency."""

    def __init__(self, scope: str, rate: str | None) -> None:
        self.scope = scope
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        self.key = None

    def allow_request(self, request: HttpRequest, view: object = None) -> bool:
        if self.num_requests is None or self.duration is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        ident = self.identity(request)
        self.key = self.cache_format % {
            "scope": self.scope,
            "ident": f"{ident}_{window}",
        }
        self.cache.add(self.key, 0, self.duration)
        try:
            count = self.cache.incr(self.key)
        except ValueError:  # the window's count expired between add and incr
            self.cache.set(self.key, 1, self.duration)
            count = 1
        return bool(count <= self.num_requests)

    def identity(self, request: HttpRequest) -> str:
        """Who is counted: the client's address, as DRF tells it."""
        return str(self.get_ident(request))  # type: ignore[arg-type]  # reads headers and META only

    def give_back(self) -> None:
        """Take this request out of the count."""
        if self.key is not None:
            try:
                self.cache.decr(self.key)
            except ValueError:
                pass  # the window is over

    def wait(self) -> float:
        return max(1, math.ceil(self.window_ends - self.now))


class ApiThrottle(WindowThrottle):
    """The API's limit (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES): "user" per
    account for a signed-in client or a token, "anon" per address otherwise.
    One throttle, so one count in the cache per request, moved on atomically:
    DRF's AnonRateThrottle and UserRateThrottle each read and rewrite a list
    of times, and 30 parallel requests at 10 a minute let 19 through."""

    def __init__(self) -> None:
        self.key = None
        self.account: str | None = None

    def allow_request(self, request: HttpRequest, view: object = None) -> bool:
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        scope = "user" if signed_in else "anon"
        super().__init__(scope, self.THROTTLE_RATES.get(scope))
        self.key = None
        self.account = str(user.pk) if signed_in and user is not None else None
        return super().allow_request(request, view)

    def identity(self, request: HttpRequest) -> str:
        return self.account if self.account is not None else super().identity(request)


def _language_prefix() -> re.Pattern[str]:
    others = [
        code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    ]
    return re.compile(r"^/(?:{})(?=/)".format("|".join(map(re.escape, others))))


#: Not counted here: the admin (its login has its own lockout), the API (DRF's
#: throttles) and static files (WhiteNoise answers them before this middleware).
EXEMPT = ("/admin/", "/api/")
#: Downloads: the files of /data/ (its index page is a page), the calendar, the
#: feeds, the tables of /numbers/ as CSV.
DOWNLOAD_PATHS = re.compile(r"^/(?:data/.|events\.ics$|feeds/|numbers/.+\.csv$)")


def scope_of(request: HttpRequest) -> str | None:
    """Which count a request goes to, or None if it is not counted."""
    path = request.path_info
    if path.startswith((*EXEMPT, "/" + settings.STATIC_URL.lstrip("/"))):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_staff:
        return None
    path = _language_prefix().sub("", path, count=1)
    return DOWNLOADS if DOWNLOAD_PATHS.match(path) else PAGES


def rate_of(scope: str) -> str | None:
    return settings.DOWNLOAD_RATE if scope == DOWNLOADS else settings.PUBLIC_PAGE_RATE


class PublicThrottleMiddleware:
    """Answer 429 to a client over its rate of pages or of downloads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        scope = scope_of(request)
        if scope is None:
            return self.get_response(request)
        throttle = WindowThrottle(scope, rate_of(scope))
        if not throttle.allow_request(request):
            return refused(request, scope, throttle.wait())
        response = self.get_response(request)
        if response.status_code == 304:
            throttle.give_back()
        return response


def refused(request: HttpRequest, scope: str, wait: float) -> HttpResponse:
    """429, with the seconds to wait: a page for pages, plain text for files."""
    seconds = int(wait)
    if scope == DOWNLOADS:
        text = ngettext(
            "Your connection asked for so many downloads in a short time that we "
            "cannot serve more now; please try again in %(seconds)s second.",
            "Your connection asked for so many downloads in a short time that we "
            "cannot serve more now; please try again in %(seconds)s seconds.",
            seconds,
        ) % {"seconds": seconds}
        response = HttpResponse(
            text + "\n", content_type="text/plain; charset=utf-8", status=429
        )
    else:
        response = render(request, "429.html", {"seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response
