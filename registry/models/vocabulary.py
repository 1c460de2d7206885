"""The vocabulary agreements and events are described with: laws and topics."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collection.history import tracked
from collection.models import Versioned, localized, transfer_permissions


class LawQuerySet(models.QuerySet["Law"]):
    def search(self, text: str) -> LawQuerySet:
        """Laws whose name or short name contains the text."""
        return self.filter(Q(name_en__icontains=text) | Q(short_name__icontains=text))


class Law(Versioned):
    """A law or programme an agreement covers (FLSA, MSPA, H-2A, OSH Act, ...)."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = LawQuerySet.as_manager()

    history = tracked()

    class Meta:
        permissions = transfer_permissions("law", "laws")
        ordering = ["short_name"]
        verbose_name = _("law")
        verbose_name_plural = _("laws")

    def __str__(self) -> str:
        return self.short_name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Topic(Versioned):
    """A subject of agreements and events: wages, safety, sexual harassment, ..."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = tracked()

    class Meta:
        permissions = transfer_permissions("topic", "topics")
        ordering = ["name_en"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")
