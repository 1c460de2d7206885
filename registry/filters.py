"""The registry's FilterSets, one per collection, shared by the API and the
public pages' facets (see collection.filters)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collection.filters import CollectionFilterSet, KeyFilter, StrictBooleanFilter

from .models import (
    Agency,
    Agreement,
    City,
    Country,
    GatewayType,
    Law,
    Office,
    State,
    Topic,
)
from .models.status import EXPIRY_HORIZONS, expires_within_q


def visible_agreements(request: HttpRequest | None) -> QuerySet[Agreement]:
    """Agreements a filter may name: drafts only for those who may see them."""
    return Agreement.objects.visible_to(getattr(request, "user", None))


class AgreementFilter(CollectionFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        help_text=_("Words to find in titles, summaries, parties and signers."),
    )
    city = KeyFilter(
        queryset=City.objects.all(),
        method="filter_city",
        help_text=_(
            "City slug (e.g. houston-tx): agreements with a party office in the "
            "city or whose jurisdiction covers it. National agreements are not included."
        ),
    )
    state = KeyFilter(
        queryset=State.objects.all(),
        method="filter_state",
        help_text=_(
            "State slug (e.g. tx): a party office in the state or covering it."
        ),
    )
    agency = KeyFilter(
        queryset=Agency.objects.all(),
        method="filter_agency",
        help_text=_(
            "Agency slug (e.g. dol-whd); includes the agency's parts (dol → WHD, OSHA)."
        ),
    )
    office = KeyFilter(
        queryset=Office.objects.all(),
        method="filter_office",
        help_text=_("Office slug (e.g. mx-consulate-houston): the office is a party."),
    )
    country = KeyFilter(
        queryset=Country.objects.all(),
        to_field_name="code",
        method="filter_country",
        help_text=_("ISO code of a country with a party (e.g. mx)."),
    )
    kind = django_filters.ChoiceFilter(
        choices=Agreement.Kind.choices, help_text=_("Kind of instrument.")
    )
    scope = django_filters.ChoiceFilter(
        choices=Agreement.Scope.choices, help_text=_("National, regional or local.")
    )
    status = django_filters.ChoiceFilter(
        choices=Agreement.Status.choices,
        method="filter_status",
        help_text=_("Status today, derived from the dates and renewals."),
    )
    expires_within = django_filters.ChoiceFilter(
        choices=[
            (str(EXPIRY_HORIZONS[0]), _("Within 90 days")),
            (str(EXPIRY_HORIZONS[1]), _("Within a year")),
        ],
        method="filter_expires_within",
        help_text=_(
            "In force and possibly expiring within this many days (90 or 365)."
        ),
    )
    signed_after = django_filters.DateFilter(
        field_name="signed_on",
        lookup_expr="gte",
        help_text=_(
            "Signed on or after this date (YYYY-MM-DD; a month counts from its first day)."
        ),
    )
    signed_before = django_filters.DateFilter(
        field_name="signed_on",
        lookup_expr="lte",
        help_text=_("Signed on or before this date (YYYY-MM-DD)."),
    )
    year_from = django_filters.NumberFilter(
        field_name="signed_on",
        lookup_expr="year__gte",
        min_value=1900,
        max_value=2100,
        help_text=_("Signed in this year or later."),
    )
    year_to = django_filters.NumberFilter(
        field_name="signed_on",
        lookup_expr="year__lte",
        min_value=1900,
        max_value=2100,
        help_text=_("Signed in this year or earlier."),
    )
    expires_before = django_filters.DateFilter(
        field_name="expiry_latest",
        lookup_expr="lte",
        help_text=_(
            "Known to expire on or before this date (stated or derived from the term)."
        ),
    )
    framework = KeyFilter(
        queryset=visible_agreements,
        field_name="framework",
        help_text=_("Slug of the national instrument the agreements rest on."),
    )
    law = KeyFilter(
        queryset=Law.objects.all(),
        field_name="laws",
        help_text=_("Law slug (e.g. flsa)."),
    )
    topic = KeyFilter(
        queryset=Topic.objects.all(),
        field_name="topics",
        help_text=_("Topic slug (e.g. sexual-harassment)."),
    )
    published = StrictBooleanFilter(
        field_name="is_published",
        help_text=_("Curators only: true for published agreements, false for drafts."),
    )

    class Meta:
        model = Agreement
        fields: list[str] = []

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.search(value)

    def filter_city(self, queryset: Any, name: str, value: City) -> Any:
        return queryset.for_city(value)

    def filter_state(self, queryset: Any, name: str, value: State) -> Any:
        return queryset.for_state(value)

    def filter_agency(self, queryset: Any, name: str, value: Agency) -> Any:
        return queryset.for_agency(value)

    def filter_office(self, queryset: Any, name: str, value: Office) -> Any:
        return queryset.for_office(value)

    def filter_country(self, queryset: Any, name: str, value: Country) -> Any:
        return queryset.for_country(value)

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.with_status(value)

    def filter_expires_within(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(expires_within_q(int(value), timezone.localdate()))


class AgencyFilter(CollectionFilterSet):
    q = django_filters.CharFilter(
        method="filter_q", help_text=_("Words to find in the name or acronym.")
    )
    country = KeyFilter(
        queryset=Country.objects.all(),
        to_field_name="code",
        help_text=_("ISO code of the agency's country (e.g. us)."),
    )
    level = django_filters.ChoiceFilter(
        choices=Agency.Level.choices, help_text=_("Federal, state, foreign ministry...")
    )
    parent = KeyFilter(
        queryset=Agency.objects.all(),
        help_text=_("Slug of the agency it is part of (e.g. dol)."),
    )

    class Meta:
        model = Agency
        fields: list[str] = []

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.search(value)


class OfficeFilter(CollectionFilterSet):
    q = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        help_text=_("Text to find in the name."),
    )
    agency = KeyFilter(
        queryset=Agency.objects.all(),
        method="filter_agency",
        help_text=_("Agency slug; includes offices of the agency's parts."),
    )
    city = KeyFilter(
        queryset=City.objects.all(),
        help_text=_("City slug: offices located in the city."),
    )
    covers = KeyFilter(
        queryset=City.objects.all(),
        method="filter_covers",
        help_text=_("City slug: offices in the city or whose jurisdiction covers it."),
    )
    state = KeyFilter(
        queryset=State.objects.all(),
        field_name="city__state",
        help_text=_("State slug: offices located in the state."),
    )
    country = KeyFilter(
        queryset=Country.objects.all(),
        to_field_name="code",
        field_name="agency__country",
        help_text=_("ISO code of the office's government (mx for Mexican consulates)."),
    )
    kind = django_filters.ChoiceFilter(
        choices=Office.Kind.choices, help_text=_("Kind of office.")
    )
    consular = StrictBooleanFilter(
        method="filter_consular", help_text=_("true: embassies and consulates only.")
    )

    class Meta:
        model = Office
        fields: list[str] = []

    def filter_agency(self, queryset: Any, name: str, value: Agency) -> Any:
        return queryset.for_agency(value)

    def filter_covers(self, queryset: Any, name: str, value: City) -> Any:
        return queryset.for_city(value)

    def filter_consular(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        return (
            queryset.consular()
            if value
            else queryset.exclude(kind__in=Office.CONSULAR_KINDS)
        )


class CityFilter(CollectionFilterSet):
    q = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        help_text=_("Text to find in the name."),
    )
    state = KeyFilter(
        queryset=State.objects.all(), help_text=_("State slug (e.g. tx).")
    )
    country = KeyFilter(
        queryset=Country.objects.all(),
        to_field_name="code",
        help_text=_("ISO code (e.g. us)."),
    )
    gateway_type = django_filters.ChoiceFilter(
        choices=GatewayType.choices, help_text=_("Singer's gateway type.")
    )

    class Meta:
        model = City
        fields: list[str] = []


class CountryFilter(CollectionFilterSet):
    class Meta:
        model = Country
        fields: list[str] = []


class StateFilter(CollectionFilterSet):
    country = KeyFilter(
        queryset=Country.objects.all(),
        to_field_name="code",
        help_text=_("ISO code (e.g. us)."),
    )

    class Meta:
        model = State
        fields: list[str] = []


class LawFilter(CollectionFilterSet):
    q = django_filters.CharFilter(
        method="filter_q", help_text=_("Text to find in the name or short name.")
    )

    class Meta:
        model = Law
        fields: list[str] = []

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.search(value)


class TopicFilter(CollectionFilterSet):
    class Meta:
        model = Topic
        fields: list[str] = []
