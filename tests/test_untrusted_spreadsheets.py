"""Untrusted spreadsheets: small files that would inflate past the limits are refused early, with a message."""

import io
import time
import zipfile

from openpyxl import Workbook

from consulta.uploads import sheets as untrusted
from consulta.workshops import spreadsheets


def _xlsx(replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A real attendance-list workbook, with members replaced or added (compressed as Excel does)."""
    workbook = Workbook()
    workbook.active.append(["nome", "organizacao", "setor", "uf"])
    workbook.active.append(["Ana", "", "", "SP"])
    source = io.BytesIO()
    workbook.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source.getvalue())) as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for info in old.infolist():
            new.writestr(info.filename, (replace or {}).get(info.filename, old.read(info.filename)))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return out.getvalue()


def _sheet(rows: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>")


def _messages(result) -> str:
    return " ".join(error.message for error in result.errors)


def test_millions_of_blank_rows_stop_at_the_line_limit():
    header = b'<row r="1"><c r="A1" t="inlineStr"><is><t>nome</t></is></c></row>'
    blank = b"".join(b'<row r="%d"/>' % n for n in range(2, untrusted.MAX_LINES + 500))
    data = _xlsx(replace={"xl/worksheets/sheet1.xml": _sheet(header + blank)})
    assert len(data) < 200_000
    started = time.process_time()
    result = spreadsheets.parse_attendees(data, "lista.xlsx")
    assert time.process_time() - started < 10
    assert "linhas (contando as vazias)" in _messages(result) and not result.rows


def test_too_many_shared_strings_are_refused_before_parsing():
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(untrusted.MAX_SHARED_STRINGS + 1))
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main">' + strings + b"</sst>")
    data = _xlsx(add={"xl/sharedStrings.xml": sst})
    result = spreadsheets.parse_attendees(data, "lista.xlsx")
    assert "textos diferentes" in _messages(result) and not result.rows


def test_a_member_that_inflates_past_the_limit_is_refused_by_its_declared_size():
    data = _xlsx(add={"xl/media/preenchimento.bin": b"\0" * (untrusted.MAX_UNCOMPRESSED_BYTES + 1)})
    assert len(data) < 100_000
    result = spreadsheets.parse_attendees(data, "lista.xlsx")
    assert "descompactada passa de 20 MB" in _messages(result) and not result.rows


def test_a_row_wider_than_the_column_limit_is_refused_even_past_excel_letters():
    header = ";".join(["nome"] + [f"c{n}" for n in range(18_300)]).encode()
    result = spreadsheets.parse_attendees(header + b"\r\nAna\r\n", "lista.csv")
    assert result.errors[0].line == 1 and "mais de 50 colunas" in result.errors[0].message


def test_a_wide_xlsx_row_is_refused():
    cells = b"".join(b'<c r="%s1" t="inlineStr"><is><t>x</t></is></c>' % col.encode()
                     for col in ("A", "B", "C", "D", *(f"A{chr(65 + n % 26)}" for n in range(60))))
    data = _xlsx(replace={"xl/worksheets/sheet1.xml": _sheet(b'<row r="1">' + cells + b"</row>")})
    result = spreadsheets.parse_attendees(data, "lista.xlsx")
    assert "mais de 50 colunas" in _messages(result)


def test_an_ordinary_upload_still_reads():
    result = spreadsheets.parse_attendees(_xlsx(), "lista.xlsx")
    assert not result.errors and [row.name for row in result.rows] == ["Ana"]
