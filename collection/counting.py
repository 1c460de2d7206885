"""Counts from where they are cheap: a list's count is worked out once per
data revision and filter, then read from the shared cache.

Counting every matching row is the one part of a list page whose work grows
with the table (a page of rows is bounded, the count is not). The count of a
query does not change until the data does, and every write moves the data
revision on (collection.signals), so the count is kept under the revision and
the query's SQL: the next change makes the next request count again. While
Redis is down each request counts (collection.cache fails open).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from .models import Revision

T = TypeVar("T")
Rows = TypeVar("Rows", bound=QuerySet[Any])

#: How long a count stays unread (a newer revision replaces it sooner).
COUNT_SECONDS = 3600


def kept(queryset: Rows, compute: Callable[[Rows], T], vary: str = "") -> T:
    """compute(queryset), once per data revision, query and `vary` (what else
    the value depends on: the language of its labels, the day of a status):
    for figures that read a whole table (a count, counts by country) and that
    only a change of the data can change. The value must pickle; None is
    never kept."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter no row can match
        return compute(queryset.none())
    name = getattr(compute, "__qualname__", "")
    fingerprint = "\n".join(
        [str(Revision.number_now()), queryset.db, name, vary, sql, repr(params)]
    )
    key = "kept:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return cast(T, found)
    value = compute(queryset)
    cache.set(key, value, COUNT_SECONDS)
    return value


def _count(queryset: QuerySet[Any]) -> int:
    return queryset.count()


def counted(queryset: QuerySet[Any]) -> int:
    """queryset.count(), once per data revision and query."""
    return kept(queryset, _count)


class CountedPaginator(Paginator):
    """Django's paginator, counting a queryset with `counted()`, and reading a
    page in two steps: the keys of its rows first (off the order's index, the
    rows skipped never joined to anything), then those rows with all they
    join and prefetch. A deep page then costs about what the first one does."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return counted(self.object_list)
        return super().count

    def page(self, number: Any) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)}
        return Page([rows[key] for key in keys if key in rows], number, self)
