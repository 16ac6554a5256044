"""The whole role x action matrix, written out independently of alignment.access.permissions."""

import pytest

from alignment.access.permissions import PERMISSIONS
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.access.permissions import can
from alignment.access.permissions import require
from alignment.shared.errors import PermissionDenied

#                              CEO CFO CMO viewer admin
EXPECTED = {
    Action.VIEW:                   "YYYYY",
    Action.LOG_IN:                 "YYYYY",
    Action.ENTER_FIGURES:          "..Y..",
    Action.FORECAST:               "..Y..",
    Action.COMMIT_SPEND:           "..Y..",
    Action.RECONCILE_SPEND:        ".Y...",
    Action.LOCK_BASELINE:          ".Y...",
    Action.EDIT_FINANCIAL_SETTINGS: ".Y...",
    Action.PROPOSE_DEFINITION:     "Y.Y..",
    Action.SIGN_OFF_DEFINITION:    ".Y...",
    Action.RETURN_DEFINITION:      ".Y...",
    Action.ACKNOWLEDGE_DEFINITION: "Y....",
    Action.SET_GOALS:              "Y....",
    Action.EDIT_KPIS:              "Y.Y..",
    Action.ENTER_KPI_VALUES:       "..Y..",
    Action.ANSWER_CHECKLIST:       "YYY..",
    Action.EDIT_CHECKLIST_ITEMS:   "Y....",
    Action.ASSESS_MATURITY:        "..Y..",
    Action.RAISE_REQUEST:          "YYY..",
    Action.RESEARCH_REQUEST:       "..Y..",
    Action.DECIDE_REQUEST:         "Y....",
    Action.RECORD_ACTIONS:         "YYY..",
    Action.CLOSE_REVIEW:           "Y....",
    Action.EXPLAIN_STATUS:         "YYY..",
    Action.DISCUSS_WITHOUT_EXPLANATION: "Y....",
    Action.RATE_CONFIDENCE:        "YYY..",
    Action.SHARE_MEETING_ROOM:     "Y....",
    Action.VIEW_AUDIT:             "YYYYY",
    Action.MANAGE_USERS:           "....Y",
    Action.MANAGE_STORE:           "....Y",
    Action.SET_NOTICES:            "Y....",
    Action.SEND_NOTICES:           "....Y",
    Action.VIEW_OUTBOX:            "....Y",
}  # fmt: skip
ROLES = [Role.CEO, Role.CFO, Role.CMO, Role.VIEWER, Role.ADMIN]
CASES = [
    (role, action, EXPECTED[action][i] == "Y") for action in Action for i, role in enumerate(ROLES)
]


def test_expected_matrix_covers_every_action():
    assert set(EXPECTED) == set(Action) == set(PERMISSIONS)


@pytest.mark.parametrize(("role", "action", "allowed"), CASES)
def test_role_may_do_exactly_what_the_matrix_says(role, action, allowed):
    actor = Actor(user_id=1, name="Someone", role=role)
    assert can(actor, action) is allowed
    if allowed:
        require(actor, action)
    else:
        with pytest.raises(PermissionDenied):
            require(actor, action)


def test_viewer_writes_nothing_and_admin_enters_no_figures():
    viewer = Actor(1, "Board", Role.VIEWER)
    admin = Actor(2, "IT", Role.ADMIN)
    writes = [a for a in Action if a not in (Action.VIEW, Action.VIEW_AUDIT, Action.LOG_IN)]
    assert not any(can(viewer, a) for a in writes)
    assert not can(admin, Action.ENTER_FIGURES)
    assert not can(admin, Action.SIGN_OFF_DEFINITION)


def test_refusal_names_the_actor_and_who_may():
    cmo = Actor(3, "Priya Raman", Role.CMO)
    with pytest.raises(PermissionDenied) as refused:
        require(cmo, Action.SIGN_OFF_DEFINITION)
    assert str(refused.value) == (
        "Priya Raman (CMO) cannot sign off success definitions: only the CFO can."
    )
