"""Reading the tables executives actually send: CSV as Excel writes it in any locale, and XLSX.

Everything comes back as text, with the spreadsheet row number of every
row, so one validation path serves both formats and can name the row a
person sees in their own spreadsheet.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

import pandas as pd
from pyarrow import ArrowException

from alignment.files.cells import cell_text
from alignment.shared.errors import ValidationFailed

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_FILE_BYTES = 150 * 1024 * 1024
"""Larger files are refused before reading; split them by year."""

MAX_XLSX_UNPACKED_BYTES = 25 * 1024 * 1024
"""An XLSX is a ZIP of XML, and reading XML costs time and memory by the unpacked byte
(here one to two seconds and six MB of memory per unpacked MB), not by the uploaded one.
25 MB is about 65,000 lines of eight columns; larger tables come as CSV, read in seconds."""

MAX_XLSX_SECONDS = 30.0
"""Processor time one workbook may take to read, counted on the reading thread. Within
the limits below an honest workbook reads in well under this; whatever XML is built to
be slow per byte is stopped here, so no upload holds the server for longer."""

MAX_XLSX_RATIO = 100
"""Spreadsheet programs pack sheets about ten times; a part packed more than a hundred
times (the limit zip-bomb checks such as Apache POI's use) was crafted to be small."""

MAX_XLSX_PARTS = 10_000
"""A workbook has tens of parts (sheets, styles, images); ZIP's table of contents is
read whole before anything else, so it is bounded first."""

MAX_XLSX_CELLS = 2_000_000
"""Rows times columns a sheet may fill while read. The XML can name one cell a million
rows down and 16,384 columns across, and the table is filled up to it, so this, not the
bytes, bounds the memory of what is read."""

MAX_XLSX_COLUMNS = 1_000
"""Columns a row may reach. A budget table has tens; a cell at column 16,384 is a few
bytes of XML and would make every row of the table that wide."""

_RATIO_FROM_BYTES = 1024 * 1024
"""Parts smaller than this are not judged by their packing: they are too small to cost."""

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def row_problem(row: int, column: str, text: str) -> str:
    """The one way an import names a bad cell, for every import: 'Row N, column 'X': ...'.
    Rows are counted as the spreadsheet shows them (the header is row 1)."""
    return f"Row {row}, column '{column}': {text}."


@dataclass(frozen=True)
class CellProblem:
    """A cell an import cannot take: where it is, what it held, and why."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 40 else self.value[:37] + "..."
        return row_problem(self.row, self.column, f"'{shown}' {self.reason}")


class FileRefused(ValidationFailed):
    """The file as a whole cannot be read; nothing in it was looked at further."""


@dataclass(frozen=True)
class Table:
    """A file's cells as text: ``frame`` has one column per header and a ``_row`` column."""

    file_name: str
    headers: list[str]
    frame: pd.DataFrame
    delimiter: str | None
    encoding: str | None
    sheet: str | None
    rows: int

    def without_cells(self) -> Table:
        """The same description with the cells let go, once they have been checked."""
        return dataclasses.replace(self, frame=self.frame.iloc[0:0])


def read_table(data: bytes, file_name: str, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file (told apart by content, not by name) into text cells."""
    size = len(data)
    if size == 0:
        raise FileRefused(f"{file_name} is empty.")
    if size > MAX_FILE_BYTES:
        raise FileRefused(
            f"{file_name} is {size / 1024 / 1024:.0f} MB; SamePage imports files up to "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it, for example by year."
        )
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data, file_name, sheet)
    if data.startswith(_OLE_MAGIC):
        raise FileRefused(
            f"{file_name} is an old Excel 97-2003 workbook (.xls); save it as .xlsx or CSV."
        )
    if Path(file_name).suffix.lower() in (".xlsx", ".xlsm"):
        raise FileRefused(f"{file_name} is not a valid Excel workbook (it is not an .xlsx file).")
    if sheet:
        raise FileRefused(f"{file_name} is a CSV file; it has no sheets, so leave out the sheet.")
    return _read_csv(data, file_name)


_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n")


def _has_blank_line(data: bytes) -> bool:
    """Arrow's fast CSV reader skips blank lines, which would shift the row numbers we report."""
    return data.lstrip(b"\xef\xbb\xbf").startswith((b"\n", b"\r\n", b" ", b"\t")) or bool(
        _BLANK_LINE.search(data)
    )


ENCODING_NAMES = {
    "utf-16": "UTF-16",
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}


def _encoding(data: bytes, file_name: str) -> str:
    """The codec the file is written in: UTF-16 by its BOM, else UTF-8, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data[:8192]:
        raise FileRefused(
            f"{file_name} is not a text CSV file (it contains binary data); "
            "export the sheet as CSV or XLSX."
        )
    for codec in ("utf-8-sig", "cp1252"):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return "latin-1"


def _read_text_cells(
    data: bytes, codec: str, delimiter: str, *, engine: Literal["c", "pyarrow"], **options: bool
) -> pd.DataFrame:
    """Every cell as the text in the file (no header row, nothing read as missing): the
    parsers of alignment/files/cells.py decide what a cell means, and name it when they cannot."""
    return pd.read_csv(
        io.BytesIO(data), encoding=codec, sep=delimiter, engine=engine, **_AS_TEXT, **options
    )


_AS_TEXT: dict[str, Any] = {"dtype": str, "keep_default_na": False, "header": None}
"""How pandas reads a file as text cells: no header row, nothing read as missing."""


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in (",", ";", "\t")}
        return max(counts, key=counts.__getitem__) if any(counts.values()) else ","


def _read_csv(data: bytes, file_name: str) -> Table:
    codec = _encoding(data, file_name)
    head = data[:65536].decode(codec, errors="ignore")
    if not head.strip() and not data.decode(codec).strip():
        raise FileRefused(f"{file_name} is empty.")
    delimiter = _delimiter(head)
    if codec == "utf-8-sig" and not _has_blank_line(data):
        try:
            frame = _read_text_cells(data, codec, delimiter, engine="pyarrow")
            return _table(frame, file_name, delimiter=delimiter, encoding="UTF-8", sheet=None)
        except (pd.errors.ParserError, ValueError, ArrowException):
            pass
    try:
        frame = _read_text_cells(data, codec, delimiter, engine="c", skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as exc:
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if fields:
            expected, line, saw = fields.groups()
            raise FileRefused(
                f"Line {line} of {file_name} has {saw} cells where the rows above have "
                f"{expected}; check for a stray '{delimiter}' or a missing quote."
            ) from None
        raise FileRefused(f"{file_name} could not be read as CSV: {_first_line(exc)}.") from None
    return _table(frame, file_name, delimiter=delimiter, encoding=ENCODING_NAMES[codec], sheet=None)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else type(exc).__name__


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def check_workbook_archive(data: bytes, file_name: str) -> None:
    """Refuse an XLSX whose unpacking would cost far more than its upload, before any XML
    is read: a 0.13 MB file of packed shared strings took a minute and 284 MB to open.

    Only ZIP's own table of contents is read (its end record, then the parts' declared
    sizes); Python's zipfile never unpacks a part beyond its declared size, so the sizes
    checked here are the most the reader can get.
    """
    try:
        # zipfile's private end-record reader, the one ZipFile itself uses; typeshed omits it.
        end = zipfile._EndRecData(io.BytesIO(data))  # type: ignore[attr-defined]  # noqa: SLF001
    except OSError:
        end = None
    if end is None:
        raise FileRefused(f"{file_name} is not a valid Excel workbook: it has no ZIP directory.")
    parts, directory = (
        end[zipfile._ECD_ENTRIES_TOTAL],  # type: ignore[attr-defined]  # noqa: SLF001
        end[zipfile._ECD_SIZE],  # type: ignore[attr-defined]  # noqa: SLF001
    )
    if parts > MAX_XLSX_PARTS or directory > MAX_XLSX_PARTS * 1024:
        raise FileRefused(
            f"{file_name} is not a workbook SamePage reads: it holds {parts:,} parts in a "
            f"{_mb(directory)} directory, and a workbook has at most {MAX_XLSX_PARTS:,}. "
            "Save it again from your spreadsheet program, or as CSV."
        )
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(
            f"{file_name} is not a valid Excel workbook: {_first_line(exc)}."
        ) from None
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileRefused(
            f"{file_name} unpacks to {_mb(unpacked)}; SamePage reads workbooks that unpack "
            f"to at most {_mb(MAX_XLSX_UNPACKED_BYTES)} (about 65,000 lines of eight "
            "columns). Save it as CSV, or split it by year."
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= _RATIO_FROM_BYTES and ratio > MAX_XLSX_RATIO:
            raise FileRefused(
                f"{file_name} is packed {ratio:,.0f} times ({info.filename} unpacks from "
                f"{info.compress_size / 1024:,.0f} KB to {_mb(info.file_size)}); spreadsheet "
                f"programs pack about 10 times and SamePage refuses more than "
                f"{MAX_XLSX_RATIO} times. Save it again from your spreadsheet program, or as CSV."
            )


class _TimedReading(io.BytesIO):
    """The workbook's bytes, refusing to be read further once MAX_XLSX_SECONDS of this
    thread's processor time have gone since it was opened. openpyxl unpacks every part
    from here a few KB of packed bytes at a time (under the packing limit, at most a
    couple of MB of XML each), so reading stops within a second or two of the limit.
    Processor time, not the clock, so a busy server does not refuse an honest file."""

    def __init__(self, data: bytes, file_name: str) -> None:
        super().__init__(data)
        self._file_name = file_name
        self._until = time.thread_time() + MAX_XLSX_SECONDS

    def read(self, size: int | None = -1, /) -> bytes:
        if time.thread_time() > self._until:
            raise FileRefused(
                f"{self._file_name} took more than {MAX_XLSX_SECONDS:.0f} seconds to read, so "
                "SamePage stopped reading it. Save it as CSV, which reads in seconds, or "
                "split it by year."
            )
        return super().read(size)


def _read_xlsx(data: bytes, file_name: str, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    check_workbook_archive(data, file_name)
    try:
        workbook = load_workbook(_TimedReading(data, file_name), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused(
            f"{file_name} is not a valid Excel workbook: {_first_line(exc)}."
        ) from None
    try:
        names = workbook.sheetnames
        if sheet is not None and sheet not in names:
            raise FileRefused(
                f"{file_name} has no sheet called '{sheet}'; its sheets are: {', '.join(names)}."
            )
        worksheet = workbook[sheet] if sheet is not None else workbook[names[0]]
        rows = _sheet_rows(worksheet, file_name)
    finally:
        workbook.close()
    frame = pd.DataFrame(rows, dtype=str) if rows else pd.DataFrame()
    return _table(frame, file_name, delimiter=None, encoding=None, sheet=worksheet.title)


def _table(
    raw: pd.DataFrame,
    file_name: str,
    *,
    delimiter: str | None,
    encoding: str | None,
    sheet: str | None,
) -> Table:
    """Find the header (the first non-blank row), name the columns and number the rows."""
    where = f"sheet '{sheet}' of {file_name}" if sheet else file_name
    if raw.empty:
        raise FileRefused(f"{where} is empty.")
    cells = raw
    for column in cells.columns:
        cells[column] = cell_text(cells[column])
    filled = cells != ""
    non_blank = filled.any(axis=1).to_numpy()
    if not non_blank.any():
        raise FileRefused(f"{where} is empty.")
    header_at = int(non_blank.argmax())
    headers = [unicodedata.normalize("NFC", h) for h in cells.iloc[header_at]]
    while headers and headers[-1] == "":
        headers.pop()
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        if header == "":
            raise FileRefused(f"Column {position} of {where} has no header.")
        if header.lower() in seen:
            raise FileRefused(
                f"Columns {seen[header.lower()]} and {position} of {where} are both called "
                f"'{header}'."
            )
        seen[header.lower()] = position
    overflow = filled.iloc[header_at + 1 :, len(headers) :].any(axis=1).to_numpy()
    if overflow.any():
        row = header_at + 2 + int(overflow.argmax())
        raise FileRefused(f"Row {row} of {where} has more cells than the header row has columns.")
    body = cells.iloc[header_at + 1 :, : len(headers)]
    body.columns = headers
    body = body.assign(_row=range(header_at + 2, header_at + 2 + len(body)))
    keep = non_blank[header_at + 1 :]
    if not keep.all():
        body = body[keep]
    body = body.reset_index(drop=True)
    if body.empty:
        raise FileRefused(f"{where} has a header row but no figures.")
    return Table(file_name, headers, body, delimiter, encoding, sheet, len(body))


def normalise_header(header: str) -> str:
    """``Planned Budget`` and ``planned-budget`` both read as ``planned_budget``."""
    return re.sub(r"[\s\-./]+", "_", header.strip().lower()).strip("_")


MONTH_HEADERS = ("month", "period", "date", "monat", "mois", "mes")
"""The names a month column goes by, in every import (budget, KPI figures, finance)."""


def find_columns(
    headers: Sequence[str], names: Mapping[str, Sequence[str]]
) -> dict[str, str | None]:
    """Per field, the file's header that reads (normalised) as the first of its ``names``
    the file has, or None: one rule for which column holds what in every import."""
    by_name = {normalise_header(h): h for h in headers}
    return {
        field: next((by_name[n] for n in aliases if n in by_name), None)
        for field, aliases in names.items()
    }


def source_name(file_name: str) -> str:
    """The name a mapping is remembered under: the file name without dates and numbers.

    ``hubspot-export-2026-03.csv`` and ``hubspot-export-2026-04.csv`` share a mapping.
    """
    stem = Path(file_name).stem.lower()
    stem = re.sub(r"[\d]+", " ", stem)
    stem = re.sub(r"[\s_\-.()]+", " ", stem).strip()
    return stem or "spreadsheet"


def _sheet_rows(worksheet: ReadOnlyWorksheet, file_name: str) -> list[list[str]]:
    """The sheet's rows as text, refused once they pass MAX_XLSX_COLUMNS or rows times
    the widest row pass MAX_XLSX_CELLS.

    The dimensions the file declares are let go first: a file saying A1:XFD1048576 would
    otherwise be filled to 17 billion cells, and one saying A1 (as some programs write)
    would lose every column after the first. Blank rows are only kept when a filled row
    follows, so a stray empty row a million lines down costs a count, not a table. Rows
    come back as wide as the widest, as pandas wants them.
    """
    worksheet.reset_dimensions()
    where = f"sheet '{worksheet.title}' of {file_name}"
    rows: list[list[str]] = []
    blank = 0
    width = 1
    for row in worksheet.iter_rows(values_only=True):
        if row.count(None) == len(row):
            blank += 1
            continue
        number = len(rows) + blank + 1
        if len(row) > MAX_XLSX_COLUMNS:
            raise FileRefused(
                f"Row {number:,} of {where} has cells as far as column {len(row):,}; "
                f"SamePage reads sheets of up to {MAX_XLSX_COLUMNS:,} columns."
            )
        width = max(width, len(row))
        if number * width > MAX_XLSX_CELLS:
            raise FileRefused(
                f"The {where} fills more than {MAX_XLSX_CELLS:,} cells ({number:,} rows "
                f"of {width:,} columns, counting the empty ones up to the last filled); "
                "save it as CSV, or split it by year."
            )
        rows.extend([] for _ in range(blank))
        blank = 0
        rows.append([_cell_text(v) for v in row])
    for short in rows:
        short.extend([""] * (width - len(short)))
    return rows


def sheet_names(data: bytes) -> list[str]:
    """The sheets of an XLSX file, so a person can choose one; [] for anything else,
    including a workbook read_table will refuse (it then says why).

    Only the workbook part is read, not the shared strings or the sheets, because the
    page asks on every rerun.
    """
    if not data.startswith(_XLSX_MAGIC):
        return []
    from openpyxl.reader.excel import ExcelReader

    try:
        check_workbook_archive(data, "")
        reader = ExcelReader(_TimedReading(data, ""), read_only=True)
    except (FileRefused, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return []
    try:
        reader.read_manifest()
        reader.read_workbook()
        return [
            sheet.name
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
    except (FileRefused, KeyError, OSError, ValueError, TypeError, AttributeError):
        return []
    finally:
        reader.archive.close()
