"""What several public pages share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse

from collection.counting import counted
from registry.models import Office

from ..geo import HEIGHT, WIDTH, project

#: How many rows a section of a record's page (a country, an agency, an office,
#: a city) shows; a "See all" link leads to the rest. Pages stay short on a
#: phone and the work per request does not grow with the data.
SECTION_ROWS = 10
#: How many offices one group (one state) of a page's offices shows.
GROUP_ROWS = 10


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without some parameters (for links)."""
    params = [(k, v) for k, v in request.GET.items() if k not in names and v != ""]
    return urlencode(params)


def filter_errors(filterset: Any) -> HttpResponse:
    """A file's filters that name nothing, as a plain-text 400 (a file has no
    page to show the form on): one line per filter."""
    return HttpResponse(
        "\n".join(
            f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
        ),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


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


def bounded(queryset: QuerySet[Any], limit: int = SECTION_ROWS) -> dict[str, Any]:
    """The first `limit` rows of `queryset` and how many there are in all (one
    query each), for a section that ends with "See all N"."""
    count = counted(queryset)  # once per data revision (collection.counting)
    return {"rows": list(queryset[:limit]), "count": count, "limit": limit}


def offices_by_state(
    offices: QuerySet[Office], per_group: int = GROUP_ROWS
) -> list[dict[str, Any]]:
    """Offices grouped by the state they are in (offices with no known state
    last), each group cut to `per_group` rows and given its full count: one
    query, whose size is bounded by the number of states."""
    state = F("city__state")
    ranked = (
        offices.select_related("agency", "city__state")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[state],
                order_by=[F("city__name").asc(nulls_last=True), F("name").asc()],
            ),
            group_count=Window(Count("pk"), partition_by=[state]),
        )
        .filter(rank__lte=per_group)
        .order_by(F("city__state__name").asc(nulls_last=True), "rank")
    )
    groups: list[dict[str, Any]] = []
    for office in ranked:
        state_obj = office.city.state if office.city else None
        if not groups or groups[-1]["state"] != state_obj:
            groups.append({"state": state_obj, "rows": [], "count": office.group_count})
        groups[-1]["rows"].append(office)
    for group in groups:
        group["more"] = group["count"] - len(group["rows"])
    return groups


def map_view(points: list[dict[str, Any]], padding: float = 40.0) -> dict[str, str]:
    """The part of the map that holds `points`: their bounding box with some
    padding, at the map's proportions and at least about a state wide, with
    the dots' radius and outline scaled to it. Values are strings, so that no
    locale writes a decimal comma into the SVG."""
    x, y, width, height = 0.0, 0.0, float(WIDTH), float(HEIGHT)
    if points:
        xs = [p["x"] for p in points]
        ys = [p["y"] for p in points]
        box_width = max(max(xs) - min(xs) + 2 * padding, 200.0)
        box_height = max(max(ys) - min(ys) + 2 * padding, box_width * HEIGHT / WIDTH)
        box_width = max(box_width, box_height * WIDTH / HEIGHT)
        if box_width < WIDTH:
            width, height = box_width, box_width * HEIGHT / WIDTH
            x = min(max((min(xs) + max(xs) - width) / 2, 0.0), WIDTH - width)
            y = min(max((min(ys) + max(ys) - height) / 2, 0.0), HEIGHT - height)
    # Dots grow a little on a zoomed map (the square root of the zoom), to be
    # easier to tap, without covering the region.
    scale = (width / WIDTH) ** 0.5
    return {
        "viewbox": f"{x:.1f} {y:.1f} {width:.1f} {height:.1f}",
        "r": f"{10 * scale:.2f}",
        "r_many": f"{13 * scale:.2f}",
        "stroke": f"{2 * scale:.2f}",
    }


def regional_map(offices: Iterable[Office]) -> dict[str, Any]:
    """The map context of a record's page: the dots of `offices` and the
    region around them; no map for fewer than two cities, where a lone dot
    says no more than the city's name."""
    points = map_points(offices)
    if len(points) < 2:
        return {"map_points": [], "map_view": None}
    return {"map_points": points, "map_view": map_view(points)}
