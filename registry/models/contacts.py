"""How to reach help: the contact points of offices and agencies (a consulate's
protection line, an agency's national hotline, a street address), each as a
sourced fact with the date its source stated it.

`ContactPoint` holds the fields and rules every contact point shares; the
registry's `Contact` belongs to an office or an agency, and outreach's
`ProgrammeContact` to a programme.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from collection.history import tracked
from collection.models import (
    PublishableQuerySet,
    Versioned,
    localized,
    transfer_permissions,
)

from ..dates import DatePrecision, PartialDate
from .agencies import Agency
from .sources import Source

# Numbers without a country code are read as US numbers.
DEFAULT_REGION = "US"


class ContactKind(models.TextChoices):
    PROTECTION_LINE = "protection_line", _("Protection or emergency line")
    HOTLINE = "hotline", _("National hotline")
    MAIN_PHONE = "main_phone", _("Main phone")
    EMAIL = "email", _("E-mail")
    ADDRESS = "address", _("Street address")
    HOURS = "hours", _("Opening hours")
    WEB_FORM = "web_form", _("Web form")
    OTHER = "other", _("Other (as stated)")


PHONE_KINDS = frozenset(
    {ContactKind.PROTECTION_LINE, ContactKind.HOTLINE, ContactKind.MAIN_PHONE}
)


class Standing(models.TextChoices):
    """Why a contact point is, or is not, shown to the public."""

    CURRENT = "current", _("Current value")
    LEAD = "lead", _("Lead to confirm (not from an official page)")
    SUPERSEDED = "superseded", _("Superseded by a newer value")
    ALSO_STATED = "also_stated", _("Same value, stated by another source")


def parse_phone(text: str) -> str:
    """A phone number in E.164 (`+18664879243`, with `;ext=117` for an
    extension). Raises ValidationError when `text` is not a valid number."""
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            gettext("Not a valid phone number: %(value)s"), params={"value": text}
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={number.extension}" if number.extension else e164


def kind_order() -> Case:
    """Contact kinds in the order a worker needs them: protection lines and
    hotlines first, then the office's phone, e-mail and address."""
    return Case(
        *(
            When(kind=value, then=Value(position))
            for position, value in enumerate(ContactKind.values)
        ),
        output_field=IntegerField(),
    )


class ContactQuerySet(PublishableQuerySet[Any]):
    def leads(self) -> ContactQuerySet:
        """Values from unofficial pages, kept for curators to confirm."""
        return self.filter(standing=Standing.LEAD, is_published=False)

    def phones(self) -> ContactQuerySet:
        return self.filter(kind__in=PHONE_KINDS)

    def reaching(self, office: Any) -> ContactQuerySet:
        """Whom to call at an office: its own contact points and its agency's
        (and the agency's parent's: a national hotline applies wherever the
        agency does)."""
        agencies = [office.agency_id, office.agency.parent_id]
        return self.filter(
            Q(office=office) | Q(agency_id__in=[pk for pk in agencies if pk])
        )

    def national_lines(self, agencies: Any = ()) -> ContactQuerySet:
        """The lines that apply wherever their agency does: every US federal
        agency's, and those of `agencies` (e.g. the SRE's CIAM where one of its
        consulates serves)."""
        return self.filter(
            Q(agency__level=Agency.Level.FEDERAL, agency__country__code="us")
            | Q(agency__in=agencies)
        )

    def in_kind_order(self) -> ContactQuerySet:
        return self.order_by(kind_order(), "-as_of", "pk")


class ContactPoint(Versioned):
    """One way to reach an office, an agency or a programme, as one source
    stated it on one date."""

    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind)
    value = models.CharField(
        _("value"),
        max_length=300,
        help_text=_(
            "A phone number (any common format; it is stored in international "
            "form), an e-mail, a street address, opening hours or a web address."
        ),
    )
    label_en = models.CharField(
        _("label (English)"),
        max_length=200,
        blank=True,
        help_text=_("Shown beside the value, e.g. “TTY”, “after 6 pm and weekends”."),
    )
    label_es = models.CharField(_("label (Spanish)"), max_length=200, blank=True)
    languages = models.CharField(
        _("languages served"),
        max_length=50,
        blank=True,
        help_text=_("Language codes, comma-separated, only where the source says."),
    )
    as_of = models.DateField(
        _("as of"),
        null=True,
        blank=True,
        help_text=_("When the source stated this value."),
    )
    as_of_precision = models.CharField(
        _("as-of precision"),
        max_length=10,
        choices=[
            (value, label)
            for value, label in DatePrecision.choices
            if value != DatePrecision.INTERVAL
        ],
        default=DatePrecision.UNKNOWN,
    )
    as_of_note = models.CharField(
        _("as-of note"),
        max_length=300,
        blank=True,
        help_text=_("How the date is known, when the source does not print it."),
    )
    source = models.ForeignKey(
        Source,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("source"),
    )
    quote = models.CharField(
        _("quote"),
        max_length=400,
        blank=True,
        help_text=_("The source's words the value was read in (at most 25 words)."),
    )
    standing = models.CharField(
        _("standing"), max_length=12, choices=Standing, default=Standing.LEAD
    )
    is_published = models.BooleanField(
        _("public"),
        default=False,
        help_text=_(
            "Shown on the public site. Only a current value from an official page "
            "(or news quoting one), with its source and date."
        ),
    )
    note = models.TextField(
        _("curators' note"),
        blank=True,
        help_text=_("How the value was judged; in the data files, not on the pages."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.display_value}"

    @staticmethod
    def publication_rules(prefix: str) -> list[models.BaseConstraint]:
        """The database's side of `clean()`: a public value is current, and
        has a source and a date."""
        return [
            models.CheckConstraint(
                condition=Q(is_published=False)
                | Q(
                    standing=Standing.CURRENT,
                    source__isnull=False,
                    as_of__isnull=False,
                ),
                name=f"{prefix}_public_is_sourced_and_dated",
                violation_error_message=_(
                    "A public contact needs a source and an “as of” date, and must "
                    "be the current value."
                ),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        self.value = (self.value or "").strip()
        try:
            self.value = self.normalized(self.kind, self.value)
        except ValidationError as error:
            errors["value"] = error
        if self.as_of_precision == DatePrecision.UNKNOWN and self.as_of:
            self.as_of_precision = DatePrecision.DAY
        if self.is_published:
            if self.standing != Standing.CURRENT:
                errors["is_published"] = _(
                    "Only the current value can be public; this one is “%(standing)s”."
                ) % {"standing": self.get_standing_display()}
            if self.source_id is None:
                errors["source"] = _("A public contact needs its source.")
            if self.as_of is None:
                errors["as_of"] = _(
                    "A public contact needs the date its source stated it."
                )
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def normalized(kind: str, value: str) -> str:
        """`value` in its stored form; raises ValidationError if it is not a
        value of that kind (a malformed phone number, a bad e-mail)."""
        if not value:
            raise ValidationError(gettext("Enter the value."))
        if kind in PHONE_KINDS:
            return parse_phone(value)
        if kind == ContactKind.EMAIL:
            EmailValidator(message=gettext("Not a valid e-mail address."))(value)
        if kind == ContactKind.WEB_FORM:
            URLValidator(message=gettext("Not a valid web address."))(value)
        return value

    # Shown on the pages ---------------------------------------------------

    @property
    def is_phone(self) -> bool:
        return self.kind in PHONE_KINDS

    @property
    def phone_number(self) -> phonenumbers.PhoneNumber | None:
        if not self.is_phone:
            return None
        try:
            return phonenumbers.parse(self.value.replace(";ext=", " ext. "), None)
        except phonenumbers.NumberParseException:
            return None

    @property
    def display_value(self) -> str:
        """Phone numbers in national form for US numbers ("(866) 487-9243"),
        international otherwise; everything else as stored."""
        number = self.phone_number
        if number is None:
            return self.value
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if phonenumbers.region_code_for_number(number) == DEFAULT_REGION
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(number, style)

    @property
    def href(self) -> str:
        """A link for the value: `tel:` for phones (RFC 3966), `mailto:` for
        e-mail, the web form's address; empty for the rest."""
        number = self.phone_number
        if number is not None:
            return phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.RFC3966
            )
        if self.kind == ContactKind.EMAIL:
            return f"mailto:{self.value}"
        if self.kind == ContactKind.WEB_FORM:
            return self.value
        return ""

    @property
    def label(self) -> str:
        return localized(self, "label")

    @property
    def stated(self) -> PartialDate:
        return PartialDate(self.as_of, self.as_of_precision)


class Contact(ContactPoint):
    """A contact point of an office (a consulate's protection line) or of an
    agency (a national hotline, which applies wherever the agency does)."""

    office = models.ForeignKey(
        "registry.Office",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("office"),
    )
    agency = models.ForeignKey(
        "registry.Agency",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("agency"),
    )

    history = tracked()

    class Meta:
        permissions = transfer_permissions("contact", "contacts")
        ordering = ["office", "agency", "kind", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=Q(office__isnull=False, agency__isnull=True)
                | Q(office__isnull=True, agency__isnull=False),
                name="contact_one_owner",
                violation_error_message=_(
                    "A contact belongs to an office or to an agency (one of them)."
                ),
            ),
            *ContactPoint.publication_rules("contact"),
        ]
        indexes = [
            models.Index(fields=["office", "is_published"]),
            models.Index(fields=["agency", "is_published"]),
        ]

    @property
    def owner(self) -> Any:
        return self.office if self.office_id else self.agency
