"""Build static/img/us-states.svg, the map of US states behind the office dots.

The state outlines come from the npm package us-atlas (Mike Bostock, ISC licence),
file states-10m.json: TopoJSON in longitude and latitude, derived from the US
Census Bureau's cartographic boundary files. The package is pinned in
static/map/package.json and package-lock.json. From the repository root:

    npm ci --prefix static/map
    .venv/bin/python static/map/build_us_states.py

The script decodes the TopoJSON itself, projects every point with
public.geo.project (the function that places the office dots, so dots and
outlines line up), rounds to one decimal and writes one <path> per state, for the
50 states, the District of Columbia and Puerto Rico. Other territories are left
out, as are the few small islands that fall outside the regions public.geo
draws. Run it again whenever public/geo.py changes, and commit the SVG.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from public.geo import HEIGHT, WIDTH, project  # noqa: E402

PACKAGE = ROOT / "static" / "map" / "node_modules" / "us-atlas"
SOURCE = PACKAGE / "states-10m.json"
OUTPUT = ROOT / "static" / "img" / "us-states.svg"

# The 50 states and DC have FIPS codes 01 to 56; 72 is Puerto Rico. American
# Samoa (60), Guam (66), the Northern Mariana Islands (69) and the US Virgin
# Islands (78) are not drawn.
KEPT_TERRITORIES = {"72"}

# Points closer than this (in viewBox units) to the simplified line are dropped,
# which keeps the file small without a visible change at the sizes it is shown.
TOLERANCE = 0.15

FILL = "#e8edf3"
STROKE = "#ffffff"
CREDIT = (
    "US Atlas (us-atlas, npm), ISC licence, derived from the US Census Bureau's"
    " cartographic boundary files."
)

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Absolute (longitude, latitude) points of every arc of a quantized topology."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (scale_x, scale_y) = transform["scale"]
        (translate_x, translate_y) = transform["translate"]
        x = y = 0
        points: list[Point] = []
        for delta in arc:
            x += delta[0]
            y += delta[1]
            points.append((x * scale_x + translate_x, y * scale_y + translate_y))
        arcs.append(points)
    return arcs


def is_kept(fips: str) -> bool:
    return (fips.isdigit() and 1 <= int(fips) <= 56) or fips in KEPT_TERRITORIES


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker: drop points closer than tolerance to the line kept.

    The first and last points stay, so arcs shared by two states still meet, and
    both states get the same simplified border.
    """
    if len(points) < 3:
        return points
    if points[0] == points[-1]:
        # A closed arc (an island): split it at its point farthest from the start.
        x0, y0 = points[0]
        far = max(
            range(1, len(points) - 1),
            key=lambda i: (points[i][0] - x0) ** 2 + (points[i][1] - y0) ** 2,
        )
        head = simplify(points[: far + 1], tolerance)
        return head + simplify(points[far:], tolerance)[1:]
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, distance = first, 0.0
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs(dy * (px - ax) - dx * (py - ay)) / length
            if d > distance:
                farthest, distance = i, d
        if distance > tolerance:
            keep[farthest] = True
            stack.append((first, farthest))
            stack.append((farthest, last))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def project_arc(arc: list[Point]) -> list[Point] | None:
    """The arc on the map, rounded to 0.1; None if any point is off the map."""
    points: list[Point] = []
    for longitude, latitude in arc:
        xy = project(latitude, longitude)
        if xy is None:
            return None
        point = (round(xy[0], 1), round(xy[1], 1))
        if not points or points[-1] != point:
            points.append(point)
    return simplify(points, TOLERANCE)


def stitch_ring(
    indexes: list[int], arcs: list[list[Point] | None]
) -> list[Point] | None:
    """Join a ring's arcs; a negative index ~i means arc i reversed."""
    ring: list[Point] = []
    for index in indexes:
        arc = arcs[~index if index < 0 else index]
        if arc is None:
            return None
        if index < 0:
            arc = arc[::-1]
        # Each arc starts where the previous one ended.
        for point in arc[1:] if ring else arc:
            if not ring or ring[-1] != point:
                ring.append(point)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return ring if len(ring) >= 3 else None


def polygons_of(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    raise ValueError(f"unexpected geometry type {geometry['type']!r}")


def number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def path_data(rings: list[list[Point]]) -> str:
    parts = []
    for ring in rings:
        coordinates = " ".join(f"{number(x)},{number(y)}" for x, y in ring)
        parts.append(f"M{coordinates}Z")
    return "".join(parts)


def build(topology: dict[str, Any], version: str) -> tuple[str, list[str]]:
    """The SVG text, and notes on what was left out."""
    arcs = [project_arc(arc) for arc in decode_arcs(topology)]
    notes: list[str] = []
    paths: list[str] = []
    geometries = topology["objects"]["states"]["geometries"]
    for geometry in sorted(geometries, key=lambda g: str(g["id"])):
        fips = str(geometry["id"])
        name = str(geometry["properties"]["name"])
        if not is_kept(fips):
            notes.append(f"left out {name} ({fips})")
            continue
        rings: list[list[Point]] = []
        dropped = 0
        for polygon in polygons_of(geometry):
            for indexes in polygon:
                ring = stitch_ring(indexes, arcs)
                if ring is None:
                    dropped += 1
                else:
                    rings.append(ring)
        if dropped:
            notes.append(f"{name}: {dropped} ring(s) off the map or too small")
        if not rings:
            raise ValueError(f"{name} ({fips}) has nothing on the map")
        paths.append(
            f'<path id="state-{fips}" fill="{FILL}" stroke="{STROKE}"'
            f' stroke-width="1" d="{path_data(rings)}">'
            f"<title>{escape(name)}</title></path>"
        )
    comment = (
        f"State outlines: {CREDIT} Source: us-atlas {version}, states-10m.json,"
        " projected with public.geo.project by static/map/build_us_states.py."
        " Do not edit by hand."
    )
    svg = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
            ' stroke-linejoin="round">',
            f"<!-- {escape(comment)} -->",
            *paths,
            "</svg>",
            "",
        ]
    )
    return svg, notes


def main() -> None:
    if not SOURCE.exists():
        sys.exit(f"{SOURCE} is missing: run `npm ci --prefix static/map` first.")
    topology = json.loads(SOURCE.read_text(encoding="utf-8"))
    package = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))
    svg, notes = build(topology, str(package["version"]))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(svg, encoding="utf-8")
    for note in notes:
        print(note)  # noqa: T201
    size = OUTPUT.stat().st_size
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {size:,} bytes ({size / 1024:.1f} KiB)")  # noqa: T201


if __name__ == "__main__":
    main()
