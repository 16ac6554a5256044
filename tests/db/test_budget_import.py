"""Budget import against a real store: all or nothing, idempotent, every bad cell named."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.files import spreadsheet
from alignment.files.spreadsheet import FileRefused
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.spend import budget_import
from alignment.spend.budget_import import MappingNeeded
from alignment.spend.budget_import import apply_import
from alignment.spend.budget_import import preview_import
from alignment.spend.budget_import import read_budget_file
from alignment.spend.budget_import import read_for_import
from db.models import AuditEvent
from db.models import BudgetLine
from db.models import Channel
from db.models import ImportBatch
from db.models import Reconciliation

CMO = Actor(None, "Priya Raman", Role.CMO)
HEADER = (
    "month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
    "attributed_revenue,new_customers\n"
)


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "\n".join(rows) + "\n").encode(encoding)


def snapshot(store) -> list[tuple]:
    with store.engine.connect() as conn:
        lines = conn.execute(
            sa.text(
                "SELECT month, channel_id, campaign, planned_budget, actual_spend, "
                "attributed_pipeline, attributed_revenue, new_customers, version "
                "FROM budget_lines ORDER BY id"
            )
        ).all()
        events = conn.execute(sa.text("SELECT count(*) FROM audit_events")).scalar()
        channels = conn.execute(sa.text("SELECT count(*) FROM channels")).scalar()
    return [*lines, ("events", events), ("channels", channels)]


def do_import(store, data: bytes, name: str = "figures.csv", **kwargs):
    with store.session() as session:
        budget = read_budget_file(data, name, **kwargs)
        return apply_import(session, CMO, budget)


def test_canonical_csv_imports_without_questions_and_again_changes_nothing(store):
    data = csv_bytes(
        "2026-01,Paid search,Brand,1000,1100.50,5000,2500,2",
        "2026-01,Paid search,,200,180,,,",
        "2026-02,Events,ProMat,5000,4800,20000,9000,1",
    )
    result = do_import(store, data)
    assert (result.new, result.changed, result.unchanged, result.written) == (3, 0, 0, True)
    before = snapshot(store)
    again = do_import(store, data)
    assert (again.new, again.changed, again.unchanged, again.written) == (0, 0, 3, False)
    assert snapshot(store) == before
    with store.session() as session:
        line = session.scalar(sa.select(BudgetLine).where(BudgetLine.campaign == "Brand"))
        assert line.actual_spend == 110050 and line.new_customers == 2
        assert line.source == "imported" and line.source_file == "figures.csv"
        assert line.import_id is not None
        blank = session.scalar(sa.select(BudgetLine).where(BudgetLine.campaign == ""))
        assert blank.attributed_revenue is None
        batch = session.scalar(sa.select(ImportBatch))
        assert (batch.rows, batch.new_lines) == (3, 3)


def test_changed_lines_update_with_version_provenance_and_audit(store):
    do_import(store, csv_bytes("2026-01,Paid search,Brand,1000,1100,5000,2500,2"))
    result = do_import(
        store, csv_bytes("2026-01,Paid search,Brand,1000,1250,5000,2500,3"), name="march-update.csv"
    )
    assert (result.new, result.changed) == (0, 1)
    assert set(result.changes["figure"]) == {"Actual spend", "New customers"}
    spend = result.changes[result.changes["figure"] == "Actual spend"].iloc[0]
    assert (spend["old"], spend["new"]) == (1100, 1250)
    with store.session() as session:
        line = session.scalar(sa.select(BudgetLine))
        assert (line.actual_spend, line.version, line.source_file) == (
            125000,
            2,
            "march-update.csv",
        )
        event = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "import"
    change = event.new_value["changes"][0]
    assert change["old"]["actual_spend"] == 110000 and change["new"]["actual_spend"] == 125000


def test_one_bad_row_imports_nothing_and_names_row_and_column(store):
    do_import(store, csv_bytes("2026-01,Paid search,Brand,1000,1100,5000,2500,2"))
    before = snapshot(store)
    data = csv_bytes(
        "2026-01,Paid search,Brand,1000,9999,5000,2500,2",
        "2026-02,Paid search,Brand,1000,lots,5000,2500,2",
        "2026-03,New channel,,1000,1000,5000,2500,2",
    )
    with store.session() as session:
        budget = read_budget_file(data, "bad.csv")
        preview = preview_import(session, CMO, budget)
        assert preview.problem_count == 1
        assert str(preview.problems[0]) == (
            "Row 3, column 'actual_spend': 'lots' is not an amount SamePage can read "
            "(expected e.g. 1234.50 or 1.234,50)."
        )
        assert not preview.can_import
        with pytest.raises(ValidationFailed, match="Nothing was imported.*Row 3"):
            apply_import(session, CMO, budget)
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("2026-13,Search,,1,1,1,1,1", "month", "no such month"),
        ("2026-01,Search,,1,-5,1,1,1", "actual_spend", "is negative"),
        ("2026-01,Search,,1,(5),1,1,1", "actual_spend", "is negative"),
        ("2026-01,Search,,1,1e308,1,1,1", "actual_spend", "too large"),
        ("2026-01,Search,,1,1,1,1,2.5", "new_customers", "whole number"),
        ("2026-01,,,1,1,1,1,1", "channel", "channel is missing"),
        ("2026-01,Search,,twelve,1,1,1,1", "planned_budget", "not an amount"),
        (",Search,,1,1,1,1,1", "month", "month is missing"),
    ],
)
def test_bad_cells_get_a_specific_message_and_change_nothing(store, row, column, reason):
    before = snapshot(store)
    with store.session() as session:
        budget = read_budget_file(csv_bytes(row), "bad.csv")
        preview = preview_import(session, CMO, budget)
        assert preview.problem_count == 1
        problem = preview.problems[0]
        assert (problem.row, problem.column) == (2, column)
        assert reason in problem.reason
        with pytest.raises(ValidationFailed):
            apply_import(session, CMO, budget)
    assert snapshot(store) == before


def test_a_duplicate_line_inside_the_file_is_refused(store):
    data = csv_bytes("2026-01,Search,Brand,1,1,1,1,1", "2026-01,search,Brand,2,2,2,2,2")
    with store.session() as session:
        preview = preview_import(session, CMO, read_budget_file(data, "dup.csv"))
    assert preview.problem_count == 1
    assert preview.problems[0].row == 3
    assert "repeats row 2" in preview.problems[0].reason


def test_european_excel_csv_in_windows_1252_with_decimal_commas(store):
    header = "month;channel;campaign;planned_budget;actual_spend\n"
    data = csv_bytes(
        "Mär 2026;Événements;Salon;1.234,50;1.300,00",
        "04/2026;Événements;Salon;2.000;1 999,99",
        header=header,
        encoding="cp1252",
    )
    result = do_import(store, data, name="budget-fr.csv")
    assert result.new == 2
    with store.session() as session:
        lines = session.execute(
            sa.select(
                BudgetLine.month, BudgetLine.planned_budget, BudgetLine.actual_spend
            ).order_by(BudgetLine.month)
        ).all()
        channel = session.scalar(sa.select(Channel.name))
    assert lines == [("2026-03", 123450, 130000), ("2026-04", 200000, 199999)]
    assert channel == "Événements"


def test_utf8_with_bom_and_currency_symbols(store):
    data = "\ufeff".encode() + csv_bytes('2026-05,Paid search,,"$1,234.50","$1,000"')
    result = do_import(store, data)
    assert result.new == 1
    with store.session() as session:
        assert session.scalar(sa.select(BudgetLine.planned_budget)) == 123450


def test_channel_names_match_the_store_whatever_their_case(store):
    do_import(store, csv_bytes("2026-01,Paid Search,,1,1,1,1,1"))
    result = do_import(
        store, csv_bytes("2026-01,PAID SEARCH,,1,1,1,1,1", "2026-02,paid search,,1,1,1,1,1")
    )
    assert (result.new, result.unchanged) == (1, 1)
    with store.session() as session:
        assert session.scalars(sa.select(Channel.name)).all() == ["Paid Search"]


def test_text_is_stored_exactly_as_given(store):
    data = csv_bytes(
        "2026-01,Réseaux sociaux 社交,<script>alert(1)</script>,1,1,1,1,1",
        '2026-01,Search,=HYPERLINK("x"),1,1,1,1,1',
    )
    do_import(store, data)
    with store.session() as session:
        campaigns = set(session.scalars(sa.select(BudgetLine.campaign)))
        channels = set(session.scalars(sa.select(Channel.name)))
    assert campaigns == {"<script>alert(1)</script>", '=HYPERLINK("x")'}
    assert "Réseaux sociaux 社交" in channels


def xlsx_bytes(rows: list[list], sheet: str = "Budget") -> bytes:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_date_cells_and_numbers(store):
    data = xlsx_bytes(
        [
            [None],
            ["month", "channel", "campaign", "planned_budget", "actual_spend", "new_customers"],
            [dt.datetime(2026, 3, 1), "Webinars", "Series", 1500, 1499.99, 3],
            ["Apr 2026", "Webinars", "Series", "1,500.00", 1600, 4],
        ]
    )
    result = do_import(store, data, name="plan.xlsx")
    assert result.new == 2
    with store.session() as session:
        rows = session.execute(
            sa.select(BudgetLine.month, BudgetLine.actual_spend).order_by(BudgetLine.month)
        ).all()
    assert rows == [("2026-03", 149999), ("2026-04", 160000)]


def test_xlsx_problems_name_the_spreadsheet_row(store):
    data = xlsx_bytes(
        [
            ["month", "channel", "actual_spend"],
            ["2026-01", "Search", 5],
            ["2026-02", "Search", "n/a"],
        ]
    )
    with store.session() as session:
        preview = preview_import(session, CMO, read_budget_file(data, "x.xlsx"))
    assert [(p.row, p.column) for p in preview.problems] == [(3, "actual_spend")]


def test_wrong_sheet_name_lists_the_sheets():
    data = xlsx_bytes([["month", "channel"], ["2026-01", "x"]], sheet="Plan 2026")
    with pytest.raises(FileRefused, match="no sheet called 'Budget'; its sheets are: Plan 2026"):
        read_budget_file(data, "plan.xlsx", sheet="Budget")
    assert read_budget_file(data, "plan.xlsx", sheet="Plan 2026").table.rows == 1


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "is empty"),
        (b"\n\n  \n", "blank.csv", "is empty"),
        (HEADER.encode(), "headers.csv", "header row but no figures"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "photo.csv", "binary data"),
        (b"PK\x03\x04not really a zip", "fake.xlsx", "not a valid Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old.xls", "Excel 97-2003"),
        (b"month,channel\n2026-01,x,extra\n", "ragged.csv", "Line 2 of ragged.csv has 3 cells"),
        (b"month,month\n2026-01,x\n", "twice.csv", "both called 'month'"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(store, data, name, message):
    before = snapshot(store)
    with pytest.raises(FileRefused, match=message):
        read_budget_file(data, name)
    assert snapshot(store) == before


def test_a_file_over_the_size_limit_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_FILE_BYTES", 1000)
    with pytest.raises(FileRefused, match="imports files up to"):
        read_budget_file(csv_bytes(*["2026-01,x,,1,1,1,1,1"] * 100), "big.csv")


def test_other_headers_need_a_mapping_which_is_remembered(store):
    data = csv_bytes("2026-01,Search,700", header="Period,Medium,Cost\n")
    with pytest.raises(MappingNeeded) as needed:
        read_budget_file(data, "hubspot-2026-01.csv")
    assert needed.value.suggestion["month"] == "Period"
    assert needed.value.suggestion["actual_spend"] == "Cost"
    mapping = {"month": "Period", "channel": "Medium", "actual_spend": "Cost"}
    budget = read_budget_file(data, "hubspot-2026-01.csv", mapping=mapping)
    assert budget.source_name == "hubspot"
    with store.session() as session:
        budget_import.remember_mapping(session, CMO, budget.source_name, mapping)
        assert apply_import(session, CMO, budget).new == 1
    with store.session() as session:
        assert budget_import.remembered_mapping(session, "hubspot") == mapping


HUBSPOT = {"month": "Period", "channel": "Medium", "actual_spend": "Cost"}


def test_one_mapping_rule_given_then_standard_headers_then_remembered():
    own = csv_bytes("2026-01,Search,700", header="Period,Medium,Cost\n")
    standard = csv_bytes("2026-01,Search,,1,700,1,1,1")
    assert read_for_import(own, "hubspot.csv", remembered=HUBSPOT).mapping == HUBSPOT
    assert read_for_import(standard, "plan.csv", remembered=HUBSPOT).mapping["actual_spend"] == (
        "actual_spend"
    )
    given = {"month": "Period", "channel": "Medium", "planned_budget": "Cost"}
    assert read_for_import(own, "hubspot.csv", given=given, remembered=HUBSPOT).mapping == given
    with pytest.raises(MappingNeeded, match="not SamePage's own"):
        read_for_import(own, "hubspot.csv", remembered={**HUBSPOT, "revenue": "Won"})


def test_a_given_mapping_that_does_not_fit_the_file_asks_again_naming_the_column():
    own = csv_bytes("2026-01,Search,700", header="Period,Medium,Cost\n")
    with pytest.raises(MappingNeeded, match="no column called 'Spend'. Map it again.") as needed:
        read_for_import(own, "hubspot.csv", given={**HUBSPOT, "actual_spend": "Spend"})
    assert needed.value.suggestion["actual_spend"] == "Cost"


def test_a_refused_import_remembers_no_mapping(store):
    bad = csv_bytes("2026-01,Search,seven hundred", header="Period,Medium,Cost\n")
    budget = read_for_import(bad, "hubspot.csv", given=HUBSPOT)
    with store.session() as session, pytest.raises(ValidationFailed, match="Nothing was imported"):
        budget_import.import_budget(session, CMO, budget)
    with store.session() as session:
        assert budget_import.remembered_mapping(session, "hubspot") is None


def test_an_import_remembers_its_own_mapping_and_not_the_standard_one(store):
    own = csv_bytes("2026-01,Search,700", header="Period,Medium,Cost\n")
    standard = csv_bytes("2026-02,Search,,1,700,1,1,1")
    with store.session() as session:
        budget_import.import_budget(
            session, CMO, read_for_import(own, "hubspot.csv", given=HUBSPOT)
        )
        budget_import.import_budget(session, CMO, read_for_import(standard, "plan.csv"))
    with store.session() as session:
        assert budget_import.remembered_mapping(session, "hubspot") == HUBSPOT
        assert budget_import.remembered_mapping(session, "plan") is None
        events = session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert events.count("remember_mapping") == 1


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"channel": "Medium"}, "Choose the column that holds: Month"),
        ({"month": "Period", "channel": "Period"}, "cannot be both"),
        ({"month": "Period", "channel": "Nope"}, "no column called 'Nope'"),
    ],
)
def test_a_bad_mapping_is_refused(mapping, message):
    data = csv_bytes("2026-01,Search,700", header="Period,Medium,Cost\n")
    with pytest.raises(ValidationFailed, match=message):
        read_budget_file(data, "x.csv", mapping=mapping)


def test_only_the_cmo_imports(store):
    budget = read_budget_file(csv_bytes("2026-01,Search,,1,1,1,1,1"), "x.csv")
    for role in (Role.CEO, Role.CFO, Role.VIEWER, Role.ADMIN):
        with store.session() as session, pytest.raises(PermissionDenied):
            apply_import(session, Actor(None, "x", role), budget)
    assert snapshot(store)[0] == ("events", 0)


def test_a_reconciled_month_is_locked_for_import(store):
    with store.session() as session:
        session.add(Reconciliation(month="2026-01", reconciled=True))
        session.commit()
        preview = preview_import(
            session,
            CMO,
            read_budget_file(
                csv_bytes("2026-01,Search,,1,1,1,1,1", "2026-02,Search,,1,1,1,1,1"), "x.csv"
            ),
        )
    assert preview.problem_count == 1
    assert "reconciled and locked" in preview.problems[0].reason
    assert preview.problems[0].row == 2


def test_a_line_changed_by_someone_else_during_import_writes_nothing(store, monkeypatch):
    do_import(store, csv_bytes("2026-01,Search,,1,1,1,1,1"))
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE budget_lines SET version = version + 1"))
    before = snapshot(store)
    real = budget_import.queries.budget_lines_frame

    def stale(session, months):
        frame = real(session, months)
        frame["version"] = frame["version"] - 1
        return frame

    monkeypatch.setattr(budget_import.queries, "budget_lines_frame", stale)
    with pytest.raises(ValidationFailed, match="changed by someone else"):
        do_import(store, csv_bytes("2026-01,Search,,1,2,1,1,1", "2026-02,Search,,1,1,1,1,1"))
    assert snapshot(store) == before


def test_large_files_report_progress(store):
    rows = [
        f"{2020 + i // 12000}-{(i // 1000) % 12 + 1:02d},Channel {i % 10},c{i},1,1,1,1,1"
        for i in range(12_000)
    ]
    seen = []
    with store.session() as session:
        budget = read_budget_file(csv_bytes(*rows), "big.csv")
        result = apply_import(session, CMO, budget, progress=lambda f, m: seen.append((f, m)))
    assert result.new == 12_000
    assert seen and seen[-1][0] == pytest.approx(1.0)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))


@pytest.fixture(scope="session")
def million_line_file(tmp_path_factory) -> tuple[bytes, int]:
    """A canonical budget CSV of 1,000,000 lines and the sum of its actual spend in cents."""
    rows, spend = [], 0
    for i in range(1_000_000):
        cents = 100_000 + i % 9_973
        spend += cents
        rows.append(
            f"{2020 + i // 120_000}-{(i // 10_000) % 12 + 1:02d},Channel {i % 8},"
            f"campaign {i},1000,{cents // 100}.{cents % 100:02d},4000,2500,1"
        )
    return csv_bytes(*rows), spend


def test_a_million_lines_import(store, million_line_file):
    data, spend = million_line_file
    result = do_import(store, data, name="million.csv")
    assert (result.new, result.problem_count) == (1_000_000, 0)
    with store.engine.connect() as conn:
        count, total = conn.execute(
            sa.text("SELECT count(*), sum(actual_spend) FROM budget_lines")
        ).one()
    assert (count, int(total)) == (1_000_000, spend)


def _set_currency(store, code: str) -> None:
    from alignment.company.settings import update_company

    with store.session() as session:
        update_company(session, Actor(None, "Finn", Role.CFO), currency=code)


def test_amounts_in_another_currency_are_refused_and_nothing_is_written(store):
    """A file in euros went into a dollar store without a word: every sum was wrong."""
    data = csv_bytes(
        "2026-01,Paid search,,1000,1100,5000,2500,2",
        "2026-02,Paid search,,1000,€1.200,5000,2500,2",
        "2026-03,Events,,€5.000,€4.800,20000,9000,1",
    )
    before = snapshot(store)
    with store.session() as session:
        preview = preview_import(session, CMO, read_budget_file(data, "eu.csv"))
    assert preview.problem_count == 1 and not preview.can_import
    assert str(preview.problems[0]) == (
        "Row 3, column 'actual_spend': '€1.200' is in €, but this store keeps its figures in "
        "USD and SamePage does not convert currencies (3 cell(s) in the file carry €); "
        "convert the file or remove the currency marks."
    )
    with pytest.raises(ValidationFailed, match=r"Nothing was imported: 1 cell\(s\).*Row 3"):
        do_import(store, data)
    assert snapshot(store) == before


def test_the_stores_own_currency_and_a_dollar_sign_for_any_dollar_are_read(store):
    _set_currency(store, "EUR")
    euros = do_import(store, csv_bytes("2026-01,Paid search,,€1.000,EUR 1.100,,,"))
    assert euros.written and euros.new == 1
    dollars = csv_bytes("2026-02,Paid search,,$1000,USD 900,,,")
    with store.session() as session:
        refused = preview_import(session, CMO, read_budget_file(dollars, "us.csv"))
    assert [p.value for p in refused.problems] == ["$1000", "USD 900"]
    _set_currency(store, "CAD")
    with store.session() as session:
        canadian = preview_import(session, CMO, read_budget_file(dollars, "us.csv"))
    assert [(p.value, p.column) for p in canadian.problems] == [("USD 900", "actual_spend")]


def test_the_preview_lists_the_lines_it_writes_and_the_files_totals(store):
    """Weekly rows are listed as the monthly lines they become; only new and changed lines
    are listed; the totals cover every line of the file."""
    do_import(store, b"month,channel,actual_spend\n2019-10,Search,500\n")
    data = (
        b"month,channel,actual_spend,new_customers\n"
        b"2019-10-07,Search,100.25,1\n2019-10-14,Search,200.50,2\n"
        b"2019-11-04,TV,1000,0\n2019-11-11,TV,999.99,3\n"
    )
    with store.session() as session:
        preview = preview_import(session, CMO, read_budget_file(data, "weekly.csv"))
    assert preview.totals == {"actual_spend": 2300.74, "new_customers": 6.0}
    assert preview.to_write.to_dict("records") == [
        {
            "what": "changed",
            "month": "2019-10",
            "channel": "Search",
            "campaign": "",
            "actual_spend": 300.75,
            "new_customers": 3.0,
        },
        {
            "what": "new",
            "month": "2019-11",
            "channel": "TV",
            "campaign": "",
            "actual_spend": 1999.99,
            "new_customers": 3.0,
        },
    ]
