"""Definitions of success from draft to signed, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from alignment.definitions.success import live_actual
from alignment.definitions.success import live_status
from alignment.definitions.success_workflow import DefinitionInput
from alignment.definitions.success_workflow import acknowledge
from alignment.definitions.success_workflow import create_definition
from alignment.definitions.success_workflow import definitions
from alignment.definitions.success_workflow import definitions_json
from alignment.definitions.success_workflow import diff
from alignment.definitions.success_workflow import history
from alignment.definitions.success_workflow import propose
from alignment.definitions.success_workflow import return_to_draft
from alignment.definitions.success_workflow import revise
from alignment.definitions.success_workflow import sign_off
from alignment.definitions.success_workflow import update_draft
from alignment.definitions.success_workflow import waiting_work
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import parse_period
from db.models import SuccessDefinitionVersion

FORM = DefinitionInput(
    title="Pipeline ROI of at least 6x",
    metric="pipeline_roi",
    target="6",
    comparison="at_least",
    period_start="2026-01",
    period_end="2026-12",
    deadline="2026-12-31",
    measurement="Attributed pipeline / actual spend, fiscal year to date.",
    data_source="SamePage budget lines",
    tolerance="0.1",
    owner_role="CMO",
)


@pytest.fixture
def people(demo_actors):
    return demo_actors


def version_of(store, version_id):
    with store.session() as session:
        return session.get(SuccessDefinitionVersion, version_id)


def current(store, actor, definition_id):
    with store.session() as session:
        return next(d for d in definitions(session, actor) if d.definition_id == definition_id)


def test_draft_propose_sign_acknowledge(demo_store, people):
    cmo, cfo, ceo = people["CMO"], people["CFO"], people["CEO"]
    with demo_store.session() as session:
        version_id = create_definition(session, cmo, FORM)
    draft = version_of(demo_store, version_id)
    assert (draft.state, draft.number) == ("draft", 1)
    view = current(demo_store, cfo, draft.definition_id)
    assert view.in_force is None and view.open_version.allowed == ()
    with demo_store.session() as session:
        propose(
            session,
            cmo,
            version_id,
            current(demo_store, cmo, draft.definition_id).open_version.content_hash,
        )
        assert "1 definition" not in " ".join(waiting_work(session, cmo))
        assert waiting_work(session, cfo) == ["2 definitions await your sign-off"]
    seen = current(demo_store, cfo, draft.definition_id).open_version
    assert set(seen.allowed) == {"sign_off", "return"}
    with demo_store.session() as session:
        sign_off(session, cfo, version_id, seen.content_hash)
    signed = version_of(demo_store, version_id)
    assert signed.state == "signed_off" and signed.content_hash == seen.content_hash
    view = current(demo_store, ceo, draft.definition_id)
    assert view.in_force.signature.startswith("Signed by Daniel Okafor")
    assert view.in_force.signature.endswith("unchanged since")
    assert "acknowledge" in view.in_force.allowed
    with demo_store.session() as session:
        assert waiting_work(session, ceo) == [
            "1 definition signed by the CFO awaits your acknowledgement"
        ]
        acknowledge(session, ceo, version_id)
        assert waiting_work(session, ceo) == []
        with pytest.raises(ValidationFailed, match="already acknowledged"):
            acknowledge(session, ceo, version_id)
        steps = [
            (e["action"], e["by"]) for e in history(session, ceo, draft.definition_id)[0].events
        ]
    assert steps == [
        ("drafted", "Priya Raman"),
        ("proposed", "Priya Raman"),
        ("signed_off", "Daniel Okafor"),
        ("acknowledged", "Maya Lindqvist"),
    ]


def test_return_needs_a_comment_and_shows_as_waiting_work(demo_store, people):
    cmo, cfo = people["CMO"], people["CFO"]
    with demo_store.session() as session:
        version_id = create_definition(session, cmo, FORM)
        propose(session, cmo, version_id)
        with pytest.raises(ValidationFailed, match="comment is required"):
            return_to_draft(session, cfo, version_id, "   ")
        assert version_of(demo_store, version_id).state == "proposed"
        return_to_draft(session, cfo, version_id, "Use the CRM pipeline, not the forecast")
        assert waiting_work(session, cmo) == ["1 definition returned with a comment"]
    view = current(demo_store, cmo, version_of(demo_store, version_id).definition_id)
    assert view.open_version.state == "draft"
    assert view.open_version.returned_comment == "Use the CRM pipeline, not the forecast"
    with demo_store.session() as session:
        propose(session, cmo, version_id)
        assert waiting_work(session, cmo) == []


def test_a_revision_leaves_the_signed_version_in_force_until_signed(demo_store, people):
    cmo, cfo, ceo = people["CMO"], people["CFO"], people["CEO"]
    with demo_store.session() as session:
        first = create_definition(session, cmo, FORM)
        propose(session, cmo, first)
        sign_off(session, cfo, first, None)
        definition_id = version_of(demo_store, first).definition_id
        second = revise(session, ceo, definition_id)
        with pytest.raises(ValidationFailed, match="already has a new version"):
            revise(session, cmo, definition_id)
        update_draft(session, ceo, second, DefinitionInput(**{**FORM.__dict__, "target": "7"}))
    view = current(demo_store, cfo, definition_id)
    assert view.in_force.version_id == first and view.open_version.version_id == second
    with demo_store.session() as session:
        propose(session, ceo, second)
        sign_off(session, cfo, second, None)
        states = {v.number: v.state for v in history(session, cfo, definition_id)}
        versions = history(session, cfo, definition_id)
    assert states == {1: "superseded", 2: "signed_off"}
    assert diff(versions[0], versions[1]) == [("Target", "6.00×", "7.00×")]


def test_exactly_one_definition_in_force_per_definition(demo_store, people):
    cmo, cfo = people["CMO"], people["CFO"]
    with demo_store.session() as session:
        first = create_definition(session, cmo, FORM)
        propose(session, cmo, first)
        sign_off(session, cfo, first, None)
        definition_id = version_of(demo_store, first).definition_id
        for _ in range(2):
            new = revise(session, cmo, definition_id)
            propose(session, cmo, new)
            sign_off(session, cfo, new, None)
        in_force = session.scalar(
            sa.select(sa.func.count())
            .select_from(SuccessDefinitionVersion)
            .where(
                SuccessDefinitionVersion.definition_id == definition_id,
                SuccessDefinitionVersion.state == "signed_off",
            )
        )
    assert in_force == 1


def test_a_stale_form_cannot_be_signed(demo_store, people):
    cmo, cfo = people["CMO"], people["CFO"]
    with demo_store.session() as session:
        version_id = create_definition(session, cmo, FORM)
        propose(session, cmo, version_id)
    seen = current(demo_store, cfo, version_of(demo_store, version_id).definition_id)
    seen_hash = seen.open_version.content_hash
    with demo_store.session() as session:
        return_to_draft(session, cfo, version_id, "Lower the target")
        update_draft(session, cmo, version_id, DefinitionInput(**{**FORM.__dict__, "target": "5"}))
        propose(session, cmo, version_id)
        with pytest.raises(ValidationFailed, match="changed after you opened it"):
            sign_off(session, cfo, version_id, seen_hash)
    assert version_of(demo_store, version_id).state == "proposed"


def test_signing_twice_and_signing_a_draft_are_refused(demo_store, people):
    cmo, cfo = people["CMO"], people["CFO"]
    with demo_store.session() as session:
        version_id = create_definition(session, cmo, FORM)
        with pytest.raises(ValidationFailed, match="only a proposed definition can be signed"):
            sign_off(session, cfo, version_id, None)
        propose(session, cmo, version_id)
        sign_off(session, cfo, version_id, None)
        with pytest.raises(ValidationFailed, match="already signed off"):
            sign_off(session, cfo, version_id, None)


def test_nobody_signs_their_own_proposal(demo_store, people):
    cmo, cfo = people["CMO"], people["CFO"]
    with demo_store.session() as session:
        version_id = create_definition(session, cmo, FORM)
        propose(session, cmo, version_id)
        session.execute(
            sa.update(SuccessDefinitionVersion)
            .where(SuccessDefinitionVersion.id == version_id)
            .values(proposed_by_id=cfo.user_id)
        )
        session.commit()
        with pytest.raises(ValidationFailed, match="Nobody signs their own proposal"):
            sign_off(session, cfo, version_id, None)


ROLE_CASES = [
    ("CEO", "create", True),
    ("CFO", "create", False),
    ("CMO", "create", True),
    ("viewer", "create", False),
    ("admin", "create", False),
    ("CEO", "sign", False),
    ("CMO", "sign", False),
    ("viewer", "sign", False),
    ("admin", "sign", False),
    ("CFO", "sign", True),
    ("CEO", "return", False),
    ("CMO", "return", False),
    ("CFO", "return", True),
    ("CFO", "acknowledge", False),
    ("CMO", "acknowledge", False),
    ("CEO", "acknowledge", True),
]


@pytest.mark.parametrize(("role", "operation", "allowed"), ROLE_CASES)
def test_role_by_action_matrix_in_the_service(demo_store, people, role, operation, allowed):
    from alignment.access.permissions import Actor
    from alignment.access.permissions import Role

    actor = people.get(role) or Actor(None, role, Role(role))
    with demo_store.session() as session:
        proposed = session.scalar(
            sa.select(SuccessDefinitionVersion.id).where(
                SuccessDefinitionVersion.state == "proposed"
            )
        )
        signed = session.scalar(
            sa.select(SuccessDefinitionVersion.id).where(
                SuccessDefinitionVersion.state == "signed_off"
            )
        )
        session.execute(sa.update(SuccessDefinitionVersion).values(acknowledged_at=None))
        session.commit()
        run = {
            "create": lambda: create_definition(session, actor, FORM),
            "sign": lambda: sign_off(session, actor, proposed, None),
            "return": lambda: return_to_draft(session, actor, proposed, "why"),
            "acknowledge": lambda: acknowledge(session, actor, signed),
        }[operation]
        if allowed:
            run()
        else:
            with pytest.raises(PermissionDenied):
                run()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": "eighty"}, "The target 'eighty' is not a number"),
        ({"deadline": "2025-12-31"}, "before the period starts (January 2026)"),
        ({"measurement": "  "}, "Say how success is measured"),
        ({"period_end": "2025-06"}, "The period ends before it starts"),
        ({"tolerance": "15"}, "between 0 and 1"),
        ({"metric": "vibes"}, "'vibes' is not a metric"),
        ({"title": ""}, "Give the definition a title"),
        ({"period_start": "2026-13"}, "month number must be 01 to 12"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(demo_store, people, change, message):
    with demo_store.session() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(SuccessDefinitionVersion))
        with pytest.raises(ValidationFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
            create_definition(
                session, people["CMO"], DefinitionInput(**{**FORM.__dict__, **change})
            )
        after = session.scalar(sa.select(sa.func.count()).select_from(SuccessDefinitionVersion))
    assert before == after


def test_an_edit_behind_the_signature_shows_everywhere(demo_store, people):
    with demo_store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE success_definition_versions SET measurement = 'Whatever "
                "marketing says' WHERE state = 'signed_off' AND metric = 'romi'"
            )
        )
    with demo_store.session() as session:
        views = definitions(session, people["CEO"])
        rows = definitions_json(session, people["CEO"])
    flagged = [d.in_force for d in views if d.in_force and d.in_force.changed_since_signoff]
    assert len(flagged) == 1 and flagged[0].signature == "Changed since sign-off"
    flags = {r["title"]: r["changed_since_signoff"] for r in rows}
    assert sum(flags.values()) == 1
    changed = next(r for r in rows if r["changed_since_signoff"])
    assert changed["content_hash"] != changed["current_hash"]


def test_the_demo_has_one_proposal_awaiting_the_cfo(demo_store, people):
    with demo_store.session() as session:
        assert waiting_work(session, people["CFO"]) == ["1 definition awaits your sign-off"]
        assert waiting_work(session, people["CMO"]) == []
        assert waiting_work(session, people["CEO"]) == []
        rows = definitions_json(session, people["viewer"])
    assert sorted(r["state"] for r in rows) == ["proposed", "signed_off", "signed_off"]
    assert all(r["content_hash"] for r in rows if r["in_force"])
    assert dt.date.fromisoformat(rows[0]["deadline"])


def _typed(metric: str, target: str) -> DefinitionInput:
    return DefinitionInput(**{**FORM.__dict__, "metric": metric, "target": target})


@pytest.mark.parametrize(
    ("metric", "typed", "stored", "unit", "shown", "as_typed"),
    [
        ("romi", "80", 0.8, "%", "80.0%", "80"),
        ("spend_variance_pct", "-5", -0.05, "%", "-5.0%", "-5"),
        ("roas", "3.5", 3.5, "x", "3.50×", "3.5"),
        ("marketing_cac", "12,500", 12500.0, "USD", "$12,500", "12500"),
        ("new_customers", "40", 40.0, "count", "40", "40"),
    ],
)
def test_a_target_is_typed_as_the_metric_is_shown_and_the_unit_follows_the_metric(
    demo_store, people, metric, typed, stored, unit, shown, as_typed
):
    """The form said "Unit (ratio, USD, count, %)": 80 with '%' on ROMI was signed as
    "at least 80 %" and compared with 8,000 %."""
    with demo_store.session() as session:
        version_id = create_definition(session, people["CMO"], _typed(metric, typed))
    version = version_of(demo_store, version_id)
    assert (version.target, version.unit) == (stored, unit)
    draft = current(demo_store, people["CMO"], version.definition_id).open_version
    assert draft.target_text == shown and draft.target_as_typed == as_typed


def test_a_kpi_definition_takes_the_kpis_unit(demo_store, people):
    with demo_store.session() as session:
        sqls = session.scalar(sa.text("SELECT id FROM kpis WHERE name = 'SQLs'"))
        version_id = create_definition(session, people["CMO"], _typed(f"kpi:{sqls}", "690"))
    assert (version_of(demo_store, version_id).unit, version_of(demo_store, version_id).target) == (
        "count",
        690.0,
    )


@pytest.fixture
def november(demo_store):
    """November 2026 with figures written by hand: every line spends $10,000 and returns
    $50,000 revenue, $30,000 pipeline and 2 customers; gross margin 70 %. So ROMI is
    (50,000 x 0.7 - 10,000) / 10,000 = 250 %, ROAS 5x, pipeline ROI 3x, CAC $5,000."""
    with demo_store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE budget_lines SET actual_spend = 1000000, attributed_revenue = 5000000,"
                " attributed_pipeline = 3000000, new_customers = 2 WHERE month = '2026-11'"
            )
        )
        conn.execute(sa.text("UPDATE company_settings SET gross_margin = 0.7"))
    return parse_period("2026-11")


@pytest.mark.parametrize(
    ("metric", "target", "comparison", "actual_text", "target_text", "status"),
    [
        ("romi", 0.8, "at_least", "250.0%", "80.0%", "green"),
        ("romi", 2.6, "at_least", "250.0%", "260.0%", "amber"),
        ("romi", 3.0, "at_least", "250.0%", "300.0%", "red"),
        ("roas", 4.0, "at_least", "5.00×", "4.00×", "green"),
        ("pipeline_roi", 3.5, "at_least", "3.00×", "3.50×", "red"),
        ("marketing_cac", 6000, "at_most", "$5,000", "$6,000", "green"),
        ("marketing_cac", 4800, "at_most", "$5,000", "$4,800", "amber"),
        ("romi", None, "at_least", "250.0%", "", None),
    ],
)
def test_the_live_actual_reads_as_the_overview_against_the_target(
    demo_store, people, november, metric, target, comparison, actual_text, target_text, status
):
    with demo_store.session() as session:
        live = live_actual(session, people["CFO"], metric, target, comparison, 0.1, november)
    assert (live.actual_text, live.target_text, live.status) == (actual_text, target_text, status)
    assert live.period_label == "November 2026"


def test_an_additive_target_is_read_for_the_months_shown(demo_store, people, november):
    with demo_store.session() as session:
        live = live_actual(
            session,
            people["CFO"],
            "attributed_revenue",
            1_200_000.0,
            "at_least",
            0.1,
            november,
            "2026-01",
            "2026-12",
        )
    assert live.target_text == "$100,000" and live.target_scaled


def test_the_cfo_signs_what_the_overview_will_show(demo_store, people, november):
    """After signing, the card said "Actual 9.9 % against target at least 80 %" while the
    month's ROMI tile showed 991.8 %."""
    cmo, cfo = people["CMO"], people["CFO"]
    with demo_store.session() as session:
        version_id = create_definition(session, cmo, _typed("romi", "80"))
        definition_id = version_of(demo_store, version_id).definition_id
        propose(session, cmo, version_id)
        seen = current(demo_store, cfo, definition_id).open_version
        before = live_actual(
            session, cfo, "romi", seen.content["target"], "at_least", 0.1, november
        )
        sign_off(session, cfo, version_id, seen.content_hash)
        after = next(
            s for s in live_status(session, cfo, november) if s.definition_id == definition_id
        )
    assert (before.actual_text, before.target_text, before.status) == ("250.0%", "80.0%", "green")
    assert (after.actual_text, after.target_text, after.status) == ("250.0%", "80.0%", "green")
    assert not after.unit_disagrees


def test_a_ratio_target_is_never_scaled(demo_store, people, november):
    with demo_store.session() as session:
        live = live_actual(
            session, people["CFO"], "romi", 0.8, "at_least", 0.1, november, "2026-01", "2026-12"
        )
    assert live.target_text == "80.0%" and not live.target_scaled
