"""The outreach collections in the JSON API (/api/v1/)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS

from collection.api import CollectionViewSet
from collection.roles import curates_everything
from registry.models import Office

from . import filters, resources, serializers
from .models import Edition, Event, Organization, Outcome, Programme

OUTCOMES = Prefetch("outcomes", queryset=Outcome.objects.select_related("source"))
OFFICES = Prefetch("offices", queryset=Office.objects.select_related("agency"))


class EventViewSet(CollectionViewSet):
    """Labor Rights Week and year-round events; cancelled and virtual ones included."""

    queryset = Event.objects.all()
    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventFilter
    resource_class = resources.EventResource
    ordering_fields = ["slug", "starts_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Event]:
        user = self.request.user
        events = Event.objects.visible_to(user)
        if self.request.method not in SAFE_METHODS:
            # Writes reach only the events the user may change: another
            # office's event is not found (404).
            events = events.editable_by(user)
        return (
            events.select_related("edition", "host_office__agency", "city__state")
            .prefetch_related(OFFICES, "agencies", "organizations", "topics", "sources")
            .order_by("slug")
        )

    def perform_create(self, serializer: Any) -> None:
        self.check_host(serializer)
        super().perform_create(serializer)

    def perform_update(self, serializer: Any) -> None:
        self.check_host(serializer)
        super().perform_update(serializer)

    def check_host(self, serializer: Any) -> None:
        host = serializer.validated_data.get(
            "host_office", getattr(serializer.instance, "host_office", None)
        )
        user = self.request.user
        allowed = curates_everything(user) or (
            host is not None
            and Office.objects.for_member(user).filter(pk=host.pk).exists()
        )
        if not allowed:
            raise ValidationError(
                {"host_office": [_("Choose one of your offices as the host office.")]}
            )


class EditionViewSet(CollectionViewSet):
    """Labor Rights Week editions, by year, with their reported figures."""

    queryset = Edition.objects.prefetch_related(OUTCOMES, "sources").order_by("year")
    serializer_class = serializers.EditionSerializer
    filterset_class = filters.EditionFilter
    resource_class = resources.EditionResource
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"
    ordering_fields = ["year", "updated_at"]


class OrganizationViewSet(CollectionViewSet):
    """Civil-society partner organisations."""

    queryset = (
        Organization.objects.select_related("city__state")
        .prefetch_related("sources")
        .order_by("slug")
    )
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filters.OrganizationFilter
    resource_class = resources.OrganizationResource
    ordering_fields = ["slug", "name", "updated_at"]


class ProgrammeViewSet(CollectionViewSet):
    """Year-round programmes: hotlines, ventanillas, partnerships."""

    queryset = (
        Programme.objects.select_related("city__state")
        .prefetch_related(OFFICES, "agencies", "organizations", OUTCOMES, "sources")
        .order_by("slug")
    )
    serializer_class = serializers.ProgrammeSerializer
    filterset_class = filters.ProgrammeFilter
    resource_class = resources.ProgrammeResource
    ordering_fields = ["slug", "name", "updated_at"]
