"""Reading an untrusted spreadsheet (CSV or XLSX) into rows of text, with limits checked before and during parsing
(OWASP ASVS V5.2, file handling).

A small XLSX can expand to gigabytes (a ZIP compresses repetitive XML a thousandfold): two million blank rows
fit in 19 KB, a million shared strings in 89 KB. So, before openpyxl opens the file, the ZIP members' declared
sizes are added up (`zipfile` never inflates a member past its declared size, so the declaration holds) and
the shared strings are counted by streaming, stopping at the limit; while the sheet streams (openpyxl's
read-only mode), rows and columns are counted, blank ones included. Each check stops at the first limit with
a Portuguese message.

These caps are the first line of defence. The second is the process: uploads are read by `read_rows` in a
child process with hard time and memory limits (`consulta.uploads.sandbox`), started by a background job, so
this module imports nothing of the web app (it must load fast and small in that child).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import iterparse
from openpyxl import load_workbook

from consulta.drafts.decoding import decode_with_fallback

MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024  # all members of the XLSX together, as declared
MAX_SHARED_STRINGS = 100_000
MAX_LINES = 40_000  # rows of the sheet, blank ones included (filled ones stop earlier, at MAX_ROWS)
MAX_COLUMNS = 50  # filled columns of a row (the templates have 4 and 7)
SHARED_STRINGS = "xl/sharedStrings.xml"
MAX_FILE_BYTES = 5 * 1024 * 1024  # the upload itself


class FileRefused(Exception):
    """The file cannot be read from `line` on (0: the whole file); the message is Portuguese."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse an XLSX whose members inflate past MAX_UNCOMPRESSED_BYTES or that has too many shared strings."""
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(f"A planilha descompactada passa de {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB "
                          "(tem linhas, colunas ou textos demais). Apague as linhas e colunas vazias ou divida "
                          "o arquivo em partes menores.")
    if SHARED_STRINGS in archive.namelist():
        count = 0
        try:
            with archive.open(SHARED_STRINGS) as stream:
                for _, element in iterparse(stream, events=("end",)):
                    if element.tag.rpartition("}")[2] == "si":
                        count += 1
                        element.clear()
                        if count > MAX_SHARED_STRINGS:
                            raise FileRefused(f"A planilha tem mais de {MAX_SHARED_STRINGS:,} textos diferentes; "
                                              "divida-a em arquivos menores.".replace(",", "."))
        except (ParseError, ValueError, zipfile.BadZipFile, OSError, EOFError) as error:  # defusedxml: ValueError
            raise FileRefused("Não foi possível ler a planilha XLSX: o arquivo parece corrompido. Salve a planilha "
                              "como .xlsx ou como CSV UTF-8 e envie de novo.") from error


def bounded_rows(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """`rows`, stopping with FileRefused past MAX_LINES lines or at a row of more than MAX_COLUMNS filled columns."""
    for line, cells in rows:
        if line > MAX_LINES:
            raise FileRefused(f"O arquivo passa de {MAX_LINES:,} linhas (contando as vazias); apague as linhas "
                              "vazias do fim ou divida-o em arquivos menores.".replace(",", "."), line)
        if len(cells) > MAX_COLUMNS:
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise FileRefused(f"A linha tem mais de {MAX_COLUMNS} colunas preenchidas; use só as colunas da "
                                  "planilha-modelo.", line)
        yield line, cells


# -- reading the rows ------------------------------------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_AS = "Salve a planilha como .xlsx ou como CSV UTF-8 e envie de novo."
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _cell_text(value: object) -> str:
    """An XLSX cell as text: integral floats without ".0", dates as dd/mm/aaaa."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VERDADEIRO" if value else "FALSO"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != time(0) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _xlsx_rows(data: bytes, warnings: list[str], wanted: str | None) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:  # the sandbox's memory limit: not a damaged file
        raise
    except Exception as error:  # openpyxl raises many kinds of errors for damaged files
        raise FileRefused(f"Não foi possível ler a planilha XLSX: o arquivo parece corrompido. {_SAVE_AS}") from error
    try:
        if wanted and wanted in workbook.sheetnames:
            sheet = workbook[wanted]
        else:
            sheet = workbook.worksheets[0]
            if wanted and len(workbook.sheetnames) > 1:
                warnings.append(f'A planilha não tem a aba "{wanted}"; foi lida a primeira aba, "{sheet.title}".')
        sheet.reset_dimensions()  # a wrong <dimension> would cut rows off in read-only mode
        line = 0
        try:
            # Cells right of MAX_COLUMNS + 1 are never built: a row reaching that far is refused anyway.
            for line, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1):
                yield line, [_cell_text(value).strip() for value in values]
        except MemoryError:  # the sandbox's memory limit: not a damaged file
            raise
        except Exception as error:  # a damaged sheet fails while streaming, with openpyxl's or lxml's errors
            raise FileRefused(f"A planilha XLSX está corrompida a partir desta linha. {_SAVE_AS}", line + 1) from error
    finally:
        workbook.close()


def _decode(data: bytes, warnings: list[str]) -> str:
    """The text of a CSV upload: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252/Latin-1 with a warning."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as error:
            raise FileRefused(
                f"O arquivo se declara UTF-8, mas tem caracteres inválidos perto do byte {error.start + 3}. "
                f"{_SAVE_AS}") from error
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise FileRefused(f"O arquivo UTF-16 tem caracteres inválidos. {_SAVE_AS}") from error
    if b"\x00" in data:
        raise FileRefused(
            "O arquivo não é um CSV de texto legível (tem bytes nulos: é binário ou está em UTF-16 sem marca). "
            + _SAVE_AS)
    text, legacy = decode_with_fallback(data)
    if legacy:
        warnings.append("O arquivo não está em UTF-8 e foi lido como Latin-1 (Windows-1252). "
                        "Confira se os acentos aparecem certos; se não, salve como CSV UTF-8.")
    if len(_CONTROL_RE.findall(text[:200_000])) > max(2, len(text[:200_000]) // 200):
        raise FileRefused(f"O arquivo não parece ser uma planilha CSV: tem muitos caracteres de controle. {_SAVE_AS}")
    return text


def _separator(header_line: str) -> str:
    """The separator of a CSV, from its header line: csv.Sniffer, else the most frequent of ; , and tab."""
    try:
        return csv.Sniffer().sniff(header_line, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {sep: header_line.count(sep) for sep in ";,\t"}
        best = max(counts, key=lambda sep: counts[sep])
        return best if counts[best] else ";"


def _csv_rows(data: bytes, warnings: list[str]) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data, warnings)
    lines = text.splitlines()
    offset = 0
    separator = None
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        hint = lines[first].strip().strip('"').lower()
        if hint.startswith("sep=") and len(hint) <= 6:  # Excel's "sep=;" first line
            separator = hint[4:] or ";"
            offset = first + 1
            text = "\n".join(lines[offset:])
            first = next((index for index, line in enumerate(lines[offset:]) if line.strip()), None)
        if separator is None and first is not None:
            separator = _separator(lines[offset + first])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator or ";", strict=False)
    previous = 0
    try:
        for values in reader:
            start = previous + 1
            previous = reader.line_num
            yield offset + start, [value.replace("\r\n", "\n").replace("\r", "\n").strip() for value in values]
    except csv.Error as error:
        raise FileRefused(f"O CSV não pôde ser lido a partir desta linha ({error}). "
                         "Verifique se há aspas sem fechamento.", offset + previous + 1) from error


def read_rows(data: bytes, filename: str, warnings: list[str], sheet: str | None = None,
              ) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of an upload, by content: XLSX (the tab `sheet` if present), or CSV/text; other formats raise
    FileRefused, and so does the first limit reached while the rows are read."""
    name = (filename or "").lower()
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(f"O arquivo tem {len(data) / 1024 / 1024:.1f} MB; o limite é 5 MB.".replace(".", ",", 1))
    if not data.strip():
        raise FileRefused("O arquivo está vazio.")
    if data.startswith(_OLE2_MAGIC):
        raise FileRefused(f"Arquivos .xls (Excel 97–2003) não são aceitos. {_SAVE_AS}")
    if data.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise FileRefused(f"O arquivo compactado está corrompido. {_SAVE_AS}") from error
        if "opendocument" in mimetype:
            raise FileRefused(f"Arquivos .ods (LibreOffice/OpenOffice) não são aceitos. {_SAVE_AS}")
        if "xl/workbook.xml" not in names:
            raise FileRefused(f"O arquivo é um ZIP, mas não uma planilha XLSX. {_SAVE_AS}")
        check_archive(archive)
        return bounded_rows(_xlsx_rows(data, warnings, sheet))
    if data.startswith(b"%PDF"):
        raise FileRefused(f"Arquivos PDF não são aceitos. {_SAVE_AS}")
    if name.endswith(".xlsx"):
        raise FileRefused(f"O arquivo tem a extensão .xlsx, mas não é uma planilha XLSX válida. {_SAVE_AS}")
    return bounded_rows(_csv_rows(data, warnings))


# -- the rows as data, to carry them out of the sandbox ---------------------------------------------------------

@dataclass
class ReadResult:
    """Every row read from an upload, the reading warnings, and the limit or damage that stopped it (if any)."""

    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: tuple[str, int] | None = None  # (message, line) of the FileRefused that ended the reading

    def replay(self) -> Iterator[tuple[int, list[str]]]:
        """The rows again, then the same FileRefused at the same place, as `read_rows` gave them."""
        yield from self.rows
        if self.refused is not None:
            raise FileRefused(*self.refused)

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "warnings": self.warnings,
                "refused": list(self.refused) if self.refused else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReadResult:
        refused = data.get("refused")
        return cls(rows=[(int(line), [str(cell) for cell in cells]) for line, cells in data.get("rows") or []],
                   warnings=[str(w) for w in data.get("warnings") or []],
                   refused=(str(refused[0]), int(refused[1])) if refused else None)


def read_all(data: bytes, filename: str, sheet: str | None = None) -> ReadResult:
    """All the rows of an upload (stopping at the first limit, which is kept in `refused`)."""
    result = ReadResult()
    try:
        for line, cells in read_rows(data, filename, result.warnings, sheet):
            result.rows.append((line, cells))
    except FileRefused as error:
        result.refused = (str(error), error.line)
    return result
