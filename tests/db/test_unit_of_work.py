"""Every change goes through one unit of work: found by reading the code, proved by running it.

``write_use_cases()`` lists every public function of ``alignment/`` that opens
``writing(...)``, by parsing its source. Each must have a case below (a new write function
without one fails here); each case is run on the demo company as every role that may not
do it (refused, and the store is left exactly as it was) and as one that may (an audit
event by that person is left). The unit of work's own promises (one commit, rollback on
a refusal, nothing kept without an event, nested use cases sharing one unit) are tested
at the end.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import importlib
import inspect
import itertools
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

import alignment
from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import PERMISSIONS
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.access.users import demo_actors as demo_actors_of
from alignment.allocation import next_dollar
from alignment.allocation.response import Proposal
from alignment.allocation.response import ProposalLine
from alignment.company import sample
from alignment.company import settings
from alignment.definitions import success_workflow
from alignment.edges.store import Store
from alignment.meeting import explanations
from alignment.meeting import review
from alignment.meeting import room_links
from alignment.notices import outbox
from alignment.notices import rules as notice_rules
from alignment.objectives import confidence
from alignment.objectives import funnel
from alignment.objectives import goals
from alignment.objectives import kpis
from alignment.records import backup
from alignment.records.data_version import data_version
from alignment.records.unit_of_work import bookkeeping
from alignment.records.unit_of_work import writing
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import parse_period
from alignment.spend import budget
from alignment.spend import budget_import
from alignment.spend import commitment_import
from alignment.spend import commitments
from alignment.spend import forecast
from alignment.spend import forecast_import
from alignment.spend import invoice_import
from alignment.spend import invoices
from alignment.spend import reconciliation
from alignment.trust import checklist
from alignment.trust import maturity
from alignment.trust import request_log
from db import audit_guard
from db.models import AuditEvent
from db.models import Base
from db.models import BudgetLine
from db.models import ChecklistItem
from db.models import ForecastLine
from db.models import Invoice
from db.models import Notice
from db.models import SuccessDefinitionVersion
from db.models import User
from tests.conftest import DEMO_TODAY
from tests.db.test_success_workflow import FORM


@pytest.fixture
def demo_actors(demo_store: Store) -> dict[str, Actor]:
    with demo_store.session() as session:
        return {str(a.role): a for a in demo_actors_of(session)}


def write_use_cases() -> dict[str, list[str]]:
    """``module.function`` -> the actions its ``writing(...)`` calls name, read from source."""
    found: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(alignment.__path__, "alignment."):
        short = info.name.rsplit(".", 1)[1]
        if info.ispkg or short in ("__main__", "unit_of_work"):
            continue
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            tree = ast.parse(inspect.getsource(function))
            actions = [
                ast.unparse(call.args[2])
                for call in ast.walk(tree)
                if isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "writing"
            ]
            if actions:
                found[f"{short}.{name}"] = actions
    return found


@dataclass
class World:
    """The demo company, and a counter for names that must not repeat."""

    store: Store
    tmp: Path
    numbers: itertools.count

    def people(self) -> dict[str, Actor]:
        """One person per role, as the store holds them now (a reload renumbers them)."""
        with self.store.session() as session:
            users = session.scalars(sa.select(User).order_by(User.id))
            people = {str(role): Actor(None, f"Someone ({role})", role) for role in Role}
            for user in reversed(list(users)):
                people[user.role] = Actor(user.id, user.name, Role(user.role))
            return people

    def as_(self, role: str, use: Callable[[Session, Actor], Any]) -> Any:
        with self.store.session() as session:
            return use(session, self.people()[role])

    def fresh(self, prefix: str) -> str:
        return f"{prefix} {next(self.numbers)}"


Call = Callable[[Session, Actor], Any]
"""A use case with everything but the session and the actor already chosen."""


def _goal(title: str) -> goals.GoalInput:
    return goals.GoalInput(title, "", "CEO", "short_term", "2026-01", "2026-12")


def _kpi(world: World) -> kpis.KpiInput:
    return kpis.KpiInput(world.fresh("Webinar sign-ups"), "sign-ups", "higher", "activity")


def _definition(title: str) -> success_workflow.DefinitionInput:
    return dataclasses.replace(FORM, title=title)


def _draft(world: World) -> int:
    form = _definition(world.fresh("Pipeline ROI"))
    return world.as_("CMO", lambda s, a: success_workflow.create_definition(s, a, form))


def _hash(world: World, version_id: int) -> str:
    def seen(session: Session, actor: Actor) -> str:
        views = success_workflow.definitions(session, actor)
        for view in views:
            for version in (view.open_version, view.in_force):
                if version is not None and version.version_id == version_id:
                    return version.content_hash
        raise AssertionError(f"version {version_id} is not listed")

    return world.as_("CFO", seen)


def _proposed(world: World) -> int:
    version_id = _draft(world)
    world.as_(
        "CMO", lambda s, a: success_workflow.propose(s, a, version_id, _hash(world, version_id))
    )
    return version_id


def _signed(world: World) -> int:
    version_id = _proposed(world)
    seen = _hash(world, version_id)
    world.as_("CFO", lambda s, a: success_workflow.sign_off(s, a, version_id, seen))
    return version_id


def _request(world: World) -> int:
    title = world.fresh("Sponsor the logistics summit")
    return world.as_("CEO", lambda s, a: request_log.raise_request(s, a, title))


def _decided(world: World) -> int:
    request_id = _request(world)
    world.as_("CEO", lambda s, a: request_log.decide(s, a, request_id, "do", "Worth a try"))
    return request_id


def _line(world: World, month: str) -> BudgetLine:
    with world.store.session() as session:
        return session.scalars(
            sa.select(BudgetLine).where(BudgetLine.month == month).order_by(BudgetLine.id)
        ).first()


def _account(world: World, password: str | None) -> str:
    email = f"{world.fresh('person').replace(' ', '')}@example.com"
    world.as_("admin", lambda s, a: accounts.add_user(s, a, email, "Ana", "CFO", password))
    return email


PASSWORD = "correct horse battery"


def _edit_line(world: World) -> Call:
    line = _line(world, "2026-11")
    edit = budget.LineEdit(line.id, line.version, {"actual_spend": 4321})
    return lambda s, a: budget.save_changes(s, a, budget.BudgetChanges(edits=[edit]))


def _import(world: World) -> Call:
    data = f"month,channel,planned_budget\n2026-11,{world.fresh('Podcasts')},1000\n".encode()
    file = budget_import.read_budget_file(data, "plan.csv")
    return lambda s, a: budget_import.apply_import(s, a, file)


def _import_own_headers(world: World) -> Call:
    data = f"Period,Medium,Cost\n2026-11,{world.fresh('Podcasts')},1000\n".encode()
    mapping = {"month": "Period", "channel": "Medium", "actual_spend": "Cost"}
    file = budget_import.read_for_import(data, "ads.csv", given=mapping)
    return lambda s, a: budget_import.import_budget(s, a, file)


def _finance_file(world: World) -> Call:
    finance = world.as_(
        "CFO",
        lambda s, a: reconciliation.read_finance_file(
            s, a, b"month,finance_spend\n2026-11,123456\n", "ledger.csv"
        ),
    )
    return lambda s, a: reconciliation.apply_finance_file(s, a, finance)


def _reconciled(world: World) -> str:
    world.as_("CFO", lambda s, a: reconciliation.reconcile_month(s, a, "2026-10"))
    return "2026-10"


def _closed(world: World) -> str:
    world.as_("CEO", lambda s, a: review.close_review(s, a, "2026-10"))
    return "2026-10"


def _red_owned_by_the_ceo(world: World) -> str:
    """A definition the CEO owns, signed, and red in November: the CEO explains it."""
    form = dataclasses.replace(
        _definition(world.fresh("Pipeline ROI")), owner_role="CEO", target="1000"
    )
    version_id = world.as_("CMO", lambda s, a: success_workflow.create_definition(s, a, form))
    world.as_(
        "CMO", lambda s, a: success_workflow.propose(s, a, version_id, _hash(world, version_id))
    )
    world.as_(
        "CFO", lambda s, a: success_workflow.sign_off(s, a, version_id, _hash(world, version_id))
    )
    return f"definition:{_definition_of(world, version_id)}"


def _red_unexplained(world: World) -> str:
    """November's red webinars, their demo explanation taken away."""
    with world.store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM explanations WHERE month = '2026-11'"))
    items = world.as_("CEO", lambda s, a: explanations.items_to_explain(s, a, "2026-11"))
    return next(i.subject for i in items if i.status == "red")


def _first_goal(world: World) -> int:
    return world.as_("CEO", lambda s, a: goals.goals(s, a, parse_period("2026-11"))[0].id)


def _action_item(world: World) -> int:
    return world.as_(
        "CEO",
        lambda s, a: review.record_item(
            s, a, "2026-11", "action", "Send the plan", "CMO", "2026-12-15"
        ),
    )


def on_an_empty_store(use: Call) -> Callable[[World], Call]:
    """A case for a new team's store: the demo is wiped first (these use cases refuse a
    store that already holds what they would start)."""

    def build(world: World) -> Call:
        with world.store.engine.begin() as connection:
            audit_guard.wipe_all(connection)
        return use

    return build


def _restore(world: World) -> Call:
    path = world.tmp / "backup.db"
    backup.back_up(world.store, COMMAND_LINE, path)
    return lambda _s, a: backup.restore(world.store, a, path, replace=True)


def _proposal() -> Proposal:
    line = ProposalLine("Search", 1000.0, 1200.0, 500.0, 2000.0, 1.4, 1.2, None)
    return Proposal(1200.0, 1000.0, (line,), 300.0, 100.0, 500.0, "revenue", ("Monthly data",))


def _item(world: World) -> int:
    text = world.fresh("We agree on the pipeline number")
    return world.as_("CEO", lambda s, a: checklist.add_item(s, a, text))


def _competence(world: World) -> int:
    name = world.fresh("Pricing")
    return world.as_("CMO", lambda s, a: maturity.add_competence(s, a, name))


def _ledger_line(world: World, reference: str) -> int:
    """A line of finance's, imported by the CFO, for the demo's open PO-4475."""
    data = (
        "invoice_date,vendor,amount,po_reference,invoice_number\n"
        f"2026-11-20,Brightline Studio,100,{reference},{world.fresh('INV')}\n"
    ).encode()
    cfo = world.people()["CFO"]
    with world.store.session() as session:
        invoice_import.import_invoices(
            session, cfo, invoice_import.read_invoice_file(data, f"{world.fresh('gl')}.csv")
        )
        return int(session.scalar(sa.select(sa.func.max(Invoice.id))))  # type: ignore[arg-type]


def _confirm_match(world: World) -> Call:
    line = _ledger_line(world, "")
    return lambda s, a: invoices.confirm_match(s, a, line, "PO-4475")


def _undo_match(world: World) -> Call:
    line = _ledger_line(world, "PO-4475")
    return lambda s, a: invoices.undo_match(s, a, line, "Wrong order")


def _book_matched(world: World) -> Call:
    _ledger_line(world, "PO-4475")
    return lambda s, a: reconciliation.book_matched_invoices(s, a, "2026-11")


def _room_link(world: World) -> room_links.NewLink:
    return world.as_(
        "CEO", lambda s, a: room_links.create_link(s, a, "2026-11", dt.date(2026, 11, 30))
    )


def now(use: Call) -> Callable[[World], Call]:
    """A case that needs nothing prepared."""
    return lambda _world: use


def after(prepare: Callable[[World], Any], use: Callable[..., Any]) -> Callable[[World], Call]:
    """A case that needs something made first (by the people who may make it)."""

    def build(world: World) -> Call:
        prepared = prepare(world)
        return lambda session, actor: use(session, actor, prepared)

    return build


def _new_kpi(world: World) -> int:
    return world.as_("CMO", lambda s, a: kpis.create_kpi(s, a, _kpi(world)))


def _signed_definition(world: World) -> int:
    return _definition_of(world, _signed(world))


def _forecast_line(world: World) -> forecast.ForecastEdit:
    with world.store.session() as session:
        line_id, version = session.execute(
            sa.select(ForecastLine.id, ForecastLine.version).order_by(ForecastLine.id).limit(1)
        ).one()
    return forecast.ForecastEdit(line_id, version, {"spend": 1234})


def _forecast_file(world: World) -> forecast_import.ForecastFile:
    return world.as_(
        "CMO",
        lambda s, a: forecast_import.read_forecast_file(
            s, a, b"month,channel,spend\n2026-12,Events,100\n", "forecast.csv"
        ),
    )


def _notice(world: World) -> outbox.Draft:
    return outbox.Draft(
        world.fresh("test:notice"),
        "action_due",
        "email",
        None,
        "maya.lindqvist@kestrel.example",
        "Due soon",
        "Send the plan.",
        "An action item is due.",
    )


def _queued(world: World) -> int:
    draft = _notice(world)
    world.as_("admin", lambda s, a: outbox.queue(s, a, [draft]))
    with world.store.session() as session:
        return int(session.scalar(sa.select(Notice.id).where(Notice.key == draft.key)))


def _claimed(world: World) -> int:
    notice_id = _queued(world)
    world.as_("admin", lambda s, a: outbox.claim_due(s, a, {}))
    return notice_id


CASES: dict[str, tuple[Action, Callable[[World], Call]]] = {
    "accounts.add_user": (
        Action.MANAGE_USERS,
        now(lambda s, a: accounts.add_user(s, a, "new@example.com", "New", "viewer", None)),
    ),
    "accounts.change_account": (
        Action.MANAGE_USERS,
        after(
            lambda w: w.people()["CMO"].user_id,
            lambda s, a, user: accounts.change_account(s, a, user, password=PASSWORD),
        ),
    ),
    "accounts.set_idle_minutes": (
        Action.MANAGE_USERS,
        now(lambda s, a: accounts.set_idle_minutes(s, a, 45)),
    ),
    "accounts.log_in": (
        Action.LOG_IN,
        after(lambda w: _account(w, PASSWORD), lambda s, _a, e: accounts.log_in(s, e, PASSWORD)),
    ),
    "accounts.sso_log_in": (
        Action.LOG_IN,
        after(
            lambda w: _account(w, None), lambda s, _a, e: accounts.sso_log_in(s, e, verified=True)
        ),
    ),
    "backup.restore": (Action.MANAGE_STORE, _restore),
    "budget.lock_baseline": (
        Action.LOCK_BASELINE,
        now(lambda s, a: budget.lock_baseline(s, a, "2025-06")),
    ),
    "budget.save_changes": (Action.ENTER_FIGURES, _edit_line),
    "budget_import.apply_import": (Action.ENTER_FIGURES, _import),
    "budget_import.import_budget": (Action.ENTER_FIGURES, _import_own_headers),
    "budget_import.remember_mapping": (
        Action.ENTER_FIGURES,
        now(
            lambda s, a: budget_import.remember_mapping(
                s, a, "Ads export", {"Day": "month", "Cost": "actual_spend"}
            )
        ),
    ),
    "checklist.add_item": (
        Action.EDIT_CHECKLIST_ITEMS,
        now(lambda s, a: checklist.add_item(s, a, "Finance and marketing share one plan")),
    ),
    "checklist.retire_item": (Action.EDIT_CHECKLIST_ITEMS, after(_item, checklist.retire_item)),
    "checklist.reword_item": (
        Action.EDIT_CHECKLIST_ITEMS,
        after(_item, lambda s, a, i: checklist.reword_item(s, a, i, "Reworded statement")),
    ),
    "checklist.save_answers": (
        Action.ANSWER_CHECKLIST,
        after(
            _item, lambda s, a, i: checklist.save_answers(s, a, "2026-11", [checklist.Answer(i, 3)])
        ),
    ),
    "checklist.start_with_standard_statements": (
        Action.EDIT_CHECKLIST_ITEMS,
        on_an_empty_store(checklist.start_with_standard_statements),
    ),
    "commitment_import.import_commitments": (
        Action.COMMIT_SPEND,
        now(
            lambda s, a: commitment_import.import_commitments(
                s,
                a,
                commitment_import.read_commitment_file(
                    b"po_number,vendor,channel,amount,first_month\nPO-77,Vendor,Events,100,2026-12\n",
                    "orders.csv",
                ),
                reason="Agreed",
            )
        ),
    ),
    "invoice_import.import_invoices": (
        Action.RECONCILE_SPEND,
        now(
            lambda s, a: invoice_import.import_invoices(
                s,
                a,
                invoice_import.read_invoice_file(
                    b"invoice_date,vendor,amount\n2026-11-03,Vendor,100\n", "ledger.csv"
                ),
            )
        ),
    ),
    "invoices.confirm_match": (Action.RECONCILE_SPEND, _confirm_match),
    "invoices.undo_match": (Action.RECONCILE_SPEND, _undo_match),
    "reconciliation.book_matched_invoices": (Action.RECONCILE_SPEND, _book_matched),
    "commitments.record_commitment": (
        Action.COMMIT_SPEND,
        now(
            lambda s, a: commitments.record_commitment(
                s,
                a,
                commitments.CommitmentInput("PO-1", "Vendor", "Events", "100", "2026-12"),
                reason="Agreed",
            )
        ),
    ),
    "forecast.start_forecast": (
        Action.FORECAST,
        now(lambda s, a: forecast.start_forecast(s, a, forecast.ForecastBasis.PLAN)),
    ),
    "forecast.save_forecast": (
        Action.FORECAST,
        after(_forecast_line, lambda s, a, edit: forecast.save_forecast(s, a, [edit])),
    ),
    "forecast_import.import_forecast": (
        Action.FORECAST,
        after(_forecast_file, forecast_import.import_forecast),
    ),
    "goals.create_goal": (
        Action.SET_GOALS,
        now(lambda s, a: goals.create_goal(s, a, _goal("Win ten logos"))),
    ),
    "goals.update_goal": (
        Action.SET_GOALS,
        now(lambda s, a: goals.update_goal(s, a, 1, _goal("Grow new ARR to $15M"))),
    ),
    "goals.set_channel_horizon": (
        Action.ENTER_FIGURES,
        now(lambda s, a: goals.set_channel_horizon(s, a, "Paid search", "long_term")),
    ),
    "kpis.create_kpi": (
        Action.EDIT_KPIS,
        after(lambda w: _kpi(w), kpis.create_kpi),
    ),
    "kpis.update_kpi": (
        Action.EDIT_KPIS,
        after(
            _new_kpi,
            lambda s, a, k: kpis.update_kpi(
                s, a, k, kpis.KpiInput("Renamed", "sign-ups", "higher", "activity")
            ),
        ),
    ),
    "kpis.delete_kpi": (Action.EDIT_KPIS, after(_new_kpi, kpis.delete_kpi)),
    "kpis.save_values": (
        Action.ENTER_KPI_VALUES,
        now(
            lambda s, a: kpis.save_values(
                s, a, [kpis.KpiValueChange(5, "2026-11", target=123, fields=("target",))]
            )
        ),
    ),
    "funnel.save_what_if_targets": (
        Action.ENTER_KPI_VALUES,
        now(
            lambda s, a: funnel.save_what_if_targets(
                s, a, funnel.preview_targets(s, a, [(5, 123.0)], "2026-12")
            )
        ),
    ),
    "maturity.add_competence": (
        Action.ASSESS_MATURITY,
        now(lambda s, a: maturity.add_competence(s, a, "Pricing")),
    ),
    "maturity.rename_competence": (
        Action.ASSESS_MATURITY,
        after(_competence, lambda s, a, c: maturity.rename_competence(s, a, c, "Packaging")),
    ),
    "maturity.retire_competence": (
        Action.ASSESS_MATURITY,
        after(_competence, maturity.retire_competence),
    ),
    "maturity.save_assessment": (
        Action.ASSESS_MATURITY,
        after(
            _competence, lambda s, a, c: maturity.save_assessment(s, a, "2026-Q4", [(c, 2, 4, "")])
        ),
    ),
    "maturity.start_with_standard_competences": (
        Action.ASSESS_MATURITY,
        on_an_empty_store(maturity.start_with_standard_competences),
    ),
    "next_dollar.save_proposal": (
        Action.RAISE_REQUEST,
        now(lambda s, a: next_dollar.save_proposal(s, a, _proposal(), "USD")),
    ),
    "reconciliation.record_finance_spend": (
        Action.RECONCILE_SPEND,
        now(lambda s, a: reconciliation.record_finance_spend(s, a, "2026-11", 98765)),
    ),
    "reconciliation.apply_finance_file": (Action.RECONCILE_SPEND, _finance_file),
    "reconciliation.reconcile_month": (
        Action.RECONCILE_SPEND,
        now(lambda s, a: reconciliation.reconcile_month(s, a, "2026-10", "Matches")),
    ),
    "reconciliation.reopen_month": (
        Action.RECONCILE_SPEND,
        after(_reconciled, lambda s, a, m: reconciliation.reopen_month(s, a, m, "Late bill")),
    ),
    "request_log.raise_request": (
        Action.RAISE_REQUEST,
        now(lambda s, a: request_log.raise_request(s, a, "A trade-show booth")),
    ),
    "request_log.add_research": (
        Action.RESEARCH_REQUEST,
        after(
            _request,
            lambda s, a, r: request_log.add_research(
                s, a, r, "Asked three peers", "12 meetings", 15000, "Do it"
            ),
        ),
    ),
    "request_log.decide": (
        Action.DECIDE_REQUEST,
        after(_request, lambda s, a, r: request_log.decide(s, a, r, "later", "Next year")),
    ),
    "request_log.record_outcome": (
        Action.RESEARCH_REQUEST,
        after(_decided, lambda s, a, r: request_log.record_outcome(s, a, r, "9 meetings")),
    ),
    "explanations.explain": (
        Action.EXPLAIN_STATUS,
        after(
            _red_owned_by_the_ceo,
            lambda s, a, subject: explanations.explain(
                s, a, "2026-11", subject, "A typo in the target", "Sign a new version"
            ),
        ),
    ),
    "explanations.discuss_without": (
        Action.DISCUSS_WITHOUT_EXPLANATION,
        after(
            _red_unexplained,
            lambda s, a, subject: explanations.discuss_without(s, a, "2026-11", subject),
        ),
    ),
    "confidence.rate": (
        Action.RATE_CONFIDENCE,
        after(_first_goal, lambda s, a, goal: confidence.rate(s, a, goal, "2026-11", 3, "Late")),
    ),
    "review.record_item": (
        Action.RECORD_ACTIONS,
        now(lambda s, a: review.record_item(s, a, "2026-11", "decision", "Hold the plan")),
    ),
    "review.set_status": (
        Action.RECORD_ACTIONS,
        after(_action_item, lambda s, a, i: review.set_status(s, a, i, "done")),
    ),
    "review.close_review": (
        Action.CLOSE_REVIEW,
        now(lambda s, a: review.close_review(s, a, "2026-10")),
    ),
    "room_links.create_link": (
        Action.SHARE_MEETING_ROOM,
        now(lambda s, a: room_links.create_link(s, a, "2026-11", dt.date(2026, 11, 30), True)),
    ),
    "room_links.revoke_link": (
        Action.SHARE_MEETING_ROOM,
        after(_room_link, lambda s, a, link: room_links.revoke_link(s, a, link.id)),
    ),
    "room_links.open_link": (
        Action.VIEW,
        after(_room_link, lambda s, _a, link: room_links.open_link(s, link.token)),
    ),
    "review.reopen_review": (
        Action.CLOSE_REVIEW,
        after(_closed, lambda s, a, m: review.reopen_review(s, a, m, "A late invoice")),
    ),
    "sample.load_sample": (
        Action.MANAGE_STORE,
        on_an_empty_store(lambda s, a: sample.load_sample(s, a, today=DEMO_TODAY)),
    ),
    "settings.update_company": (
        Action.EDIT_FINANCIAL_SETTINGS,
        now(lambda s, a: settings.update_company(s, a, gross_margin=0.7)),
    ),
    "success_workflow.create_definition": (
        Action.PROPOSE_DEFINITION,
        now(lambda s, a: success_workflow.create_definition(s, a, _definition("ROI of 6x"))),
    ),
    "success_workflow.update_draft": (
        Action.PROPOSE_DEFINITION,
        after(
            _draft,
            lambda s, a, v: success_workflow.update_draft(s, a, v, _definition("ROI of 7x")),
        ),
    ),
    "success_workflow.propose": (
        Action.PROPOSE_DEFINITION,
        after(
            lambda w: (w, _draft(w)),
            lambda s, a, wv: success_workflow.propose(s, a, wv[1], _hash(*wv)),
        ),
    ),
    "success_workflow.sign_off": (
        Action.SIGN_OFF_DEFINITION,
        after(
            lambda w: (w, _proposed(w)),
            lambda s, a, wv: success_workflow.sign_off(s, a, wv[1], _hash(*wv)),
        ),
    ),
    "success_workflow.return_to_draft": (
        Action.RETURN_DEFINITION,
        after(
            lambda w: (w, _proposed(w)),
            lambda s, a, wv: success_workflow.return_to_draft(
                s, a, wv[1], "Which attribution?", _hash(*wv)
            ),
        ),
    ),
    "success_workflow.acknowledge": (
        Action.ACKNOWLEDGE_DEFINITION,
        after(_signed, success_workflow.acknowledge),
    ),
    "success_workflow.revise": (
        Action.PROPOSE_DEFINITION,
        after(_signed_definition, success_workflow.revise),
    ),
    "outbox.queue": (
        Action.SEND_NOTICES,
        after(_notice, lambda s, a, draft: outbox.queue(s, a, [draft])),
    ),
    "outbox.claim_due": (
        Action.SEND_NOTICES,
        after(_queued, lambda s, a, _id: outbox.claim_due(s, a, {})),
    ),
    "outbox.settle": (
        Action.SEND_NOTICES,
        after(_claimed, lambda s, a, notice_id: outbox.settle(s, a, notice_id, None)),
    ),
    "rules.set_rules": (
        Action.SET_NOTICES,
        now(lambda s, a: notice_rules.set_rules(s, a, {"review": (True, "last Friday")})),
    ),
    "rules.set_webhooks": (
        Action.SET_NOTICES,
        now(
            lambda s, a: notice_rules.set_webhooks(
                s, a, "https://hooks.slack.com/services/T/B/x", ""
            )
        ),
    ),
}


def _definition_of(world: World, version_id: int) -> int:
    with world.store.session() as session:
        version = session.get(SuccessDefinitionVersion, version_id)
        return version.definition_id


def test_every_write_use_case_has_a_case_and_names_its_action():
    found = write_use_cases()
    assert sorted(found) == sorted(CASES), "a write function without a case below, or the reverse"
    for name, actions in found.items():
        declared = CASES[name][0]
        if name == "settings.update_company":
            assert actions == [
                "Action.EDIT_FINANCIAL_SETTINGS if financial else Action.MANAGE_USERS"
            ]
            continue
        assert actions == [f"Action.{declared.name}"], name


def _fingerprint(store: Store) -> dict[str, int]:
    """How many rows each table holds, and the audit head: a refused call changes none."""
    with store.session() as session:
        counts = {
            table.name: session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }
        counts["audit head"] = session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
        return counts


def _actor_of(world: World, role: Role) -> Actor:
    return world.people()[str(role)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_write_is_refused_without_its_action_and_audited_with_it(name, demo_store, tmp_path):
    action, build = CASES[name]
    world = World(demo_store, tmp_path, itertools.count(1))
    call = build(world)
    before = _fingerprint(demo_store)
    for role in Role:
        if role in PERMISSIONS[action]:
            continue
        with demo_store.session() as session, pytest.raises(PermissionDenied):
            call(session, _actor_of(world, role))
        assert _fingerprint(demo_store) == before, f"{name} as {role} changed the store"
    permitted = next(role for role in Role if role in PERMISSIONS[action])
    actor = _actor_of(world, permitted)
    with demo_store.session() as session:
        version = data_version(session)
    with demo_store.session() as session:
        call(session, actor)
    with demo_store.session() as session:
        assert data_version(session) != version, f"{name} left every cached read as it was"
        events = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.id > before["audit head"])
        ).all()
    takes_actor = "actor" in inspect.signature(_function(name)).parameters
    assert events, f"{name} as {permitted} left no audit event"
    if takes_actor:
        assert {e.actor for e in events} == {actor.label}


def _function(name: str) -> Callable[..., Any]:
    module, function = name.split(".")
    full = next(
        info.name
        for info in pkgutil.walk_packages(alignment.__path__, "alignment.")
        if info.name.rsplit(".", 1)[1] == module and not info.ispkg
    )
    return getattr(importlib.import_module(full), function)


# The unit of work itself.


def _events(store: Store) -> int:
    with store.session() as session:
        return session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def _titles(store: Store) -> list[str]:
    with store.session() as session:
        return sorted(session.scalars(sa.select(ChecklistItem.text)))


def test_a_refusal_inside_the_unit_rolls_back_every_change(demo_store, demo_actors):
    before, titles = _events(demo_store), _titles(demo_store)
    with demo_store.session() as session, pytest.raises(ValidationFailed):
        with writing(session, demo_actors["CEO"], Action.EDIT_CHECKLIST_ITEMS) as w:
            session.add(ChecklistItem(text="Half-done change", position=99, active=True))
            session.flush()
            w.record("add", "checklist_item", 99, None, {"text": "Half-done change"})
            raise ValidationFailed("Refused halfway")
    assert (_events(demo_store), _titles(demo_store)) == (before, titles)


def test_a_change_that_records_no_event_is_not_kept(demo_store, demo_actors):
    titles = _titles(demo_store)
    with demo_store.session() as session:
        with writing(session, demo_actors["CEO"], Action.EDIT_CHECKLIST_ITEMS):
            session.add(ChecklistItem(text="Unrecorded", position=99, active=True))
    assert _titles(demo_store) == titles


def test_the_permission_is_checked_before_anything_is_read(demo_store, demo_actors):
    with demo_store.session() as session:
        with pytest.raises(PermissionDenied, match="only the CEO can"):
            with writing(session, demo_actors["CMO"], Action.EDIT_CHECKLIST_ITEMS):
                raise AssertionError("the block ran for someone without the action")


def test_a_use_case_inside_another_shares_its_one_commit(demo_store, demo_actors):
    """The proposal raises a request inside its own unit: one commit, and a failure after
    the inner use case undoes it too."""
    cmo = demo_actors["CMO"]
    before = _events(demo_store)
    with demo_store.session() as session, pytest.raises(ValidationFailed):
        with writing(session, cmo, Action.RAISE_REQUEST):
            request_log.raise_request(session, cmo, "Inner request")
            raise ValidationFailed("The outer step failed")
    assert _events(demo_store) == before
    with demo_store.session() as session:
        next_dollar.save_proposal(session, cmo, _proposal(), "USD")
    assert _events(demo_store) == before + 1


def test_the_inner_use_case_still_checks_its_own_permission(demo_store, demo_actors):
    ceo = demo_actors["CEO"]
    with demo_store.session() as session, pytest.raises(PermissionDenied):
        with writing(session, ceo, Action.RAISE_REQUEST):
            request_log.add_research(session, ceo, 1, "x", "y", 1, "z")


def test_log_in_bookkeeping_cannot_hide_inside_a_change(demo_store, demo_actors):
    with demo_store.session() as session, pytest.raises(RuntimeError):
        with writing(session, demo_actors["CEO"], Action.EDIT_CHECKLIST_ITEMS):
            with bookkeeping(session):
                pass
