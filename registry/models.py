"""The registry: agreements, their parties and signers, agencies, offices,
jurisdictions, cities, laws and sources."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .dates import DatePrecision, PartialDate, add_months
from .history import tracked
from .search import full_text


def validate_time_zone(name: str) -> None:
    """An IANA time zone name, e.g. “America/Chicago”."""
    if not name:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(name)s” is not a time zone name such as America/Chicago."),
            params={"name": name},
        ) from None


#: An agreement is "expiring" when its expiry falls within this many days.
EXPIRING_WITHIN_DAYS = 90


def localized(obj: models.Model, field: str) -> str:
    """`field` in the active language (`<field>_en` / `<field>_es`), falling back
    to the other language when the translation is missing."""
    first, second = (
        ("es", "en") if (get_language() or "en").startswith("es") else ("en", "es")
    )
    return getattr(obj, f"{field}_{first}") or getattr(obj, f"{field}_{second}")


def transfer_permissions(model_name: str, plural: str) -> tuple[tuple[str, str], ...]:
    """The permissions to import and to export a collection's spreadsheets
    (IMPORT_EXPORT_IMPORT_PERMISSION_CODE and _EXPORT_ in the settings)."""
    return (
        (f"import_{model_name}", f"Can import {plural}"),
        (f"export_{model_name}", f"Can export {plural}"),
    )


class Country(models.Model):
    """A country, by its ISO 3166-1 alpha-2 code."""

    code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[a-z]{2}$", _("Two lower-case letters."))],
        help_text=_("ISO 3166-1 alpha-2 code in lower case, e.g. “mx”. Used in URLs."),
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = tracked()

    class Meta:
        permissions = transfer_permissions("country", "countries")
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=Q(code=Lower("code")),
                name="country_code_lower_case",
                violation_error_message=_(
                    "The country code is written in lower case (e.g. mx)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:country-detail", kwargs={"code": self.code})

    @property
    def name(self) -> str:
        return localized(self, "name")


class State(models.Model):
    """A state or territory (first-level subdivision) of a country."""

    country = models.ForeignKey(
        Country, models.PROTECT, related_name="states", verbose_name=_("country")
    )
    code = models.CharField(
        _("code"), max_length=3, help_text=_("Postal code, e.g. “TX”.")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("The state's name."))
    slug = models.SlugField(
        _("slug"),
        max_length=20,
        unique=True,
        help_text=_("Used in URLs and filters, e.g. “tx”."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = tracked()

    class Meta:
        permissions = transfer_permissions("state", "states")
        ordering = ["name"]
        verbose_name = _("state")
        verbose_name_plural = _("states")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "code"],
                name="state_unique_code",
                violation_error_message=_(
                    "This country already has a state with this code."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """Where a fact comes from: a web page, document or publication."""

    class Reliability(models.TextChoices):
        HIGH = "high", _("High: official government page")
        MEDIUM_HIGH = (
            "medium_high",
            _("Medium-high: verbatim repost of an official text"),
        )
        MEDIUM = "medium", _("Medium: news outlet or law-firm publication")
        LOW = "low", _("Low: use only with corroboration")
        UNRATED = "unrated", _("Not rated")

    url = models.URLField(
        _("URL"),
        max_length=1000,
        blank=True,
        help_text=_("Leave empty only for printed sources; then give the title."),
    )
    title = models.CharField(
        _("title"),
        max_length=500,
        blank=True,
        help_text=_("Title of the page or publication, as published."),
    )
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    accessed_on = models.DateField(
        _("accessed on"),
        null=True,
        blank=True,
        help_text=_("When the source was read."),
    )
    reliability = models.CharField(
        _("reliability"),
        max_length=12,
        choices=Reliability,
        default=Reliability.UNRATED,
        help_text=_(
            "How far to trust this source; shown next to the facts it supports."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = tracked()

    class Meta:
        permissions = transfer_permissions("source", "sources")
        ordering = ["url", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_unique_url",
                violation_error_message=_("Another source has this URL."),
            ),
            models.UniqueConstraint(
                fields=["title"],
                condition=Q(url=""),
                name="source_unique_printed_title",
                violation_error_message=_(
                    "Another printed source (one without a URL) has this title."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(title=""),
                name="source_has_url_or_title",
                violation_error_message=_(
                    "A source needs a URL or, if it is printed, a title."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def host(self) -> str:
        """The web site the source is on, e.g. “www.dol.gov”."""
        return urlsplit(self.url).netloc if self.url else ""

    @property
    def key(self) -> str:
        """How files refer to this source: its URL, or its title if printed."""
        return self.url or self.title


class GatewayType(models.TextChoices):
    """Audrey Singer's typology of immigrant gateways (2004, 2015)."""

    FORMER = "former", _("Former gateway")
    CONTINUOUS = "continuous", _("Continuous gateway")
    POST_WW2 = "post_ww2", _("Post-World War II gateway")
    EMERGING = "emerging", _("Emerging gateway")
    MAJOR_EMERGING = "major_emerging", _("Major emerging gateway")
    MINOR_EMERGING = "minor_emerging", _("Minor emerging gateway")
    RE_EMERGING = "re_emerging", _("Re-emerging gateway")
    PRE_EMERGING = "pre_emerging", _("Pre-emerging gateway")


class City(models.Model):
    """A city where offices sit or events happen."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_("City and state, e.g. “houston-tx”. Used in URLs; do not change."),
    )
    state = models.ForeignKey(
        State,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cities",
        verbose_name=_("state"),
    )
    country = models.ForeignKey(
        Country, models.PROTECT, related_name="cities", verbose_name=_("country")
    )
    county = models.CharField(
        _("county"),
        max_length=100,
        blank=True,
        help_text=_(
            "Only where a source states it; used to match county jurisdictions."
        ),
    )
    gateway_type = models.CharField(
        _("gateway type"),
        max_length=20,
        choices=GatewayType,
        blank=True,
        help_text=_(
            "Singer's immigrant-gateway type, only where a source assigns one."
        ),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=40,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. “America/Chicago”; default for events here."),
    )
    note = models.TextField(_("note"), blank=True)
    sources = models.ManyToManyField(
        Source, blank=True, related_name="cities", verbose_name=_("sources")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = tracked(m2m_fields=["sources"])

    class Meta:
        permissions = transfer_permissions("city", "cities")
        ordering = ["name", "slug"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="city_coordinates_valid",
                violation_error_message=_(
                    "Give both coordinates, latitude from -90 to 90 and longitude from -180 to 180, or neither."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.state.code}" if self.state else self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:city-detail", kwargs={"slug": self.slug})


class AgencyQuerySet(models.QuerySet["Agency"]):
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


class Agency(models.Model):
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
        return reverse("registry:agency-detail", kwargs={"slug": self.slug})

    @property
    def is_us(self) -> bool:
        return self.level in {self.Level.FEDERAL, self.Level.STATE, self.Level.LOCAL}


class OfficeQuerySet(models.QuerySet["Office"]):
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

    def for_agency(self, agency: Agency) -> OfficeQuerySet:
        return self.filter(agency_id__in=Agency.objects.descendant_ids(agency))

    def search(self, text: str) -> OfficeQuerySet:
        return full_text(self, text, ["name", "slug"])

    def consular(self) -> OfficeQuerySet:
        return self.filter(kind__in=Office.CONSULAR_KINDS)


class Office(models.Model):
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
    address = models.CharField(
        _("address"),
        max_length=300,
        blank=True,
        help_text=_("Street address, shown publicly."),
    )
    phone = models.CharField(
        _("phone"), max_length=40, blank=True, help_text=_("Public phone number.")
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
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:office-detail", kwargs={"slug": self.slug})

    @property
    def is_consular(self) -> bool:
        return self.kind in self.CONSULAR_KINDS


class Jurisdiction(models.Model):
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


class Law(models.Model):
    """A law or programme an agreement covers (FLSA, MSPA, H-2A, OSH Act, ...)."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = tracked()

    class Meta:
        permissions = transfer_permissions("law", "laws")
        ordering = ["short_name"]
        verbose_name = _("law")
        verbose_name_plural = _("laws")

    def __str__(self) -> str:
        return self.short_name

    @property
    def name(self) -> str:
        return localized(self, "name")


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def published(self) -> AgreementQuerySet:
        return self.filter(is_published=True)

    def with_status_data(self) -> AgreementQuerySet:
        """Fetch what `Agreement.status` reads, so lists stay at one query."""
        return self.select_related("renewal")

    def for_city(self, city: City) -> AgreementQuerySet:
        """Agreements with a party office in the city or covering it.

        National agreements cover every city; they are not included here (see
        `national()`), so that city pages list what is specific to the city.
        """
        offices = Office.objects.for_city(city)
        return self.filter(
            pk__in=Party.objects.filter(office__in=offices).values("agreement_id")
        )

    def for_agency(self, agency: Agency) -> AgreementQuerySet:
        """Agreements with the agency, or one of its parts, as a party."""
        ids = Agency.objects.descendant_ids(agency)
        parties = Party.objects.filter(
            Q(agency_id__in=ids) | Q(office__agency_id__in=ids)
        )
        return self.filter(pk__in=parties.values("agreement_id"))

    def for_office(self, office: Office) -> AgreementQuerySet:
        return self.filter(pk__in=office.parties.values("agreement_id"))

    def for_country(self, country: Country) -> AgreementQuerySet:
        parties = Party.objects.filter(
            Q(agency__country=country) | Q(office__agency__country=country)
        )
        return self.filter(pk__in=parties.values("agreement_id"))

    def for_state(self, state: State) -> AgreementQuerySet:
        """Agreements with a party office in the state or whose jurisdiction is in it."""
        offices = Office.objects.filter(
            Q(city__state=state) | Q(jurisdictions__state=state)
        )
        return self.filter(
            pk__in=Party.objects.filter(office__in=offices).values("agreement_id")
        )

    def search(self, text: str) -> AgreementQuerySet:
        """Agreements matching `text` in their titles, summaries, name as an
        instrument, or parties and signers; annotated with a `rank`."""

        def party(word: str) -> Q:
            parties = Party.objects.filter(
                Q(office__name__icontains=word)
                | Q(office__agency__name__icontains=word)
                | Q(office__agency__acronym__iexact=word)
                | Q(agency__name__icontains=word)
                | Q(agency__acronym__iexact=word)
                | Q(signer_name__icontains=word)
            )
            return Q(pk__in=parties.values("agreement_id"))

        fields = [
            "title_en", "title_es", "summary_en", "summary_es", "instrument_as_named", "slug",
        ]  # fmt: skip
        return full_text(self, text, fields, also=party)

    def national(self) -> AgreementQuerySet:
        return self.filter(scope=Agreement.Scope.NATIONAL)

    # Status, in SQL. Each Q below matches `Agreement.status_on()` exactly; together
    # they split every agreement into exactly one status (tests check both).

    @staticmethod
    def _superseded_q(day: date) -> Q:
        return Q(renewal__isnull=False, renewal__is_published=True) & (
            Q(renewal__signed_on__isnull=True) | Q(renewal__signed_on__lte=day)
        )

    @classmethod
    def status_q(cls, status: str, day: date) -> Q:
        superseded = cls._superseded_q(day)
        ended_undated = Q(is_concluded=True, expiry_latest__isnull=True)
        not_yet_signed = Q(signed_on__gt=day)
        live = ~superseded & ~ended_undated & ~not_yet_signed
        expiring = live & Q(
            expiry_latest__gte=day,
            expiry_earliest__lte=day + timedelta(days=EXPIRING_WITHIN_DAYS),
        )
        in_force = live & (
            Q(expiry_earliest__gt=day + timedelta(days=EXPIRING_WITHIN_DAYS))
            | Q(expiry_latest__isnull=True, is_open_ended=True)
        )
        expired = ~superseded & (ended_undated | Q(expiry_latest__lt=day))
        by_status = {
            Agreement.Status.SUPERSEDED: superseded,
            Agreement.Status.EXPIRED: expired,
            Agreement.Status.EXPIRING: expiring,
            Agreement.Status.IN_FORCE: in_force,
        }
        if status == Agreement.Status.UNKNOWN:
            return ~(superseded | expired | expiring | in_force)
        return by_status[Agreement.Status(status)]

    def with_status(self, status: str, *, on: date | None = None) -> AgreementQuerySet:
        return self.filter(self.status_q(status, on or timezone.localdate()))

    def in_force_on(self, day: date) -> AgreementQuerySet:
        """In force on `day`, including those about to expire."""
        return self.filter(
            self.status_q(Agreement.Status.IN_FORCE, day)
            | self.status_q(Agreement.Status.EXPIRING, day)
        )

    def expiring_within(
        self, days: int, *, on: date | None = None
    ) -> AgreementQuerySet:
        """In force, and the expiry may fall within `days` days of `on` (today)."""
        day = on or timezone.localdate()
        return self.in_force_on(day).filter(
            expiry_earliest__lte=day + timedelta(days=days)
        )


class Agreement(models.Model):
    """A signed instrument between US agency offices and foreign governments'
    offices (mostly consulates) on migrant workers' workplace rights."""

    class Kind(models.TextChoices):
        DECLARATION = "declaration", _("Joint declaration")
        MOU = "mou", _("Memorandum of understanding")
        LOA = "loa", _("Letter of arrangement")
        ALLIANCE = "alliance", _("Alliance")
        OTHER = "other", _("Other")

    class Scope(models.TextChoices):
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Regional or state-wide")
        LOCAL = "local", _("Local")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        EXPIRING = "expiring", _("Expiring within 90 days")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded by a renewal")
        UNKNOWN = "unknown", _("Unknown")

    title_en = models.CharField(_("title (English)"), max_length=300)
    title_es = models.CharField(
        _("title (Spanish)"),
        max_length=300,
        blank=True,
        help_text=_(
            "Leave empty if no Spanish title is known; the English one is shown."
        ),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Used in URLs and citations; do not change once published."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    instrument_as_named = models.CharField(
        _("instrument as named"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the text or its sources call it: “Letter of Agreement”, "
            "“Arrangement Establishing an Understanding”, “Carta de Arreglo”..."
        ),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope)
    signed_on = models.DateField(
        _("signed on"),
        null=True,
        blank=True,
        help_text=_(
            "For a month or a year, enter its first day and set the precision."
        ),
    )
    signed_on_end = models.DateField(
        _("signed on, latest"),
        null=True,
        blank=True,
        help_text=_("Only for an interval: the last day it can have been signed."),
    )
    signed_on_precision = models.CharField(
        _("precision of the signing date"),
        max_length=10,
        choices=DatePrecision,
        default=DatePrecision.DAY,
    )
    signed_on_note = models.TextField(
        _("how the date is known"),
        blank=True,
        help_text=_("e.g. “derived: ‘Friday’ in an article dated 2006-06-03”."),
    )
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"),
        null=True,
        blank=True,
        help_text=_("Only if a source states the term. The expiry is derived from it."),
    )
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("Only if a source states the expiry date; otherwise leave empty."),
    )
    is_open_ended = models.BooleanField(
        _("open-ended"),
        default=False,
        help_text=_("Tick only if a source says it has no end date."),
    )
    is_concluded = models.BooleanField(
        _("concluded"),
        default=False,
        help_text=_("Tick if a source says it has ended, even without a date."),
    )
    term_note = models.TextField(
        _("term and expiry note"),
        blank=True,
        help_text=_("The sources' words on the term, expiry and renewals."),
    )
    # Derived from the fields above in save(); never edited by hand.
    expiry_earliest = models.DateField(editable=False, null=True, db_index=True)
    expiry_latest = models.DateField(editable=False, null=True)
    framework = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="local_agreements",
        verbose_name=_("framework"),
        help_text=_("The national instrument this one rests on or cites."),
    )
    renews = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("renews"),
        help_text=_("The agreement this one renews or replaces."),
    )
    laws = models.ManyToManyField(
        Law, blank=True, related_name="agreements", verbose_name=_("laws")
    )
    topics = models.ManyToManyField(
        "outreach.Topic",
        blank=True,
        related_name="agreements",
        verbose_name=_("topics"),
    )
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_es = models.TextField(_("summary (Spanish)"), blank=True)
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Disagreements between sources and doubts. Shown publicly."),
    )
    sources = models.ManyToManyField(
        Source,
        through="AgreementSource",
        related_name="agreements",
        verbose_name=_("sources"),
    )
    offices = models.ManyToManyField(
        Office, through="Party", related_name="agreements", verbose_name=_("offices")
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Visible on the public site and in the API."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = AgreementQuerySet.as_manager()

    history = tracked(
        m2m_fields=["laws", "topics"],
        excluded_fields=["expiry_earliest", "expiry_latest"],
    )

    class Meta:
        permissions = transfer_permissions("agreement", "agreements")
        ordering = [F("signed_on").desc(nulls_last=True), "title_en"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    signed_on_precision=DatePrecision.UNKNOWN,
                    signed_on__isnull=True,
                    signed_on_end__isnull=True,
                )
                | Q(
                    signed_on_precision=DatePrecision.INTERVAL,
                    signed_on__isnull=False,
                    signed_on_end__isnull=False,
                    signed_on_end__gt=F("signed_on"),
                )
                | Q(
                    signed_on_precision__in=[
                        DatePrecision.DAY,
                        DatePrecision.MONTH,
                        DatePrecision.YEAR,
                    ],
                    signed_on__isnull=False,
                    signed_on_end__isnull=True,
                ),
                name="agreement_signing_date_matches_precision",
                violation_error_message=_(
                    "The signing date does not match its precision: an unknown date "
                    "has no date, an interval has a later end, others have one date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(expires_on__gte=F("signed_on")),
                name="agreement_expires_after_signed",
                violation_error_message=_("The expiry cannot be before the signing."),
            ),
            models.CheckConstraint(
                condition=Q(term_months__isnull=True) | Q(term_months__gte=1),
                name="agreement_term_positive",
                violation_error_message=_("The term is at least one month."),
            ),
            models.CheckConstraint(
                condition=Q(is_open_ended=False)
                | Q(expires_on__isnull=True, term_months__isnull=True),
                name="agreement_open_ended_has_no_expiry",
                violation_error_message=_(
                    "An open-ended agreement has no term or expiry."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(renews=F("pk")),
                name="agreement_does_not_renew_itself",
                violation_error_message=_("An agreement cannot renew itself."),
            ),
            models.CheckConstraint(
                condition=~Q(framework=F("pk")),
                name="agreement_not_own_framework",
                violation_error_message=_("An agreement cannot be its own framework."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "expiry_earliest",
                "expiry_latest",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("registry:agreement-detail", kwargs={"slug": self.slug})

    def set_derived_fields(self) -> None:
        """What save() derives; bulk writes (imports) call it themselves."""
        self.normalize_signing_date()
        self.expiry_earliest, self.expiry_latest = self.derive_expiry()

    def normalize_signing_date(self) -> None:
        """A month is stored as its first day, a year as 1 January."""
        if self.signed_on is None:
            return
        if self.signed_on_precision == DatePrecision.MONTH:
            self.signed_on = self.signed_on.replace(day=1)
        elif self.signed_on_precision == DatePrecision.YEAR:
            self.signed_on = self.signed_on.replace(month=1, day=1)

    def clean(self) -> None:
        super().clean()
        if self.renews_id and self.renews_id == self.pk:
            raise ValidationError({"renews": _("An agreement cannot renew itself.")})
        if self.framework_id and self.framework_id == self.pk:
            raise ValidationError(
                {"framework": _("An agreement cannot be its own framework.")}
            )
        if self.signed_on_precision == DatePrecision.UNKNOWN and (
            self.signed_on or self.signed_on_end
        ):
            raise ValidationError(
                {"signed_on_precision": _("Choose a precision for the date entered.")}
            )
        if self.signed_on_precision != DatePrecision.UNKNOWN and not self.signed_on:
            raise ValidationError(
                {"signed_on": _("Enter the date, or set the precision to “Unknown”.")}
            )
        if (
            self.signed_on_precision == DatePrecision.INTERVAL
            and not self.signed_on_end
        ):
            raise ValidationError(
                {"signed_on_end": _("An interval needs the last possible day.")}
            )
        if self.expires_on and self.signed_on and self.expires_on < self.signed_on:
            raise ValidationError(
                {"expires_on": _("The expiry cannot be before the signing.")}
            )
        if self.signed_on_precision != DatePrecision.INTERVAL and self.signed_on_end:
            raise ValidationError(
                {"signed_on_end": _("Only an interval has a latest signing day.")}
            )

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")

    @property
    def signed(self) -> PartialDate:
        return PartialDate(self.signed_on, self.signed_on_precision, self.signed_on_end)

    @property
    def expiry(self) -> PartialDate:
        """The expiry, stated or derived from the term, with the precision known."""
        if self.expiry_earliest is None:
            return PartialDate(None, DatePrecision.UNKNOWN)
        if self.expiry_latest == self.expiry_earliest:
            return PartialDate(self.expiry_earliest, DatePrecision.DAY)
        return PartialDate(
            self.expiry_earliest, DatePrecision.INTERVAL, self.expiry_latest
        )

    def derive_expiry(self) -> tuple[date | None, date | None]:
        """Earliest and latest possible expiry, from the row's own fields."""
        if self.expires_on:
            return self.expires_on, self.expires_on
        signed = self.signed
        if self.term_months and signed.earliest and signed.latest:
            return (
                add_months(signed.earliest, self.term_months),
                add_months(signed.latest, self.term_months),
            )
        return None, None

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def status_on(self, day: date) -> str:
        """Derived from the dates and the renewal chain; never stored.

        Order matters and mirrors `AgreementQuerySet.status_q`: a published renewal
        signed by `day` supersedes (a draft renewal is not yet public record); a concluded agreement with no date has expired; before
        its signing, or with no term, expiry or end known, the status is unknown.
        """
        renewal = getattr(self, "renewal", None)
        if (
            renewal is not None
            and renewal.is_published
            and (renewal.signed_on is None or renewal.signed_on <= day)
        ):
            return self.Status.SUPERSEDED
        if self.is_concluded and self.expiry_latest is None:
            return self.Status.EXPIRED
        if self.expiry_latest is not None and self.expiry_latest < day:
            return self.Status.EXPIRED
        if self.signed_on is not None and self.signed_on > day:
            return self.Status.UNKNOWN
        if self.expiry_earliest is not None and self.expiry_latest is not None:
            if self.expiry_earliest <= day + timedelta(days=EXPIRING_WITHIN_DAYS):
                return self.Status.EXPIRING
            return self.Status.IN_FORCE
        if self.is_open_ended:
            return self.Status.IN_FORCE
        return self.Status.UNKNOWN

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    def renewal_chain(self) -> list[Agreement]:
        """Earlier and later agreements in the renewal chain, oldest first (one query
        per link; for detail pages only)."""
        earlier: list[Agreement] = []
        current = self.renews
        while current is not None and current not in earlier:
            earlier.insert(0, current)
            current = current.renews
        later: list[Agreement] = []
        current = getattr(self, "renewal", None)
        while current is not None and current not in later:
            later.append(current)
            current = getattr(current, "renewal", None)
        return [*earlier, self, *later]


def hide_draft_references(agreements: Iterable[Agreement]) -> list[Agreement]:
    """The agreements as the public may see them: a framework or renewal link to
    a draft is dropped. Only in memory: these objects must not be saved."""
    rows = list(agreements)
    for agreement in rows:
        for field in ("framework", "renews"):
            related = getattr(agreement, field)
            if related is not None and not related.is_published:
                setattr(agreement, field, None)
    return rows


class Party(models.Model):
    """A party to an agreement: one office (or, when no office is named, the agency
    itself, e.g. the SRE) on one side, with the person who signed for it."""

    class Side(models.TextChoices):
        US = "us", _("United States")
        FOREIGN = "foreign", _("Foreign government")

    agreement = models.ForeignKey(
        Agreement, models.CASCADE, related_name="parties", verbose_name=_("agreement")
    )
    side = models.CharField(_("side"), max_length=8, choices=Side)
    office = models.ForeignKey(
        Office,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
        verbose_name=_("office"),
        help_text=_("The signatory office, when the source names one."),
    )
    agency = models.ForeignKey(
        Agency,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
        verbose_name=_("agency"),
        help_text=_(
            "Only when no office is named (e.g. “SRE through its Embassy and "
            "Consulates”): the agency itself. Leave empty when an office is set."
        ),
    )
    signer_name = models.CharField(
        _("signer"),
        max_length=200,
        blank=True,
        help_text=_(
            "The person who signed or represented the party, as the source names them."
        ),
    )
    signer_title = models.CharField(
        _("signer's title"),
        max_length=200,
        blank=True,
        help_text=_("The signer's title, as the source gives it."),
    )
    note = models.CharField(
        _("note"),
        max_length=500,
        blank=True,
        help_text=_("What the source adds about this party."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = tracked()

    class Meta:
        permissions = transfer_permissions("party", "parties")
        ordering = ["agreement", "position", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=Q(office__isnull=False, agency__isnull=True)
                | Q(office__isnull=True, agency__isnull=False),
                name="party_office_or_agency",
                violation_error_message=_(
                    "Choose an office or, if none is named, an agency."
                ),
            ),
            models.UniqueConstraint(
                fields=["agreement", "office"],
                condition=Q(office__isnull=False),
                name="party_unique_office",
                violation_error_message=_(
                    "This office is already a party to the agreement."
                ),
            ),
            models.UniqueConstraint(
                fields=["agreement", "agency"],
                condition=Q(agency__isnull=False),
                name="party_unique_agency",
                violation_error_message=_(
                    "This agency is already a party to the agreement."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.office or self.agency)

    @property
    def party_agency(self) -> Agency | None:
        """The agency behind the party (the office's agency, or the agency itself)."""
        return self.office.agency if self.office else self.agency

    def clean(self) -> None:
        super().clean()
        if bool(self.office_id) == bool(self.agency_id):
            raise ValidationError(
                _("Choose an office or, if none is named, an agency.")
            )
        agency = self.party_agency
        if agency is not None and self.side:
            expected = self.Side.US if agency.is_us else self.Side.FOREIGN
            if self.side != expected:
                raise ValidationError(
                    {
                        "side": _("%(agency)s is on the %(side)s side.")
                        % {"agency": agency, "side": expected.label}
                    }
                )


class AgreementSource(models.Model):
    """A source for an agreement; the primary one is where its facts were read."""

    agreement = models.ForeignKey(
        Agreement, models.CASCADE, related_name="citations", verbose_name=_("agreement")
    )
    source = models.ForeignKey(
        Source, models.PROTECT, related_name="citations", verbose_name=_("source")
    )
    is_primary = models.BooleanField(
        _("primary"),
        default=False,
        help_text=_("The source the record was built from."),
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("About this source for this agreement."),
    )

    history = tracked()

    class Meta:
        ordering = ["agreement", "-is_primary", "pk"]
        verbose_name = _("agreement source")
        verbose_name_plural = _("agreement sources")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "source"],
                name="agreement_source_unique",
                violation_error_message=_(
                    "This source is already cited for the agreement."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.source)


class Document(models.Model):
    """The agreement's text, a translation, or its press release, in one language."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        FULL_TEXT = "full_text", _("Full text")
        TRANSLATION = "translation", _("Translation")
        PRESS_RELEASE = "press_release", _("Press release")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    agreement = models.ForeignKey(
        Agreement, models.CASCADE, related_name="documents", verbose_name=_("agreement")
    )
    url = models.URLField(
        _("URL"), max_length=1000, help_text=_("Where the document is.")
    )
    language = models.CharField(_("language"), max_length=5, choices=Language)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    title = models.CharField(
        _("title"),
        max_length=300,
        blank=True,
        help_text=_("Title as published, if known."),
    )
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("e.g. “Archived copy.”")
    )

    history = tracked()

    class Meta:
        permissions = transfer_permissions("document", "documents")
        ordering = ["agreement", "language", "kind"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "url"],
                name="document_unique_url",
                violation_error_message=_(
                    "This document is already listed for the agreement."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class CorrectionReport(models.Model):
    """A visitor's report that something on a page is wrong: the curators' queue."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("Being checked")
        FIXED = "fixed", _("Fixed")
        DISMISSED = "dismissed", _("Dismissed")

    agreement = models.ForeignKey(
        Agreement,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="correction_reports",
        verbose_name=_("agreement"),
    )
    page_url = models.CharField(
        _("page"), max_length=500, help_text=_("The page the report was sent from.")
    )
    message = models.TextField(_("what is wrong"), max_length=5000)
    source_url = models.URLField(
        _("source"),
        max_length=1000,
        blank=True,
        help_text=_("Where the visitor read otherwise."),
    )
    contact = models.EmailField(
        _("contact"),
        blank=True,
        help_text=_("Only for curators' questions; never shown."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.NEW
    )
    curator_note = models.TextField(_("curator's note"), blank=True)
    created_at = models.DateTimeField(
        _("received at"), auto_now_add=True, db_index=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("correction report")
        verbose_name_plural = _("correction reports")

    def __str__(self) -> str:
        return f"{self.page_url} ({self.created_at:%Y-%m-%d})"
