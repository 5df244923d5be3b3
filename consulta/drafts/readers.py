"""Readers: one per file format, each turning a document into the same stream of blocks.

Every DOCX/ODT paragraph is followed by a blank block, since a paragraph there is what a blank line
closes in Markdown (consecutive table rows stay together).

A reader knows the format (Markdown headings, Word styles and numbering, ODF outline levels) and nothing
of legal numbering: it reports headings the source marked as headings, list numbers as the source shows
them ("I –", "a)", "1.") and emphasis as Markdown (``**bold**``, ``*italic*``), so the parser reads every
format with the same grammar. Tables become Markdown table rows and footnotes are kept as text in
brackets where they are cited. Plain text pasted from the legislation site is read as Markdown.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.dom import Node

from flask_babel import gettext as _

from consulta.drafts.decoding import normalize
from consulta.drafts.model import Block, Problem, Source
from consulta.drafts.numerals import letter, roman

_HEADING_RE = re.compile(r"^ {0,3}(?P<hashes>#+)(?P<title>(?:\s.*)?)$")
_RULE_RE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SPACES_RE = re.compile(r"\s+")

def broken_file(kind: str) -> str:
    """Why a word-processor file could not be read."""
    return _("O arquivo %(kind)s não pôde ser lido (está corrompido ou protegido por senha). Salve-o de novo e envie.",
             kind=kind)


def container_kind(data: bytes) -> str | None:
    """"docx", "odt" or None: which word-processor file a ZIP upload is."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                return "odt"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


# --------------------------------------------------------------------------------------------------
# Markdown and plain text
# --------------------------------------------------------------------------------------------------


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


def read_markdown(text: str) -> Source:
    """One block per line, blanking front matter, comments and horizontal rules; `#` headings marked."""
    if text.startswith("\ufeff"):
        text = text[1:]
    raw = _strip_comments(normalize(text)).split("\n")
    if raw and raw[0].strip() == "---":
        for end in range(1, len(raw)):
            if raw[end].strip() in ("---", "..."):
                raw[: end + 1] = [""] * (end + 1)
                break
    blocks: list[Block] = []
    for number, source in enumerate(raw, start=1):
        expanded = source.expandtabs(4).rstrip()
        if _RULE_RE.match(expanded):
            expanded = ""
        stripped = expanded.lstrip()
        heading = None
        if match := _HEADING_RE.match(expanded):
            heading, stripped = len(match["hashes"]), match["title"]
        blocks.append(Block(number, stripped, len(expanded) - len(expanded.lstrip()), heading))
    return Source(blocks)


def _emphasis(text: str, bold: bool, italic: bool) -> str:
    """Wrap `text` in Markdown emphasis, keeping surrounding spaces outside the markers."""
    core = text.strip()
    if not core or not (bold or italic):
        return text
    mark = ("**" if bold else "") + ("*" if italic else "")
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}{mark}{core}{mark[::-1]}{trail}"


def _join_runs(runs: list[tuple[str, bool, bool]]) -> str:
    """Merge runs of equal formatting, then write them with Markdown emphasis."""
    merged: list[list] = []
    for text, bold, italic in runs:
        if merged and merged[-1][1:] == [bold, italic]:
            merged[-1][0] += text
        else:
            merged.append([text, bold, italic])
    return _SPACES_RE.sub(" ", "".join(_emphasis(t, b, i) for t, b, i in merged)).strip()


# --------------------------------------------------------------------------------------------------
# DOCX (python-docx)
# --------------------------------------------------------------------------------------------------

def format_number(value: int, fmt: str) -> str:
    """A list counter as Word and LibreOffice show it for a numbering format."""
    if fmt in ("upperRoman", "I"):
        return roman(value)
    if fmt in ("lowerRoman", "i"):
        return roman(value).lower()
    if fmt in ("upperLetter", "A"):
        return letter(value).upper()
    if fmt in ("lowerLetter", "a"):
        return letter(value)
    if fmt == "ordinal":
        return f"{value}º"
    if fmt in ("none", ""):
        return ""
    return str(value)


def read_docx(data: bytes) -> Source:
    """Paragraphs and table rows of a Word document in order; heading styles and list numbers kept."""
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:  # the sandbox's memory limit: not a damaged file
        raise
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a damaged package
        return Source([], "Parágrafo", [Problem(None, broken_file(_("do Word")))])
    levels, num_to_abstract = _docx_numbering(document, qn)
    footnotes = _docx_footnotes(document, qn)
    counters: dict[str, list[int]] = {}
    blocks: list[Block] = []
    number = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            number += 1
            text = _join_runs(list(_docx_runs(child, document.part, footnotes, qn)))
            level = _docx_heading_level(child, document, qn)
            marker, ilvl = _docx_marker(child, document, levels, num_to_abstract, counters, qn)
            if marker and text:
                text = f"{marker} {text}"
            blocks.append(Block(number, text, ilvl * 4, level))
            blocks.append(Block(number, ""))  # a paragraph ends here, as a blank line ends one in Markdown
        elif child.tag == qn("w:tbl"):
            first_row = True
            for row in child.iter(qn("w:tr")):
                number += 1
                cells = []
                for cell in row.iter(qn("w:tc")):
                    parts = [_join_runs(list(_docx_runs(p, document.part, footnotes, qn))) for p in cell.iter(qn("w:p"))]
                    cells.append(" ".join(p for p in parts if p).replace("|", "/"))
                blocks.append(Block(number, "| " + " | ".join(cells) + " |"))
                if first_row:
                    blocks.append(Block(number, "|" + " --- |" * len(cells)))  # the first row is the header
                    first_row = False
            blocks.append(Block(number, ""))
    return Source(blocks, "Parágrafo")


def _docx_runs(element, part, footnotes: dict[str, str], qn):
    """(text, bold, italic) for each run of a paragraph, following hyperlinks and tracked insertions."""
    for node in element.iterchildren():
        tag = node.tag
        if tag == qn("w:r"):
            yield from _docx_run(node, footnotes, qn)
        elif tag == qn("w:hyperlink"):
            inner = _join_runs(list(_docx_runs(node, part, footnotes, qn)))
            rid = node.get(qn("r:id"))
            target = part.rels[rid].target_ref if rid and rid in part.rels else ""
            if target.startswith(("http://", "https://")) and inner:
                yield f"[{inner}]({target})", False, False
            else:
                yield inner, False, False
        elif tag in (qn("w:ins"), qn("w:smartTag"), qn("w:fldSimple"), qn("w:sdt"), qn("w:sdtContent")):
            yield from _docx_runs(node, part, footnotes, qn)


def _docx_run(run, footnotes: dict[str, str], qn):
    properties = run.find(qn("w:rPr"))

    def flag(name: str) -> bool:
        if properties is None or (el := properties.find(qn(name))) is None:
            return False
        return el.get(qn("w:val"), "true") not in ("0", "false", "none")

    bold, italic = flag("w:b"), flag("w:i")
    for node in run.iterchildren():
        if node.tag == qn("w:t"):
            yield node.text or "", bold, italic
        elif node.tag in (qn("w:tab"), qn("w:br"), qn("w:cr")):
            yield " ", bold, italic
        elif node.tag == qn("w:footnoteReference"):
            note = footnotes.get(node.get(qn("w:id")) or "", "")
            if note:
                yield f" [nota: {note}]", False, False


def _docx_footnotes(document, qn) -> dict[str, str]:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            from lxml import etree

            root = etree.fromstring(rel.target_part.blob)
            notes = {}
            for note in root.iter(qn("w:footnote")):
                text = " ".join(t.text or "" for t in note.iter(qn("w:t")))
                notes[note.get(qn("w:id"))] = _SPACES_RE.sub(" ", text).strip()
            return notes
    return {}


def _docx_heading_level(paragraph, document, qn) -> int | None:
    style_id = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    if style_id is None:
        return None
    try:
        name = document.styles.get_by_id(style_id.get(qn("w:val")), 1).name or ""
    except (KeyError, ValueError):
        return None
    lowered = name.lower()
    if lowered in ("title", "título"):
        return 1
    if match := re.fullmatch(r"(?:heading|título|titulo)\s*(\d)", lowered):
        return int(match[1])
    return None


def _docx_numbering(document, qn) -> tuple[dict[tuple[str, int], tuple[str, str, int]], dict[str, str]]:
    """Levels of each abstract numbering: (abstractId, ilvl) -> (format, level text, start); numId -> abstractId."""
    try:
        root = document.part.numbering_part.element
    except (NotImplementedError, KeyError, AttributeError):
        return {}, {}
    levels: dict[tuple[str, int], tuple[str, str, int]] = {}
    for abstract in root.iter(qn("w:abstractNum")):
        abstract_id = abstract.get(qn("w:abstractNumId"))
        for lvl in abstract.iter(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            text = lvl.find(qn("w:lvlText"))
            start = lvl.find(qn("w:start"))
            levels[(abstract_id, int(lvl.get(qn("w:ilvl"), "0")))] = (
                fmt.get(qn("w:val")) if fmt is not None else "decimal",
                text.get(qn("w:val")) if text is not None else "",
                int(start.get(qn("w:val"))) if start is not None else 1,
            )
    nums = {}
    for num in root.iter(qn("w:num")):
        abstract = num.find(qn("w:abstractNumId"))
        if abstract is not None:
            nums[num.get(qn("w:numId"))] = abstract.get(qn("w:val"))
    return levels, nums


def _docx_marker(paragraph, document, levels, nums, counters, qn) -> tuple[str, int]:
    """The list marker Word shows before this paragraph ("1.", "I –", "a)", "-"), and its level."""
    num_pr = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if num_pr is None:
        style_id = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style_id is not None:
            try:
                style = document.styles.get_by_id(style_id.get(qn("w:val")), 1)
                num_pr = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            except (KeyError, ValueError):
                num_pr = None
    if num_pr is None:
        return "", 0
    num_id_el, ilvl_el = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
    num_id = num_id_el.get(qn("w:val")) if num_id_el is not None else None
    ilvl = int(ilvl_el.get(qn("w:val"))) if ilvl_el is not None else 0
    abstract = nums.get(num_id or "")
    if abstract is None or (abstract, ilvl) not in levels:
        return "", 0
    fmt, text, start = levels[(abstract, ilvl)]
    if fmt == "bullet":
        return "-", ilvl
    counter = counters.setdefault(num_id, [])
    while len(counter) <= ilvl:
        counter.append(levels.get((abstract, len(counter)), ("", "", 1))[2] - 1)
    counter[ilvl] += 1
    del counter[ilvl + 1:]
    marker = text
    for level in range(ilvl, -1, -1):
        level_fmt = levels.get((abstract, level), ("decimal", "", 1))[0]
        marker = marker.replace(f"%{level + 1}", format_number(counter[level], level_fmt))
    return marker.strip(), ilvl


# --------------------------------------------------------------------------------------------------
# ODT (odfpy)
# --------------------------------------------------------------------------------------------------


def read_odt(data: bytes) -> Source:
    """Paragraphs, headings, list items and table rows of an OpenDocument text, in order."""
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except MemoryError:  # the sandbox's memory limit: not a damaged file
        raise
    except Exception:  # noqa: BLE001 - odfpy raises many kinds for a damaged package
        return Source([], "Parágrafo", [Problem(None, broken_file("ODT"))])
    reader = _OdtReader(document)
    reader.walk(document.text)
    return Source(reader.blocks, "Parágrafo")


_TEXTNS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLENS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLENS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_FONS = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
_XLINKNS = "http://www.w3.org/1999/xlink"


class _OdtReader:
    """Walks an ODF body, keeping the emphasis of automatic styles and the numbering of list styles."""

    def __init__(self, document) -> None:
        self.blocks: list[Block] = []
        self.number = 0
        self.counters: dict[tuple[str | None, int], int] = {}  # last number of each list style and level
        self.emphasis: dict[str, tuple[bool, bool]] = {}
        self.list_styles: dict[str, dict[int, tuple[str, str, str, int]]] = {}
        for container in (document.styles, document.automaticstyles):
            for style in container.childNodes:
                name = style.attributes.get((_STYLENS, "name"))
                if style.qname == (_STYLENS, "style"):
                    for prop in style.childNodes:
                        if prop.qname == (_STYLENS, "text-properties"):
                            bold = prop.attributes.get((_FONS, "font-weight")) == "bold"
                            italic = prop.attributes.get((_FONS, "font-style")) == "italic"
                            self.emphasis[name] = (bold, italic)
                elif style.qname == (_TEXTNS, "list-style"):
                    self.list_styles[name] = self._list_levels(style)

    @staticmethod
    def _list_levels(style) -> dict[int, tuple[str, str, str, int]]:
        levels = {}
        for level in style.childNodes:
            depth = int(level.attributes.get((_TEXTNS, "level"), "1"))
            if level.qname == (_TEXTNS, "list-level-style-bullet"):
                levels[depth] = ("bullet", "", "", 1)
            elif level.qname == (_TEXTNS, "list-level-style-number"):
                levels[depth] = (
                    level.attributes.get((_STYLENS, "num-format"), "1"),
                    level.attributes.get((_STYLENS, "num-prefix"), ""),
                    level.attributes.get((_STYLENS, "num-suffix"), ""),
                    int(level.attributes.get((_TEXTNS, "start-value"), "1")),
                )
        return levels

    def add(self, text: str, indent: int = 0, heading: int | None = None, paragraph: bool = True) -> None:
        self.number += 1
        self.blocks.append(Block(self.number, text, indent, heading))
        if paragraph:
            self.blocks.append(Block(self.number, ""))  # a paragraph ends here, as a blank line in Markdown

    def walk(self, element, list_style: str | None = None, depth: int = 0) -> None:
        for node in element.childNodes:
            if node.nodeType != Node.ELEMENT_NODE:
                continue
            if node.qname == (_TEXTNS, "h"):
                level = int(node.attributes.get((_TEXTNS, "outline-level"), "1"))
                self.add(self.inline(node), heading=level)
            elif node.qname == (_TEXTNS, "p"):
                self.add(self.inline(node))
            elif node.qname == (_TEXTNS, "list"):
                self.walk_list(node, node.attributes.get((_TEXTNS, "style-name")) or list_style, depth + 1)
            elif node.qname == (_TABLENS, "table"):
                first_row = True
                for row in node.getElementsByType(_table_row()):
                    cells = [self.inline(cell).replace("|", "/") for cell in row.childNodes
                             if cell.qname == (_TABLENS, "table-cell")]
                    self.add("| " + " | ".join(cells) + " |", paragraph=False)
                    if first_row:
                        self.blocks.append(Block(self.number, "|" + " --- |" * len(cells)))  # header rule
                        first_row = False
                self.add("")
            elif node.qname == (_TEXTNS, "section"):
                self.walk(node, list_style, depth)

    def walk_list(self, element, style: str | None, depth: int) -> None:
        levels = self.list_styles.get(style or "", {})
        fmt, prefix, suffix, start = levels.get(depth, ("bullet", "", "", 1))
        counter = start - 1
        if element.attributes.get((_TEXTNS, "continue-numbering")) == "true" or element.attributes.get(
                (_TEXTNS, "continue-list")):
            counter = self.counters.get((style, depth), counter)  # a list interrupted by a paragraph goes on
        for item in element.childNodes:
            if item.qname != (_TEXTNS, "list-item"):
                continue
            counter += 1
            marker = "-" if fmt == "bullet" else f"{prefix}{format_number(counter, fmt)}{suffix}".strip()
            first = True
            for node in item.childNodes:
                if node.qname in ((_TEXTNS, "p"), (_TEXTNS, "h")):
                    text = self.inline(node)
                    self.add(f"{marker} {text}" if first and text else text, (depth - 1) * 4)
                    first = False
                elif node.qname == (_TEXTNS, "list"):
                    self.walk_list(node, node.attributes.get((_TEXTNS, "style-name")) or style, depth + 1)
        self.counters[(style, depth)] = counter

    def inline(self, element) -> str:
        return _join_runs(list(self.runs(element, False, False)))

    def runs(self, element, bold: bool, italic: bool):
        for node in element.childNodes:
            if node.nodeType == Node.TEXT_NODE:
                yield str(node.data), bold, italic
                continue
            if node.nodeType != Node.ELEMENT_NODE:
                continue
            name = node.qname
            if name == (_TEXTNS, "s"):
                yield " " * int(node.attributes.get((_TEXTNS, "c"), "1")), bold, italic
            elif name in ((_TEXTNS, "tab"), (_TEXTNS, "line-break")):
                yield " ", bold, italic
            elif name == (_TEXTNS, "span"):
                b, i = self.emphasis.get(node.attributes.get((_TEXTNS, "style-name"), ""), (False, False))
                yield from self.runs(node, bold or b, italic or i)
            elif name == (_TEXTNS, "a"):
                inner = _join_runs(list(self.runs(node, False, False)))
                href = node.attributes.get((_XLINKNS, "href"), "")
                yield (f"[{inner}]({href})" if href.startswith(("http://", "https://")) else inner), False, False
            elif name == (_TEXTNS, "note"):
                for part in node.childNodes:
                    if part.qname == (_TEXTNS, "note-body"):
                        note = " ".join(self.inline(p) for p in part.childNodes if p.nodeType == Node.ELEMENT_NODE)
                        yield f" [nota: {note.strip()}]", False, False
            elif name in ((_TEXTNS, "p"), (_TEXTNS, "h")):
                yield " ", bold, italic
                yield from self.runs(node, bold, italic)
            elif name not in ((_TEXTNS, "note-citation"), (_TEXTNS, "bookmark"), (_TEXTNS, "soft-page-break")):
                yield from self.runs(node, bold, italic)


def _table_row():
    from odf.table import TableRow

    return TableRow
