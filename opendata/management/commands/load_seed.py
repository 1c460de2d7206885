from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from collection.files import ImportFailed
from opendata.collections import COLLECTIONS, load_seed, seed_directory
from opendata.seeding import apply_seed, plan_seed
from opendata.synthetic import synthetic_refusal


def has_data() -> bool:
    return any(
        resource._meta.model._default_manager.exists()
        for resource in COLLECTIONS.values()
    )


class Command(BaseCommand):
    help = (
        "Load the registry's seed data (fixtures/*.csv) in one transaction. On a "
        "database that already has data it refuses, unless --force: then it "
        "reports what it would change (a dry run) and, with --apply, applies "
        "only what no person has changed since, never publishing a draft."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has data (keeps your changes).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="On a database with data: report what the seed would change.",
        )
        parser.add_argument(
            "--apply",
            action="store_true",
            help="With --force: apply the changes the report lists as applicable.",
        )

    def handle(
        self,
        *args: Any,
        if_empty: bool = False,
        force: bool = False,
        apply: bool = False,
        **options: Any,
    ) -> None:
        if apply and not force:
            raise CommandError("--apply goes with --force.")
        synthetic = synthetic_refusal("loading the seed data")
        if synthetic and not if_empty:
            raise CommandError(synthetic)
        try:
            if not has_data():
                self.load()
            elif if_empty:
                self.stdout.write(
                    synthetic or "The database already has data; seed data not loaded."
                )
            elif not force:
                raise CommandError(
                    "The database already has data: loading the seed over it could "
                    "undo curators' changes, so nothing was loaded. Run "
                    "`load_seed --force` to see what it would change (nothing is "
                    "written), then `load_seed --force --apply` to apply it."
                )
            else:
                self.update(apply)
        except ImportFailed as failure:
            raise CommandError(str(failure)) from None

    def load(self) -> None:
        counts = load_seed()
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {total} rows from {seed_directory()}: "
                + ", ".join(f"{count} {name}" for name, count in counts.items())
            )
        )

    def update(self, apply: bool) -> None:
        plan = plan_seed()
        for change in plan.changes:
            self.stdout.write(str(change))
        applicable, kept_out = len(plan.applicable), len(plan.kept_out)
        self.stdout.write(
            f"The seed would change {applicable} record(s); {kept_out} change(s) "
            f"are not applied (a person changed or deleted the record, or it "
            f"would publish a draft); {plan.unchanged} record(s) are unchanged."
        )
        if not apply:
            self.stdout.write("Dry run: nothing was written. Add --apply to apply.")
            return
        if applicable:
            apply_seed(plan)
        self.stdout.write(
            self.style.SUCCESS(
                f"Applied {applicable} change(s) from {seed_directory()}."
            )
        )
