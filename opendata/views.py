"""/data/: bulk downloads of the whole registry, live and as dated snapshots."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

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

from collection.models import Revision

from .collections import COLLECTIONS
from .downloads import (
    DESCRIPTIONS,
    collection_csv,
    datapackage,
    package_files,
    package_zip,
)

FILES = {f"{name}.csv" for name in COLLECTIONS} | {"datapackage.json", "registry.zip"}


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
    collections = [(name, DESCRIPTIONS[name]) for name in COLLECTIONS]
    context = {
        "collections": collections,
        "snapshots": snapshots(),
        "today": timezone.localdate(),
    }
    return render(request, "opendata/index.html", context)


def latest(request: HttpRequest, filename: str) -> HttpResponseBase:
    """Today's package, built from the current data; validators from the data revision."""
    if filename not in FILES:
        raise Http404("No such file.")
    revision = Revision.current()
    today = timezone.localdate()
    etag = '"{}"'.format(
        hashlib.sha256(f"{revision.number}|{today}|{filename}".encode()).hexdigest()[
            :32
        ]
    )
    last_modified = int(revision.changed_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = _build(filename, today)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=300)
    return response


def download_name(filename: str, day: date) -> str:
    """registry-agreements-2026-11-24.csv, registry-2026-11-24.zip."""
    stem, _dot, extension = filename.rpartition(".")
    prefix = "registry" if stem == "registry" else f"registry-{stem}"
    return f"{prefix}-{day}.{extension}"


def _build(filename: str, today: date) -> HttpResponse:
    stem = filename.rpartition(".")[0]
    if filename == "registry.zip":
        content = package_zip(package_files(today))
        content_type = "application/zip"
    elif filename == "datapackage.json":
        content = json.dumps(datapackage(today), indent=2, ensure_ascii=False).encode()
        content_type = "application/json"
    else:
        content = collection_csv(stem).encode()
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{download_name(filename, today)}"'
    )
    return response


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
        path.open("rb"), as_attachment=True, filename=download_name(filename, when)
    )
    patch_cache_control(response, public=True, max_age=86400, immutable=True)
    return response
