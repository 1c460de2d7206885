"""Where things are: countries, their states, and cities."""

from __future__ import annotations

from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from collection.history import tracked
from collection.models import Versioned, localized, transfer_permissions
from collection.search import full_text

from .sources import Source, SourcedQuerySetMixin

#: The time zone names the registry takes: the IANA database's Area/Location
#: names, and UTC; not its legacy aliases (EST, GMT0, US/Eastern, Etc/GMT+5),
#: which name the same zones again (the API's schema lists these names).
TIME_ZONES = tuple(
    sorted(
        {
            name
            for name in available_timezones()
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
        }
        | {"UTC"}
    )
)
_TIME_ZONE_NAMES = frozenset(TIME_ZONES)


def validate_time_zone(name: str) -> None:
    """An IANA time zone name, e.g. “America/Chicago” (one of TIME_ZONES)."""
    if name and name not in _TIME_ZONE_NAMES:
        raise ValidationError(
            _("“%(name)s” is not a time zone name such as America/Chicago."),
            params={"name": name},
        )


class CountryQuerySet(models.QuerySet["Country"]):
    def foreign(self) -> CountryQuerySet:
        """The countries of the foreign side: all but the United States."""
        return self.exclude(code="us")


class Country(Versioned):
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

    objects = CountryQuerySet.as_manager()

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
        return reverse("public:country-detail", kwargs={"code": self.code})

    @property
    def name(self) -> str:
        return localized(self, "name")


class State(Versioned):
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


class CityQuerySet(SourcedQuerySetMixin, models.QuerySet["City"]):
    def search(self, text: str) -> CityQuerySet:
        """Cities whose name matches `text`, annotated with a `rank`."""
        return full_text(self, text, ["name"])

    def with_office_count(self) -> CityQuerySet:
        """Annotated with `office_count`: the offices located in the city."""
        return self.annotate(office_count=Count("offices", distinct=True))


class City(Versioned):
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

    objects = CityQuerySet.as_manager()

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
        return reverse("public:city-detail", kwargs={"slug": self.slug})
