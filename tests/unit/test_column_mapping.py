"""The one mapping kit every import of a team's own exports uses."""

from __future__ import annotations

import pandas as pd
import pytest

from alignment.files.column_mapping import FileColumns
from alignment.files.column_mapping import MappingNeeded
from alignment.files.column_mapping import mapping_for
from alignment.files.spreadsheet import Table

ORDERS = FileColumns(
    "orders",
    {"po_number": "PO number", "vendor": "Vendor", "amount": "Amount"},
    ("po_number", "amount"),
    {
        "po_number": ("po_number", "po", "purchase_order"),
        "vendor": ("vendor", "supplier"),
        "amount": ("amount", "net_amount"),
    },
)


def table(*headers: str) -> Table:
    return Table("erp.csv", list(headers), pd.DataFrame(), ",", "utf-8", None, 0)


def test_own_headers_map_themselves_in_any_spelling():
    assert mapping_for(table("PO Number", "Amount"), ORDERS) == {
        "po_number": "PO Number",
        "amount": "Amount",
    }


def test_other_headers_need_a_mapping_with_a_suggestion_from_the_aliases():
    with pytest.raises(MappingNeeded, match=r"not SamePage's own \(Purchase Order, Supplier"):
        mapping_for(table("Purchase Order", "Supplier", "Net amount"), ORDERS)
    try:
        mapping_for(table("Purchase Order", "Supplier", "Net amount"), ORDERS)
    except MappingNeeded as needed:
        assert needed.suggestion == {
            "po_number": "Purchase Order",
            "vendor": "Supplier",
            "amount": "Net amount",
        }
        assert needed.command_line_hint().endswith(
            "--map po_number='Purchase Order' --map vendor='Supplier' --map amount='Net amount'"
        )


def test_a_remembered_mapping_is_used_only_when_the_file_has_every_header_it_names():
    remembered = {"po_number": "Bestellnr", "amount": "Betrag"}
    assert mapping_for(table("Bestellnr", "Betrag", "Notiz"), ORDERS, remembered=remembered) == (
        remembered
    )
    with pytest.raises(MappingNeeded):
        mapping_for(table("Bestellnr", "Summe"), ORDERS, remembered=remembered)


def test_a_given_mapping_wins_and_is_asked_again_when_it_does_not_fit():
    given = {"po_number": "Bestellnr", "amount": "Summe"}
    assert mapping_for(table("Bestellnr", "Summe"), ORDERS, given=given) == given
    with pytest.raises(MappingNeeded, match="no column called 'Betrag'. Map it again."):
        mapping_for(table("Bestellnr", "Summe"), ORDERS, given={**given, "amount": "Betrag"})


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"po_number": "A"}, "Choose the column that holds: Amount"),
        ({"po_number": "A", "amount": "A"}, "'A' cannot be both PO number and Amount"),
        ({"po_number": "A", "amount": "B", "colour": "A"}, "no column called 'colour'"),
    ],
)
def test_a_bad_mapping_is_refused_with_a_sentence(mapping, message):
    with pytest.raises(Exception, match=message):
        ORDERS.check(mapping, ["A", "B"])
