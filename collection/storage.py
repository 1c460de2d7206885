"""Where the admin keeps an uploaded file between its preview and the
confirmation (settings.IMPORT_EXPORT_TMP_STORAGE_CLASS): for
IMPORT_PREVIEW_TTL seconds at most, and only until the preview is refused or
the import confirmed (collection.admin.SpreadsheetMixin deletes it then).

Both read the file back as bytes, whatever the format (the admin's formats,
collection.reading.ADMIN_FORMATS, decode it), and answer a name they did not
give out, or a file past its time, with PreviewExpired.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from import_export.tmp_storages import CacheStorage, TempFolderStorage


class PreviewExpired(Exception):
    """The file of a preview is gone: past IMPORT_PREVIEW_TTL, already imported,
    or never stored (the cache was down)."""

    def __str__(self) -> str:
        return _(
            "The preview has expired (previews are kept %(minutes)s minutes); "
            "upload the file again."
        ) % {"minutes": settings.IMPORT_PREVIEW_TTL // 60}


class PreviewCacheStorage(CacheStorage):
    """In the shared cache (any app server may take the confirmation), under a
    random name, expiring after IMPORT_PREVIEW_TTL seconds."""

    NAME = re.compile(r"[0-9a-f]{32}")

    def save(self, data: bytes) -> None:
        self.name = uuid4().hex
        cache.set(self.CACHE_PREFIX + self.name, data, settings.IMPORT_PREVIEW_TTL)

    def read(self) -> bytes:
        data = cache.get(self.CACHE_PREFIX + self.name) if self.known() else None
        if data is None:
            raise PreviewExpired
        return bytes(data)

    def remove(self) -> None:
        if self.known():
            cache.delete(self.CACHE_PREFIX + self.name)

    def known(self) -> bool:
        return bool(self.name and self.NAME.fullmatch(self.name))


class PreviewFolderStorage(TempFolderStorage):
    """In this host's temporary folder, as registry-import-<random>; a folder
    has no expiry, so each new file first deletes those past their time."""

    PREFIX = "registry-import-"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs.get("name"):
            kwargs["name"] = os.path.basename(kwargs["name"])
        super().__init__(**kwargs)

    def save(self, data: bytes) -> None:
        remove_expired(tempfile.gettempdir(), self.PREFIX)
        with tempfile.NamedTemporaryFile(prefix=self.PREFIX, delete=False) as file:
            file.write(data)
        self.name = os.path.basename(file.name)

    def read(self) -> bytes:
        if not self.known():
            raise PreviewExpired
        path = self.get_full_path()
        try:
            with open(path, "rb") as file:
                if time.time() - os.fstat(file.fileno()).st_mtime > ttl():
                    raise PreviewExpired
                return file.read()
        except FileNotFoundError:
            raise PreviewExpired from None

    def remove(self) -> None:
        if self.known():
            try:
                os.remove(self.get_full_path())
            except FileNotFoundError:
                pass

    def known(self) -> bool:
        return bool(self.name and self.name.startswith(self.PREFIX))


def ttl() -> int:
    return int(settings.IMPORT_PREVIEW_TTL)


def remove_expired(folder: str, prefix: str) -> None:
    """Delete the previews in `folder` older than IMPORT_PREVIEW_TTL."""
    oldest = time.time() - ttl()
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.startswith(prefix):
                continue
            try:
                if entry.stat(follow_symlinks=False).st_mtime < oldest:
                    os.remove(entry.path)
            except FileNotFoundError:  # another process removed it first
                pass
