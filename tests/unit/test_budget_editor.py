import pandas as pd

from alignment.spend.budget import changes_from_editor

FRAME = pd.DataFrame({"id": [11, 12, 13], "version": [1, 4, 2], "month": ["2026-01"] * 3})


def test_edits_carry_the_line_and_the_version_the_editor_saw():
    changes = changes_from_editor(
        FRAME,
        {
            "edited_rows": {1: {"actual_spend": 10.5, "source": "x"}},
            "added_rows": [],
            "deleted_rows": [],
        },
    )
    assert [(e.line_id, e.version, e.values) for e in changes.edits] == [
        (12, 4, {"actual_spend": 10.5})
    ]
    assert not changes.added and not changes.removed


def test_added_rows_without_values_are_ignored_and_deleted_rows_map_to_lines():
    changes = changes_from_editor(
        FRAME,
        {
            "edited_rows": {},
            "added_rows": [{"month": "2026-02", "channel": "TV"}, {"month": None}, {}],
            "deleted_rows": [0, 2],
        },
    )
    assert changes.added == [{"month": "2026-02", "channel": "TV"}]
    assert [(r.line_id, r.version) for r in changes.removed] == [(11, 1), (13, 2)]


def test_nothing_edited_is_no_change():
    assert not changes_from_editor(FRAME, {})
