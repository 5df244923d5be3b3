"""The one writer of spreadsheet files: every CSV and XLSX the platform sends goes through here.

A cell whose text a spreadsheet program would read as a formula (CWE-1236, "CSV injection") is written with
a leading apostrophe, which Excel, LibreOffice and Google Sheets show as plain text. Dangerous are texts that
start with = + - @ (or their full-width forms ＝ ＋ － ＠, which some programs fold to ASCII), with a tab or a
carriage return, or with any of these after leading blanks. Numbers, dates and None pass unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from flask_babel.speaklater import LazyString

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# First characters worth a closer look: the triggers and every blank (U+3000 is the last one in Unicode).
_SUSPECT = FORMULA_TRIGGERS | frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())


def neutralise(value: Any) -> Any:
    """`value`, with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value:
        first = value[0]
        if first in FORMULA_TRIGGERS or (first.isspace() and value.lstrip()[:1] in FORMULA_TRIGGERS):
            return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each neutralised: for `worksheet.append` and for CSV."""
    # The set lookup settles nearly every cell without calling neutralise (open data writes millions of cells).
    values = (str(value) if isinstance(value, LazyString) else value for value in values)  # lazy_gettext labels
    return [neutralise(value) if isinstance(value, str) and value[:1] in _SUSPECT else value for value in values]


class CsvWriter:
    """`csv.writer` whose every cell is neutralised first."""

    def __init__(self, stream, **fmtparams: Any) -> None:
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **fmtparams: Any) -> CsvWriter:
    """A neutralising CSV writer on `stream` (same arguments as `csv.writer`)."""
    return CsvWriter(stream, **fmtparams)


def set_text(sheet, row: int, column: int, value: str):
    """Write `value` to a cell of a (non write-only) openpyxl sheet as text, never as a formula."""
    cell = sheet.cell(row=row, column=column, value=neutralise(value))
    cell.data_type = "s"
    return cell
