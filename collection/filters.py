"""The filter machinery every collection's FilterSet shares: the API and the
public pages' facets use the same FilterSets (registry.filters,
outreach.filters), built from these.

Related records are named by their natural key (slug, ISO code, year). A value
that names nothing is an error that names the parameter and the value, never an
empty result that hides a typo.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers


class StrictBooleanField(forms.NullBooleanField):
    """true or false (also 1/0, yes/no); anything else is an error, not ignored."""

    widget = forms.TextInput  # the default select widget turns unknown input into None

    def to_python(self, value: Any) -> Any:
        text = "" if value is None else str(value).strip().lower()
        if text == "":
            return None
        if text in {"true", "1", "yes"}:
            return True
        if text in {"false", "0", "no"}:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class KeyFilter(django_filters.ModelChoiceFilter):
    """A related record by its natural key (slug unless told otherwise)."""

    def __init__(self, *args: Any, to_field_name: str = "slug", **kwargs: Any) -> None:
        kwargs["to_field_name"] = to_field_name
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("Nothing is known by “%(value)s”.")},
        )
        super().__init__(*args, **kwargs)


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, read in any UTC offset and kept in UTC (databases do
    not all accept every offset Python does)."""

    def to_python(self, value: Any) -> Any:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(
                _("Enter a moment between years 1 and 9999.")
            ) from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class CollectionFilterSet(django_filters.FilterSet):
    """Every collection can be synced incrementally with `updated_since`."""

    updated_since = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_(
            "Only records changed at or after this moment (ISO 8601, e.g. "
            "2026-11-01T00:00:00Z): for incremental sync."
        ),
    )


class FilterBackend(DjangoFilterBackend):
    """The API's filters (REST_FRAMEWORK's DEFAULT_FILTER_BACKENDS): the
    pages' FilterSets, except that a filter given empty (`?city=`) is a 400
    rather than left out, as a typo would be. Forms on the pages send empty
    fields; API clients leave a filter out."""

    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            params = request.query_params
            empty = [n for n in filterset.filters if "" in params.getlist(n, [None])]
            if empty:
                # REST framework's own words (and their translations).
                blank = serializers.CharField.default_error_messages["blank"]
                raise serializers.ValidationError({name: [blank] for name in empty})
        return filterset
