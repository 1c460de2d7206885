"""Curators' admin for Labor Rights Week, events, programmes and partners."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collection.admin import AutocompleteInline, CheckboxListField, CuratorAdmin
from collection.roles import curates_everything
from registry.admin import ContactInline
from registry.models import City, Office
from registry.models.places import TIME_ZONES

from . import resources
from .models import (
    Edition,
    Event,
    Organization,
    Outcome,
    Programme,
    ProgrammeContact,
)


class OutcomeInline(AutocompleteInline):
    model = Outcome
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["metric", "qualifier", "value", "year", "source", "note"]


@admin.register(Edition)
class EditionAdmin(CuratorAdmin):
    resource_classes = [resources.EditionResource]
    list_display = ["year", "number", "starts_on", "ends_on", "theme_en", "theme_es"]
    search_fields = ["year", "theme_en", "theme_es", "note"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["sources"]
    inlines = [OutcomeInline]


@admin.register(Organization)
class OrganizationAdmin(CuratorAdmin):
    resource_classes = [resources.OrganizationResource]
    list_display = ["name", "acronym", "kind", "city"]
    list_filter = ["kind"]
    list_select_related = ["city__state"]
    search_fields = ["name", "acronym", "slug"]
    autocomplete_fields = ["city", "sources"]
    prepopulated_fields = {"slug": ["name"]}


class ProgrammeContactInline(ContactInline):
    model = ProgrammeContact  # type: ignore[assignment]


@admin.register(ProgrammeContact)
class ProgrammeContactAdmin(CuratorAdmin):
    resource_classes = [resources.ProgrammeContactResource]
    list_display = ["value", "kind", "programme", "as_of", "standing", "is_published"]
    list_filter = ["standing", "is_published", "kind"]
    list_select_related = ["programme", "source"]
    search_fields = ["value", "label_en", "label_es", "programme__name"]
    autocomplete_fields = ["programme", "source"]


@admin.register(Programme)
class ProgrammeAdmin(CuratorAdmin):
    resource_classes = [resources.ProgrammeResource]
    list_display = ["name", "kind", "city", "started_in"]
    list_filter = ["kind"]
    list_select_related = ["city__state"]
    search_fields = ["name", "slug", "description_en", "description_es"]
    autocomplete_fields = ["city", "offices", "agencies", "organizations", "sources"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProgrammeContactInline, OutcomeInline]


@admin.register(Event)
class EventAdmin(CuratorAdmin):
    """Events: curators see them all; an event editor sees, adds, changes,
    imports and exports the events of their own offices only, and another
    office's event is not found (404), its history included."""

    resource_classes = [resources.EventResource]

    list_display = [
        "title_en",
        "starts_at",
        "city",
        "host_office",
        "edition",
        "kind",
        "status",
        "mode",
        "is_published",
    ]
    list_filter = ["status", "mode", "kind", "is_published", "edition"]
    list_select_related = ["city__state", "host_office", "edition"]
    search_fields = [
        "title_en",
        "title_es",
        "slug",
        "venue",
        "city__name",
        "host_office__name",
    ]
    date_hierarchy = "starts_at"
    autocomplete_fields = [
        "edition",
        "host_office",
        "offices",
        "agencies",
        "organizations",
        "city",
        "topics",
        "sources",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title_es",
                    "title_en",
                    "slug",
                    "edition",
                    "kind",
                    "status",
                    "mode",
                ]
            },
        ),
        (
            _("When and where"),
            {
                "fields": [
                    "starts_at",
                    "ends_at",
                    "is_all_day",
                    "time_zone",
                    "date_note",
                    "city",
                    "venue",
                ]
            },
        ),
        (_("Who"), {"fields": ["host_office", "offices", "agencies", "organizations"]}),
        (
            _("Content"),
            {
                "fields": [
                    "languages",
                    "topics",
                    "description_es",
                    "description_en",
                    "translated_by_registry",
                    "registration_url",
                    "attendance",
                    "note",
                    "sources",
                ]
            },
        ),
        (_("Publication"), {"fields": ["is_published"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return super().get_queryset(request).editable_by(request.user)

    def formfield_for_dbfield(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "languages":
            return CheckboxListField(
                choices=Event.LANGUAGES,
                required=False,
                label=db_field.verbose_name,
                help_text=_("The languages the event is held in."),
            )
        if db_field.name == "time_zone":
            return forms.ChoiceField(
                choices=[("", _("The city's (or the host office's city's)"))]
                + [(name, name) for name in TIME_ZONES],
                required=False,
                label=db_field.verbose_name,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        """The form's times are the event's local times: shown and read in
        its time zone, not the server's."""
        with timezone.override(ZoneInfo(self.form_time_zone(request, object_id))):
            response = super().changeform_view(
                request, object_id, form_url, extra_context
            )
            if hasattr(response, "render"):
                response.render()  # here, not after: the times shown are local too
            return response

    def form_time_zone(self, request: HttpRequest, object_id: str | None) -> str:
        """The time zone chosen in the form, else the city's or the host
        office's (posted, or the event's, or the editor's office's)."""
        posted = request.POST if request.method == "POST" else {}
        if posted.get("time_zone") in TIME_ZONES:
            return posted["time_zone"]
        event = Event()
        if posted:
            # Ids that name nothing are the form's to refuse; here they are none.
            event.city = City.objects.filter(pk=_pk(posted.get("city"))).first()
            event.host_office = (
                Office.objects.filter(pk=_pk(posted.get("host_office")))
                .select_related("city")
                .first()
            )
        elif object_id is not None:
            found = self.get_queryset(request).filter(pk=_pk(unquote(object_id)))
            event = found.first() or event
            if event.time_zone:
                return event.time_zone
        else:
            initial = self.get_changeform_initial_data(request)
            if initial.get("time_zone"):
                return str(initial["time_zone"])
        return event.place_time_zone() or settings.TIME_ZONE

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new event starts at the editor's own office (the first, if they
        act for several) and in its city's time zone."""
        initial = super().get_changeform_initial_data(request)
        if "host_office" not in initial and not curates_everything(request.user):
            office = (
                Office.objects.for_member(request.user)
                .select_related("city")
                .order_by("name")
                .first()
            )
            if office is not None:
                initial["host_office"] = office.pk
                if office.city is not None:
                    initial.setdefault("city", office.city.pk)
                    initial.setdefault("time_zone", office.city.time_zone)
        return initial

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Event | None:
        event = super().get_object(request, object_id, from_field)
        if event is None:
            raise Http404(_("No event you may change has this ID."))
        return event

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> Any:
        self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: Any = None,
    ) -> Any:
        self.get_object(request, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        fields = list(super().get_autocomplete_fields(request))
        if not curates_everything(request.user):
            fields.remove("host_office")  # a short list of their own offices
        return fields

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "host_office" and not curates_everything(request.user):
            offices = Office.objects.for_member(request.user).select_related("agency")
            kwargs["queryset"] = offices
            kwargs["required"] = True
            kwargs["empty_label"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _pk(value: Any) -> int:
    """A posted or quoted primary key, or 0 (no record's) if it is not one
    (a number too big for the database is none either)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


@admin.register(Outcome)
class OutcomeAdmin(CuratorAdmin):
    resource_classes = [resources.OutcomeResource]
    list_display = [
        "metric",
        "qualifier",
        "value",
        "year",
        "edition",
        "programme",
        "agreement",
    ]
    list_filter = ["metric", "edition"]
    list_select_related = ["edition", "programme", "agreement"]
    search_fields = ["note", "source__url", "agreement__title_en"]
    autocomplete_fields = ["edition", "programme", "agreement", "source"]
