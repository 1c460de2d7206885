"""FilterSets of the outreach collections (see collection.filters)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from collection.filters import CollectionFilterSet, KeyFilter, StrictBooleanFilter
from registry.models import Agency, City, Office, Topic

from .models import Edition, Event, Organization, Programme


class EventFilter(CollectionFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        help_text=_("Words to find in the title, description, venue or city."),
    )
    edition = KeyFilter(
        queryset=Edition.objects.all(),
        to_field_name="year",
        help_text=_("Labor Rights Week edition, by year (e.g. 2017)."),
    )
    city = KeyFilter(
        queryset=City.objects.all(), help_text=_("City slug (e.g. chicago-il).")
    )
    agency = KeyFilter(
        queryset=Agency.objects.all(),
        method="filter_agency",
        help_text=_("Agency slug: hosted by or with the agency or one of its parts."),
    )
    office = KeyFilter(
        queryset=Office.objects.all(),
        method="filter_office",
        help_text=_("Office slug: hosted by or with the office."),
    )
    topic = KeyFilter(
        queryset=Topic.objects.all(), field_name="topics", help_text=_("Topic slug.")
    )
    starts_after = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__gte",
        help_text=_("Starting on or after this date (YYYY-MM-DD)."),
    )
    starts_before = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__lte",
        help_text=_("Starting on or before this date (YYYY-MM-DD)."),
    )
    status = django_filters.ChoiceFilter(
        choices=Event.Status.choices, help_text=_("Scheduled, held or cancelled.")
    )
    mode = django_filters.ChoiceFilter(
        choices=Event.Mode.choices, help_text=_("In person, virtual or hybrid.")
    )
    kind = django_filters.ChoiceFilter(
        choices=Event.Kind.choices, help_text=_("Kind of event.")
    )
    published = StrictBooleanFilter(
        field_name="is_published",
        help_text=_("Curators only: true for published events, false for drafts."),
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.search(value)

    def filter_agency(self, queryset: Any, name: str, value: Agency) -> Any:
        return queryset.for_agency(value)

    def filter_office(self, queryset: Any, name: str, value: Office) -> Any:
        return queryset.for_office(value)


class EditionFilter(CollectionFilterSet):
    class Meta:
        model = Edition
        fields: list[str] = []


class OrganizationFilter(CollectionFilterSet):
    q = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        help_text=_("Text to find in the name."),
    )
    kind = django_filters.ChoiceFilter(
        choices=Organization.Kind.choices, help_text=_("Kind of organisation.")
    )
    city = KeyFilter(queryset=City.objects.all(), help_text=_("City slug."))

    class Meta:
        model = Organization
        fields: list[str] = []


class ProgrammeFilter(CollectionFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Programme.Kind.choices,
        help_text=_("Hotline, ventanilla or partnership."),
    )
    city = KeyFilter(queryset=City.objects.all(), help_text=_("City slug."))
    agency = KeyFilter(
        queryset=Agency.objects.all(),
        method="filter_agency",
        help_text=_(
            "Agency slug: the agency, one of its parts, or one of its offices takes part."
        ),
    )

    class Meta:
        model = Programme
        fields: list[str] = []

    def filter_agency(self, queryset: Any, name: str, value: Agency) -> Any:
        return queryset.for_agency(value)
