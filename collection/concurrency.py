"""Two people editing the same record in the admin.

A change form carries the version of the record it was opened on (a hidden
field). On save, the record is held at that version for the rest of the
transaction (`Versioned.hold()`) before anything is written; if it moved on,
nothing is saved and the form is shown again with what the user typed, and an
error at the top that says who changed the record since, when, and which
fields, with the record's current values and a link to its history. The
hidden field then carries the current version, so saving again (after a
review) goes through. The model's side, the conditional UPDATE that settles a
race, is collection.models.Versioned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets, quote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.template.defaultfilters import yesno
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from .models import StaleVersion, Versioned

#: The change form's hidden field holding the version it was opened on.
VERSION_FIELD = "record_version"
#: History rows of one person this close together are shown as one change.
ONE_SAVE = timedelta(seconds=5)


@dataclass
class Change:
    """One recorded change: who, when, why (an import's file), which fields."""

    who: str
    when: Any
    reason: str
    fields: list[str] = field(default_factory=list)


def who(row: Any) -> str:
    user = row.history_user
    if user is None:
        return _("the system (an import or a command)")
    return str(user.get_full_name() or user.get_username())


def label(model: type[models.Model], name: str) -> str:
    model_field: Any = model._meta.get_field(name)
    return str(capfirst(model_field.verbose_name))


def changes_since(record: Versioned, version: int) -> list[Change]:
    """The changes recorded after `version` of `record`, oldest first, each
    compared with the row before it (the history row of `version` itself
    for the first one)."""
    rows = (
        record.history.filter(version__gte=version)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("history_id")
    )
    changes: list[Change] = []
    before = None
    for row in rows:
        if row.version > version:
            names: list[str] = []
            if before is not None:
                delta = row.diff_against(before, excluded_fields=["version"])
                names = list(delta.changed_fields)
            change = Change(who(row), row.history_date, row.history_change_reason or "")
            last = changes[-1] if changes else None
            if (
                last
                and (last.who, last.reason) == (change.who, change.reason)
                and (change.when - last.when) <= ONE_SAVE
            ):
                change = last  # a save's lists are rows of their own
            else:
                changes.append(change)
            change.fields += [name for name in names if name not in change.fields]
        before = row
    return changes


def display(record: models.Model, name: str) -> str:
    """A field's current value as a curator reads it."""
    model_field = record._meta.get_field(name)
    if model_field.many_to_many:
        value = ", ".join(str(obj) for obj in getattr(record, name).all())
    elif getattr(model_field, "choices", None):
        value = str(getattr(record, f"get_{name}_display")())
    elif isinstance(model_field, models.BooleanField):
        value = str(yesno(getattr(record, name)))  # Django's own "yes", "no"
    else:
        current = getattr(record, name)
        value = "" if current is None else str(current)
    return str(Truncator(value).chars(200)) if value else "—"


def conflict_message(
    record: Versioned, version: int, history_url: str | None
) -> SafeString:
    """The error a curator sees when the record changed after they opened it:
    who changed it since, when and which fields, the values now, what to do."""
    model = type(record)
    changes = changes_since(record, version)
    items = []
    for change in changes:
        when = date_format(timezone.localtime(change.when), "DATETIME_FORMAT")
        who_ = f"{change.who} ({change.reason})" if change.reason else change.who
        what = (
            ", ".join(label(model, name) for name in change.fields)
            if change.fields
            else _("no field of this form (a list or a related row)")
        )
        items.append((who_, when, what))
    changed = list(dict.fromkeys(name for c in changes for name in c.fields))
    values = []
    if changed:
        current = model._base_manager.get(pk=record.pk)
        values = [(label(model, name), display(current, name)) for name in changed]
    headline = _("Someone else changed this %(model)s after you opened it:") % {
        "model": model._meta.verbose_name
    }
    link = (
        format_html(
            ' <a href="{}">{}</a>', history_url, _("Its history shows every change.")
        )
        if history_url
        else ""
    )
    return format_html(
        "{}<ul>{}</ul>{}<p><strong>{}</strong>{}</p>",
        headline,
        format_html_join("", "<li>{}, {}: {}</li>", items),
        format_html(
            "<p>{}</p><ul>{}</ul>",
            _("The record now has:"),
            format_html_join("", "<li>{}: {}</li>", values),
        )
        if values
        else "",
        _(
            "Your changes are not saved. Review them below against the current "
            "record and save again."
        ),
        link,
    )


class VersionCheckForm(forms.ModelForm):
    """A change form that refuses a save made on a version the record no
    longer has (see the module's docstring)."""

    record_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1
    )
    #: Set by VersionCheckAdmin.get_form: the admin site of the history link.
    admin_site_name = "admin"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.instance, Versioned) and not self.instance._state.adding:
            self.fields[VERSION_FIELD].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        opened = cleaned.get(VERSION_FIELD)
        record = self.instance
        if (
            opened is None  # a form from before versions: not checked
            or not isinstance(record, Versioned)
            or record._state.adding
        ):
            return cleaned
        record.version = opened  # the save is made on the version the user saw
        try:
            record.hold()
        except StaleVersion as stale:
            if stale.current is None:
                raise ValidationError(
                    _("This record was deleted after you opened it."), code="deleted"
                ) from None
            # Shown again, the form carries the current version: saving it
            # again, after a review, is deliberate.
            data: Any = self.data
            data = data.copy()
            data[self.add_prefix(VERSION_FIELD)] = str(stale.current)
            self.data = data
            record.version = stale.current
            raise ValidationError(
                conflict_message(record, opened, self.history_url()), code="stale"
            ) from None
        return cleaned

    def history_url(self) -> str | None:
        opts = self.instance._meta
        try:
            return reverse(
                f"{self.admin_site_name}:{opts.app_label}_{opts.model_name}_history",
                args=[quote(self.instance.pk)],
            )
        except NoReverseMatch:
            return None


class VersionCheckAdmin:
    """A ModelAdmin mixin: change forms of versioned records carry and check
    their version (VersionCheckForm)."""

    model: type[models.Model]
    admin_site: Any

    def versioned(self) -> bool:
        return issubclass(self.model, Versioned)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if self.versioned():
            base: Any = kwargs.get("form") or getattr(self, "form", forms.ModelForm)
            if not issubclass(base, VersionCheckForm):
                base = type(base.__name__, (VersionCheckForm, base), {})
            kwargs["form"] = base
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        if self.versioned():
            form.admin_site_name = self.admin_site.name
        return form

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        return [name for name in fields if name != VERSION_FIELD]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """The hidden version goes in the last fieldset of a change form the
        user may save (a view-only form has nothing to check)."""
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if (
            obj is None
            or not self.versioned()
            or not self.has_change_permission(request, obj)  # type: ignore[attr-defined]
            or VERSION_FIELD in flatten_fieldsets(fieldsets)
        ):
            return fieldsets
        *first, (name, options) = fieldsets
        last = {**options, "fields": [*options["fields"], VERSION_FIELD]}
        return [*first, (name, last)]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponseBase:
        try:
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except StaleVersion:
            # A save without a version from the form, beaten by another one
            # between reading the record and writing it: nothing was saved.
            messages.error(
                request,
                _(
                    "Someone else saved this record while you were saving it. "
                    "Your changes are not saved: open it again and redo them."
                ),
            )
            return HttpResponseRedirect(request.get_full_path())
