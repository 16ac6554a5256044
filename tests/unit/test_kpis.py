import math

import pandas as pd
import pytest

from alignment.objectives.kpis import CycleError
from alignment.objectives.kpis import KpiInfo
from alignment.objectives.kpis import KpiPeriodValue
from alignment.objectives.kpis import KpiValueChange
from alignment.objectives.kpis import build_tree
from alignment.objectives.kpis import find_cycle
from alignment.objectives.kpis import kpi_changes_from_editor
from alignment.objectives.kpis import kpi_status
from alignment.objectives.kpis import tree_dot
from alignment.objectives.kpis import walk
from alignment.objectives.kpis import would_create_cycle


def kpi(id_, name, parent=None, unit="count", kind="result", label=""):
    return KpiInfo(id_, name, unit, "higher", kind, "sum", parent, None, label, None, "")


TREE = [
    kpi(1, "New revenue", unit="USD", kind="financial"),
    kpi(2, "Won deals", 1, label="average deal"),
    kpi(3, "SQLs", 2),
    kpi(4, "Whitepapers", 3, kind="activity"),
    kpi(5, "Webinars", 3, kind="activity"),
    kpi(6, "Brand awareness", unit="%"),
]


def test_tree_has_roots_children_and_depths():
    roots = build_tree(TREE)
    assert [r.kpi.name for r in roots] == ["New revenue", "Brand awareness"]
    order = [(n.kpi.name, n.depth) for n in walk(roots)]
    assert order == [
        ("New revenue", 0),
        ("Won deals", 1),
        ("SQLs", 2),
        ("Webinars", 3),
        ("Whitepapers", 3),
        ("Brand awareness", 0),
    ]


def test_a_loop_in_the_tree_is_named():
    looped = [kpi(1, "A", 3), kpi(2, "B", 1), kpi(3, "C", 2)]
    with pytest.raises(CycleError, match=r"^The KPI tree loops: .+\.$") as refused:
        build_tree(looped)
    names = str(refused.value).removeprefix("The KPI tree loops: ").removesuffix(".").split(" -> ")
    assert sorted(names) == ["A", "B", "C"]
    parent_of = {"A": "C", "B": "A", "C": "B"}
    steps = zip(names, names[1:], strict=False)
    assert all(parent_of[child] == parent for child, parent in steps), names
    assert find_cycle({1: 3, 2: 1, 3: 2}) is not None
    assert find_cycle({1: None, 2: 1, 3: 2}) is None


@pytest.mark.parametrize(
    ("kpi_id", "parent", "expected"),
    [(1, 3, True), (1, 1, True), (3, 1, False), (4, 2, False), (2, None, False), (2, 4, True)],
)
def test_would_create_cycle(kpi_id, parent, expected):
    parents = {1: None, 2: 1, 3: 2, 4: 3}
    assert would_create_cycle(parents, kpi_id, parent) is expected


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (100, 100, "higher", "green"),
        (95, 100, "higher", "amber"),
        (80, 100, "higher", "red"),
        (90, 100, "lower", "green"),
        (105, 100, "lower", "amber"),
        (130, 100, "lower", "red"),
        (None, 100, "higher", None),
        (100, None, "higher", None),
    ],
)
def test_kpi_status(actual, target, direction, expected):
    assert kpi_status(actual, target, direction) == expected


def test_dot_draws_every_node_and_edge_coloured_by_status():
    roots = build_tree(TREE)
    values = {
        1: KpiPeriodValue(TREE[0], 100, 120, "green"),
        3: KpiPeriodValue(TREE[2], 10, 5, "red"),
    }
    dot = tree_dot(roots, values)
    assert dot.startswith("digraph kpis {") and dot.endswith("}")
    for k in TREE:
        assert f'k{k.id} [label="{k.name}"' in dot
    assert "k4 -> k3;" in dot and "k5 -> k3;" in dot
    assert 'k2 -> k1 [label="average deal"' in dot
    assert 'k1 [label="New revenue", fillcolor="#dafbe1"' in dot
    assert 'k3 [label="SQLs", fillcolor="#ffebe9"' in dot


def test_dot_escapes_quotes_in_names():
    dot = tree_dot(build_tree([kpi(1, 'The "best" KPI')]), {})
    assert 'label="The \\"best\\" KPI"' in dot


def test_dot_escapes_the_name_beside_its_value_too():
    named = kpi(1, 'The "best" KPI')
    values = {1: KpiPeriodValue(named, 100, 120, "green")}
    dot = tree_dot(build_tree([named]), values, label=lambda v: f'{v.actual} "now"')
    assert 'label="The \\"best\\" KPI\\n120 \\"now\\""' in dot


# The KPI grid as the Goals page shows it: one row per KPI and month, the stored figures
# merged in; a month never saved has no version (NaN after the merge).
GRID = pd.DataFrame(
    {
        "kpi": ["SQLs", "Webinars", "SQLs", "Webinars"],
        "month": ["2026-03", "2026-03", "2026-02", "2026-02"],
        "kpi_id": [3, 5, 3, 5],
        "target": [120.0, 4.0, 100.0, math.nan],
        "actual": [90.0, 3.0, 110.0, math.nan],
        "version": [2.0, 1.0, 7.0, math.nan],
    }
)


def test_an_edited_target_changes_the_target_only_with_the_version_seen():
    changes = kpi_changes_from_editor(GRID, {"edited_rows": {0: {"target": 150}}})
    assert changes == [KpiValueChange(3, "2026-03", 150, None, 2, ("target",))]


def test_an_edited_actual_changes_the_actual_only():
    changes = kpi_changes_from_editor(GRID, {"edited_rows": {2: {"actual": 95.5}}})
    assert changes == [KpiValueChange(3, "2026-02", None, 95.5, 7, ("actual",))]


def test_both_figures_edited_and_a_month_never_saved_carries_version_zero():
    changes = kpi_changes_from_editor(
        GRID,
        {
            "edited_rows": {"1": {"actual": 5, "target": 6}, 3: {"target": 2, "actual": 1}},
            "added_rows": [],
            "deleted_rows": [],
        },
    )
    assert changes == [
        KpiValueChange(5, "2026-03", 6, 5, 1, ("target", "actual")),
        KpiValueChange(5, "2026-02", 2, 1, 0, ("target", "actual")),
    ]


def test_a_cell_cleared_to_blank_clears_that_figure():
    changes = kpi_changes_from_editor(GRID, {"edited_rows": {1: {"target": None}}})
    assert changes == [KpiValueChange(5, "2026-03", None, None, 1, ("target",))]


def test_untouched_rows_give_no_change():
    assert kpi_changes_from_editor(GRID, {}) == []
    assert kpi_changes_from_editor(GRID, {"edited_rows": {}, "added_rows": []}) == []
    assert kpi_changes_from_editor(GRID, {"edited_rows": None}) == []


def test_a_row_with_no_figure_typed_in_is_no_change():
    # Without this, a row whose edit held no target or actual became a change with no
    # fields, which still created an empty stored figure (and an audit event).
    state = {"edited_rows": {3: {}, 0: {"kpi": "Renamed", "month": "2026-04"}}}
    assert kpi_changes_from_editor(GRID, state) == []
