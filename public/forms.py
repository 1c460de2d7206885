"""Forms of the public site."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outreach.help import HelpQueryError, places_for
from registry.geography import Place
from registry.models import CorrectionReport, State


class CorrectionForm(forms.ModelForm):
    """A visitor's correction. `website` is a honeypot: hidden from people (and
    from screen readers), so only bots fill it in."""

    source_url = forms.URLField(
        required=False,
        max_length=1000,
        assume_scheme="https",
        label=_("Where did you read it? (link, optional)"),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = CorrectionReport
        fields = ["message", "source_url", "contact"]
        labels = {
            "message": _("What is wrong, and what is right?"),
            "contact": _(
                "Your e-mail, if the curators may ask you (optional, never shown)"
            ),
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class HelpForm(forms.Form):
    """Where the visitor lives: a ZIP code, or a state and a county. Valid when
    it names at least one place (`places`); the errors say what to do."""

    zip = forms.CharField(
        required=False,
        max_length=10,
        label=_("ZIP code"),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "postal-code",
                "pattern": "[0-9]{5}",
                "size": "6",
            }
        ),
    )
    state = forms.ChoiceField(required=False, label=_("State"))
    county = forms.CharField(required=False, max_length=100, label=_("County"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [
            ("", _("Choose a state")),
            *State.objects.filter(country__code="us")
            .order_by("name")
            .values_list("slug", "name"),
        ]
        self.places: tuple[Place, ...] = ()
        self.status = 200

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zip_code = data.get("zip", "")
        state = data.get("state", "")
        county = data.get("county", "")
        if self.errors:
            self.status = 400
            return data
        if state and not zip_code and not county:
            return data  # the first step without JavaScript: pick a county next
        code = ""
        if state and not zip_code:
            code = (
                State.objects.filter(slug=state).values_list("code", flat=True).first()
                or ""
            )
        try:
            self.places = places_for(zip_code=zip_code, state=code, county=county)
        except HelpQueryError as error:
            self.status = error.status
            field = "zip" if zip_code else ("county" if state else None)
            self.add_error(field, error.message)
        return data
