"""Curators' admin for Labor Rights Week, events, programmes and partners."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from collection.admin import AutocompleteInline, CuratorAdmin
from collection.roles import curates_everything
from registry.admin import ContactInline
from registry.models import Office

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
    prepopulated_fields = {"slug": ["title_en"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title_en",
                    "title_es",
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
                    "description_en",
                    "description_es",
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
            kwargs["empty_label"] = None if len(offices) == 1 else "---------"
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Outcome)
class OutcomeAdmin(CuratorAdmin):
    resource_classes = [resources.OutcomeResource]
    list_display = ["metric", "qualifier", "value", "year", "edition", "programme"]
    list_filter = ["metric", "edition"]
    list_select_related = ["edition", "programme"]
    search_fields = ["note", "source__url"]
    autocomplete_fields = ["edition", "programme", "source"]
