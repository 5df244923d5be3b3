"""Turn uploaded or pasted bytes into text: size limit, binary formats refused, encodings, normalisation."""

from __future__ import annotations

import math
import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consulta.drafts.model import Problem

MAX_BYTES = 2 * 1024 * 1024  # upload and paste size limit

EMPTY_FILE_MESSAGE = _l("O arquivo está vazio.")
EXPORT_HINT = _l(
    "Envie a minuta como documento do Word (.docx), do LibreOffice (.odt), Markdown (.md) "
    "ou texto simples (.txt) em UTF-8."
)
LATIN1_WARNING = _l(
    "O arquivo não está em UTF-8 e foi lido como Latin-1 (Windows-1252); "
    "confira se os acentos aparecem corretamente."
)

# Magic numbers of the binary formats people most often upload by mistake (ZIP containers are looked
# into by the caller first: DOCX and ODT are read, other archives refused).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", _l("um PDF")),
    (b"PK\x03\x04", _l("um arquivo compactado")),
    (b"PK\x05\x06", _l("um arquivo compactado")),
    (b"PK\x07\x08", _l("um arquivo compactado")),
    (b"\xd0\xcf\x11\xe0", _l("um documento do Word .doc antigo; salve-o como .docx")),
    (b"{\\rtf", _l("um documento RTF")),
    (b"\x89PNG", _l("uma imagem")),
    (b"\xff\xd8\xff", _l("uma imagem")),
    (b"GIF8", _l("uma imagem")),
    (b"\x1f\x8b", _l("um arquivo compactado")),
    (b"Rar!", _l("um arquivo compactado")),
    (b"7z\xbc\xaf", _l("um arquivo compactado")),
)
# C0 controls that never appear in real text (tab, newlines and form feed are tolerated).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_CONTROL_SHARE_LIMIT = 0.02
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def format_mb(size: int) -> str:
    """Format a byte count as megabytes with a Portuguese decimal comma ("2,5")."""
    # Round up so that a file just over the limit never reads as "2 MB; o limite é 2 MB".
    value = math.ceil(size / (1024 * 1024) * 10) / 10
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", ",")


def too_large(size: int, what: str | None = None) -> Problem | None:
    """The size-limit error for `size` bytes, or None when within the limit."""
    if size <= MAX_BYTES:
        return None
    return Problem(None, _("%(what)s tem %(size)s MB; o limite é 2 MB.", what=what or _("O arquivo"), size=format_mb(size)))


def not_text(kind: str = "") -> Problem:
    """Build the "not a text file" error, naming the detected format when known."""
    if kind:
        return Problem(None, _("O arquivo não é um arquivo de texto (parece ser %(kind)s). %(hint)s", kind=kind,
                               hint=EXPORT_HINT))
    return Problem(None, _("O arquivo não é um arquivo de texto. %(hint)s", hint=EXPORT_HINT))


def normalize(text: str) -> str:
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
    """Decode uploaded text bytes; returns (text, warnings) on success or (None, errors) on failure."""
    if problem := too_large(len(data)):
        return None, [problem]
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return None, [not_text(kind)]

    warnings: list[Problem] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Windows Notepad's "Unicode" is UTF-16 with a BOM: its NUL bytes are legitimate.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None, [not_text()]
        if sum(text.count(chr(b)) for b in _CONTROL_BYTES) > _CONTROL_SHARE_LIMIT * max(len(text), 1):
            return None, [not_text()]
    else:
        if b"\x00" in data:
            return None, [not_text()]
        controls = sum(data.count(b) for b in _CONTROL_BYTES)
        if controls > _CONTROL_SHARE_LIMIT * max(len(data), 1):
            return None, [not_text()]
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        text, legacy = decode_with_fallback(raw)
        if legacy:
            warnings.append(Problem(None, str(LATIN1_WARNING)))

    text = normalize(text)
    if not text.strip():
        return None, [Problem(None, str(EMPTY_FILE_MESSAGE))]
    return text, warnings
