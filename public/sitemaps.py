"""The sitemap: an index (/sitemap.xml) of one sitemap per kind of page
(/sitemap-<section>.xml), each in pages of at most `RecordSitemap.limit`
addresses, so no request reads more than a page of records however large the
registry grows. Every page is listed with its English and Spanish versions."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import GenericSitemap, Sitemap
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.urls import reverse

from collection.counting import counted
from outreach.models import Edition, Event
from registry.models import Agency, Agreement, City, Country, Office


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    languages = ["en", "es"]


class PagesSitemap(BilingualSitemap):
    def items(self) -> list[str]:
        return [
            "public:home",
            "public:agreement-list",
            "public:city-list",
            "public:agency-list",
            "public:edition-list",
            "public:numbers",
            "public:help",
            "opendata:index",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class InLanguages:
    """A queryset's records, each once per language, as the (record, language)
    pairs Django's i18n sitemap pages over; sliced, it reads only the records
    of the slice (Django's own list reads every record of the table)."""

    def __init__(self, queryset: QuerySet[Any], languages: list[str]) -> None:
        self.queryset = queryset
        self.languages = languages

    def count(self) -> int:
        # Once per data revision (collection.counting): every page counts.
        return counted(self.queryset) * len(self.languages)

    def __getitem__(self, key: slice) -> list[tuple[Any, str]]:
        n = len(self.languages)
        start, stop = key.start or 0, key.stop
        first, last = start // n, -(-stop // n)
        pairs = [
            (record, language)
            for record in self.queryset[first:last]
            for language in self.languages
        ]
        return pairs[start - first * n : stop - first * n]


class RecordSitemap(BilingualSitemap, GenericSitemap):
    """The pages of a collection's records, each dated by its last change."""

    #: Addresses a sitemap page lists (the protocol allows 50,000): 500
    #: records in two languages (each with its alternates), so a page is
    #: about half a megabyte and answers in a quarter of a second at most;
    #: 100,000 agreements and 200,000 events make an index of 600 pages.
    limit = 1000

    def __init__(self, queryset: QuerySet[Any]) -> None:
        super().__init__(
            {"queryset": queryset.order_by("pk"), "date_field": "updated_at"}
        )

    @property
    def paginator(self) -> Paginator:
        pairs = InLanguages(self.items(), self.languages)
        return Paginator(pairs, self.limit)  # type: ignore[arg-type]  # sliced only


SITEMAPS: dict[str, Sitemap] = {
    "pages": PagesSitemap(),
    "agreements": RecordSitemap(Agreement.objects.published()),
    "cities": RecordSitemap(City.objects.all()),
    "agencies": RecordSitemap(Agency.objects.all()),
    "offices": RecordSitemap(Office.objects.all()),
    "countries": RecordSitemap(Country.objects.all()),
    "editions": RecordSitemap(Edition.objects.all()),
    "events": RecordSitemap(Event.objects.published()),
}
