import datetime as dt

import pytest

from alignment.shared.errors import ValidationFailed
from alignment.trust.checklist import movers
from alignment.trust.maturity import CompetenceLevel
from alignment.trust.maturity import check_quarter
from alignment.trust.maturity import largest_gaps
from alignment.trust.maturity import previous_quarter
from alignment.trust.request_log import RequestView
from alignment.trust.request_log import stats


def test_movers_rank_items_by_how_much_they_moved():
    now = {1: [4, 4, 5], 2: [2, 2, 2], 3: [3, 3, 3], 4: [5]}
    before = {1: [3, 3, 3], 2: [4, 4, 4], 3: [3, 3, 3]}
    moved = movers(now, before)
    assert moved[0] == (2, -2.0)
    assert moved[1][0] == 1 and moved[1][1] == pytest.approx(4.333 - 3, abs=0.01)
    assert (3, 0.0) in moved and all(item != 4 for item, _ in moved)


def level(name, current, desired, previous=None):
    return CompetenceLevel(1, name, current, desired, "", previous)


def test_largest_gaps_and_quarter_change():
    levels = [
        level("Data", 2, 4, 2),
        level("Brand", 3, 4, 2),
        level("Ops", 3, 5),
        level("Tech", 3, 3),
        level("Team", None, 4),
    ]
    assert [g.competence for g in largest_gaps(levels)] == ["Data", "Ops", "Brand"]
    assert levels[1].change == 1 and levels[0].change == 0 and levels[2].change is None
    assert levels[4].gap is None


@pytest.mark.parametrize(("quarter", "before"), [("2026-Q1", "2025-Q4"), ("2026-Q3", "2026-Q2")])
def test_previous_quarter(quarter, before):
    assert previous_quarter(quarter) == before


@pytest.mark.parametrize("bad", ["2026-Q5", "Q3 2026", "2026-3", ""])
def test_quarters_are_checked(bad):
    with pytest.raises(ValidationFailed, match="is not a quarter"):
        check_quarter(bad)


def view(title, decision=None, decided=None, research="r", expected="e"):
    return RequestView(
        1,
        title,
        "",
        "CEO",
        None,
        dt.date(2026, 1, 5),
        research,
        expected,
        None,
        "",
        decision,
        "",
        decided,
        "",
        None,
    )


def test_request_stats_count_direction_changes_and_decisions_without_research():
    views = [
        view("TikTok", "do", dt.date(2026, 2, 1), research=""),
        view("Booth", "do", dt.date(2026, 3, 1)),
        view("Podcast", "dont", dt.date(2026, 5, 1)),
        view("Radio", "later", dt.date(2026, 5, 2)),
        view("Print ad", "later", dt.date(2026, 5, 3), research=""),
        view("Blog"),
        view("Webinar", "do", dt.date(2026, 7, 9)),
    ]
    result = stats(views)
    assert result.direction_changes == {"2026-Q1": 2, "2026-Q3": 1}
    assert result.decided_without_research == ["TikTok"]
    assert result.open_requests == 1
    assert result.put_off == 2
