"""The checklist, maturity and request pages through AppTest."""

from __future__ import annotations

import pytest

from alignment.shared.periods import current_month
from tests.app.conftest import query

TITLES = {
    "checklist": "Alignment checklist",
    "maturity": "Marketing maturity",
    "requests": "Requests and decisions",
}


@pytest.mark.parametrize("page", list(TITLES))
@pytest.mark.parametrize("role", ["CEO", "CFO", "CMO", "viewer"])
def test_every_page_renders_for_every_role(open_page, page, role):
    at = open_page(page, role)
    assert not at.exception and not at.error
    assert at.title[0].value == TITLES[page]


def test_an_executive_changes_their_answer(open_page, demo_url):
    item = query(demo_url, "SELECT id FROM checklist_items WHERE position = 11")[0][0]
    month = current_month()
    at = open_page("checklist", "CFO")
    at.segmented_control(key=f"score_CFO_{month}_{item}").set_value(1)
    at.text_input(key=f"comment_CFO_{month}_{item}").set_value("<b>Actions</b> get lost")
    at.button(key="FormSubmitter:checklist_answers-Save my answers").click().run()
    assert not at.exception and not at.error
    rows = query(
        demo_url,
        "SELECT score, comment FROM checklist_answers WHERE item_id = :i "
        "AND role = 'CFO' AND month = :m",
        i=item,
        m=month,
    )
    assert rows == [(1, "<b>Actions</b> get lost")]
    table = at.table[0].value
    assert "<b>Actions</b> get lost" in " ".join(table["Comments"])


def test_executives_answer_and_the_viewer_cannot(open_page):
    for executive in ("CEO", "CFO", "CMO"):
        at = open_page("checklist", executive)
        assert [b.label for b in at.button if b.label == "Save my answers"] == [
            "Save my answers"
        ], executive
    viewer = open_page("checklist", "viewer")
    assert not viewer.exception and not viewer.error
    assert viewer.title[0].value == "Alignment checklist"
    assert not any(b.label == "Save my answers" for b in viewer.button)


def test_the_cmo_assesses_maturity_and_bad_levels_never_reach_the_store(open_page, demo_url):
    at = open_page("maturity", "CMO")
    competence = query(demo_url, "SELECT id FROM competences ORDER BY position LIMIT 1")[0][0]
    at.selectbox(key=f"cur_2026-Q4_{competence}").set_value(5)
    at.button(key="FormSubmitter:maturity_form-Save assessment").click().run()
    assert not at.error
    assert query(
        demo_url,
        "SELECT current_level FROM maturity_assessments WHERE quarter = "
        "'2026-Q4' AND competence_id = :c",
        c=competence,
    ) == [(5,)]


def test_requests_need_a_title_and_decisions_a_reason(open_page, demo_url):
    at = open_page("requests", "CEO")
    at.button(key="FormSubmitter:request_new_0-Record request").click().run()
    assert "Give the request a title" in at.error[0].value
    waiting = query(demo_url, "SELECT id FROM requests WHERE decision IS NULL ORDER BY id")
    request_id = waiting[0][0]
    at.button(key=f"FormSubmitter:decide_{request_id}-Record decision").click().run()
    assert "Give the reason" in at.error[0].value
    at.text_input(key=f"why_{request_id}").set_value("Worth a try for one quarter")
    at.button(key=f"FormSubmitter:decide_{request_id}-Record decision").click().run()
    assert not at.error
    assert query(demo_url, "SELECT decision FROM requests WHERE id = :i", i=request_id) == [("do",)]


def test_a_request_put_off_can_be_researched_again_from_the_page(open_page, demo_url):
    at = open_page("requests", "CEO")
    request_id = query(demo_url, "SELECT id FROM requests WHERE decision IS NULL ORDER BY id")[0][0]
    at.selectbox(key=f"dec_{request_id}").set_value("later")
    at.text_input(key=f"why_{request_id}").set_value("After the Q1 numbers")
    at.button(key=f"FormSubmitter:decide_{request_id}-Record decision").click().run()
    assert not at.error
    cmo = open_page("requests", "CMO")
    assert not cmo.exception
    cmo.text_area(key=f"res_{request_id}").set_value("Two quotes from venues")
    cmo.text_input(key=f"exp_{request_id}").set_value("30 leads")
    cmo.button(key=f"FormSubmitter:research_{request_id}-Save research").click().run()
    assert not cmo.error, cmo.error[0].value if cmo.error else ""
    assert query(demo_url, "SELECT research FROM requests WHERE id = :i", i=request_id) == [
        ("Two quotes from venues",)
    ]
    assert f"outcome_{request_id}" not in [f.key for f in cmo.get("form")]
