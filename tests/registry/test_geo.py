"""The map projection (public.geo) and the state outlines drawn with it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from public.geo import HEIGHT, WIDTH, project

SVG = Path(__file__).resolve().parents[2] / "static" / "img" / "us-states.svg"
NS = {"svg": "http://www.w3.org/2000/svg"}

HOUSTON = (29.76, -95.37)
SEATTLE = (47.61, -122.33)
MIAMI = (25.76, -80.19)
BOSTON = (42.36, -71.06)
SAN_DIEGO = (32.72, -117.16)
ANCHORAGE = (61.22, -149.90)
HONOLULU = (21.31, -157.86)
SAN_JUAN = (18.47, -66.11)
AUSTIN = (30.27, -97.74)

# FIPS codes drawn outside the lower 48.
INSETS = {"02", "15", "72"}

Point = tuple[float, float]


def xy(place: tuple[float, float]) -> Point:
    point = project(*place)
    assert point is not None, place
    return point


def inside_view_box(point: Point) -> bool:
    x, y = point
    return 0 <= x <= WIDTH and 0 <= y <= HEIGHT


@cache
def state_rings() -> dict[str, list[list[Point]]]:
    """Each state's rings, from the absolute coordinates of its path's d."""
    root = ET.parse(SVG).getroot()  # noqa: S314 (our own file)
    states: dict[str, list[list[Point]]] = {}
    for path in root.iterfind("svg:path", NS):
        rings = []
        for ring in re.findall(r"M([^MZ]*)", path.get("d", "")):
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", ring)]
            rings.append(list(zip(numbers[0::2], numbers[1::2], strict=True)))
        states[path.get("id", "").removeprefix("state-")] = rings
    return states


def bounding_box(fips: str) -> tuple[float, float, float, float]:
    points = [point for ring in state_rings()[fips] for point in ring]
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def in_box(point: Point, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def in_state(point: Point, fips: str) -> bool:
    """Even-odd ray casting over all of a state's rings."""
    x, y = point
    inside = False
    for ring in state_rings()[fips]:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


@pytest.mark.parametrize("place", [HOUSTON, SEATTLE, MIAMI, BOSTON, SAN_DIEGO])
def test_lower_48_cities_are_inside_the_view_box(place):
    assert inside_view_box(xy(place))


def test_lower_48_cities_are_in_their_relative_places():
    houston, seattle, miami = xy(HOUSTON), xy(SEATTLE), xy(MIAMI)
    boston, san_diego = xy(BOSTON), xy(SAN_DIEGO)
    # x grows eastwards and y southwards.
    assert seattle[0] < miami[0] and seattle[1] < miami[1]
    assert boston[0] > houston[0] and boston[1] < houston[1]
    assert san_diego[0] < houston[0]
    assert seattle[1] < san_diego[1]
    assert miami[1] > boston[1] and miami[0] > houston[0]
    assert boston[0] > miami[0]


@pytest.mark.parametrize("place", [ANCHORAGE, HONOLULU, SAN_JUAN])
def test_inset_cities_are_inside_the_view_box(place):
    assert inside_view_box(xy(place))


@pytest.mark.parametrize("place", [ANCHORAGE, HONOLULU])
def test_alaska_and_hawaii_are_in_the_lower_left(place):
    x, y = xy(place)
    assert x < WIDTH / 2
    assert y > HEIGHT * 0.75
    # Below the southern border of California.
    assert y > xy(SAN_DIEGO)[1]


def test_puerto_rico_is_in_the_lower_right_past_florida():
    x, y = xy(SAN_JUAN)
    miami = xy(MIAMI)
    assert x > WIDTH * 0.75 and y > HEIGHT * 0.75
    assert x > miami[0] and y > miami[1]


@pytest.mark.parametrize("place", [ANCHORAGE, HONOLULU, SAN_JUAN])
def test_inset_cities_are_outside_every_state_of_the_lower_48(place):
    point = xy(place)
    for fips in state_rings():
        if fips not in INSETS:
            assert not in_state(point, fips), fips


@pytest.mark.parametrize(
    ("place", "fips"), [(ANCHORAGE, "02"), (HONOLULU, "15"), (SAN_JUAN, "72")]
)
def test_inset_cities_fall_on_their_own_inset(place, fips):
    assert in_box(xy(place), bounding_box(fips))


def test_the_western_aleutians_across_the_antimeridian_are_in_alaska():
    attu = xy((52.93, 172.90))
    assert in_box(attu, bounding_box("02"))
    assert inside_view_box(attu)


@pytest.mark.parametrize(
    "place",
    [
        (19.43, -99.13),  # Mexico City
        (40.42, -3.70),  # Madrid
        (53.02, 158.65),  # Petropavlovsk-Kamchatsky
        (-33.87, 151.21),  # Sydney
    ],
)
def test_places_off_the_map_project_to_none(place):
    assert project(*place) is None


def test_svg_has_the_view_box_and_a_titled_path_per_state():
    assert SVG.exists()
    root = ET.parse(SVG).getroot()  # noqa: S314 (our own file)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    paths = root.findall("svg:path", NS)
    assert len(paths) >= 50
    names = {}
    for path in paths:
        assert re.fullmatch(r"state-\d\d", path.get("id", ""))
        title = path.find("svg:title", NS)
        assert title is not None and title.text, path.get("id")
        names[path.get("id")] = title.text
    assert names["state-48"] == "Texas"
    assert names["state-72"] == "Puerto Rico"
    # Territories other than Puerto Rico are not drawn.
    assert not {"state-60", "state-66", "state-69", "state-78"} & names.keys()


def test_svg_outlines_line_up_with_the_projection():
    austin = xy(AUSTIN)
    assert in_box(austin, bounding_box("48"))
    assert in_state(austin, "48")
    assert in_state(xy(HOUSTON), "48")
    assert in_state(xy(ANCHORAGE), "02")
    assert in_state(xy(SEATTLE), "53")
    assert in_state(xy((39.74, -104.99)), "08")  # Denver, Colorado
