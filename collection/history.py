"""The history of every change to curated records (django-simple-history).

Each tracked model has a `history` manager over a `Historical<Model>` table: one
full row per save or delete, with who (`history_user`), when (`history_date`),
why (`history_change_reason`, e.g. the imported file's name), and its plain
many-to-many lists (laws, topics, sources, ...) as they were. The admin shows the
changed fields with their old and new values.

Admin and API writes go through `save()`, so their history is recorded by the
library's signals, with the user from HistoryRequestMiddleware. Imports write
in bulk and record the same rows themselves (`record_bulk`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from simple_history.models import HistoricalChanges, HistoricalRecords

#: Timestamps the history rows carry anyway (history_date), and values derived
#: from other fields, are left out of the history.
UNTRACKED = ("created_at", "updated_at")


#: Every model with a `history = tracked()` field, as its class is prepared.
_TRACKED: list[type[models.Model]] = []


class TrackedRecords(HistoricalRecords):
    """HistoricalRecords leaving out the model's UNTRACKED fields it has."""

    excluded_fields: list[str]

    def finalize(self, sender: Any, **kwargs: Any) -> None:
        if sender is self.cls:
            names = {field.name for field in sender._meta.local_fields}
            self.excluded_fields = [n for n in self.excluded_fields if n in names]
            _TRACKED.append(sender)
        super().finalize(sender, **kwargs)


def tracked_models() -> list[type[models.Model]]:
    """The curated models: those whose changes keep a history (and move the
    data revision on, see collection.signals)."""
    return list(_TRACKED)


def tracked(
    *, m2m_fields: Sequence[str] = (), excluded_fields: Sequence[str] = ()
) -> Any:
    """A `history = tracked(...)` field for a curated model."""
    return TrackedRecords(
        excluded_fields=[*UNTRACKED, *excluded_fields],
        m2m_fields=list(m2m_fields),
        cascade_delete_history=False,
    )


def is_history_model(model: type[models.Model]) -> bool:
    return issubclass(model, HistoricalChanges)


def m2m_field_names(model: type[models.Model]) -> list[str]:
    """The many-to-many fields whose lists the model's history keeps."""
    history_model = model.history.model  # type: ignore[attr-defined]
    return [field.name for field in history_model._history_m2m_fields]


def column(model: type[models.Model], name: str) -> str:
    """A field's column in the database."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return str(field.column)


def list_field(
    model: type[models.Model], name: str
) -> models.ManyToManyField[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.ManyToManyField)
    return field


def stamp(instance: models.Model, *, user: Any, reason: str | None = None) -> None:
    """Who (None: the system) and why, for the history row the next save or
    delete records."""
    instance._history_user = user  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]


def record_bulk(
    model: type[models.Model],
    instances: Sequence[models.Model],
    *,
    update: bool,
    user: Any = None,
    reason: str | None = "",
) -> None:
    """History rows for instances written with bulk_create or bulk_update, after
    their many-to-many lists are written: the same rows `save()` would leave.

    Set-based (INSERT ... SELECT from the rows just written), so that an import
    of thousands of rows does not build thousands of history objects in Python.
    Table and column names come from the models, values are parameters.
    """
    if not instances or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history_model = model.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    copied = ", ".join(
        quote(column(history_model, field.name))
        for field in history_model.tracked_fields
    )
    stamps = ", ".join(
        quote(column(history_model, name))
        for name in (
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user",
        )
    )
    values = [
        connection.ops.adapt_datetimefield_value(timezone.now()),
        reason,
        "~" if update else "+",
        user.pk if user is not None and user.is_authenticated else None,
    ]
    pk = quote(column(model, model._meta.pk.name))
    history_pk = quote(column(history_model, history_model._meta.pk.name))
    lists = [
        (name, HistoricalRecords.m2m_models[list_field(model, name)])
        for name in m2m_field_names(model)
    ]
    pks = [instance.pk for instance in instances]
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(history_model._meta.db_table)} "  # noqa: S608
                f"({copied}, {stamps}) SELECT {copied}, %s, %s, %s, %s "
                f"FROM {quote(model._meta.db_table)} WHERE {pk} IN ({marks}) "
                f"RETURNING {history_pk}",
                [*values, *chunk],
            )
            history_ids = [row[0] for row in cursor.fetchall()]
            for name, history_m2m in lists:
                copy_list(cursor, model, name, history_model, history_m2m, history_ids)


def copy_list(
    cursor: Any,
    model: type[models.Model],
    name: str,
    history_model: type[models.Model],
    history_m2m: type[models.Model],
    history_ids: list[int],
) -> None:
    """Each new history row's copy of one many-to-many list."""
    quote = connection.ops.quote_name
    field = list_field(model, name)
    through = getattr(model, name).through
    names = ("id", field.m2m_field_name(), field.m2m_reverse_field_name())
    link = ", ".join(quote(column(through, n)) for n in names)
    copy = ", ".join(f"t.{quote(column(through, n))}" for n in names)
    history_pk = quote(column(history_model, history_model._meta.pk.name))
    owner = quote(column(through, names[1]))
    owner_in_history = quote(column(history_model, model._meta.pk.name))
    marks = ", ".join(["%s"] * len(history_ids))
    cursor.execute(
        f"INSERT INTO {quote(history_m2m._meta.db_table)} "  # noqa: S608
        f"({link}, {quote(column(history_m2m, 'history'))}) "
        f"SELECT {copy}, h.{history_pk} "
        f"FROM {quote(through._meta.db_table)} t "
        f"JOIN {quote(history_model._meta.db_table)} h "
        f"ON h.{owner_in_history} = t.{owner} "
        f"WHERE h.{history_pk} IN ({marks})",
        history_ids,
    )
