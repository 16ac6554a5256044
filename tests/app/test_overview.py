"""The overview page through Streamlit's AppTest: no exception, the right figures, every role."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from alignment.shared import formatting as fmt
from tests import oracle
from tests.app.conftest import expected_landing_cents
from tests.app.conftest import query
from tests.conftest import DEMO_TODAY

LABELS = [
    "Planned budget",
    "Actual spend",
    "Spend variance",
    "ROAS",
    "ROMI (attributed)",
    "Attributed pipeline",
    "Marketing CAC",
    "New customers",
]


def expected_tiles(first: str, last: str) -> dict[str, str]:
    f = oracle.headline(DEMO_TODAY, first, last)
    return {
        "Planned budget": fmt.money_short(f["planned_budget"], "USD"),
        "Actual spend": fmt.money_short(f["actual_spend"], "USD"),
        "Spend variance": fmt.money_short(f["spend_variance"], "USD"),
        "ROAS": fmt.multiple(f["roas"]),
        "ROMI (attributed)": fmt.percent(f["romi_attributed"]),
        "Attributed pipeline": fmt.money_short(f["attributed_pipeline"], "USD"),
        "Marketing CAC": fmt.money_short(f["marketing_cac"], "USD"),
        "New customers": fmt.count(f["new_customers"]),
    }


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label in LABELS}


def test_overview_shows_the_latest_month_without_errors(app):
    app.run()
    assert not app.exception
    assert not app.error
    assert app.title[0].value == "Overview"
    assert tiles(app) == expected_tiles("2026-11", "2026-11")
    pipeline = next(m for m in app.metric if m.label == "Attributed pipeline")
    full = oracle.headline(DEMO_TODAY, "2026-11", "2026-11")["attributed_pipeline"]
    assert pipeline.value.endswith("M")
    assert pipeline.help.endswith(f" In full: ${round(full):,}."), pipeline.help


def test_every_role_sees_the_same_figures(demo_url, monkeypatch):
    """Each role in its own session; AppTest drops sidebar widgets on a rerun under
    st.navigation, so the role is seeded in session state as a picked role would be."""
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)
    seen = {}
    for role in ["CEO", "CFO", "CMO", "viewer"]:
        at = AppTest.from_file(str(oracle.SAMPLE.parent / "app.py"), default_timeout=60)
        at.session_state["acting_role"] = role
        at.run()
        assert not at.exception
        assert at.selectbox(key="acting_role").value == role
        seen[role] = tiles(at)
    assert all(figures == seen["CEO"] for figures in seen.values())
    assert len(seen["CEO"]) == 8


def test_year_and_quarter_to_date(app):
    app.run()
    app.segmented_control(key="overview_scope").set_value("ytd").run()
    assert tiles(app) == expected_tiles("2026-01", "2026-11")
    app.segmented_control(key="overview_scope").set_value("qtd").run()
    assert tiles(app) == expected_tiles("2026-10", "2026-11")
    app.selectbox(key="overview_month").set_value("2026-06").run()
    assert tiles(app) == expected_tiles("2026-04", "2026-06")


def test_definitions_and_alignment_are_shown(app):
    app.run()
    table = app.table[0].value
    assert list(table["Status"]) == ["On target", "Within tolerance"]
    assert all("unchanged since" in s for s in table["Signature"])
    romi = table[table["Definition"].str.contains("ROMI")].iloc[0]
    assert romi["Target"] == "≥\u00a080.0%"
    assert romi["Actual"] == tiles(app)["ROMI (attributed)"], "the definition reads as the tile"
    score = next(m for m in app.metric if m.label.startswith("Alignment score"))
    answers = oracle.checklist(DEMO_TODAY)
    latest = answers[answers["month"] == "2026-11"]["score"]
    assert score.value == fmt.score((latest.mean() - 1) / 4 * 100)
    assert any("perception gap" in md.value for md in app.markdown)


def test_a_tampered_definition_shows_red_on_the_overview(app, demo_url):
    engine = sa.create_engine(demo_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE success_definition_versions SET tolerance = 0.5 WHERE metric = 'romi'")
        )
    engine.dispose()
    app.run()
    assert "changed since sign-off" in app.error[0].value
    assert "Changed since sign-off" in list(app.table[0].value["Signature"])


def test_an_unreachable_store_is_one_sentence_not_a_traceback(app, monkeypatch):
    monkeypatch.setenv(
        "SAMEPAGE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/x?connect_timeout=2"
    )
    app.run()
    assert not app.exception
    assert app.error[0].value.startswith("Cannot reach the store at")
    assert not app.metric


def test_an_empty_store_outside_demo_mode_asks_for_a_log_in(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.delenv("SAMEPAGE_DEMO", raising=False)
    at = AppTest.from_file(str(oracle.SAMPLE.parent / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Log in to SamePage"
    assert not at.metric


def test_demo_mode_does_not_fill_an_empty_store_with_the_demo(monkeypatch, tmp_path):
    """The demo comes from ``load-sample`` into a store of its own (``make run``), never
    from the variable: an empty team store stays empty and asks for a log-in."""
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'first-run.db'}")
    monkeypatch.setenv("SAMEPAGE_DEMO", "1")
    at = AppTest.from_file(str(oracle.SAMPLE.parent / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Log in to SamePage"
    assert not tiles(at)


def test_a_store_newer_than_the_code_is_one_sentence(app, demo_url):
    engine = sa.create_engine(demo_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    engine.dispose()
    app.run()
    assert not app.exception
    assert "newer version of SamePage" in app.error[0].value
    assert not app.metric


def test_the_overview_says_where_the_year_lands(app, demo_url):
    """No forecast yet: the landing is this year's actuals to date plus the plan for the
    rest, read from the store directly; against the plan, the difference."""
    app.run()
    assert not app.exception
    landed = expected_landing_cents(demo_url)
    ((plan,),) = query(
        demo_url,
        "SELECT sum(planned_budget) FROM budget_lines WHERE month BETWEEN :a AND :b",
        a=f"{DEMO_TODAY:%Y}-01",
        b=f"{DEMO_TODAY:%Y}-12",
    )
    shown = {m.label: m.value for m in app.metric}
    assert shown["Landing"] == fmt.money_short(landed / 100, "USD")
    assert shown["Against the plan"] == fmt.money_short((landed - plan) / 100, "USD")
    assert "Where the year lands" in [h.value for h in app.subheader]
    counted = {
        m
        for (m,) in query(
            demo_url,
            "SELECT DISTINCT month FROM budget_lines WHERE planned_budget IS NOT NULL "
            "UNION SELECT DISTINCT month FROM forecast_lines",
        )
    }
    unplanned = [
        m
        for m in (f"{DEMO_TODAY:%Y}-{n:02d}" for n in range(DEMO_TODAY.month, 13))
        if m not in counted
    ]
    warned = [w.value for w in app.warning if "No forecast and no plan" in w.value]
    assert warned == ([] if not unplanned else [warned[0]])
    for month in unplanned:
        assert dt.date.fromisoformat(f"{month}-01").strftime("%b %Y") in warned[0]


def test_a_request_put_off_is_counted_as_put_off(app, demo_url):
    """A request put off until later is back on the agenda, and the overview says so."""
    engine = sa.create_engine(demo_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE requests SET decision = 'later', decision_reason = 'After Q1', "
                "decided_on = '2026-11-20' WHERE title LIKE 'Cut paid search%'"
            )
        )
        waiting = conn.execute(
            sa.text("SELECT count(*) FROM requests WHERE decision IS NULL OR decision = 'later'")
        ).scalar()
    engine.dispose()
    app.run()
    line = next(md.value for md in app.markdown if "of marketing await" in md.value)
    assert line == f"**{waiting}** requests of marketing await a decision (1 put off until later):"
