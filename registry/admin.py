"""Curators' admin for the registry app."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Count, Model, QuerySet
from django.forms import BaseInlineFormSet, Form
from django.http import HttpRequest, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords, ModelChange, ModelDelta

from .history import list_field, m2m_field_names
from .models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    CorrectionReport,
    Country,
    Document,
    Jurisdiction,
    Law,
    Office,
    Party,
    Source,
    State,
)
from .services import COLLECTIONS, ImportFailed, result_errors, summary

#: Links typed without a scheme are https (Django 6.0's default, adopted now).
URL_FIELDS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


def related(record: Any, field: models.Field[Any, Any]) -> Any:
    """A history row's value of a field; a foreign key as its object (fetched
    with the row), or None when that object is gone."""
    if not field.is_relation:
        return getattr(record, field.attname)
    try:
        return getattr(record, field.name)
    except ObjectDoesNotExist:
        return None


class SizeLimitedImportForm(ImportForm):
    """The import form, refusing files over IMPORT_MAX_UPLOAD_SIZE bytes."""

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_UPLOAD_SIZE
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; files up to %(limit)s can be imported.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class SpreadsheetMixin(ImportExportMixin):
    """Import and export in the registry's file format (registry.resources),
    for those with the import_<model> and export_<model> permissions. Imports
    run as the curator (history, scoping), show a dry-run preview, and name
    every bad row by its spreadsheet row (the header is row 1)."""

    import_form_class = SizeLimitedImportForm
    import_template_name = "admin/registry/import.html"
    import_error_display = ("message",)

    @property
    def formats(self) -> list[Any]:
        return [base_formats.CSV, base_formats.XLSX, base_formats.JSON]

    def collection(self) -> str | None:
        for name, resource in COLLECTIONS.items():
            if resource._meta.model is self.model:
                return name
        return None

    def get_resource_classes(self, request: HttpRequest) -> list[Any]:
        name = self.collection()
        return [COLLECTIONS[name]] if name else []

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.collection() is not None and super().has_import_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.collection() is not None and super().has_export_permission(request)

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> Any:
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "user": request.user,
        }

    def import_action(self, request: HttpRequest, **kwargs: Any) -> Any:
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None:
            response.context_data["row_errors"] = result_errors(result)
            response.context_data["preview_rows"] = [
                (number, row) for number, row in enumerate(result.rows[:500], start=2)
            ]
            response.context_data["summary"] = summary(self.collection() or "", result)
        return response

    def process_result(self, result: Any, request: HttpRequest) -> Any:
        """After the confirmation: if the file no longer imports (the data
        changed since the preview), nothing was saved; say which rows."""
        errors = result_errors(result)
        if errors:
            messages.error(request, str(ImportFailed(self.collection() or "", errors)))
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
            )
        messages.success(request, summary(self.collection() or "", result))
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )


class CuratorAdmin(SpreadsheetMixin, SimpleHistoryAdmin):
    """Base for every model admin of the registry: spreadsheets, and the
    history of every change with its old and new values."""

    formfield_overrides = URL_FIELDS

    def set_history_delta_changes(
        self,
        request: HttpRequest,
        historical_records: Any,
        foreign_keys_are_objs: bool = True,
    ) -> None:
        """What changed between consecutive history rows of a page, from rows
        fetched once: the library asks the database again per row and per
        many-to-many list, so long histories would cost hundreds of queries."""
        records = list(historical_records)
        if len(records) < 2:
            return
        tracked = type(records[0]).tracked_fields
        lists: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for name in m2m_field_names(self.model):
            field = list_field(self.model, name)
            target = field.m2m_reverse_field_name()
            rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for row in (
                HistoricalRecords.m2m_models[field]
                .objects.filter(history__in=records)
                .select_related(target)
                .order_by(f"{target}_id")
            ):
                rows[row.history_id].append({target: getattr(row, target)})
            lists[name] = rows
        for newer, older in zip(records, records[1:], strict=False):
            changes = [
                ModelChange(field.name, related(older, field), related(newer, field))
                for field in tracked
                if getattr(older, field.attname) != getattr(newer, field.attname)
            ]
            for name, rows in lists.items():
                old, new = rows[older.pk], rows[newer.pk]
                if [list(r.values())[0].pk for r in old] != [
                    list(r.values())[0].pk for r in new
                ]:
                    changes.append(ModelChange(name, old, new))
            delta = ModelDelta(changes, [c.field for c in changes], older, newer)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(delta)


class PrefetchedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that labels its selected object from objects its formset
    fetched once, instead of one query per inline row."""

    prefetched: dict[str, Model] | None = None

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        selected = {
            str(v) for v in value if str(v) not in self.choices.field.empty_values
        }
        if self.prefetched is None or not selected <= self.prefetched.keys():
            return super().optgroups(name, value, attr)
        groups = super().optgroups(name, [], attr)  # an empty filter runs no query
        options = groups[0][1]
        for key in sorted(selected):
            label = self.choices.field.label_from_instance(self.prefetched[key])
            options.append(self.create_option(name, key, label, True, len(options)))
        return groups


class PrefetchedFormSet(BaseInlineFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> Form:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, PrefetchedAutocompleteSelect):
                widget.prefetched = self._related_objects(name, widget)
        return form

    def _related_objects(
        self, name: str, widget: PrefetchedAutocompleteSelect
    ) -> dict[str, Model]:
        cache: dict[str, dict[str, Model]] = self.__dict__.setdefault(
            "_related_cache", {}
        )
        if name not in cache:
            assert self.model is not None
            attname = self.model._meta.get_field(name).attname
            keys = {getattr(obj, attname) for obj in self.get_queryset()} - {None}
            related = widget.field.remote_field.model._default_manager.in_bulk(keys)
            cache[name] = {str(pk): obj for pk, obj in related.items()}
        return cache[name]


class AutocompleteInline(admin.TabularInline):
    """A tabular inline whose autocomplete fields cost one query per field, not
    one per row, so change pages stay flat however many rows they show."""

    formset = PrefetchedFormSet
    formfield_overrides = URL_FIELDS
    #: Related objects each row's title (its __str__) reads.
    list_select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related(*self.list_select_related)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PrefetchedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Country)
class CountryAdmin(CuratorAdmin):
    list_display = ["code", "name_en", "name_es"]
    search_fields = ["code", "name_en", "name_es"]


@admin.register(State)
class StateAdmin(CuratorAdmin):
    list_display = ["name", "code", "slug", "country"]
    list_filter = ["country"]
    list_select_related = ["country"]
    search_fields = ["name", "code", "slug"]


@admin.register(Source)
class SourceAdmin(CuratorAdmin):
    list_display = ["__str__", "host", "reliability", "published_on", "accessed_on"]
    list_filter = ["reliability"]
    search_fields = ["url", "title", "publisher", "note"]
    date_hierarchy = "published_on"

    @admin.display(description=_("site"))
    def host(self, obj: Source) -> str:
        return obj.host


@admin.register(City)
class CityAdmin(CuratorAdmin):
    list_display = ["name", "state", "country", "gateway_type", "latitude", "longitude"]
    list_filter = ["gateway_type", "country", "state"]
    list_select_related = ["state", "country"]
    search_fields = ["name", "slug", "county"]
    autocomplete_fields = ["state", "country", "sources"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agency)
class AgencyAdmin(CuratorAdmin):
    list_display = ["name", "acronym", "slug", "level", "country", "parent"]
    list_filter = ["level", "country"]
    list_select_related = ["country", "parent"]
    search_fields = ["name", "acronym", "slug"]
    autocomplete_fields = ["country", "parent", "sources"]
    prepopulated_fields = {"slug": ["acronym"]}


class JurisdictionInline(AutocompleteInline):
    model = Jurisdiction
    list_select_related = ("state",)
    extra = 0
    autocomplete_fields = ["state", "source"]
    fields = [
        "state",
        "county",
        "is_partial",
        "valid_from",
        "valid_to",
        "source",
        "note",
    ]


@admin.register(Office)
class OfficeAdmin(CuratorAdmin):
    list_display = ["name", "agency", "kind", "city", "is_name_attested"]
    list_filter = ["kind", "is_name_attested", "agency__country", "agency"]
    list_select_related = ["agency", "city__state"]
    search_fields = ["name", "slug", "agency__name", "agency__acronym", "city__name"]
    autocomplete_fields = ["agency", "city", "sources"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [JurisdictionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "agency",
                    "name",
                    "is_name_attested",
                    "slug",
                    "kind",
                    "kind_note",
                ]
            },
        ),
        (_("Where"), {"fields": ["city", "address", "phone", "website"]}),
        (
            _("Dates, notes and sources"),
            {"fields": ["active_from", "active_to", "note", "sources"]},
        ),
    ]


@admin.register(Jurisdiction)
class JurisdictionAdmin(CuratorAdmin):
    list_display = ["office", "state", "county", "is_partial", "valid_from", "valid_to"]
    list_filter = ["state", "is_partial"]
    list_select_related = ["office", "state"]
    search_fields = ["office__name", "county", "state__name"]
    autocomplete_fields = ["office", "state", "source"]


@admin.register(Law)
class LawAdmin(CuratorAdmin):
    list_display = ["short_name", "name_en", "name_es", "slug"]
    search_fields = ["short_name", "name_en", "name_es", "slug"]
    prepopulated_fields = {"slug": ["short_name"]}


class StatusFilter(admin.SimpleListFilter):
    """Filter on the derived status (computed in SQL, today)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(Agreement.Status.choices)

    def queryset(self, request: HttpRequest, queryset: Any) -> QuerySet[Any]:
        if self.value() in Agreement.Status.values:
            return queryset.with_status(self.value() or "")
        return queryset


class PartyInline(AutocompleteInline):
    model = Party
    list_select_related = ("office", "agency")
    extra = 0
    autocomplete_fields = ["office", "agency"]
    fields = [
        "side",
        "office",
        "agency",
        "signer_name",
        "signer_title",
        "note",
        "position",
    ]


class DocumentInline(admin.TabularInline):
    model = Document
    formfield_overrides = URL_FIELDS
    extra = 0
    fields = ["url", "language", "kind", "title", "note"]


class AgreementSourceInline(AutocompleteInline):
    model = AgreementSource
    list_select_related = ("source",)
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "is_primary", "note"]
    verbose_name = _("source")
    verbose_name_plural = _("sources")


class LocalAgreementInline(admin.TabularInline):
    """Read-only list of the instruments that rest on this one."""

    model = Agreement
    fk_name = "framework"
    extra = 0
    fields = ("title_en", "kind", "signed_on", "signed_on_precision")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name = _("instrument resting on this one")
    verbose_name_plural = _("instruments resting on this one")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(CuratorAdmin):
    list_display = [
        "title_en",
        "kind",
        "scope",
        "signed_display",
        "status_display",
        "party_count",
        "is_published",
    ]
    list_filter = [StatusFilter, "kind", "scope", "is_published", "signed_on_precision"]
    list_select_related = ["renewal"]
    search_fields = [
        "title_en",
        "title_es",
        "slug",
        "instrument_as_named",
        "parties__office__name",
        "parties__agency__name",
        "parties__agency__acronym",
        "parties__signer_name",
    ]
    date_hierarchy = "signed_on"
    autocomplete_fields = ["framework", "renews", "laws", "topics"]
    prepopulated_fields = {"slug": ["title_en"]}
    readonly_fields = ["status_display", "expiry_display", "renewed_by"]
    inlines = [PartyInline, AgreementSourceInline, DocumentInline, LocalAgreementInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title_en",
                    "title_es",
                    "slug",
                    "kind",
                    "instrument_as_named",
                    "scope",
                ]
            },
        ),
        (
            _("Signing"),
            {
                "fields": [
                    "signed_on_precision",
                    "signed_on",
                    "signed_on_end",
                    "signed_on_note",
                ]
            },
        ),
        (
            _("Term and status"),
            {
                "description": _(
                    "The status is derived from these dates and from renewals; "
                    "it is never entered by hand."
                ),
                "fields": [
                    "term_months",
                    "expires_on",
                    "is_open_ended",
                    "is_concluded",
                    "term_note",
                    "expiry_display",
                    "status_display",
                ],
            },
        ),
        (_("Related agreements"), {"fields": ["framework", "renews", "renewed_by"]}),
        (
            _("Content"),
            {"fields": ["laws", "topics", "summary_en", "summary_es", "note"]},
        ),
        (_("Publication"), {"fields": ["is_published"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agreement]:
        return super().get_queryset(request).annotate(num_parties=Count("parties"))

    @admin.display(description=_("signed"), ordering="signed_on")
    def signed_display(self, obj: Agreement) -> str:
        return obj.signed.iso() or "—"

    @admin.display(description=_("status"))
    def status_display(self, obj: Agreement) -> str:
        return obj.get_status_display()

    @admin.display(description=_("expiry"))
    def expiry_display(self, obj: Agreement) -> str:
        return str(obj.expiry) if obj.expiry.is_known else "—"

    @admin.display(description=_("parties"), ordering="num_parties")
    def party_count(self, obj: Agreement) -> int:
        return obj.num_parties  # type: ignore[attr-defined]

    @admin.display(description=_("renewed by"))
    def renewed_by(self, obj: Agreement) -> str:
        renewal = getattr(obj, "renewal", None)
        return str(renewal) if renewal else "—"


@admin.register(Party)
class PartyAdmin(CuratorAdmin):
    list_display = ["__str__", "agreement", "side", "signer_name", "signer_title"]
    list_filter = ["side", "office__agency__country", "agency__country"]
    list_select_related = ["agreement", "office", "agency"]
    search_fields = [
        "signer_name",
        "signer_title",
        "office__name",
        "agency__name",
        "agreement__title_en",
    ]
    autocomplete_fields = ["agreement", "office", "agency"]


@admin.register(Document)
class DocumentAdmin(CuratorAdmin):
    list_display = ["__str__", "agreement", "language", "kind"]
    list_filter = ["language", "kind"]
    list_select_related = ["agreement"]
    search_fields = ["url", "title", "agreement__title_en"]
    autocomplete_fields = ["agreement"]


@admin.register(CorrectionReport)
class CorrectionReportAdmin(CuratorAdmin):
    """Visitors' reports that something is wrong: the curators' queue."""

    list_display = ["created_at", "status", "agreement", "excerpt", "page_url"]
    list_filter = ["status"]
    list_select_related = ["agreement"]
    search_fields = ["message", "page_url", "agreement__title_en", "source_url"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["agreement"]
    readonly_fields = ["created_at", "page_url", "message", "source_url", "contact"]
    fields = [
        "status", "agreement", "page_url", "message", "source_url", "contact",
        "curator_note", "created_at",
    ]  # fmt: skip
    actions = ["mark_fixed", "mark_dismissed"]

    @admin.display(description=_("report"))
    def excerpt(self, obj: CorrectionReport) -> str:
        return obj.message[:80] + ("…" if len(obj.message) > 80 else "")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports come from the public site

    @admin.action(description=_("Mark as fixed"))
    def mark_fixed(
        self, request: HttpRequest, queryset: QuerySet[CorrectionReport]
    ) -> None:
        queryset.update(status=CorrectionReport.Status.FIXED)

    @admin.action(description=_("Mark as dismissed"))
    def mark_dismissed(
        self, request: HttpRequest, queryset: QuerySet[CorrectionReport]
    ) -> None:
        queryset.update(status=CorrectionReport.Status.DISMISSED)
