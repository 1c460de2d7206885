"""Agreements, their parties and signers, sources and documents."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collection.history import tracked
from collection.models import (
    PublishableQuerySet,
    RegistryTranslated,
    Versioned,
    localized,
    transfer_permissions,
)
from collection.search import Joined, Words, full_text

from ..dates import DatePrecision, PartialDate, add_months
from .agencies import Agency, Office
from .places import City, Country, State
from .sources import Source, SourcedQuerySetMixin, validate_quote
from .status import EXPIRING_WITHIN_DAYS, Status, status_on, status_q, unknown_reason
from .vocabulary import Law, Topic

#: The longest term an agreement may state, in months (a century).
MAX_TERM_MONTHS = 1200


#: What an agreement's `party_names` holds of each party: its office's names
#: and agency, or its agency, and its signer (AgreementQuerySet.refresh_party_names).
PARTY_NAME_PARTS = (
    "office__name", "office__name_en", "office__name_es",
    "office__agency__name", "office__agency__acronym",
    "agency__name", "agency__acronym", "signer_name",
)  # fmt: skip

#: The agreement list's order (AgreementQuerySet.newest_first()).
NEWEST_FIRST = (F("signed_on").desc(nulls_last=True), "title_en", "pk")


class AgreementQuerySet(SourcedQuerySetMixin, PublishableQuerySet["Agreement"]):
    def with_status_data(self) -> AgreementQuerySet:
        """Fetch what `Agreement.status` reads, so lists stay at one query."""
        return self.select_related("renewal")

    def with_parties(self) -> AgreementQuerySet:
        """Fetch the parties as pages show them: each office with its agency
        and city, or the agency itself, in one more query."""
        return self.prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related(
                    "office__agency__country", "office__city__state", "agency__country"
                ),
            )
        )

    def for_listing(self) -> AgreementQuerySet:
        """What a row of an agreement list shows: its status and its parties."""
        return self.with_status_data().with_parties()

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
        return self.for_offices([office])

    def for_offices(self, offices: Any) -> AgreementQuerySet:
        """Agreements with any of `offices` (records or ids) as a party."""
        parties = Party.objects.filter(office__in=offices)
        return self.filter(pk__in=parties.values("agreement_id"))

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

    def search(self, text: str, recent: int | None = None) -> AgreementQuerySet:
        """Agreements matching `text` in their titles, summaries, name as an
        instrument, or parties and signers (`party_names`); annotated with a
        `rank`. `recent` bounds the candidates to the most recently signed
        (full_text())."""
        fields = [
            "title_en", "title_es", "summary_en", "summary_es", "instrument_as_named",
            "slug", "party_names",
        ]  # fmt: skip
        return full_text(self, text, fields, recent=recent, order=NEWEST_FIRST)

    def refresh_party_names(self) -> int:
        """Write each agreement's `party_names` from its parties, as one
        UPDATE (whatever the number of agreements); returns how many. Called
        on every write of a party, an office or an agency (registry.signals)."""
        names = (
            Party.objects.filter(agreement=OuterRef("pk"))
            .order_by()
            .values("agreement")
            .annotate(names=Joined(Words(*PARTY_NAME_PARTS)))
            .values("names")
        )
        return self.order_by().update(party_names=Coalesce(Subquery(names), Value("")))

    def newest_first(self) -> AgreementQuerySet:
        """The list's order: the most recently signed first (unknown dates
        last), then by title, then by key, so that ties have one order on
        every page and database (the agreement_listing index on PostgreSQL)."""
        return self.order_by(*NEWEST_FIRST)

    def dated(self) -> AgreementQuerySet:
        """Agreements whose signing date is known, to any precision."""
        return self.filter(signed_on__isnull=False)

    def national(self) -> AgreementQuerySet:
        return self.filter(scope=Agreement.Scope.NATIONAL)

    @staticmethod
    def status_q(status: str, day: date) -> Q:
        """See registry.models.status: the SQL twin of `Agreement.status_on`."""
        return status_q(status, day)

    def with_status(self, status: str, *, on: date | None = None) -> AgreementQuerySet:
        return self.filter(self.status_q(status, on or timezone.localdate()))

    def in_force_on(self, day: date) -> AgreementQuerySet:
        """In force on `day`, including those about to expire."""
        return self.filter(
            status_q(Status.IN_FORCE, day) | status_q(Status.EXPIRING, day)
        )

    def expiring_within(
        self, days: int, *, on: date | None = None
    ) -> AgreementQuerySet:
        """In force, and the expiry may fall within `days` days of `on` (today)."""
        day = on or timezone.localdate()
        return self.in_force_on(day).filter(
            expiry_earliest__lte=day + timedelta(days=days)
        )

    def without_published_renewal(self) -> AgreementQuerySet:
        """No renewal on record, or only a draft one."""
        return self.filter(Q(renewal__isnull=True) | Q(renewal__is_published=False))

    def expiring(self, *, on: date | None = None) -> AgreementQuerySet:
        """Expiring: in force, the expiry within EXPIRING_WITHIN_DAYS of `on`."""
        return self.expiring_within(EXPIRING_WITHIN_DAYS, on=on)


class Agreement(RegistryTranslated, Versioned):
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

    Status = Status
    TRANSLATABLE = ("title", "summary")

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
        # A century: no agreement states more; beyond, dates leave the calendar.
        validators=[
            MaxValueValidator(MAX_TERM_MONTHS, _("A term is at most 1,200 months."))
        ],
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
        Topic,
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
    # Derived, for search only (its column is in the PostgreSQL text search
    # document, migration 0020): never shown, exported or edited.
    party_names = models.TextField(editable=False, blank=True, default="")

    objects = AgreementQuerySet.as_manager()

    history = tracked(
        m2m_fields=["laws", "topics"],
        excluded_fields=["expiry_earliest", "expiry_latest", "party_names"],
    )

    class Meta:
        permissions = transfer_permissions("agreement", "agreements")
        ordering = [F("signed_on").desc(nulls_last=True), "title_en"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        # The order of syncing and sitemaps. The list's default order has an
        # index on PostgreSQL only (migration 0018: SQLite cannot index
        # NULLS LAST).
        indexes = [
            models.Index(fields=["updated_at"], name="agreement_updated"),
        ]
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
        # Written from the parties in the database, never from this instance,
        # which may hold names from before its parties changed.
        Agreement.objects.filter(pk=self.pk).refresh_party_names()

    def get_absolute_url(self) -> str:
        return reverse("public:agreement-detail", kwargs={"slug": self.slug})

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
        """Derived from the dates and the renewal chain (registry.models.status)."""
        return status_on(self, day)

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def unknown_reason(self) -> str:
        """Why today's status is unknown ("" when it is known)."""
        today = timezone.localdate()
        if self.status_on(today) != Status.UNKNOWN:
            return ""
        return unknown_reason(self, today)

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


class Party(Versioned):
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


#: The names of the facts a citation supports (`AgreementSource.supports`,
#: comma-separated), shown in the page's language; other words show as written.
FACTS_READ = {
    "signing date": _("signing date"),
    "term": _("term"),
    "expiry": _("expiry"),
    "renewal": _("renewal"),
    "national instrument": _("national instrument"),
    "parties": _("parties"),
    "area served": _("area served"),
    "concluded": _("concluded"),
    "reported figures": _("reported figures"),
    "reported events": _("reported events"),
    "title": _("title"),
    "instrument": _("instrument"),
    "kind": _("kind"),
    "scope": _("scope"),
    "texts": _("texts"),
    "Spanish title": _("Spanish title"),
}


class AgreementSource(Versioned):
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
    supports = models.CharField(
        _("supports"),
        max_length=200,
        blank=True,
        help_text=_("The facts read in this source, e.g. “signing date, term”."),
    )
    quote = models.CharField(
        _("quote"),
        max_length=400,
        blank=True,
        validators=[validate_quote],
        help_text=_(
            "The source's own words in which the facts were read, verbatim; at "
            "most 25 words."
        ),
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

    @property
    def facts_read(self) -> str:
        """`supports` in the page's language, where its words are the usual ones."""
        names = [name.strip() for name in self.supports.split(",") if name.strip()]
        return ", ".join(str(FACTS_READ.get(name, name)) for name in names)


class Document(Versioned):
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
        ordering = ["agreement", "language", "kind", "url"]
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
