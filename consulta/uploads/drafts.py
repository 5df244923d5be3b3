"""An uploaded draft (Word, LibreOffice, Markdown or text) read into blocks in the sandbox, and back into a
`Source` in the web app: a DOCX or ODT is a ZIP of XML that python-docx and odfpy inflate whole, so a small
hostile file could take the server's memory and time (issue #16)."""

from __future__ import annotations

from typing import Any

from consulta.drafts import read_source
from consulta.drafts.model import Block, Problem, Source


def preload() -> None:
    """Import the word-processor libraries before the child's limits are set (the readers import them lazily)."""
    import docx  # noqa: F401
    import odf.opendocument  # noqa: F401


def read(data: bytes) -> dict[str, Any]:
    """The blocks of an uploaded draft as JSON values, or its reading errors."""
    source, errors = read_source(data)
    if source is None:
        return {"errors": [[p.line, p.message] for p in errors]}
    return {"blocks": [[b.number, b.text, b.indent, b.heading] for b in source.blocks],
            "location": source.location, "warnings": [[p.line, p.message] for p in source.warnings]}


def source_from(result: dict[str, Any]) -> tuple[Source | None, list[Problem]]:
    """What `read_source` returned, rebuilt from `read`'s JSON."""
    if "blocks" not in result:
        return None, [Problem(line, str(message)) for line, message in result.get("errors") or []]
    blocks = [Block(int(number), str(text), int(indent), heading) for number, text, indent, heading in result["blocks"]]
    warnings = [Problem(line, str(message)) for line, message in result.get("warnings") or []]
    return Source(blocks, str(result.get("location") or "Linha"), warnings), []
