from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from collection.files import ImportFailed
from opendata.collections import load_seed, seed_directory
from registry.models import Agreement


class Command(BaseCommand):
    help = "Load the registry's seed data (fixtures/*.csv) in one transaction."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has agreements (keeps your changes).",
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if if_empty and Agreement.objects.exists():
            self.stdout.write("The database already has data; seed data not loaded.")
            return
        try:
            counts = load_seed()
        except ImportFailed as failure:
            raise CommandError(str(failure)) from None
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {total} rows from {seed_directory()}: "
                + ", ".join(f"{count} {name}" for name, count in counts.items())
            )
        )
