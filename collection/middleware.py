"""What the views never see: a request with a control character, refused
here; an API address that nothing serves, answered in JSON; a read whose
database connection was lost while it ran, run again; and the admin's
language, the one its user chose.

A request's path, query string and form fields are checked for control
characters once, here, before any view, form or database reads them (the
API's JSON bodies are checked by its write serializers,
collection.api.CleanModelSerializer).
A control character is never text anyone meant to write, and PostgreSQL
cannot store NUL at all: left in, it turned a search or a filter into a
server error. Tab, line feed and carriage return are text and pass.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound

logger = logging.getLogger(__name__)
#: How many times a read whose connection was lost is run again: a failover
#: may drop the new connection too while a long read (a download's build) runs.
READ_RETRIES = 2

#: The ASCII control characters but tab, line feed and carriage return: C0
#: (NUL to US) and DEL. Lone surrogates only arrive in JSON (\ud800): Django
#: decodes addresses and forms with replacement characters.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Forms whose fields Django parses into request.POST (files are not read).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def control_character(text: str) -> str | None:
    """The first control character of `text` as U+XXXX, or None."""
    found = CONTROL_CHARACTER.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def visible(text: str) -> str:
    """`text` with its control characters shown as escapes (\\x00)."""
    return CONTROL_CHARACTER.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def _first_in_fields(fields: Iterable[tuple[str, list[str]]]) -> tuple[str, str] | None:
    for name, values in fields:
        for text in (name, *values):
            character = control_character(text)
            if character:
                return name, character
    return None


class RefuseControlCharacters:
    """Answer 400 to a request with a control character in its path, a query
    parameter (name or value) or a form field: a JSON `{"detail": ...}` under
    /api/, the site's 400 page elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        message = self.problem(request)
        if message is not None:
            return refused(request, message)
        return self.get_response(request)

    def problem(self, request: HttpRequest) -> str | None:
        character = control_character(request.path_info)
        if character:
            return _(
                "The address contains a control character (%(character)s), "
                "which is not allowed."
            ) % {"character": character}
        found = _first_in_fields(request.GET.lists())
        if found is None and request.content_type in FORM_TYPES:
            found = _first_in_fields(request.POST.lists())
        if found is None:
            return None
        name, character = found
        return _(
            "“%(name)s” contains a control character (%(character)s), which is "
            "not allowed."
        ) % {"name": visible(name), "character": character}


class ApiNotFoundInJson:
    """An address under /api/ that no route serves (a key with a dot or a
    slash, a year of five digits) answers 404 in JSON like the API's own,
    `{"detail": ...}`, not with the site's HTML page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path_info.startswith("/api/")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            # REST framework's own words (and their translations).
            return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
        return response


def refused(request: HttpRequest, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "bad_request.html", {"message": message}, status=400)


class RetryReadAfterLostConnection:
    """A read (GET or HEAD) whose database connection was lost while it ran
    (the server restarted or terminated it, a failover) is run again on a new
    connection (up to READ_RETRIES times), instead of answering 500. CONN_HEALTH_CHECKS replaces a
    connection lost between requests; this covers one lost during a request.
    A write is never repeated here: its client cannot know whether it was
    saved, and repeats it itself (an If-Match makes that safe). Nothing is
    repeated inside a transaction, nor after the response has started."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        match = request.resolver_match
        if request.method not in ("GET", "HEAD") or match is None:
            return None
        for attempt in range(1, READ_RETRIES + 1):
            if not isinstance(exception, OperationalError | InterfaceError):
                return None
            if in_transaction():
                return None  # cannot be run again from here
            if not (connection_lost() or ended_connection(exception)):
                return None  # an error of the query itself
            logger.warning(
                "Database connection lost during %s; read run again (%s of %s)",
                request.path,
                attempt,
                READ_RETRIES,
            )
            try:
                response: HttpResponseBase = match.func(
                    request, *match.args, **match.kwargs
                )
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                return response
            except (OperationalError, InterfaceError) as again:
                exception = again
        connection_lost()  # the last one lost is closed: the next request's is new
        raise exception


def in_transaction() -> bool:
    return any(c.in_atomic_block for c in connections.all(initialized_only=True))


def ended_connection(exception: Exception) -> bool:
    """Whether the database error is the end of its connection: PostgreSQL's
    SQLSTATE classes 08 (connection exception) and 57P (the server shut the
    session down: pg_terminate_backend, a restart). By the time the error
    reaches here the connection may already have been replaced (a failed
    rollback closes it), so the error is read, not only the connection."""
    cause = exception.__cause__
    state = getattr(cause, "sqlstate", None)
    if state:
        return str(state).startswith(("08", "57P"))
    # Lost while results were being read (a server-side cursor streaming an
    # export): libpq reports no SQLSTATE, only that the server went away.
    return any(words in str(cause) for words in LOST_CONNECTION_WORDS)


#: libpq's and psycopg's words for a connection that ended under a query.
LOST_CONNECTION_WORDS = (
    "server closed the connection unexpectedly",
    "the connection is lost",
    "the connection is closed",
)


def connection_lost() -> bool:
    """Whether a database connection of this thread was lost (each lost one
    is closed, so the next query opens a new one); False inside a
    transaction, which cannot be run again from here."""
    lost = False
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            return False
        if not connection.is_usable():
            lost = True
            connection.close()
    return lost


class StaffLanguage:
    """The admin in the language its user chose (the language cookie set at
    /i18n/setlang/, else the browser's). The public site's language is in its
    address (/es/); LocaleMiddleware puts every address without a prefix in
    English, the admin's too, so this one runs after it and sets the admin's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith(reverse("admin:index")):
            language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
