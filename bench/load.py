"""Load and fault test: the registry as deployed (gunicorn, PostgreSQL, Redis,
DEBUG off) under 64 concurrent clients for 60 s, with faults injected on
schedule. `make test-load` runs it and `.ci/run` calls that; unlike the other
bench/ scripts it passes or fails, on the bars below.

Everything is on loopback and everything it starts it stops (also on failure
or Ctrl-C): a fresh PostgreSQL database (`registry_load`, dropped at the end)
with the seed data, its own redis-server on a free port (never the machine's
Redis), and gunicorn on another free port.

The run. Each client has its own connection (kept alive while gunicorn keeps
it) and its own `X-Forwarded-For` address (the server trusts one proxy,
`NUM_PROXIES=1`), so per-client throttles see 64 visitors. Each pauses 2–6 s
between requests (about 15 a minute, a quick reader; about 16 requests a
second in all, within what two cores serve) over a weighted mix: pages in
both languages, the API, the downloads, the calendar and the sitemap, with
real slugs read from the API first. A writer makes API writes with a
curator's token the whole time. The faults, at fractions of the run (for
60 s), each step waiting for the one before:

- 15 s and 18 s: every PostgreSQL connection of the app is terminated
  (`pg_terminate_backend`); the app must carry on without a restart
  (CONN_HEALTH_CHECKS).
- 20 s: wrong passwords at /admin/login/ until an account is locked (from
  its own address).
- 27–37 s: the harness's Redis is stopped (SIGTERM), then started again on
  the same port. Pages must keep answering (the cache fails open), throttles
  must not fail, the locked account must stay locked (from another address)
  and another account must still log in.
- 42 s: the curator, logged in to the admin, uploads two import bombs in
  parallel (a 5 KB XLSX declaring A1:XFD1048576 with one far cell); public
  requests must keep answering, and each upload must be refused (a form
  error, not a 5xx and not a preview) within 5 s.

The bars (exit status 1 and the reasons when one fails):

- zero errors: an error is a 5xx, a connection error, a timeout (15 s), an
  unexpected status, or a 429. A 429 counts: the clients' rate is a human's,
  so a throttle that trips on it would turn real visitors away. A read in
  flight when its database connection is terminated is run again by the app
  on a new connection (collection.middleware.RetryReadAfterLostConnection),
  so it must succeed too. Excused, and reported apart: a 5xx of a write that
  was in flight when its connection was terminated (started before the
  termination returned + 0.5 s, ended after it began), since a write is never
  repeated by the server; the writer repeats it and it must be saved once.
- the app recovers: requests succeed in the 5 s after each termination, and
  gunicorn is still the same process at the end.
- zero lost writes: after the run, every write that got a 2xx is in the
  database with its value, and every write was acknowledged in the end (the
  writer retries one that failed; a POST's retry that finds its own slug
  taken shows the first attempt was saved).
- the app uses Redis again once it is back (keys written after the restart).
- the lockout holds with Redis down, and another account still logs in
  (reported as not applicable while django-axes is not installed).
- both import bombs refused within 5 s.

    python bench/load.py [--clients 64] [--seconds 60]

Quick local runs: LOAD_CLIENTS=16 LOAD_SECONDS=20 make test-load (LOAD_PAUSE,
LOAD_TIMEOUT, LOAD_WORKERS, LOAD_THREADS, LOAD_POSTGRES_URL, LOAD_DATABASE,
LOAD_REDIS_SERVER and LOAD_BOMB_LIMIT also; see --help). Without
PostgreSQL or redis-server it prints SKIPPED and exits 0, except under CI=true.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import math
import os
import random
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
HOST = "127.0.0.1"

#: Slack after a termination during which a request may still meet its dying
#: connection (pg_terminate_backend signals the backend and returns at once).
TERMINATION_SLACK = 0.5


# --- Settings ---------------------------------------------------------------------


@dataclass
class Options:
    clients: int
    seconds: float
    pause: float
    timeout: float
    workers: int
    threads: int
    postgres_url: str
    database: str
    redis_server: str
    bomb_limit: float


def parse_options(argv: list[str]) -> Options:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=int(env("LOAD_CLIENTS", "64")))
    parser.add_argument(
        "--seconds", type=float, default=float(env("LOAD_SECONDS", "60"))
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=float(env("LOAD_PAUSE", "4")),
        help="mean pause of a client between requests (0.5 to 1.5 times it)",
    )
    parser.add_argument(
        "--timeout", type=float, default=float(env("LOAD_TIMEOUT", "15"))
    )
    # Two cores: one process per core runs Python's CPU-bound work in parallel;
    # four threads each let a process overlap the waits on PostgreSQL, Redis
    # and slow readers. More processes than cores would only add switching.
    parser.add_argument("--workers", type=int, default=int(env("LOAD_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(env("LOAD_THREADS", "4")))
    add_service_options(parser, env("LOAD_DATABASE", "registry_load"))
    parser.add_argument(
        "--bomb-limit",
        type=float,
        default=float(env("LOAD_BOMB_LIMIT", "5")),
        help="seconds within which an import bomb must be refused",
    )
    args = parser.parse_args(argv)
    return Options(**vars(args))


def add_service_options(parser: argparse.ArgumentParser, database: str) -> None:
    """The PostgreSQL server, the harness's database on it and the
    redis-server to start: the options every harness of bench/ takes."""
    env = os.environ.get
    parser.add_argument(
        "--postgres-url",
        default=env("LOAD_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="the server (its database name, if any, is not used)",
    )
    parser.add_argument("--database", default=database)
    parser.add_argument(
        "--redis-server",
        default=env("LOAD_REDIS_SERVER")
        or shutil.which("redis-server")
        or "/usr/bin/redis-server",
    )


# --- Processes --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def stop(process: subprocess.Popen[Any] | None, grace: float = 10) -> None:
    """Stop a process started in its own session, and all its children."""
    if process is None or process.poll() is not None:
        return
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class Postgres:
    def __init__(self, url: str, database: str) -> None:
        parts = urlsplit(url)
        self.params: dict[str, Any] = {
            "host": parts.hostname or HOST,
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password,
            "connect_timeout": 5,
        }
        self.database = database
        netloc = parts.netloc.rsplit("@", 1)
        self.url = f"postgres://{netloc[0]}@{netloc[-1]}/{database}"
        if len(netloc) == 1:
            self.url = f"postgres://{netloc[0]}/{database}"

    def connect(self, dbname: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(dbname=dbname, autocommit=True, **self.params)

    def recreate(self) -> None:
        with self.connect() as connection:
            connection.execute(
                f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'
            )
            connection.execute(f'CREATE DATABASE "{self.database}"')

    def drop(self) -> None:
        with self.connect() as connection:
            connection.execute(
                f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'
            )

    def terminate(self) -> int:
        """Terminate every connection to the load database; how many."""
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            ).fetchall()
        return sum(1 for (done,) in rows if done)

    def query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with self.connect(self.database) as connection:
            rows: list[tuple[Any, ...]] = connection.execute(sql, params).fetchall()
            return rows


class Redis:
    """The harness's own redis-server: no persistence, loopback, a free port."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def client(self) -> Any:
        import redis

        return redis.Redis(host=HOST, port=self.port, socket_connect_timeout=1)

    def start(self) -> None:
        with open(self.workdir / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    *("--port", str(self.port), "--bind", HOST),
                    *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        stop(self.process)
        self.process = None

    def answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:
            return False

    def keys(self) -> int:
        count: int = self.client().dbsize()
        return count


# --- HTTP -------------------------------------------------------------------------


@dataclass
class Response:
    status: int  # 0 when there is no response
    body: bytes = b""
    headers: http.client.HTTPMessage | None = None
    error: str | None = None  # "timeout" or "connection"

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One visitor: a keep-alive connection, an address, cookies.

    Before reusing its connection the client looks whether the server has
    closed it while idle (gunicorn does after its keep-alive, 2 s), and opens
    a new one if so (`reopened`). A request sent on a connection the server
    closed at that very moment fails before any byte of a response; like
    browsers and urllib3, the client sends it once more on a new connection
    (`resent`). Neither is an error; any other failure is.

    `address` is sent as X-Forwarded-For (none when empty), as the one proxy
    the server trusts would; `source` is the loopback address to connect from
    (a proxy in front then sees it as the client's); `host` is the Host header
    (http.client's own, the address and port, when None).
    """

    def __init__(
        self,
        port: int,
        address: str,
        timeout: float,
        source: str | None = None,
        host: str | None = None,
    ) -> None:
        self.port = port
        self.address = address
        self.timeout = timeout
        self.source = source
        self.host = host
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.reopened = 0
        self.resent = 0

    @staticmethod
    def dropped(connection: http.client.HTTPConnection) -> bool:
        """Whether an idle connection was closed by the server (it is readable:
        at its end, as nothing else may arrive unasked)."""
        if connection.sock is None:
            return True
        readable, _w, _x = select.select([connection.sock], [], [], 0)
        return bool(readable)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Response:
        sent = {
            **({"X-Forwarded-For": self.address} if self.address else {}),
            **({"Host": self.host} if self.host else {}),
            "User-Agent": "registry-load-test",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.connection is not None and self.dropped(self.connection):
                self.close()
                self.reopened += 1
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    HOST,
                    self.port,
                    source_address=(self.source, 0) if self.source else None,
                )
            self.connection.timeout = timeout or self.timeout
            if self.connection.sock is not None:
                self.connection.sock.settimeout(self.connection.timeout)
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
            except TimeoutError:
                self.close()
                return Response(0, error="timeout")
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
            ):
                self.close()
                if reused and attempt == 0:
                    self.resent += 1
                    continue
                return Response(0, error="connection")
            except (OSError, http.client.HTTPException):
                self.close()
                return Response(0, error="connection")
            try:
                data = response.read()
            except TimeoutError:
                self.close()
                return Response(0, error="timeout")
            except (OSError, http.client.HTTPException):
                self.close()
                return Response(0, error="connection")
            if response.will_close:
                self.close()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _eq, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return Response(response.status, data, response.headers)
        return Response(0, error="connection")  # not reached

    def json(self, path: str) -> Any:
        response = self.request("GET", path, headers={"Accept": "application/json"})
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status or response.error}")
        return json.loads(response.body)


def form_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token in the form")
    return found.group(1)


def login(client: Client, username: str, password: str) -> Response:
    """Log in at /admin/login/ as a browser does: the form first, then the POST."""
    page = client.request("GET", "/admin/login/")
    if page.status != 200:
        return page
    body = urlencode(
        {
            "csrfmiddlewaretoken": form_token(page.text()),
            "username": username,
            "password": password,
            "next": "/admin/",
        }
    ).encode()
    return client.request(
        "POST",
        "/admin/login/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )


def error_message(html: str) -> str:
    """The text of the first error a form page shows ("" when none)."""
    found = re.search(
        r'<(ul|div|li)[^>]*class="[^"]*(?:errorlist|errornote|error)\b[^"]*"[^>]*>'
        r"(.*?)</\1>",
        html,
        re.DOTALL,
    )
    if not found:
        return ""
    text = re.sub(r"<[^>]+>", " ", found.group(2))
    return " ".join(text.split())[:300]


def logged_in(response: Response) -> bool:
    location = response.headers.get("Location", "") if response.headers else ""
    return response.status == 302 and "/login/" not in location


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        f"{value}\r\n".encode()
        for name, value in fields.items()
    ]
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def import_bomb(header: list[str]) -> bytes:
    """A small XLSX that declares A1:XFD1048576 and holds one far cell, made as a
    hostile user would: a real workbook with the collection's header, its
    sheet's XML then edited by hand."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    plain = io.BytesIO()
    workbook.save(plain)
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                xml = re.sub(
                    r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml
                )
                far = (
                    '<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                    "<is><t>x</t></is></c></row>"
                )
                xml = xml.replace("</sheetData>", far + "</sheetData>")
                data = xml.encode()
            target.writestr(item, data)
    return bomb.getvalue()


# --- Measurement ------------------------------------------------------------------


@dataclass
class Record:
    start: float
    end: float
    family: str  # page, api, download, feed, write
    path: str
    outcome: str  # "ok", "5xx", "429", "timeout", "connection", "status <n>"

    @property
    def latency(self) -> float:
        return self.end - self.start


def outcome_of(response: Response, expected: tuple[int, ...] = (200, 304)) -> str:
    if response.error:
        return response.error
    if response.status in expected:
        return "ok"
    if response.status >= 500:
        return "5xx"
    if response.status == 429:
        return "429"
    return f"status {response.status}"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


@dataclass
class Fault:
    name: str
    began: float
    ended: float
    note: str


@dataclass
class Write:
    method: str
    slug: str
    value: str
    acknowledged: bool = False
    found_landed: bool = False  # a POST's retry found the slug taken
    attempts: list[str] = field(default_factory=list)


class Clock:
    def __init__(self) -> None:
        self.zero = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.zero

    def sleep_until(self, moment: float, stopping: threading.Event) -> None:
        stopping.wait(max(0.0, moment - self.now()))


# --- The run ----------------------------------------------------------------------


def weighted_paths(
    agreements: list[str], cities: list[str]
) -> list[tuple[float, str, Callable[[random.Random], str]]]:
    """The mix: (weight, family, path maker)."""

    def one(items: list[str]) -> Callable[[str], Callable[[random.Random], str]]:
        return lambda pattern: lambda rng: pattern.format(rng.choice(items))

    agreement = one(agreements)
    city = one(cities)

    def fixed(path: str) -> Callable[[random.Random], str]:
        return lambda rng: path

    def choice(*paths: str) -> Callable[[random.Random], str]:
        return lambda rng: rng.choice(paths)

    return [
        (9, "page", fixed("/")),
        (
            12,
            "page",
            choice(
                "/agreements/",
                "/agreements/?country=mx",
                "/agreements/?status=in_force&kind=mou",
                "/agreements/?scope=local&ordering=title_en",
                "/agreements/?page=2",
                "/agreements/?state=tx",
            ),
        ),
        (11, "page", agreement("/agreements/{}/")),
        (7, "page", city("/cities/{}/")),
        (5, "page", fixed("/help/?zip=77036")),
        (4, "page", fixed("/search/?q=alliance")),
        (3, "page", fixed("/es/")),
        (4, "page", agreement("/es/agreements/{}/")),
        (2, "page", city("/es/cities/{}/")),
        (1, "page", fixed("/es/help/?zip=77036")),
        (6, "api", choice("/api/v1/agreements/", "/api/v1/agreements/?country=mx")),
        (8, "api", agreement("/api/v1/agreements/{}/")),
        (3, "api", fixed("/api/v1/events/?edition=2017")),
        (3, "api", fixed("/api/v1/help/?zip=77036")),
        (2, "download", fixed("/data/latest/agreements.csv")),
        (1, "download", fixed("/data/latest/registry.zip")),
        (2, "feed", fixed("/events.ics")),
        (1, "feed", fixed("/sitemap.xml")),
    ]


class Run:
    def __init__(self, options: Options, port: int, postgres: Postgres, redis: Redis):
        self.options = options
        self.port = port
        self.postgres = postgres
        self.redis = redis
        self.clock = Clock()
        self.stopping = threading.Event()
        self.records: list[list[Record]] = []
        self.clients: list[Client] = []
        self.faults: list[Fault] = []
        self.writes: list[Write] = []
        self.checks: list[tuple[str, bool | None, str]] = []  # (what, passed, detail)
        self.bombs: list[tuple[int, float, str]] = []  # (status, seconds, verdict)

    def client(self, address: str) -> Client:
        client = Client(self.port, address, self.options.timeout)
        self.clients.append(client)
        return client

    def log(self, message: str) -> None:
        print(f"  [{self.clock.now():5.1f} s] {message}", flush=True)

    # The visitors.

    def visitor(self, number: int, mix: list[Any], records: list[Record]) -> None:
        rng = random.Random(number)
        client = self.client(f"10.0.{number // 250}.{number % 250 + 1}")
        weights = [weight for weight, _family, _path in mix]
        pause = self.options.pause
        self.stopping.wait(rng.uniform(0, pause))  # arrive spread out
        while not self.stopping.is_set():
            _weight, family, make = rng.choices(mix, weights)[0]
            path = make(rng)
            start = self.clock.now()
            response = client.request("GET", path)
            records.append(
                Record(start, self.clock.now(), family, path, outcome_of(response))
            )
            self.stopping.wait(rng.uniform(0.5 * pause, 1.5 * pause))
        client.close()

    # The writer: a curator's token, a new partner organisation then a change
    # to its note, over and over, each value unique.

    def writer(self, token: str, records: list[Record]) -> None:
        client = self.client("10.1.0.1")
        headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        number = 0
        while not self.stopping.is_set():
            number += 1
            slug = f"load-partner-{number}"
            created = Write("POST", slug, f"Load test partner {number}")
            self.writes.append(created)
            body = {"slug": slug, "name": created.value, "kind": "other"}
            self.write(
                client, headers, created, "/api/v1/organizations/", body, records
            )
            if created.acknowledged or created.found_landed:
                changed = Write("PATCH", slug, f"note {number} {secrets.token_hex(4)}")
                self.writes.append(changed)
                self.write(
                    client,
                    headers,
                    changed,
                    f"/api/v1/organizations/{slug}/",
                    {"note": changed.value},
                    records,
                )
            self.stopping.wait(0.5)
        client.close()

    def write(
        self,
        client: Client,
        headers: dict[str, str],
        write: Write,
        path: str,
        body: dict[str, str],
        records: list[Record],
    ) -> None:
        expected = (201,) if write.method == "POST" else (200,)
        for attempt in range(5):
            if attempt:
                time.sleep(0.3)
            start = self.clock.now()
            response = client.request(
                write.method, path, json.dumps(body).encode(), headers
            )
            outcome = outcome_of(response, expected)
            records.append(Record(start, self.clock.now(), "write", path, outcome))
            write.attempts.append(outcome)
            if outcome == "ok":
                write.acknowledged = True
                return
            if (
                attempt
                and write.method == "POST"
                and response.status == 400
                and "slug" in response.text()
            ):
                write.found_landed = True  # an earlier attempt was saved
                return
            if response.status and response.status < 500 and response.status != 429:
                return  # refused: retrying would not help

    # The faults.

    def terminate_postgres(self) -> None:
        began = self.clock.now()
        count = self.postgres.terminate()
        ended = self.clock.now()
        self.faults.append(Fault("postgres", began, ended, f"{count} terminated"))
        self.log(f"PostgreSQL: terminated {count} connections of the app")

    def lock_account(self, username: str, password: str, limit: int | None) -> None:
        """Wrong passwords until the lockout, then the right one: refused."""
        if limit is None:
            attacker = self.client("10.3.0.1")
            for _ in range(5):
                login(attacker, username, "wrong-" + secrets.token_hex(4))
            answer = login(attacker, username, password)
            self.checks.append(
                (
                    "lockout: account locked by wrong passwords",
                    None,
                    "not applicable: django-axes is not installed (after 5 wrong "
                    "passwords the right one "
                    + ("logged in" if logged_in(answer) else "was refused")
                    + ")",
                )
            )
            self.log("lockout: not applicable (django-axes is not installed)")
            return
        attacker = self.client("10.3.0.1")
        statuses = [
            login(attacker, username, "wrong-" + secrets.token_hex(4)).status
            for _ in range(limit)
        ]
        answer = login(attacker, username, password)
        refused = not logged_in(answer) and answer.status and answer.status < 500
        self.checks.append(
            (
                "lockout: account locked by wrong passwords",
                bool(refused),
                f"{limit} wrong passwords answered {sorted(set(statuses))}; then the "
                f"right one answered {answer.status or answer.error}"
                + (" (logged in)" if logged_in(answer) else ""),
            )
        )
        self.log(
            f"lockout: {limit} wrong passwords, then the right one: {answer.status}"
        )

    def lockout_without_redis(
        self,
        username: str,
        password: str,
        curator: str,
        curator_password: str,
        axes: bool,
    ) -> None:
        answer = login(self.client("10.3.0.2"), username, password)
        other = login(self.client("10.4.0.1"), curator, curator_password)
        locked = not logged_in(answer) and 0 < answer.status < 500
        detail = (
            f"the locked account's right password answered {answer.status or answer.error}"
            + (" (logged in)" if logged_in(answer) else "")
        )
        self.checks.append(
            (
                "lockout: still locked while Redis is down",
                locked if axes else None,
                detail if axes else "not applicable: django-axes is not installed",
            )
        )
        self.checks.append(
            (
                "login: another account logs in while Redis is down",
                logged_in(other),
                f"answered {other.status or other.error}",
            )
        )
        self.log(
            f"with Redis down: locked account {answer.status or answer.error}, "
            f"another account {other.status or other.error}"
        )

    def bomb(self, session: Client, payload: bytes, number: int) -> None:
        client = self.client(f"10.2.0.{number}")
        client.cookies = dict(session.cookies)
        path = "/admin/registry/agreement/import/"
        page = client.request("GET", path)
        if page.status != 200:
            self.bombs.append((page.status, 0.0, f"import page answered {page.status}"))
            return
        html = page.text()
        options = {
            label.strip().lower(): value
            for value, label in re.findall(
                r'<option value="(\d+)"[^>]*>([^<]+)</option>', html
            )
        }
        fields = {
            "csrfmiddlewaretoken": form_token(html),
            "resource": "0",
            "format": options.get("xlsx", "1"),
        }
        body, content_type = multipart(
            fields,
            {
                "import_file": (
                    "agreements.xlsx",
                    payload,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            },
        )
        start = time.monotonic()
        response = client.request(
            "POST",
            path,
            body,
            {
                "Content-Type": content_type,
                "Referer": f"http://{HOST}:{self.port}{path}",
            },
            timeout=max(20.0, 4 * self.options.bomb_limit),
        )
        seconds = time.monotonic() - start
        text = response.text()
        if response.error:
            verdict = f"no answer ({response.error})"
        elif response.status >= 500:
            verdict = f"server error {response.status}"
        elif 'name="import_file_name"' in text:
            verdict = "accepted for a preview (not refused)"
        elif message := error_message(text):
            verdict = "refused"
            self.log(f"import bomb {number}: the message: {message}")
        else:
            verdict = f"answered {response.status} without an error message"
        self.bombs.append((response.status, seconds, verdict))
        self.log(
            f"import bomb {number}: {verdict} ({response.status or response.error}) in {seconds:.1f} s"
        )
        client.close()

    # The whole run.

    def go(self, accounts: dict[str, Any]) -> list[str]:
        """Run the load with its faults; the reasons it failed (none: passed)."""
        options = self.options
        seconds = options.seconds
        probe = self.client("10.5.0.1")
        agreements = [
            item["slug"]
            for item in probe.json("/api/v1/agreements/?page_size=100")["results"]
        ]
        cities = [
            item["slug"]
            for item in probe.json("/api/v1/cities/?page_size=100")["results"]
        ]
        header = (
            probe.request("GET", "/data/latest/agreements.csv")
            .text()
            .splitlines()[0]
            .split(",")
        )
        mix = weighted_paths(agreements, cities)
        warm = [make(random.Random(0)) for _w, _f, make in mix]
        for number, path in enumerate(warm):  # every path answers, once
            answer = self.client(f"10.5.1.{number + 1}").request("GET", path)
            if answer.status != 200:
                return [f"warm-up: GET {path} answered {answer.status or answer.error}"]
        curator = self.client("10.2.0.1")
        if not logged_in(login(curator, accounts["curator"], accounts["password"])):
            return ["setup: the curator could not log in to the admin"]
        payload = import_bomb(header)
        print(
            f"   {len(agreements)} agreements and {len(cities)} cities in the mix; "
            f"the import bomb is {len(payload):,} bytes",
            flush=True,
        )

        # The schedule, as fractions of the run; a step that takes longer (a
        # login checks a password: about a second of CPU) delays the next, and
        # the phases are cut where the faults really began.
        terminations = [0.25 * seconds, 0.30 * seconds]
        lock_at, stop_at, bomb_at = 0.33 * seconds, 0.45 * seconds, 0.70 * seconds
        outage = min(10.0, 0.17 * seconds)
        limit = accounts["axes_limit"]
        print(
            f"\n== the run: {options.clients} clients for {seconds:g} s "
            f"(each pausing {0.5 * options.pause:g}–{1.5 * options.pause:g} s), "
            "and a writer",
            flush=True,
        )
        self.clock = Clock()
        threads = []
        for number in range(options.clients):
            records: list[Record] = []
            self.records.append(records)
            threads.append(
                threading.Thread(
                    target=self.visitor, args=(number, mix, records), daemon=True
                )
            )
        written: list[Record] = []
        self.records.append(written)
        threads.append(
            threading.Thread(
                target=self.writer, args=(accounts["token"], written), daemon=True
            )
        )
        for thread in threads:
            thread.start()

        def aside(target: Callable[..., None], *args: Any) -> threading.Thread:
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            return thread

        bombers: list[threading.Thread] = []
        cuts = [0.0]
        try:
            for moment in terminations:
                self.clock.sleep_until(moment, self.stopping)
                self.terminate_postgres()
            cuts.append(self.faults[0].began)
            self.clock.sleep_until(lock_at, self.stopping)
            locker = aside(
                self.lock_account,
                accounts["locked"],
                accounts["locked_password"],
                limit,
            )
            self.clock.sleep_until(stop_at, self.stopping)
            locker.join()  # each of its requests is bounded by the timeout
            redis_began = self.clock.now()
            keys_before = self.redis.keys()
            self.redis.stop()
            cuts.append(redis_began)
            self.log(f"Redis stopped ({keys_before} keys were in it)")
            self.stopping.wait(1)
            down = not self.redis.answers()
            checker = aside(
                self.lockout_without_redis,
                accounts["locked"],
                accounts["locked_password"],
                accounts["curator"],
                accounts["password"],
                limit is not None,
            )
            self.clock.sleep_until(redis_began + outage, self.stopping)
            checker.join()
            self.redis.start()
            redis_ended = self.clock.now()
            cuts.append(redis_ended)
            self.faults.append(
                Fault("redis", redis_began, redis_ended, "stopped, then started again")
            )
            self.log("Redis started again on the same port, empty")
            self.checks.append(("Redis was really down during the outage", down, ""))
            self.clock.sleep_until(max(bomb_at, redis_ended + 3), self.stopping)
            bomb_began = self.clock.now()
            cuts.append(bomb_began)
            bombers = [aside(self.bomb, curator, payload, n) for n in (1, 2)]
            self.log("import bomb: two uploads started")
            self.clock.sleep_until(
                max(seconds, bomb_began + 0.2 * seconds), self.stopping
            )
        finally:
            self.stopping.set()
            for thread in threads:
                thread.join(options.timeout + 5)
        cuts.append(self.clock.now())
        for bomber in bombers:
            bomber.join()  # bounded by the upload's timeout
        self.faults.append(Fault("bomb", bomb_began, self.clock.now(), "two uploads"))
        keys_after = self.redis.keys()
        self.checks.append(
            (
                "the app uses Redis again once it is back",
                keys_after > 0,
                f"{keys_after} keys written after the restart",
            )
        )
        names = [
            "baseline",
            "PostgreSQL terminated",
            "Redis down",
            "Redis back",
            "import bomb",
        ]
        phases = [(name, cuts[i], cuts[i + 1]) for i, name in enumerate(names)]
        return self.report(phases)

    # The figures and the bars.

    def excused(self, record: Record) -> bool:
        """A 5xx of a write in flight when its connection was terminated (a
        read is run again on a new connection by the app, and must succeed)."""
        return (
            record.family == "write"
            and record.outcome == "5xx"
            and any(
                fault.name == "postgres"
                and record.start <= fault.ended + TERMINATION_SLACK
                and record.end >= fault.began
                for fault in self.faults
            )
        )

    def report(self, phases: list[tuple[str, float, float]]) -> list[str]:
        records = [record for part in self.records for record in part]
        failures: list[str] = []
        kinds = ["5xx", "connection", "timeout", "429", "other"]

        def row(name: str, chosen: list[Record], span: float) -> str:
            outcomes = Counter(
                "excused"
                if self.excused(r)
                else (r.outcome if r.outcome in kinds or r.outcome == "ok" else "other")
                for r in chosen
            )
            latencies = [r.latency * 1000 for r in chosen]
            figures = [
                f"{name:<30}",
                f"{len(chosen):>8}",
                f"{len(chosen) / span if span else 0:>7.1f}",
                *(f"{outcomes[kind]:>6}" for kind in kinds),
                f"{outcomes['excused']:>7}",
                *(
                    f"{percentile(latencies, share):>7.0f}"
                    for share in (0.5, 0.95, 0.99)
                ),
                f"{max(latencies, default=math.nan):>7.0f}",
            ]
            return " ".join(figures)

        heading = (
            f"{'':<30} {'requests':>8} {'req/s':>7} "
            + " ".join(f"{kind[:6]:>6}" for kind in kinds)
            + f" {'excused':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
        )
        print("\n== figures (every request of the visitors and the writer)")
        print(heading)
        for name, began, ended in phases:
            chosen = [r for r in records if began <= r.start < ended]
            label = f"{name} {began:.0f}–{ended:.0f} s"
            print(row(label, chosen, ended - began))
        span = phases[-1][2]
        print(row("whole run", records, span))
        print()
        for family in ("page", "api", "download", "feed", "write"):
            chosen = [r for r in records if r.family == family]
            print(row(f"  {family}", chosen, span))
        reopened = sum(client.reopened for client in self.clients)
        resent = sum(client.resent for client in self.clients)
        print(
            f"\n   not errors: {reopened} idle keep-alive connections closed by the "
            f"server were reopened; {resent} requests met a connection the server "
            "closed as they were sent, and were sent again on a new one"
        )

        errors = [r for r in records if r.outcome != "ok" and not self.excused(r)]
        if errors:
            counted = Counter(r.outcome for r in errors)
            failures.append(
                f"{len(errors)} errors: "
                + ", ".join(f"{n} {kind}" for kind, n in counted.most_common())
            )
            print("\n   the first errors:")
            for r in errors[:10]:
                print(f"     {r.start:6.1f} s  {r.outcome:<12} {r.family:<9} {r.path}")
        excused = [r for r in records if self.excused(r)]

        print("\n== faults")
        for fault in self.faults:
            print(
                f"   {fault.began:6.1f}–{fault.ended:.1f} s  {fault.name}: {fault.note}"
            )
            if fault.name == "postgres":
                after = [
                    r
                    for r in records
                    if fault.ended + TERMINATION_SLACK < r.start < fault.ended + 5
                ]
                recovered = [r for r in after if r.outcome == "ok"]
                print(
                    f"        {sum(1 for r in excused if r.start <= fault.ended + TERMINATION_SLACK and r.end >= fault.began)}"
                    f" writes in flight failed (excused); in the next 5 s "
                    f"{len(recovered)} of {len(after)} requests succeeded"
                )
                if not recovered:
                    failures.append(
                        f"no request succeeded within 5 s of the termination at "
                        f"{fault.began:.1f} s"
                    )

        print("\n== writes (API, curator's token)")
        failures += self.check_writes()

        print("\n== import bomb (two uploads in parallel, as the curator)")
        if len(self.bombs) < 2:
            failures.append("import bomb: an upload did not finish")
        for status, seconds, verdict in self.bombs:
            print(f"   answered {status} in {seconds:.1f} s: {verdict}")
            if verdict != "refused":
                failures.append(f"import bomb: {verdict}")
            elif seconds > self.options.bomb_limit:
                failures.append(
                    f"import bomb: refused in {seconds:.1f} s, over "
                    f"{self.options.bomb_limit:g} s"
                )

        print("\n== checks")
        for what, passed, detail in self.checks:
            mark = "n/a " if passed is None else ("ok  " if passed else "FAIL")
            print(f"   {mark} {what}" + (f": {detail}" if detail else ""))
            if passed is False:
                failures.append(f"{what}: {detail}")
        return failures

    def check_writes(self) -> list[str]:
        rows = self.postgres.query(
            "SELECT slug, name, note FROM outreach_organization WHERE slug LIKE %s",
            ["load-partner-%"],
        )
        stored = {slug: (name, note) for slug, name, note in rows}
        acknowledged = [w for w in self.writes if w.acknowledged]
        lost = [
            w
            for w in acknowledged
            if w.slug not in stored
            or stored[w.slug][0 if w.method == "POST" else 1] != w.value
        ]
        retried = [w for w in self.writes if len(w.attempts) > 1]
        unacknowledged = [
            w for w in self.writes if not w.acknowledged and not w.found_landed
        ]
        print(
            f"   {len(self.writes)} writes ({sum(w.method == 'POST' for w in self.writes)}"
            f" POST, {sum(w.method == 'PATCH' for w in self.writes)} PATCH), "
            f"{len(acknowledged)} acknowledged with a 2xx, {len(retried)} retried, "
            f"{sum(w.found_landed for w in self.writes)} found saved by their retry, "
            f"{len(unacknowledged)} never acknowledged"
        )
        print(
            f"   in the database after the run: {len(acknowledged) - len(lost)} of "
            f"{len(acknowledged)} acknowledged writes, {len(lost)} lost"
        )
        for w in retried:
            print(f"     retried: {w.method} {w.slug}: {', '.join(w.attempts)}")
        failures = [f"lost write: {w.method} {w.slug} ({w.value!r})" for w in lost]
        if not acknowledged:
            failures.append("no write was acknowledged")
        if unacknowledged:
            failures.append(f"{len(unacknowledged)} writes never acknowledged")
        return failures


# --- Setup and teardown -----------------------------------------------------------

#: Creates the accounts (run by `manage.py shell`); prints them as JSON.
ACCOUNTS = """
import json, os
from django.conf import settings
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from collection.roles import CURATOR

curator_password = os.environ["LOAD_CURATOR_PASSWORD"]
locked_password = os.environ["LOAD_LOCKED_PASSWORD"]
group = Group.objects.get(name=CURATOR)
curator = User.objects.create_user("load-curator", password=curator_password, is_staff=True)
curator.groups.add(group)
locked = User.objects.create_user("load-locked", password=locked_password, is_staff=True)
locked.groups.add(group)
axes = "axes" in settings.INSTALLED_APPS
print(json.dumps({
    "curator": curator.username,
    "password": curator_password,
    "token": Token.objects.create(user=curator).key,
    "locked": locked.username,
    "locked_password": locked_password,
    "axes_limit": getattr(settings, "AXES_FAILURE_LIMIT", 3) if axes else None,
}))
"""


def app_environment(workdir: Path, postgres: Postgres, redis: Redis) -> dict[str, str]:
    """Production settings on loopback: DEBUG off, a real secret key, one trusted
    proxy (so that each client's X-Forwarded-For is its address), no TLS."""
    (workdir / "load_settings.py").write_text(
        "from config.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="load_settings",
        PYTHONPATH=os.pathsep.join([str(workdir), str(BASE_DIR)]),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=postgres.url,
        REDIS_URL=redis.url,
        SECURE_SSL_REDIRECT="0",
        NUM_PROXIES="1",
        LOG_LEVEL="WARNING",
        OPEN_DATA_ROOT=str(workdir / "opendata"),
        OPEN_DATA_BUILD_ROOT=str(workdir / "opendata-build"),
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@contextmanager
def gunicorn(
    env: dict[str, str],
    log: Path,
    workers: int,
    threads: int,
    max_requests: int = 1000,
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--bind",
                f"{HOST}:{port}",
                # As docs/deploy.md runs it.
                "--timeout",
                "30",
                "--max-requests",
                str(max_requests),
                "--max-requests-jitter",
                "100",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        probe = Client(port, "10.5.0.2", 5)
        while probe.request("GET", "/").status != 200:
            probe.close()
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "gunicorn did not start:\n" + log.read_text()[-3000:]
                )
            time.sleep(0.2)
        probe.close()
        yield process, port
    finally:
        stop(process, grace=15)


def unavailable(options: Options, postgres: Postgres) -> str | None:
    """Why the test cannot run here, if it cannot."""
    if not Path(options.redis_server).is_file():
        return f"no redis-server ({options.redis_server})"
    try:
        postgres.connect().close()
    except Exception as error:
        return f"PostgreSQL not reachable at {postgres.params['host']}:{postgres.params['port']} ({error})".strip()
    return None


def summarize_log(log: str, workers: int, verbose: bool) -> None:
    """What the server logged: workers, 5xx and their exceptions, the cache."""
    print("\n== the server's log")
    booted = log.count("Booting worker")
    print(f"   {booted:>5}  workers booted ({workers} at the start, then recycled)")
    print(f"   {log.count('WORKER TIMEOUT'):>5}  worker timeouts")
    print(
        f"   {log.count('Cache unavailable'):>5}  'cache unavailable' warnings "
        "(failing open; one per thread every few seconds while Redis is down)"
    )
    print(f"   {log.count('Internal Server Error'):>5}  internal server errors")
    blocks = log.split("Traceback (most recent call last):")[1:]
    raised: Counter[str] = Counter()
    unexplained = []
    for block in blocks:
        names = re.findall(
            r"^([A-Za-z_][\w.]*(?:Error|Exception|Shutdown)):", block, re.M
        )
        raised.update(names[-1:])
        if "terminating connection due to administrator command" not in block:
            unexplained.append(block)
    for name, count in raised.most_common():
        print(f"   {count:>5}    {name}")
    if verbose and unexplained:
        print("\n   the first traceback not caused by a terminated connection:")
        lines = unexplained[0].strip("\n").splitlines()[:40]
        print("\n".join(f"     {line}" for line in lines))


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    postgres = Postgres(options.postgres_url, options.database)
    reason = unavailable(options, postgres)
    if reason:
        if os.environ.get("CI") == "true":
            print(f"FAIL: the load test needs {reason}.", file=sys.stderr)
            return 1
        print(f"SKIPPED: the load test ({reason}).")
        return 0
    signal.signal(signal.SIGTERM, interrupted)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="registry-load-"))
    redis = Redis(options.redis_server, workdir)
    log = workdir / "gunicorn.log"
    failures: list[str] = []
    try:
        print(
            f"== setup: database {options.database}, the seed, redis-server on port "
            f"{redis.port}, gunicorn {options.workers} workers × {options.threads} threads",
            flush=True,
        )
        postgres.recreate()
        env = app_environment(workdir, postgres, redis)
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        manage(env, "load_seed")
        passwords = {
            "LOAD_CURATOR_PASSWORD": secrets.token_urlsafe(16),
            "LOAD_LOCKED_PASSWORD": secrets.token_urlsafe(16),
        }
        created = manage(env | passwords, "shell", "--command", ACCOUNTS)
        accounts = json.loads(created.splitlines()[-1])
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        redis.start()
        with gunicorn(env, log, options.workers, options.threads) as (server, port):
            print(f"   ready in {time.monotonic() - started:.0f} s", flush=True)
            run = Run(options, port, postgres, redis)
            failures = run.go(accounts)
            if server.poll() is not None:
                failures.append("gunicorn stopped during the run")
    finally:
        redis.stop()
        with suppress(Exception):
            postgres.drop()
        server_log = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(workdir, ignore_errors=True)
    summarize_log(server_log, options.workers, verbose=bool(failures))
    print(f"\n   total wall time {time.monotonic() - started:.0f} s")
    if failures:
        print("\nFAIL: " + "\n      ".join(failures))
        return 1
    print("\nPASS: zero errors, zero lost writes, every fault absorbed.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("\nINTERRUPTED: what the test started is stopped.", file=sys.stderr)
        sys.exit(130)
