"""Visitors' reports that something on a page is wrong."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from collection.history import tracked
from collection.models import Versioned

from .agreements import Agreement


class CorrectionReportQuerySet(models.QuerySet["CorrectionReport"]):
    def open(self) -> CorrectionReportQuerySet:
        """Reports no curator has closed yet (new, or being checked)."""
        return self.filter(status__in=CorrectionReport.OPEN_STATUSES)


class CorrectionReport(Versioned):
    """A visitor's report that something on a page is wrong: the curators' queue."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("Being checked")
        FIXED = "fixed", _("Fixed")
        DISMISSED = "dismissed", _("Dismissed")

    #: A report is open until a curator marks it fixed or dismissed.
    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS)

    agreement = models.ForeignKey(
        Agreement,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="correction_reports",
        verbose_name=_("agreement"),
    )
    page_url = models.CharField(
        _("page"), max_length=500, help_text=_("The page the report was sent from.")
    )
    message = models.TextField(_("what is wrong"), max_length=5000)
    source_url = models.URLField(
        _("source"),
        max_length=1000,
        blank=True,
        help_text=_("Where the visitor read otherwise."),
    )
    contact = models.EmailField(
        _("contact"),
        blank=True,
        help_text=_("Only for curators' questions; never shown."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.NEW
    )
    curator_note = models.TextField(_("curator's note"), blank=True)
    created_at = models.DateTimeField(
        _("received at"), auto_now_add=True, db_index=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CorrectionReportQuerySet.as_manager()

    history = tracked()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("correction report")
        verbose_name_plural = _("correction reports")

    def __str__(self) -> str:
        return f"{self.page_url} ({self.created_at:%Y-%m-%d})"
