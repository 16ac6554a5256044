"""Files people take away: CSV and XLSX whose text a spreadsheet can never run as a formula."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe.

    Importing strips that apostrophe again, so an export can be edited and re-imported.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text_columns(frame: pd.DataFrame) -> list[object]:
    return [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel opens accented channel names correctly; CRLF line ends, so
    a carriage return inside a cell is quoted and cannot start a new row."""
    return neutralised(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _xml_safe(value: object) -> object:
    """XLSX cannot hold most control characters; they are dropped rather than refusing the
    file, before the formula check, so "\x1f=cmd" cannot become "=cmd" after it."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe = frame.copy()
            for column in _text_columns(safe):
                safe[column] = safe[column].map(_xml_safe)
            safe.columns = [_xml_safe(c) for c in safe.columns]
            safe = neutralised(safe)
            safe.to_excel(writer, sheet_name=name[:31], index=False)
            worksheet = writer.sheets[name[:31]]
            for column in worksheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                worksheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    return buffer.getvalue()


def spreadsheet_safe(value: object) -> object:
    """One cell as to_xlsx writes it, for writers that place cells themselves (the meeting
    pack): XML-safe first, then never a formula."""
    return neutralise(_xml_safe(value))
