"""Eight writers at once, on SQLite and PostgreSQL: no lost update, no lock error reaching
anyone, every conflict reported to the person who lost the race, and an intact audit chain.

Each writer reads what it will change in one session (as a page does when it shows the
grid or the form), waits until every writer has read, then saves in a new session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from alignment.access.permissions import COMMAND_LINE
from alignment.definitions.success_workflow import return_to_draft
from alignment.definitions.success_workflow import sign_off
from alignment.edges.store import Store
from alignment.records import audit
from alignment.shared.errors import ValidationFailed
from alignment.spend.budget import BudgetChanges
from alignment.spend.budget import LineEdit
from alignment.spend.budget import SaveConflict
from alignment.spend.budget import save_changes
from alignment.trust.checklist import Answer
from alignment.trust.checklist import save_answers
from db.models import AuditEvent
from db.models import BudgetLine
from db.models import ChecklistAnswer
from db.models import ChecklistItem
from db.models import SuccessDefinitionVersion

WRITERS = 8


def race(store: Store, work: Callable[[Any, int], Any], count: int = WRITERS) -> list[Any]:
    """Run ``work(session, n)`` for n in 0..count-1 on as many threads, released together;
    returns each writer's result or the exception it raised."""
    start = threading.Barrier(count, timeout=60)

    def writer(n: int) -> Any:
        start.wait()
        try:
            with store.session() as session:
                return work(session, n)
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            return exc

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(writer, range(count)))


def audit_events(store: Store) -> int:
    with store.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def assert_chain_intact(store: Store) -> None:
    with store.session() as session:
        check = audit.verify(session, COMMAND_LINE)
    assert check.intact, check.reason


def open_lines(store: Store, count: int) -> list[tuple[int, int]]:
    """(id, version) of lines in the latest month, which finance has not reconciled."""
    with store.session() as session:
        month = session.scalar(sa.select(sa.func.max(BudgetLine.month)))
        rows = session.execute(
            sa.select(BudgetLine.id, BudgetLine.version)
            .where(BudgetLine.month == month, BudgetLine.reconciled.is_(False))
            .order_by(BudgetLine.id)
            .limit(count)
        ).all()
    assert len(rows) == count
    return [(row.id, row.version) for row in rows]


def test_eight_saves_of_one_line_one_wins_seven_hear_who_won(demo_store, demo_actors):
    [(line_id, version)] = open_lines(demo_store, 1)
    before = audit_events(demo_store)

    def save(session, n):  # type: ignore[no-untyped-def]
        edit = LineEdit(line_id, version, {"actual_spend": 1000 + n})
        return save_changes(session, demo_actors["CMO"], BudgetChanges(edits=[edit]))

    outcomes = race(demo_store, save)
    won = [n for n, o in enumerate(outcomes) if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1
    assert all(isinstance(o, SaveConflict) for o in lost), lost
    assert all("Priya Raman changed actual spend" in str(o) for o in lost)
    with demo_store.session() as session:
        line = session.get(BudgetLine, line_id)
        assert (line.actual_spend, line.version) == ((1000 + won[0]) * 100, version + 1)
    assert audit_events(demo_store) == before + 1
    assert_chain_intact(demo_store)


def test_overlapping_saves_in_opposite_orders_neither_deadlock_nor_lose_an_update(
    demo_store, demo_actors
):
    lines = open_lines(demo_store, WRITERS)
    before = audit_events(demo_store)

    def save(session, n):  # type: ignore[no-untyped-def]
        pair = [lines[n], lines[(n + 1) % WRITERS]]
        if n % 2:
            pair.reverse()
        edits = [LineEdit(i, v, {"planned_budget": 5000 + n}) for i, v in pair]
        return save_changes(session, demo_actors["CMO"], BudgetChanges(edits=edits))

    outcomes = race(demo_store, save)
    won = {n for n, o in enumerate(outcomes) if not isinstance(o, Exception)}
    assert won
    assert all(isinstance(o, SaveConflict) for o in outcomes if isinstance(o, Exception))
    with demo_store.session() as session:
        final = {i: session.get(BudgetLine, i) for i, _ in lines}
    for position, (line_id, version) in enumerate(lines):
        writers = {n for n in won if position in (n, (n + 1) % WRITERS)}
        assert len(writers) <= 1, f"line {line_id} was overwritten by {writers}"
        if writers:
            assert final[line_id].planned_budget == (5000 + writers.pop()) * 100
            assert final[line_id].version == version + 1
        else:
            assert final[line_id].version == version
    assert audit_events(demo_store) == before + 2 * len(won)
    assert_chain_intact(demo_store)


def test_eight_executives_answering_at_once_keep_each_save_whole(demo_store, demo_actors):
    with demo_store.session() as session:
        items = session.scalars(
            sa.select(ChecklistItem.id).where(ChecklistItem.active.is_(True))
        ).all()
    month = "2026-11"
    roles = ["CEO", "CFO", "CMO"]

    def answer(session, n):  # type: ignore[no-untyped-def]
        role = roles[n % 3]
        score = 1 + n % 5
        return save_answers(
            session,
            demo_actors[role],
            month,
            [Answer(i, score, f"writer {n}") for i in items],
            role=role,
        )

    outcomes = race(demo_store, answer)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    with demo_store.session() as session:
        saved = session.execute(
            sa.select(ChecklistAnswer.role, ChecklistAnswer.score, ChecklistAnswer.comment).where(
                ChecklistAnswer.month == month
            )
        ).all()
    for role in roles:
        mine = [(score, comment) for r, score, comment in saved if r == role]
        assert len(mine) == len(items)
        assert len(set(mine)) == 1, f"the {role}'s answers mix two saves: {set(mine)}"
        writer = int(mine[0][1].split()[-1])
        assert roles[writer % 3] == role and mine[0][0] == 1 + writer % 5
    assert_chain_intact(demo_store)


def test_eight_decisions_on_one_proposal_exactly_one_is_taken(demo_store, demo_actors):
    with demo_store.session() as session:
        proposed = session.scalar(
            sa.select(SuccessDefinitionVersion.id).where(
                SuccessDefinitionVersion.state == "proposed"
            )
        )
    before = audit_events(demo_store)
    cfo = demo_actors["CFO"]

    def decide(session, n):  # type: ignore[no-untyped-def]
        if n % 2:
            return return_to_draft(session, cfo, proposed, f"Not yet ({n})")
        return sign_off(session, cfo, proposed, None)

    outcomes = race(demo_store, decide)
    won = [n for n, o in enumerate(outcomes) if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1
    assert all(isinstance(o, ValidationFailed) for o in lost), lost
    assert all("only a proposed definition" in str(o) or "already signed" in str(o) for o in lost)
    with demo_store.session() as session:
        state = session.get(SuccessDefinitionVersion, proposed).state
    assert state == ("draft" if won[0] % 2 else "signed_off")
    assert audit_events(demo_store) == before + 1
    assert_chain_intact(demo_store)


@pytest.mark.parametrize("writers", [WRITERS])
def test_many_writers_of_different_things_all_succeed(demo_store, demo_actors, writers):
    lines = open_lines(demo_store, writers)
    before = audit_events(demo_store)

    def save(session, n):  # type: ignore[no-untyped-def]
        line_id, version = lines[n]
        edit = LineEdit(line_id, version, {"attributed_revenue": 9000 + n})
        return save_changes(session, demo_actors["CMO"], BudgetChanges(edits=[edit]))

    outcomes = race(demo_store, save, writers)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert audit_events(demo_store) == before + writers
    assert_chain_intact(demo_store)
