"""Forms of the public site."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import CorrectionReport


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
