"""Import a draft (decree, national strategy) written in Markdown into a tree of sections and articles.

This module is pure: standard library plus markupsafe, no Flask, no database. The web layer calls
:func:`parse_upload` on the uploaded bytes, shows ``errors``/``warnings`` to the administrator and, when
``ok``, stores the tree (sections → articles) that participants will comment on.

Grammar (line oriented, Markdown-flavoured, following Brazilian legal drafting - LC 95/1998 - and
Decidim's "participatory texts"):

* Preprocessing: a YAML front matter block (``---`` … ``---`` at the very top), HTML comments
  (``<!-- … -->``) and horizontal rules (``---``, ``***``, ``___``) are blanked out; line numbers are kept.
* ``#``, ``##``, ``###`` headings open nested sections; deeper headings are treated as ``###``. Trailing
  ``#``s and ``**``/``__`` are removed from titles. A heading nests under the closest shallower heading.
* The text between two headings (or before the first heading) is a *block*, read in one of three modes:

  1. **Articles** - the block has a line starting ``Art. 1º`` (also ``Art 1º``, ``Artigo 1º``, ``Art. 1o``,
     ``Art. 1°``, ``Art. 10.``, ``Art. 5º-A``). Plain paragraphs before the first article are the
     block's intro (a decree's preamble). Everything up to the next ``Art.`` line or heading belongs to
     the article, one structural unit per body line: the caput (first line, no marker), ``§ 1º``,
     ``Parágrafo único.``, incisos ``I –``, alíneas ``a)``, items ``1.`` or ``- ``. A line that is none
     of these continues the previous unit after a soft line break, or is a unit of its own after a
     blank line. Article numbers should run 1, 2, 3… across the document (warning otherwise).
  2. **Recommendations** - no ``Art.`` line, but list items (``1.``, ``1.1``, ``3.2.``, ``3.2 -``,
     ``1)``, ``- ``, ``* ``, ``+ ``). Each top-level item is a recommendation ("Recomendação 3.2";
     bullets are numbered in document order). Items indented by two or more spaces stay inside the
     current recommendation; plain paragraphs before the first item are the block's intro, after it
     they continue the recommendation.
  3. **Paragraphs** - neither: every blank-line separated paragraph becomes a "Trecho N" (N counted
     across the document), which is how Decidim-style documents import.

  Before the first heading, a block without ``Art.`` lines is the document's intro, unless the
  document has no headings at all (then it is read in mode 2 or 3).
* Bodies keep the text as written (Markdown is not rendered); :func:`render_article_body` turns the
  structured body into escaped HTML with nested lists.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from markupsafe import escape

MAX_BYTES = 2 * 1024 * 1024  # upload size limit
MAX_TITLE_CHARS = 300
MAX_BODY_CHARS = 20_000

NO_ARTICLES_MESSAGE = (
    'Nenhum artigo encontrado: o texto precisa de ao menos um artigo ("Art. 1º"), '
    "uma recomendação numerada ou um parágrafo sob um título."
)
EMPTY_FILE_MESSAGE = "O arquivo está vazio."
EXPORT_HINT = "Exporte a minuta como Markdown (.md) ou texto simples (.txt) em UTF-8 e envie novamente."
LATIN1_WARNING = (
    "O arquivo não está em UTF-8 e foi lido como Latin-1 (Windows-1252); "
    "confira se os acentos aparecem corretamente."
)


# --------------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------------


@dataclass
class Problem:
    """One error or warning found while importing, in Portuguese."""

    line: int | None  # 1-based source line, None when not line-specific
    message: str


@dataclass
class DraftArticle:
    """One commentable unit: a legal article, a recommendation or a plain paragraph ("Trecho")."""

    kind: str  # "article" | "recommendation" | "paragraph"
    number: str  # as written (normalised): "1º", "10", "5º-A", "3.2", "" for none
    label: str  # display: "Art. 1º", "Recomendação 3.2", "Trecho 4"
    body: str  # one structural unit per line, without the "Art. 1º" prefix
    line: int


@dataclass
class DraftSection:
    """A heading and what follows it up to the next heading, with nested sub-sections."""

    title: str
    depth: int  # 1, 2 or 3
    line: int
    intro: str = ""
    articles: list[DraftArticle] = field(default_factory=list)
    children: list[DraftSection] = field(default_factory=list)


@dataclass
class DraftDocument:
    """The parsed draft: top-level articles and sections, plus the problems found."""

    sections: list[DraftSection] = field(default_factory=list)
    articles: list[DraftArticle] = field(default_factory=list)
    intro: str = ""
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings do not block the import)."""
        return not self.errors

    def iter_sections(self) -> Iterator[DraftSection]:
        """Yield every section in document order (depth-first, parents before children)."""
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.children))

    def iter_articles(self) -> Iterator[tuple[DraftSection | None, DraftArticle]]:
        """Yield (section or None, article) pairs in document order."""
        for article in self.articles:
            yield None, article
        # A section's own articles come before its first sub-heading, so pre-order is document order.
        for section in self.iter_sections():
            for article in section.articles:
                yield section, article

    @property
    def article_count(self) -> int:
        """Number of articles in the whole document."""
        return sum(1 for _ in self.iter_articles())


# --------------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------------

# Magic numbers of the binary formats people most often upload by mistake.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "um PDF"),
    (b"PK\x03\x04", "um documento do Word .docx ou outro arquivo compactado"),
    (b"PK\x05\x06", "um arquivo compactado"),
    (b"PK\x07\x08", "um arquivo compactado"),
    (b"\xd0\xcf\x11\xe0", "um documento do Word .doc"),
    (b"{\\rtf", "um documento RTF"),
    (b"\x89PNG", "uma imagem"),
    (b"\xff\xd8\xff", "uma imagem"),
    (b"GIF8", "uma imagem"),
    (b"\x1f\x8b", "um arquivo compactado"),
    (b"Rar!", "um arquivo compactado"),
    (b"7z\xbc\xaf", "um arquivo compactado"),
)
# C0 controls that never appear in real text (tab, newlines and form feed are tolerated).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_CONTROL_SHARE_LIMIT = 0.02
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def _format_mb(size: int) -> str:
    """Format a byte count as megabytes with a Portuguese decimal comma ("2,5")."""
    # Round up so that a file just over the limit never reads as "2 MB; o limite é 2 MB".
    value = math.ceil(size / (1024 * 1024) * 10) / 10
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", ",")


def _thousands(value: int) -> str:
    """Format an integer with the Portuguese thousands separator ("20.000")."""
    return f"{value:,}".replace(",", ".")


def _not_text(kind: str = "") -> Problem:
    """Build the "not a text file" error, naming the detected format when known."""
    detail = f" (parece ser {kind})" if kind else ""
    return Problem(None, f"O arquivo não é um arquivo de texto{detail}. {EXPORT_HINT}")


def _normalize(text: str) -> str:
    """Normalise newlines, Unicode (NFC) and drop invisible control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Zero-width spaces and stray BOMs (copied from the web or Word) break "Art. 1º" matching.
    text = _CONTROL_CHARS_RE.sub("", text)
    return unicodedata.normalize("NFC", text)


def decode_with_fallback(raw: bytes) -> tuple[str, bool]:
    """UTF-8, else Windows-1252, else Latin-1; the flag says UTF-8 failed (so the caller can warn)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), True
    except UnicodeDecodeError:
        return raw.decode("latin-1"), True  # cp1252 leaves five bytes undefined; Latin-1 maps every byte


def decode(data: bytes) -> tuple[str | None, list[Problem]]:
    """Decode uploaded bytes; returns (text, warnings) on success or (None, errors) on failure."""
    if len(data) > MAX_BYTES:
        return None, [Problem(None, f"O arquivo tem {_format_mb(len(data))} MB; o limite é 2 MB.")]
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return None, [_not_text(kind)]

    warnings: list[Problem] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Windows Notepad's "Unicode" is UTF-16 with a BOM: its NUL bytes are legitimate.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None, [_not_text()]
        if sum(text.count(chr(b)) for b in _CONTROL_BYTES) > _CONTROL_SHARE_LIMIT * max(len(text), 1):
            return None, [_not_text()]
    else:
        if b"\x00" in data:
            return None, [_not_text()]
        controls = sum(data.count(b) for b in _CONTROL_BYTES)
        if controls > _CONTROL_SHARE_LIMIT * max(len(data), 1):
            return None, [_not_text()]
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        text, legacy = decode_with_fallback(raw)
        if legacy:
            warnings.append(Problem(None, LATIN1_WARNING))

    text = _normalize(text)
    if not text.strip():
        return None, [Problem(None, EMPTY_FILE_MESSAGE)]
    return text, warnings


def parse_upload(data: bytes) -> DraftDocument:
    """Decode and parse an uploaded file; decoding errors land in ``errors``."""
    text, problems = decode(data)
    if text is None:
        return DraftDocument(errors=problems)
    document = parse_draft(text)
    document.warnings[:0] = problems
    return document


# --------------------------------------------------------------------------------------------------
# Line grammar
# --------------------------------------------------------------------------------------------------

_LETTER = r"[^\W\d_]"
# Ordinal indicator: "º", plus what people type instead of it (degree sign, ring, letter o).
_ORDINAL = rf"(?:º|°|˚|ᵒ|o(?!{_LETTER}))"
_ART_RE = re.compile(
    r"^(?:Art(?:igo)?|ART(?:IGO)?)(?:\.\s*|\s+)"
    # "1.º" is a common typing variant of "1º"; the dot is only skipped when an ordinal sign follows.
    rf"(?P<num>\d{{1,4}})(?:\.(?=[º°˚ᵒ]))?(?P<ord>{_ORDINAL})?"
    # Suffix for articles inserted later ("Art. 5º-A"): no spaces, so "Art. 5º - A União" is a caput.
    rf"(?:[-–](?P<suf>[A-Z]{{1,3}})(?!{_LETTER}|\d))?"
    r"\.?(?P<rest>(?:[\s\-–—.:*_]|$).*)$"
)
_ART_NO_NUMBER_RE = re.compile(r"^(?:Art|ART)\.(?!\s*\d)")
_PARAGRAPH_RE = re.compile(
    rf"^§\s*(?P<num>\d{{1,3}})(?:\.(?=[º°˚ᵒ]))?(?P<ord>{_ORDINAL})?(?:[-–](?P<suf>[A-Z]{{1,3}})(?!{_LETTER}))?"
    r"\.?(?P<rest>(?:[\s\-–—.:]|$).*)$"
)
_SOLE_PARAGRAPH_RE = re.compile(r"^par[áa]grafo\s+[úu]nico(?P<rest>(?:[\s\-–—.:]|$).*)$", re.IGNORECASE)
_INCISO_RE = re.compile(r"^(?P<roman>[IVXLCDM]{1,8})\s*[-–—](?P<rest>(?:\s|$).*)$")
_ROMAN_RE = re.compile(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
_ALINEA_RE = re.compile(r"^(?P<letter>[a-z])\)(?P<rest>(?:\s|$).*)$")
# "1.", "1)", "1 -", "1.1", "3.2.", "3.2 -". Sub-numbers have at most two digits so that a paragraph
# opening with a Brazilian thousands separator ("1.500 pessoas…") is not taken for item 1.500; at most
# five levels, so that a run like "1.1.1.1.1.1…" cannot produce an absurd label.
_NUMBERED_RE = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,2}){0,4})(?P<sep>\.|\)|\s*[-–—])?(?P<rest>(?:\s|$).*)$")
_BULLET_RE = re.compile(r"^[-*+•](?P<rest>\s.*|)$")
_HEADING_RE = re.compile(r"^ {0,3}(?P<hashes>#+)(?P<title>(?:\s.*)?)$")
_RULE_RE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_LEADING_EMPHASIS_RE = re.compile(r"^(?P<mark>\*\*|__)(?P<inner>.+?)(?P=mark)(?P<rest>.*)$")
_SEPARATORS_RE = re.compile(r"^[\s\-–—.:]+")


def _is_roman(text: str) -> bool:
    """True for a well-formed Roman numeral (I, IV, XII…)."""
    return bool(text) and bool(_ROMAN_RE.match(text))


def _numbered(text: str) -> re.Match[str] | None:
    """Match a numbered list marker; a lone number needs a separator ("1." but not "2024 foi")."""
    match = _NUMBERED_RE.match(text)
    if match is None or (match["sep"] is None and "." not in match["num"]):
        return None
    return match


def _clean_rest(rest: str) -> str:
    """Drop the separators ("–", "-", ".", ":") and closing emphasis that follow a marker."""
    rest = rest.strip()
    if rest.startswith(("**", "__")):
        rest = rest[2:]
    return _SEPARATORS_RE.sub("", rest).strip()


def _article_match(text: str) -> re.Match[str] | None:
    """Match an "Art. 1º" line."""
    return _ART_RE.match(text)


def _ordinal_number(number: int, suffix: str | None) -> str:
    """Legal numbering: ordinal "1º" to "9º", cardinal "10" onwards, optional "-A" suffix."""
    text = f"{number}º" if number < 10 else str(number)
    return f"{text}-{suffix}" if suffix else text


def _body_unit(text: str) -> str | None:
    """Normalise a structural line of an article body, or None when it is plain text."""
    if match := _PARAGRAPH_RE.match(text):
        number = int(match["num"])
        marker = f"§ {_ordinal_number(number, match['suf'])}" + ("" if number < 10 else ".")
        return f"{marker} {_clean_rest(match['rest'])}".rstrip()
    if match := _SOLE_PARAGRAPH_RE.match(text):
        return f"Parágrafo único. {_clean_rest(match['rest'])}".rstrip()
    if (match := _INCISO_RE.match(text)) and _is_roman(match["roman"]):
        return f"{match['roman']} – {match['rest'].strip()}".rstrip()
    if match := _ALINEA_RE.match(text):
        return f"{match['letter']}) {match['rest'].strip()}".rstrip()
    if match := _numbered(text):
        return f"{match['num']}. {match['rest'].strip()}".rstrip()
    if match := _BULLET_RE.match(text):
        return f"- {match['rest'].strip()}".rstrip()
    return None


def _is_structural(text: str) -> bool:
    """True when a line starts with any marker this grammar knows."""
    return bool(_article_match(text) or _ART_NO_NUMBER_RE.match(text) or _body_unit(text) is not None)


def _unwrap_emphasis(text: str) -> str:
    """Remove ``**``/``__`` around a leading marker ("**Art. 1º** Texto"), leaving other text alone."""
    if not text.startswith(("**", "__")):
        return text
    if match := _LEADING_EMPHASIS_RE.match(text):
        inner, rest = match["inner"].strip(), match["rest"].strip()
        if _is_structural(inner):
            return f"{inner} {rest}".rstrip()
        return text
    # Bold opened here and closed on a later line: still recognise the marker.
    inner = text[2:].lstrip()
    return inner if _is_structural(inner) else text


def _strip_comments(text: str) -> str:
    """Remove HTML comments, keeping their newlines so that line numbers stay true."""
    # A find() loop rather than a lazy regex: many unclosed "<!--" would make the regex quadratic.
    parts: list[str] = []
    position = 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break  # an unclosed comment stays visible as text, so the author notices it
        parts.append(text[position:start])
        parts.append("\n" * text.count("\n", start, end))
        position = end + 3
    parts.append(text[position:])
    return "".join(parts)


def _clean_title(raw: str) -> str:
    """Trim a heading: closing ``#``s and ``**``/``__`` markers are removed."""
    title = raw.strip()
    title = re.sub(r"(?:^|\s+)#+$", "", title).strip()
    return title.replace("**", "").replace("__", "").strip()


@dataclass
class _Line:
    """A source line after preprocessing."""

    number: int
    indent: int
    text: str  # stripped, as written
    key: str  # text with a bold leading marker unwrapped, used for classification
    heading: tuple[int, str] | None = None  # (level, raw title)

    @property
    def blank(self) -> bool:
        """True for an empty line (including comments, rules and front matter)."""
        return not self.text and self.heading is None


def _join_paragraph(texts: list[str]) -> str:
    """Join soft-wrapped lines with a space, keeping list-like lines on lines of their own."""
    out: list[str] = []
    for text in texts:
        if out and _body_unit(_unwrap_emphasis(text)) is None:
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return "\n".join(out)


def _paragraphs(lines: list[_Line]) -> list[tuple[int, list[str]]]:
    """Group lines into blank-line separated paragraphs: (first line number, texts)."""
    groups: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for line in lines:
        if line.blank:
            if current:
                groups.append((start, current))
            current = []
            continue
        if not current:
            start = line.number
        current.append(line.text)
    if current:
        groups.append((start, current))
    return groups


@dataclass
class _Builder:
    """An article being assembled: its units become the body lines."""

    kind: str
    number: str
    label: str
    line: int
    units: list[str]

    def add_plain(self, text: str, blank_before: bool) -> None:
        """Add a plain line: continuation after a soft break, new unit after a blank line."""
        if self.units and not self.units[-1]:
            self.units[-1] = text  # an "Art. 1º" line with the caput on the next line
        elif blank_before or not self.units:
            self.units.append(text)
        else:
            self.units[-1] = f"{self.units[-1]} {text}"

    def build(self) -> DraftArticle:
        """Freeze into a DraftArticle."""
        body = "\n".join(unit for unit in self.units if unit)
        return DraftArticle(kind=self.kind, number=self.number, label=self.label, body=body, line=self.line)


# --------------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------------


class _Parser:
    """Stateful single pass over the lines; counters run across the whole document."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.document = DraftDocument()
        self.last_article: int | None = None  # last un-suffixed article number seen
        self.last_recommendation: tuple[tuple[int, ...], str] | None = None
        self.bullet_count = 0
        self.paragraph_count = 0

    # -- problems -----------------------------------------------------------------------------------

    def error(self, line: int | None, message: str) -> None:
        """Record an error (prefixing the line number)."""
        prefix = f"Linha {line}: " if line is not None else ""
        self.document.errors.append(Problem(line, prefix + message))

    def warn(self, line: int | None, message: str) -> None:
        """Record a warning (prefixing the line number)."""
        prefix = f"Linha {line}: " if line is not None else ""
        self.document.warnings.append(Problem(line, prefix + message))

    # -- preprocessing ------------------------------------------------------------------------------

    def lines(self) -> list[_Line]:
        """Split into lines, blanking front matter, comments and horizontal rules."""
        raw = _strip_comments(self.text).split("\n")
        if raw and raw[0].strip() == "---":
            for end in range(1, len(raw)):
                if raw[end].strip() in ("---", "..."):
                    raw[: end + 1] = [""] * (end + 1)
                    break
        result: list[_Line] = []
        for number, source in enumerate(raw, start=1):
            expanded = source.expandtabs(4).rstrip()
            if _RULE_RE.match(expanded):
                expanded = ""
            stripped = expanded.lstrip()
            indent = len(expanded) - len(stripped)
            heading = None
            if match := _HEADING_RE.match(expanded):
                heading = (len(match["hashes"]), match["title"])
            result.append(_Line(number, indent, stripped, _unwrap_emphasis(stripped), heading))
        return result

    # -- structure ----------------------------------------------------------------------------------

    def parse(self) -> DraftDocument:
        """Run the parser and return the document."""
        lines = self.lines()
        has_headings = any(line.heading for line in lines)
        # In a document with articles or recommendations anywhere, plain paragraphs (a decree's preamble,
        # an annex's presentation) introduce their section; only a document made of prose alone is cut
        # into commentable paragraphs, as Decidim's participatory texts are.
        self.structured = any(
            _article_match(ln.key) or _numbered(ln.key) or _BULLET_RE.match(ln.key)
            for ln in lines if ln.heading is None and not ln.blank
        )
        stack: list[DraftSection] = []
        block: list[_Line] = []
        current: DraftSection | None = None
        for line in lines:
            if line.heading is None:
                block.append(line)
                continue
            self.flush(block, current, has_headings)
            block = []
            current = self.open_section(line, stack)
        self.flush(block, current, has_headings)
        if self.document.article_count == 0:
            self.error(None, NO_ARTICLES_MESSAGE)
        return self.document

    def open_section(self, line: _Line, stack: list[DraftSection]) -> DraftSection:
        """Create a section for a heading line and hang it under the closest shallower heading."""
        assert line.heading is not None
        level, raw_title = line.heading
        title = _clean_title(raw_title)
        depth = min(level, 3)
        if not title:
            self.error(line.number, f'título vazio: escreva o nome da seção depois de "{"#" * level}".')
        elif len(title) > MAX_TITLE_CHARS:
            self.error(
                line.number,
                f"o título tem {len(title)} caracteres; o limite é {MAX_TITLE_CHARS}. "
                "Encurte o título e coloque o restante no texto da seção.",
            )
        if level > 3:
            self.warn(
                line.number,
                f"títulos com mais de três níveis ({'#' * level}) não são aceitos; "
                f'"{title}" foi tratado como ###.',
            )
        section = DraftSection(title=title, depth=depth, line=line.number)
        while stack and stack[-1].depth >= depth:
            stack.pop()
        if stack:
            parent = stack[-1]
            if depth > parent.depth + 1:
                self.warn(
                    line.number,
                    f'nível de título pulado: "{title}" ({"#" * depth}) vem logo abaixo de '
                    f'"{parent.title}" ({"#" * parent.depth}); foi colocado dentro de "{parent.title}".',
                )
            parent.children.append(section)
        else:
            self.document.sections.append(section)
        stack.append(section)
        return section

    def flush(self, block: list[_Line], section: DraftSection | None, has_headings: bool) -> None:
        """Read the lines between two headings in the right mode and attach the result."""
        content = [line for line in block if not line.blank]
        if not content:
            return
        has_articles = any(_article_match(ln.key) or _ART_NO_NUMBER_RE.match(ln.key) for ln in content)
        articles: list[DraftArticle]
        if has_articles:
            intro, articles = self.article_block(block)
        elif section is None and has_headings:
            # Text before the first heading without articles: a presentation, not commentable.
            intro, articles = self.intro_text(block), []
        elif any(_numbered(ln.key) or _BULLET_RE.match(ln.key) for ln in content):
            intro, articles = self.recommendation_block(block)
        elif self.structured:
            intro, articles = self.intro_text(block), []
        else:
            intro, articles = "", self.paragraph_block(block)
        for article in articles:
            if len(article.body) > MAX_BODY_CHARS:
                self.error(
                    article.line,
                    f"o texto de {article.label} tem {_thousands(len(article.body))} caracteres; "
                    f"o limite é {_thousands(MAX_BODY_CHARS)}. Divida-o em partes menores.",
                )
        target = section if section is not None else self.document
        target.intro = "\n\n".join(part for part in (target.intro, intro) if part)
        target.articles.extend(articles)

    @staticmethod
    def intro_text(lines: list[_Line]) -> str:
        """Plain paragraphs joined by blank lines."""
        return "\n\n".join(_join_paragraph(texts) for _, texts in _paragraphs(lines))

    # -- mode 1: articles ---------------------------------------------------------------------------

    def article_block(self, lines: list[_Line]) -> tuple[str, list[DraftArticle]]:
        """Read a block containing "Art." lines: intro before the first one, then articles."""
        intro_lines: list[_Line] = []
        articles: list[DraftArticle] = []
        current: _Builder | None = None
        blank_before = False
        for line in lines:
            if line.blank:
                blank_before = True
                if current is None:
                    intro_lines.append(line)
                continue
            started = self.start_article(line)
            if started is not None:
                if current is not None:
                    articles.append(current.build())
                current = started
            elif current is None:
                intro_lines.append(line)
            elif (unit := _body_unit(line.key)) is not None:
                current.units.append(unit)
            else:
                current.add_plain(line.text, blank_before)
            blank_before = False
        if current is not None:
            articles.append(current.build())
        return self.intro_text(intro_lines), articles

    def start_article(self, line: _Line) -> _Builder | None:
        """Start an article for an "Art." line (checking the numbering), or return None."""
        match = _article_match(line.key)
        if match is None:
            if not _ART_NO_NUMBER_RE.match(line.key):
                return None
            self.error(line.number, 'artigo sem número: escreva, por exemplo, "Art. 1º".')
            rest = _clean_rest(line.key[4:])
            return _Builder("article", "", "Art.", line.number, [rest])
        value = int(match["num"])
        number = _ordinal_number(value, match["suf"])
        label = f"Art. {number}"
        if not match["suf"]:
            self.check_article_sequence(line.number, value)
        return _Builder("article", number, label, line.number, [_clean_rest(match["rest"])])

    def check_article_sequence(self, line: int, value: int) -> None:
        """Warn when an article number is not the previous one plus one."""
        expected = 1 if self.last_article is None else self.last_article + 1
        if value != expected:
            found = f"Art. {_ordinal_number(value, None)}"
            wanted = f"Art. {_ordinal_number(expected, None)}"
            if self.last_article is None:
                self.warn(line, f"o primeiro artigo é o {found} (esperado {wanted}).")
            elif value == self.last_article:
                self.warn(line, f"o {found} está repetido (esperado {wanted}).")
            else:
                previous = f"Art. {_ordinal_number(self.last_article, None)}"
                self.warn(line, f"o {found} veio depois do {previous} (esperado {wanted}).")
        self.last_article = value

    # -- mode 2: recommendations --------------------------------------------------------------------

    def recommendation_block(self, lines: list[_Line]) -> tuple[str, list[DraftArticle]]:
        """Read a block of list items: one recommendation per top-level item."""
        intro_lines: list[_Line] = []
        articles: list[DraftArticle] = []
        current: _Builder | None = None
        base_indent: int | None = None
        blank_before = False
        for line in lines:
            if line.blank:
                blank_before = True
                if current is None:
                    intro_lines.append(line)
                continue
            is_item = bool(_numbered(line.key) or _BULLET_RE.match(line.key))
            if is_item and base_indent is None:
                base_indent = line.indent
            if is_item and (current is None or line.indent < (base_indent or 0) + 2):
                if current is not None:
                    articles.append(current.build())
                current = self.start_recommendation(line)
            elif current is None:
                intro_lines.append(line)
            elif (unit := _body_unit(line.key)) is not None:
                current.units.append(unit)
            else:
                current.add_plain(line.text, blank_before)
            blank_before = False
        if current is not None:
            articles.append(current.build())
        return self.intro_text(intro_lines), articles

    def start_recommendation(self, line: _Line) -> _Builder:
        """Start a recommendation from a numbered or bulleted line."""
        match = _numbered(line.key)
        if match is None:
            bullet = _BULLET_RE.match(line.key)
            assert bullet is not None
            self.bullet_count += 1
            number = str(self.bullet_count)
            text = bullet["rest"].strip()
        else:
            number = match["num"]
            text = match["rest"].strip()
            self.check_recommendation_sequence(line.number, number)
        return _Builder("recommendation", number, f"Recomendação {number}", line.number, [text])

    def check_recommendation_sequence(self, line: int, number: str) -> None:
        """Warn when a numbered recommendation repeats or goes back."""
        key = tuple(int(part) for part in number.split("."))
        if self.last_recommendation is not None:
            last_key, last_number = self.last_recommendation
            if key == last_key:
                self.warn(line, f"a Recomendação {number} está repetida.")
            elif key < last_key:
                self.warn(
                    line,
                    f"a Recomendação {number} veio depois da Recomendação {last_number} "
                    "(a numeração voltou).",
                )
        self.last_recommendation = (key, number)

    # -- mode 3: paragraphs -------------------------------------------------------------------------

    def paragraph_block(self, lines: list[_Line]) -> list[DraftArticle]:
        """Turn each paragraph into a "Trecho N" article."""
        articles: list[DraftArticle] = []
        for start, texts in _paragraphs(lines):
            self.paragraph_count += 1
            number = str(self.paragraph_count)
            articles.append(DraftArticle("paragraph", number, f"Trecho {number}", " ".join(texts), start))
        return articles


def parse_draft(text: str) -> DraftDocument:
    """Parse the Markdown text of a draft into a DraftDocument (never raises on bad input)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return _Parser(_normalize(text)).parse()


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------

_LIST_CLASSES = {"inciso": "incisos", "alinea": "alineas", "item": "itens"}


@dataclass
class _Node:
    """A list entry (inciso, alínea or item) with the entries nested under it."""

    kind: str
    marker: str
    text: str
    children: list[_Node] = field(default_factory=list)


@dataclass
class _Block:
    """A top-level paragraph (caput, §, plain) followed by its lists."""

    html: str
    children: list[_Node] = field(default_factory=list)


def _classify(line: str) -> tuple[str, str, str]:
    """Split a body line into (kind, marker, text); kind is "plain" for unmarked text."""
    if match := _PARAGRAPH_RE.match(line):
        number = int(match["num"])
        marker = f"§ {_ordinal_number(number, match['suf'])}" + ("" if number < 10 else ".")
        return "paragrafo", marker, _clean_rest(match["rest"])
    if match := _SOLE_PARAGRAPH_RE.match(line):
        return "paragrafo", "Parágrafo único.", _clean_rest(match["rest"])
    if (match := _INCISO_RE.match(line)) and _is_roman(match["roman"]):
        return "inciso", f"{match['roman']} –", match["rest"].strip()
    if match := _ALINEA_RE.match(line):
        return "alinea", f"{match['letter']})", match["rest"].strip()
    if match := _numbered(line):
        return "item", f"{match['num']}.", match["rest"].strip()
    if match := _BULLET_RE.match(line):
        return "item", "•", match["rest"].strip()
    return "plain", "", line


def _render_nodes(nodes: list[_Node]) -> str:
    """Render entries as <ol> lists, one list per run of entries of the same kind."""
    out: list[str] = []
    previous = ""
    for node in nodes:
        if node.kind != previous:
            if previous:
                out.append("</ol>")
            out.append(f'<ol class="{_LIST_CLASSES[node.kind]}">')
            previous = node.kind
        text = f" {escape(node.text)}" if node.text else ""
        out.append(
            f'<li><span class="marker">{escape(node.marker)}</span>{text}{_render_nodes(node.children)}</li>'
        )
    if previous:
        out.append("</ol>")
    return "".join(out)


def render_article_body(body: str) -> str:
    """Render a structured body as safe HTML: caput, §, and nested incisos/alíneas/itens lists."""
    blocks: list[_Block] = []
    inciso: _Node | None = None
    alinea: _Node | None = None
    for index, line in enumerate(body.split("\n")):
        line = line.strip()
        if not line:
            continue
        kind, marker, text = _classify(line)
        if kind == "plain":
            css = ' class="caput"' if index == 0 else ""
            blocks.append(_Block(f"<p{css}>{escape(text)}</p>"))
            inciso = alinea = None
            continue
        if kind == "paragrafo":
            rest = f" {escape(text)}" if text else ""
            blocks.append(
                _Block(f'<p class="paragrafo"><span class="marker">{escape(marker)}</span>{rest}</p>')
            )
            inciso = alinea = None
            continue
        if not blocks:
            blocks.append(_Block(""))  # an article whose caput is empty starts directly with a list
        node = _Node(kind, marker, text)
        if kind == "inciso":
            blocks[-1].children.append(node)
            inciso, alinea = node, None
        elif kind == "alinea":
            (inciso.children if inciso else blocks[-1].children).append(node)
            alinea = node
        else:
            parent = alinea or inciso
            (parent.children if parent else blocks[-1].children).append(node)
    return "".join(block.html + _render_nodes(block.children) for block in blocks)
