"""The admin machinery every collection's admin shares: spreadsheet import and
export in the collection's file format, the history of every change with its
old and new values, and inlines whose autocompletes cost one query per field.

The model admins themselves are registered by each app (registry.admin,
outreach.admin, curation.admin).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, Form
from django.http import HttpRequest, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords, ModelChange, ModelDelta

from .concurrency import VersionCheckAdmin
from .files import ImportFailed, result_errors, summary
from .history import list_field, m2m_field_names
from .models import RegistryTranslated
from .reading import ADMIN_FORMATS, FileRefused
from .storage import PreviewExpired

#: Links typed without a scheme are https (Django 6.0's default, adopted now).
URL_FIELDS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


def related(record: Any, field: models.Field[Any, Any]) -> Any:
    """A history row's value of a field; a foreign key as its object (fetched
    with the row), or None when that object is gone."""
    if not field.is_relation:
        return getattr(record, field.attname)
    try:
        return getattr(record, field.name)
    except ObjectDoesNotExist:
        return None


class SizeLimitedImportForm(ImportForm):
    """The import form, refusing files over IMPORT_MAX_UPLOAD_SIZE bytes."""

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_UPLOAD_SIZE
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; files up to %(limit)s can be imported.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class SpreadsheetMixin(ImportExportMixin):
    """Import and export in the collection's file format (its resource, in
    `resource_classes`), for those with the import_<model> and export_<model>
    permissions. Imports run as the curator (history, scoping), show a dry-run
    preview, and name every bad row by its spreadsheet row (the header is row
    1). Files are read within the import caps (collection.reading); the uploaded
    file is kept only between a good preview and its confirmation. An admin
    without a resource (not a collection) has neither."""

    import_form_class = SizeLimitedImportForm
    import_template_name = "admin/collection/import.html"
    import_error_display = ("message",)

    @property
    def formats(self) -> list[Any]:
        return list(ADMIN_FORMATS)

    def collection(self) -> str | None:
        return self.resource_classes[0].collection if self.resource_classes else None

    def get_resource_classes(self, request: HttpRequest) -> list[Any]:
        return list(self.resource_classes)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return bool(self.resource_classes) and super().has_import_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return bool(self.resource_classes) and super().has_export_permission(request)

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> Any:
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "user": request.user,
        }

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        if isinstance(e, FileRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def discard_preview(self, name: str) -> None:
        """Delete the stored upload `name` (gone already: nothing to do)."""
        if name:
            self.get_tmp_storage_class()(
                name=name, **self.get_tmp_storage_class_kwargs()
            ).remove()

    def import_action(self, request: HttpRequest, **kwargs: Any) -> Any:
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if "confirm_form" not in context:  # refused: nothing to confirm
            upload = request.FILES.get("import_file")
            self.discard_preview(getattr(upload, "tmp_storage_name", ""))
        result = context.get("result")
        if result is not None:
            response.context_data["row_errors"] = result_errors(result)
            response.context_data["preview_rows"] = [
                (number, row) for number, row in enumerate(result.rows[:500], start=2)
            ]
            response.context_data["summary"] = summary(self.collection() or "", result)
        return response

    def process_import(self, request: HttpRequest, **kwargs: Any) -> Any:
        """The confirmation: the stored file is deleted whatever happens; a
        file past its time (or now over a cap) is an error message."""
        try:
            return super().process_import(request, **kwargs)
        except (PreviewExpired, FileRefused) as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
            )
        finally:
            if request.method == "POST" and self.has_import_permission(request):
                self.discard_preview(
                    os.path.basename(request.POST.get("import_file_name", ""))
                )

    def process_result(self, result: Any, request: HttpRequest) -> Any:
        """After the confirmation: if the file no longer imports (the data
        changed since the preview), nothing was saved; say which rows."""
        errors = result_errors(result)
        if errors:
            messages.error(request, str(ImportFailed(self.collection() or "", errors)))
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
            )
        messages.success(request, summary(self.collection() or "", result))
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )


class CheckboxListField(forms.MultipleChoiceField):
    """Checkboxes for a text field that holds comma-separated codes
    ("title_es,summary_es", "es,en"): ticked in the form, one string saved."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return [code for code in value.split(",") if code]
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = value.split(",")
        return [code.strip() for code in super().to_python(value) if code.strip()]

    def clean(self, value: Any) -> str:
        codes = super().clean(value)
        order = [code for code, _label in cast(list[tuple[str, Any]], self.choices)]
        return ",".join(code for code in order if code in codes)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return set(self.prepare_value(initial or "")) != set(data or [])


def translation_choices(model: type[RegistryTranslated]) -> list[tuple[str, Any]]:
    """The texts a record of `model` may hold in translation, by their labels."""
    return [
        (name, cast("models.Field[Any, Any]", model._meta.get_field(name)).verbose_name)
        for name in model.translatable_fields()
    ]


class CuratorAdmin(VersionCheckAdmin, SpreadsheetMixin, SimpleHistoryAdmin):
    """Base for every model admin of the registry: spreadsheets, the history
    of every change with its old and new values, and change forms that refuse
    a save made on a version the record no longer has (collection.concurrency).
    Which texts the registry translated is a row of checkboxes."""

    formfield_overrides = URL_FIELDS

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(
            request
        ):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(
            request
        ):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if isinstance(db_field, models.DateTimeField):
            # The admin's date and time boxes share one label, for the first.
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            if field is not None and hasattr(field.widget, "widgets"):
                date_box, time_box = field.widget.widgets
                date_box.attrs["aria-label"] = _("%(field)s: date") % {
                    "field": capfirst(db_field.verbose_name)
                }
                time_box.attrs["aria-label"] = _("%(field)s: time") % {
                    "field": capfirst(db_field.verbose_name)
                }
            return field
        if db_field.name == "translated_by_registry" and issubclass(
            self.model, RegistryTranslated
        ):
            return CheckboxListField(
                choices=translation_choices(self.model),
                required=False,
                label=db_field.verbose_name,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def set_history_delta_changes(
        self,
        request: HttpRequest,
        historical_records: Any,
        foreign_keys_are_objs: bool = True,
    ) -> None:
        """What changed between consecutive history rows of a page, from rows
        fetched once: the library asks the database again per row and per
        many-to-many list, so long histories would cost hundreds of queries."""
        records = list(historical_records)
        if len(records) < 2:
            return
        tracked = type(records[0]).tracked_fields
        lists: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for name in m2m_field_names(self.model):
            field = list_field(self.model, name)
            target = field.m2m_reverse_field_name()
            rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for row in (
                HistoricalRecords.m2m_models[field]
                .objects.filter(history__in=records)
                .select_related(target)
                .order_by(f"{target}_id")
            ):
                rows[row.history_id].append({target: getattr(row, target)})
            lists[name] = rows
        for newer, older in zip(records, records[1:], strict=False):
            changes = [
                ModelChange(field.name, related(older, field), related(newer, field))
                for field in tracked
                if getattr(older, field.attname) != getattr(newer, field.attname)
            ]
            for name, rows in lists.items():
                old, new = rows[older.pk], rows[newer.pk]
                if [list(r.values())[0].pk for r in old] != [
                    list(r.values())[0].pk for r in new
                ]:
                    changes.append(ModelChange(name, old, new))
            delta = ModelDelta(changes, [c.field for c in changes], older, newer)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(delta)


def known_keys(widget: AutocompleteMixin, value: Any) -> list[Any]:
    """The values a form sent for an autocomplete that can be keys of its
    records: Django's widget looks them all up to label them, and a posted
    "abc" or a number no database column holds made that lookup a 500 (the
    form's own check then says the choice is not valid)."""
    target = widget.field.remote_field
    options = target.model._meta
    name = getattr(target, "field_name", None)
    field = options.get_field(name) if name else options.pk
    keys = []
    for item in value:
        try:
            key = field.to_python(item)
        except ValidationError:
            continue
        if isinstance(key, int) and not -(2**63) <= key < 2**63:
            continue
        keys.append(item)
    return keys


class SafeAutocomplete(AutocompleteMixin):
    """Django's autocomplete, labelled for screen readers while empty (its
    box takes its name from the text shown, which a placeholder gives), and
    safe with any posted value (known_keys)."""

    def build_attrs(self, base_attrs: Any, extra_attrs: Any = None) -> Any:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-placeholder"] = str(_("Type to search…"))
        return attrs

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        return super().optgroups(name, known_keys(self, value), attr)


class SafeAutocompleteSelect(SafeAutocomplete, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocomplete, AutocompleteSelectMultiple):
    pass


class PrefetchedAutocompleteSelect(SafeAutocompleteSelect):
    """An autocomplete that labels its selected object from objects its formset
    fetched once, instead of one query per inline row."""

    prefetched: dict[str, Model] | None = None

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        selected = {
            str(v) for v in value if str(v) not in self.choices.field.empty_values
        }
        if self.prefetched is None or not selected <= self.prefetched.keys():
            return super().optgroups(name, value, attr)
        groups = super().optgroups(name, [], attr)  # an empty filter runs no query
        options = groups[0][1]
        for key in sorted(selected):
            label = self.choices.field.label_from_instance(self.prefetched[key])
            options.append(self.create_option(name, key, label, True, len(options)))
        return groups


class PrefetchedFormSet(BaseInlineFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> Form:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, PrefetchedAutocompleteSelect):
                widget.prefetched = self._related_objects(name, widget)
        return form

    def _related_objects(
        self, name: str, widget: PrefetchedAutocompleteSelect
    ) -> dict[str, Model]:
        cache: dict[str, dict[str, Model]] = self.__dict__.setdefault(
            "_related_cache", {}
        )
        if name not in cache:
            assert self.model is not None
            attname = self.model._meta.get_field(name).attname
            keys = {getattr(obj, attname) for obj in self.get_queryset()} - {None}
            related = widget.field.remote_field.model._default_manager.in_bulk(keys)
            cache[name] = {str(pk): obj for pk, obj in related.items()}
        return cache[name]


class AutocompleteInline(admin.TabularInline):
    """A tabular inline whose autocomplete fields cost one query per field, not
    one per row, so change pages stay flat however many rows they show."""

    formset = PrefetchedFormSet
    formfield_overrides = URL_FIELDS
    #: Related objects each row's title (its __str__) reads.
    list_select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related(*self.list_select_related)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PrefetchedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
