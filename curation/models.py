"""Who curates what: staff members' offices, which scope event editors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.history import tracked


class Membership(models.Model):
    """A staff member belongs to an office (a consulate or an agency office).

    As an event editor they add and change the events that office hosts, and
    nothing else (see curation.roles)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    office = models.ForeignKey(
        "registry.Office",
        models.CASCADE,
        related_name="memberships",
        verbose_name=_("office"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("office membership")
        verbose_name_plural = _("office memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office"],
                name="membership_unique_office",
                violation_error_message=_(
                    "This person already belongs to this office."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.office}"
