"""Machinery every collection of the JSON API shares: references to related
records, model validation of writes, drafts, conditional GET and CSV exports."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import tablib
from django.db import models
from django.http import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from .models import Revision, sees_drafts
from .resources import CollectionResource


class RefSerializer(serializers.Serializer):
    """How the schema shows a reference to a related record."""

    slug = serializers.CharField(help_text="The related record's key (its slug).")
    url = serializers.URLField(help_text="The related record in this API.")


@extend_schema_field(RefSerializer)
class RefField(serializers.SlugRelatedField):
    """A related record: read as {"slug", "url"}, written as its slug."""

    def __init__(self, view_name: str, slug_field: str = "slug", **kwargs: Any) -> None:
        self.view_name = view_name
        super().__init__(slug_field=slug_field, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            data = data.get("slug")
        return super().to_internal_value(data)

    def to_representation(self, obj: Any) -> Any:
        key = str(getattr(obj, self.slug_field))  # an edition's year too: text
        return {"slug": key, "url": absolute(self.context, self.view_name, key)}


def absolute(context: Mapping[str, Any], view_name: str, key: Any) -> str:
    path = reverse(view_name, args=[key])
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


class NamedRefSerializer(RefSerializer):
    name = serializers.CharField(help_text="The related record's name.")


@extend_schema_field(NamedRefSerializer)
class NamedRefField(RefField):
    """A related record with its name: {"slug", "url", "name"}."""

    def to_representation(self, obj: Any) -> Any:
        return {**super().to_representation(obj), "name": str(obj)}


class DraftAwareRefField(RefField):
    """A reference that is left out (null) when it points to a draft the client
    may not see."""

    def to_representation(self, obj: Any) -> Any:
        if not getattr(obj, "is_published", True) and not self.context.get(
            "shows_drafts"
        ):
            return None
        return super().to_representation(obj)


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.Field):
    """The record's page on the public site."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj: Any) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class CleanModelSerializer(serializers.ModelSerializer):
    """Writes are checked by the model's own validation (constraints included),
    so bad input is a 400 with field messages, never a database error."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model: type[models.Model] = self.Meta.model
        instance = self.instance or model()
        m2m = {f.name for f in model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in m2m and not isinstance(value, list):
                setattr(instance, name, value)
        self.prepare_instance(instance, attrs)
        try:
            instance.full_clean(
                exclude=self.not_cleaned(model, attrs), validate_unique=True
            )
        except Exception as error:  # django.core.exceptions.ValidationError
            raise serializers.ValidationError(
                getattr(error, "message_dict", str(error))
            ) from None
        return attrs

    def prepare_instance(self, instance: models.Model, attrs: dict[str, Any]) -> None:
        """Hook: set derived attributes before validation."""

    @staticmethod
    def not_cleaned(model: type[models.Model], attrs: dict[str, Any]) -> list[str]:
        return [f.name for f in model._meta.many_to_many]


class CollectionViewSet(viewsets.ModelViewSet):
    """One collection: public reads (drafts hidden from those who may not see
    them), token writes with the model's permissions, conditional GET, and the
    open-data CSV with `?format=csv`."""

    lookup_field = "slug"
    #: The collection's file format, for `?format=csv`.
    resource_class: type[CollectionResource]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def shows_drafts(self) -> bool:
        """Whether the client may see drafts (collection.models.sees_drafts);
        a collection with drafts starts its queryset from `visible_to()`."""
        return sees_drafts(self.request.user, self.get_queryset_model())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "shows_drafts": self.shows_drafts()}

    def get_queryset_model(self) -> type[models.Model]:
        serializer_class: Any = self.get_serializer_class()
        model: type[models.Model] = serializer_class.Meta.model
        return model

    def wants_csv(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return getattr(renderer, "format", None) == "csv"

    def paginate_queryset(self, queryset: Any) -> Any:
        if self.wants_csv():
            return None  # the CSV is the whole (filtered) collection
        return super().paginate_queryset(queryset)

    def csv_queryset(self, queryset: models.QuerySet[Any]) -> Iterable[Any]:
        """The related records the CSV columns name, fetched in a fixed number of
        queries: every foreign key, and every plain many-to-many relation."""
        model = queryset.model
        return queryset.select_related(
            *(f.name for f in model._meta.fields if f.is_relation)
        ).prefetch_related(
            *(
                f.name
                for f in model._meta.many_to_many
                if f.remote_field.through._meta.auto_created
            )
        )

    def export(self, rows: Iterable[Any]) -> tablib.Dataset:
        return self.resource_class().export(list(rows))

    # A 304 is a plain Django response, hence the wider return types.
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        def respond() -> Response:
            if self.wants_csv():
                queryset = self.filter_queryset(self.get_queryset())
                return Response(self.export(self.csv_queryset(queryset)))
            return super(CollectionViewSet, self).list(request, *args, **kwargs)

        return self.conditional(request, respond)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        def respond() -> Response:
            if self.wants_csv():
                return Response(self.export([self.get_object()]))
            return super(CollectionViewSet, self).retrieve(request, *args, **kwargs)

        return self.conditional(request, respond)

    def conditional(
        self, request: Request, respond: Callable[[], HttpResponseBase]
    ) -> HttpResponseBase:
        """Answer 304 Not Modified, before reading or rendering any data, when
        the client's validator matches the current revision of the data."""
        revision = Revision.current()
        fingerprint = "|".join(
            [
                str(revision.number),
                timezone.localdate().isoformat(),  # statuses change with the date
                "drafts" if self.shows_drafts() else "public",
                str(request.user.pk or "") if request.user.is_authenticated else "",
                getattr(request.accepted_renderer, "format", ""),
                request.get_full_path(),
            ]
        )
        etag = f'"{hashlib.sha256(fingerprint.encode()).hexdigest()[:32]}"'
        last_modified = int(revision.changed_at.timestamp())
        response: HttpResponseBase | None = get_conditional_response(
            request, etag=etag, last_modified=last_modified
        )
        if response is None:
            response = respond()
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            response["Cache-Control"] = (
                "private, no-cache"
                if request.user.is_authenticated
                else "public, max-age=60"
            )
            patch_vary_headers(response, ["Accept", "Authorization"])
        return response
