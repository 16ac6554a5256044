"""Committed spend on the team store of tests/db/test_forecast.py (today 15 June 2019; the
plan: Events 5,000 a month for June to September, Search 12,000 a month to March 2020).
Every expected figure is worked out by hand in the test that uses it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import range_period
from alignment.spend.commitments import CommitmentInput
from alignment.spend.commitments import OverPlan
from alignment.spend.commitments import commitments
from alignment.spend.commitments import over_plan
from alignment.spend.commitments import record_commitment
from alignment.spend.commitments import spend_position
from alignment.spend.invoice_import import import_invoices
from alignment.spend.invoice_import import read_invoice_file
from db.models import AuditEvent
from tests.db.test_forecast import TODAY
from tests.db.test_forecast import team  # noqa: F401  (the fixture)

FAIR = CommitmentInput("PO-1001", "Fairground Ltd", "Events", "9000", "2019-07", "2019-09")


def _position(session, actor, month: str) -> dict[str, dict[str, Decimal]]:  # type: ignore[no-untyped-def]
    frame = spend_position(session, actor, range_period(month, month))
    return {row["channel"]: row for row in frame.to_dict("records")}


def test_a_commitment_is_spread_over_its_months_and_counts_against_the_plan(store, team):  # noqa: F811
    with clock.pinned(TODAY), store.session() as session:
        record_commitment(session, team["CMO"], FAIR)
        july = _position(session, team["CFO"], "2019-07")["Events"]
        listed = commitments(session, team["CFO"]).iloc[0]
    # 9,000 over July to September is 3,000 a month; July's plan is 5,000, nothing spent
    assert (july["planned"], july["committed"], july["actual"], july["available"]) == (
        Decimal("5000.00"),
        Decimal("3000.00"),
        Decimal("0.00"),
        Decimal("2000.00"),
    )
    assert (listed["po_number"], listed["months"], listed["open"]) == (
        "PO-1001",
        "2019-07..2019-09",
        Decimal("9000.00"),
    )


def test_a_commitment_above_what_is_left_is_flagged_and_saved_only_with_a_reason(store, team):  # noqa: F811
    stand = CommitmentInput("PO-1002", "Stand Co", "Events", "7000", "2019-08")
    with clock.pinned(TODAY), store.session() as session:
        record_commitment(session, team["CMO"], FAIR)
        # August: 5,000 planned - 3,000 committed to the fair = 2,000 left, against 7,000
        (month,) = over_plan(session, team["CMO"], stand)
        assert (month.month, month.available, month.share) == (
            "2019-08",
            Decimal("2000.00"),
            Decimal("7000.00"),
        )
        with pytest.raises(OverPlan, match=r"August 2019: \$7,000 of it against \$2,000 still"):
            record_commitment(session, team["CMO"], stand)
        assert len(commitments(session, team["CMO"])) == 1
        record_commitment(session, team["CMO"], stand, reason="Second stand agreed by the CEO")
        august = _position(session, team["CFO"], "2019-08")["Events"]
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.new_value["po_number"].as_string() == "PO-1002")
        )
    assert august["available"] == Decimal("-5000.00")
    assert event.new_value["over_plan"] == ["2019-08"]
    assert event.new_value["reason"] == "Second stand agreed by the CEO"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            CommitmentInput("PO-1001", "Other Ltd", "Events", "10", "2019-07"),
            "PO-1001 is already the purchase order of Fairground Ltd; check the number",
        ),
        (
            CommitmentInput("po-1001", "fairground ltd", "Events", "10", "2019-07"),
            "po-1001 of Fairground Ltd is already committed.",
        ),
        (
            CommitmentInput("PO-7", "A", "Events", "-5", "2019-07"),
            "PO-7: the amount is negative; figures cannot be below zero.",
        ),
        (CommitmentInput("PO-7", "A", "Events", "", "2019-07"), "PO-7: the amount is missing"),
        (CommitmentInput("PO-7", "A", "Events", "ten", "2019-07"), "the amount 'ten' is not"),
        (
            CommitmentInput("PO-7", "A", "Events", "10", "2019-09", "2019-07"),
            "PO-7: it ends (July 2019) before it starts (September 2019).",
        ),
        (CommitmentInput("PO-7", "A", "Events", "10", "2019-13"), "The first month '2019-13'"),
        (CommitmentInput("", "A", "Events", "10", "2019-07"), "purchase order number is missing"),
        (CommitmentInput("PO-7", " ", "Events", "10", "2019-07"), "The vendor is missing."),
    ],
)
def test_bad_input_is_one_sentence_and_changes_nothing(store, team, typed, message):  # noqa: F811
    with clock.pinned(TODAY), store.session() as session:
        record_commitment(session, team["CMO"], FAIR)
        with pytest.raises(ValidationFailed) as refused:
            record_commitment(session, team["CMO"], typed)
        assert message in str(refused.value)
        assert len(commitments(session, team["CMO"])) == 1


def test_odd_cents_go_to_the_first_months_and_invoices_close_the_first_months(store, team):  # noqa: F811
    with clock.pinned(TODAY), store.session() as session:
        record_commitment(
            session,
            team["CMO"],
            CommitmentInput("PO-9", "Printer", "Search", "100.00", "2019-07", "2019-09"),
        )
        before = spend_position(session, team["CFO"], range_period("2019-07", "2019-09"))
        # 40.00 invoiced: July's 33.34 and 6.66 of August
        ledger = b"invoice_date,vendor,amount,po_reference\n2019-06-10,Printer,40.00,PO-9\n"
        import_invoices(session, team["CFO"], read_invoice_file(ledger, "ledger.csv"))
        after = spend_position(session, team["CFO"], range_period("2019-07", "2019-09"))
    committed = lambda frame: frame[frame["channel"] == "Search"]["committed"].tolist()  # noqa: E731
    assert committed(before) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert committed(after) == [Decimal("0.00"), Decimal("26.67"), Decimal("33.33")]


def test_only_the_cmo_commits_spend(store, team):  # noqa: F811
    with clock.pinned(TODAY), store.session() as session:
        with pytest.raises(PermissionDenied):
            record_commitment(session, team["CFO"], FAIR)
        assert commitments(session, team["CFO"]).empty
