"""Find help near me: /help/?zip=77036 (or ?state=tx&county=Harris)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from outreach.help import find_help
from registry.geography import counties_of

from ..forms import HelpForm


def help_page(request: HttpRequest) -> HttpResponse:
    """The form, and on the same bookmarkable URL its answer: whom to call,
    the agreements covering the place, events near by, programmes."""
    asked = any(request.GET.get(name) for name in ("zip", "state", "county"))
    form = HelpForm(request.GET if asked else None)
    context: dict[str, object] = {"form": form}
    status = 200
    if asked:
        if form.is_valid():
            if not form.places:
                pass  # a state without its county: the county list below
            elif len(form.places) > 1:
                context["choices"] = form.places  # a ZIP code on a county line
            else:
                context["help"] = find_help(form.places[0])
        else:
            status = form.status
    state = form.data.get("state", "") if asked else ""
    if state and not form.data.get("zip"):
        # Without JavaScript, the state's counties to choose from.
        context["counties"] = counties_of(state)
    return render(request, "public/help.html", context, status=status)
