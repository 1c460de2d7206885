"""Text search over the registry's tables.

On PostgreSQL: the stored, generated `search` column (see the migrations named
full_text_search) matched with websearch syntax in English and Spanish, accent-
insensitive ("migracion" finds "Migración"), ranked. On SQLite (the quick start):
every word must appear in one of the given fields, as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce
from operator import and_, or_
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

Rows = TypeVar("Rows", bound=QuerySet[Any])

#: Text search configurations created by the migrations.
CONFIGURATIONS = ("en_unaccent", "es_unaccent")


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
    for word in words:
        condition = reduce(
            or_, (Q(**{f"{field}__icontains": word}) for field in fields)
        )
        if also is not None:
            condition |= also(word)
        queryset = queryset.filter(condition)
    return queryset.annotate(rank=Value(1.0, output_field=FloatField()))
