"""Finance's invoice lines matched to purchase orders, on the team store of
tests/db/test_forecast.py (today 15 June 2019, nothing reconciled yet). Two purchase orders
are committed first:

- PO-1001, Fairground Ltd, Events, 9,000 over July to September (3,000 a month);
- PO-2001, Adwords Agency, Search, 3,000 for June.

Every expected figure is worked out by hand in the test that uses it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlalchemy import select

from alignment.company.settings import update_company
from alignment.files.spreadsheet import FileRefused
from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import range_period
from alignment.spend import reconciliation
from alignment.spend.commitments import CommitmentInput
from alignment.spend.commitments import commitments
from alignment.spend.commitments import record_commitment
from alignment.spend.invoice_import import import_invoices
from alignment.spend.invoice_import import preview_invoices
from alignment.spend.invoice_import import read_invoice_file
from alignment.spend.invoice_import import remembered_mapping
from alignment.spend.invoices import confirm_match
from alignment.spend.invoices import invoice_matching
from alignment.spend.invoices import stale_commitments
from alignment.spend.invoices import undo_match
from db.models import AuditEvent
from db.models import Commitment
from db.models import Invoice
from tests.db.test_forecast import TODAY
from tests.db.test_forecast import team  # noqa: F401  (the fixture)

LEDGER_HEADER = "Belegdatum;Lieferant;Betrag;Bestellnummer;Konto;Rechnungsnummer\n"
LEDGER = {
    "invoice_date": "Belegdatum",
    "vendor": "Lieferant",
    "amount": "Betrag",
    "po_reference": "Bestellnummer",
    "gl_account": "Konto",
    "invoice_number": "Rechnungsnummer",
}
STANDARD_HEADER = "invoice_date,vendor,amount,po_reference,gl_account,invoice_number\n"
JUNE = range_period("2019-06", "2019-06")


def ledger(*rows: str) -> bytes:
    return (LEDGER_HEADER + "".join(row + "\n" for row in rows)).encode()


def standard(*rows: str) -> bytes:
    return (STANDARD_HEADER + "".join(row + "\n" for row in rows)).encode()


@pytest.fixture
def orders(store, team):  # type: ignore[no-untyped-def]  # noqa: F811
    with clock.pinned(TODAY), store.session() as session:
        record_commitment(
            session,
            team["CMO"],
            CommitmentInput("PO-1001", "Fairground Ltd", "Events", "9000", "2019-07", "2019-09"),
        )
        record_commitment(
            session,
            team["CMO"],
            CommitmentInput("PO-2001", "Adwords Agency", "Search", "3000", "2019-06"),
        )
    return team


def open_amounts(session, actor) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    listed = commitments(session, actor)
    return dict(zip(listed["po_number"], listed["open"], strict=True))


def test_a_ledger_export_is_mapped_once_and_lines_with_a_po_reference_close_their_order(
    store,
    orders,  # noqa: F811
):
    # German ledger: dates day first with dots, amounts with a decimal comma. Row 2 pays
    # 1.200,50 of PO-1001 (written "po 1001"), row 3 pays all of PO-2001, row 4 names no
    # order SamePage holds, row 5 has no reference.
    data = ledger(
        "03.06.2019;Fairground Ltd;1.200,50;po 1001;6100;R-17",
        "05.06.2019;Adwords Agency;3.000,00;PO-2001;6100;A-9",
        "07.06.2019;Print Shop;450,00;PO-9999;6120;P-1",
        "10.06.2019;Fairground Ltd;3.000,00;;6100;R-18",
    )
    lines = read_invoice_file(data, "datev-buchungen-2019-06.csv", given=LEDGER)
    with clock.pinned(TODAY), store.session() as session:
        preview = preview_invoices(session, orders["CFO"], lines)
        assert (preview.new, preview.matched, preview.unmatched, preview.problem_count) == (
            4,
            2,
            2,
            0,
        )
        # matched 1,200.50 + 3,000 = 4,200.50; unmatched 450 + 3,000 = 3,450
        assert (preview.matched_total, preview.unmatched_total) == (
            Decimal("4200.50"),
            Decimal("3450.00"),
        )
        assert dict(
            zip(preview.by_order["po_number"], preview.by_order["amount"], strict=True)
        ) == {
            "PO-1001": Decimal("1200.50"),
            "PO-2001": Decimal("3000.00"),
        }
        import_invoices(session, orders["CFO"], lines)
        assert remembered_mapping(session, "datev buchungen") == LEDGER
        # 9,000 - 1,200.50 = 7,799.50 still open; PO-2001 is fully invoiced
        assert open_amounts(session, orders["CFO"]) == {
            "PO-1001": Decimal("7799.50"),
            "PO-2001": Decimal("0.00"),
        }
        stored = session.scalars(select(Invoice).order_by(Invoice.file_row)).all()
    assert [(i.invoice_date, i.month, i.amount, i.matched_how) for i in stored] == [
        (dt.date(2019, 6, 3), "2019-06", 120050, "po_reference"),
        (dt.date(2019, 6, 5), "2019-06", 300000, "po_reference"),
        (dt.date(2019, 6, 7), "2019-06", 45000, None),
        (dt.date(2019, 6, 10), "2019-06", 300000, None),
    ]


def test_an_unmatched_line_gets_the_vendors_open_order_as_a_suggestion_the_cfo_confirms(
    store,
    orders,  # noqa: F811
):
    # 3,000 from Fairground Ltd without a reference: PO-1001's monthly share is 3,000
    data = standard(
        "2019-06-10,Fairground Ltd.,3000,,6100,R-18", "2019-06-11,Print Shop,450,,6120,P-1"
    )
    with clock.pinned(TODAY), store.session() as session:
        import_invoices(session, orders["CFO"], read_invoice_file(data, "ledger.csv"))
        matching = invoice_matching(session, orders["CFO"], JUNE)
        unmatched = matching.unmatched.set_index("vendor")
        assert unmatched.loc["Fairground Ltd.", "po_number"] == "PO-1001"
        assert unmatched.loc["Fairground Ltd.", "suggested_because"] == (
            "same vendor, one month's share"
        )
        assert unmatched["po_number"].isna()["Print Shop"]
        assert (matching.matched_lines, matching.unmatched_lines) == (0, 2)
        line = int(unmatched.loc["Fairground Ltd.", "id"])
        with pytest.raises(PermissionDenied, match="only the CFO can"):
            confirm_match(session, orders["CMO"], line, "PO-1001")
        with pytest.raises(ValidationFailed, match="Type the number of the purchase order"):
            confirm_match(session, orders["CFO"], line, "  ")
        with pytest.raises(ValidationFailed, match="No purchase order PO-7 is recorded"):
            confirm_match(session, orders["CFO"], line, "PO-7")
        confirm_match(session, orders["CFO"], line, "PO-1001")
        after = invoice_matching(session, orders["CFO"], JUNE)
        assert (after.matched_lines, after.matched_total) == (1, Decimal("3000.00"))
        assert after.matched.iloc[0]["how"] == "confirmed by the CFO"
        assert open_amounts(session, orders["CFO"])["PO-1001"] == Decimal("6000.00")
        with pytest.raises(ValidationFailed, match="already matched to PO-1001"):
            confirm_match(session, orders["CFO"], line, "PO-2001")
        undo_match(session, orders["CFO"], line, "Was the stand deposit, not the fair")
        assert open_amounts(session, orders["CFO"])["PO-1001"] == Decimal("9000.00")
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "invoice")
        ).all()
    assert actions == ["match_invoice", "unmatch_invoice"]


def test_matched_invoices_stand_as_finance_spend_and_a_reconciled_month_takes_no_more(
    store,
    orders,  # noqa: F811
):
    data = standard(
        "2019-06-05,Adwords Agency,3000,PO-2001,6100,A-9",
        "2019-06-07,Print Shop,450,,6120,P-1",
    )
    with clock.pinned(TODAY), store.session() as session:
        with pytest.raises(ValidationFailed, match="No invoice line of June 2019 is matched"):
            reconciliation.book_matched_invoices(session, orders["CFO"], "2019-06")
        import_invoices(session, orders["CFO"], read_invoice_file(data, "ledger.csv"))
        # only the matched line counts: 3,000, not 3,450
        assert reconciliation.book_matched_invoices(session, orders["CFO"], "2019-06") == Decimal(
            "3000.00"
        )
        june = reconciliation.month_reconciliation(session, orders["CFO"], "2019-06")
        assert (june.finance_spend, june.matched_invoices, june.matched_lines) == (
            Decimal("3000.00"),
            Decimal("3000.00"),
            1,
        )
        reconciliation.reconcile_month(session, orders["CFO"], "2019-06", "Ledger agrees")
        late = read_invoice_file(standard("2019-06-14,Adwords Agency,10,,6100,A-10"), "late.csv")
        preview = preview_invoices(session, orders["CFO"], late)
        assert preview.problems == [
            "Row 2, column 'invoice_date': '2019-06-14' falls in June 2019, which finance has "
            "reconciled; reopen the month before adding invoices to it."
        ]
        print_line = int(
            session.scalar(select(Invoice.id).where(Invoice.vendor == "Print Shop"))  # type: ignore[arg-type]
        )
        with pytest.raises(ValidationFailed, match="June 2019 is reconciled; reopen it"):
            confirm_match(session, orders["CFO"], print_line, "PO-2001")
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "finance_spend")
        ).one()
    assert event.new_value["source"] == "invoices"
    assert event.new_value["lines"] == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "2019-06-05,Fair,-10,,,",
            "Row 3, column 'amount': '-10' is negative; SamePage takes invoices, not credit notes",
        ),
        ("2019-06-05,Fair,,,,", "Row 3, column 'amount': '' is missing"),
        ("2019-06-05,Fair,ten,,,", "Row 3, column 'amount': 'ten' is not an amount"),
        ("June 5th,Fair,10,,,", "Row 3, column 'invoice_date': 'June 5th' is not a date"),
        ("2019-02-30,Fair,10,,,", "'2019-02-30' is not a date: no such day in that month"),
        (
            "2019-06-16,Fair,10,,,",
            "'2019-06-16' is after today (15 Jun 2019); finance books the invoices it has received",
        ),
        (",Fair,10,,,", "Row 3, column 'invoice_date': '' the date is missing"),
        ("2019-06-05,,10,,,", "Row 3, column 'vendor': the vendor is missing"),
        (
            "2019-06-05,Fair,10,PO-1001 / PO-2001,,",
            "Row 3, column 'po_reference': 'PO-1001 / PO-2001' names 2 purchase orders "
            "(PO-1001, PO-2001); split the line by purchase order",
        ),
        (
            "2019-06-05,Print Shop,10,,,P-1",
            "Row 3, column 'invoice_number': 'P-1' repeats row 2",
        ),
    ],
)
def test_one_bad_line_imports_nothing_and_names_its_row_and_column(store, orders, row, message):  # noqa: F811
    data = standard("2019-06-04,Print Shop,450,,6120,P-1", row)
    with clock.pinned(TODAY), store.session() as session:
        lines = read_invoice_file(data, "ledger.csv")
        preview = preview_invoices(session, orders["CFO"], lines)
        assert message in preview.problems[0]
        assert not preview.can_import
        with pytest.raises(ValidationFailed, match="Nothing was imported"):
            import_invoices(session, orders["CFO"], lines)
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0
        assert session.scalar(select(func.sum(Commitment.invoiced))) == 0


def test_a_file_imported_twice_is_refused_and_a_known_invoice_number_is_not_counted_again(
    store,
    orders,  # noqa: F811
):
    first = standard("2019-06-05,Adwords Agency,3000,PO-2001,6100,A-9")
    with clock.pinned(TODAY), store.session() as session:
        import_invoices(session, orders["CFO"], read_invoice_file(first, "ledger-june.csv"))
        with pytest.raises(FileRefused, match="was already imported on 15 Jun 2019 by Omar Reyes"):
            preview_invoices(session, orders["CFO"], read_invoice_file(first, "ledger-june.csv"))
        # the next export repeats A-9 as it was, and adds a line
        overlapping = standard(
            "2019-06-05,ADWORDS AGENCY,3000.00,PO-2001,6100,a-9",
            "2019-06-06,Print Shop,450,,6120,P-1",
        )
        preview = preview_invoices(
            session, orders["CFO"], read_invoice_file(overlapping, "ledger-june-2.csv")
        )
        assert (preview.new, preview.already, preview.problem_count) == (1, 1, 0)
        changed = standard("2019-06-05,Adwords Agency,2500,PO-2001,6100,A-9")
        assert preview_invoices(
            session, orders["CFO"], read_invoice_file(changed, "ledger-june-3.csv")
        ).problems == [
            "Row 2, column 'invoice_number': 'A-9' was imported before for 3,000.00 on "
            "05 Jun 2019; a re-import does not change finance's lines."
        ]
        import_invoices(session, orders["CFO"], read_invoice_file(overlapping, "ledger-june-2.csv"))
        assert open_amounts(session, orders["CFO"])["PO-2001"] == Decimal("0.00")
        assert session.scalar(select(func.count()).select_from(Invoice)) == 2


def test_commitments_with_nothing_invoiced_go_stale_after_the_days_the_cfo_sets(store, orders):  # noqa: F811
    # PO-2001 began on 1 June 2019 (entered 15 June, so it counts from 15 June); PO-1001 on
    # 1 July. On 20 August: PO-2001 is 66 days old, PO-1001 50.
    with clock.pinned(dt.date(2019, 8, 20)), store.session() as session:
        assert list(stale_commitments(session, orders["CFO"], 60)["po_number"]) == ["PO-2001"]
        assert list(stale_commitments(session, orders["CFO"], 45)["days"]) == [66, 50]
        update_company(session, orders["CFO"], stale_commitment_days=45)
        matching = invoice_matching(session, orders["CFO"], JUNE)
        assert (matching.stale_after_days, len(matching.stale)) == (45, 2)
        with pytest.raises(ValidationFailed, match="1 to 365 days"):
            update_company(session, orders["CFO"], stale_commitment_days=0)


def test_an_order_invoiced_above_its_amount_is_listed(store, orders):  # noqa: F811
    data = standard(
        "2019-06-05,Adwords Agency,3000,PO-2001,6100,A-9",
        "2019-06-12,Adwords Agency,250,PO-2001,6100,A-10",
    )
    with clock.pinned(TODAY), store.session() as session:
        import_invoices(session, orders["CFO"], read_invoice_file(data, "ledger.csv"))
        over = invoice_matching(session, orders["CFO"], JUNE).over_invoiced
    assert over.to_dict("records") == [
        {
            "po_number": "PO-2001",
            "vendor": "Adwords Agency",
            "amount": Decimal("3000.00"),
            "invoiced": Decimal("3250.00"),
            "above_by": Decimal("250.00"),
        }
    ]


def test_only_the_cfo_imports_invoices(store, orders):  # noqa: F811
    lines = read_invoice_file(standard("2019-06-05,Fair,10,,,"), "ledger.csv")
    with clock.pinned(TODAY), store.session() as session:
        for role in ("CEO", "CMO"):
            with pytest.raises(PermissionDenied, match="only the CFO can"):
                import_invoices(session, orders[role], lines)
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_a_file_of_100000_lines_reports_progress_and_one_bad_line_imports_none(store, orders):  # noqa: F811
    lines = [
        f"2019-06-{1 + i % 14:02d},Adwords Agency,1.00,PO-2001,6100,A-{i}" for i in range(100_000)
    ]
    bad = standard(*lines[:-1], "2019-06-14,Adwords Agency,-1.00,PO-2001,6100,A-last")
    good = standard(*lines)
    reported: list[tuple[float, str]] = []
    with clock.pinned(TODAY), store.session() as session:
        refused = read_invoice_file(bad, "ledger-bad.csv")
        with pytest.raises(ValidationFailed, match="Row 100001, column 'amount': '-1.00'"):
            import_invoices(
                session, orders["CFO"], refused, progress=lambda f, t: reported.append((f, t))
            )
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0
        assert reported == []
        result = import_invoices(
            session,
            orders["CFO"],
            read_invoice_file(good, "ledger.csv"),
            progress=lambda f, t: reported.append((f, t)),
        )
        assert session.scalar(select(func.count()).select_from(Invoice)) == 100_000
        # 100,000 lines of 1.00 each against PO-2001's 3,000
        assert open_amounts(session, orders["CFO"])["PO-2001"] == Decimal("-97000.00")
    assert (result.new, result.matched) == (100_000, 100_000)
    assert [f for f, _ in reported] == sorted(f for f, _ in reported)
    assert reported[-1] == (1.0, "Imported 100,000 of 100,000 invoice lines")
