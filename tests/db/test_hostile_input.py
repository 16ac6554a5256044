"""Property-based tests of every form and import that writes, on SQLite and PostgreSQL:
arbitrary input is either stored as typed or refused with a sentence, and a refusal
writes nothing at all."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from alignment.access.accounts import add_user
from alignment.access.accounts import log_in
from alignment.access.permissions import COMMAND_LINE
from alignment.definitions.success_workflow import DefinitionInput
from alignment.definitions.success_workflow import create_definition
from alignment.files.spreadsheet import FileRefused
from alignment.meeting.review import history as review_history
from alignment.objectives.goals import GoalInput
from alignment.objectives.goals import create_goal
from alignment.objectives.kpis import apply_kpi_file
from alignment.objectives.kpis import read_kpi_file
from alignment.shared.errors import SamePageError
from alignment.spend.budget import BudgetChanges
from alignment.spend.budget import LineEdit
from alignment.spend.budget import save_changes
from alignment.spend.budget_import import apply_import
from alignment.spend.budget_import import read_budget_file
from alignment.spend.reconciliation import apply_finance_file
from alignment.spend.reconciliation import read_finance_file
from alignment.trust.checklist import Answer
from alignment.trust.checklist import add_item
from alignment.trust.checklist import save_answers
from alignment.trust.request_log import raise_request
from db.models import Base
from db.models import BudgetLine
from db.models import ChecklistItem
from db.models import Request
from tests.xlsx_bombs import far_cell_workbook
from tests.xlsx_bombs import shared_strings_bomb
from tests.xlsx_bombs import stored_workbook

IN_STORE = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "   ",
            "=cmd|' /C calc'!A0",
            "<img src=x onerror=alert(1)>",
            "**bold** _it_ [link](javascript:alert(1))",
            "Robert'); DROP TABLE budget_lines;--",
            "x" * 5_000,
            "\x00nul",
            "😀 Ünïcode",
        ]
    ),
)
number = st.one_of(
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.booleans(),
)


def fingerprint(store) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Enough of the store to see any write: every table's row count and every line's version."""
    with store.engine.connect() as conn:
        counts: dict[str, Any] = {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in Base.metadata.sorted_tables
        }
        counts["versions"] = conn.execute(sa.select(sa.func.sum(BudgetLine.version))).scalar()
    return counts


def stored_or_refused(store, write: Callable[[Any], Any]) -> Any:  # type: ignore[no-untyped-def]
    """Run ``write(session)``: a refusal must be a SamePageError sentence and change nothing."""
    before = fingerprint(store)
    try:
        with store.session() as session:
            return write(session)
    except SamePageError as refused:
        assert str(refused).strip()
        assert fingerprint(store) == before
        return refused


def _line(store) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        month = session.scalar(sa.select(sa.func.max(BudgetLine.month)))
        line = session.scalars(
            sa.select(BudgetLine).where(BudgetLine.month == month).order_by(BudgetLine.id)
        ).first()
        return line.id, line.version


@IN_STORE
@given(
    values=st.dictionaries(
        st.sampled_from(
            ["month", "channel", "campaign", "planned_budget", "actual_spend", "new_customers"]
        ),
        number,
        min_size=1,
    ),
    added=st.lists(
        st.fixed_dictionaries({"month": number, "channel": number, "actual_spend": number}),
        max_size=2,
    ),
)
def test_the_budget_grid_stores_or_refuses_whole(demo_store, demo_actors, values, added):
    line_id, version = _line(demo_store)
    changes = BudgetChanges(edits=[LineEdit(line_id, version, values)], added=added)
    stored_or_refused(demo_store, lambda s: save_changes(s, demo_actors["CMO"], changes))


@IN_STORE
@given(st.lists(st.lists(text, min_size=4, max_size=4), min_size=1, max_size=6))
def test_an_import_of_any_cells_imports_all_or_nothing(demo_store, demo_actors, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "channel", "campaign", "actual_spend"])
    writer.writerows(rows)

    def write(session):  # type: ignore[no-untyped-def]
        budget = read_budget_file(out.getvalue().encode("utf-8"), "hostile.csv")
        return apply_import(session, demo_actors["CMO"], budget)

    stored_or_refused(demo_store, write)


@IN_STORE
@given(st.lists(st.tuples(st.integers(-3, 10**6), number, text), min_size=1, max_size=4))
def test_checklist_answers_are_stored_or_refused_whole(demo_store, demo_actors, answers):
    with demo_store.session() as session:
        ids = session.scalars(sa.select(ChecklistItem.id).order_by(ChecklistItem.id)).all()
    given_answers = [
        Answer(ids[i] if 0 <= i < len(ids) else i, score, comment) for i, score, comment in answers
    ]
    stored_or_refused(
        demo_store,
        lambda s: save_answers(s, demo_actors["CFO"], "2026-11", given_answers, role="CFO"),
    )


@IN_STORE
@given(title=text, description=text)
def test_a_request_is_stored_exactly_as_typed_or_refused(
    demo_store, demo_actors, title, description
):
    outcome = stored_or_refused(
        demo_store, lambda s: raise_request(s, demo_actors["CEO"], title, description)
    )
    if isinstance(outcome, int):
        with demo_store.session() as session:
            assert session.get(Request, outcome).title == title.strip()


@IN_STORE
@given(statement=text)
def test_a_checklist_statement_is_stored_exactly_as_typed_or_refused(
    demo_store, demo_actors, statement
):
    outcome = stored_or_refused(demo_store, lambda s: add_item(s, demo_actors["CEO"], statement))
    if isinstance(outcome, int):
        with demo_store.session() as session:
            assert session.get(ChecklistItem, outcome).text == statement.strip()


@IN_STORE
@given(
    st.builds(
        DefinitionInput,
        title=text,
        metric=st.one_of(text, st.sampled_from(["roas", "romi", "pipeline_roi", "marketing_cac"])),
        target=number,
        comparison=st.one_of(text, st.sampled_from(["at_least", "at_most"])),
        period_start=st.one_of(text, st.just("2026-01")),
        period_end=st.one_of(text, st.just("2026-12")),
        deadline=number,
        measurement=text,
        data_source=text,
        tolerance=number,
        owner_role=st.one_of(text, st.sampled_from(["CEO", "CFO", "CMO"])),
    )
)
def test_a_definition_of_success_is_stored_or_refused_whole(demo_store, demo_actors, form):
    stored_or_refused(demo_store, lambda s: create_definition(s, demo_actors["CMO"], form))


@IN_STORE
@given(
    st.builds(
        GoalInput,
        title=text,
        description=text,
        owner_role=st.one_of(text, st.sampled_from(["CEO", "CMO"])),
        horizon=st.one_of(text, st.sampled_from(["short_term", "long_term"])),
        start_month=st.one_of(text, st.just("2026-01")),
        end_month=st.one_of(text, st.just("2027-12")),
    )
)
def test_a_goal_is_stored_or_refused_whole(demo_store, demo_actors, goal):
    stored_or_refused(demo_store, lambda s: create_goal(s, demo_actors["CEO"], goal))


@IN_STORE
@given(email=text, name=text, role=st.one_of(text, st.sampled_from(["CMO", "viewer"])), pw=text)
def test_an_account_is_stored_or_refused_whole(demo_store, email, name, role, pw):
    stored_or_refused(demo_store, lambda s: add_user(s, COMMAND_LINE, email, name, role, pw))


@IN_STORE
@given(email=text, password=text)
def test_any_log_in_attempt_is_let_in_or_refused_with_a_sentence(demo_store, email, password):
    try:
        with demo_store.session() as session:
            log_in(session, email, password)
    except SamePageError as refused:
        assert str(refused).strip()


@IN_STORE
@given(search=text)
def test_any_search_of_past_reviews_answers(demo_store, demo_actors, search):
    try:
        with demo_store.session() as session:
            review_history(session, demo_actors["viewer"], search)
    except SamePageError as refused:
        assert str(refused).strip()


CRAFTED_WORKBOOKS = {
    "packed shared strings": (lambda: shared_strings_bomb(20), "is packed"),
    "unpacks past the limit": (lambda: stored_workbook(26), "unpacks to 26.0 MB"),
    "a cell a million rows down": (
        lambda: far_cell_workbook("A1:C2", "C1048576"),
        "fills more than 2,000,000 cells",
    ),
}
UPLOADS: dict[str, Callable[[Any, dict[str, Any], bytes], Any]] = {
    "budget import": lambda s, who, data: apply_import(
        s, who["CMO"], read_budget_file(data, "plan.xlsx")
    ),
    "KPI figure import": lambda s, who, data: apply_kpi_file(
        s, who["CMO"], read_kpi_file(s, who["CMO"], data, "plan.xlsx")
    ),
    "finance import": lambda s, who, data: apply_finance_file(
        s, who["CFO"], read_finance_file(s, who["CFO"], data, "plan.xlsx")
    ),
}


@pytest.mark.parametrize("upload", UPLOADS, ids=str)
@pytest.mark.parametrize("crafted", CRAFTED_WORKBOOKS, ids=str)
def test_every_upload_refuses_a_crafted_workbook_with_its_limit_and_writes_nothing(
    demo_store, demo_actors, upload, crafted
):
    build, message = CRAFTED_WORKBOOKS[crafted]
    data = build()
    before = fingerprint(demo_store)
    with pytest.raises(FileRefused, match=message) as refused, demo_store.session() as session:
        UPLOADS[upload](session, demo_actors, data)
    assert str(refused.value).startswith(("plan.xlsx ", "The sheet 'Budget' of plan.xlsx "))
    assert fingerprint(demo_store) == before


@pytest.mark.parametrize("name", ["Search\tAds", "Search\x7f", "Search\x1bAds", "Sea\nrch"])
def test_the_grid_and_the_import_refuse_the_same_invisible_characters_in_a_name(
    demo_store, demo_actors, name
):
    """Issue 16: the grid accepted a tab or DEL in a channel name that the import refused."""
    with demo_store.session() as session:
        line = session.scalars(sa.select(BudgetLine).order_by(BudgetLine.id)).first()
        edit = LineEdit(line.id, line.version, {"channel": name})
        with pytest.raises(SamePageError, match="contains control characters"):
            save_changes(session, demo_actors["CMO"], BudgetChanges(edits=[edit]))
    out = io.StringIO()
    csv.writer(out).writerows([["month", "channel", "planned_budget"], ["2026-11", name, "5"]])
    budget = read_budget_file(out.getvalue().encode(), "plan.csv")
    assert any("contains control characters" in str(p) for p in budget.problems)
