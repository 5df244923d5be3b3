"""Limits on reading an uploaded spreadsheet, checked before and during parsing (OWASP ASVS V5.2, file handling).

A small XLSX can expand to gigabytes (a ZIP compresses repetitive XML a thousandfold): two million blank rows
fit in 19 KB, a million shared strings in 89 KB. So, before openpyxl opens the file, the ZIP members' declared
sizes are added up (`zipfile` never inflates a member past its declared size, so the declaration holds) and
the shared strings are counted by streaming, stopping at the limit; while the sheet streams (openpyxl's
read-only mode), rows and columns are counted, blank ones included. Each check stops at the first limit with
a Portuguese message. The parse runs in the request for now; moving it to the background queue is #7's work.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import iterparse
from flask_babel import format_number
from flask_babel import gettext as _

MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024  # all members of the XLSX together, as declared
MAX_SHARED_STRINGS = 100_000
MAX_LINES = 40_000  # rows of the sheet, blank ones included (filled ones stop earlier, at MAX_ROWS)
MAX_COLUMNS = 50  # filled columns of a row (the templates have 4 and 7)
SHARED_STRINGS = "xl/sharedStrings.xml"


class FileRefused(Exception):
    """The file cannot be read from `line` on (0: the whole file); the message is Portuguese."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse an XLSX whose members inflate past MAX_UNCOMPRESSED_BYTES or that has too many shared strings."""
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(_("A planilha descompactada passa de %(size)s MB (tem linhas, colunas ou textos demais). Apague as linhas e colunas vazias ou divida o arquivo em partes menores.", size=MAX_UNCOMPRESSED_BYTES // (1024 * 1024)))
    if SHARED_STRINGS in archive.namelist():
        count = 0
        try:
            with archive.open(SHARED_STRINGS) as stream:
                for _event, element in iterparse(stream, events=("end",)):
                    if element.tag.rpartition("}")[2] == "si":
                        count += 1
                        element.clear()
                        if count > MAX_SHARED_STRINGS:
                            raise FileRefused(_("A planilha tem mais de %(limit)s textos diferentes; divida-a em arquivos menores.", limit=format_number(MAX_SHARED_STRINGS)))
        except (ParseError, ValueError, zipfile.BadZipFile, OSError, EOFError) as error:  # defusedxml: ValueError
            raise FileRefused(_("Não foi possível ler a planilha XLSX: o arquivo parece corrompido. Salve a planilha "
                              "como .xlsx ou como CSV UTF-8 e envie de novo.")) from error


def bounded_rows(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """`rows`, stopping with FileRefused past MAX_LINES lines or at a row of more than MAX_COLUMNS filled columns."""
    for line, cells in rows:
        if line > MAX_LINES:
            raise FileRefused(_("O arquivo passa de %(limit)s linhas (contando as vazias); apague as linhas vazias do fim ou divida-o em arquivos menores.", limit=format_number(MAX_LINES)), line)
        if len(cells) > MAX_COLUMNS:
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise FileRefused(_("A linha tem mais de %(limit)s colunas preenchidas; use só as colunas da planilha-modelo.", limit=MAX_COLUMNS), line)
        yield line, cells
