"""Open data: what the API and the downloads need beyond the registry itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.db.models import F
from django.utils import timezone
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
