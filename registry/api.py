"""The registry's collections in the JSON API (/api/v1/)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from collection.api import CollectionViewSet

from . import filters, resources, serializers
from .models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Country,
    Law,
    Office,
    Party,
    State,
    Topic,
    hide_draft_references,
)


class AgreementViewSet(CollectionViewSet):
    """Agreements, each with its parties, dates as precise as known, and derived status."""

    queryset = Agreement.objects.all()
    serializer_class = serializers.AgreementSerializer
    filterset_class = filters.AgreementFilter
    resource_class = resources.AgreementResource
    ordering_fields = ["slug", "signed_on", "updated_at", "title_en"]

    def get_queryset(self) -> QuerySet[Agreement]:
        return (
            Agreement.objects.visible_to(self.request.user)
            .select_related("framework", "renews", "renewal")
            .prefetch_related(
                Prefetch(
                    "parties",
                    queryset=Party.objects.select_related("office__agency", "agency"),
                ),
                Prefetch(
                    "citations",
                    queryset=AgreementSource.objects.select_related("source"),
                ),
                "documents",
                "laws",
                "topics",
            )
            .order_by("slug")
        )

    def csv_queryset(self, queryset: QuerySet[Agreement]) -> Iterable[Agreement]:
        """The rows as the client may see them: references to drafts left out
        (only in memory: these objects are never saved)."""
        rows = super().csv_queryset(queryset)
        return rows if self.shows_drafts() else hide_draft_references(rows)


class AgencyViewSet(CollectionViewSet):
    """Government bodies: US labour agencies, state agencies, foreign ministries."""

    queryset = (
        Agency.objects.select_related("country", "parent")
        .prefetch_related(serializers.public_contacts())
        .order_by("slug")
    )
    serializer_class = serializers.AgencySerializer
    filterset_class = filters.AgencyFilter
    resource_class = resources.AgencyResource
    ordering_fields = ["slug", "name", "updated_at"]


class OfficeViewSet(CollectionViewSet):
    """Signatory offices: agency offices, embassies and consulates."""

    queryset = (
        Office.objects.select_related("agency", "city__state")
        .prefetch_related(
            "jurisdictions__state", "sources", serializers.public_contacts()
        )
        .order_by("slug")
    )
    serializer_class = serializers.OfficeSerializer
    filterset_class = filters.OfficeFilter
    resource_class = resources.OfficeResource
    ordering_fields = ["slug", "name", "updated_at"]


class CityViewSet(CollectionViewSet):
    """Cities where offices sit or events happen."""

    queryset = (
        City.objects.select_related("state", "country")
        .prefetch_related("sources")
        .order_by("slug")
    )
    serializer_class = serializers.CitySerializer
    filterset_class = filters.CityFilter
    resource_class = resources.CityResource
    ordering_fields = ["slug", "name", "updated_at"]


class CountryViewSet(CollectionViewSet):
    """Countries, by ISO 3166-1 alpha-2 code."""

    queryset = Country.objects.order_by("code")
    serializer_class = serializers.CountrySerializer
    filterset_class = filters.CountryFilter
    resource_class = resources.CountryResource
    lookup_field = "code"
    ordering_fields = ["code", "name_en", "updated_at"]


class StateViewSet(CollectionViewSet):
    """US states and territories (the `state` filter's values)."""

    queryset = State.objects.select_related("country").order_by("slug")
    serializer_class = serializers.StateSerializer
    filterset_class = filters.StateFilter
    resource_class = resources.StateResource
    ordering_fields = ["slug", "name", "updated_at"]


class LawViewSet(CollectionViewSet):
    """Laws the agreements cover."""

    queryset = Law.objects.order_by("slug")
    serializer_class = serializers.LawSerializer
    filterset_class = filters.LawFilter
    resource_class = resources.LawResource
    ordering_fields = ["slug", "short_name", "updated_at"]


class TopicViewSet(CollectionViewSet):
    """Topics of agreements and events."""

    queryset = Topic.objects.order_by("slug")
    serializer_class = serializers.TopicSerializer
    filterset_class = filters.TopicFilter
    resource_class = resources.TopicResource
    ordering_fields = ["slug", "name_en", "updated_at"]
