"""The geographic map of Brazil: 27 state paths from IBGE's outlines coloured by the page's figures (the
same figures as the table beside it), and dots for the municipalities of workshops, inside Brazil."""

import re

import pytest

from consulta import maps
from consulta.geo import STATES
from tests.test_workshops_web import consultation, facilitator, make_workshop, populated  # noqa: F401

PAGE_BUDGET = 200_000  # bytes of HTML for the results and workshop pages, maps included


def geo_svg(html: str) -> str:
    start = html.index('<svg class="geo-map__svg"')
    return html[start:html.index("</svg>", start)]


def state_paths(svg: str) -> dict[str, tuple[int, str]]:
    found = re.findall(r'<path class="geo-map__state tile-map__fill--(\d)" data-uf="([A-Z]{2})" d="([^"]+)" '
                       r'role="img" aria-label="([^"]+)"><title>([^<]+)</title></path>', svg)
    assert all(label == title for *_, label, title in found)
    return {uf: (int(step), label) for step, uf, _, label, _ in found}


def test_outlines_are_the_27_states_and_lie_in_the_drawing():
    shapes = maps.state_shapes()
    assert [s.uf for s in shapes] == list(STATES)
    width, height = maps.WIDTH, maps.HEIGHT
    for shape in shapes:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.path)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert min(xs) >= 0 and max(xs) <= width and min(ys) >= 0 and max(ys) <= height, shape.uf
    # Geography holds: Roraima is north of Rio Grande do Sul, Acre west of Pernambuco, DF inside Goiás' box.
    box = {s.uf: _box(s.path) for s in shapes}
    assert box["RR"][3] < box["RS"][1] and box["AC"][2] < box["PE"][0]
    assert box["GO"][0] < box["DF"][0] and box["DF"][2] < box["GO"][2]
    assert maps.project(-47.93, -15.78) == pytest.approx(((box["DF"][0] + box["DF"][2]) / 2,
                                                           (box["DF"][1] + box["DF"][3]) / 2), abs=6)


def _box(path: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def test_municipality_points_are_inside_brazil():
    assert maps.municipality_lonlat("1302603") == pytest.approx((-60.0, -3.1), abs=0.1)  # Manaus
    assert maps.municipality_lonlat("9999999") is None
    for code in ("1302603", "4314902", "2304400", "3304557", "5208707", "5300108"):
        lon, lat = maps.municipality_lonlat(code)
        assert maps.WEST <= lon <= maps.EAST and maps.SOUTH <= lat <= maps.NORTH
        x, y = maps.municipality_point(code)
        assert 0 < x < maps.WIDTH and 0 < y < maps.HEIGHT


def test_results_map_colours_each_state_by_the_table_figures(client, consultation, populated):  # noqa: F811
    html = client.get(f"/consultas/{consultation.slug}/resultados").get_data(as_text=True)
    paths = state_paths(geo_svg(html))
    assert sorted(paths) == sorted(STATES)
    # Workshop attendees: Manaus 80, Porto Alegre 20 (profiles without a state count nowhere on the map).
    assert paths["AM"] == (5, "Amazonas (AM), região Norte: 80 participantes")
    assert paths["RS"][0] == 2 and paths["SP"][0] == 0
    for uf, (_, label) in paths.items():
        shown = label.rsplit(": ", 1)[1].split(" ")[0]
        row = re.search(rf'<tr id="uf-{uf}">.*?</tr>', html, re.S).group(0)
        assert re.findall(r"<td>([^<]*)</td>", row)[-1] == shown.replace("<", "&lt;"), uf
    assert "IBGE, malha territorial" in html and 'href="#tabela-estados"' in html
    assert 'id="tabela-estados"' in html
    assert len(html.encode()) < PAGE_BUDGET


def test_workshops_map_has_a_dot_per_municipality_and_a_table_of_them(client, consultation, populated,  # noqa: F811
                                                                    make_workshop, facilitator):  # noqa: F811
    make_workshop(facilitator, consultation, title="Segunda oficina em Manaus")
    html = client.get(f"/consultas/{consultation.slug}/oficinas").get_data(as_text=True)
    svg = geo_svg(html)
    assert len(state_paths(svg)) == 27
    dots = re.findall(r'<circle class="geo-map__dot" data-municipio="(\d{7})" cx="([\d.]+)" cy="([\d.]+)" '
                      r'r="([\d.]+)" role="img" aria-label="([^"]+)"><title>', svg)
    by_code = {code: (float(x), float(y), float(r), label) for code, x, y, r, label in dots}
    assert sorted(by_code) == ["1302603", "4314902"]  # Manaus and Porto Alegre; the remote workshop has none
    assert by_code["1302603"][3] == "Manaus (AM): 2 oficinas" and by_code["4314902"][3] == "Porto Alegre (RS): 1 oficina"
    assert by_code["1302603"][2] > by_code["4314902"][2]
    for x, y, _, _ in by_code.values():
        assert 0 < x < maps.WIDTH and 0 < y < maps.HEIGHT
    # Manaus lies inside Amazonas' outline box, Porto Alegre inside Rio Grande do Sul's.
    shapes = {s.uf: _box(s.path) for s in maps.state_shapes()}
    for code, uf in (("1302603", "AM"), ("4314902", "RS")):
        x0, y0, x1, y1 = shapes[uf]
        assert x0 < by_code[code][0] < x1 and y0 < by_code[code][1] < y1
    assert re.search(r'<tr data-municipio="1302603"><th scope="row">Manaus</th><td>AM</td><td>2</td></tr>', html)
    assert len(html.encode()) < PAGE_BUDGET


def test_a_municipality_without_coordinates_is_listed_not_drawn():
    dots, unplaced = maps.municipality_dots([("1302603", "Manaus", "AM"), ("0000000", "Lugar Novo", "MT"),
                                             (None, None, None)])
    assert [d.code for d in dots] == ["1302603"] and unplaced == [("Lugar Novo", "MT", 1)]


def test_shipped_map_data_stay_small():
    from importlib import resources

    sizes = {name: len(resources.files("consulta.maps").joinpath(name).read_bytes())
             for name in ("brazil_states.json", "municipality_points.json")}
    assert sum(sizes.values()) < 300_000, sizes
