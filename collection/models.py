"""What every collection's models share: the data revision, record versions,
fields in two languages, the spreadsheet permissions, and the rule for drafts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: Inside Revision.batch(): whether anything changed yet.
_batched: ContextVar[list[bool] | None] = ContextVar("revision_batch", default=None)
#: The revision number as a request read it (collection.pagecache and
#: collection.counting ask for it more than once a request).
_seen: ContextVar[int | None] = ContextVar("revision_seen", default=None)


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
        _seen.set(revision.number)
        return revision

    @classmethod
    def number_now(cls) -> int:
        """The current number, read once per request: each request starts by
        forgetting it (`forget`, on request_started), and a write forgets it."""
        number = _seen.get()
        if number is None:
            number = cls.current().number
            _seen.set(number)
        return number

    @classmethod
    def forget(cls, **_kwargs: Any) -> None:
        _seen.set(None)

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
        _seen.set(None)
        if not cls.objects.filter(pk=1).update(
            number=F("number") + 1, changed_at=timezone.now()
        ):
            cls.objects.get_or_create(pk=1, defaults={"number": 1})


class StaleVersion(Exception):
    """A write made on a version of a record that is no longer its current one:
    someone else changed the record (or deleted it) since it was read."""

    def __init__(
        self, model: type[models.Model], pk: Any, expected: int, current: int | None
    ) -> None:
        self.model = model
        self.pk = pk
        #: The version the write was made on.
        self.expected = expected
        #: The record's version now; None when it was deleted since.
        self.current = current
        state = "deleted" if current is None else f"at version {current}"
        super().__init__(
            f"{model._meta.label} {pk} was read at version {expected} and is {state}."
        )


class Versioned(models.Model):
    """A curated record with a version: 1 when it is created, one more with
    every recorded change (each history row but a deletion names the version it
    made, so the rows newer than a version are what changed since).

    A save of a record read earlier is an UPDATE on condition that the row is
    still at the version read (`WHERE id = … AND version = …`): the database
    decides, so two writers cannot both win. On PostgreSQL the second writer
    waits for the first one's row lock, then finds the new version and matches
    nothing; on SQLite writers take turns. A save that matches nothing raises
    StaleVersion and writes nothing. Imports bump versions in bulk without
    the check (collection.importing); a change to a tracked many-to-many list
    moves the version on without it too (it adds and removes, it does not
    overwrite).
    """

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_(
            "1 when the record is created, one more with every change to it; a "
            "change made on an older version is refused."
        ),
    )

    class Meta:
        abstract = True

    # Django 5.2's signature (the pin is <5.3; 6.0 adds returning_fields, which
    # the type stubs already describe).
    def _do_update(  # type: ignore[override]
        self,
        base_qs: models.QuerySet[Any],
        using: Any,
        pk_val: Any,
        values: list[tuple[Any, Any, Any]],
        update_fields: Any,
        forced_update: Any,
    ) -> bool:
        expected = self.version
        if self._state.adding or not isinstance(expected, int):
            # A new instance over an existing row (fixtures): Django's update.
            updated: bool = super()._do_update(  # type: ignore[call-arg,assignment]
                base_qs, using, pk_val, values, update_fields, forced_update
            )
            return updated
        field = self._meta.get_field("version")
        values = [value for value in values if value[0] is not field]
        values.append((field, None, F("version") + 1))
        conditional: Any = base_qs.filter(pk=pk_val, version=expected)
        if conditional._update(values) > 0:
            self.version = expected + 1
            return True
        current = base_qs.filter(pk=pk_val).values_list("version", flat=True).first()
        raise StaleVersion(type(self), pk_val, expected, current)

    def hold(self) -> None:
        """Make sure the row is still at this instance's version, and keep it
        there until the transaction ends (PostgreSQL locks the row, SQLite the
        database), or raise StaleVersion. Checked this way before anything
        else is written, a write on the record cannot lose a race."""
        manager = type(self)._base_manager
        if not manager.filter(pk=self.pk, version=self.version).update(
            version=F("version")
        ):
            current = manager.filter(pk=self.pk).values_list("version", flat=True)
            raise StaleVersion(type(self), self.pk, self.version, current.first())

    def next_version(self) -> None:
        """Move the version on by one without a save (a list changed)."""
        manager = type(self)._base_manager
        if manager.filter(pk=self.pk, version=self.version).update(
            version=F("version") + 1
        ):
            self.version += 1
            return
        # Read before someone else's change: move on from the row's version.
        manager.filter(pk=self.pk).update(version=F("version") + 1)
        current = manager.filter(pk=self.pk).values_list("version", flat=True)
        self.version = current.first() or self.version


def _list_changes(
    sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any
) -> None:
    """A tracked many-to-many list about to change: simple-history records a
    row of its own for it (after the change), so the record moves on a
    version first, and that row names it."""
    if reverse or not action.startswith("pre_") or not isinstance(instance, Versioned):
        return
    history = getattr(type(instance), "history", None)
    fields = getattr(getattr(history, "model", None), "_history_m2m_fields", ())
    if any(field.remote_field.through is sender for field in fields):
        instance.next_version()


m2m_changed.connect(_list_changes, dispatch_uid="collection-versioned-lists")


def number_versions(model: Any, history_model: Any) -> None:
    """Give existing rows the versions their history implies (for the
    migration that adds the field): each history row the number of changes
    recorded up to it, deletions excepted; each record its last row's."""
    changes = (
        history_model._default_manager.filter(
            id=OuterRef("id"), history_id__lte=OuterRef("history_id")
        )
        .exclude(history_type="-")
        .order_by()
        .values("id")
        .annotate(n=Count("history_id"))
        .values("n")
    )
    history_model._default_manager.update(version=Coalesce(Subquery(changes), 1))
    last = (
        history_model._default_manager.filter(id=OuterRef("pk"))
        .order_by("-history_id")
        .values("version")[:1]
    )
    model._default_manager.update(version=Coalesce(Subquery(last), 1))


def localized(obj: models.Model, field: str) -> str:
    """`field` in the active language (`<field>_en` / `<field>_es`), falling back
    to the other language when the translation is missing."""
    return getattr(obj, _localized_name(obj, field))


def _localized_name(obj: models.Model, field: str) -> str:
    """The name of the field `localized()` shows: `<field>_<active language>`,
    or the other language's when that one is empty."""
    first, second = (
        ("es", "en") if (get_language() or "en").startswith("es") else ("en", "es")
    )
    name = f"{field}_{first}"
    return name if getattr(obj, name) else f"{field}_{second}"


class RegistryTranslated(models.Model):
    """A record whose texts in two languages (`<field>_en`, `<field>_es`) may
    be the registry's translation rather than the sources' words.

    `translated_by_registry` lists, comma-separated, the fields the registry
    translated (e.g. "title_es,summary_es"); every other text is as its sources
    give it. The data, the API and the page say which is which."""

    #: The fields, in both languages, that may be a translation.
    TRANSLATABLE: tuple[str, ...] = ()

    translated_by_registry = models.CharField(
        _("translated by the registry"),
        max_length=200,
        blank=True,
        help_text=_(
            "Tick the texts the registry translated; leave unticked those "
            "that are as a source gives them."
        ),
    )

    class Meta:
        abstract = True

    @classmethod
    def translatable_fields(cls) -> list[str]:
        return [f"{name}_{code}" for name in cls.TRANSLATABLE for code in ("en", "es")]

    @property
    def translated_fields(self) -> list[str]:
        return [name for name in self.translated_by_registry.split(",") if name]

    def is_translated(self, field: str) -> bool:
        """Whether `field` in the active language, as `localized()` shows it,
        is the registry's translation."""
        shown = _localized_name(self, field)
        return shown in self.translated_fields

    def clean_fields(self, exclude: Any = None) -> None:
        super().clean_fields(exclude)
        names = [name.strip() for name in self.translated_by_registry.split(",")]
        names = [name for name in names if name]
        allowed = self.translatable_fields()
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise ValidationError(
                {
                    "translated_by_registry": _(
                        "Not a text that can be translated: %(names)s. "
                        "Choose among %(allowed)s."
                    )
                    % {"names": ", ".join(unknown), "allowed": ", ".join(allowed)}
                }
            )
        empty = [name for name in names if not getattr(self, name)]
        if empty:
            raise ValidationError(
                {
                    "translated_by_registry": _(
                        "Marked as translated but empty: %(names)s."
                    )
                    % {"names": ", ".join(empty)}
                }
            )
        # One spelling: in the order of the fields, no spaces or repeats.
        self.translated_by_registry = ",".join(n for n in allowed if n in names)


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
