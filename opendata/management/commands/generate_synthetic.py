from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opendata.synthetic import BATCH_SIZE, URL_ROOT, Scale, generate


def count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def day(text: str) -> date:
    return date.fromisoformat(text)


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic, bilingual records for benchmarks: "
        "published agreements with their parties, citations and documents, "
        "offices with their service areas, sources, Labor Rights Week editions "
        "and events. Every record is marked (slugs beginning “synthetic-”, "
        f"URLs under {URL_ROOT}, notes saying “Synthetic record for "
        "benchmarks”). Refuses a database with real agreements, offices, "
        "editions or events, and one already holding synthetic data unless "
        "--replace. The same --seed and counts give the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Scale()
        for name, help_text in (
            ("agreements", "published agreements (about 3 parties each)"),
            ("offices", "offices: agency field offices and consulates"),
            ("events", "events, over Labor Rights Week editions and the year"),
            ("sources", "sources the records cite"),
            ("cities", "cities in all: existing US cities first, then synthetic ones"),
        ):
            default = getattr(defaults, name)
            parser.add_argument(
                f"--{name}",
                type=count,
                default=default,
                help=f"How many {help_text} (default {default:,}).",
            )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (default 1)."
        )
        parser.add_argument(
            "--today",
            type=day,
            default=None,
            help=(
                "The day dates are placed around, YYYY-MM-DD (default: today); "
                "give it to repeat another day's run exactly."
            ),
        )
        parser.add_argument(
            "--batch-size",
            type=count,
            default=BATCH_SIZE,
            help=f"Rows per INSERT and per generated batch (default {BATCH_SIZE:,}).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the synthetic data the database holds, then generate afresh.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = Scale(
            agreements=options["agreements"],
            offices=options["offices"],
            events=options["events"],
            sources=options["sources"],
            cities=options["cities"],
        )

        def report(line: str) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(line)

        summary = generate(
            scale,
            seed=options["seed"],
            today=options["today"],
            replace=options["replace"],
            batch_size=options["batch_size"],
            report=report,
        )
        if options["verbosity"] == 0:
            return
        for label, counts in (
            ("Deleted", summary.deleted),
            ("Reused", summary.reused),
            ("Created", summary.created),
        ):
            if any(counts.values()):
                listed = ", ".join(
                    f"{number:,} {name}" for name, number in counts.items() if number
                )
                self.stdout.write(f"{label}: {listed}.")
        total = sum(summary.created.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {total:,} synthetic rows in {summary.seconds:.1f} s."
            )
        )
