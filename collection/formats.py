"""The API's formats: its pagination, the open-data CSV and XLSX, the names
of downloaded files, and the JSON it reads.

Kept apart from the viewsets: REST framework imports these classes (named in
settings) while it loads its own views.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

import tablib
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from .counting import CountedPaginator, counted
from .middleware import control_character, visible

SURROGATE = re.compile(r"[\ud800-\udfff]")


class Pagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`, `page_size` up to 200.

    Pages stop at row 10,000 so that no request has to skip more rows than that,
    however large the table grows. Deeper data is reached with filters, by
    syncing with `updated_since` and `ordering=updated_at`, or by walking the
    list with `?cursor=` (read_by_cursor): keyset pages in the sync order,
    each found from the last row of the one before, which cost what the first
    one does however deep. The count is kept per data revision and query
    (collection.counting).
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CountedPaginator
    max_rows = 10_000
    cursor_query_param = "cursor"
    #: What cursor pages are ordered by, then by primary key.
    sync_field = "updated_at"
    #: A cursor this API gives is under 100 characters; longer is not one.
    max_cursor_length = 200
    #: The largest primary key a database holds (a BigAutoField's).
    max_pk = 2**63 - 1
    #: Set by a request with `cursor` (read_by_cursor), for its response.
    cursor_page: CursorPage | None = None

    def get_page_size(self, request: Any) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return int(self.page_size or self.max_page_size)
        size = whole_number(self.page_size_query_param, text)
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self.cursor_page = None
        if self.cursor_query_param in request.query_params:
            return self.read_by_cursor(queryset, request)
        page_size = self.get_page_size(request)
        text = request.query_params.get(self.page_query_param)
        if text is not None and text not in self.last_page_strings:
            number = whole_number(self.page_query_param, text)
            if (number - 1) * page_size >= self.max_rows:
                raise ValidationError(
                    {
                        self.page_query_param: [
                            f"Pages stop at row {self.max_rows:,}. Narrow the query "
                            "with filters, walk further with cursor= (following "
                            "next), or sync with updated_since and "
                            "ordering=updated_at."
                        ]
                    }
                )
        return super().paginate_queryset(queryset, request, view)

    def read_by_cursor(self, queryset: QuerySet[Any], request: Any) -> list[Any]:
        """A page after the cursor's row in the sync order (updated_at, then
        the key): the keys of one row more than the page first, off the
        updated_at index (no OFFSET, no rows skipped), then the page's rows
        with all they join and prefetch, as CountedPaginator reads them."""
        self.check_cursor_request(request)
        fields = self.cursor_fields(queryset)
        after = read_cursor(
            self.cursor_query_param,
            request.query_params[self.cursor_query_param],
            fields,
            self.max_cursor_length,
            self.max_pk,
        )
        size = self.get_page_size(request)
        ordered = queryset.order_by(*fields)
        if after is not None:
            ordered = ordered.filter(after_row(fields, after))
        keys = list(ordered.values_list(*fields)[: size + 1])
        following = None
        if len(keys) > size:
            keys = keys[:size]
            following = self.cursor_url(request, fields, keys[-1])
        pks = [key[-1] for key in keys]
        rows = {row.pk: row for row in queryset.order_by().filter(pk__in=pks)}
        self.cursor_page = CursorPage(count=counted(queryset), following=following)
        return [rows[pk] for pk in pks if pk in rows]

    def check_cursor_request(self, request: Any) -> None:
        params = request.query_params
        if self.page_query_param in params:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        f"Give cursor or {self.page_query_param}, not both: use "
                        "one or the other (cursor pages follow next)."
                    ]
                }
            )
        ordering = [
            name.strip()
            for name in params.get(api_settings.ORDERING_PARAM, "").split(",")
            if name.strip()
        ]
        if ordering not in ([], [self.sync_field]):
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        "Cursor pages are always in updated_at order (then by "
                        "key): leave ordering out, or give ordering=updated_at."
                    ]
                }
            )

    def cursor_fields(self, queryset: QuerySet[Any]) -> list[str]:
        """updated_at then the key; the key alone for a model without
        updated_at (every collection has one today)."""
        try:
            queryset.model._meta.get_field(self.sync_field)
        except FieldDoesNotExist:
            return ["pk"]
        return [self.sync_field, "pk"]

    def cursor_url(self, request: Any, fields: list[str], key: Sequence[Any]) -> str:
        cursor = write_cursor(dict(zip(fields, key, strict=True)))
        return str(
            replace_query_param(
                request.build_absolute_uri(), self.cursor_query_param, cursor
            )
        )

    def get_paginated_response(self, data: Any) -> Response:
        page = self.cursor_page
        if page is None:
            return super().get_paginated_response(data)
        return Response(
            {
                "count": page.count,
                "next": page.following,
                "previous": None,  # cursor pages go forward only
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": "How many records match, on every page.",
            "next": "The next page, or null on the last.",
            "previous": "The previous page, or null on the first; always null "
            "on cursor pages, which go forward only.",
            "results": "The records of this page.",
        }
        for name, text in descriptions.items():
            response["properties"][name]["description"] = text
        return response

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Walk the whole list, past row "
                    f"{self.max_rows:,}: pages in updated_at order (then by "
                    "key), each costing what the first does. Give it empty "
                    "for the first page, then follow `next` (null on the last "
                    "page; `previous` is always null). The value is opaque: "
                    "use the one `next` gives. Not with `page`, nor with an "
                    "`ordering` other than updated_at (a 400); a row changed "
                    "during a walk comes again at its end."
                ),
                "schema": {"type": "string", "pattern": CURSOR_PATTERN},
            }
        )
        return parameters


@dataclass(frozen=True)
class CursorPage:
    """What a cursor page says besides its rows: the count, and the address
    of the next page (None on the last)."""

    count: int
    following: str | None


#: A cursor's text: URL-safe base64 (its padding may be left out).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*={0,2}$"
CURSOR_TEXT = re.compile(CURSOR_PATTERN)


def write_cursor(key: dict[str, Any]) -> str:
    """The cursor of a row from its sort key ({"updated_at": ..., "pk": ...}):
    URL-safe base64 of compact JSON, its padding left out."""
    values = {
        name: value.astimezone(UTC).isoformat(timespec="microseconds")
        if isinstance(value, datetime)
        else value
        for name, value in key.items()
    }
    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def read_cursor(
    name: str, text: str, fields: Sequence[str], max_length: int, max_pk: int
) -> tuple[Any, ...] | None:
    """The sort key a cursor holds, in the order of `fields`; None for an
    empty cursor (the first page). Anything else is a 400 naming `name`."""
    if text == "":
        return None
    refused = ValidationError(
        {
            name: [
                "This is not a cursor this API gave. Start with an empty "
                "cursor= and follow next, which holds the next page's cursor."
            ]
        }
    )
    if len(text) > max_length or not CURSOR_TEXT.fullmatch(text):
        raise refused
    bare = text.rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, ValueError, RecursionError):  # UnicodeError too
        raise refused from None
    if not isinstance(data, dict) or set(data) != set(fields):
        raise refused
    key: list[Any] = []
    for field in fields:
        value = data[field]
        if field == "pk":
            if type(value) is not int or not 1 <= value <= max_pk:
                raise refused
            key.append(value)
            continue
        moment = cursor_moment(value)
        if moment is None:
            raise refused
        key.append(moment)
    return tuple(key)


#: A cursor's moment as write_cursor() gives it (fromisoformat() alone takes
#: more: a NUL or a space before the offset).
CURSOR_MOMENT = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$"
)


def cursor_moment(value: Any) -> datetime | None:
    """A cursor's updated_at: an ISO 8601 moment with its offset, in UTC."""
    if not isinstance(value, str) or not CURSOR_MOMENT.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def after_row(fields: Sequence[str], key: Sequence[Any]) -> Q:
    """The rows after `key` in the order of `fields` (updated_at, then the
    key): `updated_at > u OR (updated_at = u AND pk > k)`, and `updated_at >=
    u` besides, the same rows, so that the database reads them as one range of
    the updated_at index, in its order (PostgreSQL, 100,000 agreements, a page
    90,000 rows deep: 0.4 ms with it, 88 ms without, the OR read as a filter
    over the index from its start)."""
    if list(fields) == ["pk"]:
        return Q(pk__gt=key[0])
    (sync, _pk), (moment, pk) = fields, key
    return Q(**{f"{sync}__gte": moment}) & (
        Q(**{f"{sync}__gt": moment}) | Q(**{sync: moment, "pk__gt": pk})
    )


def whole_number(name: str, text: str) -> int:
    """A query parameter that is a whole number from 1 (digits only); a 400
    naming it otherwise. Beyond 12 digits it counts as 10**12: every limit is
    far below."""
    if not (text.isascii() and text.isdigit()) or not text.strip("0"):
        raise ValidationError({name: ["Give a whole number from 1."]})
    return int(text) if len(text) <= 12 else 10**12


class ContentNegotiation(DefaultContentNegotiation):
    """An empty `?format=` is an unknown format (404), like any other unknown
    one, instead of the default one."""

    def select_renderer(
        self, request: Any, renderers: Any, format_suffix: Any = None
    ) -> Any:
        if not format_suffix and request.query_params.get(self.format_parameter) == "":
            raise Http404
        return super().select_renderer(request, renderers, format_suffix)

    @property
    def format_parameter(self) -> str:
        return str(self.settings.URL_FORMAT_OVERRIDE)


class CSVRenderer(BaseRenderer):
    """The open-data CSV: the same columns as the import files and /data/
    (and the derived columns of an export)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        if isinstance(data, tablib.Dataset):
            return data.export("csv")
        # Errors are still CSV: one "error" column, one row per message.
        messages = flatten_errors(data) if data else []
        return tablib.Dataset(*[[m] for m in messages], headers=["error"]).export("csv")


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XLSXRenderer(BaseRenderer):
    """The open-data file as a workbook: the CSV's rows and columns, every
    cell text (escaped against formulas as in the CSV), one sheet."""

    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        if not isinstance(data, tablib.Dataset):
            messages = flatten_errors(data) if data else []
            data = tablib.Dataset(*[[m] for m in messages], headers=["error"])
        view = (renderer_context or {}).get("view")
        title = getattr(getattr(view, "resource_class", None), "collection", "")
        buffer = io.BytesIO()
        write_xlsx(data, buffer, title=title or "data")
        return buffer.getvalue()


def write_xlsx(dataset: tablib.Dataset, target: str | IO[bytes], title: str) -> None:
    """Write `dataset` as a one-sheet workbook, a row at a time (openpyxl's
    write-only mode: the workbook is never held whole as cells).

    Every value is written as text, never as a formula or an error code:
    the resource has already escaped text cells as it does for the CSV
    (collection.importing.escape_formula), so the file imports back the same.
    Characters a workbook cannot hold (control characters) are left out."""
    write_rows_xlsx(dataset.headers or [], dataset, target, title)


def write_rows_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    target: str | IO[bytes],
    title: str,
) -> None:
    """write_xlsx() for rows that arrive a few at a time (a collection read
    in chunks): none is kept once written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, header, font=bold) for header in headers])
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    workbook.save(target)


def _text_cell(sheet: Any, value: Any, font: Font | None = None) -> WriteOnlyCell:
    text = "" if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text or None)
    if text:
        cell.data_type = "s"  # openpyxl reads "=..." as a formula, "#N/A" an error
    if font is not None:
        cell.font = font
    return cell


def sheet_title(text: str) -> str:
    """A worksheet's name: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "data"


#: The longest a part of a file name may be, and the name before its date.
FILE_NAME_PART = 40
FILE_NAME_STEM = 100


def file_name_part(text: str) -> str:
    """Text as a part of a file name: ASCII lower-case letters, digits and
    single hyphens ("Cal/OSHA" is "calosha", "México" "mexico")."""
    return (
        re.sub(r"[^a-z0-9]+", "-", slugify(text)).strip("-")[:FILE_NAME_PART].strip("-")
    )


def file_name(stem: str, parts: Iterable[str], day: date, extension: str) -> str:
    """A download's name, saying what it holds and when:
    `agreements-osha-mx-tx-2026-12-01.csv`. Parts that would make the name
    longer than FILE_NAME_STEM before the date are left out."""
    name = file_name_part(stem) or "data"
    for part in parts:
        piece = file_name_part(part)
        if piece and len(name) + 1 + len(piece) <= FILE_NAME_STEM:
            name = f"{name}-{piece}"
    return f"{name}-{day.isoformat()}.{extension}"


def flatten_errors(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        return [
            m
            for key, value in data.items()
            for m in flatten_errors(value, f"{prefix}{key}: ")
        ]
    if isinstance(data, list):
        return [m for item in data for m in flatten_errors(item, prefix)]
    return [f"{prefix}{data}"]


class JSONParser(parsers.JSONParser):
    """JSON bodies as REST framework reads them, with nesting too deep to read
    a 400 like any other malformed body. What no field can hold (a control
    character, a lone surrogate, an infinite number) is refused by the write
    serializers for the fields they take (collection.api.CleanModelSerializer):
    a key the API does not know is ignored, whatever it holds."""

    def parse(
        self, stream: Any, media_type: Any = None, parser_context: Any = None
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except (RecursionError, LookupError, TypeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None


def unreadable(data: Any, place: str = "") -> str | None:
    """What in parsed JSON no field can hold, named by its place
    (`parties[0].office`), or None. Walked without recursion."""
    stack: list[tuple[str, Any]] = [(place, data)]
    while stack:
        place, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                inner = f"{place}.{key}" if place else str(key)
                problem = _text_problem(str(key), inner)
                if problem:
                    return problem
                stack.append((inner, item))
        elif isinstance(value, list):
            stack.extend((f"{place}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str):
            problem = _text_problem(value, place)
            if problem:
                return problem
        elif isinstance(value, float) and not math.isfinite(value):
            return f"“{_shown(place)}” is a number too large to hold."
    return None


def _text_problem(text: str, place: str) -> str | None:
    character = control_character(text)
    surrogate = SURROGATE.search(text)
    if not (character or surrogate):
        return None
    subject = f"“{_shown(place)}”" if place else "The body"
    if character:
        return f"{subject} contains a control character ({character}), which is not allowed."
    assert surrogate is not None
    code = f"U+{ord(surrogate.group()):04X}"
    return f"{subject} contains a lone surrogate ({code}), which is not text."


def _shown(place: str) -> str:
    return visible(SURROGATE.sub("\ufffd", place))
