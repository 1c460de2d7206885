"""Curators' admin for the registry's collections (the machinery is in
collection.admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from collection.admin import URL_FIELDS, AutocompleteInline, CuratorAdmin

from . import resources
from .models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Contact,
    CorrectionReport,
    Country,
    Document,
    Jurisdiction,
    Law,
    Membership,
    Office,
    Party,
    Source,
    State,
    Topic,
)
from .services import triage_reports


@admin.register(Country)
class CountryAdmin(CuratorAdmin):
    resource_classes = [resources.CountryResource]
    list_display = ["code", "name_en", "name_es"]
    search_fields = ["code", "name_en", "name_es"]


@admin.register(State)
class StateAdmin(CuratorAdmin):
    resource_classes = [resources.StateResource]
    list_display = ["name", "code", "slug", "country"]
    list_filter = ["country"]
    list_select_related = ["country"]
    search_fields = ["name", "code", "slug"]


@admin.register(Source)
class SourceAdmin(CuratorAdmin):
    resource_classes = [resources.SourceResource]
    list_display = ["__str__", "host", "reliability", "published_on", "accessed_on"]
    list_filter = ["reliability"]
    search_fields = ["url", "title", "publisher", "note"]
    date_hierarchy = "published_on"

    @admin.display(description=_("site"))
    def host(self, obj: Source) -> str:
        return obj.host


@admin.register(City)
class CityAdmin(CuratorAdmin):
    resource_classes = [resources.CityResource]
    list_display = ["name", "state", "country", "gateway_type", "latitude", "longitude"]
    list_filter = ["gateway_type", "country", "state"]
    list_select_related = ["state", "country"]
    search_fields = ["name", "slug", "county"]
    autocomplete_fields = ["state", "country", "sources"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(CuratorAdmin):
    resource_classes = [resources.TopicResource]
    list_display = ["name_en", "name_es", "slug"]
    search_fields = ["name_en", "name_es", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class ContactInline(AutocompleteInline):
    """An office's or agency's contact points. A phone number may be typed in
    any common form; it is saved in international form (E.164)."""

    model = Contact
    list_select_related = ("source",)
    extra = 0
    autocomplete_fields = ["source"]
    fields = [
        "kind",
        "value",
        "label_en",
        "label_es",
        "as_of",
        "as_of_precision",
        "source",
        "standing",
        "is_published",
        "note",
    ]


@admin.register(Agency)
class AgencyAdmin(CuratorAdmin):
    resource_classes = [resources.AgencyResource]
    list_display = ["name", "acronym", "slug", "level", "country", "parent"]
    list_filter = ["level", "country"]
    list_select_related = ["country", "parent"]
    search_fields = ["name", "acronym", "slug"]
    autocomplete_fields = ["country", "parent", "sources"]
    prepopulated_fields = {"slug": ["acronym"]}
    inlines = [ContactInline]


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
    resource_classes = [resources.OfficeResource]
    list_display = ["name", "agency", "kind", "city", "is_name_attested"]
    list_filter = ["kind", "is_name_attested", "agency__country", "agency"]
    list_select_related = ["agency", "city__state"]
    search_fields = ["name", "slug", "agency__name", "agency__acronym", "city__name"]
    autocomplete_fields = ["agency", "city", "sources"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ContactInline, JurisdictionInline]
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
        (_("Where"), {"fields": ["city", "website"]}),
        (
            _("Dates, notes and sources"),
            {"fields": ["active_from", "active_to", "note", "sources"]},
        ),
    ]


@admin.register(Contact)
class ContactAdmin(CuratorAdmin):
    """Every contact point; the leads (values from unofficial pages) are the
    ones to confirm, listed in the review queue too."""

    resource_classes = [resources.ContactResource]
    list_display = [
        "value",
        "kind",
        "office",
        "agency",
        "as_of",
        "standing",
        "is_published",
    ]
    list_filter = ["standing", "is_published", "kind", "agency"]
    list_select_related = ["office", "agency", "source"]
    search_fields = ["value", "label_en", "label_es", "office__name", "agency__name"]
    autocomplete_fields = ["office", "agency", "source"]
    fieldsets = [
        (None, {"fields": ["office", "agency", "kind", "value"]}),
        (_("Shown beside it"), {"fields": ["label_en", "label_es", "languages"]}),
        (
            _("Source"),
            {"fields": ["source", "quote", "as_of", "as_of_precision", "as_of_note"]},
        ),
        (_("Publication"), {"fields": ["standing", "is_published", "note"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(CuratorAdmin):
    list_display = ["user", "office", "created_at"]
    list_select_related = ["user", "office"]
    search_fields = ["user__username", "user__email", "office__name", "office__slug"]
    autocomplete_fields = ["user", "office"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(CuratorAdmin):
    resource_classes = [resources.JurisdictionResource]
    list_display = ["office", "state", "county", "is_partial", "valid_from", "valid_to"]
    list_filter = ["state", "is_partial"]
    list_select_related = ["office", "state"]
    search_fields = ["office__name", "county", "state__name"]
    autocomplete_fields = ["office", "state", "source"]


@admin.register(Law)
class LawAdmin(CuratorAdmin):
    resource_classes = [resources.LawResource]
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
    fields = ["source", "is_primary", "supports", "quote", "note"]
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
    resource_classes = [resources.AgreementResource]
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
            {
                "fields": [
                    "laws",
                    "topics",
                    "summary_en",
                    "summary_es",
                    "translated_by_registry",
                    "note",
                ]
            },
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
    resource_classes = [resources.PartyResource]
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
    resource_classes = [resources.DocumentResource]
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
        triage_reports(
            reports=queryset, status=CorrectionReport.Status.FIXED, by=request.user
        )

    @admin.action(description=_("Mark as dismissed"))
    def mark_dismissed(
        self, request: HttpRequest, queryset: QuerySet[CorrectionReport]
    ) -> None:
        triage_reports(
            reports=queryset, status=CorrectionReport.Status.DISMISSED, by=request.user
        )
