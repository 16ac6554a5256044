import io

import openpyxl
import pandas as pd
import pytest

from alignment.export import neutralise
from alignment.export import to_csv
from alignment.export import to_xlsx


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Brand", "Brand"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_formula_text_is_neutralised_and_numbers_are_not(value, expected):
    assert neutralise(value) == expected


def test_csv_and_xlsx_never_carry_a_formula():
    frame = pd.DataFrame({"campaign": ['=HYPERLINK("x")', "ok"], "spend": [-5.0, 3.0]})
    text = to_csv(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "-5.0" in text
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Lines": frame})))
    sheet = book["Lines"]
    assert sheet["A2"].value == '\'=HYPERLINK("x")' and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5
