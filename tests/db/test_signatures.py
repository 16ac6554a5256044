"""A signature means what it says: its keyed seal covers the version, who signed and when,
and what the metric depends on, on SQLite and PostgreSQL. Each attack of issue 15 that
needs no log-in is here: the KPI redefined behind a signature, the NULL seal, a seal
recomputed without the key; and every surface says "changed since sign-off"."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import sqlalchemy as sa

from alignment.access.permissions import COMMAND_LINE
from alignment.company.settings import update_company
from alignment.dashboard import dashboard
from alignment.definitions import signature
from alignment.definitions.success import live_status
from alignment.definitions.success_workflow import DefinitionInput
from alignment.definitions.success_workflow import create_definition
from alignment.definitions.success_workflow import definitions
from alignment.definitions.success_workflow import definitions_json
from alignment.definitions.success_workflow import propose
from alignment.definitions.success_workflow import sign_off
from alignment.edges.meeting_pack import pack_xlsx
from alignment.meeting.review import close_review
from alignment.meeting.review import review
from alignment.objectives.kpis import KpiInput
from alignment.objectives.kpis import update_kpi
from alignment.records import audit
from alignment.shared import metrics
from alignment.shared.periods import parse_period
from db.models import Kpi
from db.models import KpiValue
from db.models import SuccessDefinitionVersion
from tests.cli.test_cli import run
from tests.db.test_explanations import discuss_every_red_item

KPI_FORM = DefinitionInput(
    title="At least 4 webinars a quarter",
    metric="kpi:0",
    target="4",
    comparison="at_least",
    period_start="2026-10",
    period_end="2026-12",
    deadline="2026-12-31",
    measurement="Webinars held, summed over the quarter.",
    data_source="Events calendar",
    tolerance="0.1",
    owner_role="CMO",
)


def _signed(store, people, form: DefinitionInput) -> int:
    """Draft, propose (CMO) and sign (CFO) ``form``; returns the signed version's id."""
    with store.session() as session:
        version_id = create_definition(session, people["CMO"], form)
        propose(session, people["CMO"], version_id)
        sign_off(session, people["CFO"], version_id, None)
    return version_id


@pytest.fixture
def webinars(demo_store, demo_actors):
    """A KPI summed per month (1, 2, 1 in October to December), with a signed definition of
    at least 4 over the quarter: its actual is 4, green."""
    with demo_store.session() as session:
        kpi = Kpi(name="Webinars", unit="count", direction="higher", kind="activity")
        session.add(kpi)
        session.flush()
        kpi_id = kpi.id
        for month, value in (("2026-10", 1), ("2026-11", 2), ("2026-12", 1)):
            session.add(KpiValue(kpi_id=kpi_id, month=month, actual=value))
        session.commit()
    form = DefinitionInput(**{**KPI_FORM.__dict__, "metric": f"kpi:{kpi_id}"})
    version_id = _signed(demo_store, demo_actors, form)
    return kpi_id, version_id


def _quarter_status(store, actor, title: str):
    with store.session() as session:
        statuses = live_status(session, actor, parse_period("2026-Q4"))
    return next(s for s in statuses if s.title == title)


def _everywhere(store, actor, title: str) -> dict[str, bool]:
    """Whether each surface that shows the definition says it changed since sign-off."""
    with store.session() as session:
        card = next(
            d.in_force
            for d in definitions(session, actor)
            if d.in_force and d.in_force.content["title"] == title
        )
        row = next(
            r for r in definitions_json(session, actor) if r["title"] == title and r["in_force"]
        )
        overview = next(
            s
            for s in dashboard(session, actor, parse_period("2026-11")).definitions
            if s.title == title
        )
        month = review(session, actor, "2026-11")
    frozen = next(d for d in month.sections["definitions"] if d["title"] == title)
    return {
        "definitions page": card.changed_since_signoff
        and card.signature == "Changed since sign-off",
        "command line JSON": row["changed_since_signoff"],
        "overview": overview.changed_since_signoff,
        "review": frozen["signature"] == "changed since sign-off",
    }


def test_a_fresh_signature_holds_everywhere(webinars, demo_store, demo_actors):
    _, version_id = webinars
    status = _quarter_status(demo_store, demo_actors["CEO"], KPI_FORM.title)
    assert (status.actual, status.status) == (4, "green")
    assert not any(_everywhere(demo_store, demo_actors["CEO"], KPI_FORM.title).values())
    with demo_store.session() as session:
        version = session.get(SuccessDefinitionVersion, version_id)
        assert signature.well_formed(version.seal)
        assert audit.verify(session, COMMAND_LINE).intact


def test_redefining_the_kpi_behind_a_signature_shows_everywhere(webinars, demo_store, demo_actors):
    """Issue 15: the CMO changed the KPI's aggregation from sum to last and renamed it; the
    actual went from 4 to 1 and the card still said "unchanged since"."""
    kpi_id, _ = webinars
    with demo_store.session() as session:
        update_kpi(
            session,
            demo_actors["CMO"],
            kpi_id,
            KpiInput(
                name="Webinars (last month)",
                unit="count",
                direction="higher",
                kind="activity",
                aggregation="last",
            ),
        )
    status = _quarter_status(demo_store, demo_actors["CEO"], KPI_FORM.title)
    assert status.actual == 1
    assert status.changed_since_signoff
    shown = _everywhere(demo_store, demo_actors["CEO"], KPI_FORM.title)
    assert shown == dict.fromkeys(shown, True)
    result = run(demo_store.url, "definitions")
    assert f"{KPI_FORM.title} CHANGED SINCE SIGN-OFF" in result.stdout
    with demo_store.session() as session:
        assert audit.verify(session, COMMAND_LINE).intact, (
            "a KPI edit through SamePage is in the trail; the definition reads changed, "
            "the trail is not broken"
        )


@pytest.mark.parametrize(
    ("column", "value"),
    [("name", "Webinars, any kind"), ("unit", "sessions"), ("direction", "lower")],
)
def test_any_change_to_what_the_kpi_means_shows(webinars, demo_store, demo_actors, column, value):
    kpi_id, _ = webinars
    with demo_store.engine.begin() as conn:
        conn.execute(sa.update(Kpi.__table__).where(Kpi.id == kpi_id).values({column: value}))
    assert _quarter_status(demo_store, demo_actors["CEO"], KPI_FORM.title).changed_since_signoff


def test_a_new_gross_margin_shows_on_a_signed_romi(demo_store, demo_actors):
    romi = "ROMI"
    with demo_store.session() as session:
        signed = [d.in_force for d in definitions(session, demo_actors["CEO"]) if d.in_force]
    title = next(v.content["title"] for v in signed if v.content["metric"] == "romi")
    assert romi and not _everywhere(demo_store, demo_actors["CEO"], title)["overview"]
    with demo_store.session() as session:
        update_company(session, demo_actors["CFO"], gross_margin=0.55)
    shown = _everywhere(demo_store, demo_actors["CEO"], title)
    assert shown == dict.fromkeys(shown, True)
    others = [v.content["title"] for v in signed if v.content["metric"] != "romi"]
    for other in others:
        assert not _everywhere(demo_store, demo_actors["CEO"], other)["overview"], (
            "the gross margin is no part of a definition that does not use it"
        )


def test_a_new_formula_version_shows(webinars, demo_store, demo_actors, monkeypatch):
    with demo_store.session() as session:
        signed = [d.in_force for d in definitions(session, demo_actors["CEO"]) if d.in_force]
    title = next(v.content["title"] for v in signed if v.content["metric"] == "romi")
    monkeypatch.setitem(metrics.FORMULA_VERSIONS, "romi", metrics.FORMULA_VERSIONS["romi"] + 1)
    assert _everywhere(demo_store, demo_actors["CEO"], title)["overview"]
    assert not _quarter_status(demo_store, demo_actors["CEO"], KPI_FORM.title).changed_since_signoff


@pytest.mark.parametrize(
    "seal",
    [None, "", "not a seal", "0" * 64, "A" * 64],
    ids=["NULL", "empty", "garbage", "zeros", "upper-case"],
)
def test_a_null_or_unreadable_seal_reads_changed(webinars, demo_store, demo_actors, seal):
    """Issue 15: setting a signed version's content_hash to NULL made any later edit read as
    unchanged."""
    _, version_id = webinars
    with demo_store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE success_definition_versions SET seal = :s, content_hash = NULL, "
                "measurement = 'Whatever marketing says' WHERE id = :v"
            ),
            {"s": seal, "v": version_id},
        )
    shown = _everywhere(demo_store, demo_actors["CEO"], KPI_FORM.title)
    assert shown == dict.fromkeys(shown, True)
    with demo_store.session() as session:
        check = audit.verify(session, COMMAND_LINE)
    assert not check.intact and "At least 4 webinars" in check.reason


def test_a_seal_recomputed_without_the_key_does_not_hold(webinars, demo_store, demo_actors):
    """Write access to the database: change the target, recompute the plain content hash and
    a seal with a guessed key. Neither holds."""
    _, version_id = webinars
    with demo_store.session() as session:
        version = session.get(SuccessDefinitionVersion, version_id)
        version.target = 1.0
        forged_hash = signature.content_hash(signature.version_content(version))
        meaning = signature.meaning_now(session, version)
        forged_seal = signature.seal_of(b"guessed", meaning)
        plain = hashlib.sha256(json.dumps(meaning, sort_keys=True).encode()).hexdigest()
        session.rollback()
    for seal in (forged_seal, plain):
        with demo_store.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE success_definition_versions SET target = 1, content_hash = :h, "
                    "seal = :s WHERE id = :v"
                ),
                {"h": forged_hash, "s": seal, "v": version_id},
            )
        assert _quarter_status(demo_store, demo_actors["CEO"], KPI_FORM.title).changed_since_signoff


@pytest.mark.parametrize(
    ("column", "value"),
    [("signed_by_id", None), ("signed_at", dt.datetime(2026, 1, 1, 9)), ("number", 7)],
)
def test_the_seal_covers_who_signed_when_and_which_version(
    webinars, demo_store, demo_actors, column, value
):
    _, version_id = webinars
    with demo_store.engine.begin() as conn:
        conn.execute(
            sa.update(SuccessDefinitionVersion.__table__)
            .where(SuccessDefinitionVersion.id == version_id)
            .values({column: value})
        )
    assert _quarter_status(demo_store, demo_actors["CEO"], KPI_FORM.title).changed_since_signoff
    with demo_store.session() as session:
        check = audit.verify(session, COMMAND_LINE)
    assert not check.intact and "is not what was signed" in check.reason


def test_signing_again_clears_the_flag(webinars, demo_store, demo_actors):
    from alignment.definitions.success_workflow import revise

    kpi_id, _ = webinars
    with demo_store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE kpis SET aggregation = 'last' WHERE id = :k"), {"k": kpi_id})
    assert _quarter_status(demo_store, demo_actors["CEO"], KPI_FORM.title).changed_since_signoff
    with demo_store.session() as session:
        definition_id = session.get(SuccessDefinitionVersion, webinars[1]).definition_id
        new_version = revise(session, demo_actors["CMO"], definition_id)
        propose(session, demo_actors["CMO"], new_version)
        sign_off(session, demo_actors["CFO"], new_version, None)
    assert not _quarter_status(demo_store, demo_actors["CEO"], KPI_FORM.title).changed_since_signoff


def test_the_closed_review_and_its_pack_say_changed(webinars, demo_store, demo_actors):
    kpi_id, _ = webinars
    with demo_store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE kpis SET aggregation = 'last' WHERE id = :k"), {"k": kpi_id})
    with demo_store.session() as session:
        # Counted as 'last', the webinars read 2 against 4: red, discussed without an
        # explanation so that the month can be closed.
        assert discuss_every_red_item(session, demo_actors["CEO"], "2026-11") == [KPI_FORM.title]
        close_review(session, demo_actors["CEO"], "2026-11")
        month = review(session, demo_actors["CEO"], "2026-11")
    frozen = next(d for d in month.sections["definitions"] if d["title"] == KPI_FORM.title)
    assert frozen["signature"] == "changed since sign-off"
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(pack_xlsx(month, "Fernhill")))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    assert any("changed since sign-off" in c.lower() for c in cells)
