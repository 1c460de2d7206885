"""sitemap.xml, with each page's English and Spanish versions."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from outreach.models import Edition, Event

from .models import Agency, Agreement, City, Country, Office


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    languages = ["en", "es"]


class PagesSitemap(BilingualSitemap):
    def items(self) -> list[str]:
        return [
            "registry:home",
            "registry:agreement-list",
            "registry:city-list",
            "registry:agency-list",
            "outreach:edition-list",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class ModelSitemap(BilingualSitemap):
    model: Any = None

    def items(self) -> Any:
        return self.queryset()

    def queryset(self) -> Any:
        return self.model.objects.order_by("pk")

    def lastmod(self, item: Any) -> Any:
        return getattr(item, "updated_at", None)


class AgreementSitemap(ModelSitemap):
    def queryset(self) -> Any:
        return Agreement.objects.published().order_by("pk")


class EventSitemap(ModelSitemap):
    def queryset(self) -> Any:
        return Event.objects.published().order_by("pk")


def sitemap_for(model: Any) -> type[ModelSitemap]:
    return type(f"{model.__name__}Sitemap", (ModelSitemap,), {"model": model})


SITEMAPS: dict[str, Any] = {
    "pages": PagesSitemap,
    "agreements": AgreementSitemap,
    "cities": sitemap_for(City),
    "agencies": sitemap_for(Agency),
    "offices": sitemap_for(Office),
    "countries": sitemap_for(Country),
    "editions": sitemap_for(Edition),
    "events": EventSitemap,
}
