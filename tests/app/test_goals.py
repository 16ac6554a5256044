"""The Goals & KPIs page through AppTest."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT


@pytest.fixture
def goals_page(demo_url, monkeypatch):
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)

    def open_as(role: str, tab: str = "Goals") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["acting_role"] = role
        at.query_params["goals_tab"] = tab
        at.switch_page("pages/goals.py")
        return at.run()

    return open_as


def scalar(url: str, sql: str):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(sa.text(sql)).scalar()
    engine.dispose()
    return value


@pytest.mark.parametrize("tab", ["Goals", "KPI tree", "Funnel", "What-if"])
@pytest.mark.parametrize("role", ["CEO", "CFO", "CMO", "viewer"])
def test_every_tab_renders_for_every_role(goals_page, role, tab):
    at = goals_page(role, tab)
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "Goals & KPIs"


def test_goals_show_the_balance_and_the_long_term_warning(goals_page):
    at = goals_page("CEO")
    assert any("has no agreed indicator" in w.value for w in at.warning)
    shares = [m.value for m in at.metric if m.label == "Share of spend"]
    assert len(shares) == 2 and all(s.endswith("%") for s in shares)


def test_the_tree_is_drawn_with_every_kpi(goals_page, demo_url):
    at = goals_page("CFO", "KPI tree")
    dot = at.get("graphviz_chart")[0].proto.spec
    count = scalar(demo_url, "SELECT count(*) FROM kpis")
    assert dot.count("fillcolor=") == count
    assert "New revenue" in dot and "Whitepapers published" in dot


def test_the_cmo_saves_an_actual_in_the_grid(goals_page, demo_url):
    at = goals_page("CMO", "KPI tree")
    grid = at.data_editor[0].value
    position = int(grid.index[grid["kpi"] == "SQLs"][0])
    at.session_state["kpi_grid_0"] = {
        "edited_rows": {position: {"actual": 400}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="kpi_save").click().run()
    assert not at.exception and not at.error
    assert (
        scalar(
            demo_url,
            "SELECT actual FROM kpi_values v JOIN kpis k ON k.id = v.kpi_id "
            "WHERE k.name = 'SQLs' AND v.month = '2026-11'",
        )
        == 400
    )


def test_the_cmo_edits_kpis_and_the_cfo_cannot(goals_page):
    cmo = goals_page("CMO", "KPI tree")
    assert not cmo.exception and not cmo.error
    assert cmo.data_editor and [b.key for b in cmo.button if b.key == "kpi_save"] == ["kpi_save"]
    cfo = goals_page("CFO", "KPI tree")
    assert not cfo.exception and not cfo.error and cfo.title[0].value == "Goals & KPIs"
    assert not cfo.data_editor
    assert not any(b.key == "kpi_save" for b in cfo.button)


def test_the_funnel_names_where_the_month_lost_most(goals_page):
    at = goals_page("CEO", "Funnel")
    assert any("lost most against target" in w.value for w in at.warning)


def test_the_what_if_saves_nothing_until_asked(goals_page, demo_url):
    before = scalar(demo_url, "SELECT count(*) FROM kpi_values")
    at = goals_page("CMO", "What-if")
    assert any("Nothing is saved" in c.value for c in at.caption)
    assert scalar(demo_url, "SELECT count(*) FROM kpi_values") == before
    at.button(key="what_if_save").click().run()
    assert not at.error
    assert scalar(demo_url, "SELECT count(*) FROM kpi_values WHERE month = '2026-12'") >= 6
