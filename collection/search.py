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
from django.db.models import (
    Aggregate,
    CharField,
    F,
    FloatField,
    Func,
    Model,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import Col
from django.db.models.functions import Coalesce

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


class Joined(Aggregate):
    """The group's texts joined with spaces, in no particular order (for a
    search document made of related rows): STRING_AGG on PostgreSQL,
    GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


class Words(Func):
    """Texts joined with spaces, a missing one as empty: `a || ' ' || b`, flat
    (Concat nests a pair per text, deeper than SQLite's parser allows for a
    dozen)."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self, *names: str) -> None:
        super().__init__(*(Coalesce(F(name), Value("")) for name in names))


def uses_full_text(queryset: QuerySet[Any]) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def document_column(model: type[Model]) -> Col:
    """The model's `search` column, which exists only on PostgreSQL, outside
    the model (the migrations named full_text_search). A column expression,
    so that Django renames its table inside a subquery (U0, V0…)."""
    target = SearchVectorField()
    target.set_attributes_from_name("search")
    target.model = model
    return Col(model._meta.db_table, target)


def full_text(
    queryset: Rows,
    text: str,
    fields: Sequence[str],
    *,
    also: Callable[[str], Q] | None = None,
    recent: int | None = None,
    order: Sequence[Any] = ("-pk",),
) -> Rows:
    """Rows that match `text`, annotated with a `rank` (higher is better).

    `fields` are searched word by word where there is no full-text index;
    `also(word)` adds a condition per word (e.g. the names of an event's
    city) on every database: rows match the text, or every word's `also`.

    `recent` bounds the work for a word that matches most of a large table:
    only the first `recent` rows in `order` that match the text, and as many
    that match through `also`, are candidates (and ranked). On PostgreSQL each
    side then uses its own index: the text's GIN index for a rare word, the
    `order`'s index, stopping early, for a common one. With `recent` unset
    every match is returned (an API list counts and pages them itself).
    """
    words = text.split()
    if not words:
        return queryset.none()
    related = None
    if also is not None:
        related = reduce(and_, (also(word) for word in words))
    if uses_full_text(queryset):
        query = reduce(
            or_,
            (
                SearchQuery(text, config=c, search_type="websearch")
                for c in CONFIGURATIONS
            ),
        )
        queryset = queryset.annotate(document=document_column(queryset.model))
        if recent is None:
            condition = Q(document=query)
            if related is not None:
                condition |= related
            queryset = queryset.filter(condition)
        else:
            # The text's candidates and the related ones as one union, not an
            # OR, which would hide the text's index from PostgreSQL.
            base = queryset.order_by(*order).values("pk")
            matches = base.filter(document=query)[:recent]
            if related is not None:
                matches = matches.union(base.filter(related)[:recent], all=True)
            queryset = queryset.filter(pk__in=matches)
        return queryset.annotate(rank=SearchRank(F("document"), query))
    queryset = queryset.alias(**{f"folded_{field}": Fold(field) for field in fields})
    for word in words:
        folded = fold(word)
        condition = reduce(
            or_, (Q(**{f"folded_{field}__contains": folded}) for field in fields)
        )
        if also is not None:
            condition |= also(word)
        queryset = queryset.filter(condition)
    if recent is not None:
        # Without a text index every row is read anyway; the bound keeps the
        # candidates to the first `recent` matches in `order`, as on PostgreSQL.
        first = queryset.order_by(*order).values("pk")[:recent]
        queryset = queryset.filter(pk__in=first)
    return queryset.annotate(rank=Value(1.0, output_field=FloatField()))
