"""Import benchmark: a 10,000-row agreements file, the registry's import beside
django-import-export's default configuration on the same file.

`make bench` runs it on SQLite and, when a server answers, on PostgreSQL. It
reports figures (seconds, rows/s, SQL statements, history rows, peak memory)
and never passes or fails on them; docs/curation.md records what was measured.

Each run is a fresh process on a fresh copy of a database holding the seed
data, so runs do not warm each other up:

- registry, new rows: `manage.py registry_import agreements FILE`, the command
  curators use, with its history;
- registry, the same file again: every row unchanged (nothing written);
- registry, 20 % of titles changed: updates with their history;
- library bulk paths, new rows and 20 % changed: the same import, with the
  two pieces the registry writes itself replaced by the libraries' own bulk
  paths, to see whether the custom code earns its place (the rule: keep it
  only where it is at least 3× faster): history rows by django-simple-history's
  `bulk_history_create` (what `bulk_create_with_history` and
  `bulk_update_with_history` call) instead of one INSERT … SELECT per batch,
  the history of the laws and topics lists by the library's per-record
  `create_historical_record_m2ms` (it has no bulk form) instead of one
  statement per list and batch, and updates by Django's `bulk_update` (what
  django-import-export's `use_bulk` calls) instead of one UPDATE per row sent
  together; each piece is timed on its own;
- library defaults, new rows: a plain `ModelResource` over the same columns,
  with the library's widgets (`ForeignKeyWidget`, `ManyToManyWidget`) and
  defaults (row-by-row `save()`, `ModelInstanceLoader`, diffs, transactions),
  history recorded by django-simple-history's signals.

    python bench/import_agreements.py [--rows N] [--database URL ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# --- The driver ------------------------------------------------------------------


class Database:
    """A seeded database and fresh copies of it, on SQLite or PostgreSQL."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.url = url
        self.workdir = workdir
        self.is_postgres = url.startswith(("postgres://", "postgresql://"))
        self.copies = 0

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.is_postgres else "SQLite"

    def seeded_url(self) -> str:
        if self.is_postgres:
            return self.with_name("registry_bench_seed")
        return f"sqlite:///{self.workdir / 'seed.sqlite3'}"

    def with_name(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path="/" + name))

    def admin(self, *statements: str) -> None:
        with connect(self.url) as connection:
            for statement in statements:
                connection.execute(statement)

    def seed(self) -> None:
        if self.is_postgres:
            self.admin(
                "DROP DATABASE IF EXISTS registry_bench_seed",
                "CREATE DATABASE registry_bench_seed",
            )
        manage(self.seeded_url(), "migrate", "--no-input", "--verbosity", "0")
        manage(self.seeded_url(), "load_seed")

    def fresh_copy(self) -> str:
        self.copies += 1
        if self.is_postgres:
            self.admin(
                "DROP DATABASE IF EXISTS registry_bench_run",
                "CREATE DATABASE registry_bench_run TEMPLATE registry_bench_seed",
            )
            return self.with_name("registry_bench_run")
        copy = self.workdir / f"run{self.copies}.sqlite3"
        shutil.copyfile(self.workdir / "seed.sqlite3", copy)
        return f"sqlite:///{copy}"

    def drop(self) -> None:
        if self.is_postgres:
            self.admin(
                "DROP DATABASE IF EXISTS registry_bench_run",
                "DROP DATABASE IF EXISTS registry_bench_seed",
            )


def environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=url, DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings")
    return env


def manage(url: str, *args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment(url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def worker(url: str, *args: str) -> dict[str, Any]:
    """Run this file in a process of its own; returns what it measured."""
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, __file__, "worker", *args],
        cwd=BASE_DIR,
        env=environment(url),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"the run {' '.join(args)} failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = time.perf_counter() - started
    return figures


def bench(database: Database, rows: int, skip_default: bool) -> list[dict[str, Any]]:
    print(f"\n== {database.label}: seeding a database …", flush=True)
    database.seed()
    new_file = database.workdir / "agreements.csv"
    changed_file = database.workdir / "agreements-changed.csv"
    worker(
        database.seeded_url(), "make-files", str(rows), str(new_file), str(changed_file)
    )
    results = []

    print("   registry import, new rows …", flush=True)
    url = database.fresh_copy()
    results.append(
        {
            "run": "registry, new rows",
            **worker(url, "import", "registry", str(new_file)),
        }
    )
    print("   registry import, the same file again …", flush=True)
    results.append(
        {
            "run": "registry, same file again",
            **worker(url, "import", "registry", str(new_file)),
        }
    )
    print("   registry import, 20 % of titles changed …", flush=True)
    results.append(
        {
            "run": "registry, 20 % changed",
            **worker(url, "import", "registry", str(changed_file)),
        }
    )
    print("   the libraries' bulk paths, new rows …", flush=True)
    url = database.fresh_copy()
    results.append(
        {
            "run": "library bulk paths, new rows",
            **worker(url, "import", "library-bulk", str(new_file)),
        }
    )
    print("   the libraries' bulk paths, 20 % of titles changed …", flush=True)
    results.append(
        {
            "run": "library bulk paths, 20 % changed",
            **worker(url, "import", "library-bulk", str(changed_file)),
        }
    )
    if not skip_default:
        print("   library defaults, new rows (slow) …", flush=True)
        url = database.fresh_copy()
        results.append(
            {
                "run": "library defaults, new rows",
                **worker(url, "import", "default", str(new_file)),
            }
        )
    database.drop()
    return results


def report(label: str, results: list[dict[str, Any]]) -> None:
    print(f"\n{label}: import of a {results[0]['rows']:,}-row agreements file")
    header = (
        f"{'run':<33} {'import s':>9} {'rows/s':>8} {'process s':>10} "
        f"{'SQL':>7} {'history':>8} {'lists h.':>8} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['run']:<33} {r['seconds']:>9.2f} {r['rows'] / r['seconds']:>8,.0f} "
            f"{r['process_seconds']:>10.2f} {r['queries']:>7,} "
            f"{r['history_rows']:>8,} {r['list_history_rows']:>8,} {r['peak_mb']:>8.0f}"
        )
    by_run = {r["run"]: r for r in results}
    ours = by_run["registry, new rows"]
    default = by_run.get("library defaults, new rows")
    if default:
        print(
            f"registry vs library defaults (new rows): "
            f"{default['seconds'] / ours['seconds']:.1f}× faster, "
            f"{default['queries'] / max(ours['queries'], 1):.0f}× fewer statements"
        )
    compare_pieces(by_run)


#: The pieces the registry writes itself, each beside the libraries' own bulk
#: path, in the run where it does its work: (label, run, piece, share of the
#: file's rows written).
PIECES = [
    ("history rows, {n:,} new", "new rows", "history rows", 1),
    ("history of lists, {n:,} new", "new rows", "history lists", 1),
    ("history rows, {n:,} changed", "20 % changed", "history rows", 0.2),
    ("history of lists, {n:,} changed", "20 % changed", "history lists", 0.2),
    ("updates, {n:,} changed", "20 % changed", "updates", 0.2),
]


def compare_pieces(by_run: dict[str, dict[str, Any]]) -> None:
    rows = by_run["registry, new rows"]["rows"]
    print(
        "\nthe registry's own code beside the libraries' bulk paths "
        "(seconds in that piece; kept only where at least 3× faster):"
    )
    header = f"{'piece':<34} {'registry s':>10} {'library s':>10} {'ratio':>7}  verdict"
    print(header)
    print("-" * len(header))
    for label, run, piece, share in PIECES:
        label = label.format(n=round(rows * share))
        ours = by_run[f"registry, {run}"]["pieces"][piece]
        theirs = by_run[f"library bulk paths, {run}"]["pieces"][piece]
        ratio = theirs / ours if ours else float("inf")
        verdict = "keep the registry's" if ratio >= 3 else "use the library's"
        print(f"{label:<34} {ours:>10.3f} {theirs:>10.3f} {ratio:>6.1f}×  {verdict}")


def connect(url: str, **options: Any) -> Any:
    """An autocommit connection to the server's `postgres` database."""
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
        **options,
    )


def postgres_answers(url: str) -> bool:
    try:
        connect(url, connect_timeout=3).close()
    except Exception:
        return False
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--database",
        action="append",
        help="sqlite or a postgres:// URL (repeatable; default: sqlite, and "
        "PostgreSQL at BENCH_POSTGRES_URL when it answers)",
    )
    parser.add_argument(
        "--skip-default",
        action="store_true",
        help="Leave out the (slow) run with the library's default configuration.",
    )
    options = parser.parse_args(argv)
    urls = options.database
    if not urls:
        urls = ["sqlite"]
        pg = os.environ.get(
            "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/registry_bench"
        )
        if postgres_answers(pg):
            urls.append(pg)
        else:
            print(f"SKIPPED: PostgreSQL (no server at {pg}).")
    for url in urls:
        with tempfile.TemporaryDirectory(prefix="registry-bench-") as tmp:
            database = Database(url, Path(tmp))
            results = bench(database, options.rows, options.skip_default)
            report(database.label, results)
    return 0


# --- The worker (a process per run) ------------------------------------------------


def make_files(rows: int, new_path: str, changed_path: str) -> dict[str, Any]:
    """An agreements file of `rows` new agreements in the registry's format,
    naming the seed data's laws, topics, sources and agreements; and the same
    file with every fifth title changed."""
    from registry.models import Agreement, Law, Source, Topic
    from registry.resources import AgreementResource

    laws = list(Law.objects.values_list("slug", flat=True))
    topics = list(Topic.objects.values_list("slug", flat=True))
    sources = list(
        Source.objects.exclude(url="").order_by("pk").values_list("url", flat=True)
    )
    frameworks = list(
        Agreement.objects.filter(scope="national").values_list("slug", flat=True)
    )
    kinds = [value for value, _label in Agreement.Kind.choices]
    scopes = [value for value, _label in Agreement.Scope.choices]
    headers = AgreementResource.file_headers()
    new, changed = [], []
    for n in range(rows):
        year = 2004 + n % 21
        row = dict.fromkeys(headers, "")
        row.update(
            slug=f"bench-{n:05d}",
            title_en=f"Benchmark agreement {n} on workplace rights of migrant workers",
            title_es=f"Acuerdo de prueba {n} sobre derechos laborales de migrantes",
            kind=kinds[n % len(kinds)],
            instrument_as_named="Letter of Arrangement",
            scope=scopes[n % len(scopes)],
            signed_on=f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            term_months=str(12 * (1 + n % 5)),
            is_open_ended="false",
            is_concluded="false",
            framework=frameworks[n % len(frameworks)] if n % 3 == 0 else "",
            laws="; ".join(laws[n % len(laws) : n % len(laws) + 2]),
            topics="; ".join(topics[n % len(topics) : n % len(topics) + 2]),
            summary_en="Outreach, training and referrals on wages, hours, safety "
            "and discrimination for workers in the consular district.",
            summary_es="Difusión, capacitación y canalización de casos sobre "
            "salarios, horas, seguridad y discriminación.",
            is_published="true",
            sources=sources[n % len(sources)],
        )
        new.append(row)
        changed.append(
            {**row, "title_en": row["title_en"] + " (amended)"} if n % 5 == 0 else row
        )
    for path, data in ((new_path, new), (changed_path, changed)):
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=headers)
            writer.writeheader()
            writer.writerows(data)
    return {"rows": rows}


def default_resource() -> Any:
    """The agreements file read by a `ModelResource` as the library's
    documentation sets one up: its own widgets and its default options."""
    from import_export import fields, resources, widgets

    from registry.models import Agreement, Law, Source, Topic
    from registry.resources import AgreementResource

    class DefaultAgreementResource(resources.ModelResource):
        framework = fields.Field(
            "framework", "framework", widgets.ForeignKeyWidget(Agreement, "slug")
        )
        renews = fields.Field(
            "renews", "renews", widgets.ForeignKeyWidget(Agreement, "slug")
        )
        laws = fields.Field("laws", "laws", widgets.ManyToManyWidget(Law, ";", "slug"))
        topics = fields.Field(
            "topics", "topics", widgets.ManyToManyWidget(Topic, ";", "slug")
        )
        sources = fields.Field(
            "sources", "sources", widgets.ManyToManyWidget(Source, ";", "url")
        )

        class Meta:
            model = Agreement
            import_id_fields = ["slug"]
            fields = AgreementResource.file_headers()  # the same columns

    return DefaultAgreementResource()


def timed(pieces: dict[str, float], piece: str, function: Any) -> Any:
    """`function`, adding the seconds it takes to `pieces[piece]`."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            pieces[piece] += time.perf_counter() - started

    return wrapper


def patch_everywhere(name: str, replacement: Any) -> None:
    """Replace a function of collection.history or collection.importing in
    every module that imported it by name."""
    import collection.history
    import collection.importing
    import registry.resources
    import registry.services

    for module in (
        collection.history,
        collection.importing,
        registry.resources,
        registry.services,
    ):
        if hasattr(module, name):
            setattr(module, name, replacement)


def time_registry_paths(pieces: dict[str, float]) -> None:
    """Time the registry's own pieces: history rows (INSERT … SELECT), the
    lists' history (one statement per list and batch), updates (executemany)."""
    from collection import history, importing

    copy_list = history.copy_list
    record_bulk = history.record_bulk
    history.copy_list = timed(pieces, "history lists", copy_list)

    def rows_only(*args: Any, **kwargs: Any) -> Any:
        before = pieces["history lists"]
        started = time.perf_counter()
        try:
            return record_bulk(*args, **kwargs)
        finally:
            lists = pieces["history lists"] - before
            pieces["history rows"] += time.perf_counter() - started - lists

    patch_everywhere("record_bulk", rows_only)
    patch_everywhere("update_rows", timed(pieces, "updates", importing.update_rows))


def use_library_bulk_paths(pieces: dict[str, float]) -> None:
    """The same writes through the libraries' own bulk paths."""
    from simple_history.models import HistoricalRecords

    def record_bulk(
        model: Any, instances: Any, *, update: bool, user: Any = None, reason: str = ""
    ) -> None:
        if not instances:
            return
        started = time.perf_counter()
        rows = model.history.bulk_history_create(
            instances,
            batch_size=1000,
            update=update,
            default_user=user if user is not None and user.is_authenticated else None,
            default_change_reason=reason,
        )
        listed = time.perf_counter()
        pieces["history rows"] += listed - started
        # The method reads only the library's registry of list-history models.
        library = HistoricalRecords()
        for row, instance in zip(rows, instances, strict=True):
            library.create_historical_record_m2ms(row, instance)
        pieces["history lists"] += time.perf_counter() - listed

    def update_rows(model: Any, instances: Any, names: Any) -> None:
        model._default_manager.bulk_update(instances, list(names), batch_size=1000)

    patch_everywhere("record_bulk", record_bulk)
    patch_everywhere("update_rows", timed(pieces, "updates", update_rows))


def run_import(which: str, path: str) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from simple_history.models import HistoricalRecords

    from collection.files import read_dataset
    from registry.models import Agreement, AgreementSource

    pieces = {"history rows": 0.0, "history lists": 0.0, "updates": 0.0}
    if which == "registry":
        time_registry_paths(pieces)
    elif which == "library-bulk":
        use_library_bulk_paths(pieces)
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    def history_rows() -> int:
        return Agreement.history.count() + AgreementSource.history.count()

    def list_history_rows() -> int:
        lists = [Agreement._meta.get_field(name) for name in ("laws", "topics")]
        return sum(HistoricalRecords.m2m_models[f].objects.count() for f in lists)

    before, lists_before = history_rows(), list_history_rows()
    with open(path, encoding="utf-8") as file:
        rows = sum(1 for _ in file) - 1  # no cell of the file spans lines
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        if which in ("registry", "library-bulk"):
            call_command("registry_import", "agreements", path, verbosity=0)
        else:
            dataset = read_dataset(Path(path), "csv")
            result = default_resource().import_data(dataset, dry_run=False)
            if result.has_errors() or result.has_validation_errors():
                raise SystemExit(f"the default import failed: {result.totals}")
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": rows,
        "seconds": seconds,
        "queries": statements,
        "history_rows": history_rows() - before,
        "list_history_rows": list_history_rows() - lists_before,
        "pieces": pieces,
        "peak_mb": peak_kb / 1024,
    }


def run_worker(args: list[str]) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args[0] == "make-files":
        figures = make_files(int(args[1]), args[2], args[3])
    else:
        figures = run_import(args[1], args[2])
    print(json.dumps(figures))


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        run_worker(sys.argv[2:])
    else:
        sys.exit(main(sys.argv[1:]))
