"""One status vocabulary: every state reads and looks the same wherever it is shown."""

from __future__ import annotations

from alignment import status


def test_each_state_has_one_label():
    assert [status.label(s) for s in ("green", "amber", "red", None)] == [
        "On target",
        "Within tolerance",
        "Off target",
        "No data yet",
    ]


def test_a_status_label_gets_its_colours_and_other_text_none():
    assert status.cell_style("Within tolerance") == (
        "background-color: #fff8c5; color: #7d4e00; font-weight: 600"
    )
    assert status.cell_style("No data yet") == "color: #57606a"
    assert status.cell_style("Changed since sign-off").startswith("background-color: #ffebe9")
    assert status.cell_style("Marketing CAC") == ""
