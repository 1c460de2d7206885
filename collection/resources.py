"""The file format every collection shares (django-import-export resources).

One file per collection, one row per record, related records referenced by their
natural keys (slugs, ISO codes, years, source URLs), never by database ids. Lists
are separated by ";". Dates are ISO 8601; text cells are escaped against
spreadsheet formulas. Exports may add derived columns for readers (names of
related records, page addresses), which imports ignore. `CollectionResource`
is the base of every collection's
resource (registry.resources, outreach.resources); the widgets here read and
write the cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import resources, widgets

from .importing import BulkImportMixin, FileInstanceLoader, escape_formula

SEPARATOR = ";"
#: Rows an export prefetches its derived columns' records for at a time, when
#: it is given them one by one (a generator) rather than as a list or query.
EXPORT_CHUNK_SIZE = 2000


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


class CollectionResource(BulkImportMixin, resources.ModelResource):
    """Common behaviour: widgets that follow the file conventions above, the
    all-or-nothing bulk import with history (collection.importing), and exports
    whose text cells are safe to open in a spreadsheet."""

    #: The collection's name, as in the API and the open-data files
    #: ("agreements"); each subclass sets it.
    collection: ClassVar[str] = ""
    #: Related records the derived columns read, fetched for every export in
    #: one query per lookup whatever the number of rows (iter_queryset).
    export_related: ClassVar[tuple[str | Prefetch[Any], ...]] = ()

    def __init__(self, *args: Any, site_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Where the public pages are, for the absolute links of an export:
        #: the request's host in the API, SITE_URL elsewhere (downloads,
        #: commands, the admin).
        self.site_url = (site_url or str(settings.SITE_URL)).rstrip("/")

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
        """Records with the records their key columns name (in the same query)
        and their many-to-many lists (one query per list), for exports and for
        telling unchanged rows on import: a fixed number of queries, whatever
        the number of rows."""
        model = self._meta.model
        return model._default_manager.select_related(
            *self.key_relations()
        ).prefetch_related(*self.list_relations())

    def key_relations(self) -> list[str]:
        """The foreign keys the file names by key (a slug, a code, a URL)."""
        return [
            field.attribute
            for field in self.fields.values()
            if isinstance(field.widget, widgets.ForeignKeyWidget)
            and field.attribute
            and "__" not in field.attribute
        ]

    def list_relations(self) -> list[str]:
        return [
            field.attribute
            for field in self.fields.values()
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.attribute
        ]

    def iter_queryset(self, queryset: Any) -> Iterator[Any]:
        """The rows of an export with what `export_related` names: added to a
        query, fetched at once for a list, a chunk at a time otherwise."""
        lookups = self.export_related
        if not lookups:
            yield from super().iter_queryset(queryset)
        elif isinstance(queryset, models.QuerySet):
            yield from super().iter_queryset(queryset.prefetch_related(*lookups))
        elif isinstance(queryset, Sequence):
            prefetch_related_objects(list(queryset), *lookups)
            yield from queryset
        else:
            yield from _prefetched_in_chunks(queryset, lookups)

    def page_url(self, obj: Any) -> str:
        """The absolute address of a record's public page, in English (the
        same file for every reader, whatever the language of the request)."""
        with translation.override("en"):
            return self.site_url + obj.get_absolute_url()

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


def _prefetched_in_chunks(
    rows: Iterable[Any], lookups: Sequence[str | Prefetch[Any]]
) -> Iterator[Any]:
    remaining = iter(rows)
    while chunk := list(islice(remaining, EXPORT_CHUNK_SIZE)):
        prefetch_related_objects(chunk, *lookups)
        yield from chunk


def key(model: type[models.Model], field: str = "slug", **kwargs: Any) -> Any:
    return KeyWidget(model, field=field, **kwargs)
