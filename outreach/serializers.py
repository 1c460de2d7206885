"""JSON representations of the outreach collections (read and write)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from collection.api import CleanModelSerializer, NamedRefField, PageUrlField, RefField
from registry.models import Agency, Topic
from registry.serializers import (
    CityRefField,
    ContactSerializer,
    OfficeRefField,
    SchemaStatedFieldsMixin,
    SourceSerializer,
    SourceUrlsField,
    TranslatedByRegistryField,
    WithSourcesMixin,
)

from .models import (
    Edition,
    Event,
    Organization,
    Outcome,
    Programme,
    validate_event_time,
)


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
    translated_by_registry = TranslatedByRegistryField(Edition)

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
            "translated_by_registry",
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
    contacts = ContactSerializer(
        many=True, read_only=True, help_text="Public contact points: its hotline."
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
            "contacts",
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
            "website": {"help_text": "Website, where known."},
            "updated_at": {"help_text": "Last change."},
        }


#: An event's date and time as the schema states it: RFC 3339 in the years
#: 2000–2099 (outreach.models.EVENT_YEARS, with a year's slack for offsets).
@extend_schema_field({"type": "string", "format": "date-time", "pattern": r"^20\d\d-"})
class EventTimeField(serializers.DateTimeField):
    """A date and time with its offset, e.g. 2026-08-31T10:00:00-05:00."""


#: Event.LANGUAGES' codes, comma-separated.
_CODES = "|".join(code for code, _label in Event.LANGUAGES)
LANGUAGES_PATTERN = rf"^(?:{_CODES})(?:,(?:{_CODES}))*$"  # or empty: allow_blank


class EventSerializer(SchemaStatedFieldsMixin, WithSourcesMixin, CleanModelSerializer):
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
    translated_by_registry = TranslatedByRegistryField(Event)
    languages = serializers.RegexField(
        LANGUAGES_PATTERN,
        max_length=50,
        required=False,
        allow_blank=True,
        help_text="The languages it is held in: codes, comma-separated, "
        f"among {', '.join(code for code, _label in Event.LANGUAGES)} (e.g. “es,en”).",
    )

    def build_standard_field(self, field_name: str, model_field: Any) -> Any:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if validate_event_time in getattr(model_field, "validators", ()):
            field_class = EventTimeField
        return field_class, kwargs

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
            "translated_by_registry",
            "registration_url",
            "attendance",
            "note",
            "sources",
            "source_urls",
            "is_published",
            "updated_at",
        ]
        extra_kwargs = {
            "title_en": {
                "help_text": "Title in English. An event needs a title in English "
                "or in Spanish (title_es)."
            },
            "venue": {"help_text": "Where in the city, where known."},
            "starts_at": {
                "help_text": "Start (ISO 8601 with offset); null when no source gives it."
            },
            "ends_at": {"help_text": "End (ISO 8601 with offset)."},
            "description_en": {"help_text": "What happens, in English."},
            "description_es": {"help_text": "What happens, in Spanish."},
            "updated_at": {"help_text": "Last change."},
        }


# Find help near me (GET /api/v1/help/) -------------------------------------


class HelpPlaceSerializer(serializers.Serializer):
    zip_code = serializers.CharField(help_text="The ZIP code asked, if any.")
    city = serializers.CharField(help_text="The ZIP code's post-office city, if any.")
    state = serializers.CharField(help_text="The state's slug (lower-case code).")
    county = serializers.CharField(help_text="The county's name, without “County”.")


class HelpOfficeSerializer(serializers.Serializer):
    office = OfficeRefField(read_only=True, queryset=None, help_text="The office.")
    html_url = serializers.SerializerMethodField(help_text="Its page on the site.")
    basis = serializers.ChoiceField(
        choices=["county", "state", "nearest"],
        help_text="county: its jurisdiction names the county; state: it serves the "
        "whole state; nearest: the nearest office of the state, its exact service "
        "area is not on record.",
    )
    contacts = ContactSerializer(many=True, help_text="Its public contact points.")

    def get_html_url(self, serving: Any) -> str:
        request = self.context.get("request")
        path = serving.office.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class HelpHotlineSerializer(ContactSerializer):
    agency = NamedRefField(
        "api:agency-detail", read_only=True, help_text="Whose line it is."
    )


class HelpAgreementSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="The agreement's key.")
    url = serializers.HyperlinkedIdentityField(
        view_name="api:agreement-detail",
        lookup_field="slug",
        help_text="The agreement in this API.",
    )
    html_url = PageUrlField(help_text="Its page on the site.")
    title = serializers.CharField(help_text="Title in the request's language.")
    signed_on = serializers.SerializerMethodField(
        help_text="Signing date as precise as known."
    )
    status = serializers.CharField(help_text="Derived status, today.")

    def get_signed_on(self, agreement: Any) -> str:
        return str(agreement.signed.iso())


class HelpAgreementsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many there are in all.")
    results = HelpAgreementSerializer(many=True, help_text="The newest few.")


class HelpEventSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="The event's key.")
    url = serializers.HyperlinkedIdentityField(
        view_name="api:event-detail",
        lookup_field="slug",
        help_text="The event in this API.",
    )
    html_url = PageUrlField(help_text="Its page on the site.")
    title = serializers.CharField(help_text="Title in the request's language.")
    starts_at = serializers.DateTimeField(allow_null=True, help_text="Start.")
    city = CityRefField(read_only=True, queryset=None, help_text="Where it is.")


class HelpProgrammeSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="The programme's key.")
    url = serializers.HyperlinkedIdentityField(
        view_name="api:programme-detail",
        lookup_field="slug",
        help_text="The programme in this API.",
    )
    name = serializers.CharField(help_text="Its name.")


class HelpAnswerSerializer(serializers.Serializer):
    place = HelpPlaceSerializer(help_text="The county the answer is for.")
    on = serializers.DateField(source="day", help_text="The day the answer holds for.")
    consulates = HelpOfficeSerializer(
        many=True, help_text="The consulates serving the place, one per country."
    )
    agency_offices = HelpOfficeSerializer(
        many=True, help_text="US labour agency offices serving it, one per agency."
    )
    hotlines = HelpHotlineSerializer(
        many=True,
        help_text="National lines that apply there (WHD, OSHA, EEOC, NLRB, CIAM).",
    )
    local_agreements = serializers.SerializerMethodField(
        help_text="Local and regional agreements of those offices."
    )
    national_agreements = serializers.SerializerMethodField(
        help_text="National agreements of the consulates' countries."
    )
    upcoming_events = HelpEventSerializer(
        many=True, help_text="Upcoming events near by."
    )
    recent_events = HelpEventSerializer(
        many=True, help_text="The most recent past events near by."
    )
    programmes = HelpProgrammeSerializer(many=True, help_text="Year-round programmes.")

    @extend_schema_field(HelpAgreementsSerializer)
    def get_local_agreements(self, answer: Any) -> dict[str, Any]:
        return self._agreements(answer.local_agreement_count, answer.local_agreements)

    @extend_schema_field(HelpAgreementsSerializer)
    def get_national_agreements(self, answer: Any) -> dict[str, Any]:
        return self._agreements(
            answer.national_agreement_count, answer.national_agreements
        )

    def _agreements(self, count: int, rows: list[Any]) -> dict[str, Any]:
        return {
            "count": count,
            "results": HelpAgreementSerializer(
                rows, many=True, context=self.context
            ).data,
        }


class HelpSerializer(serializers.Serializer):
    """The answer to "whom do I call, and what covers me, where I live"."""

    choices = HelpPlaceSerializer(
        many=True,
        help_text="When a ZIP code covers several counties: ask again with one of "
        "them (?state=&county=). Empty otherwise.",
    )
    answer = HelpAnswerSerializer(
        allow_null=True, help_text="The answer; null when `choices` is not empty."
    )
