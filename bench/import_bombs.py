"""Import bombs benchmark: what reading a hostile spreadsheet costs, beside a
normal 1,000-row file measured in the same run.

`make bench` runs it. Each read is a fresh process (so that its peak memory is
its own), reading the file as `registry_import` and the admin do
(collection.files.read_dataset: collection.reading) until it has the rows or
refuses the file. It reports seconds and memory and never passes or fails on
them; docs/curation.md ("Import limits") records what was measured.

The files, built in a temporary folder:

- a normal file: 1,000 agreements, as XLSX and as CSV (the baseline);
- an XLSX of 5 KB declaring the dimension A1:XFD1048576, with one cell at
  XFD1048576 (the issue's file), and one with its far cell at E1048576;
- an XLSX declaring 200,000 rows of five columns, with a cell at E200000;
- a deflate bomb: 825 MB of sheet XML in a few megabytes, its zip directory
  telling the truth, and the same bomb with a directory that understates it;
- styles beyond any spreadsheet (a million cell styles in 180 KB), and one
  row of a million cells;
- real content at the caps: 50,000 rows (read), and 40,001 rows of 50 cells,
  just over 2,000,000 cells (refused when the cell over the cap is read): what
  the caps let a file cost.

With `--before` (the default) each file is also read by the readers used
before the caps, django-import-export's (the admin) and tablib's (the command
line), each stopped after `--timeout` seconds or at 3 GiB of memory.

    python bench/import_bombs.py [--skip-before] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["slug", "title_en", "kind", "scope", "signed_on"]
#: The memory a read stopped before the caps may take.
MEMORY_LIMIT = 3 * 1024**3


# --- The files ----------------------------------------------------------------------


def workbook(rows: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def rewrite(data: bytes, member: str, change: Any) -> bytes:
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


def agreements(count: int) -> list[list[Any]]:
    return [HEADER] + [
        [f"a-{n}", f"Letter of arrangement {n}", "loa", "local", "2011-11"]
        for n in range(count)
    ]


def declared(dimension: str, far_cell: str) -> bytes:
    row = re.sub(r"[A-Z]+", "", far_cell)

    def change(xml: str) -> str:
        xml = xml.replace("</sheetPr>", f'</sheetPr><dimension ref="{dimension}"/>')
        cell = f'<c r="{far_cell}" t="inlineStr"><is><t>x</t></is></c>'
        return xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>')

    return rewrite(workbook(agreements(1)), SHEET, change)


def bomb(megabytes: int) -> bytes:
    row = b"<row><c><v>1</v></c></row>"
    chunk = row * (1024 * 1024 // len(row))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook([HEADER]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(SHEET, "w") as sheet:
            sheet.write(f'<worksheet xmlns="{NS}"><sheetData>'.encode())
            for _ in range(megabytes):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def lying(data: bytes, member: str, size: int) -> bytes:
    """`data` with `member` declared `size` bytes long."""
    import struct

    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
        position = archive.start_dir
    struct.pack_into("<I", raw, info.header_offset + 22, size)
    while raw[position : position + 4] == b"PK\x01\x02":
        name_length, extra, comment = struct.unpack_from("<HHH", raw, position + 28)
        if raw[position + 46 : position + 46 + name_length].decode() == member:
            struct.pack_into("<I", raw, position + 24, size)
        position += 46 + name_length + extra + comment
    return bytes(raw)


def styles() -> bytes:
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'

    def change(xml: str) -> str:
        start, end = xml.index("<cellXfs"), xml.index("</cellXfs>")
        return xml[:start] + '<cellXfs count="1000000">' + xf * 1_000_000 + xml[end:]

    return rewrite(workbook([HEADER]), "xl/styles.xml", change)


def one_long_row() -> bytes:
    def change(xml: str) -> str:
        row = "<row>" + "<c><v>1</v></c>" * 1_000_000 + "</row>"
        return xml.replace("</sheetData>", row + "</sheetData>")

    return rewrite(workbook([HEADER]), SHEET, change)


def make_files(folder: Path) -> list[tuple[str, Path, str]]:
    """(label, path, what the file declares or holds) of every file."""
    import csv

    files: list[tuple[str, Path, str]] = []

    def add(label: str, name: str, data: bytes, holds: str) -> None:
        path = folder / name
        path.write_bytes(data)
        files.append((label, path, holds))

    add(
        "normal file (baseline)",
        "normal.xlsx",
        workbook(agreements(1000)),
        "1,000 rows",
    )
    text = io.StringIO()
    csv.writer(text).writerows(agreements(1000))
    add("normal file (baseline)", "normal.csv", text.getvalue().encode(), "1,000 rows")
    add(
        "declared dimension, far cell",
        "declared.xlsx",
        declared("A1:XFD1048576", "XFD1048576"),
        "A1:XFD1048576",
    )
    add(
        "declared dimension, far row",
        "declared-row.xlsx",
        declared("A1:XFD1048576", "E1048576"),
        "A1:XFD1048576",
    )
    add(
        "200,000 declared rows",
        "rows200k.xlsx",
        declared("A1:E200000", "E200000"),
        "A1:E200000",
    )
    print("   building the deflate bomb (825 MB of XML) …", flush=True)
    honest = bomb(825)
    add("deflate bomb", "bomb.xlsx", honest, "825 MB of XML")
    add(
        "deflate bomb, lying directory",
        "bomb-lying.xlsx",
        lying(honest, SHEET, 30 * 1024 * 1024),
        "825 MB declared as 30 MB",
    )
    add("a million cell styles", "styles.xlsx", styles(), "1,000,000 styles")
    print("   building the files at the caps …", flush=True)
    add("at the row cap", "rows-cap.xlsx", workbook(agreements(50_000)), "50,000 rows")
    wide = [[f"c{n}" for n in range(50)]] + [list(range(50))] * 40_000
    add("just over the cell cap", "cells-cap.xlsx", workbook(wide), "2,000,050 cells")
    add(
        "one row of a million cells", "long-row.xlsx", one_long_row(), "1,000,000 cells"
    )
    return files


# --- The driver ------------------------------------------------------------------


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings")
    return env


def measure(reader: str, path: Path, timeout: float) -> dict[str, Any]:
    """Read `path` with `reader` in a process of its own, stopped after
    `timeout` seconds; the process's peak memory whatever came of it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [PYTHON, __file__, "worker", reader, str(path)],
            cwd=BASE_DIR,
            env=environment(),
            stdout=out,
            stderr=err,
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    figures: dict[str, Any] = {"peak_mb": usage.ru_maxrss / 1024}
    if stdout.strip():
        figures.update(json.loads(stdout.strip().splitlines()[-1]))
    elif process.returncode == -9:
        figures["outcome"] = f"stopped after {timeout:.0f} s"
    elif "MemoryError" in stderr:
        figures["outcome"] = f"out of memory (over {MEMORY_LIMIT // 1024**3} GiB)"
    else:
        figures["outcome"] = (stderr.strip().splitlines() or ["?"])[-1]
    return figures


def report(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'file':<31} {'size':>8} {'declares/holds':<25} {'reader':<15} "
        f"{'seconds':>8} {'peak MB':>8} {'+MB':>6}  outcome"
    )
    print("\n" + header)
    print("-" * len(header))
    for r in rows:
        seconds = f"{r['seconds']:.2f}" if r.get("seconds") is not None else "-"
        peak = f"{r['peak_mb']:.0f}"
        grown = f"{r['peak_mb'] - r['start_mb']:.0f}" if "start_mb" in r else "-"
        print(
            f"{r['label']:<31} {r['size']:>8} {r['holds']:<25} {r['reader']:<15} "
            f"{seconds:>8} {peak:>8} {grown:>6}  {r['outcome'][:72]}"
        )
    print(
        "\nseconds: the read alone; peak MB: the process's peak resident memory "
        "(Django loaded, about 150 MB); +MB: how far the read raised it. "
        "tablib's rows are what the command line imported before (the issue "
        "measured 148 s and 2.5 GB for the 200,000 declared rows)."
    )


def size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024**2:.1f} MB"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--skip-before",
        action="store_true",
        help="Leave out the readers used before the caps (slow on the bombs).",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="Seconds after which a read by a reader before the caps is stopped.",
    )
    options = parser.parse_args(argv)
    readers = ["bounded"] + ([] if options.skip_before else ["import-export", "tablib"])
    rows = []
    with tempfile.TemporaryDirectory(prefix="registry-bombs-") as tmp:
        print("== building the files …", flush=True)
        files = make_files(Path(tmp))
        for label, path, holds in files:
            for reader in readers:
                if reader != "bounded" and path.suffix != ".xlsx":
                    continue
                print(f"   {label} ({path.name}), {reader} …", flush=True)
                timeout = 600.0 if reader == "bounded" else options.timeout
                rows.append(
                    {
                        "label": label,
                        "size": size(path),
                        "holds": holds,
                        "reader": reader,
                        **measure(reader, path, timeout),
                    }
                )
    report(rows)
    return 0


# --- The worker (a process per read) ----------------------------------------------


def read(reader: str, path: Path) -> str:
    """Read the file; what came of it."""
    if reader == "bounded":
        from collection.files import FileRefused, read_dataset

        try:
            dataset = read_dataset(path)
        except FileRefused as refusal:
            cap = f" [{refusal.setting}]" if refusal.setting else ""
            return f"refused{cap}: {refusal}"
        return f"read: {len(dataset):,} rows"
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    data = path.read_bytes()
    if reader == "import-export":
        from import_export.formats.base_formats import XLSX

        dataset = XLSX().create_dataset(data)
    else:
        import tablib

        dataset = tablib.Dataset().load(data, format="xlsx")
    return f"read: {len(dataset):,} rows"


def run_worker(reader: str, path: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import openpyxl  # noqa: F401  (loaded before the start figure, as Django is)

    start_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    outcome = read(reader, Path(path))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "outcome": outcome[:110],
                "seconds": seconds,
                "start_mb": start_mb,
                "peak_mb": peak_mb,
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        run_worker(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main(sys.argv[1:]))
