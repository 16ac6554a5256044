"""Editing budget lines, finance reconciliation, the baseline and freshness, on a real store."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import parse_period
from alignment.spend.budget import BudgetChanges
from alignment.spend.budget import LineEdit
from alignment.spend.budget import LineRemoval
from alignment.spend.budget import SaveConflict
from alignment.spend.budget import budget_lines
from alignment.spend.budget import export_frame
from alignment.spend.budget import lock_baseline
from alignment.spend.budget import month_freshness
from alignment.spend.budget import save_changes
from alignment.spend.reconciliation import reconcile_month
from alignment.spend.reconciliation import reconciliation
from alignment.spend.reconciliation import record_finance_spend
from alignment.spend.reconciliation import reopen_month
from alignment.spend.reconciliation import unreconciled_months
from db.models import AuditEvent
from db.models import BudgetLine
from tests import oracle
from tests.conftest import DEMO_TODAY

NOV = parse_period("2026-11")


@pytest.fixture
def cmo(demo_actors):
    return demo_actors["CMO"]


@pytest.fixture
def cfo(demo_actors):
    return demo_actors["CFO"]


def first_line(store, month="2026-11"):
    with store.session() as session:
        frame = budget_lines(session, COMMAND_LINE, parse_period(month))
    return frame.iloc[0]


def test_listing_shows_figures_in_currency_units_with_provenance(demo_store, cfo):
    with demo_store.session() as session:
        frame = budget_lines(session, cfo, NOV)
    csv = oracle.budget(DEMO_TODAY)
    november = csv[csv["month"] == "2026-11"]
    assert len(frame) == len(november)
    assert float(frame["actual_spend"].sum()) == pytest.approx(november["actual_spend"].sum())
    assert set(frame["entered_by"]) == {"Priya Raman"}
    assert set(frame["source"]) == {"sample"}


def test_an_edit_is_saved_audited_and_versioned(demo_store, cmo):
    line = first_line(demo_store)
    with demo_store.session() as session:
        result = save_changes(
            session,
            cmo,
            BudgetChanges(
                edits=[LineEdit(int(line["id"]), int(line["version"]), {"actual_spend": 12345.67})]
            ),
        )
    assert result.updated == 1
    with demo_store.session() as session:
        stored = session.get(BudgetLine, int(line["id"]))
        event = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (stored.actual_spend, stored.version, stored.source) == (1234567, 2, "typed")
    assert event.action == "edit" and event.object_id == str(line["id"])
    assert event.new_value == {"actual_spend": 1234567}
    assert event.old_value == {"actual_spend": round(float(line["actual_spend"]) * 100)}


def test_the_second_of_two_saves_on_one_line_gets_a_conflict_naming_the_other_value(
    demo_store, cmo
):
    line = first_line(demo_store)
    seen_version = int(line["version"])
    with demo_store.session() as session:
        save_changes(
            session,
            cmo,
            BudgetChanges(edits=[LineEdit(int(line["id"]), seen_version, {"actual_spend": 1000})]),
        )
    other = cmo
    with demo_store.session() as session, pytest.raises(SaveConflict) as conflict:
        save_changes(
            session,
            other,
            BudgetChanges(edits=[LineEdit(int(line["id"]), seen_version, {"actual_spend": 2000})]),
        )
    message = str(conflict.value)
    assert "Priya Raman changed actual spend to $1,000.00" in message
    assert "you entered $2,000.00" in message
    with demo_store.session() as session:
        assert session.get(BudgetLine, int(line["id"])).actual_spend == 100000


def test_every_cell_is_checked_before_anything_is_written(demo_store, cmo):
    line = first_line(demo_store)
    with demo_store.session() as session:
        before = session.scalar(sa.select(sa.func.sum(BudgetLine.actual_spend)))
        with pytest.raises(ValidationFailed) as refused:
            save_changes(
                session,
                cmo,
                BudgetChanges(
                    edits=[LineEdit(int(line["id"]), int(line["version"]), {"actual_spend": 5})],
                    added=[
                        {"month": "2026-13", "channel": "Radio", "actual_spend": -3},
                        {"month": "2026-11", "channel": "", "new_customers": 1.5},
                    ],
                ),
            )
    message = str(refused.value)
    assert "New line 1: the month '2026-13' has no such month" in message
    assert "New line 1: the actual spend is negative" in message
    assert "New line 2: the channel is missing" in message
    assert "whole number" in message
    with demo_store.session() as session:
        assert session.scalar(sa.select(sa.func.sum(BudgetLine.actual_spend))) == before


def test_adding_and_removing_lines(demo_store, cmo):
    line = first_line(demo_store)
    with demo_store.session() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(BudgetLine))
        save_changes(
            session,
            cmo,
            BudgetChanges(
                added=[
                    {
                        "month": "2026-11",
                        "channel": "Podcasts",
                        "campaign": "Launch",
                        "planned_budget": 900,
                        "actual_spend": 850.5,
                    }
                ],
                removed=[LineRemoval(int(line["id"]), int(line["version"]))],
            ),
        )
    with demo_store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(BudgetLine)) == count
        added = session.scalar(sa.select(BudgetLine).where(BudgetLine.campaign == "Launch"))
        channel = added.channel.name
        actions = session.scalars(sa.select(AuditEvent.action)).all()
    assert added.actual_spend == 85050 and channel == "Podcasts"
    assert {"add", "remove"} <= set(actions)


def test_a_new_line_that_duplicates_an_existing_one_is_refused(demo_store, cmo):
    line = first_line(demo_store)
    with demo_store.session() as session, pytest.raises(ValidationFailed, match="same month"):
        save_changes(
            session,
            cmo,
            BudgetChanges(
                added=[
                    {
                        "month": line["month"],
                        "channel": line["channel"],
                        "campaign": line["campaign"],
                    }
                ]
            ),
        )


def test_only_the_cmo_enters_figures(demo_store):
    line = first_line(demo_store)
    edit = BudgetChanges(
        edits=[LineEdit(int(line["id"]), int(line["version"]), {"actual_spend": 1})]
    )
    for role in (Role.CEO, Role.CFO, Role.VIEWER, Role.ADMIN):
        with demo_store.session() as session, pytest.raises(PermissionDenied):
            save_changes(session, Actor(1, "x", role), edit)


def test_reconciliation_shows_the_gap_and_locks_the_month(demo_store, cmo, cfo):
    with demo_store.session() as session:
        record_finance_spend(session, cfo, "2026-11", 450_000)
        months = {m.month: m for m in reconciliation(session, cfo, "2026-01", "2026-11")}
    november = months["2026-11"]
    marketing = oracle.headline(DEMO_TODAY, "2026-11", "2026-11")["actual_spend"]
    assert float(november.marketing_spend) == pytest.approx(marketing)
    assert float(november.gap) == pytest.approx(marketing - 450_000)
    assert november.matches is False
    with demo_store.session() as session:
        assert "2026-11" in unreconciled_months(session, cfo, "2026-01", "2026-11")
        reconcile_month(session, cfo, "2026-11", "Matches the ledger after accruals")
        assert "2026-11" not in unreconciled_months(session, cfo, "2026-01", "2026-11")
    line = first_line(demo_store)
    with demo_store.session() as session, pytest.raises(ValidationFailed, match="locked"):
        save_changes(
            session,
            cmo,
            BudgetChanges(
                edits=[LineEdit(int(line["id"]), int(line["version"]), {"actual_spend": 1})]
            ),
        )
    with demo_store.session() as session:
        with pytest.raises(ValidationFailed, match="reopen it"):
            record_finance_spend(session, cfo, "2026-11", 1)
        with pytest.raises(ValidationFailed, match="Say why"):
            reopen_month(session, cfo, "2026-11", " ")
        reopen_month(session, cfo, "2026-11", "Late invoice from the events agency")
    with demo_store.session() as session:
        assert "2026-11" in unreconciled_months(session, cfo, "2026-01", "2026-11")
        save_changes(
            session,
            cmo,
            BudgetChanges(
                edits=[LineEdit(int(line["id"]), int(line["version"]), {"actual_spend": 1})]
            ),
        )
    with demo_store.session() as session:
        saved = session.get(BudgetLine, int(line["id"]))
        assert (saved.actual_spend, saved.version) == (100, int(line["version"]) + 1)


def test_reconciliation_refuses_what_makes_no_sense(demo_store, cmo, cfo):
    with demo_store.session() as session:
        with pytest.raises(ValidationFailed, match="Enter finance's booked spend"):
            reconcile_month(session, cfo, "2026-11")
        with pytest.raises(ValidationFailed, match="cannot be negative"):
            record_finance_spend(session, cfo, "2026-11", -1)
        with pytest.raises(ValidationFailed, match="not a booked spend"):
            record_finance_spend(session, cfo, "2026-11", 1e308)
        with pytest.raises(ValidationFailed, match="nothing to reopen"):
            reopen_month(session, cfo, "2026-11", "why not")
        with pytest.raises(PermissionDenied):
            record_finance_spend(session, cmo, "2026-11", 5)
        with pytest.raises(ValidationFailed, match="already reconciled"):
            reconcile_month(session, cfo, "2026-08")


def test_the_baseline_stays_when_the_plan_changes(demo_store, cmo, cfo):
    with demo_store.session() as session:
        session.execute(sa.text("DELETE FROM reconciliations"))
        session.execute(sa.text("UPDATE budget_lines SET reconciled = false"))
        session.commit()
        locked = lock_baseline(session, cfo, "2025-06")
    assert (locked.first_month, locked.last_month) == ("2025-01", "2025-12")
    line = first_line(demo_store, "2025-06")
    planned = float(line["planned_budget"])
    assert float(line["baseline_budget"]) == planned
    with demo_store.session() as session:
        save_changes(
            session,
            cmo,
            BudgetChanges(
                edits=[
                    LineEdit(
                        int(line["id"]), int(line["version"]), {"planned_budget": planned + 500}
                    )
                ]
            ),
        )
    line = first_line(demo_store, "2025-06")
    assert (float(line["planned_budget"]), float(line["baseline_budget"])) == (
        planned + 500,
        planned,
    )
    with demo_store.session() as session:
        with pytest.raises(ValidationFailed, match="already locked"):
            lock_baseline(session, cfo, "2026-02")
        with pytest.raises(ValidationFailed, match="no planned budget"):
            lock_baseline(session, cfo, "2030-01")
        with pytest.raises(PermissionDenied):
            lock_baseline(session, cmo, "2025-01")


def test_months_not_updated_for_35_days_are_flagged_unless_reconciled(demo_store, cfo):
    with demo_store.session() as session:
        fresh = month_freshness(
            session, cfo, parse_period("2026-08..2026-11"), today=dt.date(2026, 11, 23)
        ).set_index("month")
    assert fresh.loc["2026-09", "days_since_update"] == 50
    assert bool(fresh.loc["2026-09", "stale"]) is True
    assert bool(fresh.loc["2026-08", "stale"]) is False
    assert bool(fresh.loc["2026-08", "reconciled"]) is True
    assert bool(fresh.loc["2026-11", "stale"]) is False
    assert fresh.loc["2026-09", "updated_by"] == "Priya Raman"
    with demo_store.session() as session:
        session.execute(
            sa.update(BudgetLine)
            .where(BudgetLine.month == "2026-11")
            .values(entered_at=dt.datetime(2026, 10, 1))
        )
        session.commit()
        fresh = month_freshness(session, cfo, parse_period("2026-11"), today=dt.date(2026, 11, 23))
    assert bool(fresh.iloc[0]["stale"]) is True


def test_export_frame_has_the_canonical_columns(demo_store, cfo):
    with demo_store.session() as session:
        frame = export_frame(session, cfo, parse_period("2026"), ["Webinars"])
    assert list(frame.columns) == [
        "month",
        "channel",
        "campaign",
        "planned_budget",
        "actual_spend",
        "attributed_pipeline",
        "attributed_revenue",
        "new_customers",
    ]
    assert set(frame["channel"]) == {"Webinars"} and len(frame) == 11


def test_listing_shows_missing_figures_as_missing(demo_store, cmo):
    with demo_store.session() as session:
        save_changes(session, cmo, BudgetChanges(added=[{"month": "2026-11", "channel": "Radio"}]))
        frame = budget_lines(session, cmo, NOV, ["Radio"])
    assert frame["actual_spend"].isna().all() and frame["new_customers"].isna().all()


def test_the_cfo_imports_finance_figures_all_or_nothing(demo_store, cfo, cmo):
    from alignment.spend.reconciliation import apply_finance_file
    from alignment.spend.reconciliation import read_finance_file

    good = b"Month;Booked spend\n2026-10;580.000,50\nNov 2026;460.000\n"
    with demo_store.session() as session:
        finance = read_finance_file(session, cfo, good, "ledger.csv")
        assert finance.can_import
        assert apply_finance_file(session, cfo, finance) == 2
        months = {m.month: m for m in reconciliation(session, cfo, "2026-10", "2026-11")}
    assert float(months["2026-10"].finance_spend) == 580000.5
    assert float(months["2026-11"].finance_spend) == 460000.0
    bad = b"month,finance_spend\n2026-11,1\n2026-08,5\n2026-13,2\n2026-11,-4\n"
    with demo_store.session() as session:
        finance = read_finance_file(session, cfo, bad, "ledger.csv")
        assert len(finance.problems) == 3
        assert "Row 3: August 2026 is reconciled" in finance.problems[0]
        assert finance.problems[1] == (
            "Row 4, column 'month': '2026-13' has no such month: months run from 01 to 12."
        )
        assert "Row 5" in finance.problems[2]
        with pytest.raises(ValidationFailed, match="Nothing was imported"):
            apply_finance_file(session, cfo, finance)
        months = {m.month: m for m in reconciliation(session, cfo, "2026-11", "2026-11")}
        assert float(months["2026-11"].finance_spend) == 460000.0
        with pytest.raises(ValidationFailed, match="needs a column 'finance_spend'"):
            read_finance_file(session, cfo, b"month,cost_centre\n2026-11,4\n", "x.csv")
        with pytest.raises(PermissionDenied):
            read_finance_file(session, cmo, good, "ledger.csv")
