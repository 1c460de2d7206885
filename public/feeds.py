"""Atom feed of agreements, with the list page's facets."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from registry.filters import AgreementFilter
from registry.models import Agreement


class AgreementFeed(Feed):
    """Newest-changed first; any filter of /agreements/ applies (?agency=dol-whd...)."""

    feed_type = Atom1Feed
    limit = 50

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filterset = AgreementFilter(
            request.GET,
            queryset=Agreement.objects.published().with_status_data(),
            request=request,
        )
        if not self.filterset.is_valid():
            return HttpResponseBadRequest(
                "\n".join(
                    f"{k}: {' '.join(v)}" for k, v in self.filterset.errors.items()
                ),
                content_type="text/plain; charset=utf-8",
            )
        return super().__call__(request, *args, **kwargs)

    def title(self) -> str:
        return _("Labour agreements registry: agreements")

    def subtitle(self) -> str:
        return _("Agreements between US labour agencies and foreign consulates.")

    def link(self) -> str:
        return reverse("public:agreement-list")

    def items(self) -> Any:
        return self.filterset.qs.order_by("-updated_at", "slug")[: self.limit]

    def item_title(self, item: Agreement) -> str:
        return item.title

    def item_description(self, item: Agreement) -> str:
        parts = [
            f"{item.get_kind_display()}, {_('signed')} {item.signed}.",
            f"{_('Status')}: {item.get_status_display()}.",
            item.summary,
        ]
        return " ".join(part for part in parts if part)

    def item_link(self, item: Agreement) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Agreement) -> str:
        return f"tag:labour-agreements-registry,2026:agreement:{item.slug}"

    item_guid_is_permalink = False

    def item_updateddate(self, item: Agreement) -> Any:
        return item.updated_at

    def item_pubdate(self, item: Agreement) -> Any:
        return item.created_at
