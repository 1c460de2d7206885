from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from collection.files import (
    FORMATS,
    FileRefused,
    ImportFailed,
    read_dataset,
    summary,
)
from opendata.collections import COLLECTIONS, import_dataset, import_permission
from opendata.synthetic import refuse_if_synthetic


class Command(BaseCommand):
    help = (
        "Import a file (CSV, XLSX or JSON, in the registry's file format) into a "
        "collection: every row, or, if any row is bad, none. Exits 0 only when "
        "every row was imported; otherwise prints each bad row's number and "
        "reason and changes nothing. A file over the import caps (IMPORT_MAX_ROWS, "
        "IMPORT_MAX_CELLS, IMPORT_MAX_DECOMPRESSED_SIZE) is refused whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("collection", choices=list(COLLECTIONS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and report, then change nothing.",
        )
        parser.add_argument("--format", choices=FORMATS, default=None)
        parser.add_argument(
            "--user",
            help=(
                "Import as this user: recorded in the history, and limited to "
                "what the user may import (an event editor: their offices' events)."
            ),
        )

    def handle(
        self,
        *args: Any,
        collection: str,
        file: Path,
        dry_run: bool,
        format: str | None,
        user: str | None,
        **options: Any,
    ) -> None:
        refuse_if_synthetic(f"importing {file} into {collection}")
        importer = None
        if user:
            try:
                importer = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user “{user}”.") from None
            if not importer.is_active or not importer.has_perm(
                import_permission(collection)
            ):
                raise CommandError(f"{user} may not import {collection}.")
        try:
            dataset = read_dataset(file, format)
        except FileNotFoundError:
            raise CommandError(f"No file {file}.") from None
        except FileRefused as refusal:
            # The curator's message, and the setting for whoever can raise it.
            cap = f" ({refusal.setting})" if refusal.setting else ""
            raise CommandError(f"{file}: nothing imported. {refusal}{cap}") from None
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            result = import_dataset(
                collection, dataset, dry_run=dry_run, user=importer, file_name=file.name
            )
        except ImportFailed as failure:
            self.stderr.write(str(failure))
            raise CommandError(f"{file}: nothing imported.") from None
        line = summary(collection, result)
        if dry_run:
            line += " (dry run: nothing was saved)"
        self.stdout.write(self.style.SUCCESS(line))
