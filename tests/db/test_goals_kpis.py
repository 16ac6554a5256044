"""Goals, the KPI tree, KPI figures and the funnel against a real store."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from alignment.objectives import funnel
from alignment.objectives import goals
from alignment.objectives import kpis
from alignment.objectives.kpis import NEVER_SAVED
from alignment.objectives.kpis import KpiInput
from alignment.objectives.kpis import KpiValueChange
from alignment.shared.errors import EditedMeanwhile
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import parse_period
from db.models import KpiValue
from tests import oracle
from tests.conftest import DEMO_TODAY

NOV = parse_period("2026-11")


def kpi_id(store, name):
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT id FROM kpis WHERE name = :n"), {"n": name}).scalar()


def test_period_values_match_the_csv(demo_store, demo_actors):
    csv = oracle.kpi_values(DEMO_TODAY)
    q4 = csv[(csv["month"] >= "2026-10") & (csv["month"] <= "2026-11")]
    with demo_store.session() as session:
        values = kpis.period_values(session, demo_actors["CEO"], parse_period("2026-10..2026-11"))
    by_name = {v.kpi.name: v for v in values.values()}
    for name in ("SQLs", "New revenue", "Leads"):
        rows = q4[q4["kpi"] == name]
        assert by_name[name].actual == pytest.approx(rows["actual"].sum())
        assert by_name[name].target == pytest.approx(rows["target"].sum())


def test_top_of_the_tree_is_results_and_financials_root_first(demo_store, demo_actors):
    with demo_store.session() as session:
        top = kpis.top_kpis(session, demo_actors["CFO"], NOV)
    names = [v.kpi.name for v in top]
    assert names[0] in ("Aided brand awareness", "New revenue")
    assert "Whitepapers published" not in names
    assert names.index("New revenue") < names.index("Won deals") < names.index("SQLs")


def test_a_parent_that_would_loop_is_refused(demo_store, demo_actors):
    cmo = demo_actors["CMO"]
    leads = kpi_id(demo_store, "Leads")
    with demo_store.session() as session:
        with pytest.raises(ValidationFailed, match="would loop"):
            kpis.update_kpi(
                session,
                cmo,
                kpi_id(demo_store, "New revenue"),
                KpiInput(
                    "New revenue",
                    "USD",
                    "higher",
                    "financial",
                    "sum",
                    leads,
                    1000,
                    "revenue per lead",
                ),
            )
        tree = kpis.kpi_tree(session, cmo)
    assert [n.kpi.name for n in tree] == ["New revenue", "Aided brand awareness"]


def test_a_parent_in_another_unit_needs_a_conversion(demo_store, demo_actors):
    cmo = demo_actors["CMO"]
    revenue = kpi_id(demo_store, "New revenue")
    with demo_store.session() as session:
        with pytest.raises(ValidationFailed, match="measured in USD.*converts into USD"):
            kpis.create_kpi(
                session, cmo, KpiInput("Demos booked", "count", "higher", "result", "sum", revenue)
            )
        new = kpis.create_kpi(
            session,
            cmo,
            KpiInput(
                "Demos booked",
                "count",
                "higher",
                "result",
                "sum",
                revenue,
                "12000",
                "new ARR per demo",
            ),
        )
        with pytest.raises(ValidationFailed, match="already exists"):
            kpis.create_kpi(session, cmo, KpiInput("demos booked", "count", "higher", "result"))
    with demo_store.session() as session:
        created = next(k for k in kpis.kpi_list(session, cmo) if k.id == new)
    assert (created.parent_factor, created.conversion_label) == (12000.0, "new ARR per demo")


def test_deleting_a_kpi_a_definition_uses_is_refused_with_its_name(demo_store, demo_actors):
    cmo = demo_actors["CMO"]
    with demo_store.session() as session:
        with pytest.raises(
            ValidationFailed, match="definition of success 'At least 690 marketing-sourced SQLs"
        ):
            kpis.delete_kpi(session, cmo, kpi_id(demo_store, "SQLs"))
        with pytest.raises(ValidationFailed, match="feed into it"):
            kpis.delete_kpi(session, cmo, kpi_id(demo_store, "Leads"))
        events = kpi_id(demo_store, "Events attended")
        kpis.delete_kpi(session, cmo, events, kpis.deletion_loss(session, cmo, events))
    assert kpi_id(demo_store, "Events attended") is None
    assert kpi_id(demo_store, "SQLs") is not None


def test_only_the_ceo_and_cmo_change_the_tree(demo_store, demo_actors):
    for role in ("CFO", "viewer"):
        with demo_store.session() as session, pytest.raises(PermissionDenied):
            kpis.create_kpi(session, demo_actors[role], KpiInput("X", "count", "higher", "result"))


def test_saving_an_actual_is_checked_versioned_and_audited(demo_store, demo_actors):
    cmo = demo_actors["CMO"]
    sqls = kpi_id(demo_store, "SQLs")
    with demo_store.session() as session:
        row = session.scalar(
            sa.select(KpiValue).where(KpiValue.kpi_id == sqls, KpiValue.month == "2026-11")
        )
        version = row.version
        with pytest.raises(ValidationFailed, match="the actual 'lots' is not a number"):
            kpis.save_values(
                session, cmo, [KpiValueChange(sqls, "2026-11", actual="lots", fields=("actual",))]
            )
        with pytest.raises(ValidationFailed, match="month number must be 01 to 12"):
            kpis.save_values(session, cmo, [KpiValueChange(sqls, "2026-13", actual=1)])
        kpis.save_values(
            session,
            cmo,
            [KpiValueChange(sqls, "2026-11", actual=300, version=version, fields=("actual",))],
        )
        with pytest.raises(EditedMeanwhile, match="saved .* by someone else while you were"):
            kpis.save_values(
                session,
                cmo,
                [KpiValueChange(sqls, "2026-11", actual=310, version=version, fields=("actual",))],
            )
        with pytest.raises(PermissionDenied):
            kpis.save_values(
                session, demo_actors["CFO"], [KpiValueChange(sqls, "2026-11", actual=1)]
            )
    with demo_store.session() as session:
        row = session.scalar(
            sa.select(KpiValue).where(KpiValue.kpi_id == sqls, KpiValue.month == "2026-11")
        )
        events = session.execute(sa.text("SELECT action FROM audit_events")).scalars().all()
    assert row.actual == 300 and row.version == version + 1
    assert "kpi_value" in events


def test_a_month_shown_empty_that_someone_filled_meanwhile_is_a_conflict(demo_store, demo_actors):
    """Two tabs on the KPI grid for a month with no figure yet: the second save is refused,
    not written over the first."""
    cmo = demo_actors["CMO"]
    sqls = kpi_id(demo_store, "SQLs")
    with demo_store.session() as session:
        kpis.save_values(
            session, cmo, [KpiValueChange(sqls, "2027-05", 40, None, NEVER_SAVED, ("target",))]
        )
        with pytest.raises(EditedMeanwhile, match=r"SQLs 2027-05 was saved \(target 40"):
            kpis.save_values(
                session, cmo, [KpiValueChange(sqls, "2027-05", 55, None, NEVER_SAVED, ("target",))]
            )
    with demo_store.session() as session:
        rows = session.scalars(
            sa.select(KpiValue).where(KpiValue.kpi_id == sqls, KpiValue.month == "2027-05")
        ).all()
    assert [(r.target, r.version) for r in rows] == [(40, 1)]


def test_kpi_file_import_is_all_or_nothing(demo_store, demo_actors):
    cmo = demo_actors["CMO"]
    good = b"kpi,month,target,actual\nSQLs,2026-12,240,\nmqls,Dec 2026,600,\n"
    with demo_store.session() as session:
        parsed = kpis.read_kpi_file(session, cmo, good, "kpis.csv")
        assert parsed.can_import and len(parsed.changes) == 2
        assert kpis.apply_kpi_file(session, cmo, parsed) == 2
    bad = b"kpi,month,target\nSQLs,2027-01,250\nVibes,2027-01,3\nMQLs,2027-13,x\n"
    with demo_store.session() as session:
        parsed = kpis.read_kpi_file(session, cmo, bad, "kpis.csv")
        assert parsed.problems == [
            "Row 3, column 'kpi': there is no KPI called 'Vibes'.",
            "Row 4, column 'month': '2027-13' has no such month: months run from 01 to 12.",
            "Row 4, column 'target': 'x' is not an amount SamePage can read (expected e.g. "
            "1234.50 or 1.234,50).",
        ]
        with pytest.raises(ValidationFailed, match="Nothing was imported"):
            kpis.apply_kpi_file(session, cmo, parsed)
        count = session.scalar(
            sa.select(sa.func.count()).select_from(KpiValue).where(KpiValue.month == "2027-01")
        )
    assert count == 0


def test_funnel_from_the_tree(demo_store, demo_actors):
    with demo_store.session() as session:
        stages = [s.name for s in funnel.funnel_stages(session, demo_actors["CEO"])]
        counts = funnel.stage_counts(session, demo_actors["CEO"], "2026-11", 12)
    assert stages == ["Leads", "MQLs", "SQLs", "Opportunities", "Won deals"]
    month = funnel.funnel_month(counts, "2026-11")
    csv = oracle.kpi_values(DEMO_TODAY)
    nov = csv[csv["month"] == "2026-11"].set_index("kpi")
    mqls = next(s for s in month.stages if s.stage == "MQLs")
    assert mqls.conversion == pytest.approx(nov.loc["MQLs", "actual"] / nov.loc["Leads", "actual"])
    assert month.biggest_loss is not None


def test_what_if_uses_observed_rates_and_saves_nothing(demo_store, demo_actors):
    mqls = kpi_id(demo_store, "MQLs")
    csv = oracle.kpi_values(DEMO_TODAY)
    last6 = csv[(csv["month"] >= "2026-06") & (csv["month"] <= "2026-11")]
    total = last6.groupby("kpi")["actual"].sum()
    with demo_store.session() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(KpiValue))
        result = funnel.what_if(session, demo_actors["CFO"], mqls, 700, "2026-11", 6)
        after = session.scalar(sa.select(sa.func.count()).select_from(KpiValue))
    rate = total["SQLs"] / total["MQLs"]
    expected_sqls = total["SQLs"] / 6 + (700 - total["MQLs"] / 6) * rate
    assert result.implied[0] == ("SQLs", pytest.approx(expected_sqls))
    assert [name for name, _ in result.implied] == [
        "SQLs",
        "Opportunities",
        "Won deals",
        "New revenue",
    ]
    assert before == after
    with demo_store.session() as session, pytest.raises(ValidationFailed, match="at least one"):
        funnel.what_if(session, demo_actors["CFO"], mqls, 700, "2026-11", 0)


def test_goals_balance_and_the_long_term_warning(demo_store, demo_actors):
    ceo = demo_actors["CEO"]
    with demo_store.session() as session:
        result = goals.balance(session, ceo, NOV)
    shares = {s.horizon: s for s in result.shares}
    csv = oracle.budget(DEMO_TODAY)
    nov = csv[csv["month"] == "2026-11"]
    long_spend = nov[nov["channel"] == "Content & SEO"]["actual_spend"].sum()
    assert shares["long_term"].spend == pytest.approx(long_spend)
    assert shares["long_term"].spend_share == pytest.approx(long_spend / nov["actual_spend"].sum())
    assert (shares["short_term"].goals, shares["long_term"].goals) == (2, 1)
    assert len(result.warnings) == 1 and "has no agreed indicator" in result.warnings[0]


def test_the_ceo_sets_goals_and_bad_goals_are_refused(demo_store, demo_actors):
    ceo, cmo = demo_actors["CEO"], demo_actors["CMO"]
    awareness = kpi_id(demo_store, "Aided brand awareness")
    data = goals.GoalInput(
        "Be known for customer success", "", "CEO", "long_term", "2026-01", "2027-12", (awareness,)
    )
    with demo_store.session() as session:
        with pytest.raises(PermissionDenied):
            goals.create_goal(session, cmo, data)
        with pytest.raises(ValidationFailed, match="ends before it starts"):
            goals.create_goal(
                session, ceo, goals.GoalInput("X", "", "CEO", "long_term", "2027-01", "2026-01")
            )
        goal_id = goals.create_goal(session, ceo, data)
        listed = {g.id: g for g in goals.goals(session, ceo, NOV)}
    assert [k.kpi.name for k in listed[goal_id].kpis] == ["Aided brand awareness"]


def test_channel_horizon_is_the_cmos(demo_store, demo_actors):
    with demo_store.session() as session:
        goals.set_channel_horizon(session, demo_actors["CMO"], "Events & trade shows", "long_term")
        assert goals.channel_horizons(session, demo_actors["CEO"])["Events & trade shows"] == (
            "long_term"
        )
        with pytest.raises(PermissionDenied):
            goals.set_channel_horizon(session, demo_actors["CEO"], "Webinars", "long_term")
