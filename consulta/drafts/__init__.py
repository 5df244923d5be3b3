"""Draft import: readers (Markdown/plain text, DOCX, ODT) → one block stream → one parser → the document tree.

The web layer calls :func:`parse_upload` on uploaded bytes or :func:`parse_pasted` on pasted text, shows
``errors``/``warnings`` to the administrator and, when ``ok``, stores the tree. :func:`render_article_body`
and :func:`article_parts` give an article's HTML and its parts (caput, §, inciso, alínea, item).
"""

from flask_babel import gettext as _

from consulta.drafts.decoding import MAX_BYTES, decode, decode_with_fallback, too_large
from consulta.drafts.model import Block, DraftArticle, DraftDocument, DraftSection, Problem, Source
from consulta.drafts.parser import MAX_BODY_CHARS, MAX_TITLE_CHARS, NO_ARTICLES_MESSAGE, parse_blocks
from consulta.drafts.readers import container_kind, read_docx, read_markdown, read_odt
from consulta.drafts.render import Part, article_parts, part_source, render_article_body
from consulta.drafts.writer import to_markdown

__all__ = [
    "MAX_BODY_CHARS", "MAX_BYTES", "MAX_TITLE_CHARS", "NO_ARTICLES_MESSAGE", "Block", "DraftArticle",
    "DraftDocument", "DraftSection", "Part", "Problem", "Source", "article_parts", "decode",
    "decode_with_fallback", "parse_blocks", "parse_draft", "parse_pasted", "parse_upload", "part_source", "read_source", "render_article_body", "source_text", "to_markdown",
]


def parse_draft(text: str) -> DraftDocument:
    """Parse Markdown or plain (gazette) text into a DraftDocument (never raises on bad input)."""
    return parse_blocks(read_markdown(text))


def parse_pasted(text: str) -> DraftDocument:
    """Parse text pasted into the form, refusing more than the 2 MB limit with the importer's message."""
    if problem := too_large(len(text.encode("utf-8")), _("O texto colado")):
        return DraftDocument(errors=[problem])
    return parse_draft(text)


def read_source(data: bytes) -> tuple[Source | None, list[Problem]]:
    """The blocks of an uploaded file, whatever its format; (None, errors) when it cannot be read."""
    if problem := too_large(len(data)):
        return None, [problem]
    kind = container_kind(data)
    if kind is not None:
        source = read_docx(data) if kind == "docx" else read_odt(data)
        if not source.blocks and source.warnings:
            return None, source.warnings
        return source, []
    text, problems = decode(data)
    if text is None:
        return None, problems
    source = read_markdown(text)
    source.warnings[:0] = problems
    return source, []


def source_text(source: Source) -> str:
    """A reader's blocks written back as Markdown lines (headings with `#`), so a preview can be confirmed."""
    lines = []
    for block in source.blocks:
        if block.heading is not None:
            lines.append(f"{'#' * block.heading} {block.text}")
        else:
            lines.append(" " * block.indent + block.text)
    return "\n".join(lines)


def parse_upload(data: bytes) -> DraftDocument:
    """Read and parse an uploaded file (Markdown, text, DOCX or ODT); reading errors land in ``errors``."""
    source, errors = read_source(data)
    if source is None:
        return DraftDocument(errors=errors)
    return parse_blocks(source)
