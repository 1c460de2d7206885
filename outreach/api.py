"""The outreach collections in the JSON API (/api/v1/)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collection.api import CollectionViewSet
from collection.roles import curates_everything
from collection.schema import NONBLANK_PATTERN
from registry.models import Office
from registry.serializers import public_contacts

from . import filters, resources, serializers
from .help import HelpQueryError, find_help, places_for
from .models import (
    Edition,
    Event,
    Organization,
    Outcome,
    Programme,
    ProgrammeContact,
)

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
        .prefetch_related(
            OFFICES,
            "agencies",
            "organizations",
            OUTCOMES,
            "sources",
            public_contacts(ProgrammeContact),
        )
        .order_by("slug")
    )
    serializer_class = serializers.ProgrammeSerializer
    filterset_class = filters.ProgrammeFilter
    resource_class = resources.ProgrammeResource
    ordering_fields = ["slug", "name", "updated_at"]


class HelpView(APIView):
    """Find help near me: whom to call, the agreements covering the place,
    events near by and year-round programmes, for a ZIP code (`?zip=77036`)
    or a state and county (`?state=tx&county=Harris`). The consulate is the
    one whose jurisdiction covers the county today; where none is on record,
    the nearest of the state (`basis: nearest`). A malformed ZIP code is a
    400, an unknown ZIP code or county a 404; a ZIP code on a county line
    answers with `choices`."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]  # an answer, not a collection: no CSV
    serializer_class = serializers.HelpSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "zip", str, description="A 5-digit ZIP code.", pattern=r"^[0-9]{5}$"
            ),
            OpenApiParameter(
                "state",
                str,
                description="A state's slug (lower-case code), e.g. tx.",
                pattern=NONBLANK_PATTERN,
            ),
            OpenApiParameter(
                "county",
                str,
                description="A county of the state, e.g. Harris.",
                pattern=NONBLANK_PATTERN,
            ),
        ],
        responses={
            200: serializers.HelpSerializer,
            400: OpenApiResponse(description="Malformed or missing input."),
            404: OpenApiResponse(description="Unknown ZIP code, state or county."),
        },
    )
    def get(self, request: Request) -> Response:
        try:
            places = places_for(
                zip_code=_text(request, "zip"),
                state=_text(request, "state"),
                county=_text(request, "county"),
            )
            answer = None if len(places) > 1 else find_help(places[0])
        except HelpQueryError as error:
            return Response({"detail": error.message}, status=error.status)
        data = {"choices": places if answer is None else [], "answer": answer}
        serializer = serializers.HelpSerializer(data, context={"request": request})
        return Response(serializer.data)


def _text(request: Request, name: str) -> str:
    """A query parameter as text (`places_for` refuses what it cannot read)."""
    return str(request.query_params.get(name, ""))[:100]
