"""The parser: from the readers' block stream to the document tree (sections → articles → parts).

It knows legal numbering and nothing of file formats. Rules (README, "Writing a draft", has the long form):

* Headings come from the reader (``#``, Word/ODF heading styles) or are gazette lines: ``TÍTULO``,
  ``CAPÍTULO``, ``Seção``, ``Subseção`` with their number, the title on the same line after a dash or on
  the next line; ``ANEXO`` is always a top-level heading. Up to three levels.
* Between two headings, a block with ``Art.`` lines holds articles (text before the first is the
  section's preamble); one with list items holds recommendations, one per top-level item, and its prose
  paragraphs after a list are "Trechos"; one with prose only gives "Trechos", except under a heading with
  sub-headings, where it presents them (intro). Before the first heading, prose is the document's intro.
* Inside an article: caput, ``§``, incisos, alíneas, items, one unit per line; hard-wrapped lines are
  joined unless the line starts a new provision in sequence (a marker out of sequence after an
  unfinished sentence is joined, with a warning); a quotation opened by ``"`` and closed by ``"`` or
  ``(NR)`` is kept whole inside its article; note lines (``(Revogado)``, ``(Redação dada …)``) stay
  with the provision above; a place-and-date line ends the articles: it and what follows (signatures)
  are the act's closing.
* Numbering checks: articles across the document; §, incisos, alíneas and items inside each article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from consulta.drafts import grammar as g
from consulta.drafts.model import Block, DraftArticle, DraftDocument, DraftSection, Source
from consulta.drafts.sequence import Sequence, part_name

MAX_TITLE_CHARS = 300
MAX_BODY_CHARS = 20_000

NO_ARTICLES_MESSAGE = (
    'Nenhum artigo encontrado: o texto precisa de ao menos um artigo ("Art. 1º"), '
    "uma recomendação numerada ou um parágrafo sob um título."
)
_KIND_NAMES = {"paragrafo": "§", "inciso": "inciso", "alinea": "alínea", "item": "item"}


@dataclass
class _Line:
    """A block with the key used for classification (a bold leading marker unwrapped)."""

    number: int
    indent: int
    text: str
    key: str
    heading: tuple[int, str] | None = None  # (level, raw title)

    @property
    def blank(self) -> bool:
        return not self.text and self.heading is None


def _clean_title(raw: str) -> str:
    """Trim a heading: closing ``#``s and ``**``/``__`` markers are removed."""
    title = raw.strip()
    title = re.sub(r"(?:^|\s+)#+$", "", title).strip()
    return title.replace("**", "").replace("__", "").strip()


def _join_paragraph(texts: list[str]) -> str:
    """Join soft-wrapped lines with a space, keeping list-like lines on lines of their own."""
    out: list[str] = []
    for text in texts:
        if out and g.body_unit(g.unwrap_emphasis(text)) is None and not g.TABLE_RE.match(text):
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
    sequence: Sequence = field(default_factory=Sequence)

    def add_plain(self, text: str, blank_before: bool) -> None:
        """Add a plain line: continuation after a soft break, new unit after a blank line."""
        if self.units and not self.units[-1]:
            self.units[-1] = text  # an "Art. 1º" line with the caput on the next line
        elif blank_before or not self.units:
            self.units.append(text)
        else:
            self.units[-1] = f"{self.units[-1]} {text}"

    def append(self, text: str) -> None:
        """Append text to the last unit (a note, a joined wrapped line)."""
        if self.units:
            self.units[-1] = f"{self.units[-1]} {text}".strip()
        else:
            self.units.append(text)

    def build(self) -> DraftArticle:
        """Freeze into a DraftArticle."""
        body = "\n".join(unit for unit in self.units if unit)
        return DraftArticle(kind=self.kind, number=self.number, label=self.label, body=body, line=self.line)


class Parser:
    """Stateful single pass over the blocks; counters run across the whole document."""

    def __init__(self, source: Source) -> None:
        self.document = DraftDocument(location=source.location)
        self.document.warnings.extend(source.warnings)
        self.blocks = source.blocks
        self.last_article: int | None = None  # last un-suffixed article number seen
        self.last_recommendation: tuple[tuple[int, ...], str] | None = None
        self.next_bullet = 1
        self.labels: set[str] = set()
        self.pending_prose: list[tuple[DraftSection | None, list[_Line]]] = []
        self.closing: list[str] = []
        self.loose_warned = False

    def error(self, line: int | None, message: str) -> None:
        self.document.error(line, message)

    def warn(self, line: int | None, message: str) -> None:
        self.document.warn(line, message)

    # -- preprocessing ------------------------------------------------------------------------------

    def lines(self) -> list[_Line]:
        """The blocks as lines, with gazette heading lines turned into headings."""
        lines = [
            _Line(b.number, b.indent, b.text, g.unwrap_emphasis(b.text),
                  (b.heading, b.text) if b.heading is not None else None)
            for b in self.blocks
        ]
        found: list[tuple[int, str, str]] = []  # (index, kind, title)
        for index, line in enumerate(lines):
            if line.heading is not None or line.blank:
                continue
            match = g.GAZETTE_RE.match(line.key.replace("**", "").strip())
            if match is None:
                continue
            kind = g.gazette_kind(match["kind"])
            if kind != "anexo" and not match["num"]:
                continue
            head = line.key.replace("**", "").strip()
            if not match["title"]:
                following = next((i for i in range(index + 1, len(lines)) if not lines[i].blank), None)
                if following is not None and self._title_line(lines[following]):
                    head = f"{head} – {lines[following].text.replace('**', '').strip()}"
                    lines[following] = _Line(lines[following].number, 0, "", "")
            found.append((index, kind, head))
        present = [kind for kind in g.GAZETTE_KINDS[1:] if any(k == kind for _, k, _ in found)]
        for index, kind, title in found:
            level = 1 if kind == "anexo" else present.index(kind) + 1
            line = lines[index]
            if level > 3:
                self.warn(line.number, f'o texto tem mais de três níveis de títulos; "{title}" foi posto no terceiro.')
                level = 3
            lines[index] = _Line(line.number, 0, title, title, (level, title))
        return lines

    @staticmethod
    def _title_line(line: _Line) -> bool:
        """Whether the line after "CAPÍTULO II" is that chapter's title."""
        key = line.key
        return (
            line.heading is None and len(key) <= MAX_TITLE_CHARS and not g.is_structural(key)
            and not g.GAZETTE_RE.match(key) and not g.CLOSING_RE.match(key)
        )

    # -- structure ----------------------------------------------------------------------------------

    def parse(self) -> DraftDocument:
        """Run the parser and return the document."""
        lines = self.lines()
        has_headings = any(line.heading for line in lines)
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
        self.settle_prose()
        self.document.closing = "\n".join(self.closing)
        # In the order of the text, whichever step found them (problems of the whole file first).
        self.document.warnings.sort(key=lambda problem: problem.line or 0)
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
        has_articles = any(g.ART_RE.match(ln.key) or g.ART_NO_NUMBER_RE.match(ln.key) for ln in content)
        articles: list[DraftArticle]
        if has_articles:
            intro, articles = self.article_block(block)
        elif section is None and has_headings:
            # Text before the first heading without articles: a presentation, not commentable.
            intro, articles = self.intro_text(block), []
        elif any(g.numbered(ln.key) or g.BULLET_RE.match(ln.key) for ln in content):
            intro, articles = self.recommendation_block(block)
        else:
            self.pending_prose.append((section, block))
            return
        self.attach(section, intro, articles)

    def attach(self, section: DraftSection | None, intro: str, articles: list[DraftArticle]) -> None:
        """Check the articles' size and hang them and the intro on their section (or the document)."""
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

    def settle_prose(self) -> None:
        """Prose-only blocks: a presentation under a heading with sub-headings, else commentable Trechos."""
        for section, block in self.pending_prose:
            if section is not None and section.children:
                self.attach(section, self.intro_text(block), [])
            else:
                self.attach(section, "", self.paragraph_block(block))
        count = 0
        for _, article in self.document.iter_articles():
            if article.kind == "paragraph":
                count += 1
                article.number, article.label = str(count), f"Trecho {count}"

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
        in_quote = False
        in_closing = False
        previous = ""
        for line in lines:
            if line.blank:
                blank_before = True
                if current is None:
                    intro_lines.append(line)
                continue
            if in_closing:
                self.closing.append(line.text)
                continue
            if current is not None and in_quote:
                current.units.append(f"> {line.text}")
                in_quote = not _closes_quote(line.key)
            elif current is not None and g.CLOSING_RE.match(line.key):
                in_closing = True
                self.closing.append(line.text)
                continue
            elif current is not None and line.key.startswith(('"', "“")):
                current.units.append(f"> {line.text}")
                in_quote = not _closes_quote(line.key[1:])
            elif current is not None and g.ONLY_NOTE_RE.match(line.key):
                current.append(line.text)
            elif (started := self.start_article(line, current, blank_before, previous)) is not None:
                if current is not None:
                    articles.append(self.finish(current))
                current = started
            elif current is None:
                intro_lines.append(line)
            else:
                self.add_body_line(current, line, blank_before, previous)
            blank_before = False
            previous = line.key
        if in_quote:
            self.warn(current.line if current else None, "uma citação aberta com aspas não foi fechada.")
        if current is not None:
            articles.append(self.finish(current))
        return self.intro_text(intro_lines), articles

    def add_body_line(self, current: _Builder, line: _Line, blank_before: bool, previous: str) -> None:
        """A line inside an article: a new part (checked against the sequence) or more of the last one."""
        kind, marker, rest = g.classify(line.key)
        if kind == "table":
            current.units.append(line.text)  # a table row is a line of its own, never joined
            return
        if kind == "plain":
            current.add_plain(line.text, blank_before)
            return
        value = current.sequence.value(kind, marker) if kind in _KIND_NAMES else None
        expected = current.sequence.expected(kind) if kind in _KIND_NAMES else None
        wrapped = not blank_before and previous and not g.ENDS_SENTENCE_RE.search(previous)
        if wrapped and value is not None and value != expected:
            self.warn(
                line.number,
                f'"{line.key[:30]}" não segue a numeração e a linha anterior não termina a frase: '
                "a linha foi juntada ao texto anterior.",
            )
            current.append(line.text)
            return
        if g.loose_marker(line.key) and not self.loose_warned:
            self.loose_warned = True
            self.warn(
                line.number,
                f'"{line.key[:12].strip()}" foi lido como {_KIND_NAMES[kind]}; '
                'a forma da norma é "I –" para incisos e "a)" para alíneas.',
            )
        if value is not None:
            self.check_part(current, kind, value, line.number)
        elif kind == "paragrafo" and current.sequence.paragraph is not None:
            self.warn(line.number, f"{current.label} tem parágrafo único e também outros parágrafos.")
        current.sequence.advance(kind, marker)
        current.units.append(f"{marker} {rest}".rstrip() if kind != "bullet" else f"- {rest}".rstrip())

    def check_part(self, current: _Builder, kind: str, value: int, line: int) -> None:
        """Warn when a §, inciso, alínea or item repeats or skips a number."""
        expected = current.sequence.expected(kind)
        if kind == "paragrafo" and current.sequence.paragraph == "unico":
            self.warn(line, f"{current.label} tem parágrafo único e também outros parágrafos.")
            return
        if value == expected:
            return
        where = f" em {current.label}"
        found, wanted = part_name(kind, value), part_name(kind, expected)
        if value == expected - 1:
            self.warn(line, f"{found} está repetido{where} (esperado {wanted}).")
        elif expected == 1:
            self.warn(line, f"{found} é o primeiro{where} (esperado {wanted}).")
        else:
            self.warn(line, f"{found} veio depois de {part_name(kind, expected - 1)}{where} (esperado {wanted}).")

    def start_article(
        self, line: _Line, current: _Builder | None, blank_before: bool, previous: str
    ) -> _Builder | None:
        """Start an article for an "Art." line (checking the numbering), or return None."""
        match = g.ART_RE.match(line.key)
        if match is None:
            if not g.ART_NO_NUMBER_RE.match(line.key):
                return None
            self.error(line.number, 'artigo sem número: escreva, por exemplo, "Art. 1º".')
            rest = g.clean_rest(line.key[4:])
            return _Builder("article", "", "Art.", line.number, [rest])
        value = int(match["num"])
        rest = g.clean_rest(match["rest"])
        if current is not None and not blank_before and self.is_wrapped(value, match["suf"], rest, previous):
            return None
        number = g.ordinal_number(value, match["suf"])
        if not match["suf"]:
            self.check_article_sequence(line.number, value)
        return _Builder("article", number, f"Art. {number}", line.number, [rest])

    def is_wrapped(self, value: int, suffix: str | None, rest: str, previous: str) -> bool:
        """An "Art. 5º desta Lei" line inside a sentence: a citation broken onto a new line, not an article."""
        if rest[:1].islower():
            return True
        expected = 1 if self.last_article is None else self.last_article + 1
        return not suffix and value != expected and bool(previous) and not g.ENDS_SENTENCE_RE.search(previous)

    def check_article_sequence(self, line: int, value: int) -> None:
        """Warn when an article number is not the previous one plus one."""
        expected = 1 if self.last_article is None else self.last_article + 1
        if value != expected:
            found = f"Art. {g.ordinal_number(value, None)}"
            wanted = f"Art. {g.ordinal_number(expected, None)}"
            if self.last_article is None:
                self.warn(line, f"o primeiro artigo é o {found} (esperado {wanted}).")
            elif value == self.last_article:
                self.warn(line, f"o {found} está repetido (esperado {wanted}).")
            else:
                previous = f"Art. {g.ordinal_number(self.last_article, None)}"
                self.warn(line, f"o {found} veio depois do {previous} (esperado {wanted}).")
        self.last_article = value

    def finish(self, builder: _Builder) -> DraftArticle:
        """Build an article, giving a repeated recommendation label a unique one (with a warning)."""
        article = builder.build()
        if article.kind == "recommendation" and article.label in self.labels:
            count = 2
            while f"{article.label} ({count})" in self.labels:
                count += 1
            unique = f"{article.label} ({count})"
            self.warn(article.line, f'a {article.label} está repetida; foi chamada de "{unique}".')
            article.label = unique
        self.labels.add(article.label)
        return article

    # -- mode 2: recommendations --------------------------------------------------------------------

    def recommendation_block(self, lines: list[_Line]) -> tuple[str, list[DraftArticle]]:
        """Read a block of list items: one recommendation per top-level item; prose after a list is a Trecho."""
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
            is_item = bool(g.numbered(line.key) or g.BULLET_RE.match(line.key))
            if is_item and base_indent is None:
                base_indent = line.indent
            top_level = line.indent < (base_indent or 0) + 2
            if is_item and (current is None or top_level):
                if current is not None:
                    articles.append(self.finish(current))
                current = self.start_recommendation(line)
            elif current is None:
                intro_lines.append(line)
            elif blank_before and top_level:
                # Prose after a list, not indented under its last item: a paragraph of its own.
                articles.append(self.finish(current))
                current = _Builder("paragraph", "", "Trecho", line.number, [line.text])
            elif current.kind == "recommendation" and (unit := g.body_unit(line.key)) is not None:
                current.units.append(unit)
            else:
                current.add_plain(line.text, blank_before and current.kind == "recommendation")
            blank_before = False
        if current is not None:
            articles.append(self.finish(current))
        return self.intro_text(intro_lines), articles

    def start_recommendation(self, line: _Line) -> _Builder:
        """Start a recommendation from a numbered or bulleted line."""
        match = g.numbered(line.key)
        if match is None:
            bullet = g.BULLET_RE.match(line.key)
            assert bullet is not None
            number = str(self.next_bullet)
            self.next_bullet += 1
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
            if key < last_key:
                self.warn(
                    line,
                    f"a Recomendação {number} veio depois da Recomendação {last_number} "
                    "(a numeração voltou).",
                )
        self.last_recommendation = (key, number)

    # -- mode 3: paragraphs -------------------------------------------------------------------------

    @staticmethod
    def paragraph_block(lines: list[_Line]) -> list[DraftArticle]:
        """Turn each paragraph into a Trecho (numbered across the document at the end)."""
        return [
            DraftArticle("paragraph", "", "Trecho", _join_paragraph(texts)
                         if any(g.TABLE_RE.match(t) or g.QUOTE_RE.match(t) for t in texts) else " ".join(texts), start)
            for start, texts in _paragraphs(lines)
        ]


def _closes_quote(text: str) -> bool:
    """True when a quoted line ends the quotation: a closing quote mark, or "(NR)"/"(AC)" after it."""
    stripped = text.rstrip(" .;")
    return stripped.endswith(("(NR)", "(AC)", '"', "”"))


def _thousands(value: int) -> str:
    """Format an integer with the Portuguese thousands separator ("20.000")."""
    return f"{value:,}".replace(",", ".")


def parse_blocks(blocks: list[Block] | Source) -> DraftDocument:
    """Parse a reader's blocks into a DraftDocument (never raises on bad input)."""
    source = blocks if isinstance(blocks, Source) else Source(list(blocks))
    return Parser(source).parse()
