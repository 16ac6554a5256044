"""Purchase orders imported from the ERP's export, on the team store of tests/db/test_forecast.py
(today 15 June 2019; the plan: Events 5,000 a month for June to September, Search 12,000 a
month to March 2020, nothing spent yet from June). Every figure is worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlalchemy import select

from alignment.files.column_mapping import MappingNeeded
from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import range_period
from alignment.spend.commitment_import import import_commitments
from alignment.spend.commitment_import import preview_commitments
from alignment.spend.commitment_import import read_commitment_file
from alignment.spend.commitment_import import remembered_mapping
from alignment.spend.commitments import CommitmentInput
from alignment.spend.commitments import record_commitment
from alignment.spend.commitments import spend_position
from db.models import AuditEvent
from db.models import Commitment
from tests.db.test_forecast import TODAY
from tests.db.test_forecast import team  # noqa: F401  (the fixture)

ERP_HEADER = "PO Number;Supplier;Marketing channel;Campaign;Net amount;Service start;Service end\n"
ERP = {
    "po_number": "PO Number",
    "vendor": "Supplier",
    "channel": "Marketing channel",
    "campaign": "Campaign",
    "amount": "Net amount",
    "first_month": "Service start",
    "last_month": "Service end",
}


def erp(*rows: str) -> bytes:
    return (ERP_HEADER + "".join(row + "\n" for row in rows)).encode()


def count(session) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(Commitment)))


def test_an_erp_export_is_mapped_once_and_its_orders_count_against_the_plan(store, team):  # noqa: F811
    data = erp(
        "4500012;Fairground Ltd;Events;Summer fair;9.000,00;2019-07;2019-09",
        "4500013;Adwords Agency;Search;;1.500,50;2019-06;",
    )
    with pytest.raises(MappingNeeded) as needed:
        read_commitment_file(data, "sap-po-2019-06.csv")
    assert needed.value.suggestion["vendor"] == "Supplier"
    assert needed.value.suggestion["amount"] == "Net amount"
    orders = read_commitment_file(data, "sap-po-2019-06.csv", given=ERP)
    with clock.pinned(TODAY), store.session() as session:
        preview = preview_commitments(session, team["CMO"], orders)
        assert (preview.new, preview.changed, preview.unchanged, preview.problem_count) == (
            2,
            0,
            0,
            0,
        )
        assert preview.total == 10500.50
        assert preview.over_plan == []
        import_commitments(session, team["CMO"], orders)
        # the next month's export of the same source maps itself
        assert remembered_mapping(session, "sap po") == ERP
        july = {
            row["channel"]: row
            for row in spend_position(
                session, team["CFO"], range_period("2019-07", "2019-07")
            ).to_dict("records")
        }
        june = {
            row["channel"]: row
            for row in spend_position(
                session, team["CFO"], range_period("2019-06", "2019-06")
            ).to_dict("records")
        }
    # 9,000 over July to September is 3,000 a month against Events' 5,000 plan
    assert (july["Events"]["committed"], july["Events"]["available"]) == (
        Decimal("3000.00"),
        Decimal("2000.00"),
    )
    # an empty last month means the order covers its first month only
    assert (june["Search"]["committed"], june["Search"]["available"]) == (
        Decimal("1500.50"),
        Decimal("10499.50"),
    )
    again = read_commitment_file(data, "sap-po-2019-07.csv", remembered=ERP, source_name="sap po")
    assert again.mapping == ERP


def test_orders_above_what_the_plan_leaves_are_imported_only_with_a_reason(store, team):  # noqa: F811
    # August for Events: 5,000 planned; row 2 takes 4,000 of it, row 3's 2,000 is then
    # 1,000 over (the file's own orders add up); a channel without a plan has nothing left
    data = erp(
        "PO-1;Stand Co;Events;;4000;2019-08;",
        "PO-2;Print Co;Events;;2000;2019-08;",
        "PO-3;Radio Co;Radio;;100;2019-08;",
    )
    orders = read_commitment_file(data, "po.csv", given=ERP)
    with clock.pinned(TODAY), store.session() as session:
        preview = preview_commitments(session, team["CMO"], orders)
        assert [(o.row, o.po_number) for o in preview.over_plan] == [(3, "PO-2"), (4, "PO-3")]
        (august,) = preview.over_plan[0].months
        assert (august.available, august.share) == (Decimal("1000.00"), Decimal("2000.00"))
        assert preview.new_channels == ["Radio"]
        with pytest.raises(
            ValidationFailed, match=r"2 purchase order\(s\) are above .*Row 3, PO-2"
        ):
            import_commitments(session, team["CMO"], orders)
        assert count(session) == 0
        import_commitments(session, team["CMO"], orders, reason="Booked for the trade fair")
        reasons = dict(
            session.execute(select(Commitment.po_number, Commitment.over_plan_reason)).all()
        )
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "import_commitments")
        )
    assert reasons == {
        "PO-1": None,
        "PO-2": "Booked for the trade fair",
        "PO-3": "Booked for the trade fair",
    }
    assert event.new_value["over_plan"] == ["PO-2", "PO-3"]
    assert event.new_value["reason"] == "Booked for the trade fair"


def test_a_re_exported_order_is_updated_and_an_unchanged_one_left_alone(store, team):  # noqa: F811
    first = erp("PO-7;Fairground Ltd;Events;;3000;2019-07;", "PO-8;Ads Co;Search;;500;2019-06;")
    amended = erp(
        "po 7;Fairground Ltd;Events;;4500;2019-07;2019-08", "PO-8;Ads Co;Search;;500;2019-06;"
    )
    with clock.pinned(TODAY), store.session() as session:
        import_commitments(session, team["CMO"], read_commitment_file(first, "po.csv", given=ERP))
        preview = preview_commitments(
            session, team["CMO"], read_commitment_file(amended, "po.csv", given=ERP)
        )
        assert (preview.new, preview.changed, preview.unchanged) == (0, 1, 1)
        assert preview.changes.iloc[0].to_dict() == {
            "row": 2,
            "po_number": "po 7",
            "was": "3,000.00 for Events, 2019-07",
            "now": "4,500.00 for Events, 2019-07..2019-08",
        }
        import_commitments(session, team["CMO"], read_commitment_file(amended, "po.csv", given=ERP))
        po7 = session.scalars(select(Commitment).where(Commitment.po_key == "7")).one()
    assert (po7.amount, po7.first_month, po7.last_month, po7.version) == (
        450000,
        "2019-07",
        "2019-08",
        2,
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["PO-1;Fair;Events;;-50;2019-07;"], "Row 3, column 'Net amount': '-50' is negative"),
        (["PO-1;Fair;Events;;;2019-07;"], "Row 3, column 'Net amount': '' is missing"),
        (["PO-1;Fair;Events;;lots;2019-07;"], "'lots' is not an amount SamePage can read"),
        (["PO-1;Fair;Events;;100;July;"], "Row 3, column 'Service start': 'July' is not a month"),
        (["PO-1;Fair;Events;;100;2019-09;2019-07"], "'2019-07' is before the first month"),
        (["PO-1;;Events;;100;2019-07;"], "Row 3, column 'Supplier': the vendor is missing"),
        (
            ["PO-1;Fair;Events;;100;2019-07;", "PO-1;Fair;Events;;200;2019-08;"],
            "Row 4, column 'PO Number': 'PO-1' repeats row 3",
        ),
        (
            ["PO-1;Fair;Events;;100;2019-07;", "po1;Other Co;Events;;200;2019-08;"],
            "Row 4, column 'PO Number': 'po1' is the purchase order of Fair in row 3",
        ),
    ],
)
def test_one_bad_cell_imports_nothing_and_names_the_row_and_column(store, team, rows, message):  # noqa: F811
    orders = read_commitment_file(
        erp("PO-0;Good Co;Events;;100;2019-07;", *rows), "po.csv", given=ERP
    )
    with clock.pinned(TODAY), store.session() as session:
        preview = preview_commitments(session, team["CMO"], orders)
        assert message in str(preview.problems[0])
        assert not preview.can_import
        with pytest.raises(ValidationFailed, match="Nothing was imported"):
            import_commitments(session, team["CMO"], orders, reason="anyway")
        assert count(session) == 0


def test_a_po_number_held_for_another_vendor_or_below_its_invoices_refuses_the_file(store, team):  # noqa: F811
    with clock.pinned(TODAY), store.session() as session:
        record_commitment(
            session,
            team["CMO"],
            CommitmentInput("PO-9", "Fairground Ltd", "Events", "1000", "2019-07"),
        )
        session.execute(
            Commitment.__table__.update().values(invoiced=60000)  # type: ignore[attr-defined]
        )
        session.commit()
        other = read_commitment_file(erp("PO 9;Stand Co;Events;;100;2019-07;"), "po.csv", given=ERP)
        below = read_commitment_file(
            erp("PO-9;Fairground Ltd;Events;;500;2019-07;"), "po.csv", given=ERP
        )
        assert str(preview_commitments(session, team["CMO"], other).problems[0]) == (
            "Row 2, column 'PO Number': 'PO 9' is already the purchase order of Fairground Ltd; "
            "check the number before committing it for Stand Co."
        )
        assert "is below the 600.00 already invoiced against PO-9" in str(
            preview_commitments(session, team["CMO"], below).problems[0]
        )
        assert count(session) == 1


def test_only_the_cmo_imports_purchase_orders(store, team):  # noqa: F811
    orders = read_commitment_file(erp("PO-1;Fair;Events;;100;2019-07;"), "po.csv", given=ERP)
    with clock.pinned(TODAY), store.session() as session:
        for role in ("CEO", "CFO"):
            with pytest.raises(PermissionDenied, match="only the CMO can"):
                import_commitments(session, team[role], orders)
        assert count(session) == 0
