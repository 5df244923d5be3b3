"""Snippets of a result with the searched words marked, as plain-text segments the template escapes.

Nothing here produces HTML: a snippet is a list of (text, is_match) pairs, and the template wraps the
matches in <mark> while Jinja escapes every segment, so user text can never become markup.
Matching ignores case and accents, and accepts a shared stem ("informações" marks "informação"), as the
PostgreSQL search does; on SQLite it may mark a few more words than matched, never fewer.
"""

from __future__ import annotations

import re
import unicodedata

Segment = tuple[str, bool]

WINDOW = 280  # characters of text around the first match
BEFORE = 80  # of which before it


def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKD", ch)[:1].lower()[:1]
    return folded or ch


# Latin letters (ASCII capitals, Latin-1, Latin Extended-A and B) folded once; other characters stay as they are.
_FOLDED = {code: _fold_char(chr(code)) for code in range(0x41, 0x250)}


def fold(text: str) -> str:
    """`text` lowercased and without accents, one character for each character (positions are kept)."""
    return text.translate(_FOLDED)


def _stem(term: str) -> str:
    """A prefix long enough to stand for the word's family ("informacoes" -> "informac")."""
    return term if len(term) < 5 else term[: max(4, len(term) - 3)]


def _matcher(terms: list[str]) -> re.Pattern | None:
    """A pattern for the whole words (\\w+ runs) of folded text that are a folded term or start with its stem."""
    alternatives = sorted({re.escape(_stem(t)) + r"\w*" if len(_stem(t)) >= 4 else re.escape(t)
                           for t in map(fold, terms) if t}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)") if alternatives else None


def segments(text: str, terms: list[str], *, window: int = WINDOW) -> tuple[list[Segment], bool]:
    """A window of `text` around the first match of `terms`, as segments; and whether anything matched."""
    text = text or ""
    matcher = _matcher(terms)
    spans = [m.span() for m in matcher.finditer(fold(text))] if matcher else []
    start = 0
    if spans and len(text) > window:
        start = max(0, spans[0][0] - BEFORE)
        if start:
            space = text.rfind(" ", 0, start + 1)
            start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + window)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + window // 2 else end
    result: list[Segment] = []
    if start > 0:
        result.append(("… ", False))
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        if span_start > position:
            result.append((text[position:span_start], False))
        result.append((text[max(span_start, position):span_end], True))
        position = span_end
    if position < end:
        result.append((text[position:end], False))
    if end < len(text):
        result.append((" …", False))
    return result, bool(spans)
