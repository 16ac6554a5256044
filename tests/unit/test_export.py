import csv
import io

import openpyxl
import pandas as pd
import pytest

from alignment.files.export import neutralise
from alignment.files.export import to_csv
from alignment.files.export import to_xlsx

OWASP_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The characters OWASP's CSV-injection guidance says make a spreadsheet read a cell as a
formula: equals, plus, minus, at, tab and carriage return. Written out here, not taken from
alignment.files.export, so that dropping one there fails this test."""
DDE_PAYLOAD = "=cmd|' /C calc'!A0"
"""OWASP's example of dynamic data exchange: opened in Excel, it starts a program."""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (DDE_PAYLOAD, "'" + DDE_PAYLOAD),
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("Brand", "Brand"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_formula_text_is_neutralised_and_numbers_are_not(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("start", OWASP_FORMULA_STARTS)
def test_every_owasp_formula_start_is_neutralised_in_csv_and_xlsx(start):
    text = start + "1+1"
    frame = pd.DataFrame({"campaign": [text, DDE_PAYLOAD]})
    [header, first, dde] = list(
        csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig"), newline=""))
    )
    assert header == ["campaign"]
    assert first == ["'" + text] and dde == ["'" + DDE_PAYLOAD]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Lines": frame})))["Lines"]
    assert sheet["A2"].data_type == "s" and sheet["A3"].data_type == "s"
    assert sheet["A2"].value.startswith("'") and sheet["A2"].value.endswith("1+1")
    assert sheet["A3"].value == "'" + DDE_PAYLOAD


def test_csv_and_xlsx_never_carry_a_formula():
    frame = pd.DataFrame({"campaign": ['=HYPERLINK("x")', "ok"], "spend": [-5.0, 3.0]})
    text = to_csv(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "-5.0" in text
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Lines": frame})))
    sheet = book["Lines"]
    assert sheet["A2"].value == '\'=HYPERLINK("x")' and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5


def test_a_control_character_before_a_formula_cannot_hide_it_in_xlsx():
    """Hypothesis found it: XLSX drops "\\x1f", so "\\x1f=0" became the formula "=0"."""
    frame = pd.DataFrame({"campaign": ["\x1f=0", "\x1f=cmd|' /C calc'!A0"]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Sheet": frame}))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s", "s"]
    assert [c.value for c in cells] == ["'=0", "'=cmd|' /C calc'!A0"]
