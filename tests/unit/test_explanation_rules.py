"""Which amber and red items count as explained, and which hold a month open."""

from __future__ import annotations

import pytest

from alignment.meeting.explanations import ItemToExplain


def item(
    status: str, explained_when: str | None, text: str = "Agency invoice late"
) -> ItemToExplain:
    return ItemToExplain(
        "definition:1",
        "definition",
        "CAC at most $12,500",
        "CMO",
        status,
        explanation=text,
        next_step="Chase it" if text else "",
        explained_status=explained_when,
    )


@pytest.mark.parametrize(
    ("status", "explained_when", "explained", "blocks"),
    [
        ("red", "red", True, False),
        ("red", "amber", False, True),
        ("amber", "amber", True, False),
        ("amber", "red", True, False),
    ],
)
def test_an_explanation_covers_the_status_it_was_written_for_or_a_better_one(
    status, explained_when, explained, blocks
):
    """Written while amber, it does not cover the item once red: it got worse."""
    shown = item(status, explained_when)
    assert (shown.explained, shown.blocks_closing) == (explained, blocks)


def test_a_red_item_without_an_explanation_holds_the_month_unless_discussed():
    bare = item("red", None, text="")
    assert bare.blocks_closing
    discussed = ItemToExplain("kpi:4", "kpi", "Webinars held", "CMO", "red", discussed_without=True)
    assert not discussed.blocks_closing
