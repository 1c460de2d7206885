"""What several public pages share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

from registry.models import Office

from ..geo import project


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without some parameters (for links)."""
    params = [(k, v) for k, v in request.GET.items() if k not in names and v != ""]
    return urlencode(params)


def map_points(offices: Iterable[Office]) -> list[dict[str, Any]]:
    """One dot per city on the US map, listing the offices there (fetch each
    office's city with it)."""
    by_city: dict[int, dict[str, Any]] = {}
    for office in offices:
        city = office.city
        if city is None or city.latitude is None or city.longitude is None:
            continue
        if city.pk not in by_city:
            position = project(float(city.latitude), float(city.longitude))
            if position is None:
                continue
            by_city[city.pk] = {
                "x": position[0],
                "y": position[1],
                "city": city,
                "offices": [],
            }
        by_city[city.pk]["offices"].append(office)
    return list(by_city.values())
