"""Goals and KPIs on a team's own store: set up before any budget figure, years of history,
months not yet reported, goals with their own months, and deleting what figures hang on."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from alignment.access.accounts import add_user
from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.users import actor_by_email
from alignment.objectives import goals
from alignment.objectives import kpis
from alignment.objectives.kpis import KpiInput
from alignment.objectives.kpis import KpiValueChange
from alignment.shared import clock
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import month_period
from alignment.shared.periods import parse_period
from alignment.shared.periods import quarter_to_date

TODAY = "2019-12-10"


@pytest.fixture
def team(store) -> dict[str, Actor]:  # type: ignore[no-untyped-def]
    with clock.pinned(TODAY), store.session() as session:
        for email, name, role in (
            ("ines@hollis.example", "Ines Hollis", "CEO"),
            ("omar@hollis.example", "Omar Reyes", "CFO"),
            ("lena@hollis.example", "Lena Park", "CMO"),
        ):
            add_user(session, COMMAND_LINE, email, name, role, "a long pass phrase")
        return {
            a.role.value: a
            for a in (
                actor_by_email(session, e)
                for e in ("ines@hollis.example", "omar@hollis.example", "lena@hollis.example")
            )
        }


def _tree(store, team) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Revenue <- SQLs <- Webinars, built by hand; no budget line anywhere."""
    cmo = team["CMO"]
    with clock.pinned(TODAY), store.session() as session:
        revenue = kpis.create_kpi(
            session, cmo, KpiInput("New revenue", "USD", "higher", "financial")
        )
        sqls = kpis.create_kpi(
            session, cmo, KpiInput("SQLs", "count", "higher", "result", "sum", revenue, "5000")
        )
        webinars = kpis.create_kpi(
            session, cmo, KpiInput("Webinars", "count", "higher", "activity", "sum", sqls, "20")
        )
    return {"New revenue": revenue, "SQLs": sqls, "Webinars": webinars}


def _figures(store, team, kpi_id, rows) -> None:  # type: ignore[no-untyped-def]
    with clock.pinned(TODAY), store.session() as session:
        kpis.save_values(
            session,
            team["CMO"],
            [KpiValueChange(kpi_id, month, target, actual) for month, target, actual in rows],
        )


def test_goals_and_kpis_are_set_up_before_any_budget_figure(store, team):
    ids = _tree(store, team)
    with clock.pinned(TODAY), store.session() as session:
        choices = goals.goal_month_choices(session, team["CEO"])
        goal = goals.create_goal(
            session,
            team["CEO"],
            goals.GoalInput(
                "Grow new revenue",
                "",
                "CEO",
                "short_term",
                "2019-01",
                "2019-12",
                (ids["New revenue"],),
            ),
        )
    assert (choices.months, choices.opening) == (["2019-12"], "2019-12")
    assert goal > 0


def test_months_with_kpi_figures_years_back_are_offered(store, team):
    ids = _tree(store, team)
    _figures(store, team, ids["SQLs"], [("2014-03", 40, 38), ("2014-04", 40, 41)])
    with clock.pinned(TODAY), store.session() as session:
        choices = goals.goal_month_choices(session, team["CFO"])
    assert choices.months == ["2019-12", "2014-04", "2014-03"]
    assert choices.opening == "2014-04"


def test_to_date_compares_only_months_with_actuals(store, team):
    """Q4 to date with December not reported: October and November, 20 of 20, not of 30."""
    ids = _tree(store, team)
    _figures(
        store,
        team,
        ids["SQLs"],
        [("2019-10", 10, 9), ("2019-11", 10, 11), ("2019-12", 10, None)],
    )
    with clock.pinned(TODAY), store.session() as session:
        values = kpis.period_values(session, team["CEO"], quarter_to_date("2019-12"))
    sqls = values[ids["SQLs"]]
    assert (sqls.target, sqls.actual, sqls.status) == (20.0, 20.0, "green")
    assert sqls.reported == ("2019-10", "2019-11")
    assert kpis.compared_note(sqls) == "2 of 3 months"
    with clock.pinned(TODAY):
        note = kpis.to_date_note(quarter_to_date("2019-12"))
    assert note.endswith("December 2019 is in progress.")
    webinars = values[ids["Webinars"]]
    assert (webinars.target, webinars.actual, webinars.status) == (None, None, None)


def test_a_month_with_only_a_target_shows_the_target_and_no_status(store, team):
    ids = _tree(store, team)
    _figures(store, team, ids["SQLs"], [("2019-12", 10, None)])
    with clock.pinned(TODAY), store.session() as session:
        values = kpis.period_values(session, team["CEO"], month_period("2019-12"))
    assert (values[ids["SQLs"]].target, values[ids["SQLs"]].actual) == (10.0, None)
    assert values[ids["SQLs"]].status is None


def test_a_goal_is_measured_over_its_own_months(store, team):
    ids = _tree(store, team)
    _figures(store, team, ids["SQLs"], [("2019-11", 10, 4), ("2019-12", 10, 12)])
    with clock.pinned(TODAY), store.session() as session:
        for title, first, last in (
            ("Next year", "2020-01", "2020-12"),
            ("Last quarter", "2019-10", "2019-11"),
            ("Long gone", "2018-01", "2018-12"),
        ):
            goals.create_goal(
                session,
                team["CEO"],
                goals.GoalInput(title, "", "CEO", "short_term", first, last, (ids["SQLs"],)),
            )
        shown = {
            g.title: g for g in goals.goals(session, team["CEO"], parse_period("2019-11..2019-12"))
        }
    assert shown["Next year"].measured is None
    assert shown["Next year"].timing == (
        "Starts in January 2020: nothing to measure in Nov 2019 – Dec 2019."
    )
    assert [v.status for v in shown["Next year"].kpis] == [None]
    assert shown["Long gone"].timing.startswith("Ended in December 2018")
    last_quarter = shown["Last quarter"]
    assert (last_quarter.measured.first, last_quarter.measured.last) == ("2019-11", "2019-11")
    assert (last_quarter.kpis[0].target, last_quarter.kpis[0].actual) == (10.0, 4.0)
    assert last_quarter.kpis[0].status == "red"


def test_negative_kpi_figures_are_refused_typed_and_imported(store, team):
    ids = _tree(store, team)
    with clock.pinned(TODAY), store.session() as session:
        with pytest.raises(
            ValidationFailed, match="SQLs 2019-11: the target -40 cannot be negative"
        ):
            kpis.save_values(session, team["CMO"], [KpiValueChange(ids["SQLs"], "2019-11", -40, 3)])
        parsed = kpis.read_kpi_file(
            session, team["CMO"], b"kpi,month,target\nSQLs,2019-11,-40\nSQLs,2019-10,40\n", "k.csv"
        )
    assert parsed.problems == ["Row 2, column 'target': '-40' cannot be negative."]
    assert not parsed.can_import
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM kpi_values")).scalar() == 0


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("x" * 61, "the name is longer than 60 characters (61)"),
        ("Tab\there", "the name contains control characters"),
    ],
)
def test_kpi_names_have_a_limit_and_one_line(store, team, name, problem):
    with clock.pinned(TODAY), store.session() as session:
        with pytest.raises(ValidationFailed, match=problem.replace("(", r"\(").replace(")", r"\)")):
            kpis.create_kpi(session, team["CMO"], KpiInput(name, "count", "higher", "result"))


def test_goal_titles_have_a_limit(store, team):
    with clock.pinned(TODAY), store.session() as session:
        with pytest.raises(ValidationFailed, match="the title is longer than 150 characters"):
            goals.create_goal(
                session,
                team["CEO"],
                goals.GoalInput("t" * 151, "", "CEO", "short_term", "2019-01", "2019-12"),
            )


def test_deleting_a_kpi_with_figures_and_a_goal_needs_the_loss_confirmed(store, team):
    ids = _tree(store, team)
    months = [f"2019-{m:02d}" for m in range(6, 12)]
    _figures(store, team, ids["Webinars"], [(m, 3, 2) for m in months])
    with clock.pinned(TODAY), store.session() as session:
        goals.create_goal(
            session,
            team["CEO"],
            goals.GoalInput(
                "Run webinars", "", "CMO", "short_term", "2019-01", "2019-12", (ids["Webinars"],)
            ),
        )
    cmo = team["CMO"]
    with clock.pinned(TODAY), store.session() as session:
        loss = kpis.deletion_loss(session, cmo, ids["Webinars"])
        assert kpis.loss_in_words(loss) == (
            "6 months of figures (Jun 2019 – Nov 2019) and its link to the goal 'Run webinars'"
        )
        with pytest.raises(ValidationFailed, match="'Webinars' was not deleted: it would take 6"):
            kpis.delete_kpi(session, cmo, ids["Webinars"])
    _figures(store, team, ids["Webinars"], [("2019-12", 3, 1)])
    with clock.pinned(TODAY), store.session() as session:
        with pytest.raises(ValidationFailed, match="changed since you looked"):
            kpis.delete_kpi(session, cmo, ids["Webinars"], loss)
        loss = kpis.deletion_loss(session, cmo, ids["Webinars"])
        kpis.delete_kpi(session, cmo, ids["Webinars"], loss)
    with store.engine.connect() as conn:
        event = conn.execute(
            sa.text(
                "SELECT old_value FROM audit_events WHERE action = 'delete' AND object_type = 'kpi'"
            )
        ).scalar()
        left = conn.execute(sa.text("SELECT count(*) FROM kpi_values")).scalar()
    old = json.loads(event) if isinstance(event, str) else event
    assert old["name"] == "Webinars" and old["goals"] == ["Run webinars"]
    assert [f["month"] for f in old["figures"]] == [*months, "2019-12"]
    assert old["figures"][0] == {"month": "2019-06", "target": 3.0, "actual": 2.0}
    assert left == 0


def test_a_kpi_without_figures_or_goals_is_deleted_at_once(store, team):
    ids = _tree(store, team)
    with clock.pinned(TODAY), store.session() as session:
        kpis.delete_kpi(session, team["CMO"], ids["Webinars"])
        assert [k.name for k in kpis.kpi_list(session, team["CMO"])] == ["New revenue", "SQLs"]
