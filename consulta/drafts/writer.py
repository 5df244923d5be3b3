"""Write a document tree back as Markdown that the parser reads into the same tree."""

from __future__ import annotations

from consulta.drafts.model import DraftArticle, DraftDocument, DraftSection


def _article(article: DraftArticle) -> str:
    if article.kind == "article":
        return f"{article.label} {article.body}"
    if article.kind == "recommendation":
        return f"{article.number}. {article.body}"
    return article.body


def _section(section: DraftSection, out: list[str]) -> None:
    out.append(f"{'#' * section.depth} {section.title}")
    if section.intro:
        out.append(section.intro)
    out.extend(_article(article) for article in section.articles)
    for child in section.children:
        _section(child, out)


def to_markdown(document: DraftDocument) -> str:
    """The document as Markdown: headings, intros, one article per paragraph, the closing last."""
    out: list[str] = []
    if document.intro:
        out.append(document.intro)
    out.extend(_article(article) for article in document.articles)
    for section in document.sections:
        _section(section, out)
    if document.closing:
        out.append(document.closing)
    return "\n\n".join(out) + "\n"
