from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from collection.models import Revision
from opendata import builds


class Command(BaseCommand):
    help = (
        "Build today's open data files (/data/latest/) for the current data "
        "revision, unless built already, and remove older builds."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        day = timezone.localdate()
        existing = builds.find(Revision.current(), day)
        build = existing or builds.ensure(day)
        done = "Already built" if existing else "Built"
        self.stdout.write(
            self.style.SUCCESS(
                f"{done}: revision {build.number} of {day} in {build.folder}"
            )
        )
