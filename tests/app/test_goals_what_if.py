"""The what-if tab through AppTest: it says what it averages, shows money as money, previews
every target it would save, and saves only to the month picked (issue 21, items 12-15)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from alignment.access.users import demo_actors
from alignment.edges.store import open_store
from alignment.objectives import kpis
from tests.app.conftest import ROOT


@pytest.fixture
def what_if(demo_url, monkeypatch):
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)

    def open_as(role: str = "CMO") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["acting_role"] = role
        at.query_params["goals_tab"] = "What-if"
        at.switch_page("pages/goals.py")
        return at.run()

    return open_as


def rows(url: str, sql: str, **params: object) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(sa.text(sql), params).all()]
    engine.dispose()
    return found


def kpi_id(url: str, name: str) -> int:
    return rows(url, "SELECT id FROM kpis WHERE name = :name", name=name)[0][0]


def table(at: AppTest, which: int) -> dict[str, list[str]]:
    """A text table as {row name: its cells}, unescaped."""
    frame = at.table[which].value
    plain = [str(i).replace("\\", "") for i in frame.index]
    return {name: [str(v).replace("\\", "") for v in frame.iloc[i]] for i, name in enumerate(plain)}


def test_usually_money_and_months_with_figures_are_said(what_if):
    at = what_if()
    assert not at.exception and not at.error
    label = at.number_input[0].label
    # Events attended in the demo's last six months: 0.8 a month, in all six of them.
    assert label == "per month (usually 0.8, the average of the 6 of 6 months with figures)"
    shown = table(at, 0)
    assert shown["Events attended"][:2] == ["0.8", "6 of 6"]
    # Money as money: whole dollars with the sign, never "1,384,385.3".
    assert shown["New revenue"][0] == "$1,384,385"
    assert shown["New revenue"][2].startswith("$") and "." not in shown["New revenue"][2]


def test_a_kpi_without_figures_says_so_instead_of_usually_0(what_if, demo_url):
    store = open_store(demo_url)
    with store.session() as session:
        cmo = next(a for a in demo_actors(session) if a.role == "CMO")
        podcasts = kpis.create_kpi(
            session,
            cmo,
            kpis.KpiInput(
                "Podcasts", "count", "higher", "activity", "sum", kpi_id(demo_url, "Leads")
            ),
        )
    store.close()
    at = what_if()
    at.selectbox(key="what_if_kpi").set_value(podcasts).run()
    assert not at.exception and not at.error
    assert at.number_input[0].label == "per month (no figures in the last 6 months)"
    assert "usually" not in at.number_input[0].label
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Leads per Podcasts: no history" in captions
    # And a KPI with figures leaves Podcasts out of the share of Leads, saying so.
    at.selectbox(key="what_if_kpi").set_value(kpi_id(demo_url, "Events attended")).run()
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Podcasts also feeds Leads but has no figures in the last 6 months" in captions


def test_a_target_of_zero_shows_no_minus_zero(what_if, demo_url):
    at = what_if()
    at.selectbox(key="what_if_kpi").set_value(kpi_id(demo_url, "Won deals")).run()
    at.number_input[0].set_value(0.0).run()
    assert not at.exception and not at.error
    shown = table(at, 0)
    # Revenue per won deal times no won deals: nothing, not "-$0" nor "-0".
    assert shown["New revenue"][2] == "$0"
    assert not any("-0" in cell for row in shown.values() for cell in row)


def test_the_default_month_is_the_first_without_actuals_and_saving_writes_the_preview(
    what_if, demo_url
):
    at = what_if()
    assert at.selectbox(key="what_if_month").value == "2026-12"
    preview = table(at, 1)
    assert list(preview) == [
        "Events attended",
        "Leads",
        "MQLs",
        "SQLs",
        "Opportunities",
        "Won deals",
        "New revenue",
    ]
    assert not at.warning
    at.button(key="what_if_save").click().run()
    assert not at.exception and not at.error
    saved = dict(
        rows(
            demo_url,
            "SELECT k.name, v.target FROM kpi_values v JOIN kpis k ON k.id = v.kpi_id "
            "WHERE v.month = '2026-12'",
        )
    )
    assert saved["Events attended"] == 2
    assert f"{saved['Leads']:,.2f}" == preview["Leads"][1]
    assert f"${saved['New revenue']:,.2f}" == preview["New revenue"][1]


def test_a_month_with_actuals_shows_what_it_overwrites_and_needs_a_tick(what_if, demo_url):
    query = (
        "SELECT k.name, v.target, v.actual FROM kpi_values v JOIN kpis k ON k.id = v.kpi_id "
        "WHERE v.month = '2026-11' ORDER BY k.name"
    )
    before = rows(demo_url, query)
    at = what_if()
    at.selectbox(key="what_if_month").set_value("2026-11").run()
    assert not at.exception and not at.error
    assert "November 2026 already has actuals for Events attended, Leads" in at.warning[0].value
    preview = table(at, 1)
    events = dict((n, t) for n, t, _ in before)["Events attended"]
    assert preview["Events attended"] == [
        f"{events:g}",
        "2",
        f"{dict((n, a) for n, _, a in before)['Events attended']:g}",
    ]
    assert at.button(key="what_if_save").disabled
    assert rows(demo_url, query) == before
    at.checkbox(key="what_if_overwrite_2026-11").check().run()
    assert not at.button(key="what_if_save").disabled
    # A tick is for the month it names: October, also measured, asks again, and so does
    # November once another month was picked in between.
    at.selectbox(key="what_if_month").set_value("2026-10").run()
    assert at.button(key="what_if_save").disabled
    at.selectbox(key="what_if_month").set_value("2026-11").run()
    assert at.button(key="what_if_save").disabled
    at.checkbox(key="what_if_overwrite_2026-11").check().run()
    at.button(key="what_if_save").click().run()
    assert not at.exception and not at.error
    after = {n: (t, a) for n, t, a in rows(demo_url, query)}
    assert after["Events attended"][0] == 2
    assert [after[n][1] for n, _, _ in before] == [a for _, _, a in before]
    assert rows(demo_url, "SELECT count(*) FROM kpi_values WHERE month = '2026-12'") == [(0,)]
