"""The monthly review: frozen snapshots, carried-over actions and the meeting pack."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.edges.meeting_pack import pack_pdf
from alignment.edges.meeting_pack import pack_xlsx
from alignment.meeting import review
from alignment.shared import formatting as fmt
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import parse_period
from alignment.spend.budget import BudgetChanges
from alignment.spend.budget import LineEdit
from alignment.spend.budget import budget_lines
from alignment.spend.budget import save_changes
from alignment.spend.budget_import import apply_import
from alignment.spend.budget_import import read_budget_file
from alignment.trust.checklist import Answer
from alignment.trust.checklist import save_answers
from db.models import AuditEvent
from tests import oracle
from tests.conftest import DEMO_TODAY
from tests.db.test_explanations import discuss_every_red_item

OCTOBER = "2026-10"


def close(store, actor, month=OCTOBER):
    with store.session() as session:
        review.close_review(session, actor, month, today=dt.date(2026, 11, 23))


def view(store, actor, month=OCTOBER):
    with store.session() as session:
        return review.review(session, actor, month)


def test_a_closed_review_keeps_its_figures_after_later_edits(demo_store, demo_actors):
    ceo, cmo = demo_actors["CEO"], demo_actors["CMO"]
    close(demo_store, ceo)
    frozen = view(demo_store, ceo)
    assert frozen.closed and frozen.differences == []
    spend_before = frozen.sections["headline"]["now"]["actual_spend"]
    with demo_store.session() as session:
        session.execute(sa.text("UPDATE reconciliations SET reconciled = false"))
        session.commit()
        line = budget_lines(session, cmo, parse_period(OCTOBER)).iloc[0]
        save_changes(
            session,
            cmo,
            BudgetChanges(
                edits=[
                    LineEdit(
                        int(line["id"]),
                        int(line["version"]),
                        {"actual_spend": float(line["actual_spend"]) + 1000},
                    )
                ]
            ),
        )
        item = session.execute(sa.text("SELECT min(id) FROM checklist_items")).scalar()
        save_answers(session, cmo, "2026-11", [Answer(item, 1)])
    after = view(demo_store, ceo)
    assert after.sections["headline"]["now"]["actual_spend"] == spend_before
    changed = {(d.section, d.item): d for d in after.differences}
    spend = changed[("Headline figures", "actual spend")]
    assert spend.frozen == spend_before and spend.now == pytest.approx(spend_before + 1000)
    channel = line["channel"]
    assert ("Budget vs return", f"{channel}: actual") in changed


def test_closing_twice_a_future_month_and_by_others_is_refused(demo_store, demo_actors):
    ceo = demo_actors["CEO"]
    close(demo_store, ceo)
    with demo_store.session() as session:
        with pytest.raises(ValidationFailed, match="already closed"):
            review.close_review(session, ceo, OCTOBER, today=dt.date(2026, 11, 23))
        with pytest.raises(ValidationFailed, match="has not started"):
            review.close_review(session, ceo, "2026-12", today=dt.date(2026, 11, 23))
        for role in ("CFO", "CMO", "viewer"):
            with pytest.raises(PermissionDenied):
                review.close_review(session, demo_actors[role], "2026-09")


def test_reopening_needs_the_ceo_and_a_reason_and_is_audited(demo_store, demo_actors):
    ceo = demo_actors["CEO"]
    close(demo_store, ceo)
    with demo_store.session() as session:
        with pytest.raises(PermissionDenied):
            review.reopen_review(session, demo_actors["CFO"], OCTOBER, "typo")
        with pytest.raises(ValidationFailed, match="Say why"):
            review.reopen_review(session, ceo, OCTOBER, " ")
        review.reopen_review(session, ceo, OCTOBER, "Late invoice")
        event = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "reopen" and event.new_value["reason"] == "Late invoice"
    assert event.old_value["snapshot"]["headline"]["now"]["actual_spend"] > 0
    assert not view(demo_store, ceo).closed


def test_open_actions_carry_over_until_done(demo_store, demo_actors):
    cfo = demo_actors["CFO"]
    with demo_store.session() as session:
        with pytest.raises(ValidationFailed, match="needs an owner.*needs a due date"):
            review.record_item(session, cfo, "2026-09", "action", "Fix attribution")
        with pytest.raises(ValidationFailed, match="write down what"):
            review.record_item(session, cfo, "2026-09", "decision", " ")
        action = review.record_item(
            session, cfo, "2026-09", "action", "Fix attribution", "CMO", "2026-10-15"
        )
        review.record_item(session, cfo, "2026-09", "decision", "Keep the event budget")
        done = review.record_item(
            session, cfo, "2026-09", "action", "Send the board deck", "CEO", dt.date(2026, 9, 30)
        )
        review.set_status(session, cfo, done, "done")
        with pytest.raises(PermissionDenied):
            review.record_item(session, demo_actors["viewer"], "2026-09", "decision", "x")
    october = view(demo_store, cfo, OCTOBER)
    november = view(demo_store, cfo, "2026-11")
    assert [a.text for a in october.carried] == ["Fix attribution"]
    assert [a.text for a in november.carried] == ["Fix attribution"]
    with demo_store.session() as session:
        review.set_status(session, cfo, action, "done")
    assert view(demo_store, cfo, "2026-11").carried == []


def test_nothing_is_recorded_into_a_closed_review(demo_store, demo_actors):
    close(demo_store, demo_actors["CEO"])
    with demo_store.session() as session, pytest.raises(ValidationFailed, match="is closed"):
        review.record_item(session, demo_actors["CMO"], OCTOBER, "decision", "Late idea")


def test_the_pack_holds_the_snapshots_numbers(demo_store, demo_actors):
    ceo = demo_actors["CEO"]
    with demo_store.session() as session:
        review.record_item(session, ceo, OCTOBER, "decision", "Book the symposium booth")
    close(demo_store, ceo)
    frozen = view(demo_store, ceo)
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(frozen, "Kestrel Analytics")))
    assert book.sheetnames[:2] == ["Cover", "Headline figures"]
    rows = {r[0]: r[1] for r in book["Headline figures"].iter_rows(min_row=3, values_only=True)}
    october = oracle.headline(DEMO_TODAY, OCTOBER, OCTOBER)
    labels = {
        "Planned budget": "planned_budget",
        "Actual spend": "actual_spend",
        "Spend variance": "spend_variance",
        "Spend variance %": "spend_variance_pct",
        "ROAS": "roas",
        "ROMI (attributed)": "romi_attributed",
        "Attributed pipeline": "attributed_pipeline",
        "Attributed revenue": "attributed_revenue",
        "Marketing CAC": "marketing_cac",
        "New customers": "new_customers",
    }
    assert set(rows) == set(labels)
    for label, key in labels.items():
        assert rows[label] == pytest.approx(october[key]), label
    channels = {r[0]: r[2] for r in book["Budget vs return"].iter_rows(min_row=3, values_only=True)}
    first = frozen.sections["budget"][0]
    assert channels[first["channel"]] == pytest.approx(first["actual"])
    actions = [
        r[2] for r in book["Decisions and action items"].iter_rows(min_row=3, values_only=True)
    ]
    assert actions == ["Book the symposium booth"]
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(pack_pdf(frozen, "Kestrel Analytics"))).pages
    )
    assert "Monthly review, October 2026" in text and "Closed by Maya Lindqvist" in text
    assert fmt.money(october["actual_spend"], "USD") in text
    assert fmt.multiple(october["roas"]) in text
    assert "Book the symposium booth" in text


def test_a_month_without_figures_gets_a_pack_that_says_so(demo_store, demo_actors):
    empty = view(demo_store, demo_actors["CEO"], "2022-01")
    assert not empty.has_data
    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pack_pdf(empty, "Kestrel Analytics"))).pages
    )
    assert "There are no figures for January 2022" in text
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(empty, "Kestrel Analytics")))
    assert "No figures for January 2022." in [
        r[1] for r in book["Cover"].iter_rows(values_only=True)
    ]


def test_history_lists_closed_reviews_and_searches_their_decisions(demo_store, demo_actors):
    ceo = demo_actors["CEO"]
    with demo_store.session() as session:
        review.record_item(session, ceo, "2026-09", "decision", "Stop the TikTok test")
        review.record_item(session, ceo, OCTOBER, "decision", "Book the booth")
        # The demo explains October's red items, not September's: the CEO records that the
        # review discussed them without one.
        assert discuss_every_red_item(session, ceo, "2026-09") == [
            "Marketing CAC at most $12,500 per new customer",
            "Aided brand awareness",
            "Webinars held",
        ]
    close(demo_store, ceo, "2026-09")
    close(demo_store, ceo)
    with demo_store.session() as session:
        everything = review.history(session, ceo)
        tiktok = review.history(session, ceo, "tiktok")
    assert [r.month for r in everything] == ["2026-10", "2026-09"]
    assert [r.month for r in tiktok] == ["2026-09"]
    assert tiktok[0].decisions[0].text == "Stop the TikTok test"


HISTORY_HEADER = (
    "month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
    "attributed_revenue,new_customers\n"
)


def _import_history(store, rows: list[str]) -> None:
    data = (HISTORY_HEADER + "\n".join(rows) + "\n").encode()
    with store.session() as session:
        apply_import(session, Actor(None, "Dana", Role.CMO), read_budget_file(data, "h.csv"))


def test_a_team_can_review_and_answer_history_years_old(store):
    """A real team's own figures end years before today (2015-11..2019-11 here, today
    23 Nov 2026): every month with figures is offered, and the review opens on the newest."""
    _import_history(
        store,
        [
            "2015-11,TV,,1000,900,0,3000,1",
            "2017-06,TV,,1000,1100,0,2500,1",
            "2019-11,Search,,500,450,2000,1800,2",
        ],
    )
    ceo, cfo = Actor(None, "Ada", Role.CEO), Actor(None, "Finn", Role.CFO)
    with store.session() as session:
        choices = review.review_months(session, ceo)
        assert choices.months == ["2026-11", "2019-11", "2017-06", "2015-11"]
        assert choices.opening == "2019-11"
        save_answers(session, cfo, "2017-06", [])
        review.close_review(session, ceo, "2017-06")
        closed = review.review(session, ceo, "2017-06")
    assert closed.status == "closed"
    assert closed.sections["headline"]["now"]["actual_spend"] == 1100


def test_a_new_store_opens_on_the_current_month(store):
    with store.session() as session:
        choices = review.review_months(session, Actor(None, "Ada", Role.CEO))
    assert (choices.months, choices.opening) == (["2026-11"], "2026-11")


def test_months_after_today_are_not_offered_for_a_review(store):
    _import_history(store, ["2026-10,TV,,1000,900,0,3000,1", "2027-02,TV,,1000,,,,"])
    with store.session() as session:
        choices = review.review_months(session, Actor(None, "Ada", Role.CEO))
    assert (choices.months, choices.opening) == (["2026-11", "2026-10"], "2026-10")


def test_a_month_with_spend_and_no_plan_is_reviewed_and_packed(store):
    """A team's history file often has no planned budget: no variance to sort channels by."""
    cmo = Actor(None, "Mia Sato", Role.CMO)
    ceo = Actor(None, "Omar Reyes", Role.CEO)
    data = (
        b"month,channel,actual_spend,attributed_revenue\n"
        b"2018-05,TV,100,300\n2018-05,Search,50,400\n"
    )
    with store.session() as session:
        apply_import(session, cmo, read_budget_file(data, "history.csv"))
        shown = review.review(session, ceo, "2018-05")
        pdf = pack_pdf(shown, "Acme Robotics")
    channels = shown.sections["budget"]
    assert [c["channel"] for c in channels] == ["Search", "TV"]
    assert [c["variance"] for c in channels] == [None, None]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "$150" in " ".join(text.split())


def test_a_closed_review_and_its_pack_print_the_audit_head_as_a_witness(demo_store, demo_actors):
    """Issue 15.4: the pack is an outside witness; whoever keeps it can prove with
    ``audit verify --head`` that nothing up to the closing changed since, and that a change
    before it is caught."""
    from alignment.access.permissions import COMMAND_LINE
    from alignment.records import audit
    from tests.cli.test_cli import run

    ceo = demo_actors["CEO"]
    assert view(demo_store, ceo).audit_head is None
    close(demo_store, ceo)
    frozen = view(demo_store, ceo)
    with demo_store.session() as session:
        closing = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "close").order_by(AuditEvent.id)
        ).first()
    head = frozen.audit_head
    assert head == audit.Head(closing.id, closing.hash)
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pack_pdf(frozen, "Kestrel"))).pages
    )
    assert head.hash in text and f"verify --head {head.text}" in " ".join(text.split())
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(frozen, "Kestrel")))
    cover = {r[0]: r[1] for r in book["Cover"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert head.text in cover["Audit head at closing"]
    with demo_store.session() as session:
        review.record_item(session, ceo, "2026-11", "decision", "Written after the closing")
    result = run(demo_store.url, "audit", "verify", "--head", head.text)
    assert result.returncode == 0, result.stderr
    with demo_store.engine.begin() as conn:
        if demo_store.dialect == "sqlite":
            conn.execute(sa.text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        conn.execute(
            sa.text("UPDATE audit_events SET actor = 'Nobody' WHERE id = :i"), {"i": head.sequence}
        )
    with demo_store.session() as session:
        assert not audit.verify(session, COMMAND_LINE, head).intact
    assert run(demo_store.url, "audit", "verify", "--head", head.text).returncode == 2
