"""`manage.py registry_coverage [--write docs/data-coverage.md]`: the
completeness figures of registry.coverage as Markdown, printed or written
between the markers of a document (the rest of the document is left alone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from registry.coverage import Coverage, coverage

BEGIN = "<!-- registry_coverage: begin (written by manage.py registry_coverage) -->"
END = "<!-- registry_coverage: end -->"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def markdown(figures: Coverage) -> str:
    lines = [
        "| figure | count |",
        "|---|---|",
        f"| published agreements | {figures.agreements} |",
        f"| local agreements | {figures.local_agreements} |",
        f"| with a status other than unknown | {figures.derivable} "
        f"({percent(figures.derivable, figures.agreements)}) |",
        f"| Mexican consular offices (embassy not counted) | {figures.offices} |",
        f"| of them party to no published agreement | {len(figures.offices_without)} |",
        f"| sources | {figures.sources} |",
        f"| sources with a title | {figures.sources_titled} "
        f"({percent(figures.sources_titled, figures.sources)}) |",
        f"| sources with a publisher | {figures.sources_published} "
        f"({percent(figures.sources_published, figures.sources)}) |",
        f"| sources with a publication date | {figures.sources_dated} "
        f"({percent(figures.sources_dated, figures.sources)}) |",
        f"| sources read in a web archive | {figures.sources_archived} |",
        f"| agreement citations | {figures.citations} |",
        f"| citations with the source's words | {figures.citations_quoted} "
        f"({percent(figures.citations_quoted, figures.citations)}) |",
        "",
        "Mexican consular offices with and without a published agreement, by US agency:",
        "",
        "| US agency | with | without |",
        "|---|---|---|",
        *(
            f"| {row.label} | {row.with_agreement} | {row.without_agreement} |"
            for row in figures.by_agency
        ),
        "",
        "Mexican consular offices party to no published agreement: "
        + (
            ", ".join(
                f"{office.city.name if office.city else office.name}"
                f"{', ' + office.city.state.code if office.city and office.city.state else ''}"
                for office in figures.offices_without
            )
            or "none"
        )
        + ".",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the registry's completeness figures as Markdown, or write them into a document."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--write",
            metavar="DOCUMENT",
            help="Replace the figures between the markers of this Markdown file.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            block = markdown(coverage())
        if not options["write"]:
            self.stdout.write(block)
            return
        path = Path(options["write"])
        text = path.read_text(encoding="utf-8")
        if BEGIN not in text or END not in text:
            raise CommandError(f"{path} has no {BEGIN} … {END} markers.")
        head, rest = text.split(BEGIN, 1)
        _old, tail = rest.split(END, 1)
        path.write_text(f"{head}{BEGIN}\n{block}\n{END}{tail}", encoding="utf-8")
        self.stdout.write(f"Wrote the figures into {path}.")
