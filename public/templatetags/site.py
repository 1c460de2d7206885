"""Template helpers for the public site."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.urls import reverse, translate_url
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

#: Characters that could end a <script> element or start markup, escaped in JSON.
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data: dict[str, Any] | None) -> SafeString:
    """A schema.org description as a <script type="application/ld+json">, escaped
    like json_script so that no text can close the element."""
    if not data:
        return mark_safe("")
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        SCRIPT_ESCAPES
    )
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


@register.simple_tag(takes_context=True)
def with_query(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters set (None or "" removes
    them); `page` is dropped whenever anything else changes."""
    request = context["request"]
    params = {k: v for k, v in request.GET.items() if v != ""}
    if any(name != "page" for name in changes):
        params.pop("page", None)
    for name, value in changes.items():
        if value in (None, ""):
            params.pop(name, None)
        else:
            params[name] = str(value)
    return "?" + urlencode(params) if params else "?"


@register.simple_tag(takes_context=True)
def url_in(context: dict[str, Any], language: str) -> str:
    """This page's absolute address in another language."""
    request = context["request"]
    return translate_url(request.build_absolute_uri(), language)


@register.inclusion_tag("includes/downloads.html")
def downloads(collection: str, query: str = "", **filters: Any) -> dict[str, Any]:
    """Links to the API's CSV and JSON for one collection (its router basename,
    e.g. "agreement"), filtered like the list shown: by a query string taken
    from the page and/or by keyword filters. Agreements also get the Atom feed,
    which takes the same filters."""
    params = QueryDict(query, mutable=True)
    for name, value in filters.items():
        if value not in (None, ""):
            params[name] = str(value)
    as_csv = params.copy()
    as_csv["format"] = "csv"
    url = reverse(f"api:{collection}-list")
    with_params = f"?{params.urlencode()}" if params else ""
    links = {"csv": f"{url}?{as_csv.urlencode()}", "json": url + with_params}
    if collection == "agreement":
        links["feed"] = reverse("public:agreement-feed") + with_params
    return {"links": links}


@register.simple_tag
def translated_mark(record: Any, field: str, language: str = "") -> SafeString:
    """“(translated by the registry)” after a text the registry translated:
    `field` as the page shows it (`title`), or one language's (`title`, "es")."""
    if language:
        translated = f"{field}_{language}" in record.translated_fields
    else:
        translated = record.is_translated(field)
    if not translated:
        return mark_safe("")
    return format_html(
        ' <span class="translated">({})</span>', gettext("translated by the registry")
    )
