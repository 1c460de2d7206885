"""How imported rows are written: all or nothing, in bulk, with their history.

`BulkImportMixin` is the import half of every collection's resource (the file
conventions are in collection.resources). The same code serves the admin's
import, the `registry_import` command and the seed data:

- Every row is read and validated first (widgets, `full_clean()`); related
  records are looked up once per file, not once per row.
- Rows are written in batches (`bulk_create`, `bulk_update`), their
  many-to-many lists after them, then their history rows, as `save()` would
  have left them, with the importing user and the file's name. An updated
  record's version moves on by one, without the check a save makes (a file
  is not made from one version of a record; its import is recorded).
- A row that breaks a database constraint is found again one by one so that the
  error names its row. Any error in any row rolls back the whole file
  (`rollback_on_validation_errors` is always on), and a row identical to the
  record it updates is skipped, so re-importing a file changes nothing.
- Text cells of exported files are escaped against spreadsheet formulas and
  unescaped on import (`escape_formula`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, widgets
from import_export.instance_loaders import CachedInstanceLoader, ModelInstanceLoader

from . import history, signals
from .models import Revision, Versioned

#: A text cell starting with one of these is a formula to a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
#: Number columns keep their sign: they are not text.
NUMBER_FIELDS = (
    models.IntegerField,
    models.FloatField,
    models.DecimalField,
    models.BooleanField,
)


def escape_formula(text: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula (and
    to one that starts with an apostrophe, so that unescaping gives it back)."""
    if text[:1] in FORMULA_START or text[:1] == "'":
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    if text[:1] == "'" and (text[1:2] in FORMULA_START or text[1:2] == "'"):
        return text[1:]
    return text


def row_error(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


def friendly_integrity_error(model: type[models.Model], error: Exception) -> str:
    """The message of the constraint a row broke, by its name in the
    database's error text; the error text itself when no name matches."""
    text = str(error)
    for constraint in model._meta.constraints:
        if constraint.name in text:
            return str(constraint.get_violation_error_message())
    for field in model._meta.fields:
        if field.unique and f"{model._meta.db_table}.{field.column}" in text:
            return _("Another %(model)s has this %(field)s.") % {
                "model": model._meta.verbose_name,
                "field": field.verbose_name,
            }
    return text


class BulkImportMixin:
    """Mixed into CollectionResource (an import_export ModelResource)."""

    def __init__(self, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: Who imports: recorded in the history, and scopes what they may change
        #: (None: the system, e.g. the seed data or a command without --user).
        self.user = user
        self.reason = ""
        self.pending: dict[str, models.Model] = {}
        self.flush_errors: list[tuple[int, dict[str, Any], str]] = []
        self.seen_keys: dict[tuple[Any, ...], int] = {}
        self.row_kwargs: dict[str, Any] = {}

    # --- Lifecycle --------------------------------------------------------------

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Any:
        # Whatever the caller says, one bad row rejects the whole file.
        kwargs["rollback_on_validation_errors"] = True
        with Revision.batch():
            return super().import_data(dataset, *args, **kwargs)  # type: ignore[misc]

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)  # type: ignore[misc]
        if kwargs.get("user") is not None and self.user is None:
            self.user = kwargs["user"]
        name = kwargs.get("file_name") or ""
        self.reason = (_("import of %(file)s") % {"file": name} if name else "")[:100]
        self.pending.clear()
        self.flush_errors.clear()
        self.seen_keys.clear()
        problems = self.header_problems(dataset.headers or [])
        if problems:
            del dataset[:]  # a file with wrong columns: its rows are not read
            raise ValueError("; ".join(problems))
        self.prefetch_keys(dataset)

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)  # type: ignore[misc]
        for number, row, message in self.flush_errors:
            result.append_invalid_row(number, row, row_error(message))

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        super().before_import_row(row, **kwargs)  # type: ignore[misc]
        self.row_kwargs = kwargs
        for column in self.text_columns():
            value = row.get(column)
            if isinstance(value, str):
                row[column] = unescape_formula(value)
        key = self.row_key(row)
        if key is not None:
            first = self.seen_keys.setdefault(key, kwargs["row_number"])
            if first != kwargs["row_number"]:
                raise row_error(
                    _("This row repeats row %(row)s (same %(key)s).")
                    % {"row": first + 1, "key": ", ".join(self.key_columns())}
                )

    # --- The file's columns -------------------------------------------------------

    def get_import_fields(self) -> list[fields.Field]:
        """The library asks for these several times per row; they do not change."""
        cached = self.__dict__.get("_import_fields")
        if cached is None:
            cached = super().get_import_fields()  # type: ignore[misc]
            self.__dict__["_import_fields"] = cached
        return cached

    def key_columns(self) -> list[str]:
        fields_ = self.fields  # type: ignore[attr-defined]
        return [fields_[name].column_name for name in self.get_import_id_fields()]  # type: ignore[attr-defined]

    def row_key(self, row: dict[str, Any]) -> tuple[Any, ...] | None:
        values = tuple(
            str(row.get(column) or "").strip() for column in self.key_columns()
        )
        return values if any(values) else None

    def header_problems(self, headers: Sequence[str]) -> list[str]:
        known = {f.column_name for f in self.get_import_fields()} | {
            f.column_name
            for f in self.get_export_fields()  # type: ignore[attr-defined]
        }
        problems = []
        unknown = [header for header in headers if header not in known]
        if unknown:
            problems.append(
                _("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)}
            )
        missing = [c for c in self.required_columns() if c not in headers]  # type: ignore[attr-defined]
        if missing:
            problems.append(
                _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}
            )
        return problems

    def text_columns(self) -> list[str]:
        """Columns holding text (escaped against formulas on export)."""
        cached = self.__dict__.get("_text_columns")
        if cached is None:
            model = self._meta.model  # type: ignore[attr-defined]
            cached = []
            for field in self.fields.values():  # type: ignore[attr-defined]
                try:
                    model_field = model._meta.get_field(field.attribute or "")
                except FieldDoesNotExist:  # a computed column: text
                    model_field = None
                if not isinstance(model_field, NUMBER_FIELDS):
                    cached.append(field.column_name)
            self.__dict__["_text_columns"] = cached
        return cached

    # --- Looking related records up once per file -------------------------------

    def prefetch_keys(self, dataset: Any) -> None:
        """Give each key widget the records the file names, in one query each."""
        headers = set(dataset.headers or [])
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if hasattr(widget, "prefetch") and field.column_name in headers:
                widget.prefetch(dataset[field.column_name], resource=self)

    def pending_instance(self, model: type[models.Model], key: str) -> Any:
        """A record of this file not written yet, by its key: written now, so
        that a later row can refer to it."""
        if model is not self._meta.model:  # type: ignore[attr-defined]
            return None
        instance = self.pending.get(key)
        if instance is not None and instance.pk is None:
            self.flush_creates()
        return instance if instance is not None and instance.pk else None

    # --- Validation -----------------------------------------------------------------

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        before = self.snapshot(instance) if instance.pk else None
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)  # type: ignore[misc]
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            self.import_derived(instance, row)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        lists: dict[str, list[Any]] = {}
        for field in self.list_fields(row):
            try:
                lists[field.attribute] = list(field.clean(row))
            except ValueError as error:
                errors[field.attribute] = [str(error)]
        instance._import_lists = lists
        try:
            self.check_instance(instance, row, before=before)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        instance._import_unchanged = (
            before is not None
            and before == self.snapshot(instance)
            and all(
                self.current_list(instance, name) == self.wanted_list(name, wanted)
                for name, wanted in lists.items()
            )
        )

    def import_derived(self, instance: Any, row: Any) -> None:
        """Hook: columns that are not plain fields, and values derived from the
        row, which save() would compute (raise ValidationError)."""

    def check_instance(
        self, instance: Any, row: Any, *, before: dict[str, Any] | None
    ) -> None:
        """Hook: rules about who may import what (raise ValidationError).
        `before` is the record's fields before the row (None for a new one)."""

    def snapshot(self, instance: models.Model) -> dict[str, Any]:
        return {
            f.attname: getattr(instance, f.attname)
            for f in instance._meta.concrete_fields
            if not f.primary_key and f.attname not in history.UNTRACKED
        }

    def list_fields(self, row: Any) -> list[fields.Field]:
        """The file's many-to-many columns present in this row."""
        return [
            field
            for field in self.get_import_fields()
            if isinstance(field.widget, widgets.ManyToManyWidget)
            and field.column_name in row
        ]

    def current_list(self, instance: models.Model, name: str) -> list[Any]:
        """A record's list as stored (prefetched by get_queryset)."""
        return sorted(o.pk for o in getattr(instance, name).all())

    def wanted_list(self, name: str, wanted: list[Any]) -> list[Any]:
        """The same list as the row gives it, comparable with current_list."""
        return sorted(o.pk for o in wanted)

    def skip_row(
        self,
        instance: Any,
        original: Any,
        row: Any,
        import_validation_errors: Any = None,
    ) -> bool:
        return not import_validation_errors and getattr(
            instance, "_import_unchanged", False
        )

    def validate_instance(
        self,
        instance: Any,
        import_validation_errors: Any = None,
        validate_unique: bool = True,
    ) -> None:
        """`full_clean()` without the checks that cost a query per row: related
        records come from the widgets' lookups, and unique and check constraints
        are enforced by the database when the batch is written (an error there
        names its row too)."""
        errors = dict(import_validation_errors or {})
        resolved = [
            f.name
            for f in instance._meta.concrete_fields
            if f.is_relation and getattr(instance, f.attname) is not None
        ]
        try:
            instance.full_clean(
                exclude=[*errors.keys(), *resolved],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    # --- Writing ----------------------------------------------------------------------

    def save_instance(
        self, instance: Any, is_create: bool, row: Any, **kwargs: Any
    ) -> None:
        instance._import_row = (kwargs["row_number"], row)
        super().save_instance(instance, is_create, row, **kwargs)  # type: ignore[misc]
        key = self.row_key(row)
        if is_create and key is not None and len(key) == 1:
            self.pending[key[0]] = instance

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().before_save_instance(instance, row, **kwargs)  # type: ignore[misc]
        if not instance._state.adding:
            instance.updated_at = timezone.now()

    def flush_creates(self) -> None:
        self.bulk_create(True, False, False)

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        instances = list(self.create_instances)  # type: ignore[attr-defined]
        self.create_instances.clear()  # type: ignore[attr-defined]
        if instances and (using_transactions or not dry_run):
            written = self.write(instances, create=True)
            self.after_write(written, created=True)

    def bulk_update(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        instances = list(self.update_instances)  # type: ignore[attr-defined]
        self.update_instances.clear()  # type: ignore[attr-defined]
        if instances and (using_transactions or not dry_run):
            written = self.write(instances, create=False)
            self.after_write(written, created=False)

    def write(self, instances: list[Any], *, create: bool) -> list[Any]:
        """Write a batch; if the database refuses it, write its rows one by one
        to name those it refuses. Returns the rows written."""
        model = self._meta.model  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                self.write_batch(model, instances, create=create)
            return instances
        except IntegrityError:
            if create:  # keys a rolled-back statement may have handed out
                for instance in instances:
                    instance.pk = None
                    instance._state.adding = True
        written = []
        for instance in instances:
            try:
                with transaction.atomic():
                    self.write_batch(model, [instance], create=create)
                written.append(instance)
            except IntegrityError as error:
                if create:
                    instance.pk = None
                    instance._state.adding = True
                number, row = instance._import_row
                self.flush_errors.append(
                    (number, row, friendly_integrity_error(model, error))
                )
        return written

    def write_batch(
        self, model: type[models.Model], instances: list[Any], *, create: bool
    ) -> None:
        if create:
            model._default_manager.bulk_create(instances)
            for instance in instances:
                instance._state.adding = False
        else:
            update_rows(model, instances, self.update_fields(model))

    def update_fields(self, model: type[models.Model]) -> list[str]:
        return [
            f.name
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name != "created_at"
        ]

    def after_write(self, instances: list[Any], *, created: bool) -> None:
        """The lists of the rows just written, then their history."""
        if not instances:
            return
        self.write_lists(instances, created=created)
        history.record_bulk(
            self._meta.model,  # type: ignore[attr-defined]
            instances,
            update=not created,
            user=self.user,
            reason=self.reason,
        )
        Revision.bump()
        signals.bulk_written.send(
            sender=self._meta.model,  # type: ignore[attr-defined]
            instances=instances,
        )

    def write_lists(self, instances: Sequence[Any], *, created: bool) -> None:
        """Each many-to-many column: add the missing links, drop the others."""
        model = self._meta.model  # type: ignore[attr-defined]
        names = {name for i in instances for name in getattr(i, "_import_lists", {})}
        for name in sorted(names):
            field = history.list_field(model, name)
            through = getattr(model, name).through
            if not through._meta.auto_created:
                continue  # a model of its own, written by the resource
            source = field.m2m_field_name()
            target = field.m2m_reverse_field_name()
            owners = [i for i in instances if name in i._import_lists]
            existing: dict[Any, dict[Any, Any]] = defaultdict(dict)
            if not created:
                for pk, owner, related in through.objects.filter(
                    **{f"{source}__in": [i.pk for i in owners]}
                ).values_list("pk", f"{source}_id", f"{target}_id"):
                    existing[owner][related] = pk
            add, drop = [], []
            for instance in owners:
                wanted = {o.pk for o in instance._import_lists[name]}
                have = existing[instance.pk]
                drop += [pk for related, pk in have.items() if related not in wanted]
                add += [
                    (instance.pk, related) for related in sorted(wanted - have.keys())
                ]
            if drop:
                through.objects.filter(pk__in=drop).delete()
            insert_pairs(through, source, target, add)


def update_rows(
    model: type[models.Model], instances: Sequence[Any], names: Sequence[str]
) -> None:
    """`bulk_update()` as one UPDATE per row, sent together: the same values
    without the CASE expression per field and row that makes Django build and
    the database parse a statement of the size of the batch."""
    wanted = set(names)
    # A record's version moves on by one (a whole-file write, not checked
    # against the version the file was made from: imports are recorded).
    counted = issubclass(model, Versioned)
    fields_ = [
        f
        for f in model._meta.concrete_fields
        if f.name in wanted and not (counted and f.name == "version")
    ]
    pk = model._meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    assignments = ", ".join(
        [
            *(f"{quote(str(f.column))} = %s" for f in fields_),
            *([f"{quote('version')} = {quote('version')} + 1"] if counted else []),
        ]
    )
    params = [
        [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields_]
        + [pk.get_db_prep_save(instance.pk, connection)]
        for instance in instances
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608
            f"WHERE {quote(str(pk.column))} = %s",
            params,
        )
    if counted:
        for instance in instances:
            instance.version += 1


def insert_pairs(
    through: type[models.Model], source: str, target: str, pairs: list[tuple[Any, Any]]
) -> None:
    """Many-to-many links as plain rows: thousands of them in one statement
    each, without building a model instance per link."""
    if not pairs:
        return
    quote = connection.ops.quote_name
    columns = f"{quote(history.column(through, source))}, {quote(history.column(through, target))}"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(through._meta.db_table)} "  # noqa: S608
            f"({columns}) VALUES (%s, %s)",
            pairs,
        )


class FileInstanceLoader(ModelInstanceLoader):
    """The records a file updates: for rows keyed by one column, all of them in
    one query; otherwise row by row (the resource's get_instance)."""

    def __init__(self, resource: Any, dataset: Any = None) -> None:
        super().__init__(resource, dataset)
        self.cached = (
            CachedInstanceLoader(resource, dataset)
            if len(resource.get_import_id_fields()) == 1
            else None
        )

    def get_instance(self, row: Any) -> Any:
        if self.cached is not None:
            return self.cached.get_instance(row)
        return super().get_instance(row)
