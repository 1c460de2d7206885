"""What every collection's models share: the data revision, fields in two
languages, the spreadsheet permissions, and the rule for drafts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: Inside Revision.batch(): whether anything changed yet.
_batched: ContextVar[list[bool] | None] = ContextVar("revision_batch", default=None)


class Revision(models.Model):
    """A counter that every change to the registry's data moves on.

    It is the cheap validator behind the API's ETag and Last-Modified headers:
    a client that sends back the ETag it got is answered 304 after one query,
    without the data being read or rendered. One row only.
    """

    number = models.PositiveBigIntegerField(_("number"), default=0)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("data revision")
        verbose_name_plural = _("data revisions")

    def __str__(self) -> str:
        return f"r{self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def current(cls) -> Revision:
        revision, _created = cls.objects.get_or_create(pk=1)
        return revision

    @classmethod
    def bump(cls) -> None:
        """Move the counter on; part of the caller's transaction."""
        pending = _batched.get()
        if pending is not None:
            pending[0] = True
            return
        cls._bump()

    @classmethod
    @contextmanager
    def batch(cls) -> Iterator[None]:
        """Many writes, one move of the counter (at the end, if anything
        changed): imports write thousands of rows."""
        if _batched.get() is not None:
            yield  # already inside a batch
            return
        pending = [False]
        token = _batched.set(pending)
        try:
            yield
        finally:
            _batched.reset(token)
        if pending[0]:
            cls._bump()

    @classmethod
    def _bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(
            number=F("number") + 1, changed_at=timezone.now()
        ):
            cls.objects.get_or_create(pk=1, defaults={"number": 1})


def localized(obj: models.Model, field: str) -> str:
    """`field` in the active language (`<field>_en` / `<field>_es`), falling back
    to the other language when the translation is missing."""
    first, second = (
        ("es", "en") if (get_language() or "en").startswith("es") else ("en", "es")
    )
    return getattr(obj, f"{field}_{first}") or getattr(obj, f"{field}_{second}")


def transfer_permissions(model_name: str, plural: str) -> tuple[tuple[str, str], ...]:
    """The permissions to import and to export a collection's spreadsheets
    (IMPORT_EXPORT_IMPORT_PERMISSION_CODE and _EXPORT_ in the settings)."""
    return (
        (f"import_{model_name}", f"Can import {plural}"),
        (f"export_{model_name}", f"Can export {plural}"),
    )


def sees_drafts(user: Any, model: type[models.Model]) -> bool:
    """Whether `user` may see the drafts of `model`: those with its view
    permission (curators) may; the public (None, or anonymous) never."""
    opts = model._meta
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    )


M = TypeVar("M", bound=models.Model)


class PublishableQuerySet(models.QuerySet[M]):
    """Records with a publication state (`is_published`): drafts are for
    curators, everyone else sees published records only."""

    def published(self) -> Self:
        return self.filter(is_published=True)

    def drafts(self) -> Self:
        return self.filter(is_published=False)

    def visible_to(self, user: Any) -> Self:
        """What `user` may see (None: the public). Every read that serves
        people outside the curators starts here: the API, the downloads, the
        filters that name a record."""
        return self if sees_drafts(user, self.model) else self.published()
