"""JSON representations of the registry's collections (read and write)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opendata.api import (
    CleanModelSerializer,
    DraftAwareRefField,
    NamedRefField,
    PageUrlField,
    RefField,
    RefSerializer,
    SourceSerializer,
    SourceUrlsField,
    save_sources,
)
from outreach.models import Topic

from .dates import DatePrecision, PartialDate
from .models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Country,
    Document,
    Jurisdiction,
    Law,
    Office,
    Party,
    State,
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


@extend_schema_field(OpenApiTypes.STR)
class PartialDateField(serializers.Field):
    """A date with its precision, as ISO 8601 reduced precision: "2011-11",
    "2012", "2004-07-21" or "2014-10-22/2014-10-23"; empty when unknown."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, agreement: Agreement) -> str:
        return agreement.signed.iso()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        try:
            signed = PartialDate.parse(str(data) if data is not None else "")
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


class CitySerializer(CleanModelSerializer):
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

    def create(self, validated_data: dict[str, Any]) -> City:
        sources = save_sources(validated_data.pop("source_urls", []))
        city = super().create(validated_data)
        city.sources.set(sources)
        return city

    def update(self, instance: City, validated_data: dict[str, Any]) -> City:
        sources = validated_data.pop("source_urls", None)
        city = super().update(instance, validated_data)
        if sources is not None:
            city.sources.set(save_sources(sources))
        return city


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


class OfficeSerializer(CleanModelSerializer):
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
    sources = SourceSerializer(
        many=True, read_only=True, help_text="Where the facts come from."
    )
    source_urls = SourceUrlsField()

    class Meta:
        model = Office
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
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
            "note",
            "sources",
            "source_urls",
            "updated_at",
        ]
        extra_kwargs = {"updated_at": {"help_text": "Last change."}}

    def create(self, validated_data: dict[str, Any]) -> Office:
        sources = save_sources(validated_data.pop("source_urls", []))
        office = super().create(validated_data)
        office.sources.set(sources)
        return office

    def update(self, instance: Office, validated_data: dict[str, Any]) -> Office:
        sources = validated_data.pop("source_urls", None)
        office = super().update(instance, validated_data)
        if sources is not None:
            office.sources.set(save_sources(sources))
        return office


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
    reliability = serializers.CharField(
        source="source.reliability",
        help_text="high, medium_high, medium, low or unrated.",
    )

    class Meta:
        model = AgreementSource
        fields = ["url", "title", "publisher", "reliability", "is_primary", "note"]
        read_only_fields = fields


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

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> Agreement:
        parties = validated_data.pop("parties", [])
        sources = save_sources(validated_data.pop("source_urls", []))
        agreement = super().create(validated_data)
        self.save_children(agreement, parties, sources)
        return agreement

    @transaction.atomic
    def update(self, instance: Agreement, validated_data: dict[str, Any]) -> Agreement:
        parties = validated_data.pop("parties", None)
        sources = validated_data.pop("source_urls", None)
        agreement = super().update(instance, validated_data)
        self.save_children(
            agreement, parties, save_sources(sources) if sources is not None else None
        )
        return agreement

    @staticmethod
    def save_children(
        agreement: Agreement,
        parties: list[dict[str, Any]] | None,
        sources: list[Any] | None,
    ) -> None:
        if parties is not None:
            agreement.parties.all().delete()
            for position, party in enumerate(parties):
                Party.objects.create(agreement=agreement, position=position, **party)
        if sources is not None:
            agreement.citations.exclude(source__in=sources).delete()
            for position, source in enumerate(sources):
                AgreementSource.objects.update_or_create(
                    agreement=agreement,
                    source=source,
                    defaults={"is_primary": position == 0},
                )
