"""Where facts come from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collection.history import tracked
from collection.models import Versioned, transfer_permissions

Q_ = TypeVar("Q_", bound=models.QuerySet[Any])

#: The longest quote a citation may carry: enough to show a fact in its
#: source's words, short enough to stay a quotation.
QUOTE_WORDS = 25


def validate_quote(text: str) -> None:
    """A quote of at most QUOTE_WORDS words."""
    if len(text.split()) > QUOTE_WORDS:
        raise ValidationError(
            _("A quote has at most %(limit)d words; this one has %(count)d."),
            params={"limit": QUOTE_WORDS, "count": len(text.split())},
            code="quote_too_long",
        )


class SourcedQuerySetMixin:
    """Reads of records that cite their sources (a `sources` list); mixed into
    their QuerySet."""

    def without_source(self: Q_) -> Q_:  # type: ignore[misc]  # a mixin of QuerySets
        """The records that cite no source: the curators' to-do list."""
        return self.filter(sources__isnull=True)


def is_url(key: str) -> bool:
    """Whether a source's key (in files and the API) is a URL; otherwise it is
    the title of a printed source."""
    return key.startswith(("http://", "https://"))


class SourceQuerySet(models.QuerySet["Source"]):
    def by_keys(self, keys: Iterable[str]) -> SourceQuerySet:
        """The sources that `keys` name: web sources by URL, printed sources
        (those without a URL) by title."""
        keys = list(keys)
        urls = [key for key in keys if is_url(key)]
        titles = [key for key in keys if not is_url(key)]
        return self.filter(Q(url__in=urls) | Q(url="", title__in=titles))


class Source(Versioned):
    """Where a fact comes from: a web page, document or publication."""

    class Reliability(models.TextChoices):
        HIGH = "high", _("High: official government page")
        MEDIUM_HIGH = (
            "medium_high",
            _("Medium-high: verbatim repost of an official text"),
        )
        MEDIUM = "medium", _("Medium: news outlet or law-firm publication")
        LOW = "low", _("Low: use only with corroboration")
        UNRATED = "unrated", _("Not rated")

    url = models.URLField(
        _("URL"),
        max_length=1000,
        blank=True,
        help_text=_("Leave empty only for printed sources; then give the title."),
    )
    title = models.CharField(
        _("title"),
        max_length=500,
        blank=True,
        help_text=_("Title of the page or publication, as published."),
    )
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    accessed_on = models.DateField(
        _("accessed on"),
        null=True,
        blank=True,
        help_text=_("When the source was read."),
    )
    reliability = models.CharField(
        _("reliability"),
        max_length=12,
        choices=Reliability,
        default=Reliability.UNRATED,
        help_text=_(
            "How far to trust this source; shown next to the facts it supports."
        ),
    )
    archive_url = models.URLField(
        _("archived copy"),
        max_length=1000,
        blank=True,
        help_text=_(
            "The web archive's address of the copy that was read, when the page "
            "itself was not."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = SourceQuerySet.as_manager()

    history = tracked()

    class Meta:
        permissions = transfer_permissions("source", "sources")
        ordering = ["url", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_unique_url",
                violation_error_message=_("Another source has this URL."),
            ),
            models.UniqueConstraint(
                fields=["title"],
                condition=Q(url=""),
                name="source_unique_printed_title",
                violation_error_message=_(
                    "Another printed source (one without a URL) has this title."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(title=""),
                name="source_has_url_or_title",
                violation_error_message=_(
                    "A source needs a URL or, if it is printed, a title."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def host(self) -> str:
        """The web site the source is on, e.g. “www.dol.gov”."""
        return urlsplit(self.url).netloc if self.url else ""

    @property
    def key(self) -> str:
        """How files refer to this source: its URL, or its title if printed."""
        return self.url or self.title
