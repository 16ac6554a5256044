"""Marketing maturity on a real team's store (issue 21, items 3 and 16): competences left
untouched are not assessed, and a quarter is compared only with one that was assessed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.shared.errors import ValidationFailed
from alignment.trust import maturity
from db.models import AuditEvent
from db.models import MaturityAssessment

CMO = Actor(None, "The CMO", Role.CMO)
CEO = Actor(None, "The CEO", Role.CEO)


def _stored(store) -> list[tuple[str, int, int, int]]:
    with store.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                sa.select(
                    MaturityAssessment.quarter,
                    MaturityAssessment.competence_id,
                    MaturityAssessment.current_level,
                    MaturityAssessment.desired_level,
                ).order_by(MaturityAssessment.quarter, MaturityAssessment.competence_id)
            )
        ]


def _three(store) -> tuple[int, int, int]:
    with store.session() as session:
        brand = maturity.add_competence(session, CMO, "Brand")
        demand = maturity.add_competence(session, CMO, "Demand generation")
        data = maturity.add_competence(session, CMO, "Data and analytics")
    return brand, demand, data


def test_an_empty_store_has_no_levels_and_no_comparison(store):
    with store.session() as session:
        shown = maturity.assessment(session, CEO, "2026-Q4")
    assert (shown.levels, shown.compared_with, shown.assessed) == ([], None, False)


def test_competences_left_untouched_are_not_assessed(store):
    brand, demand, data = _three(store)
    with store.session() as session:
        written = maturity.save_assessment(
            session,
            CMO,
            "2026-Q4",
            [(brand, 2, 4, "New agency"), (demand, None, None, ""), (data, None, None, "")],
        )
        shown = maturity.assessment(session, CEO, "2026-Q4")
    assert written == 1
    assert _stored(store) == [("2026-Q4", brand, 2, 4)]
    assert [(lv.competence, lv.current, lv.desired) for lv in shown.levels] == [
        ("Brand", 2, 4),
        ("Demand generation", None, None),
        ("Data and analytics", None, None),
    ]
    assert [lv.competence for lv in maturity.largest_gaps(shown.levels)] == ["Brand"]
    assert shown.assessed


def test_half_an_assessment_is_refused_in_words_and_changes_nothing(store):
    brand, demand, data = _three(store)
    with store.session() as session:
        with pytest.raises(
            ValidationFailed,
            match=r"^Nothing was saved: Brand: give the desired level too, or leave both not "
            r"assessed; Demand generation: a note needs the current and desired levels\.$",
        ):
            maturity.save_assessment(
                session,
                CMO,
                "2026-Q4",
                [(brand, 3, None, ""), (demand, None, None, "Hiring"), (data, None, None, "")],
            )
        with pytest.raises(ValidationFailed, match="no competence was given a level"):
            maturity.save_assessment(
                session,
                CMO,
                "2026-Q4",
                [(brand, None, None, ""), (demand, None, None, ""), (data, None, None, "")],
            )
    assert _stored(store) == []


def test_a_competence_set_back_to_not_assessed_leaves_the_quarter_and_the_trail_says_so(store):
    brand, demand, _ = _three(store)
    with store.session() as session:
        maturity.save_assessment(session, CMO, "2026-Q4", [(brand, 2, 4, ""), (demand, 3, 3, "")])
        written = maturity.save_assessment(
            session, CMO, "2026-Q4", [(brand, None, None, ""), (demand, 3, 3, "")]
        )
        trail = session.execute(
            sa.select(AuditEvent.action, AuditEvent.object_id)
            .where(AuditEvent.object_type == "maturity")
            .order_by(AuditEvent.id)
        ).all()
    assert written == 1
    assert _stored(store) == [("2026-Q4", demand, 3, 3)]
    assert [tuple(event) for event in trail] == [
        ("assess", f"2026-Q4:{brand}"),
        ("assess", f"2026-Q4:{demand}"),
        ("unassess", f"2026-Q4:{brand}"),
    ]


def test_a_quarter_is_compared_with_the_latest_quarter_that_was_assessed(store):
    brand, demand, data = _three(store)
    with store.session() as session:
        maturity.save_assessment(session, CMO, "2026-Q1", [(brand, 1, 3, ""), (demand, 2, 4, "")])
        maturity.save_assessment(session, CMO, "2026-Q3", [(brand, 2, 3, ""), (data, 2, 2, "")])
        q3 = maturity.assessment(session, CEO, "2026-Q3")
        q1 = maturity.assessment(session, CEO, "2026-Q1")
        q4 = maturity.assessment(session, CEO, "2026-Q4")
    assert q3.compared_with == "2026-Q1"
    assert [(lv.competence, lv.previous_current, lv.change) for lv in q3.levels] == [
        ("Brand", 1, 1),
        ("Demand generation", 2, None),
        ("Data and analytics", None, None),
    ]
    assert q1.compared_with is None
    assert all(lv.previous_current is None for lv in q1.levels)
    assert (q4.compared_with, q4.assessed) == ("2026-Q3", False)
