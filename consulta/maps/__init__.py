"""Brazil drawn from IBGE's state outlines: SVG paths of the 27 federative units and municipality dots.

The outlines (`brazil_states.json`, longitude/latitude, simplified) and the municipalities' coordinates
(`municipality_points.json`) are data built once by `build.py` (sources and licences there and in the
README). They are projected here once per process: an equirectangular projection whose horizontal scale is
corrected at Brazil's middle latitude (cos 14° S), which keeps shapes close to IBGE's own small-scale maps
without a projection library. Pages draw them as server-rendered SVG (templates/_macros/maps.html).
"""

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

WIDTH = 600.0  # SVG user units of the drawing's width; the height follows from the projection
MARGIN = 4.0
# Brazil's extent (IBGE's BR_UF layer, rounded outwards), longitude and latitude in degrees
WEST, EAST, SOUTH, NORTH = -74.0, -28.8, -33.8, 5.3
_X_SCALE = math.cos(math.radians(14.0))
_UNIT = (WIDTH - 2 * MARGIN) / ((EAST - WEST) * _X_SCALE)
HEIGHT = round((NORTH - SOUTH) * _UNIT + 2 * MARGIN, 1)


@dataclass(frozen=True)
class StateShape:
    """One federative unit: its UF code and the SVG path data of its outline (all its rings)."""

    uf: str
    path: str


def project(lon: float, lat: float) -> tuple[float, float]:
    """SVG coordinates (x to the right, y down) of a longitude/latitude."""
    return (round(MARGIN + (lon - WEST) * _X_SCALE * _UNIT, 1), round(MARGIN + (NORTH - lat) * _UNIT, 1))


def _read(name: str):
    return json.loads(resources.files("consulta.maps").joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def state_shapes() -> tuple[StateShape, ...]:
    """The 27 outlines, projected once per process, in the order of `consulta.geo.STATES`."""
    from consulta.geo import STATES

    rings_by_uf = _read("brazil_states.json")
    shapes = []
    for uf in STATES:
        parts = []
        for ring in rings_by_uf[uf]:
            points = [project(lon, lat) for lon, lat in ring]
            parts.append("M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in points) + "Z")
        shapes.append(StateShape(uf, "".join(parts)))
    return tuple(shapes)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=1)
def _points() -> dict[str, tuple[float, float]]:
    return {code: (lon, lat) for code, (lon, lat) in _read("municipality_points.json").items()}


def municipality_lonlat(code: str | None) -> tuple[float, float] | None:
    """The longitude/latitude of a municipality (IBGE code), or None when the data do not place it."""
    return _points().get(str(code or "").strip())


def municipality_point(code: str | None) -> tuple[float, float] | None:
    """The SVG coordinates of a municipality (IBGE code), or None when it cannot be placed."""
    lonlat = municipality_lonlat(code)
    return project(*lonlat) if lonlat else None


@dataclass(frozen=True)
class Dot:
    """A municipality drawn as a dot: where, what it says, and how many events it stands for."""

    code: str
    name: str
    uf: str
    count: int
    x: float
    y: float

    @property
    def radius(self) -> float:
        """A little larger for more events, so a city with several workshops stands out (capped)."""
        return round(min(6.5 + 2.0 * (self.count - 1), 13.0), 1)


def municipality_dots(places: list[tuple[str | None, str | None, str | None]]) -> tuple[list[Dot], list[tuple[str, str, int]]]:
    """Dots for (IBGE code, name, UF) of events, one per municipality, and the ones that cannot be placed.

    Events without a municipality (remote ones) are left out of both lists.
    """
    counts: dict[str, list] = {}
    for code, name, uf in places:
        if not code:
            continue
        entry = counts.setdefault(code, [name or code, uf or "", 0])
        entry[2] += 1
    dots, unplaced = [], []
    for code, (name, uf, count) in sorted(counts.items(), key=lambda item: (item[1][1], item[1][0])):
        point = municipality_point(code)
        if point is None:
            unplaced.append((name, uf, count))
        else:
            dots.append(Dot(code, name, uf, count, *point))
    return dots, unplaced


def init_app(app) -> None:
    """Template globals for templates/_macros/maps.html."""
    app.jinja_env.globals.update(brazil_map_shapes=state_shapes, brazil_map_size=(WIDTH, HEIGHT))
