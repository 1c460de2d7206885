import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from collection.files import FORMATS
from opendata.collections import COLLECTIONS, export_file


class Command(BaseCommand):
    help = (
        "Write a collection in the registry's file format (the format of imports "
        "and open-data downloads), to a file or to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("collection", choices=list(COLLECTIONS))
        parser.add_argument("--format", choices=FORMATS, default=None)
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="File to write (default: standard output).",
        )

    def handle(
        self,
        *args: Any,
        collection: str,
        format: str | None,
        output: Path | None,
        **options: Any,
    ) -> None:
        file_format = format or (output.suffix.lstrip(".").lower() if output else "csv")
        if file_format not in FORMATS:
            raise CommandError(
                f"Unknown format “{file_format}”: use --format {'|'.join(FORMATS)}."
            )
        data, rows = export_file(collection, file_format)
        if output is None:
            if isinstance(data, bytes):
                sys.stdout.buffer.write(data)
            else:
                self.stdout.write(data, ending="")
            return
        try:
            if isinstance(data, bytes):
                output.write_bytes(data)
            else:
                output.write_text(data, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from None
        self.stderr.write(f"{collection}: {rows} rows written to {output}")
