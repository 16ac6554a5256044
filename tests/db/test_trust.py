"""Checklist, maturity and the request log against a real store."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from alignment.access.permissions import Actor
from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import current_month
from alignment.trust import checklist
from alignment.trust import maturity
from alignment.trust import request_log
from alignment.trust.checklist import Answer
from db.models import ChecklistAnswer
from db.models import MonthlyReview
from tests import oracle
from tests.conftest import DEMO_TODAY


def count(store, model, *where):
    with store.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def first_item(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT min(id) FROM checklist_items")).scalar()


def test_month_view_matches_the_answers(demo_store, demo_actors):
    with demo_store.session() as session:
        view = checklist.checklist_month(session, demo_actors["CEO"], "2026-11")
    csv = oracle.checklist(DEMO_TODAY)
    nov = csv[csv["month"] == "2026-11"]
    assert view.score == pytest.approx((nov["score"].mean() - 1) / 4 * 100)
    assert view.roles_missing == () and len(view.items) == 12
    pivot = nov.pivot(index="item", columns="role", values="score")
    for row in view.items.itertuples():
        assert (row.CEO, row.CFO, row.CMO) == tuple(pivot.loc[row.position])
        assert row.gap == max(row.CEO, row.CFO, row.CMO) - min(row.CEO, row.CFO, row.CMO)
        assert row.flagged == (row.gap >= 2)
    assert len(view.trend) == 6
    assert view.improved or view.worsened


def test_each_executive_answers_for_themselves(demo_store, demo_actors):
    month = "2026-04"
    item = first_item(demo_store)
    with demo_store.session() as session:
        checklist.save_answers(session, demo_actors["CFO"], month, [Answer(item, 2, "Not yet")])
        with pytest.raises(PermissionDenied, match="cannot answer for the CMO"):
            checklist.save_answers(
                session, demo_actors["CFO"], month, [Answer(item, 5)], role="CMO"
            )
        with pytest.raises(PermissionDenied):
            checklist.save_answers(session, demo_actors["viewer"], month, [Answer(item, 5)])
        view = checklist.checklist_month(session, demo_actors["CEO"], month)
    assert view.roles_answered == ("CFO",)
    assert view.roles_missing == ("CEO", "CMO")
    row = view.items.set_index("id").loc[item]
    assert row["CFO"] == 2 and pd_isna(row["CEO"])
    assert "CFO: Not yet" in row["comments"]


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


@pytest.mark.parametrize("score", [0, 6, 3.5, "high", None, True])
def test_a_score_outside_1_to_5_changes_nothing(demo_store, demo_actors, score):
    before = count(demo_store, ChecklistAnswer)
    with demo_store.session() as session, pytest.raises(ValidationFailed, match="1 to 5"):
        checklist.save_answers(
            session,
            demo_actors["CMO"],
            current_month(),
            [Answer(first_item(demo_store), 4), Answer(first_item(demo_store) + 1, score)],
        )
    assert count(demo_store, ChecklistAnswer) == before


def test_a_closed_month_cannot_be_answered(demo_store, demo_actors):
    with demo_store.session() as session:
        session.add(MonthlyReview(month="2026-10", status="closed"))
        session.commit()
        with pytest.raises(ValidationFailed, match="is closed"):
            checklist.save_answers(
                session, demo_actors["CEO"], "2026-10", [Answer(first_item(demo_store), 3)]
            )


def test_answers_can_change_until_the_month_closes(demo_store, demo_actors):
    item = first_item(demo_store)
    with demo_store.session() as session:
        checklist.save_answers(session, demo_actors["CMO"], "2026-11", [Answer(item, 1, "x")])
        row = session.scalar(
            sa.select(ChecklistAnswer).where(
                ChecklistAnswer.item_id == item,
                ChecklistAnswer.month == "2026-11",
                ChecklistAnswer.role == "CMO",
            )
        )
    assert (row.score, row.comment) == (1, "x")


def test_reworded_and_retired_items_keep_their_past_answers(demo_store, demo_actors):
    ceo = demo_actors["CEO"]
    item = first_item(demo_store)
    with demo_store.session() as session:
        with pytest.raises(PermissionDenied):
            checklist.reword_item(session, demo_actors["CMO"], item, "New words")
        old = session.scalar(
            sa.select(ChecklistAnswer.wording).where(ChecklistAnswer.item_id == item)
        ).strip()
        checklist.reword_item(session, ceo, item, "Success is written down and signed.")
        before = checklist.checklist_month(session, ceo, "2026-11").items.set_index("id")
        checklist.save_answers(session, ceo, "2026-04", [Answer(item, 4)])
        now = checklist.checklist_month(session, ceo, "2026-04").items.set_index("id")
        new_id = checklist.add_item(session, ceo, "We celebrate wins together.")
        checklist.retire_item(session, ceo, new_id)
        asked = [i.id for i in checklist.items(session, ceo)]
        with pytest.raises(ValidationFailed, match="cannot be empty"):
            checklist.add_item(session, ceo, "  ")
    assert before.loc[item, "wording"] == old
    assert now.loc[item, "wording"] == "Success is written down and signed."
    assert new_id not in asked


def test_open_gaps_for_the_overview(demo_store, demo_actors):
    with demo_store.session() as session:
        gaps = checklist.open_gaps(session, demo_actors["CFO"], "2026-11")
    assert len(gaps) >= 2 and all(gap >= 2 for _, gap in gaps)


def test_maturity_assessment_with_previous_quarter_and_gaps(demo_store, demo_actors):
    cmo = demo_actors["CMO"]
    with demo_store.session() as session:
        quarters = maturity.assessed_quarters(session, cmo)
        shown = maturity.assessment(session, cmo, "2026-Q4")
    levels = shown.levels
    assert quarters == ["2026-Q4", "2026-Q3"] and shown.compared_with == "2026-Q3"
    assert len(levels) == 8 and all(level.current for level in levels)
    demand = next(level for level in levels if level.competence == "Demand generation")
    assert (demand.current, demand.previous_current, demand.change) == (4, 3, 1)
    assert maturity.largest_gaps(levels)[0].gap == 2


def test_maturity_levels_must_be_1_to_5(demo_store, demo_actors):
    cmo = demo_actors["CMO"]
    with demo_store.session() as session:
        competence_id = maturity.competences(session, cmo)[0][0]
        with pytest.raises(ValidationFailed, match="'6' is not 1 to 5"):
            maturity.save_assessment(session, cmo, "2027-Q1", [(competence_id, 6, 4, "")])
        with pytest.raises(PermissionDenied):
            maturity.save_assessment(
                session, demo_actors["CFO"], "2027-Q1", [(competence_id, 3, 4, "")]
            )
        maturity.save_assessment(session, cmo, "2027-Q1", [(competence_id, 3, 5, "Hiring")])
        level = maturity.assessment(session, cmo, "2027-Q1").levels[0]
        new = maturity.add_competence(session, cmo, "Customer marketing")
        with pytest.raises(ValidationFailed, match="already"):
            maturity.add_competence(session, cmo, "customer marketing")
        maturity.rename_competence(session, cmo, new, "Customer and community marketing")
        names = [n for _, n in maturity.competences(session, cmo)]
    assert (level.current, level.desired, level.note) == (3, 5, "Hiring")
    assert "Customer and community marketing" in names


def test_a_competence_renamed_to_a_taken_name_is_refused_in_words(demo_store, demo_actors):
    """Renaming onto another competence's name once reached the unique index and failed
    with a database error; it is now refused like adding a duplicate, and changes nothing."""
    cmo = demo_actors["CMO"]
    with demo_store.session() as session:
        (first, first_name), (second, second_name) = maturity.competences(session, cmo)[:2]
        with pytest.raises(
            ValidationFailed, match=f"already is a competence called '{first_name.upper()}'"
        ):
            maturity.rename_competence(session, cmo, second, f"  {first_name.upper()} ")
        maturity.rename_competence(session, cmo, first, first_name.lower())
        names = dict(maturity.competences(session, cmo))
    assert names[second] == second_name
    assert names[first] == first_name.lower()


def test_request_from_raise_to_outcome(demo_store, demo_actors):
    cfo, cmo, ceo = demo_actors["CFO"], demo_actors["CMO"], demo_actors["CEO"]
    with clock.pinned(dt.date(2026, 11, 20)), demo_store.session() as session:
        with pytest.raises(ValidationFailed, match="Give the request a title"):
            request_log.raise_request(session, cfo, "  ")
        request_id = request_log.raise_request(session, cfo, "Sponsor the industry podcast")
        with pytest.raises(PermissionDenied):
            request_log.add_research(session, cfo, request_id, "r", "e", "1", "")
        request_log.add_research(
            session,
            cmo,
            request_id,
            "Listeners are our buyers",
            "10 SQLs a quarter",
            "24,000",
            "Do it",
        )
        with pytest.raises(ValidationFailed, match="Give the reason"):
            request_log.decide(session, ceo, request_id, "do", " ")
        with pytest.raises(PermissionDenied):
            request_log.decide(session, cmo, request_id, "do", "Yes")
        request_log.decide(session, ceo, request_id, "do", "Fits the brand goal")
        request_log.record_outcome(session, cmo, request_id, "12 SQLs in Q1")
        views = {v.id: v for v in request_log.requests(session, ceo)}
    ours = views[request_id]
    assert (ours.asked_by, ours.decision, ours.outcome) == ("Daniel Okafor", "do", "12 SQLs in Q1")
    assert float(ours.cost) == 24000 and ours.status == "Outcome recorded"


def test_demo_request_log_and_its_statistics(demo_store, demo_actors):
    with demo_store.session() as session:
        views = request_log.requests(session, demo_actors["viewer"])
        waiting = request_log.awaiting_decision(session, demo_actors["CEO"])
    assert [v.title for v in waiting] == [
        "Cut paid search by 30% to fund a brand campaign",
        "Exhibit at the Supply Chain Symposium again next year",
    ]
    assert waiting[0].status == "Awaiting research"
    summary = request_log.stats(views)
    assert summary.open_requests == 2 and summary.decided_without_research == []


def test_a_month_that_has_not_started_cannot_be_answered(demo_store, demo_actors):
    with demo_store.session() as session, pytest.raises(ValidationFailed, match="has not started"):
        checklist.save_answers(
            session, demo_actors["CEO"], "2099-01", [Answer(first_item(demo_store), 3)]
        )


STANDARD_STATEMENTS_FROM_THE_DESIGN = [
    "We have one written definition of marketing success, signed off by the CFO and known "
    "to the CEO.",
    "The CMO's performance measures are written down and agreed.",
    "Marketing, sales and finance figures come from one source of truth.",
    "Finance and marketing track marketing investments together.",
    "Budget and return are measured together with finance.",
    "Our measurement tells us the next best action, not only what happened.",
    "Each team knows which top-level KPI it contributes to.",
    "Long-term brand goals have agreed indicators, not only short-term targets.",
    "Strategy changes are decided on research and an expected result.",
    "Marketing challenges requests that serve neither customers nor goals.",
    "We leave each monthly review with owners and due dates.",
    "I trust the numbers in this dashboard.",
]


def _team_actor(role: str):  # type: ignore[no-untyped-def]
    from alignment.access.permissions import Actor
    from alignment.access.permissions import Role

    return Actor(None, f"The {role}", Role(role))


def test_a_new_team_starts_its_checklist_with_the_twelve_standard_statements(store):
    ceo, cmo = _team_actor("CEO"), _team_actor("CMO")
    with store.session() as session:
        assert checklist.items(session, ceo) == []
        with pytest.raises(PermissionDenied):
            checklist.start_with_standard_statements(session, cmo)
        assert checklist.start_with_standard_statements(session, ceo) == 12
        texts = [i.text for i in checklist.items(session, ceo)]
        with pytest.raises(ValidationFailed, match="already has statements"):
            checklist.start_with_standard_statements(session, ceo)
        events = session.execute(
            sa.text("SELECT count(*) FROM audit_events WHERE object_type = 'checklist_item'")
        ).scalar()
    assert texts == STANDARD_STATEMENTS_FROM_THE_DESIGN
    assert events == 12


def test_a_new_team_starts_its_maturity_grid_with_the_eight_standard_competences(store):
    ceo, cmo = _team_actor("CEO"), _team_actor("CMO")
    with store.session() as session:
        with pytest.raises(PermissionDenied):
            maturity.start_with_standard_competences(session, ceo)
        assert maturity.start_with_standard_competences(session, cmo) == 8
        names = [n for _, n in maturity.competences(session, cmo)]
        with pytest.raises(ValidationFailed, match="already are competences"):
            maturity.start_with_standard_competences(session, cmo)
    assert names == [
        "Strategy and positioning",
        "Brand and content",
        "Demand generation",
        "Marketing operations and automation",
        "Data and analytics",
        "Marketing technology",
        "Alignment with sales and customer success",
        "Team and organisation",
    ]


def test_a_request_put_off_is_back_on_the_agenda_and_the_offers_follow_the_lifecycle(
    demo_store, demo_actors
):
    """Issue 16: the page offered "Add research" on a request put off until later, which
    the service refused. One table now decides both."""
    cmo, ceo = demo_actors["CMO"], demo_actors["CEO"]
    step = request_log.Step
    with clock.pinned(dt.date(2026, 11, 20)), demo_store.session() as session:
        request_id = request_log.raise_request(session, ceo, "Open a Berlin office event")

        def offers(actor: Actor) -> request_log.RequestView:
            return next(v for v in request_log.requests(session, actor) if v.id == request_id)

        assert offers(cmo).allowed == (step.RESEARCH,)
        assert offers(ceo).allowed == (step.DECIDE,)
        with pytest.raises(ValidationFailed, match="before recording its outcome"):
            request_log.record_outcome(session, cmo, request_id, "Nothing yet")
        request_log.decide(session, ceo, request_id, "later", "Ask again after Q1")
        put_off = offers(cmo)
        assert put_off.state == request_log.RequestState.PUT_OFF
        assert put_off.allowed == (step.RESEARCH,)
        request_log.add_research(session, cmo, request_id, "Venue quotes", "40 leads", "9000", "")
        with pytest.raises(ValidationFailed, match="before recording its outcome"):
            request_log.record_outcome(session, cmo, request_id, "Nothing yet")
        request_log.decide(session, ceo, request_id, "dont", "Budget goes to webinars")
        assert offers(cmo).allowed == (step.OUTCOME,) and offers(ceo).allowed == ()
        with pytest.raises(ValidationFailed, match="already decided; record its outcome"):
            request_log.add_research(session, cmo, request_id, "More", "More", "1", "")
        with pytest.raises(ValidationFailed, match="is already decided"):
            request_log.decide(session, ceo, request_id, "do", "Changed my mind")
        request_log.record_outcome(session, cmo, request_id, "Webinars brought 55 leads")
        request_log.record_outcome(session, cmo, request_id, "Webinars brought 57 leads")
        done = offers(cmo)
    assert done.state == request_log.RequestState.OUTCOME_RECORDED
    assert (done.research, done.decision, done.outcome) == (
        "Venue quotes",
        "dont",
        "Webinars brought 57 leads",
    )
