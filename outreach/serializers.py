"""JSON representations of the outreach collections (read and write)."""

from __future__ import annotations

from rest_framework import serializers

from collection.api import CleanModelSerializer, NamedRefField, PageUrlField, RefField
from registry.models import Agency, Topic
from registry.serializers import (
    CityRefField,
    OfficeRefField,
    SourceSerializer,
    SourceUrlsField,
    WithSourcesMixin,
)

from .models import Edition, Event, Organization, Outcome, Programme


class OutcomeSerializer(serializers.ModelSerializer):
    """A reported figure with its source; conflicting figures are all listed."""

    source = SourceSerializer(  # type: ignore[assignment]  # a field, not Field.source
        read_only=True, help_text="Where the figure comes from."
    )

    class Meta:
        model = Outcome
        fields = ["metric", "qualifier", "value", "year", "note", "source"]
        read_only_fields = fields


class EditionSerializer(WithSourcesMixin, CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:edition-detail",
        lookup_field="year",
        help_text="This record in the API.",
    )
    html_url = PageUrlField(help_text="The edition's page on the public site.")
    outcomes = OutcomeSerializer(
        many=True,
        read_only=True,
        help_text="Figures reported for the week, with sources.",
    )
    sources = SourceSerializer(
        many=True, read_only=True, help_text="Where the facts come from."
    )
    source_urls = SourceUrlsField()

    class Meta:
        model = Edition
        fields = [
            "year",
            "url",
            "html_url",
            "number",
            "starts_on",
            "ends_on",
            "theme_en",
            "theme_es",
            "theme_note",
            "note",
            "outcomes",
            "sources",
            "source_urls",
            "updated_at",
        ]
        extra_kwargs = {
            "starts_on": {"help_text": "First day, where known."},
            "ends_on": {"help_text": "Last day, where known."},
            "updated_at": {"help_text": "Last change."},
        }


class OrganizationSerializer(WithSourcesMixin, CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:organization-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )
    city = CityRefField(allow_null=True, required=False, help_text="Where it is based.")
    sources = SourceSerializer(
        many=True, read_only=True, help_text="Where the facts come from."
    )
    source_urls = SourceUrlsField()

    class Meta:
        model = Organization
        fields = [
            "slug",
            "url",
            "name",
            "acronym",
            "kind",
            "city",
            "website",
            "note",
            "sources",
            "source_urls",
            "updated_at",
        ]
        extra_kwargs = {
            "slug": {"help_text": "Key used in URLs and filters."},
            "name": {"help_text": "The organisation's name."},
            "acronym": {"help_text": "Acronym, where used."},
            "website": {"help_text": "Website, where known."},
            "updated_at": {"help_text": "Last change."},
        }


class ProgrammeSerializer(WithSourcesMixin, CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:programme-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )
    city = CityRefField(allow_null=True, required=False, help_text="Where it runs.")
    offices = OfficeRefField(
        many=True, required=False, help_text="Offices taking part."
    )
    agencies = NamedRefField(
        "api:agency-detail",
        queryset=Agency.objects.all(),
        many=True,
        required=False,
        help_text="Agencies taking part when no particular office is named.",
    )
    organizations = NamedRefField(
        "api:organization-detail",
        queryset=Organization.objects.all(),
        many=True,
        required=False,
        help_text="Partner organisations.",
    )
    outcomes = OutcomeSerializer(
        many=True, read_only=True, help_text="Reported results."
    )
    sources = SourceSerializer(
        many=True, read_only=True, help_text="Where the facts come from."
    )
    source_urls = SourceUrlsField()

    class Meta:
        model = Programme
        fields = [
            "slug",
            "url",
            "name",
            "kind",
            "city",
            "started_in",
            "description_en",
            "description_es",
            "offices",
            "agencies",
            "organizations",
            "phone",
            "website",
            "note",
            "outcomes",
            "sources",
            "source_urls",
            "updated_at",
        ]
        extra_kwargs = {
            "slug": {"help_text": "Key used in URLs and filters."},
            "name": {"help_text": "The programme's name."},
            "description_en": {"help_text": "What it does, in English."},
            "description_es": {"help_text": "What it does, in Spanish."},
            "phone": {"help_text": "Phone number, where known."},
            "website": {"help_text": "Website, where known."},
            "updated_at": {"help_text": "Last change."},
        }


class EventSerializer(WithSourcesMixin, CleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:event-detail",
        lookup_field="slug",
        help_text="This record in the API.",
    )
    html_url = PageUrlField(help_text="The event's page on the public site.")
    edition = RefField(
        "api:edition-detail",
        slug_field="year",
        queryset=Edition.objects.all(),
        allow_null=True,
        required=False,
        help_text="The Labor Rights Week edition (its year); null for year-round events.",
    )
    host_office = OfficeRefField(
        allow_null=True,
        required=False,
        help_text="The hosting office, usually the consulate.",
    )
    offices = OfficeRefField(
        many=True, required=False, help_text="Participating offices."
    )
    agencies = NamedRefField(
        "api:agency-detail",
        queryset=Agency.objects.all(),
        many=True,
        required=False,
        help_text="Participating agencies when no particular office is named.",
    )
    organizations = NamedRefField(
        "api:organization-detail",
        queryset=Organization.objects.all(),
        many=True,
        required=False,
        help_text="Partner organisations.",
    )
    city = CityRefField(
        allow_null=True, required=False, help_text="Where it takes place."
    )
    topics = RefField(
        "api:topic-detail",
        queryset=Topic.objects.all(),
        many=True,
        required=False,
        help_text="Topics of the event.",
    )
    sources = SourceSerializer(
        many=True, read_only=True, help_text="Where the facts come from."
    )
    source_urls = SourceUrlsField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "url",
            "html_url",
            "edition",
            "title_en",
            "title_es",
            "kind",
            "status",
            "mode",
            "host_office",
            "offices",
            "agencies",
            "organizations",
            "city",
            "venue",
            "starts_at",
            "ends_at",
            "is_all_day",
            "time_zone",
            "date_note",
            "languages",
            "topics",
            "description_en",
            "description_es",
            "registration_url",
            "attendance",
            "note",
            "sources",
            "source_urls",
            "is_published",
            "updated_at",
        ]
        extra_kwargs = {
            "title_en": {"help_text": "Title in English."},
            "venue": {"help_text": "Where in the city, where known."},
            "starts_at": {
                "help_text": "Start (ISO 8601 with offset); null when no source gives it."
            },
            "ends_at": {"help_text": "End (ISO 8601 with offset)."},
            "description_en": {"help_text": "What happens, in English."},
            "description_es": {"help_text": "What happens, in Spanish."},
            "updated_at": {"help_text": "Last change."},
        }
