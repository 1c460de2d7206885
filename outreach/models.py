"""Outreach: Labor Rights Week editions and their events, year-round programmes,
partner organisations and outcomes (topics are the registry's vocabulary)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from collection.history import tracked
from collection.models import (
    PublishableQuerySet,
    RegistryTranslated,
    Versioned,
    localized,
    transfer_permissions,
)
from collection.roles import curates_everything
from collection.search import full_text
from registry.models import (
    Agency,
    City,
    ContactPoint,
    Office,
    Source,
    SourcedQuerySetMixin,
    Topic,
    validate_time_zone,
)

#: Labor Rights Week began in 2009 (docs/data-model.md); its years have four digits.
FIRST_YEAR, LAST_YEAR = 2009, 2100
#: The years an event's dates may fall in: the registry's agreements begin in
#: the 2000s, and a date outside is a typing error (year 139, 20266).
EVENT_YEARS = range(2000, 2101)


def validate_languages(value: str) -> None:
    """Comma-separated codes of Event.LANGUAGES, e.g. “es,en”."""
    known = {code for code, _label in Event.LANGUAGES}
    unknown = [c for c in (c.strip() for c in value.split(",")) if c and c not in known]
    if unknown:
        raise ValidationError(
            _("Unknown language code: %(codes)s. Use %(known)s."),
            params={"codes": ", ".join(unknown), "known": ", ".join(sorted(known))},
        )


def validate_event_time(value: Any) -> None:
    if value is not None and value.year not in EVENT_YEARS:
        raise ValidationError(
            _("An event's date is between %(first)s and %(last)s."),
            params={"first": EVENT_YEARS[0], "last": EVENT_YEARS[-1]},
            code="year",
        )


class EditionQuerySet(SourcedQuerySetMixin, models.QuerySet["Edition"]):
    def with_event_count(self) -> EditionQuerySet:
        """Annotated with `event_count`: the edition's published events."""
        return self.annotate(
            event_count=Count(
                "events", filter=Q(events__is_published=True), distinct=True
            )
        )


class Edition(RegistryTranslated, Versioned):
    """One Labor Rights Week (Semana de Derechos Laborales), held each year
    around Labor Day since 2009."""

    TRANSLATABLE = ("theme",)

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        help_text=_("Used in URLs: /labor-rights-week/<year>/."),
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        unique=True,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(LAST_YEAR - FIRST_YEAR + 1),
        ],
        help_text=_("The edition's own count: the first was in 2009."),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    theme_en = models.CharField(
        _("theme (English)"),
        max_length=300,
        blank=True,
        help_text=_("The week's theme in English, where a source gives one."),
    )
    theme_es = models.CharField(
        _("theme (Spanish)"),
        max_length=300,
        blank=True,
        help_text=_("The week's theme in Spanish, where a source gives one."),
    )
    theme_note = models.CharField(
        _("theme note"),
        max_length=500,
        blank=True,
        help_text=_("e.g. when the theme's attribution to this year is inferred."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Shown publicly."))
    sources = models.ManyToManyField(
        Source, blank=True, related_name="editions", verbose_name=_("sources")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = EditionQuerySet.as_manager()

    history = tracked(m2m_fields=["sources"])

    class Meta:
        permissions = transfer_permissions("edition", "editions")
        ordering = ["-year"]
        verbose_name = _("Labor Rights Week edition")
        verbose_name_plural = _("Labor Rights Week editions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="edition_ends_after_start",
                violation_error_message=_("The week cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="edition_number_positive",
                violation_error_message=_("Editions are numbered from 1."),
            ),
            # Its pages and API item are at /<year>/, four digits (a year like
            # 12345 would save and then break every list that links to it).
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                name="edition_year_in_range",
                violation_error_message=_(
                    "Labor Rights Week began in 2009: the year is between 2009 and 2100."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Labor Rights Week %(year)s") % {"year": self.year})

    def get_absolute_url(self) -> str:
        return reverse("public:edition-detail", kwargs={"year": self.year})

    @property
    def theme(self) -> str:
        return localized(self, "theme")


class OrganizationQuerySet(SourcedQuerySetMixin, models.QuerySet["Organization"]):
    def for_city(self, city: City) -> OrganizationQuerySet:
        return self.filter(city=city)

    def search(self, text: str) -> OrganizationQuerySet:
        """Organisations whose name matches `text`, annotated with a `rank`."""
        return full_text(self, text, ["name"])


class Organization(Versioned):
    """A civil-society partner: union, worker centre, network, faith-based body..."""

    class Kind(models.TextChoices):
        UNION = "union", _("Union")
        WORKER_CENTER = "worker_center", _("Worker centre")
        NETWORK = "network", _("National network")
        HOMETOWN_ASSOCIATION = "hometown_association", _("Hometown association")
        ADVOCACY = "advocacy", _("Advocacy organisation")
        LEGAL_AID = "legal_aid", _("Legal aid")
        FAITH_BASED = "faith_based", _("Faith-based organisation")
        UNIVERSITY = "university", _("University")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    city = models.ForeignKey(
        City,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("city"),
    )
    website = models.URLField(_("website"), blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Shown publicly."))
    sources = models.ManyToManyField(
        Source, blank=True, related_name="organizations", verbose_name=_("sources")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = OrganizationQuerySet.as_manager()

    history = tracked(m2m_fields=["sources"])

    class Meta:
        permissions = transfer_permissions("organization", "organizations")
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name


class ProgrammeQuerySet(SourcedQuerySetMixin, models.QuerySet["Programme"]):
    def for_city(self, city: City) -> ProgrammeQuerySet:
        return self.filter(city=city)

    def for_agency(self, agency: Agency) -> ProgrammeQuerySet:
        """Programmes of the agency, one of its parts, or one of their offices."""
        ids = Agency.objects.descendant_ids(agency)
        matching = Programme.objects.filter(
            Q(agencies__in=ids) | Q(offices__agency__in=ids)
        )
        return self.filter(pk__in=matching.values("pk"))


class Programme(Versioned):
    """A year-round programme grown from the agreements: a hotline, a ventanilla."""

    class Kind(models.TextChoices):
        HOTLINE = "hotline", _("Hotline")
        VENTANILLA = "ventanilla", _("Ventanilla (desk at a consulate)")
        PARTNERSHIP = "partnership", _("Partnership")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    city = models.ForeignKey(
        City,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("city"),
    )
    started_in = models.PositiveSmallIntegerField(
        _("started in (year)"),
        null=True,
        blank=True,
        help_text=_("Year it began, if known."),
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    offices = models.ManyToManyField(
        Office, blank=True, related_name="programmes", verbose_name=_("offices")
    )
    agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="programmes",
        verbose_name=_("agencies"),
        help_text=_("Agencies taking part when no particular office is named."),
    )
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="programmes",
        verbose_name=_("organisations"),
    )
    website = models.URLField(_("website"), blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Shown publicly."))
    sources = models.ManyToManyField(
        Source, blank=True, related_name="programmes", verbose_name=_("sources")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = ProgrammeQuerySet.as_manager()

    history = tracked(m2m_fields=["offices", "agencies", "organizations", "sources"])

    class Meta:
        permissions = transfer_permissions("programme", "programmes")
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return localized(self, "description")


class ProgrammeContact(ContactPoint):
    """A contact point of a year-round programme: its hotline, its desk."""

    programme = models.ForeignKey(
        Programme,
        models.CASCADE,
        related_name="contacts",
        verbose_name=_("programme"),
    )

    history = tracked()

    class Meta:
        permissions = transfer_permissions("programmecontact", "programme contacts")
        ordering = ["programme", "kind", "pk"]
        verbose_name = _("programme contact")
        verbose_name_plural = _("programme contacts")
        constraints = ContactPoint.publication_rules("programmecontact")


#: Events most recent first, undated last (EventQuerySet.latest_first(); the
#: event_latest index on PostgreSQL).
LATEST_FIRST = (F("starts_at").desc(nulls_last=True), "title_en")


class EventQuerySet(SourcedQuerySetMixin, PublishableQuerySet["Event"]):
    def editable_by(self, user: Any) -> EventQuerySet:
        """The events `user` may change or delete: all of them for curators,
        those hosted by their offices for event editors, none for anyone else.
        The admin, the spreadsheet import and the API's writes all start here;
        another office's event is simply not there (404, never 403)."""
        if curates_everything(user):
            return self
        return self.filter(host_office__in=Office.objects.for_member(user))

    def visible_to(self, user: Any) -> EventQuerySet:
        """Curators see every draft; an event editor their offices' drafts;
        everyone else published events only."""
        if curates_everything(user):
            return self
        editable = Event.objects.editable_by(user).values("pk")
        return self.filter(Q(is_published=True) | Q(pk__in=editable))

    def upcoming(
        self, now: datetime | None = None, started_within: timedelta | None = None
    ) -> EventQuerySet:
        """Events not yet over (cancelled ones included, marked as such).

        With `started_within`, only those that started that long ago at most:
        the soonest upcoming events of the whole registry are then read off
        the start's index (event_start) instead of every event's end."""
        now = now or timezone.now()
        # The end, else the start: one expression, indexed (event_finish).
        upcoming = self.alias(finish=Coalesce("ends_at", "starts_at")).filter(
            finish__gte=now
        )
        if started_within is not None:
            upcoming = upcoming.filter(starts_at__gte=now - started_within)
        return upcoming

    def past(self, now: datetime | None = None) -> EventQuerySet:
        """Events not upcoming: over, or with no date known. The complement
        of upcoming()'s condition on each row, not a list of every upcoming
        event of the registry to exclude."""
        finish = Coalesce("ends_at", "starts_at")
        return self.alias(finish=finish).filter(
            Q(finish__lt=now or timezone.now()) | Q(finish__isnull=True)
        )

    def city_counts(self) -> models.QuerySet[Any]:
        """One row per city the events are in (`city` None for events without
        one) with their `count`: cities in alphabetical order, no city last."""
        return (
            self.values("city")
            .annotate(count=Count("pk"))
            .order_by(F("city__name").asc(nulls_last=True), "city__state__code", "city")
        )

    def first_in_each_city(self, per_city: int) -> EventQuerySet:
        """The first `per_city` events of each city (by start, then title), in
        the order of city_counts(): one query, however many events a city has."""
        return (
            self.annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("city")],
                    order_by=[F("starts_at").asc(nulls_last=True), F("title_en").asc()],
                )
            )
            .filter(rank__lte=per_city)
            .order_by(
                F("city__name").asc(nulls_last=True),
                "city__state__code",
                "city_id",
                "rank",
            )
        )

    def dated(self) -> EventQuerySet:
        """Events with a known start (calendars cannot show the others)."""
        return self.filter(starts_at__isnull=False)

    def latest_first(self) -> EventQuerySet:
        """Most recent first; undated events last, on every database."""
        return self.order_by(*LATEST_FIRST)

    def for_city(self, city: City) -> EventQuerySet:
        return self.filter(city=city)

    def for_agency(self, agency: Agency) -> EventQuerySet:
        """Events hosted by, or with, the agency or one of its parts."""
        ids = Agency.objects.descendant_ids(agency)
        # Tested row by row (EXISTS), not as one set of matching events: a
        # page reads the latest events off the event_latest index and stops
        # after the few it shows, instead of gathering all of an agency's
        # events first (31,000 of 200,000 for one agency, 0.6 s).
        with_offices = Event.offices.through.objects.filter(
            event=OuterRef("pk"), office__agency_id__in=ids
        )
        with_agencies = Event.agencies.through.objects.filter(
            event=OuterRef("pk"), agency_id__in=ids
        )
        return self.filter(
            Q(host_office__agency_id__in=ids)
            | Exists(with_offices)
            | Exists(with_agencies)
        )

    def search(self, text: str, recent: int | None = None) -> EventQuerySet:
        """Events matching `text` in their title, description, venue or city;
        `recent` bounds the candidates to the latest (full_text())."""
        fields = ["title_en", "title_es", "description_en", "description_es", "venue"]

        def city(word: str) -> Q:
            # Cities are a small table; the events of the matching ones by index.
            return Q(city__in=City.objects.filter(name__icontains=word).values("pk"))

        return full_text(
            self, text, fields, also=city, recent=recent, order=LATEST_FIRST
        )

    def for_office(self, office: Office) -> EventQuerySet:
        # An office has few events: the set of them, read by index, as one
        # union (an OR over the joined list made PostgreSQL read every event).
        hosted = Event.objects.filter(host_office=office).order_by().values("pk")
        joined = Event.offices.through.objects.filter(office=office).values("event_id")
        return self.filter(pk__in=hosted.union(joined, all=True))


class Event(RegistryTranslated, Versioned):
    """An event: a Labor Rights Week activity, or a year-round one (no edition)."""

    TRANSLATABLE = ("title", "description")
    #: The languages an event may be held in, by ISO 639 code.
    LANGUAGES = [
        ("es", _("Spanish")),
        ("en", _("English")),
        ("pt", _("Portuguese")),
        ("fr", _("French")),
        ("ht", _("Haitian Creole")),
        ("quc", _("K’iche’")),
        ("mam", _("Mam")),
    ]

    class Kind(models.TextChoices):
        TABLING = "tabling", _("Tabling at a consulate")
        WORKSHOP = "workshop", _("Workshop")
        TRAINING = "training", _("Training")
        FORUM = "forum", _("Forum or panel")
        CONSULTATIONS = "consultations", _("Consultations and legal advice")
        PRESS_EVENT = "press_event", _("Press event or opening")
        SIGNING = "signing", _("Signing ceremony")
        BROADCAST = "broadcast", _("Broadcast or online session")
        FAIR = "fair", _("Fair")
        PROGRAMME = "programme", _("Programme of several activities")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIRTUAL = "virtual", _("Virtual")
        HYBRID = "hybrid", _("In person and virtual")
        UNKNOWN = "unknown", _("Not stated")

    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_(
            "e.g. “2017-houston-labor-rights-week”. Used in URLs; do not change. "
            "Left empty, it is made from the year and the title."
        ),
    )
    edition = models.ForeignKey(
        Edition,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("Labor Rights Week edition"),
        help_text=_("Empty for year-round events."),
    )
    title_en = models.CharField(
        _("title (English)"),
        max_length=300,
        blank=True,
        help_text=_("A title in English or in Spanish is enough."),
    )
    title_es = models.CharField(
        _("title (Spanish)"),
        max_length=300,
        blank=True,
        help_text=_("A title in English or in Spanish is enough."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.SCHEDULED,
        help_text=_("Cancelled events stay on the site, marked as cancelled."),
    )
    mode = models.CharField(
        _("mode"), max_length=10, choices=Mode, default=Mode.IN_PERSON
    )
    host_office = models.ForeignKey(
        Office,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name=_("host office"),
        help_text=_(
            "Usually the consulate. Event editors may only choose their own offices."
        ),
    )
    offices = models.ManyToManyField(
        Office,
        blank=True,
        related_name="events",
        verbose_name=_("participating offices"),
    )
    agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="events",
        verbose_name=_("participating agencies"),
        help_text=_("Agencies taking part when no particular office is named."),
    )
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="events",
        verbose_name=_("partner organisations"),
    )
    city = models.ForeignKey(
        City,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("city"),
        help_text=_("Empty for national or online-only events."),
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    starts_at = models.DateTimeField(
        _("starts at"),
        null=True,
        blank=True,
        validators=[validate_event_time],
        help_text=_(
            "Leave empty only when no source gives the date; explain in the date note."
        ),
    )
    ends_at = models.DateTimeField(
        _("ends at"), null=True, blank=True, validators=[validate_event_time]
    )
    is_all_day = models.BooleanField(
        _("all day"),
        default=False,
        help_text=_("Tick when only the days are known; times are then not shown."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=40,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "The event's local time. Left empty, it is the time zone of the "
            "event's city, or else of the host office's city."
        ),
    )
    date_note = models.CharField(
        _("date note"),
        max_length=300,
        blank=True,
        help_text=_("How the date is known, when it is not exact."),
    )
    languages = models.CharField(
        _("languages"),
        max_length=50,
        blank=True,
        validators=[validate_languages],
        help_text=_("Language codes, comma-separated, e.g. “es,en”."),
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="events", verbose_name=_("topics")
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    registration_url = models.URLField(
        _("registration link"), blank=True, help_text=_("Where to sign up, if needed.")
    )
    attendance = models.PositiveIntegerField(
        _("reported attendance"),
        null=True,
        blank=True,
        help_text=_("People attending, as reported."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Shown publicly."))
    sources = models.ManyToManyField(
        Source, blank=True, related_name="events", verbose_name=_("sources")
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Visible on the public site, the API and the calendar feed."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = EventQuerySet.as_manager()

    history = tracked(
        m2m_fields=["offices", "agencies", "organizations", "topics", "sources"]
    )

    class Meta:
        permissions = transfer_permissions("event", "events")
        ordering = [F("starts_at").asc(nulls_last=True), "title_en"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | (Q(starts_at__isnull=False) & Q(ends_at__gte=F("starts_at"))),
                name="event_ends_after_start",
                violation_error_message=_("The event cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["city", "starts_at"], name="event_city_start"),
            models.Index(fields=["starts_at"], name="event_start"),
            # upcoming(): not over yet, read off the index.
            models.Index(Coalesce("ends_at", "starts_at"), name="event_finish"),
            models.Index(fields=["updated_at"], name="event_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:event-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if not (self.title_en.strip() or self.title_es.strip()):
            raise ValidationError(_("Give a title in English or in Spanish."))
        if not self.time_zone:
            self.time_zone = self.place_time_zone()
            if not self.time_zone:
                raise ValidationError(
                    {
                        "time_zone": _(
                            "Choose the time zone: neither the event's city nor "
                            "its host office's city has one on record."
                        )
                    }
                )
        if not self.slug:
            self.slug = self.free_slug()

    def place_time_zone(self) -> str:
        """The time zone of the event's city, or else of its host office's."""
        cities = [self.city if self.city_id else None]
        if self.host_office_id and self.host_office is not None:
            cities.append(self.host_office.city)
        for city in cities:
            if city is not None and city.time_zone:
                return city.time_zone
        return ""

    def free_slug(self) -> str:
        """A slug from the year and the title (either language) that no other
        event has: "2026-semana-de-derechos-laborales-en-chicago", then "-2"..."""
        if self.starts_at:
            year = self.starts_at.year
        elif self.edition is not None:
            year = self.edition.year
        else:
            year = timezone.localdate().year
        words = slugify(self.title_en or self.title_es)[:100].strip("-")
        base = f"{year}-{words}" if words else str(year)
        taken = set(
            Event.objects.exclude(pk=self.pk)
            .filter(slug__startswith=base)
            .values_list("slug", flat=True)
        )
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        return slug

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def local_start(self) -> datetime | None:
        """The start in the event's own time zone."""
        return (
            self.starts_at.astimezone(ZoneInfo(self.time_zone))
            if self.starts_at
            else None
        )

    @property
    def local_end(self) -> datetime | None:
        return (
            self.ends_at.astimezone(ZoneInfo(self.time_zone)) if self.ends_at else None
        )


class Outcome(Versioned):
    """A reported figure: people reached in a Labor Rights Week, back wages
    recovered by a programme... Conflicting figures are kept side by side."""

    class Metric(models.TextChoices):
        CONSULATES = "consulates", _("Consular offices taking part")
        EVENTS = "events", _("Events held")
        PEOPLE_REACHED = "people_reached", _("People reached")
        PROTECTION_CASES = "protection_cases", _("Labour protection cases")
        PARTNERS = "partners", _("Partner authorities and organisations")
        AGREEMENTS_SIGNED = "agreements_signed", _("Local agreements signed")
        AGREEMENTS_UPDATED = (
            "agreements_updated",
            _("Local agreements renewed or updated"),
        )
        BACK_WAGES_USD = "back_wages_usd", _("Back wages recovered (USD)")
        PEOPLE_TRAINED = "people_trained", _("People trained")

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        ABOUT = "about", _("about")
        MORE_THAN = "more_than", _("more than")

    edition = models.ForeignKey(
        Edition,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("Labor Rights Week edition"),
    )
    programme = models.ForeignKey(
        Programme,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("programme"),
    )
    agreement = models.ForeignKey(
        "registry.Agreement",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("agreement"),
        help_text=_(
            "The agreement whose report gives the figure (an alliance's annual report)."
        ),
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric)
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        help_text=_("The figure as reported."),
    )
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier, default=Qualifier.EXACT
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("The year the figure refers to.")
    )
    source = models.ForeignKey(
        Source, models.PROTECT, related_name="outcomes", verbose_name=_("source")
    )
    note = models.CharField(
        _("note"),
        max_length=500,
        blank=True,
        help_text=_("Context: what was counted, by whom."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = tracked()

    class Meta:
        permissions = transfer_permissions("outcome", "outcomes")
        ordering = ["edition", "programme", "agreement", "metric", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(edition__isnull=True) | Q(programme__isnull=True),
                name="outcome_not_both_edition_and_programme",
                violation_error_message=_(
                    "An outcome belongs to an edition or to a programme, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="outcome_value_positive",
                violation_error_message=_("A figure cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_metric_display()}: {self.get_qualifier_display()} {self.amount}"
        )

    @property
    def amount(self) -> str:
        """The value without trailing decimals for whole numbers: “18,750”."""
        value = (
            self.value.normalize()
            if self.value == self.value.to_integral()
            else self.value
        )
        return f"{value:,.0f}" if value == value.to_integral() else f"{value:,}"
