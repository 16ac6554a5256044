"""One status vocabulary: every state reads and looks the same wherever it is shown."""

from __future__ import annotations

from alignment.shared import status


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


def test_cell_styles_paint_a_status_in_its_own_colours():
    from alignment.shared.status import fill_style
    from alignment.shared.status import ink_style

    assert fill_style("red") == "background-color: #ffebe9; color: #a40e26; font-weight: 600"
    assert fill_style("amber", bold=False) == "background-color: #fff8c5; color: #7d4e00"
    assert ink_style("amber") == "color: #9a6700; font-weight: 600"


def test_the_pack_and_the_tree_use_the_one_vocabulary():
    from alignment.meeting.review_tables import RAG
    from alignment.objectives.kpis import KpiPeriodValue
    from alignment.objectives.kpis import build_tree
    from alignment.objectives.kpis import tree_dot
    from tests.unit.test_kpis import kpi

    assert RAG[None] == "No data yet" and RAG["amber"] == "Within tolerance"
    sqls = kpi(1, "SQLs")
    dot = tree_dot(build_tree([sqls]), {1: KpiPeriodValue(sqls, 100, 95, "amber")})
    assert 'fillcolor="#fff8c5", color="#9a6700"' in dot
