"""Machinery every collection of the JSON API shares: references to related
records, model validation of writes, drafts, conditional GET and the CSV and
XLSX exports."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import tablib
from django.db import models, transaction
from django.http import HttpResponseBase, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import APIException, MethodNotAllowed, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .counting import counted
from .formats import Pagination, file_name, unreadable
from .models import Revision, StaleVersion, Versioned, sees_drafts
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


#: What reverse() leaves unquoted in a path argument (django.urls.resolvers).
QUOTE_SAFE = "!$&'()*+,;=/~:@"
#: A key that every lookup of the API takes (slugs, codes, four-digit years):
#: the URL of each view is reversed once per request with it, then filled in.
PLACEHOLDER = "2468"
#: Where a request's reversed URLs are kept in the serializer context, which
#: every nested serializer shares.
URL_PARTS = "_url_parts"


def absolute(context: Mapping[str, Any], view_name: str, key: Any) -> str:
    """The absolute URL of the record `key` of `view_name`, as reverse() and
    build_absolute_uri() give it, without running them for every reference
    (a page of 50 agreements holds about 440): once per view and request."""
    parts = context.get(URL_PARTS, {}).get(view_name)
    if parts is None:
        path = reverse(view_name, args=[PLACEHOLDER])
        request = context.get("request")
        url = request.build_absolute_uri(path) if request else path
        head, found, tail = url.rpartition(PLACEHOLDER)
        parts = (head, tail) if found else (url, "")
        if isinstance(context, dict):
            context.setdefault(URL_PARTS, {})[view_name] = parts
    # reverse() quotes a key as this does; slugs, years and codes are kept.
    return f"{parts[0]}{quote(str(key), safe=QUOTE_SAFE)}{parts[1]}"


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
    so bad input is a 400 with field messages, never a database error. Before
    that, a value no field can hold anywhere in a field the write takes (a
    control character, a lone surrogate, an infinite number; nested rows
    included) is a 400 naming its place (collection.formats.unreadable)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            problems = {
                name: [problem]
                for name, field in self.fields.items()
                if not field.read_only
                and name in data
                and (problem := field_problem(field, data[name], name)) is not None
            }
            # A text's length is judged as sent, before REST framework trims
            # its white space: the schema's maxLength is the JSON string's.
            for name, field in self.fields.items():
                value = data.get(name)
                limit = getattr(field, "max_length", None)
                if (
                    name not in problems
                    and isinstance(field, serializers.CharField)
                    and not field.read_only
                    and isinstance(value, str)
                    and limit is not None
                    and len(value) > limit
                ):
                    problems[name] = [
                        field.error_messages["max_length"].format(max_length=limit)
                    ]
            if problems:
                raise serializers.ValidationError(problems)
        return super().to_internal_value(data)

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


def field_problem(field: Any, value: Any, place: str) -> str | None:
    """What in `value`, sent for `field`, no field can hold (unreadable());
    in nested rows (a list of parties), only in the fields the rows take:
    a key the API does not know is ignored, as REST framework ignores it."""
    many = (serializers.ListSerializer, serializers.ManyRelatedField)
    if isinstance(field, many) and isinstance(value, list):
        child = (
            field.child_relation
            if isinstance(field, serializers.ManyRelatedField)
            else field.child
        )
        for index, item in enumerate(value):
            problem = field_problem(child, item, f"{place}[{index}]")
            if problem is not None:
                return problem
        return None
    if isinstance(field, RefField) and isinstance(value, Mapping):
        # A reference written as the object it is read as: only its slug counts.
        return unreadable(value.get("slug"), f"{place}.slug")
    if isinstance(field, serializers.Serializer) and isinstance(value, Mapping):
        for name, inner in field.fields.items():
            if not inner.read_only and name in value:
                problem = field_problem(inner, value[name], f"{place}.{name}")
                if problem is not None:
                    return problem
        return None
    return unreadable(value, place)


class StillReferenced(APIException):
    """409: a record other records refer to cannot be deleted."""

    status_code = 409
    default_code = "still_referenced"

    def __init__(self, referrers: Iterable[models.Model]) -> None:
        counts = Counter(str(row._meta.verbose_name_plural) for row in referrers)
        names = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
        super().__init__(
            f"Other records refer to this one ({names}): change or delete them first."
        )


class PreconditionFailed(APIException):
    """412: a write made on a version the record no longer has (If-Match)."""

    status_code = 412
    default_code = "precondition_failed"
    #: The record's current ETag, sent back as the ETag header.
    etag: str | None = None


def record_tag(instance: Any) -> str:
    """The part of a record's ETag that names its version: the same for every
    client, format and address of the record, and different after any change
    to it."""
    key = f"{instance._meta.label_lower}|{instance.pk}|{instance.version}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def record_etag(instance: Any, digest: str) -> str:
    """A record's ETag: its version's tag, then what else the response
    depends on (CollectionViewSet.digest)."""
    if not isinstance(instance, Versioned):
        return f'"{digest}"'
    return f'"{record_tag(instance)}.{digest}"'


def record_part(etag: str) -> str | None:
    """The version part of a strong ETag this API gave (None for a weak one,
    which never matches If-Match)."""
    if etag.startswith("W/"):
        return None
    return etag.strip('"').split(".")[0]


def current_copy(request: Any, digest: str) -> str | None:
    """The client's ETag (If-None-Match) if it shows the client's copy of a
    record is current, judged before the record is read: its last part is the
    current digest, which moves on with any change to the data."""
    for tag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH") or ""):
        if tag != "*" and tag.removeprefix("W/").strip('"').split(".")[-1] == digest:
            return tag
    return None


def unchanged_since(request: Any, last_modified: int) -> bool:
    """If-None-Match: * (any copy of a record that exists), or, without an
    If-None-Match, an If-Modified-Since not before the last change."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if header:
        return "*" in parse_etags(header)
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE") or "")
    return since is not None and last_modified <= since


#: The formats that are the collection's file (collection.formats).
FILE_FORMATS = ("csv", "xlsx")
#: Filters that name a download first, in this order: agreements-osha-mx-tx-…
NAMED_FIRST = ("agency", "country", "state")


class CollectionViewSet(viewsets.ModelViewSet):
    """One collection: public reads (drafts hidden from those who may not see
    them), token writes with the model's permissions, conditional GET, and the
    open-data file with `?format=csv` or `?format=xlsx`, named for what it
    holds and the day."""

    lookup_field = "slug"
    #: The collection's file format, for `?format=csv` and `?format=xlsx`.
    resource_class: type[CollectionResource]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def shows_drafts(self) -> bool:
        """Whether the client may see drafts (collection.models.sees_drafts);
        a collection with drafts starts its queryset from `visible_to()`."""
        return sees_drafts(self.request.user, self.get_queryset_model())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "shows_drafts": self.shows_drafts()}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # A method the list or item does not have is a 405 whatever the
        # format asked: without this, `PUT <list>?format=csv` was a 404 (the
        # CSV is not a format of a write, and the format is chosen first).
        method = str(request.method)
        if method.lower() not in self.http_method_names or not hasattr(
            self, method.lower()
        ):
            raise MethodNotAllowed(method)
        super().initial(request, *args, **kwargs)

    def get_renderers(self) -> list[Any]:
        """The files are reads: a write answers in JSON (`?format=csv` on a
        write is an unknown format, 404)."""
        renderers = super().get_renderers()
        request = getattr(self, "request", None)
        if request is not None and request.method not in SAFE_METHODS:
            renderers = [r for r in renderers if r.format not in FILE_FORMATS]
        return renderers

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        # An error asked as a workbook is answered in JSON, as the schema
        # says of every error (the CSV's are CSV, one "error" column).
        renderer = getattr(request, "accepted_renderer", None)
        if (
            isinstance(response, Response)
            and response.status_code >= 400
            and getattr(renderer, "format", None) == "xlsx"
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def get_queryset_model(self) -> type[models.Model]:
        serializer_class: Any = self.get_serializer_class()
        model: type[models.Model] = serializer_class.Meta.model
        return model

    def file_format(self) -> str | None:
        """The file the client asked for (`csv` or `xlsx`); None for JSON."""
        renderer = getattr(self.request, "accepted_renderer", None)
        found = getattr(renderer, "format", None)
        return found if found in FILE_FORMATS else None

    def paginate_queryset(self, queryset: Any) -> Any:
        if self.file_format():
            return None  # the file is the whole (filtered) collection
        return super().paginate_queryset(queryset)

    def filter_queryset(self, queryset: Any) -> Any:
        """For a file, as REST framework filters, keeping the FilterSet:
        the file is named after the filters it read (file_name_parts)."""
        self.filterset: Any = None
        if not self.file_format():
            return super().filter_queryset(queryset)
        for backend_class in self.filter_backends:
            backend = backend_class()
            if not isinstance(backend, DjangoFilterBackend):
                queryset = backend.filter_queryset(self.request, queryset, self)
                continue
            # DjangoFilterBackend.filter_queryset, with its FilterSet kept.
            filterset = backend.get_filterset(self.request, queryset, self)
            if filterset is None:
                continue
            if not filterset.is_valid() and backend.raise_exception:
                raise filter_utils.translate_validation(filterset.errors)
            self.filterset = filterset
            queryset = filterset.qs
        return queryset

    def file_name_parts(self) -> list[str]:
        """What the filters in force say of a file, for its name: a related
        record by its acronym or code (osha, mx, tx) or its key, a value as
        given (q, a status), other values after the filter's name
        (year-from-2015); NAMED_FIRST first, then in the FilterSet's order."""
        filterset = getattr(self, "filterset", None)
        if filterset is None:
            return []
        cleaned = getattr(filterset.form, "cleaned_data", {})
        names = [n for n in NAMED_FIRST if n in filterset.filters]
        names += [n for n in filterset.filters if n not in NAMED_FIRST]
        parts = []
        for name in names:
            value = cleaned.get(name)
            if value is None or value == "" or value == []:
                continue
            parts.append(name_part(name, filterset.filters[name], value))
        return parts

    def check_file_size(self, queryset: models.QuerySet[Any]) -> None:
        """A file of the API holds at most Pagination.max_rows rows, as its
        pages do (the work of one request stays bounded); the whole collection
        is a file of its own, built once per data revision (/data/latest/)."""
        limit = Pagination.max_rows
        rows = counted(queryset)
        if rows <= limit:
            return
        name = self.resource_class.collection or self.basename
        whole = reverse(
            "opendata:latest", kwargs={"filename": f"{name}.{self.file_format()}"}
        )
        raise ValidationError(
            {
                "format": [
                    f"These are {rows:,} rows; a file of the API holds at most "
                    f"{limit:,}. Narrow it with filters, or download the whole "
                    f"collection: {self.request.build_absolute_uri(whole)}"
                ]
            }
        )

    def file_response(self, dataset: tablib.Dataset, parts: list[str]) -> Response:
        response = Response(dataset)
        name = file_name(
            self.resource_class.collection or self.basename,
            parts,
            timezone.localdate(),
            self.file_format() or "csv",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

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
        """The rows in the collection's file format, with links to the pages
        on the host the client asked."""
        site_url = self.request.build_absolute_uri("/")
        return self.resource_class(site_url=site_url).export(list(rows))

    def perform_destroy(self, instance: models.Model) -> None:
        try:
            super().perform_destroy(instance)
        except (models.ProtectedError, models.RestrictedError) as error:
            raise StillReferenced(
                error.protected_objects
                if isinstance(error, models.ProtectedError)
                else error.restricted_objects
            ) from None

    # A 304 is a plain Django response, hence the wider return types.
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        def respond() -> Response:
            if self.file_format():
                queryset = self.filter_queryset(self.get_queryset())
                self.check_file_size(queryset)
                rows = self.export(self.csv_queryset(queryset))
                return self.file_response(rows, self.file_name_parts())
            return super(CollectionViewSet, self).list(request, *args, **kwargs)

        return self.conditional(request, respond)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        # A record, with an ETag naming its version (record_etag): sent back
        # in If-None-Match, it is answered 304 after one query, like a list;
        # in If-Match, it names the version a write is made on. (A comment,
        # not a docstring: the schema takes an operation's text from those.)
        revision = Revision.current()
        digest = self.digest(request, revision)
        last_modified = int(revision.changed_at.timestamp())
        response: HttpResponseBase
        seen = current_copy(request, digest)
        if seen is not None:
            response, etag = HttpResponseNotModified(), seen
        else:
            instance = self.get_object()
            etag = record_etag(instance, digest)
            if unchanged_since(request, last_modified):
                response = HttpResponseNotModified()
            elif self.file_format():
                key = str(getattr(instance, self.lookup_field))
                response = self.file_response(self.export([instance]), [key])
            else:
                response = Response(self.get_serializer(instance).data)
        self.validators(request, response, etag, last_modified)
        return response

    def conditional(
        self, request: Request, respond: Callable[[], HttpResponseBase]
    ) -> HttpResponseBase:
        """Answer 304 Not Modified, before reading or rendering any data, when
        the client's validator matches the current revision of the data."""
        revision = Revision.current()
        etag = f'"{self.digest(request, revision)}"'
        last_modified = int(revision.changed_at.timestamp())
        response: HttpResponseBase | None = get_conditional_response(
            request, etag=etag, last_modified=last_modified
        )
        if response is None:
            response = respond()
        self.validators(request, response, etag, last_modified)
        return response

    def digest(
        self, request: Request, revision: Revision, path: str | None = None
    ) -> str:
        """What a response depends on besides the record itself: the data
        revision (any change to any record moves it on), the date, who asks,
        the format and the address."""
        fingerprint = "|".join(
            [
                str(revision.number),
                timezone.localdate().isoformat(),  # statuses change with the date
                "drafts" if self.shows_drafts() else "public",
                str(request.user.pk or "") if request.user.is_authenticated else "",
                getattr(request.accepted_renderer, "format", ""),
                path or request.get_full_path(),
            ]
        )
        return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]

    def validators(
        self,
        request: Request,
        response: HttpResponseBase,
        etag: str,
        last_modified: int,
    ) -> None:
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            response["Cache-Control"] = (
                "private, no-cache"
                if request.user.is_authenticated
                else "public, max-age=60"
            )
            patch_vary_headers(response, ["Accept", "Authorization"])

    # --- Conditional writes (If-Match) --------------------------------------------

    def get_object(self) -> Any:
        """The record, checked against the client's If-Match; for a write,
        also held at its version until the write's transaction ends, so the
        check and the write cannot be separated by another write."""
        instance = super().get_object()
        if isinstance(instance, Versioned):
            self.check_if_match(instance)
            if self.request.method in ("PUT", "PATCH", "DELETE"):
                instance.hold()
        return instance

    def check_if_match(self, instance: Versioned) -> None:
        header = self.request.META.get("HTTP_IF_MATCH")
        if not header:
            return  # allowed; docs/api.md asks clients to send it
        tags = parse_etags(header)
        if "*" in tags or record_tag(instance) in map(record_part, tags):
            return
        raise self.precondition_failed(instance)

    def current_etag(self, instance: Any) -> str:
        """The ETag a GET of `instance` by this client would now give."""
        return record_etag(instance, self.digest_for(instance))

    def digest_for(self, instance: Any) -> str:
        lookup = self.lookup_url_kwarg or self.lookup_field
        path = reverse(
            f"api:{self.basename}-detail",
            kwargs={lookup: getattr(instance, self.lookup_field)},
        )
        return self.digest(self.request, Revision.current(), path)

    @transaction.atomic
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().create(request, *args, **kwargs)
        return self.with_etag(response)

    @transaction.atomic
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().update(request, *args, **kwargs)
        return self.with_etag(response)

    @transaction.atomic
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        super().perform_create(serializer)
        self.written = serializer.instance

    def perform_update(self, serializer: Any) -> None:
        super().perform_update(serializer)
        self.written = serializer.instance

    def with_etag(self, response: Response) -> Response:
        """A write answers with the record's new ETag (for its next write)."""
        written = getattr(self, "written", None)
        if isinstance(written, Versioned) and response.status_code in (200, 201):
            response["ETag"] = self.current_etag(written)
        return response

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, StaleVersion):
            # A write that lost the race after its check: nothing was saved.
            current = stale_record(exc)
            exc = (
                self.precondition_failed(current)
                if current is not None
                else PreconditionFailed(
                    "This record was deleted since the version you sent in If-Match."
                )
            )
        response = super().handle_exception(exc)
        if isinstance(exc, PreconditionFailed) and exc.etag:
            response["ETag"] = exc.etag
        return response

    def precondition_failed(self, instance: Any) -> PreconditionFailed:
        etag = self.current_etag(instance)
        failed = PreconditionFailed(
            f"This record changed since the version you sent in If-Match: its "
            f"current ETag is {etag}. Read it again (GET) and make your change "
            f"on what it holds now, with that ETag."
        )
        failed.etag = etag
        return failed


def name_part(name: str, filter_: Any, value: Any) -> str:
    """One filter's value as a part of a file's name (file_name_parts)."""
    if isinstance(value, models.Model):
        for attribute in ("acronym", "code"):
            found = getattr(value, attribute, "")
            if found:
                return str(found)
        return str(getattr(value, filter_.extra.get("to_field_name") or "pk"))
    if isinstance(value, list | tuple | models.QuerySet):
        return "-".join(name_part(name, filter_, item) for item in value)
    if isinstance(value, bool):
        return f"{name}-{'yes' if value else 'no'}"
    if isinstance(value, datetime):
        return f"{name}-{value.date().isoformat()}"
    if isinstance(value, date):
        return f"{name}-{value.isoformat()}"
    if isinstance(value, Decimal | int | float):
        return f"{name}-{Decimal(str(value)).normalize():f}"
    return str(value)


def stale_record(stale: StaleVersion) -> Any:
    """The record a write lost the race for, as it is now (None: deleted)."""
    return stale.model._base_manager.filter(pk=stale.pk).first()
