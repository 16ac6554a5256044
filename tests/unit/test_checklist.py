import pytest

from alignment.trust.checklist import DEFAULT_ITEMS
from alignment.trust.checklist import GAP_FLAG
from alignment.trust.checklist import alignment_score
from alignment.trust.checklist import perception_gap


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([5, 5, 5], 100.0),
        ([1, 1], 0.0),
        ([3], 50.0),
        ([1, 5], 50.0),
        ([2, 3, 4, 4], 56.25),
        ([], None),
    ],
)
def test_alignment_score_scales_the_mean_answer_to_0_100(scores, expected):
    assert alignment_score(scores) == expected


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ({"CEO": 2, "CFO": 4, "CMO": 5}, 3),
        ({"CEO": 3, "CMO": 3}, 0),
        ({"CFO": 4}, None),
        ({}, None),
    ],
)
def test_perception_gap_is_highest_minus_lowest_role(scores, expected):
    assert perception_gap(scores) == expected


def test_gap_flag_and_default_items_follow_design():
    assert GAP_FLAG == 2
    assert len(DEFAULT_ITEMS) == 12
    assert DEFAULT_ITEMS[-1] == "I trust the numbers in this dashboard."
