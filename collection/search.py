"""Text search over the registry's tables.

On PostgreSQL: the stored, generated `search` column (see the migrations named
full_text_search) matched with websearch syntax in English and Spanish, accent-
insensitive ("migracion" finds "Migración"), ranked. On SQLite (the quick start):
every word must appear in one of the given fields, compared folded (`fold()`:
without accents, in any case, so "migracion" and "MIGRACIÓN" find "Migración"),
through the SQL function FOLD that `register_fold()` gives each connection.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from functools import reduce
from operator import and_, or_
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import CharField, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

Rows = TypeVar("Rows", bound=QuerySet[Any])

#: Text search configurations created by the migrations.
CONFIGURATIONS = ("en_unaccent", "es_unaccent")


def fold(text: str | None) -> str | None:
    """`text` without its accents and case: "Migración" → "migracion"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def register_fold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: give a SQLite connection the FOLD function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("FOLD", 1, fold, deterministic=True)


class Fold(Func):
    """FOLD(field) on SQLite (register_fold)."""

    function = "FOLD"
    output_field = CharField()


def uses_full_text(queryset: QuerySet[Any]) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def full_text(
    queryset: Rows,
    text: str,
    fields: Sequence[str],
    *,
    also: Callable[[str], Q] | None = None,
) -> Rows:
    """Rows that match `text`, annotated with a `rank` (higher is better).

    `fields` are searched word by word where there is no full-text index;
    `also(word)` adds a condition per word (e.g. the names of an agreement's
    parties) on every database.
    """
    words = text.split()
    if not words:
        return queryset.none()
    if uses_full_text(queryset):
        query = reduce(
            or_,
            (
                SearchQuery(text, config=c, search_type="websearch")
                for c in CONFIGURATIONS
            ),
        )
        table = queryset.model._meta.db_table
        # The column exists only on PostgreSQL, outside the model; the table name
        # comes from the model, never from input.
        column = RawSQL(f'"{table}"."search"', [], output_field=SearchVectorField())  # noqa: S611
        queryset = queryset.annotate(document=column)
        condition = Q(document=query)
        if also is not None:
            condition |= reduce(and_, (also(word) for word in words))
        return queryset.filter(condition).annotate(
            rank=SearchRank(F("document"), query)
        )
    queryset = queryset.alias(**{f"folded_{field}": Fold(field) for field in fields})
    for word in words:
        folded = fold(word)
        condition = reduce(
            or_, (Q(**{f"folded_{field}__contains": folded}) for field in fields)
        )
        if also is not None:
            condition |= also(word)
        queryset = queryset.filter(condition)
    return queryset.annotate(rank=Value(1.0, output_field=FloatField()))
