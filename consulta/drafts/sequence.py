"""Numbering inside an article: what § / inciso / alínea / item comes next, and how a part is named."""

from __future__ import annotations

from dataclasses import dataclass

from consulta.drafts import grammar as g
from consulta.drafts.numerals import roman


@dataclass
class Sequence:
    """Expected numbers of the parts inside one article: §, then incisos, alíneas, items under them."""

    paragraph: int | str | None = None
    inciso: int | None = None
    alinea: int | None = None
    item: int | None = None

    def value(self, kind: str, marker: str) -> int | None:
        """The number a marker stands for, or None when it is not checked (suffixed, dotted, único)."""
        core = marker.rstrip(".–) ").strip()
        if kind == "paragrafo":
            core = core.removeprefix("§").strip().rstrip("º.")
            return int(core) if core.isdigit() else None
        if kind == "inciso":
            return g.roman_value(core) if g.is_roman(core) else None
        if kind == "alinea":
            return ord(core) - ord("a") + 1 if len(core) == 1 else None
        if kind == "item":
            return int(core) if core.isdigit() else None
        return None

    def expected(self, kind: str) -> int:
        last = getattr(self, "paragraph" if kind == "paragrafo" else kind)
        return (last if isinstance(last, int) else 0) + 1

    def advance(self, kind: str, marker: str) -> None:
        value = self.value(kind, marker)
        if kind == "paragrafo":
            self.paragraph = "unico" if marker.startswith("Parágrafo") else value
            self.inciso = self.alinea = self.item = None
        elif kind == "inciso":
            self.inciso, self.alinea, self.item = value, None, None
        elif kind == "alinea":
            self.alinea, self.item = value, None
        elif kind == "item":
            self.item = value


def part_name(kind: str, value: int) -> str:
    """A part as it is written in a message: "§ 2º", "inciso III", "alínea b)", "item 4"."""
    if kind == "paragrafo":
        return f"§ {g.ordinal_number(value, None)}"
    if kind == "inciso":
        return f"inciso {roman(value)}"
    if kind == "alinea":
        return f"alínea {chr(ord('a') + value - 1)})"
    return f"item {value}"
