"""Bounded imports: a file over a cap (rows, cells, decompressed size, markup)
is refused whole, with a message, before it costs more than the caps allow,
in the admin and on the command line; and the admin keeps an uploaded file
only between its preview and its confirmation, for IMPORT_PREVIEW_TTL at most.

The hostile files are built here: an XLSX declaring a dimension it does not
have, with one far cell; deflate bombs (honest and lying zip directories);
CSV and JSON files over the caps; JSON that Python's parser cannot hold."""

import io
import os
import re
import struct
import tempfile
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from collection import storage
from collection.files import read_dataset
from registry.models import Agreement
from tests import factories as f

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:registry_agreement_import")
CONFIRM = reverse("admin:registry_agreement_process_import")
FOLDER = "collection.storage.PreviewFolderStorage"
CACHE = "collection.storage.PreviewCacheStorage"
FORMAT_INDEX = {"csv": "0", "xlsx": "1", "json": "2"}
HEADER = ["slug", "title_en", "kind", "scope", "signed_on"]
GOOD = "slug,title_en,kind,scope,signed_on\na-1,First letter,loa,local,2011-11\n"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# --- Hostile files -------------------------------------------------------------------


def workbook(rows):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def rewrite(data, member, change):
    """The workbook `data` with the XML of `member` passed through `change`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = change(content.decode()).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


def declared(dimension, far_cell):
    """A 5 KB workbook of one agreement that declares `dimension` and has one
    more cell, "x", at `far_cell`."""
    row = re.sub(r"[A-Z]+", "", far_cell)

    def change(xml):
        xml = xml.replace("</sheetPr>", f'</sheetPr><dimension ref="{dimension}"/>')
        cell = f'<row r="{row}"><c r="{far_cell}" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace("</sheetData>", cell + "</sheetData>")

    good = workbook([HEADER, ["a-1", "First letter", "loa", "local", "2011-11"]])
    return rewrite(good, "xl/worksheets/sheet1.xml", change)


def bomb(decompressed):
    """A workbook whose sheet is `decompressed` bytes of rows of one cell: a
    few hundred bytes of zip per megabyte of XML."""
    row = b"<row><c><v>1</v></c></row>"
    head = f'<worksheet xmlns="{NS}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    chunk = row * (1024 * 1024 // len(row))
    out = io.BytesIO()
    good = workbook([HEADER])
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(head)
            for _ in range(decompressed // len(chunk)):
                sheet.write(chunk)
            sheet.write(tail)
    return out.getvalue()


def lying(data, member, size):
    """The zip `data` with `member` declared `size` bytes long (in the zip
    directory and its local header), whatever it really holds."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
        position = archive.start_dir
    struct.pack_into("<I", raw, info.header_offset + 22, size)
    while raw[position : position + 4] == b"PK\x01\x02":
        name_length, extra, comment = struct.unpack_from("<HHH", raw, position + 28)
        name = raw[position + 46 : position + 46 + name_length].decode()
        if name == member:
            struct.pack_into("<I", raw, position + 24, size)
        position += 46 + name_length + extra + comment
    return bytes(raw)


def csv_rows(count):
    return "slug,title_en,kind,scope,signed_on\n" + "".join(
        f"a-{n},Letter {n},loa,local,2011-11\n" for n in range(count)
    )


def json_rows(count):
    return (
        "["
        + ",".join(
            f'{{"slug": "a-{n}", "title_en": "Letter {n}", "kind": "loa", '
            f'"scope": "local", "signed_on": "2011-11"}}'
            for n in range(count)
        )
        + "]"
    )


def wide_xlsx_row(cells):
    """One agreement, then a row of `cells` empty cells (as a spreadsheet
    program leaves formatted cells behind)."""

    def change(xml):
        row = "<row>" + "<c/>" * cells + "</row>"
        return xml.replace("</sheetData>", row + "</sheetData>")

    good = workbook([HEADER, ["a-1", "First letter", "loa", "local", "2011-11"]])
    return rewrite(good, "xl/worksheets/sheet1.xml", change)


#: (id, file name, content, settings, what the message says)
HOSTILE = [
    (
        "declared-dimension-far-column",
        "agreements.xlsx",
        lambda: declared("A1:XFD1048576", "XFD1048576"),
        {},
        "Row 1,048,576 has a value in column XFD, which has no header.",
    ),
    (
        "declared-dimension-far-row",
        "agreements.xlsx",
        lambda: declared("A1:XFD1048576", "E1048576"),
        {},
        "The file has more than 50,000 rows (empty rows count too); split it, "
        "or ask an administrator to raise the limit.",
    ),
    (
        "200000-declared-rows",
        "agreements.xlsx",
        lambda: declared("A1:E200000", "E200000"),
        {},
        "more than 50,000 rows",
    ),
    (
        "deflate-bomb",
        "agreements.xlsx",
        lambda: bomb(2 * 1024 * 1024),
        {"IMPORT_MAX_DECOMPRESSED_SIZE": 1024 * 1024},
        "The workbook holds 2.0\xa0MB once decompressed, more than the 1.0\xa0MB "
        "an import may read; split it, or ask an administrator to raise the limit.",
    ),
    (
        "deflate-bomb-lying-directory",
        "agreements.xlsx",
        lambda: lying(bomb(2 * 1024 * 1024), "xl/worksheets/sheet1.xml", 2000),
        {"IMPORT_MAX_DECOMPRESSED_SIZE": 1024 * 1024},
        "Bad CRC-32",
    ),
    (
        "csv-over-rows",
        "agreements.csv",
        lambda: csv_rows(4).encode(),
        {"IMPORT_MAX_ROWS": 3},
        "The file has more than 3 rows",
    ),
    (
        "json-over-rows",
        "agreements.json",
        lambda: json_rows(4).encode(),
        {"IMPORT_MAX_ROWS": 3},
        "The file has more than 3 rows",
    ),
    (
        "csv-over-cells",
        "agreements.csv",
        lambda: csv_rows(10).encode(),
        {"IMPORT_MAX_CELLS": 40},
        "The file has more than 40 cells (rows × columns)",
    ),
    (
        "xlsx-row-wider-than-the-cells",
        "agreements.xlsx",
        lambda: wide_xlsx_row(100),
        {"IMPORT_MAX_CELLS": 50},
        "The file has more than 50 cells",
    ),
    (
        "csv-over-size",
        "agreements.csv",
        lambda: csv_rows(100).encode(),
        {"IMPORT_MAX_DECOMPRESSED_SIZE": 1000},
        "more than the 1000\xa0bytes an import may read",
    ),
    (
        "json-huge-number",
        "agreements.json",
        lambda: b'[{"slug": 1e999999}]',
        {},
        "The file has a number too large to be read: 1e999999.",
    ),
    (
        "json-huge-integer",
        "agreements.json",
        lambda: b'[{"slug": ' + b"1" * 100_000 + b"}]",
        {},
        "The file has a number too large to be read: 11111111111111111111…",
    ),
    (
        "json-deeply-nested",
        "agreements.json",
        lambda: b'[{"slug": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]",
        {},
        "The file nests values too deeply to be read.",
    ),
    (
        "json-not-a-list",
        "agreements.json",
        lambda: b'{"slug": "a-1"}',
        {},
        "The file must be a JSON list of objects, one per row.",
    ),
]


@pytest.fixture
def folder(monkeypatch, tmp_path, settings):
    """The admin keeps previews in a temporary folder of this test's own."""
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = FOLDER
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def previews(folder):
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture
def curator_client(client):
    client.force_login(f.curator())
    return client


def post(client, name, content):
    upload = SimpleUploadedFile(name, content)
    return client.post(
        IMPORT, {"import_file": upload, "format": FORMAT_INDEX[name.rsplit(".")[-1]]}
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(CONFIRM, {name: form[name].value() for name in form.fields})


# --- Hostile files, in the admin and on the command line -----------------------------


@pytest.mark.parametrize(
    ("name", "build", "caps", "message"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_the_admin_refuses_a_file_over_a_cap_and_keeps_nothing(
    curator_client, folder, settings, name, build, caps, message
):
    for setting, value in caps.items():
        setattr(settings, setting, value)
    response = post(curator_client, name, build())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert message in " ".join(response.context["form"].errors["import_file"])
    assert "confirm_form" not in response.context
    assert not Agreement.objects.exists()
    assert previews(folder) == []  # the refused upload is not kept


@pytest.mark.parametrize(
    ("name", "build", "caps", "message"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_registry_import_refuses_a_file_over_a_cap(
    tmp_path, settings, name, build, caps, message
):
    for setting, value in caps.items():
        setattr(settings, setting, value)
    path = tmp_path / name
    path.write_bytes(build())
    with pytest.raises(CommandError) as refusal:
        call_command("registry_import", "agreements", str(path))
    assert str(refusal.value).startswith(f"{path}: nothing imported.")
    assert message in str(refusal.value)
    assert not Agreement.objects.exists()


def test_the_command_line_names_the_setting_of_the_cap(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 3
    path = tmp_path / "agreements.csv"
    path.write_text(csv_rows(4))
    with pytest.raises(CommandError, match=r"raise the limit\. \(IMPORT_MAX_ROWS\)"):
        call_command("registry_import", "agreements", str(path))


def test_a_real_deflate_bomb_is_refused_from_the_zip_directory_at_the_default_cap(
    tmp_path,
    settings,
):
    """65 MiB of sheet XML in a few hundred kilobytes, against the default cap
    of 64 MiB: refused before anything is decompressed."""
    assert settings.IMPORT_MAX_DECOMPRESSED_SIZE == 64 * 1024 * 1024
    data = bomb(65 * 1024 * 1024)
    assert len(data) < 1024 * 1024
    path = tmp_path / "agreements.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="once decompressed, more than the 64.0"):
        call_command("registry_import", "agreements", str(path))


def test_a_lying_zip_directory_bounds_the_read(tmp_path):
    """A member declared smaller than it is: zipfile stops at the declared
    size and fails the CRC check, so the directory's sizes bound the read."""
    data = lying(bomb(8 * 1024 * 1024), "xl/worksheets/sheet1.xml", 2000)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        with archive.open("xl/worksheets/sheet1.xml") as member:
            with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):
                member.read(4096)


def test_styles_beyond_any_spreadsheet_are_refused_before_they_are_parsed(tmp_path):
    """One million cell styles in 180 KB: openpyxl would build them all
    (minutes and gigabytes); the markup count refuses the workbook."""
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'

    def change(xml):
        start, end = xml.index("<cellXfs"), xml.index("</cellXfs>")
        return xml[:start] + '<cellXfs count="1000000">' + xf * 1_000_000 + xml[end:]

    path = tmp_path / "agreements.xlsx"
    path.write_bytes(rewrite(workbook([HEADER]), "xl/styles.xml", change))
    with pytest.raises(CommandError, match="structure is far larger than its data"):
        call_command("registry_import", "agreements", str(path))


def test_a_row_of_a_million_cells_is_refused_at_its_first_cell_without_a_header(
    tmp_path,
):
    def change(xml):
        row = "<row>" + "<c><v>1</v></c>" * 1_000_000 + "</row>"
        return xml.replace("</sheetData>", row + "</sheetData>")

    path = tmp_path / "agreements.xlsx"
    path.write_bytes(rewrite(workbook([HEADER]), "xl/worksheets/sheet1.xml", change))
    with pytest.raises(CommandError, match="Row 2 has a value in column F"):
        call_command("registry_import", "agreements", str(path))


# --- What a bounded read still reads as before ---------------------------------------


def test_a_declared_dimension_is_ignored_and_gaps_and_blank_rows_are_skipped(
    tmp_path,
):
    """The library padded every row to the declared dimension (here 26
    columns), so the header had 21 unnamed columns and nothing imported."""

    def change(xml):
        xml = xml.replace("</sheetPr>", '</sheetPr><dimension ref="A1:Z40000"/>')
        second = "".join(
            f'<c r="{column}7" t="inlineStr"><is><t>{value}</t></is></c>'
            for column, value in zip(
                "ABCDE",
                ["a-2", "Second letter", "mou", "national", "2012"],
                strict=True,
            )
        )
        return xml.replace("</sheetData>", f'<row r="7">{second}</row></sheetData>')

    rows = [HEADER, ["a-1", "First letter", "loa", "local", "2011-11"], [None] * 5]
    path = tmp_path / "agreements.xlsx"
    path.write_bytes(rewrite(workbook(rows), "xl/worksheets/sheet1.xml", change))
    dataset = read_dataset(path)
    assert dataset.headers == HEADER
    assert [row[0] for row in dataset] == ["a-1", "a-2"]
    call_command("registry_import", "agreements", str(path))
    assert sorted(Agreement.objects.values_list("slug", flat=True)) == ["a-1", "a-2"]


def test_a_file_at_the_caps_imports(curator_client, folder, settings):
    settings.IMPORT_MAX_ROWS = 3
    settings.IMPORT_MAX_CELLS = 20  # the header and three rows of five
    preview = post(curator_client, "agreements.csv", csv_rows(3).encode())
    assert "confirm_form" in preview.context
    assert confirm(curator_client, preview).status_code == 302
    assert Agreement.objects.count() == 3


def test_json_objects_may_order_their_keys_differently(tmp_path):
    """tablib took each object's values in its own key order, under the first
    object's keys."""
    path = tmp_path / "agreements.json"
    path.write_text(
        '[{"slug": "a-1", "title_en": "One", "kind": "loa", "scope": "local", '
        '"signed_on": "2011"}, {"title_en": "Two", "slug": "a-2", "scope": '
        '"national", "kind": "mou", "signed_on": "2012"}]'
    )
    call_command("registry_import", "agreements", str(path))
    assert Agreement.objects.get(slug="a-2").title_en == "Two"


# --- The preview's stored file --------------------------------------------------------


def test_a_rejected_preview_keeps_no_file(curator_client, folder):
    bad = GOOD + "a-2,Second letter,treaty,local,2012\n"
    response = post(curator_client, "agreements.csv", bad.encode())
    assert [error.row for error in response.context["row_errors"]] == [3]
    assert previews(folder) == []


def test_a_confirmed_import_keeps_no_file(curator_client, folder):
    preview = post(curator_client, "agreements.csv", GOOD.encode())
    assert len(previews(folder)) == 1
    assert confirm(curator_client, preview).status_code == 302
    assert Agreement.objects.get().slug == "a-1"
    assert previews(folder) == []


def test_a_preview_past_its_time_is_not_imported(curator_client, folder, settings):
    preview = post(curator_client, "agreements.csv", GOOD.encode())
    [name] = previews(folder)
    past = time.time() - settings.IMPORT_PREVIEW_TTL - 1
    os.utime(folder / name, (past, past))
    response = confirm(curator_client, preview)
    assert response.status_code == 302
    assert response["Location"] == IMPORT
    page = curator_client.get(IMPORT).content.decode()
    assert "The preview has expired (previews are kept 15 minutes)" in page
    assert not Agreement.objects.exists()
    assert previews(folder) == []


def test_a_new_preview_deletes_the_folder_s_expired_ones(
    curator_client, folder, settings
):
    past = time.time() - settings.IMPORT_PREVIEW_TTL - 1
    for name in ("registry-import-old", "someone-elses-file"):
        (folder / name).write_text("x")
        os.utime(folder / name, (past, past))
    (folder / "registry-import-recent").write_text("x")
    post(curator_client, "agreements.csv", GOOD.encode())
    assert "registry-import-old" not in previews(folder)
    assert "registry-import-recent" in previews(folder)
    assert (folder / "someone-elses-file").exists()


def test_the_confirmation_reads_only_the_admin_s_own_files(curator_client, folder):
    """The confirmation names its file; a name the admin did not give out is
    an expired preview, not a file of the temporary folder."""
    (folder / "other.csv").write_text(GOOD)
    preview = post(curator_client, "agreements.csv", GOOD.encode())
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    response = curator_client.post(CONFIRM, {**data, "import_file_name": "other.csv"})
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert not Agreement.objects.exists()
    assert (folder / "other.csv").exists()


class RecordingCache:
    """The cache, recording what it is given to keep, and for how long."""

    def __init__(self, cache):
        self.cache = cache
        self.kept = []

    def set(self, key, value, timeout):
        self.kept.append((key, timeout))
        self.cache.set(key, value, timeout)

    def __getattr__(self, name):
        return getattr(self.cache, name)


@pytest.fixture
def cached(monkeypatch, settings):
    """Previews in the shared cache (Redis with REDIS_URL, else locmem)."""
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = CACHE
    recording = RecordingCache(storage.cache)
    monkeypatch.setattr(storage, "cache", recording)
    return recording


def test_the_cache_keeps_a_preview_for_the_preview_ttl(
    curator_client, cached, settings
):
    settings.IMPORT_PREVIEW_TTL = 123
    preview = post(curator_client, "agreements.csv", GOOD.encode())
    [(key, timeout)] = cached.kept
    assert timeout == 123
    assert key.endswith(preview.context["confirm_form"]["import_file_name"].value())
    assert storage.cache.get(key) == GOOD.encode()
    confirm(curator_client, preview)
    assert Agreement.objects.get().slug == "a-1"
    assert storage.cache.get(key) is None


@pytest.mark.parametrize(
    ("content", "caps"),
    [
        (csv_rows(4), {"IMPORT_MAX_ROWS": 3}),
        (GOOD + "a-2,Second letter,treaty,local,2012\n", {}),
    ],
    ids=["over-a-cap", "bad-row"],
)
def test_the_cache_keeps_no_refused_file(
    curator_client, cached, settings, content, caps
):
    for setting, value in caps.items():
        setattr(settings, setting, value)
    response = post(curator_client, "agreements.csv", content.encode())
    assert "confirm_form" not in response.context
    [(key, timeout)] = cached.kept  # stored for the preview, then deleted
    assert timeout == settings.IMPORT_PREVIEW_TTL
    assert storage.cache.get(key) is None


def test_a_preview_the_cache_lost_is_not_imported(curator_client, cached):
    """Past its time, or lost with Redis (the cache fails open): a message,
    not a 500."""
    preview = post(curator_client, "agreements.csv", GOOD.encode())
    storage.cache.clear()
    response = confirm(curator_client, preview)
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert not Agreement.objects.exists()
