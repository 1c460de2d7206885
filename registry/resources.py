"""The registry's collections in the file format of the seed data in fixtures/,
imports and open-data downloads (see collection.resources for the conventions).

An agreement's signing date keeps its precision ("2011-11", "2012",
"2014-10-22/2014-10-23"). Sources are named by URL, or by title when printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from import_export import fields

from collection.resources import (
    SEPARATOR,
    CollectionResource,
    KeyLookup,
    KeysWidget,
    KeyWidget,
    cell_key,
    key,
)

from .dates import DatePrecision, PartialDate
from .models import (
    PHONE_KINDS,
    Agency,
    Agreement,
    AgreementSource,
    City,
    Contact,
    ContactPoint,
    Country,
    Document,
    Jurisdiction,
    Law,
    Office,
    Party,
    Source,
    State,
    Topic,
)
from .services import cite_sources


class SourceLookup(KeyLookup):
    """Sources by URL, or by title for printed sources (those without a URL)."""

    model = Source
    field = "url"

    def fetch(self, keys: list[str]) -> Any:
        return Source.objects.by_keys(keys)

    def key_of(self, obj: Any) -> str:
        return str(obj.key)

    def fetch_one(self, key: str) -> Any:
        return find_source(key)


class SourceKeyWidget(SourceLookup, KeyWidget):
    """A source given by its URL, or by its title when it is a printed source."""

    def __init__(self) -> None:
        super().__init__(Source, field="url")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else value.key


def find_source(key: str) -> Source:
    source = Source.objects.by_keys([key]).first()
    if source is None:
        raise ValueError(
            _("No source “%(key)s”: add it to the sources first.") % {"key": key}
        )
    return source


class SourceKeysWidget(SourceLookup, KeysWidget):
    """Many sources, by URL (or title for printed sources)."""

    def __init__(self) -> None:
        super().__init__(Source, field="url")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return [self.lookup(key) for key in self.split(value)]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return f"{SEPARATOR} ".join(source.key for source in value.all())


def primary_first(citations: Any) -> list[AgreementSource]:
    return sorted(citations, key=lambda c: (not c.is_primary, c.pk))


class CountryResource(CollectionResource):
    collection = "countries"

    class Meta:
        model = Country
        import_id_fields = ["code"]
        fields = ["code", "name_en", "name_es"]


class StateResource(CollectionResource):
    collection = "states"

    country = fields.Field("country", "country", key(Country, "code"))

    class Meta:
        model = State
        import_id_fields = ["slug"]
        fields = ["slug", "code", "name", "country"]


class SourceResource(CollectionResource):
    collection = "sources"

    class Meta:
        model = Source
        import_id_fields = ["url", "title"]
        fields = [
            "url",
            "title",
            "publisher",
            "published_on",
            "accessed_on",
            "reliability",
            "archive_url",
            "note",
        ]

    def get_instance(self, instance_loader: Any, row: Any) -> Source | None:
        url = (row.get("url") or "").strip()
        lookup = (
            {"url": url}
            if url
            else {"url": "", "title": (row.get("title") or "").strip()}
        )
        return Source.objects.filter(**lookup).first()


class CityResource(CollectionResource):
    collection = "cities"

    state = fields.Field("state", "state", key(State))
    country = fields.Field("country", "country", key(Country, "code"))
    sources = fields.Field("sources", "sources", SourceKeysWidget())

    class Meta:
        model = City
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "state",
            "country",
            "county",
            "gateway_type",
            "latitude",
            "longitude",
            "time_zone",
            "note",
            "sources",
        ]


class AgencyResource(CollectionResource):
    collection = "agencies"

    country = fields.Field("country", "country", key(Country, "code"))
    parent = fields.Field("parent", "parent", key(Agency))
    sources = fields.Field("sources", "sources", SourceKeysWidget())

    class Meta:
        model = Agency
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "acronym",
            "country",
            "level",
            "parent",
            "website",
            "note",
            "sources",
        ]


class OfficeResource(CollectionResource):
    collection = "offices"

    agency = fields.Field("agency", "agency", key(Agency))
    city = fields.Field("city", "city", key(City))
    sources = fields.Field("sources", "sources", SourceKeysWidget())

    class Meta:
        model = Office
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "name_en",
            "name_es",
            "is_name_attested",
            "agency",
            "kind",
            "kind_note",
            "city",
            "website",
            "active_from",
            "active_to",
            "note",
            "sources",
        ]


class JurisdictionResource(CollectionResource):
    collection = "jurisdictions"

    office = fields.Field("office", "office", key(Office))
    state = fields.Field("state", "state", key(State))
    source = fields.Field("source", "source", SourceKeyWidget())

    class Meta:
        model = Jurisdiction
        import_id_fields = ["office", "state", "county"]
        fields = [
            "office",
            "state",
            "county",
            "is_partial",
            "valid_from",
            "valid_to",
            "source",
            "note",
        ]


def read_partial_date(value: Any, column: str) -> PartialDate:
    """A cell holding a date of known precision ("2021", "2021-05", a date)."""
    if isinstance(value, datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, date) else cell_key(value)
    try:
        return PartialDate.parse(text)
    except ValueError as error:
        raise ValidationError({column: [str(error)]}) from None


class ContactPointResource(CollectionResource):
    """Contact points: one row per value as one source stated it. Phone numbers
    may be written in any common form; they are stored and exported in E.164.
    `as_of` keeps its precision ("2021", "2021-05", "2021-05-01")."""

    as_of = fields.Field(column_name="as_of", readonly=True)
    source = fields.Field("source", "source", SourceKeyWidget())

    #: The columns after the owner's (office, agency or programme).
    COLUMNS = (
        "kind",
        "value",
        "label_en",
        "label_es",
        "languages",
        "as_of",
        "as_of_note",
        "source",
        "quote",
        "standing",
        "is_published",
        "note",
    )

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        # The same number in another form is the same row: compare in E.164.
        if row.get("kind") in PHONE_KINDS and row.get("value"):
            try:
                row["value"] = ContactPoint.normalized(
                    row["kind"], cell_key(row["value"])
                )
            except ValidationError:
                pass  # reported with the row by the model's validation
        super().before_import_row(row, **kwargs)

    def import_derived(self, instance: Any, row: Any) -> None:
        if "as_of" in row:
            stated = read_partial_date(row["as_of"], "as_of")
            if stated.precision == DatePrecision.INTERVAL:
                raise ValidationError({"as_of": [_("Give one date, not an interval.")]})
            instance.as_of = stated.start
            instance.as_of_precision = stated.precision

    def dehydrate_as_of(self, contact: Any) -> str:
        return contact.stated.iso()


class ContactResource(ContactPointResource):
    """The contact points of offices and agencies (one of the two per row)."""

    collection = "contacts"

    office = fields.Field("office", "office", key(Office))
    agency = fields.Field("agency", "agency", key(Agency))

    class Meta:
        model = Contact
        import_id_fields = ["office", "agency", "kind", "value", "source"]
        fields = ["office", "agency", *ContactPointResource.COLUMNS]

    def get_queryset(self) -> Any:
        return Contact.objects.select_related("office", "agency", "source")


class LawResource(CollectionResource):
    collection = "laws"

    class Meta:
        model = Law
        import_id_fields = ["slug"]
        fields = ["slug", "short_name", "name_en", "name_es"]


class TopicResource(CollectionResource):
    collection = "topics"

    class Meta:
        model = Topic
        import_id_fields = ["slug"]
        fields = ["slug", "name_en", "name_es"]


class AgreementResource(CollectionResource):
    """Agreements; their parties and documents are in their own files. An
    export also reads them for a spreadsheet, without joins: the signing
    date's first and last possible days, the parties by name on each side,
    the foreign parties' countries, the party offices' cities and states, and
    the page's address (derived columns, ignored on import)."""

    collection = "agreements"

    signed_on = fields.Field(column_name="signed_on", readonly=True)
    signed_from = fields.Field(column_name="signed_from", readonly=True)
    signed_to = fields.Field(column_name="signed_to", readonly=True)
    signed_on_precision = fields.Field(column_name="signed_on_precision", readonly=True)
    expires = fields.Field(column_name="expires", readonly=True)
    status = fields.Field(column_name="status", readonly=True)
    us_parties = fields.Field(column_name="us_parties", readonly=True)
    foreign_parties = fields.Field(column_name="foreign_parties", readonly=True)
    foreign_countries = fields.Field(column_name="foreign_countries", readonly=True)
    cities = fields.Field(column_name="cities", readonly=True)
    states = fields.Field(column_name="states", readonly=True)
    framework = fields.Field("framework", "framework", key(Agreement))
    renews = fields.Field("renews", "renews", key(Agreement))
    laws = fields.Field("laws", "laws", KeysWidget(Law))
    topics = fields.Field("topics", "topics", KeysWidget(Topic))
    sources = fields.Field("sources", "sources", SourceKeysWidget())
    page_url = fields.Field(column_name="page_url", readonly=True)

    derived_columns = (
        "signed_from",
        "signed_to",
        "signed_on_precision",
        "expires",
        "status",
        "us_parties",
        "foreign_parties",
        "foreign_countries",
        "cities",
        "states",
        "page_url",
    )
    # What the columns read, fetched only where the rows do not come with it
    # (the API and the downloads fetch it with the rows; the admin's list and
    # the command do not): references, the renewal behind the status, lists,
    # and each party's office with its agency's country, city and state, or
    # the agency with its country.
    export_related = (
        "framework",
        "renews",
        "renewal",
        "laws",
        "topics",
        "citations__source",
        "parties__office__agency__country",
        Prefetch(
            "parties__office__city", queryset=City.objects.select_related("state")
        ),
        "parties__agency__country",
    )

    class Meta:
        model = Agreement
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "title_en",
            "title_es",
            "kind",
            "instrument_as_named",
            "scope",
            "signed_on",
            "signed_from",
            "signed_to",
            "signed_on_precision",
            "signed_on_note",
            "term_months",
            "expires_on",
            "is_open_ended",
            "is_concluded",
            "term_note",
            "expires",
            "status",
            "us_parties",
            "foreign_parties",
            "foreign_countries",
            "cities",
            "states",
            "framework",
            "renews",
            "laws",
            "topics",
            "summary_en",
            "summary_es",
            "translated_by_registry",
            "note",
            "is_published",
            "sources",
            "page_url",
        ]

    def get_queryset(self) -> Any:
        return Agreement.objects.select_related(*self.key_relations()).prefetch_related(
            "laws", "topics", "citations__source"
        )

    def import_derived(self, instance: Agreement, row: Any) -> None:
        if "signed_on" not in row and instance.pk is None:
            row = {**row, "signed_on": ""}  # a new agreement, date not given: unknown
        if "signed_on" in row:
            signed = read_partial_date(row["signed_on"], "signed_on")
            instance.signed_on = signed.start
            instance.signed_on_end = signed.end
            instance.signed_on_precision = signed.precision
        instance.set_derived_fields()

    def current_list(self, instance: Any, name: str) -> list[Any]:
        if name != "sources":
            return super().current_list(instance, name)
        return [c.source_id for c in primary_first(instance.citations.all())]

    def wanted_list(self, name: str, wanted: list[Any]) -> list[Any]:
        if name != "sources":
            return super().wanted_list(name, wanted)
        return list(dict.fromkeys(source.pk for source in wanted))

    def write_lists(self, instances: Any, *, created: bool) -> None:
        """Laws and topics as plain lists; sources as citations, the first one
        the main source, with their own history (registry.services)."""
        super().write_lists(instances, created=created)
        cite_sources(
            citations={
                agreement: agreement._import_lists["sources"]
                for agreement in instances
                if "sources" in agreement._import_lists
            },
            by=self.user,
            reason=self.reason,
        )

    def dehydrate_signed_on(self, agreement: Agreement) -> str:
        return agreement.signed.iso()

    def dehydrate_signed_from(self, agreement: Agreement) -> str:
        return iso_day(agreement.signed.earliest)

    def dehydrate_signed_to(self, agreement: Agreement) -> str:
        return iso_day(agreement.signed.latest)

    def dehydrate_signed_on_precision(self, agreement: Agreement) -> str:
        return agreement.signed_on_precision

    def dehydrate_expires(self, agreement: Agreement) -> str:
        return agreement.expiry.iso()

    def dehydrate_status(self, agreement: Agreement) -> str:
        return agreement.status

    def dehydrate_sources(self, agreement: Agreement) -> str:
        citations = primary_first(agreement.citations.all())
        return f"{SEPARATOR} ".join(c.source.key for c in citations)

    def dehydrate_us_parties(self, agreement: Agreement) -> str:
        return listed(party_name(p) for p in sided(agreement, Party.Side.US))

    def dehydrate_foreign_parties(self, agreement: Agreement) -> str:
        return listed(party_name(p) for p in sided(agreement, Party.Side.FOREIGN))

    def dehydrate_foreign_countries(self, agreement: Agreement) -> str:
        governments = (
            party.office.agency if party.office else party.agency
            for party in sided(agreement, Party.Side.FOREIGN)
        )
        return listed(agency.country.name_en for agency in governments if agency)

    def dehydrate_cities(self, agreement: Agreement) -> str:
        return listed(city.name for city in party_cities(agreement))

    def dehydrate_states(self, agreement: Agreement) -> str:
        return listed(city.state.name for city in party_cities(agreement) if city.state)

    def dehydrate_page_url(self, agreement: Agreement) -> str:
        return self.page_url(agreement)


def iso_day(day: date | None) -> str:
    return day.isoformat() if day else ""


def listed(names: Iterable[str]) -> str:
    """Names as a list cell, each once, in the order first met."""
    return f"{SEPARATOR} ".join(dict.fromkeys(name for name in names if name))


def sided(agreement: Agreement, side: str) -> list[Party]:
    return [party for party in agreement.parties.all() if party.side == side]


def party_name(party: Party) -> str:
    """An office by its official name (the offices file's `name`, whatever
    the language of the request), an agency named without an office by its
    name and acronym ("Secretaría de Relaciones Exteriores (SRE)")."""
    if party.office is not None:
        return party.office.name
    return str(party.agency) if party.agency is not None else ""


def party_cities(agreement: Agreement) -> list[City]:
    return [
        party.office.city
        for party in agreement.parties.all()
        if party.office and party.office.city
    ]


class PartyResource(CollectionResource):
    """A party is identified by its agreement and its office (or agency)."""

    collection = "parties"

    agreement = fields.Field("agreement", "agreement", key(Agreement))
    office = fields.Field("office", "office", key(Office))
    agency = fields.Field("agency", "agency", key(Agency))

    @classmethod
    def required_columns(cls) -> list[str]:
        return ["agreement"]

    def get_instance(self, instance_loader: Any, row: Any) -> Party | None:
        try:
            lookup = {
                name: self.fields[name].clean(row) if name in row else None
                for name in ("agreement", "office", "agency")
            }
        except ValueError:
            return None  # reported as a field error when the row is imported
        return Party.objects.filter(**lookup).first()

    class Meta:
        model = Party
        import_id_fields = ["agreement", "office", "agency"]
        fields = [
            "agreement",
            "side",
            "office",
            "agency",
            "signer_name",
            "signer_title",
            "note",
            "position",
        ]


class CitationResource(CollectionResource):
    """A source cited for an agreement, with the facts read in it and the
    source's own words; identified by its agreement and its source. The
    agreements' `sources` column says which sources an agreement cites (the
    first is the primary one); this file adds what each says."""

    collection = "citations"

    agreement = fields.Field("agreement", "agreement", key(Agreement))
    source = fields.Field("source", "source", SourceKeyWidget())

    @classmethod
    def required_columns(cls) -> list[str]:
        return ["agreement", "source"]

    def get_queryset(self) -> Any:
        return AgreementSource.objects.select_related("agreement", "source")

    def get_instance(self, instance_loader: Any, row: Any) -> AgreementSource | None:
        try:
            lookup = {
                name: self.fields[name].clean(row) for name in ("agreement", "source")
            }
        except ValueError:
            return None  # reported as a field error when the row is imported
        return AgreementSource.objects.filter(**lookup).first()

    class Meta:
        model = AgreementSource
        import_id_fields = ["agreement", "source"]
        fields = ["agreement", "source", "is_primary", "supports", "quote", "note"]


class DocumentResource(CollectionResource):
    collection = "documents"

    agreement = fields.Field("agreement", "agreement", key(Agreement))

    class Meta:
        model = Document
        import_id_fields = ["agreement", "url"]
        fields = ["agreement", "url", "language", "kind", "title", "note"]
