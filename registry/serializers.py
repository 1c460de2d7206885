"""JSON representations of the registry's collections (read and write)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from collection.api import (
    CleanModelSerializer,
    DraftAwareRefField,
    NamedRefField,
    PageUrlField,
    RefField,
    RefSerializer,
)

from .dates import DatePrecision, PartialDate
from .models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Contact,
    ContactKind,
    ContactPoint,
    Country,
    Document,
    Jurisdiction,
    Law,
    Office,
    Party,
    Source,
    State,
    Topic,
    validate_time_zone,
)
from .models.places import TIME_ZONES
from .models.sources import is_url
from .services import save_agreement, sources_for


class SourceSerializer(serializers.Serializer):
    """A source, as embedded in the records it supports."""

    url = serializers.CharField(
        help_text="Where the fact was read (empty for printed sources)."
    )
    title = serializers.CharField(help_text="Title, where known.")
    publisher = serializers.CharField(help_text="Publisher, where known.")
    published_on = serializers.DateField(
        allow_null=True, help_text="Publication date, where known."
    )
    accessed_on = serializers.DateField(
        allow_null=True, help_text="When it was read, where known."
    )
    reliability = serializers.CharField(
        help_text="high, medium_high, medium, low or unrated."
    )
    archive_url = serializers.CharField(
        help_text="The web archive's copy that was read, when the page itself was not."
    )


@extend_schema_field({"type": "string", "enum": TIME_ZONES})
class TimeZoneField(serializers.CharField):
    """An IANA time zone name ("America/Chicago"); the schema lists them all."""


@extend_schema_field({"type": "string", "enum": ["", *TIME_ZONES]})
class OptionalTimeZoneField(TimeZoneField):
    """A time zone name, or empty."""


_FRACTION = r"(?:\.\d{0,5})?"
#: Degrees with up to five decimals, within -90..90 and -180..180, as text
#: (REST framework's decimals): the range in the pattern, so that the schema
#: states what the model's validators allow.
LATITUDE_PATTERN = rf"^-?(?:[0-8]?\d{_FRACTION}|90(?:\.0{{0,5}})?|\.\d{{1,5}})$"
LONGITUDE_PATTERN = (
    rf"^-?(?:(?:1[0-7]\d|0?\d{{1,2}}){_FRACTION}|180(?:\.0{{0,5}})?|\.\d{{1,5}})$"
)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": LATITUDE_PATTERN}
)
class LatitudeField(serializers.DecimalField):
    """Degrees north (negative: south)."""


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": LONGITUDE_PATTERN}
)
class LongitudeField(serializers.DecimalField):
    """Degrees east (negative: west)."""


COORDINATES = {"latitude": LatitudeField, "longitude": LongitudeField}


class SchemaStatedFieldsMixin:
    # A ModelSerializer whose time zone fields (those the model checks with
    # validate_time_zone) list the names in the schema, and whose coordinates
    # state their range. (A comment: the schema takes a serializer's
    # description from the docstrings.)

    def build_standard_field(self, field_name: str, model_field: Any) -> Any:
        field_class, kwargs = super().build_standard_field(  # type: ignore[misc]
            field_name, model_field
        )
        if validate_time_zone in getattr(model_field, "validators", ()):
            blank = kwargs.get("allow_blank", False)
            field_class = OptionalTimeZoneField if blank else TimeZoneField
        elif field_name in COORDINATES and field_class is serializers.DecimalField:
            field_class = COORDINATES[field_name]
        return field_class, kwargs


class SourceUrlsField(serializers.ListField):
    """Write-only: the record's sources, by URL (created if new, unrated) or, for
    printed sources already in the registry, by title. Validates the keys; the
    sources are found or added when the record is saved (`sources_for`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.CharField(max_length=1000))
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "Sources by URL (new ones are added, unrated) or, for printed sources "
            "already known, by title. Replaces the record's sources.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        keys = super().to_internal_value(data)
        printed = set(
            Source.objects.by_keys(k for k in keys if not is_url(k)).values_list(
                "title", flat=True
            )
        )
        for key in keys:
            if is_url(key):
                try:
                    URLValidator()(key)
                except DjangoValidationError:
                    raise serializers.ValidationError(f"Not a URL: {key}") from None
            elif key not in printed:
                raise serializers.ValidationError(f"No printed source titled “{key}”.")
        return keys


class WithSourcesMixin:
    # Creates and updates a record with its many-to-many lists and its sources
    # (by URL, see SourceUrlsField), in one transaction. No docstring: the API
    # schema takes a serializer's description from the first one it finds.

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> Any:
        self.find_sources(validated_data)
        return super().create(validated_data)  # type: ignore[misc]

    @transaction.atomic
    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        self.find_sources(validated_data)
        return super().update(instance, validated_data)  # type: ignore[misc]

    def find_sources(self, validated_data: dict[str, Any]) -> None:
        if "source_urls" in validated_data:
            request = self.context.get("request")  # type: ignore[attr-defined]
            validated_data["sources"] = sources_for(
                keys=validated_data.pop("source_urls"),
                by=getattr(request, "user", None),
            )


class ContactSerializer(serializers.Serializer):
    """A public contact point, as embedded in its office, agency or programme."""

    kind = serializers.ChoiceField(
        choices=ContactKind.choices,
        help_text="protection_line, hotline, main_phone, email, address, hours, "
        "web_form or other.",
    )
    value = serializers.CharField(
        help_text="Phone numbers in E.164 (an extension as ;ext=117); otherwise "
        "as the source printed it."
    )
    display_value = serializers.CharField(
        help_text="As shown on the site: US phone numbers in national form."
    )
    href = serializers.CharField(
        help_text="A tel: or mailto: link, or the web form's address; empty "
        "for addresses and hours."
    )
    label_en = serializers.CharField(help_text="What the value is for, in English.")
    label_es = serializers.CharField(help_text="What the value is for, in Spanish.")
    languages = serializers.CharField(
        help_text="Languages served (comma-separated codes), where the source says."
    )
    as_of = serializers.SerializerMethodField(
        help_text="When the source stated it: YYYY-MM-DD, YYYY-MM or YYYY."
    )
    as_of_note = serializers.CharField(
        help_text="How the date is known, when the source does not print it."
    )
    source = SourceSerializer(help_text="Where the value was read.")  # type: ignore[assignment]  # a field named "source"
    quote = serializers.CharField(help_text="The words it was read in.")

    def get_as_of(self, contact: Any) -> str:
        return str(contact.stated.iso())


def public_contacts(model: type[ContactPoint] = Contact) -> Prefetch:
    """A prefetch of a record's public contact points (`contacts`), in the
    order a worker needs them: protection lines and hotlines first."""
    return Prefetch(
        "contacts",
        queryset=model.objects.published().in_kind_order().select_related("source"),
    )


class OfficeRefSerializer(RefSerializer):
    name = serializers.CharField(help_text="The office's name.")
    agency = serializers.CharField(help_text="The slug of the office's agency.")


@extend_schema_field(OfficeRefSerializer)
class OfficeRefField(RefField):
    """An office: {"slug", "url", "name", "agency"}; written as its slug."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Office.objects.all())
        super().__init__("api:office-detail", **kwargs)

    def to_representation(self, obj: Any) -> Any:
        return {
            **super().to_representation(obj),
            "name": obj.name,
            "agency": obj.agency.slug,
        }


class CityRefSerializer(RefSerializer):
    name = serializers.CharField(help_text="The city's name.")
    state = serializers.CharField(allow_null=True, help_text="The state's slug.")


@extend_schema_field(CityRefSerializer)
class CityRefField(RefField):
    """A city: {"slug", "url", "name", "state"}; written as its slug."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", City.objects.all())
        super().__init__("api:city-detail", **kwargs)

    def to_representation(self, obj: Any) -> Any:
        state = obj.state.slug if obj.state_id else None
        return {**super().to_representation(obj), "name": obj.name, "state": state}


_YEAR, _MONTH, _DAY = r"[1-9]\d{3}", r"(0[1-9]|1[0-2])", r"(0[1-9]|[12]\d|3[01])"
_FULL = f"{_YEAR}-{_MONTH}-{_DAY}"
#: The forms a partial date takes (the calendar and an interval's order are
#: checked on reading: 2014-02-30 and 2014-10-23/2014-10-22 are refused).
PARTIAL_DATE_PATTERN = f"^({_YEAR}(-{_MONTH}(-{_DAY})?)?|{_FULL}/{_FULL})?$"


@extend_schema_field({"type": "string", "pattern": PARTIAL_DATE_PATTERN})
class PartialDateField(serializers.Field):
    """A date with its precision, as ISO 8601 reduced precision: "2011-11",
    "2012", "2004-07-21" or "2014-10-22/2014-10-23"; empty when unknown."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, agreement: Agreement) -> str:
        return agreement.signed.iso()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if data is not None and not isinstance(data, str):
            raise serializers.ValidationError(
                "Give the date as text: YYYY-MM-DD, YYYY-MM, YYYY or "
                "YYYY-MM-DD/YYYY-MM-DD."
            )
        try:
            signed = PartialDate.parse(data or "")
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None
        return {
            "signed_on": signed.start,
            "signed_on_end": signed.end,
            "signed_on_precision": signed.precision,
        }


class CountrySerializer(CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:country-detail",
        lookup_field="code",
        help_text="This record in the API.",
    )

    class Meta:
        model = Country
        fields = ["code", "url", "name_en", "name_es", "updated_at"]
        extra_kwargs = {
            "code": {"help_text": "ISO 3166-1 alpha-2 code in lower case."},
            "name_en": {"help_text": "Name in English."},
            "name_es": {"help_text": "Name in Spanish."},
            "updated_at": {"help_text": "Last change."},
        }


class StateSerializer(CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:state-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )
    country = RefField(
        "api:country-detail",
        slug_field="code",
        queryset=Country.objects.all(),
        help_text="The state's country (its ISO code).",
    )

    class Meta:
        model = State
        fields = ["slug", "url", "code", "name", "country", "updated_at"]
        extra_kwargs = {"updated_at": {"help_text": "Last change."}}


class TopicSerializer(CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:topic-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )

    class Meta:
        model = Topic
        fields = ["slug", "url", "name_en", "name_es", "updated_at"]
        extra_kwargs = {
            "slug": {
                "help_text": "Key used in URLs and filters (e.g. sexual-harassment)."
            },
            "name_en": {"help_text": "Name in English."},
            "name_es": {"help_text": "Name in Spanish."},
            "updated_at": {"help_text": "Last change."},
        }


class LawSerializer(CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:law-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )

    class Meta:
        model = Law
        fields = ["slug", "url", "short_name", "name_en", "name_es", "updated_at"]
        extra_kwargs = {
            "slug": {"help_text": "Key used in URLs and filters (e.g. flsa)."},
            "short_name": {"help_text": "Short name or acronym (e.g. FLSA)."},
            "name_en": {"help_text": "Full name in English."},
            "name_es": {"help_text": "Full name in Spanish."},
            "updated_at": {"help_text": "Last change."},
        }


class CitySerializer(SchemaStatedFieldsMixin, WithSourcesMixin, CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:city-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )
    html_url = PageUrlField(help_text="The city's page on the public site.")
    state = RefField(
        "api:state-detail",
        queryset=State.objects.all(),
        allow_null=True,
        required=False,
        help_text="The state (its slug).",
    )
    country = RefField(
        "api:country-detail",
        slug_field="code",
        queryset=Country.objects.all(),
        help_text="The country (its ISO code).",
    )
    sources = SourceSerializer(
        many=True, read_only=True, help_text="Where the facts come from."
    )
    source_urls = SourceUrlsField()

    class Meta:
        model = City
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
            "state",
            "country",
            "county",
            "gateway_type",
            "latitude",
            "longitude",
            "time_zone",
            "note",
            "sources",
            "source_urls",
            "updated_at",
        ]
        extra_kwargs = {
            "name": {"help_text": "The city's name."},
            "latitude": {"help_text": "Latitude (WGS 84), where known."},
            "longitude": {"help_text": "Longitude (WGS 84), where known."},
            "note": {"help_text": "Notes on the city's facts."},
            "updated_at": {"help_text": "Last change."},
        }


class AgencySerializer(CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:agency-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )
    html_url = PageUrlField(help_text="The agency's page on the public site.")
    country = RefField(
        "api:country-detail",
        slug_field="code",
        queryset=Country.objects.all(),
        help_text="The agency's country (its ISO code).",
    )
    parent = NamedRefField(  # type: ignore[assignment]  # DRF removes declared fields from the class
        "api:agency-detail",
        queryset=Agency.objects.all(),
        allow_null=True,
        required=False,
        help_text="The body it is part of (WHD and OSHA are part of DOL).",
    )

    contacts = ContactSerializer(
        many=True,
        read_only=True,
        help_text="Public contact points: national hotlines, which apply wherever "
        "the agency does.",
    )

    class Meta:
        model = Agency
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
            "acronym",
            "country",
            "level",
            "parent",
            "website",
            "contacts",
            "note",
            "updated_at",
        ]
        extra_kwargs = {
            "acronym": {"help_text": "Acronym, e.g. WHD."},
            "website": {"help_text": "Official website, where known."},
            "updated_at": {"help_text": "Last change."},
        }


class JurisdictionSerializer(serializers.ModelSerializer):
    state: serializers.SlugRelatedField[State] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The state's slug."
    )

    class Meta:
        model = Jurisdiction
        fields = ["state", "county", "is_partial", "valid_from", "valid_to", "note"]
        read_only_fields = fields


def first_value(owner: Any, kind: str) -> str:
    """The first public contact of `kind` (from the prefetched contacts)."""
    return next(
        (contact.value for contact in owner.contacts.all() if contact.kind == kind), ""
    )


class OfficeSerializer(WithSourcesMixin, CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:office-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )
    html_url = PageUrlField(help_text="The office's page on the public site.")
    agency = NamedRefField(
        "api:agency-detail",
        queryset=Agency.objects.all(),
        help_text="The office's agency.",
    )
    city = CityRefField(
        allow_null=True, required=False, help_text="Where the office is."
    )
    jurisdictions = JurisdictionSerializer(
        many=True,
        read_only=True,
        help_text="The states and counties the office serves.",
    )
    contacts = ContactSerializer(
        many=True,
        read_only=True,
        help_text="Public contact points: protection line, phone, e-mail, address.",
    )
    address = serializers.SerializerMethodField(
        help_text="The office's public street address, where one is on record "
        "(the first address of `contacts`)."
    )
    phone = serializers.SerializerMethodField(
        help_text="The office's public main phone in E.164, where one is on "
        "record (the first main phone of `contacts`)."
    )
    sources = SourceSerializer(
        many=True, read_only=True, help_text="Where the facts come from."
    )
    source_urls = SourceUrlsField()

    def get_address(self, office: Office) -> str:
        return first_value(office, ContactKind.ADDRESS)

    def get_phone(self, office: Office) -> str:
        return first_value(office, ContactKind.MAIN_PHONE)

    class Meta:
        model = Office
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
            "name_en",
            "name_es",
            "is_name_attested",
            "agency",
            "kind",
            "kind_note",
            "city",
            "address",
            "phone",
            "website",
            "active_from",
            "active_to",
            "jurisdictions",
            "contacts",
            "note",
            "sources",
            "source_urls",
            "updated_at",
        ]
        extra_kwargs = {"updated_at": {"help_text": "Last change."}}


class PartySerializer(serializers.ModelSerializer):
    """A party: an office (or, when no office is named, an agency) on one side."""

    office = OfficeRefField(
        allow_null=True,
        required=False,
        help_text="The signatory office; null if none is named.",
    )
    agency = NamedRefField(
        "api:agency-detail",
        queryset=Agency.objects.all(),
        allow_null=True,
        required=False,
        help_text="The party's agency (the office's agency, or the agency itself "
        "when no office is named). Write it only when no office is given.",
    )

    class Meta:
        model = Party
        fields = ["side", "office", "agency", "signer_name", "signer_title", "note"]

    def to_representation(self, party: Party) -> Any:
        data = super().to_representation(party)
        agency = party.party_agency
        data["agency"] = (
            self.fields["agency"].to_representation(agency) if agency else None
        )
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        party = Party(**attrs)
        try:
            party.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                getattr(error, "message_dict", None) or error.messages
            ) from None
        return attrs


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["url", "language", "kind", "title", "note"]
        read_only_fields = fields


class CitationSerializer(serializers.ModelSerializer):
    """One of an agreement's sources; `is_primary` marks the one it was built from."""

    url = serializers.CharField(
        source="source.url", help_text="Where the facts were read."
    )
    title = serializers.CharField(
        source="source.title", help_text="Title, where known."
    )
    publisher = serializers.CharField(source="source.publisher", help_text="Publisher.")
    published_on = serializers.DateField(
        source="source.published_on",
        allow_null=True,
        help_text="Publication date, where known.",
    )
    archive_url = serializers.CharField(
        source="source.archive_url",
        help_text="The web archive's copy that was read, when the page itself was not.",
    )
    reliability = serializers.CharField(
        source="source.reliability",
        help_text="high, medium_high, medium, low or unrated.",
    )
    supports = serializers.CharField(
        help_text="The facts read in this source, e.g. “signing date, term”."
    )
    quote = serializers.CharField(
        help_text="The source's own words in which the facts were read (at most 25 words)."
    )

    class Meta:
        model = AgreementSource
        fields = [
            "url",
            "title",
            "publisher",
            "published_on",
            "archive_url",
            "reliability",
            "is_primary",
            "supports",
            "quote",
            "note",
        ]
        read_only_fields = fields


class TranslatedByRegistryField(serializers.ListField):
    """The texts of a record the registry translated, as a list of field
    names (stored comma-separated); every other text is as its sources give it."""

    def __init__(self, model: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "The texts the registry translated (field names); the others are "
            "as their sources give them. A text named here may not be empty.",
        )
        names = model.translatable_fields()
        super().__init__(
            child=serializers.ChoiceField(choices=names),
            max_length=len(names),
            **kwargs,
        )

    def to_representation(self, data: Any) -> list[str]:
        return [name for name in (data or "").split(",") if name]

    def to_internal_value(self, data: Any) -> str:  # type: ignore[override]
        return ",".join(dict.fromkeys(super().to_internal_value(data)))


class AgreementSerializer(CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:agreement-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )
    html_url = PageUrlField(help_text="The agreement's page on the public site.")
    signed_on = PartialDateField(
        help_text="Signing date as precise as known: YYYY-MM-DD, YYYY-MM, YYYY, an "
        "interval YYYY-MM-DD/YYYY-MM-DD, or empty when unknown."
    )
    signed_on_precision = serializers.ChoiceField(
        choices=DatePrecision.choices,
        read_only=True,
        help_text="How precisely the signing date is known.",
    )
    expires = serializers.SerializerMethodField(
        help_text="Expiry as precise as known (stated, or derived from the term); "
        "an interval when the signing date is a month or a year; empty when unknown."
    )
    status = serializers.ChoiceField(
        choices=Agreement.Status.choices,
        read_only=True,
        help_text="Derived today from the dates and published renewals.",
    )
    framework = DraftAwareRefField(
        "api:agreement-detail",
        queryset=Agreement.objects.all(),
        allow_null=True,
        required=False,
        help_text="The national instrument this one rests on.",
    )
    renews = DraftAwareRefField(
        "api:agreement-detail",
        queryset=Agreement.objects.all(),
        allow_null=True,
        required=False,
        help_text="The agreement this one renews.",
    )
    renewed_by = serializers.SerializerMethodField(
        help_text="The agreement that renews this one."
    )
    parties = PartySerializer(
        many=True, required=False, help_text="The signatory parties."
    )
    laws = RefField(
        "api:law-detail",
        queryset=Law.objects.all(),
        many=True,
        required=False,
        help_text="Laws the agreement covers.",
    )
    topics = RefField(
        "api:topic-detail",
        queryset=Topic.objects.all(),
        many=True,
        required=False,
        help_text="Topics of the agreement.",
    )
    documents = DocumentSerializer(
        many=True,
        read_only=True,
        help_text="Texts, translations and releases, by language.",
    )
    sources = CitationSerializer(
        source="citations",
        many=True,
        read_only=True,
        help_text="Where the facts come from.",
    )
    source_urls = SourceUrlsField()
    translated_by_registry = TranslatedByRegistryField(Agreement)

    class Meta:
        model = Agreement
        fields = [
            "slug",
            "url",
            "html_url",
            "title_en",
            "title_es",
            "kind",
            "instrument_as_named",
            "scope",
            "signed_on",
            "signed_on_precision",
            "signed_on_note",
            "term_months",
            "expires_on",
            "is_open_ended",
            "is_concluded",
            "term_note",
            "expires",
            "status",
            "framework",
            "renews",
            "renewed_by",
            "parties",
            "laws",
            "topics",
            "summary_en",
            "summary_es",
            "translated_by_registry",
            "note",
            "documents",
            "sources",
            "source_urls",
            "is_published",
            "updated_at",
        ]
        extra_kwargs = {
            "title_en": {"help_text": "Title in English."},
            "summary_en": {"help_text": "What the agreement covers, in English."},
            "summary_es": {"help_text": "What the agreement covers, in Spanish."},
            "updated_at": {"help_text": "Last change of the agreement's own fields."},
        }

    def get_expires(self, agreement: Agreement) -> str:
        return agreement.expiry.iso()

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_renewed_by(self, agreement: Agreement) -> Any:
        renewal = getattr(agreement, "renewal", None)
        if renewal is None:
            return None
        return self.fields["renews"].to_representation(renewal)

    def validate_parties(self, parties: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen = set()
        for party in parties:
            key = party.get("office") or party.get("agency")
            if key in seen:
                raise serializers.ValidationError(f"{key} is named twice.")
            seen.add(key)
        return parties

    def create(self, validated_data: dict[str, Any]) -> Agreement:
        return self.save_with_children(Agreement(), validated_data, creating=True)

    def update(self, instance: Agreement, validated_data: dict[str, Any]) -> Agreement:
        return self.save_with_children(instance, validated_data, creating=False)

    def save_with_children(
        self, agreement: Agreement, data: dict[str, Any], *, creating: bool
    ) -> Agreement:
        """The agreement with its lists, parties and sources, through the
        registry's one write for them (registry.services.save_agreement). A
        new agreement without parties or sources gets none; a change leaves
        out what the request leaves out."""
        user = getattr(self.context.get("request"), "user", None)
        parties = data.pop("parties", [] if creating else None)
        keys = data.pop("source_urls", [] if creating else None)
        lists: dict[str, Any] = {
            name: data.pop(name) for name in ("laws", "topics") if name in data
        }
        for name, value in data.items():
            setattr(agreement, name, value)
        with transaction.atomic():
            return save_agreement(
                agreement=agreement,
                lists=lists,
                parties=None
                if parties is None
                else [Party(**party) for party in parties],
                sources=None if keys is None else sources_for(keys=keys, by=user),
                by=user,
            )
