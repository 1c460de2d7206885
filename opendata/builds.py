"""The latest open data as files on disk: built once per data revision and
day, then served as they are (`views.latest`), never rebuilt per request.

A build is a folder of the build root (OPEN_DATA_BUILD_ROOT) named after the
revision and the day, `42-2026-11-24`: the day is part of it because the
package carries its date (the agreements' status on that day, the data
package's version). A build is written into a temporary folder and renamed
into place, so a folder that exists is complete. Builders on one host take
turns under a lock file, and one that finds the build done by the one before
uses it; should two hosts share the folder, the rename still lets only one
build in and the other serves it. After each build only the newest few are
kept.

The request that finds the current build missing makes it, if the last
build took a few seconds at most (REQUEST_BUILD_SECONDS; the seed's takes a
third of a second); `manage.py build_open_data` (and `publish_open_data`)
make it ahead of the requests. While one request builds, the others are
served the newest complete build of the day (one revision behind at most)
instead of queueing behind the lock; a request that finds no build at all
waits for the one being made. A registry whose build takes longer (about 20
minutes at 100,000 agreements) is never built inside a request, which
gunicorn would kill at 30 s: the request is sent the newest complete build,
of any day, and the current one is made in a thread of that process
(`build_in_background`), one at a time.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from collection.models import Revision

from .downloads import write_package

logger = logging.getLogger(__name__)

#: A request makes the missing build itself only if the last one took no
#: longer than this (seconds); otherwise a thread makes it while the newest
#: build is served.
REQUEST_BUILD_SECONDS = 5.0
#: How long a build took, kept in its folder (not one of the package's files).
TIMING = ".seconds"

#: Builds kept after a new one is written (the newest; older ones are removed).
KEPT = 3
#: A temporary folder older than this (seconds) is a crashed build's leftover.
STALE_AFTER = 3600

NAME = re.compile(r"^(?P<number>\d+)-(?P<day>\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Build:
    """A complete build: the files of `day`'s package at revision `number`."""

    number: int
    changed_at: datetime
    day: date
    folder: Path

    def path(self, filename: str) -> Path:
        return self.folder / filename

    @property
    def seconds(self) -> float:
        """How long this build took to write (0 when not recorded)."""
        try:
            return float((self.folder / TIMING).read_text())
        except (OSError, ValueError):
            return 0.0


def root() -> Path:
    return Path(settings.OPEN_DATA_BUILD_ROOT)


def folder_of(number: int, day: date) -> Path:
    return root() / f"{number}-{day.isoformat()}"


def find(revision: Revision, day: date) -> Build | None:
    """The build of `revision` for `day`, if it has been made."""
    folder = folder_of(revision.number, day)
    if not folder.is_dir():
        return None
    return Build(revision.number, revision.changed_at, day, folder)


def ensure(day: date | None = None) -> Build:
    """The build of the current revision for `day` (today), made if missing.

    The revision and every row are read in one transaction (REPEATABLE READ
    on PostgreSQL), so the files hold exactly the data of the revision they
    are named after, however the data changes meanwhile.
    """
    day = day or timezone.localdate()
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    with _lock(folder, wait=False) as free:
        if not free:
            # Another request is building the next revision: the newest
            # complete build of the day is served meanwhile (its files say
            # which revision they hold), rather than a queue of waiting
            # workers, one build behind at most.
            newest = newest_build(day)
            if newest is not None:
                return newest
    with _lock(folder), _snapshot():
        revision = Revision.current()
        build = find(revision, day)
        if build is None:
            build = Build(
                revision.number, revision.changed_at, day, _make(revision, day)
            )
    _clean(folder)
    return build


def for_request(day: date) -> Build:
    """The build a request sends when the current one is missing: made now
    when builds are quick (or none exists yet); otherwise the newest complete
    build, of any day, while a thread makes the current one."""
    newest = newest_build()
    if newest is None or newest.seconds <= REQUEST_BUILD_SECONDS:
        return ensure(day)
    build_in_background(day)
    return newest


_building = threading.Lock()


def build_in_background(day: date) -> threading.Thread | None:
    """Make `day`'s current build in a thread of this process, unless this
    process is making one already (then None). Another process building holds
    the lock file, and the thread then ends at once (ensure())."""
    if not _building.acquire(blocking=False):
        return None

    def build() -> None:
        try:
            ensure(day)
        except Exception:
            logger.exception("The open data build of %s failed", day)
        finally:
            connection.close()  # the thread's own connection
            _building.release()

    thread = threading.Thread(target=build, name="open-data-build", daemon=True)
    thread.start()
    return thread


def _make(revision: Revision, day: date) -> Path:
    target = folder_of(revision.number, day)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        started = time.monotonic()
        write_package(work, day)
        (work / TIMING).write_text(f"{time.monotonic() - started:.3f}")
        work.chmod(0o755)
        try:
            os.rename(work, target)
        except OSError:
            if not target.is_dir():
                raise
            # Another builder (another host on a shared folder) won: theirs
            # holds the same revision, so it is served.
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


@contextmanager
def _lock(folder: Path, *, wait: bool = True) -> Iterator[bool]:
    """One builder at a time on this host; the others wait, then find it built.
    Without `wait`, yields whether the lock was free (and holds it if so)."""
    with (folder / ".lock").open("a") as handle:
        try:
            fcntl.flock(
                handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
            )
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def newest_build(day: date | None = None) -> Build | None:
    """The most recent complete build of `day` (of any day when None),
    whatever its revision."""
    newest: tuple[date, int, Path] | None = None
    if not root().is_dir():
        return None
    for child in root().iterdir():
        match = NAME.match(child.name)
        if not (match and child.is_dir()):
            continue
        built_on = date.fromisoformat(match["day"])
        if day is not None and built_on != day:
            continue
        key = (built_on, int(match["number"]), child)
        if newest is None or key[:2] > newest[:2]:
            newest = key
    if newest is None:
        return None
    # Only the current revision's time is kept; the build's own time is after
    # its revision's change and before the next one.
    made = datetime.fromtimestamp(newest[2].stat().st_mtime, tz=UTC)
    return Build(newest[1], made, newest[0], newest[2])


@contextmanager
def _snapshot() -> Iterator[None]:
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _clean(folder: Path) -> None:
    """Remove all but the newest KEPT builds, and crashed builds' leftovers.

    A file being sent from a removed build is still sent whole (the system
    keeps an open file until it is closed)."""
    builds = []
    for child in folder.iterdir():
        match = NAME.match(child.name)
        if match and child.is_dir():
            key = (date.fromisoformat(match["day"]), int(match["number"]))
            builds.append((key, child))
        elif child.name.startswith(".build-"):
            if time.time() - child.stat().st_mtime > STALE_AFTER:
                shutil.rmtree(child, ignore_errors=True)
    builds.sort(reverse=True)
    for _key, old in builds[KEPT:]:
        shutil.rmtree(old, ignore_errors=True)
