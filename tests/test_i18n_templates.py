"""Every user-facing word in the templates goes through Flask-Babel: text between tags and the literal
text of alt, title, aria-label and placeholder attributes."""

import re
from pathlib import Path

import jinja2
import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "consulta" / "templates"
# Words that stay the same in every language: names of the product, services and formats.
ALLOWED = {"Consulta", "C", "gov.br", "API", "GET", "CSV", "JSON", "XLSX", "PDF", "DOCX", "TOTP", "LGPD", "IBGE", "UF",
           "htmx", "Redis", "VLibras", "OpenAPI", "Libras", "DCAT", "SVG", "OK"}
ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
# Scripts, styles and code samples (what a person types, as the importer reads it) are not translated.
RAW_ELEMENTS = re.compile(r"<(script|style|code)\b.*?</\1\s*>", re.S | re.I)
COMMENT = re.compile(r"<!--.*?-->", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|\w+);")
WORD = re.compile(r"[^\W\d_](?:[\w.'’-]*\w)?")
HOLE = "\x00"  # where a Jinja tag, expression or comment was


def _template_files():
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


def _data_only(source: str) -> str:
    """The template's literal text with every Jinja construct replaced by HOLE (Jinja's own lexer)."""
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    parts = []
    for _lineno, kind, value in env.lex(source):
        if kind == "data":
            parts.append(value)
        elif kind in ("variable_begin", "block_begin", "comment_begin"):
            parts.append(HOLE)
    return "".join(parts)


def _words(text: str) -> list[str]:
    text = ENTITY.sub(" ", text).replace(HOLE, " ")
    return [w for w in WORD.findall(text) if w not in ALLOWED]


def unwrapped_text(source: str, *, html: bool = True) -> list[str]:
    """The words of `source` (a template) that reach the reader without passing through gettext."""
    data = _data_only(source)
    found = []
    if html:
        data = COMMENT.sub(" ", RAW_ELEMENTS.sub(" ", data))
        for tag in TAG.findall(data):
            for name, _quote, value in re.findall(r"[\s\x00](" + "|".join(ATTRIBUTES) + r")=([\"'])(.*?)\2", tag, re.S):
                found += [f"{name}: {w}" for w in _words(value)]
        data = TAG.sub(" ", data)
    return found + _words(data)


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_text_is_wrapped_for_translation(path):
    assert unwrapped_text(path.read_text(), html=path.suffix == ".html") == []


@pytest.mark.parametrize("source, expected", [
    ("<p>Enviar contribuição</p>", ["Enviar", "contribuição"]),
    ("<p>{{ _('Enviar') }} agora</p>", ["agora"]),
    ('<img alt="Mapa do Brasil" src="x.svg">', ["alt: Mapa", "alt: do", "alt: Brasil"]),
    ('<input placeholder="{{ _(\'Buscar\') }}">', []),
    ('<a title="{{ x }} votos">', ["title: votos"]),
    ("<p>{{ _('Total') }}: {{ n }} &middot; 42%</p>", []),
    ("{# Comentário #}<!-- nota --><script>var texto = 1;</script><p>gov.br</p>", []),
    ("{% if a %}Sim{% endif %}", ["Sim"]),
    ('<svg {% if a %}role="img"{% else %}aria-label="Mapa"{% endif %}>', ["aria-label: Mapa"]),
])
def test_unwrapped_text_finds_literal_words(source, expected):
    assert unwrapped_text(source) == expected


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_hides_gettext_behind_a_variable(path):
    """`{% set _ = ... %}` (a habit for discarding a value) would turn every later `_()` into None()."""
    assert not re.search(r"\{%-?\s*(set|for|with)\s+(\w+\s*,\s*)*_\s*(=|,|in\b)", path.read_text())
