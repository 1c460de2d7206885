"""`make bench-web`: the registry at scale under load, beside baselines
measured on the same server in the same run. Figures, not a test: it never
fails on a figure, only when it cannot run (exit status 1 under CI=true, else
SKIPPED and 0).

What it does, all on loopback, within about ten minutes:

1. The databases. `bench_web_100k` on the PostgreSQL server is filled once by
   `manage.py generate_synthetic` (100,000 agreements, 200,000 events; about
   four minutes) and reused while it holds that many synthetic agreements;
   `bench_web_seed` holds the seed data (rebuilt each run, seconds). Both are
   migrated first, so a reused database follows the code.
2. Query counts: each request of the table, made twice in one process with
   Django's test client on each database (the page cache off); the second
   count is the steady one (the first also fills the per-revision counts).
   They must be identical at both scales.
3. Two gunicorns (2 sync workers each, `--timeout 30`, DEBUG off) on the
   100k database and the harness's own redis-server: one with the page cache
   off (every answer built afresh) and one with it on, as deployed.
4. wrk (Debian's package) drives each request for `--seconds` with
   `--connections` connections: requests per second, p50, p95 and p99, and
   the answers that were not 2xx/3xx or did not arrive. The baselines, on the
   same servers: a constant response through the whole middleware stack, and
   the API's first page read with `values()` into a `JsonResponse`, alone and
   with a count of every agreement (bench/baselines.py).
5. It prints the table and writes it, with the machine's size, into
   docs/performance.md between its markers (`--no-write` leaves it).

    python bench/web.py [--seconds 5] [--connections 16] [--agreements 100000]

The per-client limits (the API's, pages', downloads') are raised for the run,
since all of wrk's requests come from one address; they still count every
request.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (
    BASE_DIR,
    HOST,
    Postgres,
    Redis,
    add_service_options,
    app_environment,
    gunicorn,
    interrupted,
    manage,
)

WRK = shutil.which("wrk") or "/usr/bin/wrk"
WORKDIR = BASE_DIR / ".bench-web"
DOC = BASE_DIR / "docs" / "performance.md"
BEGIN = "<!-- bench-web: begin (written by make bench-web) -->"
END = "<!-- bench-web: end -->"

#: wrk's summary in a form this script reads (latencies in microseconds).
WRK_SCRIPT = """\
paths = {%(paths)s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write, e.status, e.timeout, latency.max))
end
"""

#: The paths whose query counts are pinned, and made by the mix.
COUNT_SCRIPT = r"""
import json
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from outreach.models import Edition, Event
from registry.models import Agency, Agreement, City, Country, Office, Party

def busiest(field):
    row = (Party.objects.filter(agreement__is_published=True).exclude(**{field: None})
           .values(field).annotate(n=Count("id")).order_by("-n", field).first())
    return row[field]

city = City.objects.get(pk=busiest("office__city"))
agency = Agency.objects.filter(slug="dol-osha").first() or Agency.objects.get(
    pk=busiest("office__agency"))
country = Country.objects.filter(code__iexact="mx").first() or Country.objects.order_by("pk").first()
office = Office.objects.get(pk=busiest("office"))
agreement = Agreement.objects.published().newest_first().first()
edition = Edition.objects.order_by("-year").first()
event = Event.objects.published().order_by("-starts_at", "pk").first()
pages = -(-Agreement.objects.published().count() // 25)
api_pages = -(-Agreement.objects.published().count() // 50)
# The API stops at row 10,000 (collection.formats.Pagination): its deepest page.
deep, api_deep = min(1500, pages), min(10_000 // 50, api_pages)
paths = {
    "home": "/",
    "home_es": "/es/",
    "agreements": "/agreements/",
    "agreements_deep": f"/agreements/?page={deep}",
    "agreement": agreement.get_absolute_url(),
    "search": "/search/?q=workers",
    "search_none": "/search/?q=zzqx",
    "city": city.get_absolute_url(),
    "agency": agency.get_absolute_url(),
    "office": office.get_absolute_url(),
    "country": country.get_absolute_url(),
    "edition": edition.get_absolute_url() if edition else "/",
    "event": event.get_absolute_url() if event else "/",
    "numbers": "/numbers/",
    "help": "/help/",
    "calendar": "/events.ics",
    "sitemap": "/sitemap.xml",
    "sitemap_page": "/sitemap-agreements.xml?p=2" if pages > 80 else "/sitemap-agreements.xml",
    "api": "/api/v1/agreements/",
    "api_deep": f"/api/v1/agreements/?page={api_deep}",
    "api_search": "/api/v1/agreements/?search=workers",
    "api_events": "/api/v1/events/",
    "api_csv": "/api/v1/agreements/?format=csv",
    "download": "/data/latest/agreements.csv",
}
client = Client(HTTP_HOST="127.0.0.1")
counts = {}
for name, path in paths.items():
    for attempt in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            if hasattr(response, "streaming_content"):
                for _ in response.streaming_content:
                    pass
        counts[name] = {"queries": len(queries), "status": response.status_code}
print(json.dumps({"paths": paths, "counts": counts}))
"""


#: The requests measured with the page cache off, and from it.
UNCACHED = (
    "api", "api_deep", "api_search", "api_events", "agreements", "agreements_deep",
    "search", "search_none", "home", "city", "agency", "office", "country",
    "edition", "event", "numbers", "help", "calendar", "api_csv", "download",
    "sitemap", "sitemap_page",
)  # fmt: skip
CACHED = ("api", "agreements", "search", "home", "city", "agency", "country")


@dataclass
class Options:
    seconds: float
    connections: int
    agreements: int
    write: bool
    postgres_url: str
    database: str
    redis_server: str
    seed_database: str = "bench_web_seed"


def parse_options(argv: list[str]) -> Options:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=float(env("BENCH_WEB_SECONDS", "5"))
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=int(env("BENCH_WEB_CONNECTIONS", "4")),
        help="connections per request (the mixes: twice as many); 2 per worker "
        "keeps both workers busy without a queue that outlasts the run",
    )
    parser.add_argument(
        "--agreements",
        type=int,
        default=int(env("BENCH_WEB_AGREEMENTS", "100000")),
        help="the synthetic database's size (events: twice as many)",
    )
    parser.add_argument("--no-write", dest="write", action="store_false")
    add_service_options(parser, env("BENCH_WEB_DATABASE", "bench_web_100k"))
    return Options(**vars(parser.parse_args(argv)))


@dataclass
class Figure:
    label: str
    requests: int = 0
    seconds: float = 0.0
    bytes: int = 0
    p50: float = 0.0  # milliseconds
    p95: float = 0.0
    p99: float = 0.0
    failed: int = 0  # not 2xx/3xx, or no answer
    note: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Run:
    options: Options
    figures: dict[str, Figure] = field(default_factory=dict)
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def wrk(
        self,
        key: str,
        label: str,
        port: int,
        paths: list[str],
        headers: dict[str, str] | None = None,
        connections: int | None = None,
    ) -> Figure:
        script = WORKDIR / "wrk.lua"
        script.write_text(
            WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)}
        )
        command = [
            WRK,
            "--threads",
            "1",
            "--connections",
            str(connections or self.options.connections),
            "--duration",
            f"{self.options.seconds:g}s",
            "--timeout",
            "31s",
            "--script",
            str(script),
        ]
        for name, value in (headers or {}).items():
            command += ["--header", f"{name}: {value}"]
        command.append(f"http://{HOST}:{port}{paths[0]}")
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        line = next(
            (x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None
        )
        figure = Figure(label)
        if line is None:
            figure.note = f"wrk failed: {done.stderr.strip()[:200]}"
        else:
            n, micros, size, p50, p95, p99, sockets, status, timeouts, _ = (
                int(x) for x in line.split()[1:]
            )
            figure = Figure(
                label,
                requests=n,
                seconds=micros / 1e6,
                bytes=size,
                p50=p50 / 1000,
                p95=p95 / 1000,
                p99=p99 / 1000,
                failed=sockets + status + timeouts,
            )
        self.figures[key] = figure
        drain(port)
        print(
            f"  {label:<52} {figure.rate:8.1f} req/s  p50 {figure.p50:8.1f} ms"
            f"  p99 {figure.p99:8.1f} ms  failed {figure.failed}",
            flush=True,
        )
        return figure


def drain(port: int, limit: float = 60) -> None:
    """Wait until the server has worked off what wrk left queued (requests sent
    before it stopped are still answered): three quick answers in a row."""
    import http.client

    quick, deadline = 0, time.monotonic() + limit
    while quick < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=limit)
            connection.request("GET", "/_bench/constant/")
            connection.getresponse().read()
            connection.close()
        except OSError:
            time.sleep(0.2)
            continue
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0


def prepare_database(postgres: Postgres, env: dict[str, str], agreements: int) -> str:
    """Migrate the 100k database, creating and filling it when it does not
    hold `agreements` synthetic agreements; say what was done."""
    with postgres.connect() as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [postgres.database]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{postgres.database}"')
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    held = (
        manage(
            env,
            "shell",
            "--command",
            "from opendata.synthetic import PREFIX; from registry.models import Agreement;"
            "print(Agreement.objects.filter(slug__startswith=PREFIX).count(),"
            " Agreement.objects.count())",
        )
        .splitlines()[-1]
        .split()
    )
    if held and int(held[0]) == agreements and int(held[1]) == agreements:
        return f"reused ({agreements:,} synthetic agreements)"
    started = time.monotonic()
    manage(
        env,
        "generate_synthetic",
        "--agreements",
        str(agreements),
        "--events",
        str(agreements * 2),
        "--replace",
    )
    return f"generated in {time.monotonic() - started:.0f} s"


def query_counts(env: dict[str, str]) -> dict[str, Any]:
    quiet = env | {"PAGE_CACHE": "0", "ALLOWED_HOSTS": HOST}
    output = manage(quiet, "shell", "--command", COUNT_SCRIPT)
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def machine() -> str:
    memory = 0
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) // (1024 * 1024)
    return (
        f"{os.cpu_count()} cores, {memory} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def postgres_version(postgres: Postgres) -> str:
    with postgres.connect() as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0].split()[0]}" if row else "PostgreSQL"


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    signal.signal(signal.SIGTERM, interrupted)
    ci = os.environ.get("CI") == "true"
    missing = [
        what
        for what, ok in (
            ("wrk (apt-get install wrk)", Path(WRK).exists()),
            (
                f"redis-server ({options.redis_server})",
                Path(options.redis_server).exists(),
            ),
        )
        if not ok
    ]
    postgres = Postgres(options.postgres_url, options.database)
    try:
        postgres.connect().close()
    except Exception as error:
        missing.append(f"PostgreSQL at {options.postgres_url} ({error})")
    if missing:
        print("SKIPPED: make bench-web needs " + ", ".join(missing))
        return 1 if ci else 0

    WORKDIR.mkdir(exist_ok=True)
    redis = Redis(options.redis_server, WORKDIR)
    seed = Postgres(options.postgres_url, options.seed_database)
    run = Run(options)
    print(f"== bench-web: {machine()}", flush=True)
    try:
        redis.start()
        env = app_environment(WORKDIR, postgres, redis)
        # One address sends every request: the throttles run but never trip.
        unlimited = "100000000/minute"
        env |= {
            "API_THROTTLE_ANON": unlimited,
            "PUBLIC_PAGE_RATE": unlimited,
            "DOWNLOAD_RATE": unlimited,
        }
        (WORKDIR / "load_settings.py").write_text(
            (WORKDIR / "load_settings.py").read_text()
            + 'ROOT_URLCONF = "bench.baselines"\n'
        )
        print(f"== {options.database}: ", end="", flush=True)
        print(prepare_database(postgres, env, options.agreements), flush=True)
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        started = time.monotonic()
        built = manage(env, "build_open_data").strip().splitlines()[-1]
        print(f"== open data: {built} ({time.monotonic() - started:.0f} s)")

        seed.recreate()
        seed_env = env | {"DATABASE_URL": seed.url}
        manage(seed_env, "migrate", "--no-input", "--verbosity", "0")
        manage(seed_env, "load_seed")
        manage(seed_env, "build_open_data")
        print("== query counts at seed scale and at scale", flush=True)
        at_seed = query_counts(seed_env)
        at_scale = query_counts(env)
        run.paths = at_scale["paths"]
        for name in run.paths:
            run.counts[name] = {
                "seed": at_seed["counts"][name],
                "scale": at_scale["counts"][name],
            }
            print(
                f"  {name:<16} seed {at_seed['counts'][name]['queries']:3}"
                f"  scale {at_scale['counts'][name]['queries']:3}"
                f"  ({run.paths[name]})"
            )

        log = WORKDIR / "gunicorn.log"
        log.write_text("")
        with (
            # No restart after 1,000 requests (docs/deploy.md has one): at
            # 400 a second each worker would restart every few seconds, and
            # the restarts, not the requests, would set every p99.
            gunicorn(env | {"PAGE_CACHE": "0"}, log, 2, 1, 0) as (_, fresh),
            gunicorn(env | {"PAGE_CACHE": "1"}, log, 2, 1, 0) as (_, cached),
        ):
            measure(run, fresh, cached)
        print(f"== done in {time.monotonic() - run.started:.0f} s")
    finally:
        redis.stop()
        seed.drop()
    table = render(run, machine(), postgres_version(postgres))
    print(table)
    if options.write:
        write(table)
        print(f"written to {DOC.relative_to(BASE_DIR)}")
    return 0


def measure(run: Run, fresh: int, cached: int) -> None:
    paths = run.paths
    print("== baselines", flush=True)
    run.wrk("constant", "constant response", fresh, ["/_bench/constant/"])
    run.wrk(
        "values", "`values()` + `JsonResponse`, 50 rows", fresh, ["/_bench/values/"]
    )
    run.wrk(
        "values_count",
        "the same, counting every agreement",
        fresh,
        ["/_bench/values-count/"],
    )
    print("== uncached (page cache off)", flush=True)
    for key in UNCACHED:
        run.wrk(key, f"`{paths[key]}`", fresh, [paths[key]])
    print("== from the page cache", flush=True)
    for key in CACHED:
        run.wrk(f"cached_{key}", f"`{paths[key]}`", cached, [paths[key]])
    tag = etag(cached, paths["agreements"])
    run.wrk(
        "not_modified",
        f"`{paths['agreements']}` with `If-None-Match` (304)",
        cached,
        [paths["agreements"]],
        {"If-None-Match": tag},
    )
    mix = [
        paths[key]
        for key in (
            "home", "home_es", "agreements", "agreement", "search", "city",
            "agency", "office", "country", "edition", "event", "help", "api",
            "api_deep", "api_events", "calendar", "sitemap",
        )
    ]  # fmt: skip
    clients = 2 * run.options.connections
    run.wrk("mix", f"a {clients}-client mix, uncached", fresh, mix, connections=clients)
    run.wrk(
        "cached_mix",
        f"a {clients}-client mix, from the page cache",
        cached,
        mix,
        connections=clients,
    )


def etag(port: int, path: str) -> str:
    import http.client

    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.getheader("ETag") or '"none"'


def render(run: Run, size: str, database: str) -> str:
    figures, counts = run.figures, run.counts
    constant = figures["constant"].rate or 1.0
    values = figures["values"].rate or 1.0

    def row(key: str, target: str = "", base: float = constant) -> str:
        f = figures[key]
        ratio = f"{f.rate / base:.2f}" if f.requests else "—"
        failed = f", {f.failed} failed" if f.failed else ""
        return (
            f"| {f.label} | {f.rate:,.1f} | {f.p50:,.1f} | {f.p95:,.1f} | "
            f"{f.p99:,.1f} | {ratio} | {target}{failed}{f.note} |"
        )

    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {size}; {database}; "
        f"{run.options.agreements:,} synthetic agreements and "
        f"{run.options.agreements * 2:,} events; gunicorn with 2 sync workers, "
        f"DEBUG off; wrk with {run.options.connections} connections "
        f"(the mixes {2 * run.options.connections}) for {run.options.seconds:g} s a request. Times in ms; "
        "the ratio is to the constant response unless the row says otherwise.",
        "",
        "| request | req/s | p50 | p95 | p99 | ratio | target |",
        "|---|---|---|---|---|---|---|",
        row("constant", "baseline"),
        row("values", "baseline"),
        row("values_count", "(ratio to `values()`)", values),
    ]
    targets = {
        "api": ("≥ 0.5 of `values()`", values),
        "api_deep": ("as fast as page 1 (ratio to `values()`)", values),
        "api_search": ("(ratio to `values()`)", values),
        "api_events": ("(ratio to `values()`)", values),
        "agreements": ("≥ 0.3", constant),
        "agreements_deep": ("≥ 0.3, as fast as page 1", constant),
        "search": ("p95 < 50 ms", constant),
        "search_none": ("p95 < 50 ms", constant),
    }
    for key in UNCACHED:
        target, base = targets.get(key, ("≥ 0.3, within 30 s", constant))
        if key == "api_csv":
            # Refused by design: over 10,000 rows, the answer names the file.
            figures[key].failed = 0
            target = "every answer a 400 naming `/data/latest/agreements.csv`"
        lines.append(row(key, target, base))
    lines += ["", "From the page cache (Redis), as deployed:", ""]
    lines += [
        "| request | req/s | p50 | p95 | p99 | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in CACHED:
        lines.append(row(f"cached_{key}", "≥ 0.7"))
    lines.append(row("not_modified", "≥ 0.7"))
    lines.append(row("mix", ""))
    lines.append(row("cached_mix", ""))
    lines += [
        "",
        "Queries per request (the second of two; the first also fills the "
        "per-revision counts), at seed scale and at scale:",
        "",
        "| request | path at scale | seed | scale |",
        "|---|---|---|---|",
    ]
    for name, pair in counts.items():
        seed, scale = pair["seed"], pair["scale"]
        same = "" if seed["queries"] == scale["queries"] else " (differs)"
        lines.append(
            f"| {name} | `{run.paths[name]}` | {seed['queries']} | "
            f"{scale['queries']}{same} |"
        )
    return "\n".join(lines) + "\n"


def write(table: str) -> None:
    text = DOC.read_text()
    block = f"{BEGIN}\n{table}{END}"
    if BEGIN in text and END in text:
        text = re.sub(
            re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n## `make bench-web`\n\n" + block + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
