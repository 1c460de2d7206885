"""/data/: bulk downloads of the whole registry, live and as dated snapshots."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from collection.formats import XLSX_MEDIA_TYPE, file_name
from collection.models import Revision

from . import builds
from .collections import COLLECTIONS
from .downloads import DESCRIPTIONS, PACKAGE_FILES

FILES = set(PACKAGE_FILES)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_MEDIA_TYPE,
    "json": "application/json",
    "zip": "application/zip",
}


def snapshots() -> list[date]:
    """Dates of the published snapshots, newest first."""
    root = Path(settings.OPEN_DATA_ROOT)
    days = []
    if root.is_dir():
        for child in root.iterdir():
            try:
                days.append(date.fromisoformat(child.name))
            except ValueError:
                continue
    return sorted(days, reverse=True)


def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    collections = [
        {
            "name": name,
            "description": DESCRIPTIONS[name],
            # (the file's address in /data/latest/, the name it is saved as)
            "files": [
                (f"{name}.{extension}", download_name(f"{name}.{extension}", today))
                for extension in ("csv", "xlsx")
            ],
        }
        for name in COLLECTIONS
    ]
    context = {
        "collections": collections,
        "zip_name": download_name("registry.zip", today),
        "snapshots": snapshots(),
        "today": today,
    }
    return render(request, "opendata/index.html", context)


def latest(request: HttpRequest, filename: str) -> HttpResponseBase:
    """Today's package as built for the current data revision (opendata.builds):
    one query when the build exists; validators from the revision and the day."""
    if filename not in FILES:
        raise Http404("No such file.")
    revision = Revision.current()
    today = timezone.localdate()
    etag, last_modified = _validators(
        revision.number, revision.changed_at, today, filename
    )
    response: HttpResponseBase | None = get_conditional_response(
        request, etag=etag, last_modified=last_modified
    )
    if response is None:
        day = today
        handle = _open(builds.find(revision, today), filename)
        if handle is None:  # not built yet (or cleaned away just now)
            # Built now, or (when builds are slow) the newest build while the
            # current one is made apart: its own validators and day.
            build = builds.for_request(today)
            day = build.day
            etag, last_modified = _validators(
                build.number, build.changed_at, day, filename
            )
            response = get_conditional_response(
                request, etag=etag, last_modified=last_modified
            )
            if response is None:
                handle = build.path(filename).open("rb")
        if response is None:
            response = FileResponse(
                handle,
                as_attachment=True,
                filename=download_name(filename, day),
                content_type=CONTENT_TYPES[filename.rpartition(".")[2]],
            )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=300)
    return response


def _open(build: builds.Build | None, filename: str) -> BinaryIO | None:
    if build is None:
        return None
    try:
        return build.path(filename).open("rb")
    except FileNotFoundError:
        return None


def _validators(
    number: int, changed_at: datetime, day: date, filename: str
) -> tuple[str, int]:
    digest = hashlib.sha256(f"{number}|{day}|{filename}".encode()).hexdigest()
    return f'"{digest[:32]}"', int(changed_at.timestamp())


def download_name(filename: str, day: date) -> str:
    """What a file is saved as: a collection's for what it holds and its day
    (agreements-2026-11-24.csv, as the API names an unfiltered file), the
    others for the registry (registry-2026-11-24.zip,
    registry-datapackage-2026-11-24.json)."""
    stem, _dot, extension = filename.rpartition(".")
    if stem in COLLECTIONS:
        return file_name(stem, [], day, extension)
    return file_name("registry", [] if stem == "registry" else [stem], day, extension)


def snapshot(request: HttpRequest, day: str, filename: str) -> FileResponse:
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise Http404("No snapshot of that date.") from None
    if filename not in FILES:
        raise Http404("No such file.")
    path = Path(settings.OPEN_DATA_ROOT) / when.isoformat() / filename
    if not path.is_file():
        raise Http404("No snapshot of that date.")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=download_name(filename, when),
        content_type=CONTENT_TYPES[filename.rpartition(".")[2]],
    )
    patch_cache_control(response, public=True, max_age=86400, immutable=True)
    return response
