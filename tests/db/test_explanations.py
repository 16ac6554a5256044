"""Explanations for what went amber or red (issue 19, item 5): the owner explains, the review
and the pack show it beside the figure, and the CEO cannot close a month while a red item has
neither an explanation nor a record that it was discussed without one."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from alignment.edges.meeting_pack import pack_pdf
from alignment.edges.meeting_pack import pack_xlsx
from alignment.meeting import explanations
from alignment.meeting import review
from alignment.meeting.review_tables import KPI_TABLE
from alignment.meeting.review_tables import sections
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from db.models import AuditEvent
from db.models import Explanation

NOVEMBER, OCTOBER = "2026-11", "2026-10"
WEBINARS = "Webinars held"
CAC = "Marketing CAC at most $12,500 per new customer"


def items(store, actor, month=NOVEMBER):
    with store.session() as session:
        return explanations.items_to_explain(session, actor, month)


def subject(store, actor, title, month=NOVEMBER):
    return next(i.subject for i in items(store, actor, month) if i.title == title)


def forget_the_demo_s_explanation(store, month=NOVEMBER):
    """November's red webinars, as if the CMO had not explained them yet."""
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM explanations WHERE month = :m"), {"m": month})


def rows(store):
    with store.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Explanation))


def test_the_month_s_amber_and_red_items_with_their_owner_and_explanation(demo_store, demo_actors):
    found = items(demo_store, demo_actors["CFO"])
    assert [(i.kind, i.title, i.owner_role, i.status, i.settled) for i in found] == [
        ("definition", CAC, "CMO", "amber", False),
        ("kpi", WEBINARS, "CMO", "red", True),
    ]
    webinars = found[1]
    assert webinars.subject.startswith("kpi:")
    assert webinars.explanation == (
        "The rerun took November's second slot, so again only one webinar ran."
    )
    assert (
        webinars.next_step == "Book two December webinars, both speakers confirmed by 1 December."
    )
    assert webinars.written_by == "Priya Raman"
    october = items(demo_store, demo_actors["CEO"], OCTOBER)
    assert [(i.title, i.status, i.explained) for i in october] == [
        ("Marketing earns its budget back: attributed ROMI of at least 80%", "red", True),
        (CAC, "red", True),
        ("Events attended", "red", True),
        (WEBINARS, "red", True),
    ]


def test_a_red_item_without_explanation_keeps_the_month_open_until_its_owner_explains(
    demo_store, demo_actors
):
    ceo, cmo = demo_actors["CEO"], demo_actors["CMO"]
    forget_the_demo_s_explanation(demo_store)
    with demo_store.session() as session, pytest.raises(ValidationFailed) as refused:
        review.close_review(session, ceo, NOVEMBER)
    assert str(refused.value) == (
        "November 2026 cannot be closed yet: 1 red item(s) have neither an explanation nor a "
        "record that the review discussed them without one: 'Webinars held' (owner: CMO). "
        "Ask the owner to explain, or record that it was discussed without one."
    )
    assert review_status(demo_store, ceo) == "open"
    webinars = subject(demo_store, cmo, WEBINARS)
    with demo_store.session() as session:
        explanations.explain(
            session, cmo, NOVEMBER, webinars, "The speaker fell ill.", "Rerun on 3 December."
        )
    with demo_store.session() as session:
        review.close_review(session, ceo, NOVEMBER)
        view = review.review(session, ceo, NOVEMBER)
    assert view.closed
    frozen = {e["title"]: e for e in view.sections["explanations"]}
    assert frozen[WEBINARS]["explanation"] == "The speaker fell ill."
    assert frozen[WEBINARS]["next_step"] == "Rerun on 3 December."
    kpi_table = next(s for s in sections(view) if s.key == "kpis").table(KPI_TABLE)
    row = next(r for r in kpi_table.rows if r[0].text == WEBINARS)
    assert [c.text for c in row[4:]] == [
        "Off target",
        "The speaker fell ill.",
        "Rerun on 3 December.",
    ]
    definitions = next(s for s in sections(view) if s.key == "definitions").tables[0]
    cac = next(r for r in definitions.rows if r[0].text == CAC)
    assert [c.text for c in cac[-2:]] == ["Awaiting the CMO's explanation", ""]
    # Frozen: the month's explanations cannot be changed once it is closed.
    with demo_store.session() as session, pytest.raises(ValidationFailed, match="is closed"):
        explanations.explain(session, cmo, NOVEMBER, webinars, "Another story", "Later")


def review_status(store, actor, month=NOVEMBER):
    with store.session() as session:
        return review.review(session, actor, month).status


def test_the_ceo_records_a_red_item_discussed_without_an_explanation_and_closes(
    demo_store, demo_actors
):
    ceo, cmo = demo_actors["CEO"], demo_actors["CMO"]
    forget_the_demo_s_explanation(demo_store)
    webinars = subject(demo_store, ceo, WEBINARS)
    with demo_store.session() as session, pytest.raises(PermissionDenied):
        explanations.discuss_without(session, cmo, NOVEMBER, webinars)
    with demo_store.session() as session:
        explanations.discuss_without(session, ceo, NOVEMBER, webinars)
        event = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "discuss_without_explanation"
    assert event.actor == "Maya Lindqvist (CEO)"
    assert event.new_value["title"] == WEBINARS and event.new_value["discussed_without"] is True
    with demo_store.session() as session, pytest.raises(ValidationFailed, match="already"):
        explanations.discuss_without(session, ceo, NOVEMBER, webinars)
    with demo_store.session() as session:
        review.close_review(session, ceo, NOVEMBER)
        view = review.review(session, ceo, NOVEMBER)
    kpi_table = next(s for s in sections(view) if s.key == "kpis").table(KPI_TABLE)
    row = next(r for r in kpi_table.rows if r[0].text == WEBINARS)
    assert row[-2].text == "Discussed in the review without an explanation"


def test_only_the_owner_explains_and_an_explained_item_needs_no_discussion(demo_store, demo_actors):
    webinars = subject(demo_store, demo_actors["CEO"], WEBINARS)
    for role in ("CEO", "CFO"):
        with demo_store.session() as session, pytest.raises(PermissionDenied) as refused:
            explanations.explain(session, demo_actors[role], NOVEMBER, webinars, "Why", "Next")
        assert "its owner, the CMO, explains it" in str(refused.value)
    with demo_store.session() as session, pytest.raises(PermissionDenied):
        explanations.explain(session, demo_actors["viewer"], NOVEMBER, webinars, "Why", "Next")
    with demo_store.session() as session, pytest.raises(ValidationFailed) as refused:
        explanations.discuss_without(session, demo_actors["CEO"], NOVEMBER, webinars)
    assert str(refused.value) == (
        "Nothing was recorded: 'Webinars held' already has its owner's explanation."
    )


def test_rewriting_an_explanation_replaces_it_and_the_audit_keeps_both(demo_store, demo_actors):
    cmo = demo_actors["CMO"]
    cac = subject(demo_store, cmo, CAC)
    before = rows(demo_store)
    with demo_store.session() as session:
        explanations.explain(session, cmo, NOVEMBER, cac, "Two big deals slipped.", "Chase them.")
    with demo_store.session() as session:
        explanations.explain(session, cmo, NOVEMBER, cac, "One deal slipped.", "Chase it.")
        event = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert rows(demo_store) == before + 1
    assert event.old_value == {
        "explanation": "Two big deals slipped.",
        "next_step": "Chase them.",
        "status": "amber",
    }
    assert event.new_value["explanation"] == "One deal slipped."
    found = next(i for i in items(demo_store, cmo) if i.subject == cac)
    assert (found.explanation, found.next_step, found.explained_status) == (
        "One deal slipped.",
        "Chase it.",
        "amber",
    )


@pytest.mark.parametrize(
    ("month", "which", "why", "step", "sentence"),
    [
        (NOVEMBER, WEBINARS, "  ", "Next", "Nothing was saved: write the explanation."),
        (NOVEMBER, WEBINARS, "Why", "", "Nothing was saved: write the next step."),
        (
            NOVEMBER,
            WEBINARS,
            "x" * 2001,
            "Next",
            "Nothing was saved: the explanation is longer than 2000 characters (2001).",
        ),
        (
            NOVEMBER,
            WEBINARS,
            "Why\x00",
            "Next",
            "Nothing was saved: the explanation contains control characters.",
        ),
        (
            "2026-12",
            WEBINARS,
            "Why",
            "Next",
            "Nothing was saved: December 2026 has not started, so nothing in it is amber or "
            "red yet.",
        ),
        (
            NOVEMBER,
            "kpi:999",
            "Why",
            "Next",
            "Nothing was saved: that definition or KPI is not amber or red in November 2026 "
            "(or no longer exists), so there is nothing to explain.",
        ),
    ],
)
def test_bad_input_is_refused_in_a_sentence_and_saves_nothing(
    demo_store, demo_actors, month, which, why, step, sentence
):
    cmo = demo_actors["CMO"]
    forget_the_demo_s_explanation(demo_store)
    target = subject(demo_store, cmo, which) if which == WEBINARS else which
    before = rows(demo_store)
    with demo_store.session() as session, pytest.raises(ValidationFailed) as refused:
        explanations.explain(session, cmo, month, target, why, step)
    assert str(refused.value) == sentence
    assert rows(demo_store) == before


def test_markdown_and_a_formula_are_kept_and_printed_as_typed(demo_store, demo_actors):
    cmo, ceo = demo_actors["CMO"], demo_actors["CEO"]
    forget_the_demo_s_explanation(demo_store)
    why = "**Lost** the [webinar](https://evil.example) slot"
    step = '=HYPERLINK("https://evil.example","Click")'
    with demo_store.session() as session:
        explanations.explain(session, cmo, NOVEMBER, subject(demo_store, cmo, WEBINARS), why, step)
    with demo_store.session() as session:
        view = review.review(session, ceo, NOVEMBER)
    found = next(i for i in view.to_explain if i.title == WEBINARS)
    assert (found.explanation, found.next_step) == (why, step)
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(view, "Kestrel")))
    sheet = list(book[KPI_TABLE].iter_rows(min_row=2, values_only=True))
    assert sheet[0][-2:] == ("Explanation", "Next step")
    row = next(r for r in sheet if r[0] == WEBINARS)
    assert row[-2:] == (why, "'" + step)
    assert all(
        c.data_type != "f" for r in book[KPI_TABLE].iter_rows() for c in r if c.value is not None
    )
    pdf = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(pack_pdf(view, "Kestrel"))).pages
    )
    assert "**Lost**" in pdf and "[webinar](https://evil.example)" in pdf.replace(" ", "")


def discuss_every_red_item(session, ceo, month) -> list[str]:
    """What a CEO does in the meeting when a red item's owner has not explained it: records
    that the review discussed it without an explanation, so the month can be closed."""
    waiting = [i for i in explanations.items_to_explain(session, ceo, month) if i.blocks_closing]
    for item in waiting:
        explanations.discuss_without(session, ceo, month, item.subject)
    return [i.title for i in waiting]
