"""What the draft importer produces: the block stream the readers yield and the document tree the parser builds.

Also the one place where problems (errors and warnings) are recorded, each with the line or paragraph it
refers to, so that every reader and the parser report them the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Problem:
    """One error or warning found while importing, in Portuguese."""

    line: int | None  # 1-based source line (or paragraph of a word-processor file), None when not line-specific
    message: str


@dataclass
class Block:
    """One line of text as a reader saw it: Markdown line, DOCX/ODT paragraph or table row."""

    number: int  # 1-based line (text) or paragraph (DOCX/ODT) number, for messages
    text: str  # stripped text; inline emphasis written as Markdown (**bold**, *italic*)
    indent: int = 0
    heading: int | None = None  # heading level (1 = top) when the source marked it as a heading

    @property
    def blank(self) -> bool:
        """True for an empty line (including comments, rules and front matter)."""
        return not self.text and self.heading is None


@dataclass
class Source:
    """A reader's output: the blocks, the word for a location ("Linha", "Parágrafo") and reading problems."""

    blocks: list[Block]
    location: str = "Linha"
    warnings: list[Problem] = field(default_factory=list)


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
    """The parsed draft: top-level articles and sections, the act's closing, plus the problems found."""

    sections: list[DraftSection] = field(default_factory=list)
    articles: list[DraftArticle] = field(default_factory=list)
    intro: str = ""
    closing: str = ""  # place and date, signatures: the act's closing, not article text
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    location: str = "Linha"

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings do not block the import)."""
        return not self.errors

    def error(self, line: int | None, message: str) -> None:
        """Record an error, prefixed with its line or paragraph number."""
        self.errors.append(self._problem(line, message))

    def warn(self, line: int | None, message: str) -> None:
        """Record a warning, prefixed with its line or paragraph number."""
        self.warnings.append(self._problem(line, message))

    def _problem(self, line: int | None, message: str) -> Problem:
        prefix = f"{self.location} {line}: " if line is not None else ""
        return Problem(line, prefix + message)

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
