"""The demo company: loaded whole, shifted to the current month, never over existing data."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.company.sample import load_sample
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import StoreNotEmpty
from db.models import AuditEvent
from db.models import Baseline
from db.models import BudgetLine
from db.models import Channel
from db.models import ChecklistAnswer
from db.models import Goal
from db.models import Kpi
from db.models import MaturityAssessment
from db.models import Reconciliation
from db.models import Request
from db.models import SuccessDefinitionEvent
from db.models import SuccessDefinitionVersion
from db.models import User
from tests import oracle
from tests.conftest import DEMO_TODAY


def _count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_company_covers_24_months_up_to_the_current_month(demo_store):
    expected = oracle.budget(DEMO_TODAY)
    with demo_store.session() as session:
        months = session.scalars(sa.select(BudgetLine.month).distinct()).all()
        assert _count(session, BudgetLine) == len(expected)
        channels = session.scalars(sa.select(Channel.name)).all()
        campaigns = session.scalars(sa.select(BudgetLine.campaign).distinct()).all()
    assert len(months) == 24
    assert max(months) == "2026-11" and min(months) == "2024-12"
    assert 6 <= len(channels) <= 8
    assert len([c for c in campaigns if c]) >= len(channels)


def test_months_follow_today_so_the_demo_never_goes_stale(store):
    with store.session() as session:
        summary = load_sample(session, COMMAND_LINE, today=dt.date(2027, 3, 2))
        months = session.scalars(sa.select(BudgetLine.month).distinct()).all()
        answers = session.scalars(sa.select(ChecklistAnswer.month).distinct()).all()
    assert (summary.first_month, summary.last_month) == ("2025-04", "2027-03")
    assert max(months) == "2027-03" and len(months) == 24
    assert max(answers) == "2027-03" and len(answers) == 6


def test_demo_company_has_goals_kpi_tree_definitions_and_answers(demo_store):
    with demo_store.session() as session:
        goals = session.scalars(sa.select(Goal)).all()
        kpis = {k.name: k for k in session.scalars(sa.select(Kpi))}
        states = session.scalars(sa.select(SuccessDefinitionVersion.state)).all()
        answers = session.execute(
            sa.select(
                ChecklistAnswer.month,
                ChecklistAnswer.item_id,
                ChecklistAnswer.role,
                ChecklistAnswer.score,
            )
        ).all()
        assessed = _count(session, MaturityAssessment)
        roles = set(session.scalars(sa.select(User.role)))
        signed = session.scalars(
            sa.select(SuccessDefinitionVersion).where(
                SuccessDefinitionVersion.state == "signed_off"
            )
        ).all()
    assert len(goals) == 3
    assert [g.horizon for g in goals].count("long_term") == 1
    chain = [
        "Whitepapers published",
        "Leads",
        "MQLs",
        "SQLs",
        "Opportunities",
        "Won deals",
        "New revenue",
    ]
    for child, parent in zip(chain, chain[1:], strict=False):
        assert kpis[child].parent_id == kpis[parent].id
    assert kpis["Whitepapers published"].kind == "activity"
    assert kpis["New revenue"].kind == "financial"
    assert "signed_off" in states and "proposed" in states
    assert all(v.content_hash and v.signed_by_id for v in signed)
    assert {"CEO", "CFO", "CMO"} <= roles
    assert assessed == 16
    months = sorted({a.month for a in answers})
    assert len(months) == 6
    latest = [a for a in answers if a.month == months[-1]]
    assert {a.role for a in latest} == {"CEO", "CFO", "CMO"}
    by_item: dict[int, list[int]] = {}
    for a in latest:
        by_item.setdefault(a.item_id, []).append(a.score)
    gaps = [max(s) - min(s) for s in by_item.values()]
    assert sum(gap >= 2 for gap in gaps) >= 2


def test_loading_twice_is_refused_and_changes_nothing(demo_store):
    with demo_store.session() as session:
        before = _count(session, BudgetLine), _count(session, AuditEvent)
        with pytest.raises(StoreNotEmpty, match="--replace"):
            load_sample(session, COMMAND_LINE, today=DEMO_TODAY)
    with demo_store.session() as session:
        assert (_count(session, BudgetLine), _count(session, AuditEvent)) == before


def test_replace_wipes_the_store_and_loads_the_demo_again(demo_store):
    with demo_store.session() as session:
        session.execute(sa.update(BudgetLine).values(actual_spend=0))
        session.commit()
        load_sample(session, COMMAND_LINE, today=DEMO_TODAY, replace=True)
    with demo_store.session() as session:
        spend = session.scalar(sa.select(sa.func.sum(BudgetLine.actual_spend)))
        assert _count(session, BudgetLine) == len(oracle.budget(DEMO_TODAY))
    assert float(spend) / 100 == pytest.approx(oracle.budget(DEMO_TODAY)["actual_spend"].sum())


def test_only_an_administrator_loads_the_demo(store):
    with store.session() as session, pytest.raises(PermissionDenied):
        load_sample(session, Actor(1, "Priya", Role.CMO), today=DEMO_TODAY)
    assert store.is_empty()


def test_loading_is_audited(demo_store):
    with demo_store.session() as session:
        events = session.scalars(sa.select(AuditEvent)).all()
    assert [e.action for e in events] == ["load_sample"]
    assert events[0].hash and events[0].new_value["company"] == "Kestrel Analytics"


def test_demo_finance_and_baseline(demo_store):
    with demo_store.session() as session:
        reconciled = session.scalars(
            sa.select(Reconciliation.month).where(Reconciliation.reconciled.is_(True))
        ).all()
        open_months = session.scalars(
            sa.select(Reconciliation.month).where(Reconciliation.reconciled.is_(False))
        ).all()
        baseline = session.scalar(sa.select(Baseline))
        replanned = session.scalars(
            sa.select(BudgetLine).where(
                BudgetLine.baseline_budget.is_not(None),
                BudgetLine.baseline_budget != BudgetLine.planned_budget,
            )
        ).all()
        locked_lines = session.scalar(
            sa.select(sa.func.count())
            .select_from(BudgetLine)
            .where(BudgetLine.reconciled.is_(True))
        )
    assert max(reconciled) == "2026-08" and len(reconciled) == 21
    assert sorted(open_months) == ["2026-09", "2026-10"]
    assert (baseline.first_month, baseline.last_month) == ("2026-01", "2026-12")
    assert replanned and {line.month for line in replanned} <= {
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    }
    assert locked_lines == len(oracle.budget(DEMO_TODAY).query("month <= '2026-08'"))


@pytest.mark.parametrize(
    ("today", "year"),
    [(dt.date(2026, 12, 1), 2026), (dt.date(2027, 1, 15), 2027), (dt.date(2031, 12, 1), 2031)],
)
def test_fiscal_year_goals_and_definitions_keep_to_the_fiscal_year(store, today, year):
    """The demo's fiscal year starts in January: its fiscal goal runs January to December
    of the year the demo ends in, whatever month it is loaded in, and says which year."""
    with store.session() as session:
        load_sample(session, COMMAND_LINE, today=today)
        goals = {g.horizon + g.owner_role: g for g in session.scalars(sa.select(Goal)).all()}
        periods = session.execute(
            sa.select(
                SuccessDefinitionVersion.period_start,
                SuccessDefinitionVersion.period_end,
                SuccessDefinitionVersion.deadline,
            ).where(SuccessDefinitionVersion.title.like("Marketing earns its budget back%"))
        ).one()
    arr = goals["short_termCEO"]
    assert (arr.start_month, arr.end_month) == (f"{year}-01", f"{year}-12")
    assert arr.title == f"Grow marketing-sourced new ARR to $14M in fiscal {year}"
    brand = goals["long_termCEO"]
    assert (brand.start_month, brand.end_month) == (f"{year}-01", f"{year + 2}-12")
    assert brand.description.endswith(f"by the end of {year + 2}.")
    assert tuple(periods) == (f"{year}-01", f"{year}-12", dt.date(year, 12, 31))


@pytest.mark.parametrize("today", [dt.date(2026, 12, 1), dt.date(2027, 2, 28)])
def test_nothing_in_the_demo_happened_after_today(store, today):
    """Loaded on the 1st, a request asked on the 10th of last month would land on the 10th of
    this month: in the future."""
    with store.session() as session:
        load_sample(session, COMMAND_LINE, today=today)
        asked = session.scalars(sa.select(Request.asked_on)).all()
        decided = [d for d in session.scalars(sa.select(Request.decided_on)).all() if d]
        events = session.scalars(sa.select(SuccessDefinitionEvent.at)).all()
        signed = [s for s in session.scalars(sa.select(SuccessDefinitionVersion.signed_at)) if s]
    assert asked and max(asked) <= today
    assert decided and max(decided) <= today
    assert max(events) < dt.datetime.combine(today, dt.time(0, 0))
    assert max(signed) < dt.datetime.combine(today, dt.time(0, 0))
