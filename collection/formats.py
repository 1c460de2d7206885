"""The API's formats: its pagination, the open-data CSV and XLSX, the names
of downloaded files, and the JSON it reads.

Kept apart from the viewsets: REST framework imports these classes (named in
settings) while it loads its own views.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, Any

import tablib
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

from .counting import CountedPaginator
from .middleware import control_character, visible

SURROGATE = re.compile(r"[\ud800-\udfff]")


class Pagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`, `page_size` up to 200.

    Pages stop at row 10,000 so that no request has to skip more rows than that,
    however large the table grows; deeper data is reached with filters, or by
    syncing with `updated_since` and `ordering=updated_at`. The count is kept
    per data revision and query (collection.counting).
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CountedPaginator
    max_rows = 10_000

    def get_page_size(self, request: Any) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return int(self.page_size or self.max_page_size)
        size = whole_number(self.page_size_query_param, text)
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        page_size = self.get_page_size(request)
        text = request.query_params.get(self.page_query_param)
        if text is not None and text not in self.last_page_strings:
            number = whole_number(self.page_query_param, text)
            if (number - 1) * page_size >= self.max_rows:
                raise ValidationError(
                    {
                        self.page_query_param: [
                            f"Pages stop at row {self.max_rows:,}. Narrow the query "
                            "with filters, or sync with updated_since and "
                            "ordering=updated_at."
                        ]
                    }
                )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": "How many records match, on every page.",
            "next": "The next page, or null on the last.",
            "previous": "The previous page, or null on the first.",
            "results": "The records of this page.",
        }
        for name, text in descriptions.items():
            response["properties"][name]["description"] = text
        return response


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
