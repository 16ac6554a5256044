"""The forecast and the landing on a team's own store (not the demo), years back, with a
fiscal year that starts in April: today is 15 June 2019, so the fiscal year is April 2019 to
March 2020, April and May have their actuals and June to March are still to come.

Every expected figure is worked out by hand from FILE:
- the three complete months before June (March to May 2019) are what the run-rate averages
  and what the plan's return per dollar is read from. Search spent 9,000 + 11,000 + 10,000
  = 30,000 for pipeline 120,000 (4.0 per dollar), revenue 60,000 (2.0) and 30 customers
  (one per 1,000). Events spent 4,000 + 6,000 = 10,000 for revenue 20,000 (2.0), no
  pipeline and 6 customers (0.6 per 1,000);
- the plan: Search 12,000 a month for June to March (ten months), Events 5,000 a month
  for June to September (four months).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.users import actor_by_email
from alignment.company.settings import update_company
from alignment.meeting import review
from alignment.shared import clock
from alignment.shared.errors import EditedMeanwhile
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.spend import budget
from alignment.spend import reconciliation
from alignment.spend.budget_import import apply_import
from alignment.spend.budget_import import read_budget_file
from alignment.spend.forecast import ForecastBasis
from alignment.spend.forecast import ForecastEdit
from alignment.spend.forecast import forecast_frame
from alignment.spend.forecast import forecast_year
from alignment.spend.forecast import refuse_closed_month
from alignment.spend.forecast import save_forecast
from alignment.spend.forecast import start_forecast
from alignment.spend.landing import fiscal_quarter
from alignment.spend.landing import fiscal_year
from alignment.spend.landing import fiscal_year_starting
from alignment.spend.landing import forecast_accuracy
from alignment.spend.landing import landing
from alignment.spend.landing import landing_path
from db.models import AuditEvent
from db.models import BudgetLine

TODAY = dt.date(2019, 6, 15)
REST = [
    "2019-06",
    "2019-07",
    "2019-08",
    "2019-09",
    "2019-10",
    "2019-11",
    "2019-12",
    "2020-01",
    "2020-02",
    "2020-03",
]
HEADER = (
    "month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
    "attributed_revenue,new_customers\n"
)
FILE = (
    HEADER
    + "2019-03,Search,,10000,9000,36000,18000,9\n"
    + "2019-04,Search,,10000,11000,44000,22000,11\n"
    + "2019-04,Events,,5000,4000,0,8000,2\n"
    + "2019-05,Search,,10000,10000,40000,20000,10\n"
    + "2019-05,Events,,5000,6000,0,12000,4\n"
    + "".join(f"{m},Search,,12000,,,,\n" for m in REST)
    + "".join(f"{m},Events,,5000,,,,\n" for m in REST[:4])
).encode()


@pytest.fixture
def team(store) -> dict[str, Actor]:  # type: ignore[no-untyped-def]
    with clock.pinned(TODAY), store.session() as session:
        for email, name, role in (
            ("ines@hollis.example", "Ines Hollis", "CEO"),
            ("omar@hollis.example", "Omar Reyes", "CFO"),
            ("lena@hollis.example", "Lena Park", "CMO"),
        ):
            accounts.add_user(session, COMMAND_LINE, email, name, role, "a long pass phrase")
        people = {
            a.role.value: a
            for a in (
                actor_by_email(session, e)
                for e in ("ines@hollis.example", "omar@hollis.example", "lena@hollis.example")
            )
        }
        update_company(session, people["CFO"], fiscal_year_start_month=4)
        apply_import(session, people["CMO"], read_budget_file(FILE, "plan-2019.csv"))
    return people


def by_channel(result) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {line.channel: line for line in result.channels}


def test_the_open_months_are_this_month_to_the_end_of_the_fiscal_year(store, team):
    with clock.pinned(TODAY), store.session() as session:
        year = forecast_year(session, team["CEO"])
    assert (year.first, year.last, list(year.open_months)) == ("2019-04", "2020-03", REST)


def test_without_a_forecast_the_plan_stands_in_for_the_months_to_come(store, team):
    with clock.pinned(TODAY), store.session() as session:
        result = landing(session, team["CFO"], fiscal_year(session, team["CFO"]))
    search, events = by_channel(result)["Search"], by_channel(result)["Events"]
    assert result.actual_months == ("2019-04", "2019-05")
    assert list(result.forecast_months) == REST
    assert (search.actual_to_date, search.forecast_rest, search.landing) == (
        Decimal("21000.00"),
        Decimal("120000.00"),
        Decimal("141000.00"),
    )
    assert search.plan == Decimal("140000.00")
    assert search.gap_to_plan == Decimal("1000.00")
    assert search.gap_to_plan_pct == pytest.approx(1000 / 140000)
    assert (search.months_on_plan, events.months_on_plan) == (10, 4)
    assert (events.landing, events.plan, events.gap_to_plan) == (
        Decimal("30000.00"),
        Decimal("30000.00"),
        Decimal("0.00"),
    )
    assert result.total.landing == Decimal("171000.00")
    assert result.total.baseline is None and result.total.gap_to_baseline is None


def test_a_forecast_started_from_the_plan_carries_each_channels_return_per_dollar(store, team):
    with clock.pinned(TODAY), store.session() as session:
        started = start_forecast(session, team["CMO"], ForecastBasis.PLAN)
        frame = forecast_frame(session, team["CMO"])
        result = landing(session, team["CEO"], fiscal_year(session, team["CEO"]))
    assert (started.lines, list(started.months), started.months_without_basis) == (14, REST, ())
    june = frame[frame["month"] == "2019-06"].set_index("channel")
    assert june.loc["Search", ["spend", "pipeline", "revenue", "new_customers"]].tolist() == [
        Decimal("12000.00"),
        Decimal("48000.00"),
        Decimal("24000.00"),
        12,
    ]
    assert june.loc["Events", ["spend", "pipeline", "revenue", "new_customers"]].tolist() == [
        Decimal("5000.00"),
        Decimal("0.00"),
        Decimal("10000.00"),
        3,
    ]
    assert set(frame["spend_from"]) == set(frame["revenue_from"]) == {"plan"}
    search = by_channel(result)["Search"]
    assert search.months_on_plan == 0
    assert search.revenue == Decimal("282000.00")  # 42,000 to date + 10 x 24,000
    assert search.pipeline == Decimal("564000.00")  # 84,000 to date + 10 x 48,000
    assert search.new_customers == 21 + 120
    assert by_channel(result)["Events"].revenue == Decimal("60000.00")  # 20,000 + 4 x 10,000


def test_a_run_rate_forecast_shows_events_heading_over_plan(store, team):
    with clock.pinned(TODAY), store.session() as session:
        started = start_forecast(session, team["CMO"], ForecastBasis.RUN_RATE, months=3)
        result = landing(session, team["CFO"], fiscal_year(session, team["CFO"]))
    events = by_channel(result)["Events"]
    assert started.lines == 20
    # 10,000 / 3 = 3,333.33 a month for ten months, on 10,000 to date
    assert events.forecast_rest == Decimal("33333.30")
    assert events.landing == Decimal("43333.30")
    assert events.gap_to_plan == Decimal("13333.30")
    assert events.gap_to_plan_pct == pytest.approx(13333.30 / 30000)
    assert by_channel(result)["Search"].landing == Decimal("121000.00")  # 21,000 + 10 x 10,000


def test_the_landing_of_the_fiscal_quarter(store, team):
    with clock.pinned(TODAY), store.session() as session:
        start_forecast(session, team["CMO"], ForecastBasis.PLAN)
        quarter = fiscal_quarter(session, team["CEO"])
        result = landing(session, team["CEO"], quarter)
    assert (quarter.first, quarter.last, quarter.label) == (
        "2019-04",
        "2019-06",
        "Fiscal Q1 Apr 2019 – Jun 2019",
    )
    assert by_channel(result)["Search"].landing == Decimal("33000.00")  # 21,000 + 12,000
    assert result.total.plan == Decimal(
        "47000.00"
    )  # Search 10,000 + 10,000 + 12,000; Events 3 x 5,000


def test_the_baseline_once_locked_is_what_the_landing_is_held_to(store, team):
    with clock.pinned(TODAY), store.session() as session:
        budget.lock_baseline(session, team["CFO"], "2019-06")
        start_forecast(session, team["CMO"], ForecastBasis.RUN_RATE)
        result = landing(session, team["CFO"], fiscal_year_starting(session, team["CFO"], 2019))
    assert result.total.baseline == Decimal("170000.00")
    assert result.total.landing == Decimal("164333.30")  # Search 121,000 + Events 43,333.30
    assert result.total.gap_to_baseline == Decimal("-5666.70")


def _reconcile_june(session, team) -> None:  # type: ignore[no-untyped-def]
    reconciliation.record_finance_spend(session, team["CFO"], "2019-06", 0)
    reconciliation.reconcile_month(session, team["CFO"], "2019-06", "closed early")


def _close_junes_review(session, team) -> None:  # type: ignore[no-untyped-def]
    review.close_review(session, team["CEO"], "2019-06", today=TODAY)


@pytest.mark.parametrize(
    "close", [_reconcile_june, _close_junes_review], ids=["reconciled", "reviewed"]
)
def test_a_closed_month_counts_its_actuals_and_takes_no_forecast(store, team, close):
    with clock.pinned(TODAY), store.session() as session:
        close(session, team)
        year = forecast_year(session, team["CMO"])
        result = landing(session, team["CFO"], fiscal_year(session, team["CFO"]))
        with pytest.raises(ValidationFailed, match="June 2019 is closed"):
            refuse_closed_month(session, "2019-06")
        with pytest.raises(ValidationFailed, match="May 2019 is over"):
            refuse_closed_month(session, "2019-05")
        refuse_closed_month(session, "2019-07")
    assert list(year.open_months) == REST[1:]
    assert result.actual_months == ("2019-04", "2019-05", "2019-06")
    assert by_channel(result)["Search"].landing == Decimal("129000.00")  # 21,000 + 9 x 12,000


def test_only_the_cmo_starts_a_forecast_and_nothing_is_written_otherwise(store, team):
    with clock.pinned(TODAY), store.session() as session:
        with pytest.raises(PermissionDenied):
            start_forecast(session, team["CFO"], ForecastBasis.PLAN)
        with pytest.raises(ValidationFailed, match="between 1 and 24"):
            start_forecast(session, team["CMO"], ForecastBasis.RUN_RATE, months=0)
        assert forecast_frame(session, team["CFO"]).empty


def test_starting_again_replaces_the_open_months_and_the_trail_says_what_was_there(store, team):
    with clock.pinned(TODAY), store.session() as session:
        start_forecast(session, team["CMO"], ForecastBasis.PLAN)
        start_forecast(session, team["CMO"], ForecastBasis.RUN_RATE)
        frame = forecast_frame(session, team["CMO"])
        events = session.execute(
            select(AuditEvent.action, AuditEvent.old_value, AuditEvent.new_value)
            .where(AuditEvent.object_type == "forecast")
            .order_by(AuditEvent.id)
        ).all()
    assert len(frame) == 20 and set(frame["spend_from"]) == {"run rate"}
    assert [(action, old, new["lines"]) for action, old, new in events] == [
        ("start_forecast", {"lines": 0}, 14),
        ("start_forecast", {"lines": 14}, 20),
    ]


def _line(frame, month: str, channel: str):  # type: ignore[no-untyped-def]
    return frame[(frame["month"] == month) & (frame["channel"] == channel)].iloc[0]


def test_a_typed_figure_is_marked_typed_and_moves_the_landing(store, team):
    with clock.pinned(TODAY), store.session() as session:
        start_forecast(session, team["CMO"], ForecastBasis.PLAN)
        july = _line(forecast_frame(session, team["CMO"]), "2019-07", "Events")
        saved = save_forecast(
            session,
            team["CMO"],
            [
                ForecastEdit(
                    int(july["id"]), int(july["version"]), {"spend": 9000, "revenue": "10000"}
                )
            ],
        )
        after = _line(forecast_frame(session, team["CMO"]), "2019-07", "Events")
        result = landing(session, team["CFO"], fiscal_year(session, team["CFO"]))
    assert (saved.lines, saved.figures) == (1, 1)  # revenue was 10,000 already
    assert (after["spend"], after["spend_from"], after["revenue_from"]) == (
        Decimal("9000.00"),
        "typed",
        "plan",
    )
    assert by_channel(result)["Events"].landing == Decimal("34000.00")  # 30,000 + 4,000


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ({"spend": -5}, "the spend is negative"),
        ({"revenue": "lots"}, "the revenue 'lots' is not a number"),
        ({"new_customers": 2.5}, "2.5 is not a whole number of new customers"),
        ({"spend": 1e15}, "the spend 1000000000000000.0 is too large"),
    ],
)
def test_a_bad_figure_names_the_line_and_saves_nothing(store, team, typed, reason):
    with clock.pinned(TODAY), store.session() as session:
        start_forecast(session, team["CMO"], ForecastBasis.PLAN)
        before = forecast_frame(session, team["CMO"])
        first, second = before.iloc[0], before.iloc[1]
        edits = [
            ForecastEdit(int(first["id"]), int(first["version"]), {"spend": 1}),
            ForecastEdit(int(second["id"]), int(second["version"]), typed),
        ]
        with pytest.raises(ValidationFailed, match=f"Line {second['id']}: {reason}"):
            save_forecast(session, team["CMO"], edits)
        assert forecast_frame(session, team["CMO"]).equals(before)


def test_a_line_changed_meanwhile_refuses_the_save_and_names_who(store, team):
    with clock.pinned(TODAY), store.session() as session:
        start_forecast(session, team["CMO"], ForecastBasis.PLAN)
        line = _line(forecast_frame(session, team["CMO"]), "2019-08", "Search")
        seen = ForecastEdit(int(line["id"]), int(line["version"]), {"spend": 1000})
        save_forecast(session, team["CMO"], [seen])
        with pytest.raises(EditedMeanwhile, match="Lena Park changed Search, August 2019"):
            save_forecast(
                session, team["CMO"], [ForecastEdit(seen.line_id, seen.version, {"spend": 2})]
            )
        assert _line(forecast_frame(session, team["CMO"]), "2019-08", "Search")["spend"] == 1000


def test_a_month_closed_meanwhile_takes_no_typed_forecast(store, team):
    with clock.pinned(TODAY), store.session() as session:
        start_forecast(session, team["CMO"], ForecastBasis.PLAN)
        june = _line(forecast_frame(session, team["CMO"]), "2019-06", "Search")
        _close_junes_review(session, team)
        with pytest.raises(ValidationFailed, match="Search: June 2019 is closed"):
            save_forecast(
                session,
                team["CMO"],
                [ForecastEdit(int(june["id"]), int(june["version"]), {"spend": 1})],
            )


def test_a_month_to_come_with_neither_forecast_nor_plan_is_named(store, team):
    """Events has no plan after September; Search has one for every month. A team whose
    plan stops in December: January to March count nothing, and the landing says so."""
    with clock.pinned(TODAY), store.session() as session:
        result = landing(session, team["CFO"], fiscal_year(session, team["CFO"]))
        assert result.unplanned_months == ()
        budget.save_changes(
            session,
            team["CMO"],
            budget.BudgetChanges(
                removed=[
                    budget.LineRemoval(line_id, version)
                    for line_id, version in session.execute(
                        select(BudgetLine.id, BudgetLine.version).where(
                            BudgetLine.month >= "2020-01"
                        )
                    )
                ]
            ),
        )
        result = landing(session, team["CFO"], fiscal_year(session, team["CFO"]))
    assert result.unplanned_months == ("2020-01", "2020-02", "2020-03")
    assert result.unplanned_words == (
        "No forecast and no plan for Jan 2020, Feb 2020, Mar 2020: the landing counts no "
        "spend there. The CMO forecasts them on Budget & return."
    )
    assert by_channel(result)["Search"].landing == Decimal("105000.00")  # 21,000 + 7 x 12,000


JUNE_AND_JULY = (
    HEADER
    + "2019-06,Search,,12000,10000,,30000,\n"
    + "2019-06,Events,,5000,4000,,8000,\n"
    + "2019-07,Search,,12000,15000,,20000,\n"
    + "2019-07,Events,,5000,5000,,,\n"
).encode()


def test_each_closed_review_keeps_its_landing_and_the_path_ends_today(store, team):
    """June closes in early July with June's actuals in: Search 11,000 + 10,000 + 10,000 +
    9 x 12,000 = 139,000 and Events 4,000 + 6,000 + 4,000 + 3 x 5,000 = 29,000, 168,000 in
    all. By August, July is in too: Search 142,000, Events 29,000, 171,000."""
    with clock.pinned(TODAY), store.session() as session:
        start_forecast(session, team["CMO"], ForecastBasis.PLAN)
    july, august = dt.date(2019, 7, 5), dt.date(2019, 8, 10)
    with clock.pinned(july), store.session() as session:
        apply_import(
            session,
            team["CMO"],
            read_budget_file(JUNE_AND_JULY.split(b"\n2019-07")[0] + b"\n", "june.csv"),
        )
        review.close_review(session, team["CEO"], "2019-06", today=july)
    with clock.pinned(august), store.session() as session:
        apply_import(session, team["CMO"], read_budget_file(JUNE_AND_JULY, "june-july.csv"))
        year = fiscal_year(session, team["CFO"])
        path = landing_path(session, team["CFO"], year)
    assert path.to_dict("records") == [
        {"month": "2019-06", "landing": 168000.0, "plan": 170000.0, "baseline": None, "kept": True},
        {
            "month": "2019-08",
            "landing": 171000.0,
            "plan": 170000.0,
            "baseline": None,
            "kept": False,
        },
    ]


def test_forecast_accuracy_is_the_mean_absolute_percentage_error_per_channel(store, team):
    """Forecast from the plan: Search 12,000 spend and 24,000 revenue a month, Events 5,000
    and 10,000. June and July happened: Search spent 10,000 and 15,000 (20 % and 20 % off)
    and earned 30,000 and 20,000 (20 % and 20 %); Events spent 4,000 and 5,000 (25 % and
    0 %) and earned 8,000 in June (25 %) and nothing recorded in July (left out)."""
    with clock.pinned(TODAY), store.session() as session:
        start_forecast(session, team["CMO"], ForecastBasis.PLAN)
    with clock.pinned(dt.date(2019, 8, 10)), store.session() as session:
        apply_import(session, team["CMO"], read_budget_file(JUNE_AND_JULY, "june-july.csv"))
        accuracy = forecast_accuracy(session, team["CFO"], fiscal_year(session, team["CFO"]))
    table = accuracy.by_channel.set_index("channel")
    assert table.loc["Search", "months"] == 2 and table.loc["Events", "months"] == 2
    assert table.loc["Search", "spend_mape"] == pytest.approx(0.20)
    assert table.loc["Search", "revenue_mape"] == pytest.approx(0.20)
    assert table.loc["Events", "spend_mape"] == pytest.approx(0.125)
    assert table.loc["Events", "revenue_mape"] == pytest.approx(0.25)
    assert set(table["forecast_by"]) == {"Lena Park"}
    july_events = accuracy.months[
        (accuracy.months["month"] == "2019-07") & (accuracy.months["channel"] == "Events")
    ].iloc[0]
    assert july_events["spend_error"] == 0 and pd.isna(july_events["revenue_error"])
