from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from opendata.downloads import package_files, package_zip


class Command(BaseCommand):
    help = "Write a dated snapshot of the open data (CSV per collection, datapackage.json, zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=date.fromisoformat, help="Date of the snapshot (today)."
        )

    def handle(self, *args: Any, date: date | None = None, **options: Any) -> None:
        day = date or timezone.localdate()
        folder = Path(settings.OPEN_DATA_ROOT) / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        files = package_files(day)
        files["registry.zip"] = package_zip(files)
        for name, content in files.items():
            (folder / name).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(files)} files to {folder}"))
