"""sitemap.xml, with each page's English and Spanish versions."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import GenericSitemap, Sitemap
from django.db.models import QuerySet
from django.urls import reverse

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


class RecordSitemap(BilingualSitemap, GenericSitemap):
    """The pages of a collection's records, each dated by its last change."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        super().__init__(
            {"queryset": queryset.order_by("pk"), "date_field": "updated_at"}
        )


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
