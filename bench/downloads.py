"""Download benchmark: /data/latest/registry.zip built for the request (what
every request cost before opendata.builds) and served from the build, beside
a baseline measured in the same run: the same zip as a dated snapshot
(/data/<day>/registry.zip, a file sent with no query at all).

Figures only; it never passes or fails. The database is a fresh one holding
the seed data: on PostgreSQL when BENCH_POSTGRES_URL (default the local
server) answers, as in production (connections kept, CONN_MAX_AGE), otherwise
a SQLite file (a connection opened per request). Builds and snapshots go to a
temporary folder. The throttles run with a rate too high to refuse (their
counting is part of the cost), in a per-process cache (REDIS_URL is ignored).

- in process: Django's test client, one request at a time; CPU per request
  from time.process_time(), so the figure is the server's work plus the
  test client's (small);
- over HTTP: gunicorn on 127.0.0.1 (started and stopped here, sync workers),
  several clients at once; CPU per request is the workers' CPU (from /proc).

    python bench/downloads.py [--requests N] [--built N] [--clients N] [--no-http]
                              [--sqlite]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from import_agreements import connect  # bench/ is the script's folder: its sibling

BASE_DIR = Path(__file__).resolve().parent.parent
LATEST = "/data/latest/registry.zip"
POSTGRES = "postgres://postgres@127.0.0.1:5432/registry_bench_downloads"


def fresh_postgres(url: str) -> bool:
    """Create the (empty) bench database; False if no server answers."""
    name = urlsplit(url).path.lstrip("/")
    try:
        with connect(url, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    except Exception:
        return False
    return True


def drop_postgres(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with connect(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def configure(work: Path, database: str) -> dict[str, str]:
    """The environment of every process of the run."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database,
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        OPEN_DATA_BUILD_ROOT=str(work / "build"),
        OPEN_DATA_ROOT=str(work / "snapshots"),
        PUBLIC_PAGE_RATE="1000000/minute",
        DOWNLOAD_RATE="1000000/minute",
        LOG_LEVEL="WARNING",
        # Nothing is collected: no page with a stylesheet is requested.
        PYTHONWARNINGS="ignore:No directory at",
    )
    return env


def clear_builds(work: Path) -> None:
    shutil.rmtree(work / "build", ignore_errors=True)


def row(label: str, requests: int, seconds: float, cpu: float, size: int) -> None:
    print(
        f"{label:<40} {requests:>8} {requests / seconds:>10.1f} "
        f"{1000 * cpu / requests:>12.2f} {size / 1024:>8.0f}"
    )


def header(title: str) -> None:
    print(f"\n== {title}")
    print(f"{'':<40} {'requests':>8} {'requests/s':>10} {'CPU ms/req':>12} {'KiB':>8}")


# --- In process ----------------------------------------------------------------


def in_process(work: Path, requests: int, built: int, snapshot: str) -> None:
    from django.test import Client

    client = Client()

    def measure(
        label: str, path: str, count: int, before: Callable[[], None] | None = None
    ) -> None:
        client.get(path)  # warm up: the first request imports and connects
        seconds = cpu = 0.0
        size = 0
        for _ in range(count):
            if before:
                before()
            wall, started = time.perf_counter(), time.process_time()
            response = client.get(path)
            content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            cpu += time.process_time() - started
            seconds += time.perf_counter() - wall
            assert response.status_code == 200, (path, response.status_code)
            size = len(content)
        row(label, count, seconds, cpu, size)

    header("In process (Django's test client, one request at a time)")
    measure("baseline: dated snapshot (no query)", snapshot, requests)
    measure("served from the build (one query)", LATEST, requests)
    measure("built for the request", LATEST, built, lambda: clear_builds(work))


# --- Over HTTP -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_cpu(master: int) -> float:
    """CPU seconds used so far by the master's worker processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def fetch(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        size = len(response.read())
        assert response.status == 200, (path, response.status)
        return size
    finally:
        connection.close()


def over_http(
    work: Path,
    env: dict[str, str],
    requests: int,
    built: int,
    clients: int,
    snapshot: str,
) -> None:
    port = free_port()
    workers = max(2, clients // 2)
    server = subprocess.Popen(
        [
            str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                fetch(port, snapshot)
                break
            except (OSError, AssertionError):
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not answer")
        header(
            f"Over HTTP (gunicorn, {workers} sync workers, {clients} clients at once)"
        )

        def clients_at_once(path: str, count: int, at_once: int) -> list[int]:
            sizes: list[int] = []

            def client() -> None:
                for _ in range(count // at_once):
                    sizes.append(fetch(port, path))

            threads = [threading.Thread(target=client) for _ in range(at_once)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return sizes

        def measure(label: str, path: str, count: int, at_once: int) -> None:
            clients_at_once(path, 4 * at_once, at_once)  # warm up every worker
            cpu, wall = worker_cpu(server.pid), time.perf_counter()
            sizes = clients_at_once(path, count, at_once)
            seconds = time.perf_counter() - wall
            row(label, len(sizes), seconds, worker_cpu(server.pid) - cpu, sizes[-1])

        measure("baseline: dated snapshot (no query)", snapshot, requests, clients)
        measure("served from the build (one query)", LATEST, requests, clients)
        seconds = cpu = 0.0
        size = 0
        for _ in range(built):
            clear_builds(work)
            used, wall = worker_cpu(server.pid), time.perf_counter()
            size = fetch(port, LATEST)
            seconds += time.perf_counter() - wall
            cpu += worker_cpu(server.pid) - used
        row("built for the request (one at a time)", built, seconds, cpu, size)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="per served row")
    parser.add_argument("--built", type=int, default=5, help="builds measured")
    parser.add_argument("--clients", type=int, default=4, help="HTTP clients at once")
    parser.add_argument("--no-http", action="store_true", help="skip gunicorn")
    parser.add_argument("--sqlite", action="store_true", help="never PostgreSQL")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-downloads-"))
    postgres = os.environ.get("BENCH_POSTGRES_URL", POSTGRES)
    if args.sqlite or not fresh_postgres(postgres):
        postgres = ""
    database = postgres or f"sqlite:///{work / 'bench.sqlite3'}"
    env = configure(work, database)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(BASE_DIR))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        label = "PostgreSQL" if postgres else "SQLite"
        print(f"Seeding a fresh {label} database …", flush=True)
        call_command("migrate", verbosity=0)
        call_command("load_seed", verbosity=0)
        call_command("publish_open_data", verbosity=0)
        snapshot = f"/data/{timezone.localdate()}/registry.zip"
        in_process(work, args.requests, args.built, snapshot)
        if not args.no_http:
            over_http(work, env, args.requests, args.built, args.clients, snapshot)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if postgres:
            from django.db import connections

            connections.close_all()
            drop_postgres(postgres)


if __name__ == "__main__":
    main()
