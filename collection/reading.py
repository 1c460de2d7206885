"""Reading an import file into a dataset, within the import caps.

Every import reads here: the admin's (through ADMIN_FORMATS), the
`registry_import` command's and the seed data's (through
collection.files.read_dataset). A file is read one row at a time and counted
as it comes, and refused whole (FileRefused) as soon as it goes over a cap, so
that a file costs what its real content costs, never what it declares:

- IMPORT_MAX_ROWS rows (empty rows count: a gap of a million missing rows is
  refused at the first row over the cap, not filled in), IMPORT_MAX_CELLS
  cells (rows × columns, and every cell an XLSX row holds);
- IMPORT_MAX_DECOMPRESSED_SIZE bytes: a CSV or JSON file as it is, an XLSX
  workbook's members together as its zip directory gives their sizes, before
  anything is decompressed (zipfile stops reading a member at its declared
  size and fails its CRC check if the data goes on, so the directory cannot
  understate them);
- an XLSX workbook's markup: at most MARKUP_PER_CELL XML tags per cell the
  caps allow, and PART_MARKUP for the parts openpyxl builds as whole trees
  (styles, the workbook, relationships), counted at C speed before any XML is
  parsed.

openpyxl's read-only mode is not bounded enough for this: it pads rows to the
declared dimension, fills gaps between row numbers with empty rows, builds
each row whole, and parses every sheet up to its end at load time to find
its size. So the active sheet and the shared strings are streamed here, a cell
at a time, with openpyxl's own cell parser; openpyxl reads the rest.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
import zipfile
from collections.abc import Generator, Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, TextIO

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from openpyxl.cell.text import Text
from openpyxl.packaging.manifest import Manifest
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import (
    ARC_CONTENT_TYPES,
    ARC_STYLE,
    ARC_WORKBOOK,
    SHARED_STRINGS,
    SHEET_MAIN_NS,
    WORKSHEET_TYPE,
)
from openpyxl.xml.functions import fromstring, iterparse

#: The file formats of imports and exports.
FORMATS = ("csv", "xlsx", "json")

#: The longest line a CSV file may have, in characters: a spreadsheet row is far
#: shorter, and the csv module holds a whole line (and its cells) at once.
MAX_LINE_LENGTH = 1024 * 1024
#: The most members (files) an XLSX workbook may have; a spreadsheet has a few
#: dozen.
MAX_MEMBERS = 1_000
#: XML tags a workbook may hold per cell the caps allow (a cell with its value
#: and its shared string takes eight), besides PART_MARKUP for its structure.
MARKUP_PER_CELL = 8
#: XML tags the parts openpyxl builds as whole trees (the workbook, its
#: styles, the relationships) may hold together; Excel's limit of 64,000 cell
#: styles fits.
PART_MARKUP = 100_000
#: XML elements one cell or one shared string may hold (rich text runs).
CELL_MARKUP = 10_000
#: XML elements a sheet or the shared strings may hold besides their rows,
#: cells and strings (column widths, merged cells, links, formatting rules).
OTHER_MARKUP = 100_000
#: How deep a sheet's XML may nest (a real one nests five deep).
MAX_DEPTH = 64

#: Rows as a reader yields them, the first naming the columns.
Rows = Generator[Sequence[Any], None, None]

ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
CELL_TAG = f"{{{SHEET_MAIN_NS}}}c"
STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}


class FileRefused(ValueError):
    """Nothing was imported: the file cannot be read, or it is over one of the
    import caps (`setting` then names it). The message is for the curator."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class Limits:
    """The caps of one read (docs/curation.md, "Import limits")."""

    rows: int
    cells: int
    size: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            rows=settings.IMPORT_MAX_ROWS,
            cells=settings.IMPORT_MAX_CELLS,
            size=settings.IMPORT_MAX_DECOMPRESSED_SIZE,
        )


def grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def too_many_rows(limit: int) -> FileRefused:
    return FileRefused(
        _(
            "The file has more than %(limit)s rows (empty rows count too); split "
            "it, or ask an administrator to raise the limit."
        )
        % {"limit": grouped(limit)},
        "IMPORT_MAX_ROWS",
    )


def too_many_cells(limit: int) -> FileRefused:
    return FileRefused(
        _(
            "The file has more than %(limit)s cells (rows × columns); split it, "
            "or ask an administrator to raise the limit."
        )
        % {"limit": grouped(limit)},
        "IMPORT_MAX_CELLS",
    )


def too_large(size: int, limit: int, *, workbook: bool) -> FileRefused:
    sizes = {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    if workbook:
        message = _(
            "The workbook holds %(size)s once decompressed, more than the "
            "%(limit)s an import may read; split it, or ask an administrator to "
            "raise the limit."
        )
    else:
        message = _(
            "The file is %(size)s, more than the %(limit)s an import may read; "
            "split it, or ask an administrator to raise the limit."
        )
    return FileRefused(message % sizes, "IMPORT_MAX_DECOMPRESSED_SIZE")


def not_a_plain_workbook() -> FileRefused:
    return FileRefused(
        _(
            "The workbook's structure is far larger than its data needs (styles, "
            "parts or markup); copy the data into a new workbook, or save it as "
            "CSV, and import that."
        )
    )


def check_format(file_format: str) -> None:
    if file_format not in FORMATS:
        raise ValueError(
            _("Unknown file format “%(format)s”: use %(formats)s.")
            % {"format": file_format, "formats": ", ".join(FORMATS)}
        )


def bounded_dataset(source: BinaryIO, file_format: str, size: int) -> tablib.Dataset:
    """The dataset of a file of `size` bytes open at `source`, in one of
    FORMATS, within the caps; FileRefused if it is over one or unreadable."""
    check_format(file_format)
    limits = Limits.from_settings()
    rows: Rows
    fill: Any = None
    try:
        if file_format == "xlsx":
            rows = xlsx_rows(source, limits)
        elif size > limits.size:
            raise too_large(size, limits.size, workbook=False)
        elif file_format == "csv":
            rows, fill = csv_rows(source), ""
        else:
            rows = json_rows(source.read())
        with closing(rows):
            return collect(rows, limits, fill)
    except FileRefused:
        raise
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not in UTF-8: save it as “CSV UTF-8” (or JSON in UTF-8).")
        ) from None
    except RecursionError:
        raise FileRefused(_("The file nests values too deeply to be read.")) from None
    except Exception as error:  # whatever a parser raises on a broken file
        raise FileRefused(
            _("Cannot read the file as %(format)s (%(error)s).")
            % {"format": file_format.upper(), "error": error}
        ) from None


# --- Rows into a dataset ------------------------------------------------------------


def is_empty(value: Any) -> bool:
    return value is None or value == ""


def used_width(row: Sequence[Any]) -> int:
    """The number of cells up to the row's last non-empty one."""
    for index in range(len(row) - 1, -1, -1):
        if not is_empty(row[index]):
            return index + 1
    return 0


def no_header(row: int, column: int) -> FileRefused:
    return FileRefused(
        _("Row %(row)s has a value in column %(column)s, which has no header.")
        % {"row": grouped(row), "column": get_column_letter(column)}
    )


def collect(rows: Rows, limits: Limits, fill: Any) -> tablib.Dataset:
    """A dataset of `rows`, the first naming the columns (up to its last
    non-empty cell), counting every row and cell as it comes. Blank rows are
    left out (IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES); a value in a column
    without a header is an error; short rows are filled with `fill`."""
    first = next(rows, None)
    if first is None:
        return tablib.Dataset()
    headers = list(first[: used_width(first)])
    width = len(headers)
    cells = max(len(first), width)
    if cells > limits.cells:
        raise too_many_cells(limits.cells)
    skip_blank = settings.IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES
    data: list[list[Any]] = []
    for number, row in enumerate(rows, start=2):
        if number - 1 > limits.rows:
            raise too_many_rows(limits.rows)
        cells += max(len(row), width)
        if cells > limits.cells:
            raise too_many_cells(limits.cells)
        used = used_width(row)
        if used > width:
            column = next(i for i in range(width, used) if not is_empty(row[i]))
            raise no_header(number, column + 1)
        if used == 0 and skip_blank:
            continue
        values = list(row[:width])
        data.append(values + [fill] * (width - len(values)))
    return tablib.Dataset(*data, headers=headers)


# --- CSV ---------------------------------------------------------------------------


def csv_rows(source: BinaryIO) -> Rows:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(bounded_lines(text))
    finally:
        text.detach()  # the caller closes the file


def bounded_lines(text: TextIO) -> Generator[str, None, None]:
    for number in itertools.count(1):
        line = text.readline(MAX_LINE_LENGTH + 1)
        if not line:
            return
        if len(line) > MAX_LINE_LENGTH:
            raise FileRefused(
                _("Line %(line)s of the file is longer than %(limit)s characters.")
                % {"line": grouped(number), "limit": grouped(MAX_LINE_LENGTH)}
            )
        yield line


# --- JSON --------------------------------------------------------------------------

JSON_SPACE = re.compile(r"[ \t\n\r]*")


def skip_space(text: str, position: int) -> int:
    match = JSON_SPACE.match(text, position)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def json_rows(data: bytes) -> Rows:
    """A JSON list of objects, one per row, decoded one object at a time: the
    keys of the first name the columns, and every object has those keys."""
    text = data.decode("utf-8-sig")
    decoder = json.JSONDecoder(
        parse_int=json_int, parse_float=json_float, parse_constant=json_constant
    )
    not_a_list = FileRefused(_("The file must be a JSON list of objects, one per row."))
    position = skip_space(text, 0)
    if text[position : position + 1] != "[":
        raise not_a_list
    position = skip_space(text, position + 1)
    if text[position : position + 1] == "]":
        return
    headers: list[str] = []
    for number in itertools.count(2):
        value, position = decoder.raw_decode(text, position)
        if not isinstance(value, dict):
            raise FileRefused(_("Row %(row)s is not a JSON object.") % {"row": number})
        if number == 2:
            headers = list(value)
            yield headers
        elif value.keys() != set(headers):
            raise FileRefused(
                _("Row %(row)s does not have the keys of row 2: %(keys)s.")
                % {
                    "row": number,
                    "keys": ", ".join(sorted(value.keys() ^ set(headers))),
                }
            )
        row = [value[key] for key in headers]
        for key, cell in zip(headers, row, strict=True):
            if isinstance(cell, dict | list):
                raise FileRefused(
                    _(
                        "Row %(row)s, “%(column)s”: a value must be text, a number, "
                        "true, false or null."
                    )
                    % {"row": number, "column": key}
                )
        yield row
        position = skip_space(text, position)
        separator = text[position : position + 1]
        if separator == "]" and skip_space(text, position + 1) == len(text):
            return
        if separator != ",":
            raise not_a_list
        position = skip_space(text, position + 1)


def json_number_too_large(text: str) -> FileRefused:
    shown = text if len(text) <= 20 else text[:20] + "…"
    return FileRefused(
        _("The file has a number too large to be read: %(number)s.") % {"number": shown}
    )


def json_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.int_info)
        raise json_number_too_large(text) from None


def json_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise json_number_too_large(text)
    return number


def json_constant(text: str) -> Any:
    raise FileRefused(
        _("The file has %(value)s, which is not a number JSON allows.")
        % {"value": text}
    )


# --- XLSX --------------------------------------------------------------------------


def xlsx_rows(source: BinaryIO, limits: Limits) -> Rows:
    """The rows of the workbook's active sheet, from row 1 and column A."""
    with zipfile.ZipFile(source) as archive:
        check_workbook(archive, limits)
    source.seek(0)
    reader = ExcelReader(source, read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)  # which cells are dates
        sheets = [
            (rel.target, "chartsheet" not in rel.Type)
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files
        ]
        if not sheets:
            raise FileRefused(_("The workbook has no sheet."))
        index = reader.wb._active_sheet_index
        path, is_worksheet = sheets[index] if 0 <= index < len(sheets) else sheets[0]
        if not is_worksheet:
            raise FileRefused(_("The workbook's active sheet is not a worksheet."))
        with ExitStack() as parts:
            found = reader.package.find(SHARED_STRINGS)
            strings = SharedStrings(
                shared_strings(
                    parts.enter_context(reader.archive.open(found.PartName[1:])), limits
                )
                if found is not None
                else iter(())
            )
            parser = WorkSheetParser(
                None,
                strings,
                data_only=True,
                epoch=reader.wb.epoch,
                date_formats=reader.wb._date_formats,
                timedelta_formats=reader.wb._timedelta_formats,
            )
            sheet = parts.enter_context(reader.archive.open(path))
            yield from sheet_rows(sheet, parser, limits)
    finally:
        reader.archive.close()


class SharedStrings:
    """The shared strings, read as far as the sheet's cells refer to them:
    strings no cell uses cost nothing."""

    def __init__(self, strings: Iterator[str]) -> None:
        self.strings = strings
        self.read: list[str] = []

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        for string in itertools.islice(self.strings, index + 1 - len(self.read)):
            self.read.append(string)
        return self.read[index]


def check_workbook(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a workbook over the caps from its zip directory, then from the
    markup of its members (counted while decompressing, which also checks
    every member against its declared size and CRC)."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise not_a_plain_workbook()
    size = sum(member.file_size for member in members)
    if size > limits.size:
        raise too_large(size, limits.size, workbook=True)
    names = {member.filename for member in members}
    if ARC_CONTENT_TYPES not in names:
        raise FileRefused(_("The file is not an XLSX workbook."))
    manifest_tags = count_tags(archive, archive.getinfo(ARC_CONTENT_TYPES))
    if manifest_tags > PART_MARKUP:
        raise not_a_plain_workbook()
    manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    streamed = streamed_parts(manifest)
    declared = {override.PartName[1:] for override in manifest.Override}
    total, trees = 0, 0
    for member in members:
        tags = count_tags(archive, member)
        total += tags
        if total > MARKUP_PER_CELL * limits.cells + PART_MARKUP:
            raise not_a_plain_workbook()
        name = member.filename
        if name not in streamed and (
            name in declared or name.endswith((".xml", ".rels"))
        ):
            trees += tags
            if trees > PART_MARKUP:
                raise not_a_plain_workbook()


def streamed_parts(manifest: Manifest) -> set[str]:
    """The parts read a row or a string at a time (the worksheets and the
    shared strings): the only ones whose markup may grow with the data."""
    types: dict[str, set[str]] = {}
    for override in manifest.Override:
        types.setdefault(override.PartName[1:], set()).add(override.ContentType)
    return {
        name
        for name, found in types.items()
        if found <= {WORKSHEET_TYPE, SHARED_STRINGS}
        and not found & WORKBOOK_TYPES
        and name not in (ARC_CONTENT_TYPES, ARC_STYLE, ARC_WORKBOOK)
        and not name.endswith(".rels")
    }


def count_tags(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    tags = 0
    with archive.open(member) as data:
        while chunk := data.read(1024 * 1024):
            tags += chunk.count(b"<")
    return tags


def elements(part: IO[bytes]) -> Generator[tuple[str, Any, list[Any]], None, None]:
    """The part's XML events, each ("start" or "end", element, the open
    elements above it). An element that has ended is dropped from its parent,
    so that memory holds the open elements only, not the part read so far."""
    stack: list[Any] = []
    for event, element in iterparse(part, events=("start", "end")):
        if event == "start":
            stack.append(element)
            if len(stack) > MAX_DEPTH:
                raise FileRefused(_("The file nests values too deeply to be read."))
            yield event, element, stack
        else:
            stack.pop()
            yield event, element, stack


def release(element: Any, stack: list[Any]) -> None:
    element.clear()
    if stack:
        stack[-1].remove(element)


def shared_strings(part: IO[bytes], limits: Limits) -> Generator[str, None, None]:
    """The workbook's shared strings, as openpyxl reads them, one at a time:
    no more than the cells the caps allow."""
    count = 0
    depth = 0  # open elements of the current string, itself included
    inside = others = 0  # elements in the current string; outside any string
    for event, element, stack in elements(part):
        if event == "start":
            if depth or element.tag == STRING_TAG:
                depth += 1
                inside = 0 if depth == 1 else inside + 1
                if inside > CELL_MARKUP:
                    raise not_a_plain_workbook()
            else:
                others += 1
                if others > OTHER_MARKUP:
                    raise not_a_plain_workbook()
            continue
        if depth > 1:
            depth -= 1
            continue  # a part of the string: read with it
        if depth == 1:
            count += 1
            if count > limits.cells:
                raise too_many_cells(limits.cells)
            yield Text.from_tree(element).content.replace("x005F_", "")
            depth = 0
        release(element, stack)


def sheet_rows(sheet: IO[bytes], parser: WorkSheetParser, limits: Limits) -> Rows:
    """A sheet's rows, a cell at a time (with openpyxl's cell parser): a row
    missing from the file is an empty row (counted, never padded), a cell
    counts against IMPORT_MAX_CELLS when it is read, and a value without a
    header is refused when it is read, so no row is held beyond the caps. The
    declared dimension is never read."""
    next_row = 1  # rows before it were yielded; one out of order is dropped
    number = cells = others = 0
    depth = inside = 0  # open elements of the current cell; elements in it
    width: int | None = None  # the header's, once read
    values: dict[int, Any] = {}
    for event, element, stack in elements(sheet):
        tag = element.tag
        if event == "start":
            if depth or tag == CELL_TAG:
                depth += 1
                inside = 0 if depth == 1 else inside + 1
                if depth == 1:
                    cells += 1
                    if cells > limits.cells:
                        raise too_many_cells(limits.cells)
                elif inside > CELL_MARKUP:
                    raise not_a_plain_workbook()
            elif tag == ROW_TAG:
                reference = element.get("r")
                number = int(float(reference)) if reference else number + 1
                parser.row_counter, parser.col_counter = number, 0
                values = {}
            else:
                others += 1
                if others > OTHER_MARKUP:
                    raise not_a_plain_workbook()
            continue
        if depth > 1:
            depth -= 1
            continue  # a part of the cell (its value): read with it
        if depth == 1:
            depth = 0
            cell = parser.parse_cell(element)
            if not is_empty(cell["value"]):
                column = cell["column"]
                if width is not None and column > width and number >= next_row:
                    raise no_header(number, column)  # before reading the row on
                values[column] = cell["value"]
        elif tag == ROW_TAG and number >= next_row:
            yield from itertools.repeat([], number - next_row)
            row = [values.get(c) for c in range(1, max(values, default=0) + 1)]
            if width is None:
                width = used_width(row) if number == 1 else 0
            yield row
            next_row = number + 1
        release(element, stack)


# --- The admin's formats -------------------------------------------------------------


def load_dataset(data: bytes | str, file_format: str) -> tablib.Dataset:
    """bounded_dataset() of a file in memory (the admin's upload)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return bounded_dataset(io.BytesIO(data), file_format, len(data))


class BoundedImport:
    """An admin import format read by bounded_dataset() (the library's reads a
    whole sheet, padded to its declared dimension)."""

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        return load_dataset(in_stream, self.get_extension())  # type: ignore[attr-defined]


class CSVFormat(BoundedImport, base_formats.CSV):
    pass


class XLSXFormat(BoundedImport, base_formats.XLSX):
    pass


class JSONFormat(BoundedImport, base_formats.JSON):
    pass


#: The admin's formats, in the order of FORMATS.
ADMIN_FORMATS = [CSVFormat, XLSXFormat, JSONFormat]
