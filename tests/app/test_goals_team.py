"""Goals & KPIs on a team's own store through AppTest: an empty store, password log-ins,
a tree built by hand, forms that show what they edit, deletions that say what goes."""

from __future__ import annotations

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from alignment.access.users import actor_by_email
from alignment.edges.store import open_store
from alignment.objectives import kpis
from alignment.objectives.kpis import KpiInput
from alignment.objectives.kpis import KpiValueChange
from tests.app.conftest import ROOT
from tests.app.test_login import log_in


def _open(email: str, tab: str) -> AppTest:
    at = log_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run(), email)
    at.query_params["goals_tab"] = tab
    at.switch_page("pages/goals.py")
    return at.run()


def _query(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def _fill_kpi(at: AppTest, form: str, **fields: str) -> AppTest:
    for name, value in fields.items():
        at.text_input(key=f"{form}_{name}").input(value)
    return at.button(key=f"FormSubmitter:{form}-Save KPI").click().run()


def _seed(url: str) -> dict[str, int]:
    store = open_store(url)
    with store.session() as session:
        cmo = actor_by_email(session, "cmo@team.example")
        revenue = kpis.create_kpi(
            session, cmo, KpiInput("New revenue", "USD", "higher", "financial")
        )
        sqls = kpis.create_kpi(
            session,
            cmo,
            KpiInput(
                "SQLs", "count", "higher", "result", "sum", revenue, "5000", "USD 5,000 per SQL"
            ),
        )
        kpis.save_values(
            session,
            cmo,
            [KpiValueChange(sqls, f"2026-{m:02d}", 40, 30 + m) for m in range(5, 11)],
        )
    store.close()
    return {"New revenue": revenue, "SQLs": sqls}


def test_an_empty_store_opens_on_every_tab_for_every_role(team_url):
    for email in ("ceo@team.example", "cfo@team.example", "cmo@team.example"):
        for tab in ("Goals", "KPI tree", "Funnel", "What-if"):
            at = _open(email, tab)
            assert not at.exception, (email, tab)
            assert not at.error, (email, tab)
            assert at.title[0].value == "Goals & KPIs"
    ceo = _open("ceo@team.example", "Goals")
    assert any(i.value.startswith("No shared goals yet. Add the first one") for i in ceo.info)
    cmo = _open("cmo@team.example", "KPI tree")
    assert any(i.value.startswith("No KPIs yet. Start with the figure") for i in cmo.info)
    assert cmo.text_input(key="kpi_None_0_name").value == ""
    assert not cmo.get("graphviz_chart")


def test_the_ceo_sets_a_goal_first_and_gets_an_empty_form_back(team_url):
    at = _open("ceo@team.example", "Goals")
    at.text_input(key="goal_new_0_title").input("Grow new revenue")
    at.text_input(key="goal_new_0_start").input("2026-01")
    at.text_input(key="goal_new_0_end").input("2026-12")
    at = at.button(key="FormSubmitter:goal_new_0-Save goal").click().run()
    assert not at.exception and not at.error
    assert _query(team_url, "SELECT title, start_month, end_month FROM goals") == [
        ("Grow new revenue", "2026-01", "2026-12")
    ]
    assert at.text_input(key="goal_new_1_title").value == ""
    assert any(m.value == "#### Grow new revenue" for m in at.markdown)


def test_the_kpi_form_shows_the_chosen_kpi_and_a_new_one_starts_empty(team_url):
    at = _open("cmo@team.example", "KPI tree")
    at = _fill_kpi(at, "kpi_None_0", name="New revenue", unit="USD")
    assert not at.error, [e.value for e in at.error]
    assert at.text_input(key="kpi_None_1_name").value == ""
    revenue = _query(team_url, "SELECT id FROM kpis WHERE name = 'New revenue'")[0][0]
    at.selectbox(key="kpi_None_1_parent").set_value(revenue)
    at = _fill_kpi(
        at, "kpi_None_1", name="SQLs", unit="count", factor="5000", conversion="USD 5,000 per SQL"
    )
    assert not at.error, [e.value for e in at.error]
    form = "kpi_None_2"
    assert [at.text_input(key=f"{form}_{f}").value for f in ("name", "factor", "conversion")] == [
        "",
        "",
        "",
    ]
    assert at.selectbox(key=f"{form}_parent").value is None
    at = _fill_kpi(at, form, name="Webinars", unit="count")
    assert not at.error, [e.value for e in at.error]
    assert _query(
        team_url, "SELECT parent_factor, conversion_label FROM kpis WHERE name = 'Webinars'"
    ) == [(None, "")]
    sqls = _query(team_url, "SELECT id FROM kpis WHERE name = 'SQLs'")[0][0]
    at.selectbox(key="kpi_edit_choice").set_value(sqls)
    at = at.run()
    form = f"kpi_{sqls}_3"
    assert at.text_input(key=f"{form}_name").value == "SQLs"
    assert at.text_input(key=f"{form}_unit").value == "count"
    assert at.text_input(key=f"{form}_factor").value == "5000"
    assert at.text_input(key=f"{form}_conversion").value == "USD 5,000 per SQL"
    assert (
        at.selectbox(key=f"{form}_kind").value == "result"
        or at.selectbox(key=f"{form}_kind").value == "activity"
    )
    assert at.selectbox(key=f"{form}_parent").value == revenue


def test_deleting_a_kpi_with_figures_says_what_goes_and_waits_for_a_yes(team_url):
    ids = _seed(team_url)
    at = _open("cmo@team.example", "KPI tree")
    at.selectbox(key="kpi_edit_choice").set_value(ids["SQLs"])
    at = at.run()
    form = f"kpi_{ids['SQLs']}_0"
    at = at.button(key=f"FormSubmitter:{form}-Delete KPI").click().run()
    assert not at.error
    assert any(
        "also deletes 6 months of figures \\(May 2026 – Oct 2026\\)" in w.value for w in at.warning
    ), [w.value for w in at.warning]
    assert _query(team_url, "SELECT count(*) FROM kpi_values") == [(6,)]
    at = at.button(key="kpi_delete_confirm").click().run()
    assert not at.exception and not at.error
    assert _query(team_url, "SELECT name FROM kpis") == [("New revenue",)]
    assert _query(team_url, "SELECT count(*) FROM kpi_values") == [(0,)]


def test_keep_it_deletes_nothing(team_url):
    ids = _seed(team_url)
    at = _open("cmo@team.example", "KPI tree")
    at.selectbox(key="kpi_edit_choice").set_value(ids["SQLs"])
    at = at.run()
    at = at.button(key=f"FormSubmitter:kpi_{ids['SQLs']}_0-Delete KPI").click().run()
    at = at.button(key="kpi_delete_cancel").click().run()
    assert not at.warning
    assert _query(team_url, "SELECT count(*) FROM kpi_values") == [(6,)]


def test_a_name_with_markdown_is_shown_as_typed(team_url):
    store = open_store(team_url)
    with store.session() as session:
        cmo = actor_by_email(session, "cmo@team.example")
        kpis.create_kpi(
            session, cmo, KpiInput('[Say "hi"](http://evil.example)', "count", "higher", "result")
        )
    store.close()
    at = _open("cmo@team.example", "KPI tree")
    assert not at.exception and not at.error
    dot = at.get("graphviz_chart")[0].proto.spec
    assert 'label="[Say \\"hi\\"](http://evil.example)' in dot
    shown = [e.value for e in [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]]
    assert not any("](http" in text for text in shown), shown
