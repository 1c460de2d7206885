import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from opendata import builds
from opendata.downloads import PACKAGE_FILES, write_package


class Command(BaseCommand):
    help = (
        "Write a dated snapshot of the open data (CSV per collection, "
        "datapackage.json, zip); today's is also the latest build (/data/latest/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=date.fromisoformat, help="Date of the snapshot (today)."
        )

    def handle(self, *args: Any, date: date | None = None, **options: Any) -> None:
        day = date or timezone.localdate()
        root = Path(settings.OPEN_DATA_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        folder = root / day.isoformat()
        # Written aside, then moved in file by file: the snapshot page never
        # serves a half-written file.
        work = Path(tempfile.mkdtemp(prefix=".publish-", dir=root))
        try:
            if day == timezone.localdate():
                latest = builds.ensure(day)
                for name in PACKAGE_FILES:
                    shutil.copyfile(latest.path(name), work / name)
            else:
                write_package(work, day)
            folder.mkdir(exist_ok=True)
            for name in PACKAGE_FILES:
                os.replace(work / name, folder / name)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {len(PACKAGE_FILES)} files to {folder}")
        )
