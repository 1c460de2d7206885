"""Map projection for the public site's map of the United States.

``project`` turns a latitude and longitude into x and y on an SVG whose viewBox is
``0 0 WIDTH HEIGHT``, the way d3's ``geoAlbersUsa`` does: an Albers equal-area
conic projection for the contiguous 48 states and the District of Columbia, with
insets for Alaska and Hawaii in the lower left and for Puerto Rico in the lower
right, below Florida. Points outside those four regions have no place on the map
and project to ``None``.

The state outlines in ``static/img/us-states.svg`` are drawn with this same
function by ``static/map/build_us_states.py``, so the dots for offices drawn over
that image line up with the outlines. Change the projection and that SVG must be
built again.
"""

from __future__ import annotations

import math

WIDTH = 960
HEIGHT = 600


class _ConicEqualArea:
    """A spherical Albers equal-area conic projection placed on the viewBox.

    ``center`` (latitude, longitude) lands on ``translate`` (x, y); ``scale`` is
    the number of viewBox units per radian of a great circle, as in d3.
    """

    def __init__(
        self,
        *,
        parallels: tuple[float, float],
        central_meridian: float,
        center: tuple[float, float],
        scale: float,
        translate: tuple[float, float],
    ) -> None:
        sin_phi1 = math.sin(math.radians(parallels[0]))
        sin_phi2 = math.sin(math.radians(parallels[1]))
        self._n = (sin_phi1 + sin_phi2) / 2
        self._c = 1 + sin_phi1 * (2 * self._n - sin_phi1)
        self._lambda0 = math.radians(central_meridian)
        self._scale = scale
        center_x, center_y = self._raw(*center)
        self._dx = translate[0] - scale * center_x
        self._dy = translate[1] + scale * center_y

    def _raw(self, latitude: float, longitude: float) -> tuple[float, float]:
        """Unit-sphere coordinates, y pointing north."""
        rho = math.sqrt(self._c - 2 * self._n * math.sin(math.radians(latitude)))
        rho /= self._n
        theta = self._n * (math.radians(longitude) - self._lambda0)
        return rho * math.sin(theta), -rho * math.cos(theta)

    def __call__(self, latitude: float, longitude: float) -> tuple[float, float]:
        x, y = self._raw(latitude, longitude)
        return self._dx + self._scale * x, self._dy - self._scale * y


# Scale of the lower 48, in viewBox units per radian; the insets are sized from it.
# The lower 48 are centred in the viewBox with a margin of about 20 units above
# and below; Alaska (at 0.35 times the scale, as in d3) and Hawaii sit in the
# empty corner below California and Arizona, Puerto Rico to the right of Florida.
_K = 1220.0

_LOWER_48 = _ConicEqualArea(
    parallels=(29.5, 45.5),
    central_meridian=-96.0,
    center=(38.7, -96.0),
    scale=_K,
    translate=(490.0, 296.0),
)
_ALASKA = _ConicEqualArea(
    parallels=(55.0, 65.0),
    central_meridian=-154.0,
    center=(58.5, -156.0),
    scale=0.35 * _K,
    translate=(149.0, 552.5),
)
_HAWAII = _ConicEqualArea(
    parallels=(8.0, 18.0),
    central_meridian=-157.0,
    center=(19.9, -160.0),
    scale=_K,
    translate=(266.5, 564.8),
)
_PUERTO_RICO = _ConicEqualArea(
    parallels=(8.0, 18.0),
    central_meridian=-66.0,
    center=(18.0, -66.0),
    scale=_K,
    translate=(880.0, 575.0),
)


def _projection_for(latitude: float, longitude: float) -> _ConicEqualArea | None:
    if 24.0 <= latitude <= 50.0 and -125.0 <= longitude <= -66.5:
        return _LOWER_48
    if latitude > 50.0 and longitude < -129.0:
        return _ALASKA
    if 18.0 <= latitude <= 23.0 and -161.0 <= longitude <= -154.0:
        return _HAWAII
    if 17.5 <= latitude <= 18.6 and -67.5 <= longitude <= -65.0:
        return _PUERTO_RICO
    return None


def project(latitude: float, longitude: float) -> tuple[float, float] | None:
    """Return the (x, y) of a point on the map, or None if it is off the map.

    x grows to the east and y to the south, in the units of the viewBox
    ``0 0 960 600``. The region a point belongs to (lower 48, Alaska, Hawaii or
    Puerto Rico) is decided by a latitude and longitude box around each.
    """
    if longitude > 170.0 and 50.0 < latitude < 56.0:
        # The western Aleutians lie across the antimeridian, at east longitudes.
        longitude -= 360.0
    projection = _projection_for(latitude, longitude)
    if projection is None:
        return None
    return projection(latitude, longitude)
