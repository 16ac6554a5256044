"""The Goals & KPIs page through AppTest."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from alignment.access.users import demo_actors
from alignment.edges.store import open_store
from alignment.objectives import kpis
from tests.app.conftest import ROOT
from ui.widgets import as_text


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
    at.session_state[at.data_editor[0].key] = {
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


HOSTILE_KPI = "Leads [here](http://evil.example) <b>tag</b> **stars**"


def test_a_kpi_name_is_shown_as_typed_in_messages_and_import_problems(goals_page, demo_url):
    store = open_store(demo_url)
    with store.session() as session:
        cmo = next(a for a in demo_actors(session) if a.role == "CMO")
        kpi_id = kpis.create_kpi(
            session, cmo, kpis.KpiInput(HOSTILE_KPI, "count", "higher", "result")
        )
    store.close()
    at = goals_page("CMO", "KPI tree")
    at.selectbox(key="kpi_history").set_value(kpi_id).run()
    assert not at.exception
    assert f"No figures for {as_text(HOSTILE_KPI)} yet." in [i.value for i in at.info]
    unknown = f"kpi,month,target\n{HOSTILE_KPI} 2,2026-12,5\n".encode()
    at.file_uploader(key="kpi_upload").upload(f"{HOSTILE_KPI}.csv", unknown, "text/csv").run()
    assert [e.value for e in at.error] == [
        as_text(f"Row 2, column 'kpi': there is no KPI called '{HOSTILE_KPI} 2'.")
    ]
