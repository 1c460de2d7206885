"""Where a person lives: a US ZIP code to its state and county, offline.

The ZIP codes come from the `zipcodes` package (MIT licence), which ships its
data inside the package: the unitedstateszipcodes.org database for counties,
GeoNames (CC BY 4.0) for coordinates and the USPS ZIP Locale Detail (public
domain) for the list of ZIP codes; docs/data-model.md says more. Nothing is
fetched at run time. The data set records one county per ZIP code, so a ZIP
code that crosses a county line resolves to its main county; the pages say so
and offer the state-and-county form.

The data set is read once per process, on first use, into the indexes below.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from statistics import fmean
from typing import Any

import zipcodes

ZIP_CODE = re.compile(r"^\d{5}$")

# How the data set names counties ("Harris County", "Orleans Parish"); the
# registry stores the bare name ("Harris"), as sources write it.
COUNTY_SUFFIXES = (
    " County",
    " Parish",
    " Borough",
    " Census Area",
    " Municipality",
    " City and Borough",
)


def bare_county(name: str) -> str:
    """ "Harris County" → "Harris" (in any case: "harris county" → "harris")."""
    for suffix in sorted(COUNTY_SUFFIXES, key=len, reverse=True):
        if name.casefold().endswith(suffix.casefold()):
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Place:
    """Where someone lives: a county of a state, with a point to measure
    distances from (the ZIP code's, or the middle of the county's ZIP codes)."""

    state: str  # lower-case postal code, as the registry's states: "tx"
    county: str  # bare name: "Harris"; empty when the data set has none
    latitude: float | None
    longitude: float | None
    zip_code: str = ""
    city: str = ""  # the ZIP code's post-office city


@dataclass(frozen=True)
class _Index:
    by_zip: dict[str, tuple[Place, ...]]
    counties: dict[str, tuple[str, ...]]  # state → its counties, sorted
    centres: dict[tuple[str, str], tuple[float, float]]  # (state, COUNTY) → point
    city_counties: dict[tuple[str, str], str]  # (state, CITY) → its main county


@cache
def _index() -> _Index:
    by_zip: dict[str, list[Place]] = {}
    points: dict[tuple[str, str], list[tuple[float, float]]] = {}
    names: dict[str, set[str]] = {}
    cities: dict[tuple[str, str], Counter[str]] = {}
    for row in zipcodes.list_all():
        state = (row.get("state") or "").lower()
        if not state:
            continue
        county = bare_county(row.get("county") or "")
        try:
            latitude, longitude = float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            latitude = longitude = None  # type: ignore[assignment]
        place = Place(
            state=state,
            county=county,
            latitude=latitude,
            longitude=longitude,
            zip_code=row["zip_code"],
            city=row.get("city") or "",
        )
        by_zip.setdefault(row["zip_code"], []).append(place)
        if county:
            names.setdefault(state, set()).add(county)
            cities.setdefault((state, place.city.upper()), Counter())[county] += 1
            if latitude is not None and longitude is not None:
                points.setdefault((state, county.upper()), []).append(
                    (latitude, longitude)
                )
    return _Index(
        by_zip={code: tuple(places) for code, places in by_zip.items()},
        counties={state: tuple(sorted(found)) for state, found in names.items()},
        centres={
            key: (fmean(p[0] for p in found), fmean(p[1] for p in found))
            for key, found in points.items()
        },
        city_counties={
            key: counts.most_common(1)[0][0] for key, counts in cities.items()
        },
    )


def is_zip_code(text: str) -> bool:
    return bool(ZIP_CODE.match(text))


def places_for_zip(code: str) -> tuple[Place, ...]:
    """The places a 5-digit ZIP code covers (usually one county); empty when
    the data set does not know it. `code` must be five digits."""
    if not is_zip_code(code):
        raise ValueError(code)
    places = _index().by_zip.get(code, ())
    # One place per county (the data set may repeat a ZIP code).
    unique: dict[tuple[str, str], Place] = {}
    for place in places:
        unique.setdefault((place.state, place.county), place)
    return tuple(unique.values())


def counties_of(state: str) -> tuple[str, ...]:
    """The counties of a state (lower-case postal code), by name."""
    return _index().counties.get(state.lower(), ())


def find_county(state: str, county: str) -> Place | None:
    """A county of a state by name, in any case and with or without its
    "County"/"Parish" suffix; None when the state has no such county."""
    wanted = bare_county(county.strip()).casefold()
    for name in counties_of(state):
        if name.casefold() == wanted:
            latitude, longitude = _index().centres.get(
                (state.lower(), name.upper()), (None, None)
            )
            return Place(
                state=state.lower(),
                county=name,
                latitude=latitude,
                longitude=longitude,
            )
    return None


def place_of(city: Any) -> Place | None:
    """A city as a place to find help for: its county where a source states
    it, else the county most of the city's ZIP codes are in; None for a city
    with no state."""
    if city.state_id is None:
        return None
    state = city.state.code.lower()
    latitude = float(city.latitude) if city.latitude is not None else None
    longitude = float(city.longitude) if city.longitude is not None else None
    county = city.county or _index().city_counties.get((state, city.name.upper()), "")
    return Place(
        state=state, county=county or "", latitude=latitude, longitude=longitude
    )
