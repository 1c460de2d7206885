"""More than one app server, tested: two gunicorns behind nginx, one PostgreSQL,
one Redis, and everything a visitor or a curator does holds whichever server
answers. `make test-load` runs it after bench/load.py; it passes or fails.

Everything is on loopback and everything it starts it stops (also on failure
or Ctrl-C): a fresh PostgreSQL database (`registry_two`, dropped at the end)
with the seed data, its own redis-server on a free port (never the machine's
Redis), two gunicorns (A and B: DEBUG off, the same SECRET_KEY, the same
database and Redis, the page cache on, NUM_PROXIES=1, plain HTTP, and each
its own temporary folder and open-data build folder, as two hosts would
have), and Debian's nginx in front of them (round-robin, no caching, its
configuration, logs and pid in a temporary folder, a free port).

A visitor is a loopback address (127.0.0.x). It reaches each gunicorn
directly, the harness then playing the proxy (it sends the address as
X-Forwarded-For and the Host nginx would send), so which server answers is
chosen, not left to round-robin; and it reaches nginx from a connection bound
to that address, which nginx appends to X-Forwarded-For as a proxy does (a
header the visitor sends itself cannot buy a fresh count). nginx names the
server that answered in X-Upstream. The requests of a check go A, B, nginx,
A, B, nginx, ...

The checks (exit status 1 and the reasons when one fails):

1. session: signed in on A, the same cookie opens the admin on B and through
   nginx (sessions are in the database).
2. import: an admin import's preview made on A is confirmed on B, and the
   record is in the database (the upload waits in Redis, not in a folder of
   the server that made the preview).
3. corrections: a visitor's correction reports, across A, B and nginx, are
   refused at CORRECTIONS_PER_HOUR in all, also through nginx with an
   X-Forwarded-For of the visitor's making; another address is still accepted.
4. API throttle: anonymous API reads across A, B and nginx are refused (429)
   at the anonymous rate in all (API_THROTTLE_ANON, set low for the run).
5. lockout: wrong passwords for one account, each from another address and
   spread over A, B and nginx, lock it at AXES_FAILURE_LIMIT in all; its right
   password is then refused on A, on B and through nginx; another account
   still signs in.
6. cache: an agreement's page and its API item are served from the cache
   (X-Cache: hit) on A and on B; its title is changed through the API on A;
   the very next request on either server answers the new title (a miss,
   then hits), never the old one, not even a 304 for the old ETag.

    python bench/two_servers.py

LOAD_POSTGRES_URL, LOAD_REDIS_SERVER and TWO_DATABASE, TWO_NGINX,
TWO_WORKERS, TWO_THREADS, TWO_API_RATE (see --help). Without PostgreSQL,
redis-server or nginx it prints SKIPPED and exits 0, except under CI=true.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# bench/ is the script's folder: load.py, the load test, is its sibling.
from load import (
    BASE_DIR,
    HOST,
    PYTHON,
    Client,
    Postgres,
    Redis,
    Response,
    add_service_options,
    app_environment,
    free_port,
    gunicorn,
    interrupted,
    logged_in,
    login,
    manage,
    multipart,
    stop,
)

# --- Settings ---------------------------------------------------------------------


@dataclass
class Options:
    postgres_url: str
    database: str
    redis_server: str
    nginx: str
    workers: int
    threads: int
    api_rate: int
    timeout: float


def parse_options(argv: list[str]) -> Options:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_service_options(parser, env("TWO_DATABASE", "registry_two"))
    parser.add_argument("--nginx", default=env("TWO_NGINX", "/usr/sbin/nginx"))
    parser.add_argument("--workers", type=int, default=int(env("TWO_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(env("TWO_THREADS", "2")))
    parser.add_argument(
        "--api-rate",
        type=int,
        default=int(env("TWO_API_RATE", "10")),
        help="anonymous API requests a minute per client (API_THROTTLE_ANON)",
    )
    parser.add_argument("--timeout", type=float, default=15)
    return Options(**vars(parser.parse_args(argv)))


# --- nginx ------------------------------------------------------------------------

NGINX_CONF = """\
# Written by bench/two_servers.py for one run; nothing of the system's nginx.
daemon off;
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$status $upstream_addr';
    access_log {folder}/access.log upstream;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 12m;
    upstream registry {{
        server {host}:{a};
        server {host}:{b};
    }}
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://registry;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A failed request is not tried on the other server: each check
            # sees what one server answered.
            proxy_next_upstream off;
            # Which server answered, for the report; nginx caches nothing.
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Nginx:
    """nginx on a free loopback port in front of A and B, from its own folder
    (readable by its worker, nobody when started as root)."""

    def __init__(self, binary: str, a: int, b: int) -> None:
        self.binary = binary
        self.folder = Path(tempfile.mkdtemp(prefix="registry-two-nginx-"))
        self.folder.chmod(0o755)
        self.port = free_port()
        self.upstreams = {f"{HOST}:{a}": "A", f"{HOST}:{b}": "B"}
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        self.conf = self.folder / "nginx.conf"
        self.conf.write_text(
            NGINX_CONF.format(
                user=user, folder=self.folder, host=HOST, a=a, b=b, port=self.port
            )
        )
        self.requests: Counter[str] = Counter()  # by server and status

    @contextmanager
    def running(self) -> Iterator[int]:
        process = subprocess.Popen(
            [
                self.binary,
                *("-p", str(self.folder), "-e", str(self.folder / "error.log")),
                *("-c", str(self.conf)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 10
            probe = Client(self.port, "", 5, source="127.0.0.2")
            while probe.request("GET", "/").status != 200:
                probe.close()
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "nginx did not start:\n" + self.read("error.log")[-3000:]
                    )
                time.sleep(0.1)
            probe.close()
            yield self.port
        finally:
            stop(process)
            for line in self.read("access.log").splitlines():
                code, _space, upstream = line.partition(" ")
                self.requests[f"{self.upstreams.get(upstream, upstream)} {code}"] += 1
            shutil.rmtree(self.folder, ignore_errors=True)

    def read(self, name: str) -> str:
        path = self.folder / name
        return path.read_text(errors="replace") if path.exists() else ""


# --- Visitors ---------------------------------------------------------------------


@dataclass
class Servers:
    a: int
    b: int
    n: int  # nginx

    def name(self, port: int) -> str:
        return {self.a: "A", self.b: "B"}.get(port, "?")


class Visitor:
    """One client address, on A and B directly and through nginx, with one jar
    of cookies (a browser's, whichever server answers)."""

    def __init__(self, servers: Servers, address: str, timeout: float) -> None:
        self.servers = servers
        self.address = address
        # What nginx forwards: Host without the port, the address appended.
        self.a = Client(servers.a, address, timeout, host=HOST)
        self.b = Client(servers.b, address, timeout, host=HOST)
        self.n = Client(servers.n, "", timeout, source=address)
        self.b.cookies = self.n.cookies = self.a.cookies

    def clients(self) -> list[tuple[str, Client]]:
        return [("A", self.a), ("B", self.b), ("nginx", self.n)]

    def rotation(self, count: int) -> Iterator[tuple[int, str, Client]]:
        """count requests' clients, A, B, nginx, A, ..."""
        clients = self.clients()
        for number in range(count):
            name, client = clients[number % len(clients)]
            yield number + 1, name, client

    def who(self, name: str, response: Response) -> str:
        """'A', 'B', or 'nginx→A' (from nginx's X-Upstream)."""
        if name != "nginx" or response.headers is None:
            return name
        upstream = response.headers.get("X-Upstream", "")
        port = upstream.rsplit(":", 1)[-1]
        return f"nginx→{self.servers.name(int(port)) if port.isdigit() else '?'}"

    def close(self) -> None:
        for _name, client in self.clients():
            client.close()


class Forms(HTMLParser):
    """The forms of a page: each one's action, the values its inputs would send
    (not files or buttons), and its selects' options by label."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.select = ""
        self.option: str | None = None  # the value of the option being read
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(attributes.get("action", "")))
        elif not self.forms:
            return
        elif tag == "input" and attributes.get("name"):
            if attributes.get("type") not in ("submit", "file", "checkbox"):
                self.forms[-1].fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "select":
            self.select = attributes.get("name", "")
            self.forms[-1].options[self.select] = {}
        elif tag == "option" and self.select:
            self.option = attributes.get("value", "")

    def handle_data(self, data: str) -> None:
        if self.option is not None and self.forms:
            label = data.strip().lower()
            self.forms[-1].options[self.select][label] = self.option
            self.option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = ""
        if tag == "option":
            self.option = None

    def having(self, test: Callable[[Form], bool]) -> Form | None:
        return next((form for form in self.forms if test(form)), None)


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)


API = {"Accept": "application/json"}


def form_post(client: Client, path: str, fields: dict[str, str]) -> Response:
    return client.request(
        "POST",
        path,
        urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )


def location(response: Response) -> str:
    return response.headers.get("Location", "") if response.headers else ""


def header(response: Response, name: str) -> str:
    return response.headers.get(name, "") if response.headers else ""


def status(response: Response) -> str:
    return str(response.status or response.error)


# --- The checks -------------------------------------------------------------------


@dataclass
class Check:
    name: str
    passed: bool = False
    figures: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.figures.append(text)


@dataclass
class Context:
    options: Options
    servers: Servers
    postgres: Postgres
    redis: Redis
    folders: dict[str, Path]  # each server's temporary folder
    setup: dict[str, Any]  # the accounts, token and limits (SETUP)
    agreements: list[dict[str, Any]]
    curator: Visitor | None = None  # signed in by the first check

    def visitor(self, address: str) -> Visitor:
        return Visitor(self.servers, address, self.options.timeout)


def check_session(ctx: Context, check: Check) -> None:
    """Signed in on A; the same cookie on B and through nginx."""
    stranger = ctx.visitor("127.0.0.10")
    before = stranger.b.request("GET", "/admin/")
    check.note(
        f"without a cookie B answers /admin/ {status(before)} → {location(before)}"
    )
    curator = ctx.visitor("127.0.0.11")
    signed_in = login(curator.a, ctx.setup["curator"], ctx.setup["password"])
    check.note(
        f"sign-in on A: {status(signed_in)} → {location(signed_in)}, cookies "
        + ", ".join(sorted(curator.a.cookies))
    )
    answers = []
    good = logged_in(signed_in) and "sessionid" in curator.a.cookies
    for name, client in [("B", curator.b), ("nginx", curator.n), ("nginx", curator.n)]:
        page = client.request("GET", "/admin/")
        mine = page.status == 200 and ctx.setup["curator"] in page.text()
        answers.append(f"{curator.who(name, page)} {status(page)}")
        good = good and mine
    check.note("the same cookie, /admin/: " + ", ".join(answers))
    check.passed = good and before.status == 302 and "/admin/login/" in location(before)
    ctx.curator = curator


def check_import(ctx: Context, check: Check) -> None:
    """An import's preview on A, its confirmation on B."""
    curator = ctx.curator
    if curator is None:
        check.note("not signed in (the first check failed)")
        return
    path = "/admin/registry/topic/import/"
    page = curator.a.request("GET", path)
    if page.status != 200:
        check.note(f"the import page on A answered {status(page)}")
        return
    form = Forms(page.text()).having(lambda form: "format" in form.options)
    if form is None:
        check.note("no import form on the import page")
        return
    fields = dict(form.fields)
    fields["format"] = form.options["format"].get("csv", "0")
    fields.setdefault("resource", "0")
    slug = f"two-servers-{secrets.token_hex(4)}"
    name = f"Two servers {slug[-8:]}"
    csv = f"slug,name_en,name_es\r\n{slug},{name},Dos servidores {slug[-8:]}\r\n"
    body, content_type = multipart(
        fields, {"import_file": ("topics.csv", csv.encode(), "text/csv")}
    )
    preview = curator.a.request("POST", path, body, {"Content-Type": content_type})
    confirm = Forms(preview.text()).having(lambda form: "process_import" in form.action)
    if preview.status != 200 or confirm is None:
        check.note(
            f"the preview on A answered {status(preview)} without a confirm form"
        )
        return
    stored = ctx.redis.client().keys("*django-import-export-*")
    in_folders = sorted(
        str(p.name) for f in ctx.folders.values() for p in f.glob("registry-import-*")
    )
    check.note(
        f"preview on A: {preview.status}, {len(stored)} upload in Redis, "
        f"{len(in_folders)} in the servers' temporary folders"
    )
    confirmed = form_post(curator.b, confirm.action, confirm.fields)
    check.note(
        f"confirmed on B: {status(confirmed)} → {location(confirmed)}"
        + (f" ({message})" if (message := error_text(confirmed.text())) else "")
    )
    rows = ctx.postgres.query(
        "SELECT name_en FROM registry_topic WHERE slug = %s", [slug]
    )
    left = ctx.redis.client().keys("*django-import-export-*")
    check.note(
        f"in the database: {'yes, ' + repr(rows[0][0]) if rows else 'no'}; "
        f"uploads left in Redis: {len(left)}"
    )
    check.passed = (
        confirmed.status == 302
        and location(confirmed).endswith("/admin/registry/topic/")
        and rows == [(name,)]
        and len(stored) == 1
        and not in_folders
        and not left
    )


def error_text(text: str) -> str:
    found = re.search(r'class="[^"]*\berror[^"]*"[^>]*>(.*?)</', text, re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def check_corrections(ctx: Context, check: Check) -> None:
    """Correction reports from one address over A, B and nginx."""
    limit = ctx.setup["corrections_per_hour"]
    slug = ctx.agreements[0]["slug"]
    path = f"/agreements/{slug}/correction/"

    def report(client: Client, number: int) -> Response:
        return form_post(
            client, path, {"message": f"Two servers check: report {number}"}
        )

    visitor = ctx.visitor("127.0.0.21")
    answers = []
    accepted = refused = 0
    ok = True
    for number, name, client in visitor.rotation(limit + 3):
        answer = report(client, number)
        took = answer.status == 302 and "reported=1" in location(answer)
        accepted += took
        refused += answer.status == 429
        ok = ok and (took if number <= limit else answer.status == 429)
        answers.append(f"{visitor.who(name, answer)} {status(answer)}")
    check.note(f"limit {limit} an hour; from 127.0.0.21: " + ", ".join(answers))
    # Through nginx, a visitor's own X-Forwarded-For is not its address: nginx
    # appends the connection's, and the app trusts that one proxy only.
    spoofer = Client(
        ctx.servers.n, "127.0.0.99", ctx.options.timeout, source="127.0.0.21"
    )
    spoofed = report(spoofer, 0)
    spoofer.close()
    check.note(
        f"the same address through nginx claiming X-Forwarded-For 127.0.0.99: "
        f"{status(spoofed)}"
    )
    other = ctx.visitor("127.0.0.22")
    others = [(name, report(client, 100)) for name, client in other.clients()[1:]]
    check.note(
        "another address, 127.0.0.22: "
        + ", ".join(f"{other.who(n, r)} {status(r)}" for n, r in others)
    )
    (stored,) = ctx.postgres.query(
        "SELECT count(*) FROM registry_correctionreport r"
        " JOIN registry_agreement a ON a.id = r.agreement_id"
        " WHERE a.slug = %s AND r.message LIKE %s",
        [slug, "Two servers check%"],
    )[0]
    check.note(f"{accepted} + {len(others)} expected reports; {stored} in the database")
    check.passed = (
        ok
        and accepted == limit
        and spoofed.status == 429
        and all(r.status == 302 for _n, r in others)
        and stored == limit + len(others)
    )
    for v in (visitor, other):
        v.close()


def check_api_throttle(ctx: Context, check: Check) -> None:
    """Anonymous API reads from one address over A, B and nginx.

    Each read has its own address (?page_size=1, 2, ...): an anonymous GET
    already in the page cache is answered from it before any throttle runs
    (collection.pagecache, a hit costs next to nothing and is not counted), so
    the same address asked again would be a hit, not a request the throttle
    sees. A POST would not do either: anonymous writes are refused by the
    permission check, which DRF runs before the throttles."""
    rate = ctx.options.api_rate
    visitor = ctx.visitor("127.0.0.41")
    answers = []
    ok = True
    misses = answered = 0
    for number, name, client in visitor.rotation(rate + 3):
        answer = client.request(
            "GET",
            f"/api/v1/topics/?page_size={number}",
            headers=API,
        )
        misses += header(answer, "X-Cache") == "miss"
        answered += answer.status == 200
        ok = ok and answer.status == (200 if number <= rate else 429)
        answers.append(f"{visitor.who(name, answer)} {status(answer)}")
    check.note(
        f"rate {ctx.setup['anon_rate']}; from 127.0.0.41: "
        + ", ".join(answers)
        + f" ({answered} answered, {misses} of them cache misses)"
    )
    other = ctx.visitor("127.0.0.42")
    others = [
        (
            name,
            client.request("GET", f"/api/v1/topics/?page_size={100 + n}", headers=API),
        )
        for n, (name, client) in enumerate(other.clients())
    ]
    check.note(
        "another address, 127.0.0.42 (reads not in the cache either): "
        + ", ".join(
            f"{other.who(n, r)} {status(r)} {header(r, 'X-Cache')}" for n, r in others
        )
    )
    check.passed = (
        ok
        and misses == rate
        and all(r.status == 200 and header(r, "X-Cache") == "miss" for _n, r in others)
    )
    for v in (visitor, other):
        v.close()


def check_lockout(ctx: Context, check: Check) -> None:
    """Wrong passwords for one account, spread over servers and addresses."""
    limit = ctx.setup["axes_limit"]
    account = ctx.setup["locked"]
    answers = []
    statuses = []
    servers = ["A", "B", "nginx"]
    for number in range(limit):
        visitor = ctx.visitor(f"127.0.0.{51 + number}")
        name = servers[number % 3]
        client = dict(visitor.clients())[name]
        answer = login(client, account, "wrong-" + secrets.token_hex(4))
        statuses.append(answer.status)
        answers.append(f"{visitor.who(name, answer)} {status(answer)}")
        visitor.close()
    check.note(
        f"AXES_FAILURE_LIMIT {limit}; wrong passwords, each from another "
        "address: " + ", ".join(answers)
    )
    right = []
    for number, name in enumerate(servers):
        visitor = ctx.visitor(f"127.0.0.{71 + number}")
        answer = login(
            dict(visitor.clients())[name], account, ctx.setup["locked_password"]
        )
        right.append((visitor.who(name, answer), answer))
        visitor.close()
    check.note(
        "then the right password, from new addresses: "
        + ", ".join(
            f"{who} {status(r)}" + (" (signed in)" if logged_in(r) else "")
            for who, r in right
        )
    )
    control = ctx.visitor("127.0.0.81")
    other = login(control.b, ctx.setup["curator"], ctx.setup["password"])
    control.close()
    check.note(
        f"another account on B: {status(other)}"
        + (" (signed in)" if logged_in(other) else "")
    )
    check.passed = (
        429 not in statuses[:-1]
        and all(r.status == 429 and not logged_in(r) for _w, r in right)
        and logged_in(other)
    )


def check_cache(ctx: Context, check: Check) -> None:
    """Cached on A and B; the title changed through A; both answer it at once."""
    agreement = ctx.agreements[1]
    slug, old = agreement["slug"], agreement["title"]
    new = f"Two servers check {secrets.token_hex(4)}"
    visitor = ctx.visitor("127.0.0.61")
    targets: list[tuple[str, str, dict[str, str], Callable[[Response], str]]] = [
        ("page", f"/agreements/{slug}/", {}, page_title),
        ("API item", f"/api/v1/agreements/{slug}/", API, api_title),
    ]
    etags: dict[str, str] = {}
    ok = True
    for what, path, headers, _title in targets:
        seen = []
        cached = {"A": False, "B": False}
        for _round in range(4):
            for name, client in (("A", visitor.a), ("B", visitor.b)):
                answer = client.request("GET", path, headers=headers)
                seen.append(f"{name} {header(answer, 'X-Cache') or status(answer)}")
                cached[name] = header(answer, "X-Cache") == "hit"
                etags[what] = header(answer, "ETag")
            if all(cached.values()):
                break
        through = visitor.n.request("GET", path, headers=headers)
        seen.append(f"{visitor.who('nginx', through)} {header(through, 'X-Cache')}")
        check.note(f"{what} before: " + ", ".join(seen))
        ok = ok and all(cached.values())
    token = {"Authorization": f"Token {ctx.setup['token']}"}
    changed = visitor.a.request(
        "PATCH",
        f"/api/v1/agreements/{slug}/",
        json.dumps({"title_en": new}).encode(),
        {**API, **token, "Content-Type": "application/json"},
    )
    check.note(f"title changed through A with a curator's token: {status(changed)}")
    ok = ok and changed.status == 200
    # The page: B first (it did not make the change), sending back the ETag it
    # gave before, as a browser revalidating does; the API item: A first.
    orders = {"page": ["B", "A", "nginx"], "API item": ["A", "B", "nginx"]}
    for what, path, headers, title in targets:
        seen = []
        for number, name in enumerate(orders[what]):
            client = dict(visitor.clients())[name]
            sent = dict(headers)
            if number == 0:
                sent["If-None-Match"] = etags[what]
            answer = client.request("GET", path, headers=sent)
            got = title(answer)
            cache = header(answer, "X-Cache")
            stale = old in answer.text() or html.escape(old) in answer.text()
            ok = ok and (
                answer.status == 200
                and new in got
                and not stale
                and cache == ("miss" if number == 0 else "hit")
            )
            seen.append(
                f"{visitor.who(name, answer)} {status(answer)} {cache or '-'} "
                + ("new title" if new in got else f"title {got!r}")
                + (" (the old title in the answer)" if stale else "")
            )
        check.note(f"{what} after (the first sends the old ETag): " + ", ".join(seen))
    visitor.close()
    check.passed = ok


def page_title(response: Response) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", response.text(), re.DOTALL)
    return (
        html.unescape(" ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()))
        if found
        else ""
    )


def api_title(response: Response) -> str:
    try:
        return str(json.loads(response.body).get("title_en", ""))
    except ValueError:
        return ""


CHECKS: list[tuple[str, Callable[[Context, Check], None]]] = [
    ("session: signed in on A, the same cookie on B", check_session),
    ("import: preview on A, confirmed on B", check_import),
    ("corrections: one limit over A, B and nginx", check_corrections),
    ("API throttle: one count over A, B and nginx", check_api_throttle),
    ("lockout: failures over A, B and nginx lock the account", check_lockout),
    ("cache: a change through A is answered at once on A and B", check_cache),
]


# --- Setup and teardown -----------------------------------------------------------

#: Run by `manage.py shell`: two staff accounts in the curator group, and the
#: limits in force; printed as JSON.
SETUP = """
import json, os
from django.conf import settings
from django.contrib.auth.models import Group, User
from collection.roles import CURATOR
from public.views.agreements import CORRECTIONS_PER_HOUR

group = Group.objects.get(name=CURATOR)
for name, variable in (("two-curator", "TWO_CURATOR"), ("two-locked", "TWO_LOCKED")):
    user = User.objects.create_user(name, password=os.environ[variable], is_staff=True)
    user.groups.add(group)
print(json.dumps({
    "axes_limit": settings.AXES_FAILURE_LIMIT,
    "corrections_per_hour": CORRECTIONS_PER_HOUR,
    "anon_rate": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"],
}))
"""


def unavailable(options: Options, postgres: Postgres) -> str | None:
    """Why the test cannot run here, if it cannot."""
    for what, path in (
        ("redis-server", options.redis_server),
        ("nginx", options.nginx),
    ):
        if not Path(path).is_file():
            return f"no {what} ({path})"
    try:
        postgres.connect().close()
    except Exception as error:
        return f"PostgreSQL not reachable ({error})".strip()
    return None


def prepare(
    options: Options, workdir: Path, postgres: Postgres, redis: Redis
) -> tuple[dict[str, str], dict[str, Any]]:
    """The database with the seed, the accounts and a token; the environment."""
    postgres.recreate()
    env = app_environment(workdir, postgres, redis)
    env["API_THROTTLE_ANON"] = f"{options.api_rate}/minute"
    env["PAGE_CACHE"] = "1"
    # It needs no database: it runs while the database is made.
    collectstatic = subprocess.Popen(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    try:
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        manage(env, "load_seed")
        passwords = {
            "TWO_CURATOR": secrets.token_urlsafe(16),
            "TWO_LOCKED": secrets.token_urlsafe(16),
        }
        setup = json.loads(
            manage(env | passwords, "shell", "--command", SETUP).splitlines()[-1]
        )
        setup.update(
            curator="two-curator",
            password=passwords["TWO_CURATOR"],
            locked="two-locked",
            locked_password=passwords["TWO_LOCKED"],
            token=manage(env, "api_token", "two-curator").strip(),
        )
        if collectstatic.wait():
            raise RuntimeError("manage.py collectstatic failed")
    finally:
        stop(collectstatic)
    return env, setup


@dataclass
class Result:
    checks: list[Check]
    seconds: float = 0.0
    setup_error: str = ""
    logs: dict[str, str] = field(default_factory=dict)  # each server's
    stopped: list[str] = field(default_factory=list)  # servers that died
    proxied: Counter[str] = field(default_factory=Counter)  # nginx's log


def run(options: Options) -> Result:
    postgres = Postgres(options.postgres_url, options.database)
    workdir = Path(tempfile.mkdtemp(prefix="registry-two-"))
    redis = Redis(options.redis_server, workdir)
    result = Result([Check(name) for name, _function in CHECKS])
    logs = {name: workdir / f"gunicorn-{name}.log" for name in "AB"}
    started = time.monotonic()
    proxy: Nginx | None = None
    try:
        print(
            f"== setup: database {options.database}, the seed, redis-server on "
            f"port {redis.port}, two gunicorns ({options.workers} workers × "
            f"{options.threads} threads each), nginx",
            flush=True,
        )
        redis.start()
        env, setup = prepare(options, workdir, postgres, redis)
        with ExitStack() as stack:
            ports, processes, folders = {}, {}, {}
            for name in "AB":
                # Each its own temporary folder (where an import preview would
                # wait without Redis) and build folder, as on two hosts.
                folders[name] = workdir / f"tmp-{name}"
                folders[name].mkdir()
                own = env | {
                    "TMPDIR": str(folders[name]),
                    "OPEN_DATA_BUILD_ROOT": str(workdir / f"opendata-build-{name}"),
                }
                processes[name], ports[name] = stack.enter_context(
                    gunicorn(own, logs[name], options.workers, options.threads)
                )
            proxy = Nginx(options.nginx, ports["A"], ports["B"])
            servers = Servers(
                ports["A"], ports["B"], stack.enter_context(proxy.running())
            )
            print(
                f"   ready in {time.monotonic() - started:.0f} s: A on port "
                f"{servers.a}, B on {servers.b}, nginx on {servers.n}",
                flush=True,
            )
            probe = Client(servers.a, "127.0.0.3", options.timeout, host=HOST)
            listing = probe.json("/api/v1/agreements/?page_size=2")
            probe.close()
            agreements = [
                {"slug": item["slug"], "title": item["title_en"]}
                for item in listing["results"]
            ]
            ctx = Context(options, servers, postgres, redis, folders, setup, agreements)
            for check, (_name, function) in zip(result.checks, CHECKS, strict=True):
                began = time.monotonic()
                try:
                    function(ctx, check)
                except Exception as error:  # a broken check fails, the others run
                    check.passed = False
                    check.note(f"error: {type(error).__name__}: {error}")
                check.note(f"{time.monotonic() - began:.1f} s")
            result.stopped = [n for n, p in processes.items() if p.poll() is not None]
    except RuntimeError as error:  # a server or a command did not start
        result.setup_error = str(error)
    finally:
        redis.stop()
        with suppress(Exception):
            postgres.drop()
        result.logs = {
            name: log.read_text(errors="replace")
            for name, log in logs.items()
            if log.exists()
        }
        shutil.rmtree(workdir, ignore_errors=True)
    result.proxied = proxy.requests if proxy else Counter()
    result.seconds = time.monotonic() - started
    return result


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    reason = unavailable(options, Postgres(options.postgres_url, options.database))
    if reason:
        if os.environ.get("CI") == "true":
            print(f"FAIL: the two-server test needs {reason}.", file=sys.stderr)
            return 1
        print(f"SKIPPED: the two-server test ({reason}).")
        return 0
    signal.signal(signal.SIGTERM, interrupted)
    result = run(options)
    if result.setup_error:
        print(f"\nFAIL: setup: {result.setup_error}")
        return 1
    print("\n== two app servers behind nginx")
    for number, check in enumerate(result.checks, start=1):
        print(f"   {'PASS' if check.passed else 'FAIL'}  {number}. {check.name}")
        for figure in check.figures:
            print(f"            {figure}")
    print("\n== the servers")
    for name, log in result.logs.items():
        print(
            f"   {name}: {log.count('Internal Server Error')} internal server errors,"
            f" {log.count('Traceback (most recent call last)')} tracebacks in its log"
        )
    print(
        "   nginx: "
        + ", ".join(f"{n} × {what}" for what, n in sorted(result.proxied.items()))
        + " (server and status, the probe at its start included)"
    )
    print(f"   total wall time {result.seconds:.0f} s")
    failed = [c.name for c in result.checks if not c.passed]
    failed += [f"gunicorn {name} stopped during the run" for name in result.stopped]
    if failed:
        print("\nFAIL: " + "\n      ".join(failed))
        return 1
    print(f"\nPASS: all {len(result.checks)} checks hold across the two servers.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("\nINTERRUPTED: what the test started is stopped.", file=sys.stderr)
        sys.exit(130)
