"""The registry's file format, shared by the seed data in fixtures/, imports and
open-data downloads (django-import-export resources).

One file per collection, one row per record, related records referenced by their
natural keys (slugs, ISO codes, years, source URLs), never by database ids. Lists
are separated by ";". Dates are ISO 8601; a signing date keeps its precision
("2011-11", "2012", "2014-10-22/2014-10-23").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from outreach.models import Topic

from .dates import PartialDate
from .history import record_bulk, stamp
from .importing import BulkImportMixin, FileInstanceLoader, escape_formula
from .models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Country,
    Document,
    Jurisdiction,
    Law,
    Office,
    Party,
    Source,
    State,
)

SEPARATOR = ";"


def _verbose(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name)


def cell_key(value: Any) -> str:
    """A key as written in a cell (spreadsheets turn 2017 into 2017.0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


class KeyLookup:
    """Related records by natural key, looked up once per file: `prefetch`
    reads every key of the column in one query; a key it did not find may be a
    record of the same file not written yet, or one written since."""

    model: type[models.Model]
    field: str

    def setup_lookup(self) -> None:
        self.found: dict[str, Any] | None = None
        self.resource: Any = None

    def keys_in(self, value: Any) -> list[str]:
        key = cell_key(value)
        return [key] if key else []

    def prefetch(self, values: Any, resource: Any) -> None:
        self.resource = resource
        keys = sorted({key for value in values for key in self.keys_in(value)})
        self.found = {}
        for start in range(0, len(keys), 5000):
            for obj in self.fetch(keys[start : start + 5000]):
                self.found[self.key_of(obj)] = obj

    def fetch(self, keys: list[str]) -> Any:
        return self.model._default_manager.filter(**{f"{self.field}__in": keys})

    def key_of(self, obj: Any) -> str:
        return str(getattr(obj, self.field))

    def lookup(self, key: str) -> Any:
        if self.found is not None and key in self.found:
            return self.found[key]
        obj = None
        if self.resource is not None:
            obj = self.resource.pending_instance(self.model, key)
        if obj is None:
            obj = self.fetch_one(key)
        if self.found is not None:
            self.found[key] = obj
        return obj

    def fetch_one(self, key: str) -> Any:
        try:
            return self.model._default_manager.get(**{self.field: key})
        except ObjectDoesNotExist:
            raise ValueError(
                _("No %(model)s with %(field)s “%(value)s”.")
                % {"model": _verbose(self.model), "field": self.field, "value": key}
            ) from None


class KeyWidget(KeyLookup, widgets.ForeignKeyWidget):
    """A foreign key given by a natural key; an unknown key is a clear error."""

    def __init__(
        self, model: type[models.Model], field: str = "slug", **kwargs: Any
    ) -> None:
        super().__init__(model, field=field, **kwargs)
        self.setup_lookup()

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        key = cell_key(value)
        return self.lookup(key) if key else None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(getattr(value, self.field))


class SourceLookup(KeyLookup):
    """Sources by URL, or by title for printed sources (those without a URL)."""

    model = Source
    field = "url"

    def fetch(self, keys: list[str]) -> Any:
        urls = [key for key in keys if is_url(key)]
        titles = [key for key in keys if not is_url(key)]
        return Source.objects.filter(Q(url__in=urls) | Q(url="", title__in=titles))

    def key_of(self, obj: Any) -> str:
        return str(obj.key)

    def fetch_one(self, key: str) -> Any:
        return find_source(key)


def is_url(key: str) -> bool:
    return key.startswith(("http://", "https://"))


class SourceKeyWidget(SourceLookup, KeyWidget):
    """A source given by its URL, or by its title when it is a printed source."""

    def __init__(self) -> None:
        super().__init__(Source, field="url")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else value.key


def find_source(key: str) -> Source:
    lookup = {"url": key} if is_url(key) else {"url": "", "title": key}
    try:
        return Source.objects.get(**lookup)
    except Source.DoesNotExist:
        raise ValueError(
            _("No source “%(key)s”: add it to the sources first.") % {"key": key}
        ) from None


class KeysWidget(KeyLookup, widgets.ManyToManyWidget):
    """Many related records, by natural key, separated by “;”. Unknown keys are
    errors, not silently dropped."""

    def __init__(self, model: type[models.Model], field: str = "slug") -> None:
        super().__init__(model, separator=SEPARATOR, field=field)
        self.setup_lookup()

    def keys_in(self, value: Any) -> list[str]:
        return self.split(value)

    def split(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        return [
            part.strip() for part in str(value).split(self.separator) if part.strip()
        ]

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        found, missing = [], []
        for key in self.split(value):
            try:
                found.append(self.lookup(key))
            except ValueError:
                missing.append(key)
        if missing:
            raise ValueError(
                _("No %(model)s with %(field)s: %(values)s.")
                % {
                    "model": _verbose(self.model),
                    "field": self.field,
                    "values": ", ".join(missing),
                }
            )
        return found

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return f"{SEPARATOR} ".join(
            str(getattr(item, self.field)) for item in value.all()
        )


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


class TextWidget(widgets.CharWidget):
    """Text: an empty cell is empty text (spreadsheets give None), a number
    typed in a text column is its digits (a spreadsheet's 2017.0 is "2017")."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class BoolWidget(widgets.BooleanWidget):
    """“true” / “false” (also yes/no, 1/0); an empty cell is false."""

    TRUE = {"true", "yes", "1", "y"}
    FALSE = {"false", "no", "0", "n", ""}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(
            _("Expected true or false, got “%(value)s”.") % {"value": value}
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "true" if value else "false"


class IsoDateWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("Not a date: “%(value)s”. Use YYYY-MM-DD.") % {"value": value}
            ) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.isoformat() if value else ""


class IsoDateTimeWidget(widgets.Widget):
    """ISO 8601 with its UTC offset; a time without offset is read in the row's
    `time_zone` column (or the site's time zone)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> datetime | None:
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            moment = (
                value if isinstance(value, datetime) else datetime.fromisoformat(text)
            )
        except ValueError:
            raise ValueError(
                _("Not a date and time: “%(value)s”. Use YYYY-MM-DDTHH:MM±HH:MM.")
                % {"value": value}
            ) from None
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=_zone((row or {}).get("time_zone")))
        return moment

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if not value:
            return ""
        zone = _zone(getattr(obj, "time_zone", None))
        return value.astimezone(zone).isoformat()


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(_("Unknown time zone “%(name)s”.") % {"name": name}) from None


class RegistryResource(BulkImportMixin, resources.ModelResource):
    """Common behaviour: widgets that follow the file conventions above, the
    all-or-nothing bulk import with history (registry.importing), and exports
    whose text cells are safe to open in a spreadsheet."""

    class Meta:
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        clean_model_instances = True
        instance_loader_class = FileInstanceLoader

    @classmethod
    def widget_from_django_field(cls, f: Any, default: Any = widgets.Widget) -> Any:
        if isinstance(f, models.BooleanField):
            return BoolWidget
        if isinstance(f, models.DateTimeField):
            return IsoDateTimeWidget
        if isinstance(f, models.DateField):
            return IsoDateWidget
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices:
            return TextWidget
        return super().widget_from_django_field(f, default)

    def get_queryset(self) -> Any:
        """Records with their many-to-many lists, for exports and for telling
        unchanged rows on import, in one query per list."""
        model = self._meta.model
        lists = [
            field.attribute
            for field in self.fields.values()
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.attribute
        ]
        return model._default_manager.prefetch_related(*lists)

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and field.column_name in self.text_columns():
            return escape_formula(value)
        return value

    #: Columns written on export but computed, not read, on import.
    derived_columns: tuple[str, ...] = ()

    @classmethod
    def required_columns(cls) -> list[str]:
        """Columns every import file must have: those that identify a row."""
        resource = cls()
        return [
            resource.fields[name].column_name
            for name in resource.get_import_id_fields()
        ]

    @classmethod
    def export_headers(cls) -> list[str]:
        return [field.column_name for field in cls().get_export_fields()]

    @classmethod
    def file_headers(cls) -> list[str]:
        """The columns of an import file (exports add the derived ones)."""
        return [
            name for name in cls.export_headers() if name not in cls.derived_columns
        ]


def primary_first(citations: Any) -> list[AgreementSource]:
    return sorted(citations, key=lambda c: (not c.is_primary, c.pk))


def key(model: type[models.Model], field: str = "slug", **kwargs: Any) -> Any:
    return KeyWidget(model, field=field, **kwargs)


class CountryResource(RegistryResource):
    class Meta:
        model = Country
        import_id_fields = ["code"]
        fields = ["code", "name_en", "name_es"]


class StateResource(RegistryResource):
    country = fields.Field("country", "country", key(Country, "code"))

    class Meta:
        model = State
        import_id_fields = ["slug"]
        fields = ["slug", "code", "name", "country"]


class SourceResource(RegistryResource):
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


class CityResource(RegistryResource):
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


class AgencyResource(RegistryResource):
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


class OfficeResource(RegistryResource):
    agency = fields.Field("agency", "agency", key(Agency))
    city = fields.Field("city", "city", key(City))
    sources = fields.Field("sources", "sources", SourceKeysWidget())

    class Meta:
        model = Office
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "is_name_attested",
            "agency",
            "kind",
            "kind_note",
            "city",
            "address",
            "phone",
            "website",
            "active_from",
            "active_to",
            "note",
            "sources",
        ]


class JurisdictionResource(RegistryResource):
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


class LawResource(RegistryResource):
    class Meta:
        model = Law
        import_id_fields = ["slug"]
        fields = ["slug", "short_name", "name_en", "name_es"]


class AgreementResource(RegistryResource):
    """Agreements; their parties and documents are in their own files."""

    signed_on = fields.Field(column_name="signed_on", readonly=True)
    signed_on_precision = fields.Field(column_name="signed_on_precision", readonly=True)
    expires = fields.Field(column_name="expires", readonly=True)
    status = fields.Field(column_name="status", readonly=True)
    framework = fields.Field("framework", "framework", key(Agreement))
    renews = fields.Field("renews", "renews", key(Agreement))
    laws = fields.Field("laws", "laws", KeysWidget(Law))
    topics = fields.Field("topics", "topics", KeysWidget(Topic))
    sources = fields.Field("sources", "sources", SourceKeysWidget())

    derived_columns = ("signed_on_precision", "expires", "status")

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
            "signed_on_precision",
            "signed_on_note",
            "term_months",
            "expires_on",
            "is_open_ended",
            "is_concluded",
            "term_note",
            "expires",
            "status",
            "framework",
            "renews",
            "laws",
            "topics",
            "summary_en",
            "summary_es",
            "note",
            "is_published",
            "sources",
        ]

    def get_queryset(self) -> Any:
        return Agreement.objects.prefetch_related("laws", "topics", "citations__source")

    def import_derived(self, instance: Agreement, row: Any) -> None:
        if "signed_on" not in row and instance.pk is None:
            row = {**row, "signed_on": ""}  # a new agreement, date not given: unknown
        if "signed_on" in row:
            value = row["signed_on"]
            if isinstance(value, datetime):
                value = value.date()
            text = value.isoformat() if isinstance(value, date) else cell_key(value)
            try:
                signed = PartialDate.parse(text)
            except ValueError as error:
                raise ValidationError({"signed_on": [str(error)]}) from None
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
        the main source, with their own history."""
        super().write_lists(instances, created=created)
        owners = [a for a in instances if "sources" in a._import_lists]
        existing: dict[int, dict[int, AgreementSource]] = {a.pk: {} for a in owners}
        if not created:
            for citation in AgreementSource.objects.filter(agreement__in=owners):
                existing[citation.agreement_id][citation.source_id] = citation
        new: list[AgreementSource] = []
        changed: list[AgreementSource] = []
        removed: list[AgreementSource] = []
        for agreement in owners:
            wanted = self.wanted_list("sources", agreement._import_lists["sources"])
            have = existing[agreement.pk]
            for position, source_id in enumerate(wanted):
                found = have.get(source_id)
                if found is None:
                    new.append(
                        AgreementSource(
                            agreement_id=agreement.pk,
                            source_id=source_id,
                            is_primary=position == 0,
                        )
                    )
                elif found.is_primary != (position == 0):
                    found.is_primary = position == 0
                    changed.append(found)
            removed += [c for source_id, c in have.items() if source_id not in wanted]
        for citation in removed:
            stamp(citation, user=self.user, reason=self.reason)
            citation.delete()
        AgreementSource.objects.bulk_create(new)
        AgreementSource.objects.bulk_update(changed, ["is_primary"])
        record_bulk(
            AgreementSource, new, update=False, user=self.user, reason=self.reason
        )
        record_bulk(
            AgreementSource, changed, update=True, user=self.user, reason=self.reason
        )

    def dehydrate_signed_on(self, agreement: Agreement) -> str:
        return agreement.signed.iso()

    def dehydrate_signed_on_precision(self, agreement: Agreement) -> str:
        return agreement.signed_on_precision

    def dehydrate_expires(self, agreement: Agreement) -> str:
        return agreement.expiry.iso()

    def dehydrate_status(self, agreement: Agreement) -> str:
        return agreement.status

    def dehydrate_sources(self, agreement: Agreement) -> str:
        citations = primary_first(agreement.citations.all())
        return f"{SEPARATOR} ".join(c.source.key for c in citations)


class PartyResource(RegistryResource):
    """A party is identified by its agreement and its office (or agency)."""

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


class DocumentResource(RegistryResource):
    agreement = fields.Field("agreement", "agreement", key(Agreement))

    class Meta:
        model = Document
        import_id_fields = ["agreement", "url"]
        fields = ["agreement", "url", "language", "kind", "title", "note"]
