"""Confidence by role (issue 19, item 6): each executive rates each goal each month, 0-10;
a spread of 3 or more between the roles is a perception gap, shown with its trend."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from alignment.access.permissions import COMMAND_LINE
from alignment.meeting import review
from alignment.meeting.review_tables import CONFIDENCE_TABLE
from alignment.meeting.review_tables import sections
from alignment.objectives import confidence
from alignment.objectives.goals import GoalInput
from alignment.objectives.goals import create_goal
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import parse_period
from db.models import AuditEvent
from db.models import ConfidenceRating

NOVEMBER = "2026-11"
ARR = "Grow marketing-sourced new ARR to $14M in fiscal 2026"
PIPELINE = "Keep pipeline at three times the bookings target"


def of(store, actor, title, month=NOVEMBER):
    with store.session() as session:
        return next(g for g in confidence.confidence(session, actor, month) if g.title == title)


def count(store):
    with store.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(ConfidenceRating))


def test_the_demo_s_arr_goal_has_a_widening_gap_between_the_cmo_and_the_cfo(
    demo_store, demo_actors
):
    arr = of(demo_store, demo_actors["viewer"], ARR)
    assert {role: r.score if r else None for role, r in arr.ratings.items()} == {
        "CEO": 6,
        "CFO": 4,
        "CMO": 8,
    }
    assert arr.spread == 4 and arr.gap
    assert arr.ratings["CFO"].comment == (
        "Bookings lag pipeline by a quarter: Q4 needs 40 % more won deals than Q3 delivered."
    )
    assert [(t.month, t.scores["CFO"], t.scores["CMO"], t.spread, t.gap) for t in arr.trend] == [
        ("2026-09", 6, 8, 2, False),
        ("2026-10", 5, 8, 3, True),
        ("2026-11", 4, 8, 4, True),
    ]
    pipeline = of(demo_store, demo_actors["viewer"], PIPELINE)
    assert pipeline.spread == 1 and not pipeline.gap


def test_a_rating_is_one_per_goal_month_and_role_and_a_re_rating_replaces_it(
    demo_store, demo_actors
):
    cfo = demo_actors["CFO"]
    goal = of(demo_store, cfo, ARR).goal_id
    before = count(demo_store)
    with demo_store.session() as session:
        confidence.rate(session, cfo, goal, NOVEMBER, 7, "Two big deals signed this week.")
    with demo_store.session() as session:
        event = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert count(demo_store) == before
    assert event.actor == f"{cfo.name} (CFO)"
    assert event.old_value == {
        "score": 4,
        "comment": "Bookings lag pipeline by a quarter: Q4 needs 40 % more won deals than Q3 "
        "delivered.",
    }
    assert event.new_value == {
        "goal": ARR,
        "month": NOVEMBER,
        "role": "CFO",
        "score": 7,
        "comment": "Two big deals signed this week.",
    }
    arr = of(demo_store, cfo, ARR)
    assert arr.ratings["CFO"].score == 7 and arr.spread == 2 and not arr.gap


def test_a_first_rating_of_a_new_goal_and_who_may_rate(demo_store, demo_actors):
    ceo = demo_actors["CEO"]
    with demo_store.session() as session:
        goal = create_goal(
            session,
            ceo,
            GoalInput("Win ten logos in retail", "", "CEO", "short_term", "2026-01", "2026-12"),
        )
    fresh = of(demo_store, ceo, "Win ten logos in retail")
    assert fresh.ratings == {"CEO": None, "CFO": None, "CMO": None}
    assert fresh.spread is None and not fresh.gap and fresh.trend == []
    with demo_store.session() as session:
        confidence.rate(session, ceo, goal, NOVEMBER, "9")
    rated = of(demo_store, ceo, "Win ten logos in retail")
    assert rated.ratings["CEO"].score == 9 and rated.spread is None
    for who in (demo_actors["viewer"], COMMAND_LINE):
        with demo_store.session() as session, pytest.raises(PermissionDenied):
            confidence.rate(session, who, goal, NOVEMBER, 5)


@pytest.mark.parametrize(
    ("score", "month", "sentence"),
    [
        (11, NOVEMBER, "Nothing was saved: a confidence runs from 0 to 10, not 11."),
        (-1, NOVEMBER, "Nothing was saved: a confidence runs from 0 to 10, not -1."),
        (
            7.5,
            NOVEMBER,
            "Nothing was saved: a confidence is a whole number from 0 to 10, not '7.5'.",
        ),
        (
            "seven",
            NOVEMBER,
            "Nothing was saved: a confidence is a whole number from 0 to 10, not 'seven'.",
        ),
        (None, NOVEMBER, "Nothing was saved: give a confidence from 0 to 10."),
        (
            6,
            "2026-12",
            "Nothing was saved: December 2026 has not started; rate your confidence for this "
            "month or an earlier one.",
        ),
    ],
)
def test_bad_input_is_refused_in_a_sentence_and_saves_nothing(
    demo_store, demo_actors, score, month, sentence
):
    cmo = demo_actors["CMO"]
    goal = of(demo_store, cmo, ARR).goal_id
    before = count(demo_store)
    with demo_store.session() as session, pytest.raises(ValidationFailed) as refused:
        confidence.rate(session, cmo, goal, month, score)
    assert str(refused.value) == sentence
    assert count(demo_store) == before


def test_a_goal_that_no_longer_exists_is_refused(demo_store, demo_actors):
    with demo_store.session() as session, pytest.raises(ValidationFailed) as refused:
        confidence.rate(session, demo_actors["CMO"], 999, NOVEMBER, 5)
    assert str(refused.value) == "Nothing was saved: that goal no longer exists."


def test_the_rating_month_of_a_period_is_its_last_month_never_after_today():
    assert confidence.rating_month(parse_period("2026-10")) == "2026-10"
    assert confidence.rating_month(parse_period("2026")) == "2026-11"


def test_the_review_shows_and_freezes_the_three_ratings_side_by_side(demo_store, demo_actors):
    ceo = demo_actors["CEO"]
    with demo_store.session() as session:
        review.close_review(session, ceo, "2026-10")
        view = review.review(session, ceo, "2026-10")
    table = next(s for s in sections(view) if s.key == "alignment").table(CONFIDENCE_TABLE)
    assert table.columns == ("Goal", "CEO", "CFO", "CMO", "Spread", "Flag", "Spread by month")
    arr = next(r for r in table.rows if r[0].text == ARR)
    assert [c.text for c in arr[1:]] == [
        "7",
        "5",
        "8",
        "3",
        "Perception gap",
        "Sep 2026: 2 · Oct 2026: 3",
    ]
    goal = of(demo_store, ceo, ARR).goal_id
    with demo_store.session() as session:
        confidence.rate(session, demo_actors["CFO"], goal, "2026-10", 8)
        later = review.review(session, ceo, "2026-10")
    frozen = next(g for g in later.sections["confidence"] if g["goal"] == ARR)
    assert frozen["ratings"]["CFO"]["score"] == 5
    changed = {(d.section, d.item): (d.frozen, d.now) for d in later.differences}
    assert changed[("Confidence", f"{ARR}: CFO")] == (5, 8)
