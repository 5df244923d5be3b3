"""An article's parts (caput, §, inciso, alínea, item) with stable keys, and its body as safe HTML.

Part keys are stable across imports of the same text and readable in URLs and downloads: "caput",
"par-1", "par-unico", "inc-II" (an inciso of the caput), "par-1-inc-II", "inc-II-ali-a",
"inc-II-ali-a-ite-1". Text is rendered through consulta.text (inline Markdown, sanitized there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from markupsafe import escape

from consulta.drafts import grammar as g
from consulta.text import render_inline_markdown

_LIST_CLASSES = {"inciso": "incisos", "alinea": "alineas", "item": "itens"}
_KEY_CHARS_RE = re.compile(r"[^0-9A-Za-z.-]")
_KEY_PREFIX = {"paragrafo": "par", "inciso": "inc", "alinea": "ali", "item": "ite"}
_LABEL_WORD = {"inciso": "inciso", "alinea": "alínea", "item": "item"}


@dataclass
class Part:
    """One part of an article, with what hangs under it."""

    kind: str  # "caput", "paragrafo", "plain", "inciso", "alinea", "item"
    marker: str
    text: str
    key: str = ""
    label: str = ""
    lines: list[str] = field(default_factory=list)  # the body lines of this part, as stored
    extras: list[tuple[str, str]] = field(default_factory=list)  # ("quote" | "table", text) after the text
    children: list[Part] = field(default_factory=list)

    @property
    def source(self) -> str:
        """The part's own text as written in the body (for "Nova redação")."""
        return "\n".join(self.lines)


def _key_token(kind: str, marker: str) -> str:
    if marker.startswith("Parágrafo"):
        return "unico"
    return _KEY_CHARS_RE.sub("", marker.replace("–", "")).strip(".-") or "x"


def _label(kind: str, marker: str, parent: Part | None) -> str:
    if kind == "paragrafo":
        own = "parágrafo único" if marker.startswith("Parágrafo") else marker.rstrip(".")
    else:
        own = f"{_LABEL_WORD[kind]} {marker.rstrip('.)–').strip()}" if marker != "•" else _LABEL_WORD[kind]
    if parent is None or parent.kind in ("caput", "plain"):
        return own
    return f"{parent.label}, {own}"


def parse_parts(body: str) -> list[Part]:
    """The article's top-level parts (caput, §, plain paragraphs), each with its lists nested."""
    top: list[Part] = []
    keys: set[str] = set()
    last: Part | None = None
    inciso: Part | None = None
    alinea: Part | None = None
    bullets: dict[int, int] = {}

    def register(part: Part, parent: Part | None) -> None:
        base = part.key
        count = 2
        while part.key in keys:
            part.key = f"{base}-{count}"
            count += 1
        keys.add(part.key)

    for raw in body.split("\n"):
        line = raw.strip()
        if not line:
            continue
        kind, marker, text = g.classify(line)
        if kind in ("quote", "table"):
            if last is None:
                last = Part("caput", "", "", key="caput", label="caput")
                keys.add("caput")
                top.append(last)
            last.extras.append((kind, text if kind == "quote" else line))
            last.lines.append(line)
            continue
        if kind == "bullet":
            kind, marker = "item", "•"
        if kind == "plain":
            part = Part("caput" if not top else "plain", "", text, lines=[line])
            part.key = "caput" if not top else f"txt-{len(top)}"
            part.label = "caput" if not top else f"texto {len(top)}"
            register(part, None)
            top.append(part)
            last, inciso, alinea = part, None, None
            continue
        if kind == "paragrafo":
            part = Part(kind, marker, text, lines=[line])
            part.key = f"par-{_key_token(kind, marker)}"
            part.label = _label(kind, marker, None)
            register(part, None)
            top.append(part)
            last, inciso, alinea = part, None, None
            continue
        if not top:
            empty = Part("caput", "", "", key="caput", label="caput")
            keys.add("caput")
            top.append(empty)
        if kind == "inciso":
            parent = top[-1]
        elif kind == "alinea":
            parent = inciso or top[-1]
        else:
            parent = alinea or inciso or top[-1]
        if marker == "•":
            bullets[id(parent)] = bullets.get(id(parent), 0) + 1
            token = str(bullets[id(parent)])
        else:
            token = _key_token(kind, marker)
        prefix = "" if parent.kind in ("caput", "plain") and parent.key == "caput" else f"{parent.key}-"
        part = Part(kind, marker, text, key=f"{prefix}{_KEY_PREFIX[kind]}-{token}",
                    label=_label(kind, marker, parent), lines=[line])
        register(part, parent)
        parent.children.append(part)
        last = part
        if kind == "inciso":
            inciso, alinea = part, None
        elif kind == "alinea":
            alinea = part
    return top


def article_parts(body: str) -> list[Part]:
    """Every part of the article in document order (pre-order), including the caput."""
    out: list[Part] = []

    def walk(parts: list[Part]) -> None:
        for part in parts:
            if part.text or part.children or part.extras:
                out.append(part)
            walk(part.children)

    walk(parse_parts(body))
    return [part for part in out if part.lines]


def part_source(body: str, key: str) -> str | None:
    """The text of one part of the article as written in the body, or None when there is no such part."""
    return next((part.source for part in article_parts(body) if part.key == key), None)


_TAG_RE = re.compile(r"(<[^>]*>)")


def _mark_notes(text: str) -> str:
    return g.NOTE_RE.sub(lambda m: f'<span class="nota">{m.group(0)}</span>', text)


def _inline(text: str) -> str:
    """A part's text as inline HTML, with consolidated-text notes marked (in text only, never inside a tag)."""
    pieces = _TAG_RE.split(str(render_inline_markdown(text)))
    return "".join(piece if index % 2 else _mark_notes(piece) for index, piece in enumerate(pieces))


def _extras(part: Part) -> str:
    out: list[str] = []
    quote: list[str] = []
    table: list[str] = []

    def flush() -> None:
        if quote:
            out.append("<blockquote>" + "".join(f"<p>{_inline(q)}</p>" for q in quote) + "</blockquote>")
            quote.clear()
        if table:
            out.append(_table(table))
            table.clear()

    for kind, text in part.extras:
        if (kind == "quote" and table) or (kind == "table" and quote):
            flush()
        (quote if kind == "quote" else table).append(text)
    flush()
    return "".join(out)


def _table(rows: list[str]) -> str:
    """Markdown table rows as an HTML table; the row after a rule line's header is the header."""
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows if not g.TABLE_RULE_RE.match(row)]
    has_header = len(rows) > 1 and bool(g.TABLE_RULE_RE.match(rows[1]))
    html = ['<table class="tabela">']
    for index, row in enumerate(cells):
        tag = "th" if has_header and index == 0 else "td"
        html.append("<tr>" + "".join(f"<{tag}>{_inline(c)}</{tag}>" for c in row) + "</tr>")
    html.append("</table>")
    return "".join(html)


class _Renderer:
    def __init__(self, counts: Mapping[str, int] | None, part_link: Callable[[str], str] | None,
                 selected: str | None) -> None:
        self.counts = counts or {}
        self.part_link = part_link
        self.selected = selected

    def attrs(self, part: Part, css: str = "") -> str:
        classes = [c for c in (css,) if c]
        if self.part_link is None:
            return f' class="{" ".join(classes)}"' if classes else ""
        classes.append("parte")
        current = ""
        if part.key == self.selected:
            classes.append("parte--selecionada")
            current = ' aria-current="true"'
        return f' class="{" ".join(classes)}" id="parte-{escape(part.key)}" data-parte="{escape(part.key)}"{current}'

    def tools(self, part: Part) -> str:
        if self.part_link is None or not (part.text or part.children):
            return ""
        count = self.counts.get(part.key, 0)
        badge = (f' <span class="parte__contagem">{count}'
                 f'<span class="visually-hidden"> contribuições em {escape(part.label)}</span></span>'
                 if count else "")
        return (f'{badge} <a class="parte__comentar" href="{escape(self.part_link(part.key))}">Comentar'
                f'<span class="visually-hidden"> {escape(part.label)}</span></a>')

    def nodes(self, nodes: list[Part]) -> str:
        out: list[str] = []
        previous = ""
        for node in nodes:
            if node.kind != previous:
                if previous:
                    out.append("</ol>")
                out.append(f'<ol class="{_LIST_CLASSES[node.kind]}">')
                previous = node.kind
            text = f" {_inline(node.text)}" if node.text else ""
            out.append(f'<li{self.attrs(node)}><span class="marker">{escape(node.marker)}</span>{text}'
                       f"{self.tools(node)}{_extras(node)}{self.nodes(node.children)}</li>")
        if previous:
            out.append("</ol>")
        return "".join(out)

    def top(self, parts: list[Part]) -> str:
        out: list[str] = []
        for index, part in enumerate(parts):
            if part.kind == "paragrafo":
                rest = f" {_inline(part.text)}" if part.text else ""
                head = (f'<p{self.attrs(part, "paragrafo")}><span class="marker">{escape(part.marker)}</span>'
                        f"{rest}{self.tools(part)}</p>")
            elif part.text:
                css = "caput" if part.kind == "caput" and index == 0 else ""
                head = f"<p{self.attrs(part, css)}>{_inline(part.text)}{self.tools(part)}</p>"
            else:
                head = ""
            out.append(head + _extras(part) + self.nodes(part.children))
        return "".join(out)


def render_article_body(
    body: str,
    *,
    counts: Mapping[str, int] | None = None,
    part_link: Callable[[str], str] | None = None,
    selected: str | None = None,
) -> str:
    """Render a structured body as safe HTML: caput, §, nested incisos/alíneas/itens, quotes and tables.

    With `part_link`, each part carries its key, a "Comentar" link and its contribution count.
    """
    return _Renderer(counts, part_link, selected).top(parse_parts(body))
