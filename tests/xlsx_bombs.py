"""Crafted XLSX files that cost little to send and much to read, for the upload limits."""

from __future__ import annotations

import io
import zipfile

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_OFFICE = "application/vnd.openxmlformats-officedocument"
_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.spreadsheetml.'
        'sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE}.'
        'spreadsheetml.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_OFFICE}.spreadsheetml.'
        'sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="Budget" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    "xl/worksheets/sheet1.xml": (
        f'<worksheet xmlns="{_MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>2026-01</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>Search</t></is></c></row>'
        "</sheetData></worksheet>"
    ),
}
_STRING = b"<si><t>a</t></si>"


def shared_strings_bomb(unpacked_mb: float) -> bytes:
    """A valid workbook whose shared strings unpack to ``unpacked_mb`` MB of ``<si>``
    elements from a few hundred KB: the shape of the 0.13 MB file that took 63 s."""
    out = io.BytesIO()
    count = max(2, int(unpacked_mb * 1024 * 1024) // len(_STRING))
    chunk = _STRING * 65_536
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for name, text in _PARTS.items():
            bomb.writestr(name, text)
        with bomb.open("xl/sharedStrings.xml", "w") as part:
            part.write(f'<sst xmlns="{_MAIN}">'.encode())
            part.write(b"<si><t>month</t></si><si><t>channel</t></si>")
            for _ in range((count - 2) // 65_536):
                part.write(chunk)
            part.write(_STRING * ((count - 2) % 65_536) + b"</sst>")
    return out.getvalue()


def stored_workbook(padding_mb: float) -> bytes:
    """A workbook without compression carrying ``padding_mb`` MB of extra part: large
    unpacked, but not compressed at all."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as stored:
        for name, text in _PARTS.items():
            stored.writestr(name, text)
        stored.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{_MAIN}"><si><t>month</t></si><si><t>channel</t></si></sst>',
        )
        stored.writestr("xl/media/padding.bin", b"\x00" * int(padding_mb * 1024 * 1024))
    return out.getvalue()


def far_cell_workbook(dimension: str, far_cell: str | None) -> bytes:
    """A small workbook declaring ``dimension`` as its used range, with one more cell at
    ``far_cell`` (for example the last one, XFD1048576) after two ordinary rows."""
    far = ""
    if far_cell:
        row = far_cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        far = f'<row r="{row}"><c r="{far_cell}"><v>1</v></c></row>'
    sheet = (
        f'<worksheet xmlns="{_MAIN}"><dimension ref="{dimension}"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="inlineStr"><is><t>actual_spend</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>2026-01</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>Search</t></is></c><c r="C2"><v>5</v></c></row>'
        f"{far}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in {**_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            book.writestr(name, text)
        book.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{_MAIN}"><si><t>month</t></si><si><t>channel</t></si></sst>',
        )
    return out.getvalue()


def many_parts_workbook(parts: int) -> bytes:
    """A workbook carrying ``parts`` empty extra parts: its ZIP directory is what grows."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as book:
        for name, text in _PARTS.items():
            book.writestr(name, text)
        for number in range(parts):
            book.writestr(f"xl/media/{number:x}", b"")
    return out.getvalue()
