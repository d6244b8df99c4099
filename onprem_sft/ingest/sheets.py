"""Spreadsheets (XLSX, CSV) as tables of rows: corpus documents and collected-question files share this.

As a corpus document a sheet of terms or rates becomes one text line per row, ``header: value | ...``,
under a ``# <sheet name>`` heading, so each row stays readable on its own in a chunk and the heading makes
the chunker keep one sheet per clause. Password-protected XLSX files are OLE containers, not zips, and
are rejected with that reason. Failures are ``ReadError`` without cell content.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

from onprem_sft.ingest.readers import ReadError, decode_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_COLS = 200


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return " ".join(str(v).split())


def xlsx_sheets(data: bytes) -> Iterator[tuple[str, list[list[str]]]]:
    """XLSX bytes -> (sheet name, rows of cell strings) per sheet, values not formulas."""
    if data.startswith(OLE_MAGIC):
        raise ReadError("encrypted_xlsx", "XLSX file is password-protected (an encrypted OLE container); save "
                                          "an unprotected copy and retry")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as e:
        raise ReadError("unreadable_xlsx", f"not a valid .xlsx file ({type(e).__name__}); open and re-save it "
                                           "in Excel/LibreOffice as .xlsx") from None
    try:
        for ws in wb.worksheets:
            rows = [[_cell(v) for v in row[:MAX_COLS]] for row in ws.iter_rows(values_only=True)]
            yield ws.title, [r for r in rows if any(r)]
    finally:
        wb.close()


def csv_rows(data: bytes) -> tuple[list[list[str]], str]:
    """CSV/TSV bytes -> (rows, encoding); delimiter sniffed among , ; tab |."""
    text, enc = decode_text(data)
    text = text.lstrip("\ufeff")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [[_cell(c) for c in r[:MAX_COLS]] for r in csv.reader(io.StringIO(text), dialect)]
    return [r for r in rows if any(r)], enc


def rows_to_text(title: str, rows: list[list[str]]) -> str:
    """First row = headers; each later row -> ``header: value | header: value`` (empty cells dropped)."""
    if not rows:
        return ""
    head = rows[0]
    lines = [f"# {title}"] if title else []
    if len(rows) == 1:
        lines.append(" | ".join(c for c in head if c))
    for r in rows[1:]:
        pairs = [f"{head[i]}: {v}" if i < len(head) and head[i] else v for i, v in enumerate(r) if v]
        lines.append(" | ".join(pairs))
    return "\n".join(lines)


def read_xlsx(data: bytes) -> str:
    return "\n\n".join(t for t in (rows_to_text(name, rows) for name, rows in xlsx_sheets(data)) if t)


def read_csv(data: bytes) -> str:
    rows, _ = csv_rows(data)
    return rows_to_text("", rows)
