"""Government bodies, their offices and the areas the offices serve, and the
staff who belong to an office."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from collection.history import tracked
from collection.models import Versioned, transfer_permissions
from collection.roles import curates_everything, is_active_staff
from collection.search import full_text

from .places import City, Country, State
from .sources import Source, SourcedQuerySetMixin


class AgencyQuerySet(SourcedQuerySetMixin, models.QuerySet["Agency"]):
    def descendant_ids(self, agency: Agency) -> set[int]:
        """The agency and every agency under it (DOL → WHD, OSHA, ...), in one query."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, todo = set(), [agency.pk]
        while todo:
            pk = todo.pop()
            if pk not in found:
                found.add(pk)
                todo.extend(children.get(pk, []))
        return found

    def search(self, text: str) -> AgencyQuerySet:
        """Agencies whose name contains each word, or whose acronym is it."""
        queryset = self
        for word in text.split():
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(acronym__iexact=word)
            )
        return queryset

    def for_country(self, country: Country) -> AgencyQuerySet:
        return self.filter(country=country)

    def with_office_count(self) -> AgencyQuerySet:
        """Annotated with `office_count`: the agency's own offices."""
        return self.annotate(office_count=Count("offices", distinct=True))

    def in_level_order(self) -> AgencyQuerySet:
        """By level as `Agency.Level` lists them (US federal first), then by
        country and name."""
        level = Case(
            *(
                When(level=value, then=Value(position))
                for position, value in enumerate(Agency.Level.values)
            ),
            output_field=IntegerField(),
        )
        return self.order_by(level, "country__name_en", "name")

    def us(self) -> AgencyQuerySet:
        """The US side's agencies (federal, state, local)."""
        return self.filter(country__code="us")


class Agency(Versioned):
    """A government body: a US labour agency, a state agency, or a foreign ministry."""

    class Level(models.TextChoices):
        FEDERAL = "federal", _("US federal")
        STATE = "state", _("US state")
        LOCAL = "local", _("US local")
        FOREIGN_MINISTRY = "foreign_ministry", _("Foreign ministry")
        FOREIGN_GOVERNMENT = "foreign_government", _("Other foreign government body")

    name = models.CharField(
        _("name"), max_length=200, help_text=_("Official name, in its own language.")
    )
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        help_text=_("e.g. “dol-whd”. Used in URLs and filters; do not change."),
    )
    country = models.ForeignKey(
        Country, models.PROTECT, related_name="agencies", verbose_name=_("country")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
        help_text=_("The body it belongs to: WHD and OSHA are part of DOL."),
    )
    website = models.URLField(_("website"), blank=True)
    note = models.TextField(
        _("note"), blank=True, help_text=_("Shown on the public agency page.")
    )
    sources = models.ManyToManyField(
        Source, blank=True, related_name="agencies", verbose_name=_("sources")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = AgencyQuerySet.as_manager()

    history = tracked(m2m_fields=["sources"])

    class Meta:
        permissions = transfer_permissions("agency", "agencies")
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="agency_not_own_parent",
                violation_error_message=_("An agency cannot be a part of itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("public:agency-detail", kwargs={"slug": self.slug})

    @property
    def is_us(self) -> bool:
        return self.level in {self.Level.FEDERAL, self.Level.STATE, self.Level.LOCAL}


def jurisdiction_valid_on(day: date) -> Q:
    """An office's jurisdiction (`jurisdictions__`) in force on `day`: the
    validity dates, where known, include it."""
    return (
        Q(jurisdictions__valid_from__isnull=True)
        | Q(jurisdictions__valid_from__lte=day)
    ) & (Q(jurisdictions__valid_to__isnull=True) | Q(jurisdictions__valid_to__gte=day))


class OfficeQuerySet(SourcedQuerySetMixin, models.QuerySet["Office"]):
    def for_city(self, city: City) -> OfficeQuerySet:
        """Offices in the city, or whose jurisdiction covers it."""
        covering = Q(city=city)
        if city.state_id:
            covering |= Q(
                jurisdictions__state_id=city.state_id,
                jurisdictions__county="",
                jurisdictions__is_partial=False,
            )
            if city.county:
                covering |= Q(
                    jurisdictions__state_id=city.state_id,
                    jurisdictions__county__iexact=city.county,
                )
        return self.filter(pk__in=Office.objects.filter(covering).values("pk"))

    def serving(self, state: State, county: str, day: date) -> OfficeQuerySet:
        """Offices whose jurisdiction on `day` names the county, or covers its
        whole state; annotated with `served_by_county` (True when the county
        is named, the more exact answer)."""
        valid = jurisdiction_valid_on(day)
        by_county = Q(jurisdictions__state=state, jurisdictions__county__iexact=county)
        by_state = Q(
            jurisdictions__state=state,
            jurisdictions__county="",
            jurisdictions__is_partial=False,
        )
        named = Office.objects.filter(by_county & valid).values("pk")
        whole_state = Office.objects.filter(by_state & valid).values("pk")
        return (
            self.open_on(day)
            .filter(Q(pk__in=named) | Q(pk__in=whole_state))
            .annotate(
                served_by_county=Case(
                    When(pk__in=named, then=Value(True)),
                    default=Value(False),
                    output_field=models.BooleanField(),
                )
            )
        )

    def nearest_in(
        self, state: State, latitude: float, longitude: float, day: date
    ) -> OfficeQuerySet:
        """Offices in the state's cities, nearest first (to the point given),
        leaving out those whose area in the state on `day` is a list of
        counties (they serve exactly those). For when no service area on record
        covers a place."""
        valid_county = Office.objects.filter(
            Q(jurisdictions__state=state)
            & ~Q(jurisdictions__county="")
            & jurisdiction_valid_on(day)
        ).values("pk")
        state_wide = Office.objects.filter(
            jurisdictions__state=state, jurisdictions__county=""
        ).values("pk")
        # Squared distance on a plane stretched by the latitude: enough to
        # rank offices within one state.
        stretch = math.cos(math.radians(latitude))
        d_lat = Cast("city__latitude", models.FloatField()) - Value(latitude)
        d_lon = (
            Cast("city__longitude", models.FloatField()) - Value(longitude)
        ) * Value(stretch)
        return (
            self.open_on(day)
            .filter(city__state=state, city__latitude__isnull=False)
            .exclude(Q(pk__in=valid_county) & ~Q(pk__in=state_wide))
            .annotate(
                distance=ExpressionWrapper(
                    d_lat * d_lat + d_lon * d_lon, output_field=models.FloatField()
                )
            )
            .order_by("distance", "name")
        )

    def for_agency(self, agency: Agency) -> OfficeQuerySet:
        return self.filter(agency_id__in=Agency.objects.descendant_ids(agency))

    def for_country(self, country: Country) -> OfficeQuerySet:
        """Offices of the country's government (Mexico's consulates...)."""
        return self.filter(agency__country=country)

    def search(self, text: str) -> OfficeQuerySet:
        return full_text(self, text, ["name", "slug"])

    def consular(self) -> OfficeQuerySet:
        return self.filter(kind__in=Office.CONSULAR_KINDS)

    def open_on(self, day: date) -> OfficeQuerySet:
        """Offices not closed by `day` (and those whose closing is unknown)."""
        return self.filter(Q(active_to__isnull=True) | Q(active_to__gte=day))

    def not_party_to(self, agreements: models.QuerySet[Any]) -> OfficeQuerySet:
        """Offices that are a party to none of `agreements`."""
        return self.exclude(parties__agreement__in=agreements)

    def for_member(self, user: Any) -> OfficeQuerySet:
        """The offices `user` acts for: every office for curators, those they
        belong to (Membership) for event editors, none for anyone else."""
        if curates_everything(user):
            return self
        if not is_active_staff(user):
            return self.none()
        return self.filter(memberships__user=user)


class Office(Versioned):
    """A signatory office: a US agency office, an embassy or a consulate."""

    class Kind(models.TextChoices):
        HEADQUARTERS = "headquarters", _("Headquarters")
        REGIONAL_OFFICE = "regional_office", _("Regional office")
        DISTRICT_OFFICE = "district_office", _("District office")
        AREA_OFFICE = "area_office", _("Area office")
        FIELD_OFFICE = "field_office", _("Field office")
        EMBASSY = "embassy", _("Embassy")
        CONSULAR_SECTION = "consular_section", _("Consular section of an embassy")
        CONSULATE_GENERAL = "consulate_general", _("Consulate general")
        CONSULATE = "consulate", _("Consulate")
        CONSULAR_OFFICE = "consular_office", _("Consular office (rank not stated)")
        OTHER = "other", _("Other")

    CONSULAR_KINDS = (
        Kind.EMBASSY,
        Kind.CONSULAR_SECTION,
        Kind.CONSULATE_GENERAL,
        Kind.CONSULATE,
        Kind.CONSULAR_OFFICE,
    )

    agency = models.ForeignKey(
        Agency, models.PROTECT, related_name="offices", verbose_name=_("agency")
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("Official name in its own language where attested."),
    )
    name_en = models.CharField(
        _("name in English"),
        max_length=200,
        blank=True,
        help_text=_(
            "Only as a source writes it; English pages show it, with the "
            "official name beside it."
        ),
    )
    name_es = models.CharField(
        _("name in Spanish"),
        max_length=200,
        blank=True,
        help_text=_(
            "Only as a source writes it; Spanish pages show it, with the "
            "official name beside it."
        ),
    )
    is_name_attested = models.BooleanField(
        _("name attested"),
        default=True,
        help_text=_(
            "Untick when the name is a descriptive form built by the registry, "
            "not an official title found in a source."
        ),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_(
            "e.g. “mx-consulate-houston”, “dol-whd-new-orleans”. Do not change."
        ),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind,
        help_text=_("Use “Consular office (rank not stated)” when no source says."),
    )
    kind_note = models.CharField(
        _("kind note"),
        max_length=300,
        blank=True,
        help_text=_("Where sources disagree on the kind, say so here."),
    )
    city = models.ForeignKey(
        City,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
        verbose_name=_("city"),
        help_text=_("Empty when no source says where the office is."),
    )
    website = models.URLField(
        _("website"), blank=True, help_text=_("Official website.")
    )
    active_from = models.DateField(
        _("active from"),
        null=True,
        blank=True,
        help_text=_("When the office opened, if known."),
    )
    active_to = models.DateField(
        _("active to"),
        null=True,
        blank=True,
        help_text=_("Set when the office closed."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Shown publicly."))
    sources = models.ManyToManyField(
        Source, blank=True, related_name="offices", verbose_name=_("sources")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = OfficeQuerySet.as_manager()

    history = tracked(m2m_fields=["sources"])

    class Meta:
        permissions = transfer_permissions("office", "offices")
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=F("active_from")),
                name="office_active_to_after_from",
                violation_error_message=_("An office cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the page's language where a source attests one, else
        the official name."""
        spanish = (get_language() or "en").startswith("es")
        return (self.name_es if spanish else self.name_en) or self.name

    def get_absolute_url(self) -> str:
        return reverse("public:office-detail", kwargs={"slug": self.slug})

    @property
    def is_consular(self) -> bool:
        return self.kind in self.CONSULAR_KINDS


class Jurisdiction(Versioned):
    """Part of an office's service area: a whole state, or one county of it."""

    office = models.ForeignKey(
        Office, models.CASCADE, related_name="jurisdictions", verbose_name=_("office")
    )
    state = models.ForeignKey(
        State, models.PROTECT, related_name="jurisdictions", verbose_name=_("state")
    )
    county = models.CharField(
        _("county"),
        max_length=100,
        blank=True,
        help_text=_(
            "Empty when the office covers the whole state (or an unnamed part)."
        ),
    )
    is_partial = models.BooleanField(
        _("part of the state only"),
        default=False,
        help_text=_(
            "Tick when a source says only part of the state (e.g. “southwest "
            "Washington”) without naming counties."
        ),
    )
    valid_from = models.DateField(
        _("valid from"),
        null=True,
        blank=True,
        help_text=_("Since when the office serves this area, if known."),
    )
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("Until when the office served this area (jurisdictions change)."),
    )
    source = models.ForeignKey(
        Source,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="jurisdictions",
        verbose_name=_("source"),
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("Which part, or how the area is known."),
    )

    history = tracked()

    class Meta:
        permissions = transfer_permissions("jurisdiction", "jurisdictions")
        ordering = ["office", "state__name", "county"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "state", "county"],
                name="jurisdiction_unique_area",
                violation_error_message=_("This office already serves this area."),
            ),
            models.CheckConstraint(
                condition=Q(county="") | Q(is_partial=False),
                name="jurisdiction_county_not_partial",
                violation_error_message=_(
                    "A county is served whole; only a state can be served in part."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="jurisdiction_valid_to_after_from",
                violation_error_message=_(
                    "An area cannot stop being served before it starts."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.county:
            return f"{self.county} County, {self.state.code}"
        return (
            f"{self.state.name} ({_('part')})" if self.is_partial else self.state.name
        )


class Membership(Versioned):
    """A staff member belongs to an office (a consulate or an agency office).

    As an event editor they add and change the events that office hosts, and
    nothing else (`Office.objects.editable_by`, `Event.objects.editable_by`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    office = models.ForeignKey(
        Office,
        models.CASCADE,
        related_name="memberships",
        verbose_name=_("office"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("office membership")
        verbose_name_plural = _("office memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office"],
                name="membership_unique_office",
                violation_error_message=_(
                    "This person already belongs to this office."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.office}"
