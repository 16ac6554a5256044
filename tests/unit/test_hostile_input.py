"""Property-based tests: whatever text, numbers or bytes arrive, the readers answer with a
value or a specific sentence, never a crash, and every export defuses formulas."""

from __future__ import annotations

import csv
import io
import re
import string

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from alignment.files import spreadsheet
from alignment.files.cells import parse_amounts
from alignment.files.cells import parse_months
from alignment.files.export import to_csv
from alignment.files.export import to_xlsx
from alignment.files.spreadsheet import FileRefused
from alignment.files.spreadsheet import read_table
from alignment.files.spreadsheet import sheet_names
from alignment.shared.errors import SamePageError
from alignment.spend.budget_import import BudgetFile
from alignment.spend.budget_import import read_budget_file
from tests.unit.test_export import DDE_PAYLOAD
from tests.unit.test_export import OWASP_FORMULA_STARTS as FORMULA_STARTS
from tests.xlsx_bombs import far_cell_workbook
from tests.xlsx_bombs import many_parts_workbook
from tests.xlsx_bombs import shared_strings_bomb
from tests.xlsx_bombs import stored_workbook

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = [
    "month",
    "channel",
    "campaign",
    "planned_budget",
    "actual_spend",
    "attributed_pipeline",
    "attributed_revenue",
    "new_customers",
]
hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            '=HYPERLINK("http://evil.example","x")',
            "+1+1",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1",
            "\r=1",
            DDE_PAYLOAD,
            "<script>alert(1)</script>",
            "**bold** [link](http://evil.example)",
            "1e309",
            "NaN",
            "-0",
            "(5)",
            "1,234,567.891",
            "١٢٣",
            "\x00",
            "2026-13",
            "0000-00",
            "9999-12",
        ]
    ),
)
cells = st.one_of(hostile_text, st.integers().map(str), st.floats().map(str))


@FAST
@given(st.lists(cells, min_size=1, max_size=30), st.booleans())
def test_amount_and_month_readers_answer_every_cell(values, decimal_comma):
    series = pd.Series(values, dtype=object)
    numbers, reasons = parse_amounts(series, decimal_comma)
    assert len(numbers) == len(reasons) == len(values)
    for number, reason in zip(numbers, reasons, strict=True):
        assert pd.isna(number) or pd.isna(reason)
        assert pd.isna(reason) or (isinstance(reason, str) and reason)
        assert pd.isna(number) or abs(number) <= 999_999_999_999.99
    months, month_reasons = parse_months(series)
    for month, reason in zip(months, month_reasons, strict=True):
        assert pd.notna(reason) or (len(month) == 7 and month[4] == "-")


@FAST
@given(st.binary(max_size=2_000), st.sampled_from(["figures.csv", "figures.xlsx", "f"]))
def test_any_bytes_are_read_or_refused_with_a_sentence(data, name):
    try:
        read_table(data, name)
    except SamePageError as refused:
        assert str(refused).strip()


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@FAST
@given(st.lists(st.lists(cells, min_size=8, max_size=8), min_size=1, max_size=12))
def test_a_budget_file_of_any_cells_names_each_bad_cell_by_row_and_column(rows):
    try:
        budget = read_budget_file(_csv(rows), "budget.csv")
    except SamePageError as refused:
        assert str(refused).strip()
        return
    assert isinstance(budget, BudgetFile)
    for problem in budget.problems:
        assert 2 <= problem.row <= len(rows) + 1
        assert problem.column in HEADER
        assert problem.reason
    bad_rows = {p.row for p in budget.problems}
    good_rows = set(budget.lines["_row"])
    assert not bad_rows & good_rows
    for number, row in enumerate(rows, start=2):
        if any(cell.strip() for cell in row):
            assert number in bad_rows | good_rows, f"row {number} was neither read nor refused"


formula_text = st.builds(
    lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), st.text(max_size=20)
)


@FAST
@given(st.lists(st.one_of(formula_text, hostile_text), min_size=1, max_size=10))
def test_no_exported_cell_can_run_as_a_formula(texts):
    frame = pd.DataFrame({"campaign": texts, "note": list(reversed(texts))})
    rows = list(csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig"), newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS)
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Sheet": frame}))).active
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            assert cell.value is None or not str(cell.value).startswith(FORMULA_STARTS)


@FAST
@given(st.text(alphabet=string.ascii_letters + string.punctuation + " ", max_size=30))
def test_exported_text_comes_back_as_typed_after_the_apostrophe(text):
    frame = pd.DataFrame({"campaign": [text]})
    [_, [back]] = list(csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig"), newline="")))
    assert back == ("'" + text if text.startswith(FORMULA_STARTS) else text)


def _refusal(data: bytes, *, by_archive: bool = True, sheets: list[str] | None = None) -> str:
    """What read_table says; a file refused by its archive offers no sheets either."""
    with pytest.raises(FileRefused) as refused:
        read_table(data, "plan.xlsx")
    assert sheet_names(data) == (sheets if sheets is not None else [] if by_archive else ["Budget"])
    return str(refused.value)


def test_a_workbook_of_packed_shared_strings_is_refused_by_its_packing():
    """The 0.13 MB file that took 63 s and 284 MB: refused from ZIP's directory alone."""
    data = shared_strings_bomb(20)
    assert len(data) < 100_000
    message = _refusal(data)
    assert re.fullmatch(
        r"plan\.xlsx is packed \d{3} times \(xl/sharedStrings\.xml unpacks from \d+ KB to "
        r"20\.0 MB\); spreadsheet programs pack about 10 times and SamePage refuses more "
        r"than 100 times\. Save it again from your spreadsheet program, or as CSV\.",
        message,
    ), message


def test_a_workbook_that_unpacks_past_the_limit_is_refused_by_its_size():
    assert _refusal(stored_workbook(26)) == (
        "plan.xlsx unpacks to 26.0 MB; SamePage reads workbooks that unpack to at most "
        "25.0 MB (about 65,000 lines of eight columns). Save it as CSV, or split it by year."
    )


def test_a_workbook_that_reads_too_slowly_is_stopped_with_a_sentence(monkeypatch):
    """Within the size limits, XML built to be slow per byte is stopped by processor time."""
    data = shared_strings_bomb(0.5)
    monkeypatch.setattr(spreadsheet, "MAX_XLSX_SECONDS", 0.0)
    assert _refusal(data, by_archive=False, sheets=[]) == (
        "plan.xlsx took more than 0 seconds to read, so SamePage stopped reading it. Save it "
        "as CSV, which reads in seconds, or split it by year."
    )


def test_a_workbook_whose_directory_alone_is_huge_is_refused_before_it_is_read():
    assert _refusal(many_parts_workbook(10_000)) == (
        "plan.xlsx is not a workbook SamePage reads: it holds 10,005 parts in a 0.6 MB "
        "directory, and a workbook has at most 10,000. Save it again from your spreadsheet "
        "program, or as CSV."
    )


def test_a_cell_a_million_rows_down_is_refused_by_the_cells_it_would_fill():
    assert _refusal(far_cell_workbook("A1:C2", "C1048576"), by_archive=False) == (
        "The sheet 'Budget' of plan.xlsx fills more than 2,000,000 cells (1,048,576 rows of "
        "3 columns, counting the empty ones up to the last filled); save it as CSV, or split "
        "it by year."
    )


def test_a_cell_in_the_last_column_is_refused_by_its_column():
    assert _refusal(far_cell_workbook("A1:C2", "XFD100"), by_archive=False) == (
        "Row 100 of sheet 'Budget' of plan.xlsx has cells as far as column 16,384; SamePage "
        "reads sheets of up to 1,000 columns."
    )


@pytest.mark.parametrize("dimension", ["A1", "A1:XFD1048576", "A1:C2"])
def test_the_used_range_a_file_declares_neither_drops_nor_invents_cells(dimension):
    """Read-only openpyxl trusted the declared range: 'A1' lost every column after the
    first, 'A1:XFD1048576' filled 17 billion empty cells."""
    data = far_cell_workbook(dimension, None)
    table = read_table(data, "plan.xlsx")
    assert table.headers == ["month", "channel", "actual_spend"]
    assert table.frame.drop(columns="_row").values.tolist() == [["2026-01", "Search", "5"]]
    assert sheet_names(data) == ["Budget"]


def test_a_small_packed_part_and_a_workbook_under_the_limits_are_read():
    assert read_table(shared_strings_bomb(0.5), "plan.xlsx").headers == ["month", "channel"]
    assert read_table(stored_workbook(24), "plan.xlsx").headers == ["month", "channel"]
