"""The Budget & return page through AppTest: each role's powers, editing, import, reconciliation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from alignment.shared import formatting as fmt
from alignment.shared.periods import current_month
from alignment.spend.forecast import ForecastBasis
from tests.app.conftest import ROOT
from tests.app.conftest import expected_landing_cents
from tests.app.conftest import query
from ui.widgets import as_text

CSV = (
    b"month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
    b"attributed_revenue,new_customers\n"
    b"2026-12,Podcasts,Founder stories,12000,11500.50,60000,21000,1\n"
)


@pytest.fixture
def budget_page(demo_url, monkeypatch):
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)

    def open_as(role: str, tab: str = "Charts") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["acting_role"] = role
        at.query_params["budget_tab"] = tab
        at.switch_page("pages/budget.py")
        return at.run()

    return open_as


def scalar(url: str, sql: str, **params):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(sa.text(sql), params).scalar()
    engine.dispose()
    return value


@pytest.mark.parametrize(
    "tab",
    [
        "Charts",
        "Figures",
        "Forecast and landing",
        "Committed spend",
        "Invoices",
        "Import",
        "Months and reconciliation",
    ],
)
@pytest.mark.parametrize("role", ["CEO", "CFO", "CMO", "viewer"])
def test_every_tab_renders_for_every_role(budget_page, role, tab):
    at = budget_page(role, tab)
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "Budget & return"


def test_only_the_cmo_gets_an_editable_grid_and_the_importer(budget_page):
    cmo = budget_page("CMO", "Figures")
    assert len(cmo.data_editor) == 1
    assert any(b.label == "Save changes" for b in cmo.button)
    cfo = budget_page("CFO", "Figures")
    assert not cfo.data_editor
    assert any("Only the CMO enters figures" in c.value for c in cfo.caption)
    assert not budget_page("CEO", "Import").file_uploader
    assert budget_page("CMO", "Import").file_uploader


def test_the_cmo_edits_a_figure_in_the_grid(budget_page, demo_url):
    at = budget_page("CMO", "Figures")
    first_row = at.data_editor[0].value.iloc[0]
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {"actual_spend": 4321.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert not at.exception and not at.error
    assert any("Saved: 1 changed" in s.value for s in at.success)
    stored = scalar(
        demo_url,
        "SELECT actual_spend FROM budget_lines WHERE id = :id AND source = 'typed'",
        id=int(first_row["id"]),
    )
    assert stored == 432150


def test_the_cmo_imports_a_csv_after_a_preview(budget_page, demo_url):
    at = budget_page("CMO", "Import")
    at.file_uploader[0].upload("december.csv", CSV, "text/csv").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["New"], metrics["Changed"], metrics["Problems"]) == ("1", "0", "0")
    assert any(
        c.value == "Totals in this file: Planned budget $12,000.00; Actual spend $11,500.50; "
        "Attributed pipeline $60,000.00; Attributed revenue $21,000.00; New customers 1."
        for c in at.caption
    ), [c.value for c in at.caption]
    [written] = [d.value for d in at.dataframe]
    assert written.to_dict("records") == [
        {
            "what": "new",
            "month": "2026-12",
            "channel": "Podcasts",
            "campaign": "Founder stories",
            "planned_budget": 12000.0,
            "actual_spend": 11500.5,
            "attributed_pipeline": 60000.0,
            "attributed_revenue": 21000.0,
            "new_customers": 1.0,
        }
    ]
    assert scalar(demo_url, "SELECT count(*) FROM budget_lines WHERE month = '2026-12'") == 0
    next(b for b in at.button if b.label.startswith("Import 1 new")).click().run()
    assert not at.exception
    assert any("Imported 1 new" in s.value for s in at.success)
    assert scalar(demo_url, "SELECT actual_spend FROM budget_lines WHERE month = '2026-12'") == (
        1150050
    )


def test_a_bad_file_shows_every_problem_and_cannot_be_imported(budget_page, demo_url):
    bad = CSV.replace(b"11500.50", b"lots").replace(b"2026-12", b"2026-13")
    at = budget_page("CMO", "Import")
    at.file_uploader[0].upload("bad.csv", bad, "text/csv").run()
    assert not at.exception
    assert "2 cell(s) cannot be imported" in at.error[0].value
    problems = at.dataframe[0].value
    assert list(problems["row"]) == [2, 2]
    assert set(problems["column"]) == {"month", "actual_spend"}
    button = next(b for b in at.button if b.label.startswith("Import"))
    assert button.disabled
    assert (
        scalar(demo_url, "SELECT count(*) FROM budget_lines WHERE campaign = 'Founder stories'")
        == 0
    )


def test_the_cfo_records_finance_spend_and_reconciles_a_month(budget_page, demo_url):
    at = budget_page("CFO", "Months and reconciliation")
    at.selectbox(key="fin_month").set_value("2026-11").run()
    at.number_input(key="fin_amount_2026-11").set_value(450000.0)
    at.button(key="FormSubmitter:finance_spend_form_2026-11-Save figure for November 2026").click()
    at.run()
    assert not at.exception and not at.error
    assert scalar(
        demo_url, "SELECT finance_spend FROM reconciliations WHERE month = '2026-11'"
    ) == (45000000)
    assert at.number_input(key="fin_amount_2026-11").value == 450000.0
    at.text_input(key="rec_note_2026-11").set_value("Agreed with the ledger")
    at.button(key="FormSubmitter:reconcile_form_2026-11-Mark November 2026 reconciled").click()
    at.run()
    assert not at.error
    assert scalar(demo_url, "SELECT reconciled FROM reconciliations WHERE month = '2026-11'")
    marketing = scalar(
        demo_url, "SELECT sum(actual_spend) FROM budget_lines WHERE month = '2026-11'"
    )
    gap = (45000000 - marketing) / 100
    [table] = [t.value for t in at.table]
    november = table[table["Month"] == "Nov 2026"].iloc[0]
    assert november["Finance booked"] == "$450,000"
    assert november["Difference"] == (
        f"Finance {'higher' if gap > 0 else 'lower'} than marketing by ${abs(gap):,.0f} "
        f"({abs(gap) / 450000:.1%})"
    )
    assert november["Status"] == "Reconciled by Daniel Okafor on 23 Nov 2026"
    assert november["Note"] == "Agreed with the ledger"


def test_after_a_month_is_reconciled_the_form_holds_the_next_month_and_nothing_typed(
    budget_page, demo_url
):
    """Reconciling November moved the form to another month still holding November's
    amount and note, so "Save figure" would have booked them against it."""
    at = budget_page("CFO", "Months and reconciliation")
    at.selectbox(key="fin_month").set_value("2026-11").run()
    at.number_input(key="fin_amount_2026-11").set_value(185900.0)
    at.text_input(key="rec_note_2026-11").set_value("Ledger agrees")
    at.button(key="FormSubmitter:finance_spend_form_2026-11-Save figure for November 2026").click()
    at.run()
    at.text_input(key="rec_note_2026-11").set_value("Ledger agrees")
    at.button(key="FormSubmitter:reconcile_form_2026-11-Mark November 2026 reconciled").click()
    at.run()
    assert not at.exception and not at.error
    month = at.selectbox(key="fin_month").value
    assert month is not None and month != "2026-11"
    assert "2026-11" not in at.selectbox(key="fin_month").options
    own = query(demo_url, "SELECT finance_spend FROM reconciliations WHERE month = :m", m=month)
    assert own and own[0][0] != 18590000, "the demo's October has a booked figure of its own"
    assert at.number_input(key=f"fin_amount_{month}").value == own[0][0] / 100
    assert at.text_input(key=f"rec_note_{month}").value == ""
    saved = [b.label for b in at.button if b.label.startswith("Save figure")]
    assert saved == [f"Save figure for {at.selectbox(key='fin_month').format_func(month)}"]


def test_the_cmo_cannot_reconcile(budget_page):
    at = budget_page("CMO", "Months and reconciliation")
    assert not at.get("form")
    assert any("Only the CFO" in c.value for c in at.caption)


def test_the_cfo_imports_finance_figures_from_a_file(budget_page, demo_url):
    at = budget_page("CFO", "Months and reconciliation")
    at.file_uploader(key="finance_upload").upload(
        "ledger.csv", b"month,finance_spend\n2026-11,460000\n", "text/csv"
    ).run()
    assert not at.exception and not at.error
    at.button(key="finance_confirm").click().run()
    assert not at.exception
    assert any("Recorded finance's figures" in s.value for s in at.success)
    assert scalar(
        demo_url, "SELECT finance_spend FROM reconciliations WHERE month = '2026-11'"
    ) == (46000000)


HOSTILE_FILE = "[Pay here](http://evil.example) <b>tag</b> **stars**.csv"
HOSTILE_HEADER = "<b>Note</b> **stars** [x](http://evil.example)"
HOSTILE_CHANNEL = "Paid [search](http://evil.example) <b>tag</b> **stars**"


def test_an_uploads_name_headers_and_channels_are_shown_as_typed(budget_page):
    """The file name, an ignored header and a new channel reach captions and messages as
    escaped text: no disguised link, no bold, no tag. (The extra header needs the mapping
    form, whose suggestion is taken as it is.)"""
    data = CSV.replace(b"new_customers\n", f"new_customers,{HOSTILE_HEADER}\n".encode())
    data = data.replace(b"Podcasts", HOSTILE_CHANNEL.encode()).replace(b",1\n", b",1,x\n")
    at = budget_page("CMO", "Import")
    at.file_uploader[0].upload(HOSTILE_FILE, data, "text/csv").run()
    at.button(key="FormSubmitter:budget_mapping_form-Use this mapping").click().run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"{as_text(HOSTILE_FILE)}: Dec 2026 to Dec 2026") for c in captions), (
        captions
    )
    assert f"Ignored columns: {as_text(HOSTILE_HEADER)}." in captions
    assert [i.value for i in at.info] == [f"New channels: {as_text(HOSTILE_CHANNEL)}."]
    shown = " ".join([*captions, *(i.value for i in at.info)])
    assert "](http" not in shown and "**stars**" not in shown and "<b>" not in shown


def test_a_refusal_and_the_mapping_form_show_the_file_name_as_typed(budget_page):
    at = budget_page("CMO", "Import")
    at.file_uploader[0].upload(HOSTILE_FILE, b"", "text/csv").run()
    assert [e.value for e in at.error] == [as_text(f"{HOSTILE_FILE} is empty.")]
    other = b"Month,Channel,Cost\n2026-12,Radio,5\n"
    at.file_uploader[0].upload(HOSTILE_FILE, other, "text/csv").run()
    assert not at.exception
    assert at.warning[0].value.startswith(f"The columns of {as_text(HOSTILE_FILE)} are not")
    assert any(
        m.value == f"Which column of **{as_text(HOSTILE_FILE)}** holds each figure?"
        for m in at.markdown
    )


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_landing_counts_actuals_to_date_and_the_plan_until_the_cmo_forecasts(
    budget_page, demo_url
):
    engine = sa.create_engine(demo_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM forecast_lines"))
    engine.dispose()
    cfo = budget_page("CFO", "Forecast and landing")
    assert not cfo.exception and not cfo.error
    expected = expected_landing_cents(demo_url)
    assert _metric(cfo, "Landing") == fmt.money(expected / 100, "USD")
    assert any("No forecast yet" in i.value and "The CMO forecasts" in i.value for i in cfo.info)
    assert not any(f.label == "From" for f in cfo.radio)

    cmo = budget_page("CMO", "Forecast and landing")
    cmo.radio(key="forecast_basis").set_value(ForecastBasis.RUN_RATE)
    cmo.button(key="FormSubmitter:forecast_start-Start the forecast").click().run()
    assert not cmo.exception
    assert any("Forecast started." in s.value for s in cmo.success)
    lines = query(demo_url, "SELECT count(*), min(spend_from) FROM forecast_lines")
    assert lines[0][0] > 0 and lines[0][1] == "run rate"
    assert len(cmo.data_editor) == 1
    assert len(cmo.data_editor[0].value) == lines[0][0]


def test_the_cmo_types_a_forecast_figure_in_the_grid(budget_page, demo_url):
    cmo = budget_page("CMO", "Forecast and landing")
    cmo.button(key="FormSubmitter:forecast_start-Start the forecast").click().run()
    shown = cmo.data_editor[0].value
    (line_id, month) = shown.iloc[0]["id"], shown.iloc[0]["month"]
    key = cmo.data_editor[0].key
    cmo.session_state[key] = {
        "edited_rows": {0: {"spend": 4321}},
        "added_rows": [],
        "deleted_rows": [],
    }
    cmo.button(key="forecast_save").click().run()
    assert not cmo.exception
    assert any("Saved the forecast: 1 figure(s) on 1 line(s)." in s.value for s in cmo.success)
    assert query(
        demo_url,
        "SELECT spend, spend_from, month FROM forecast_lines WHERE id = :i",
        i=int(line_id),
    ) == [(432100, "typed", month)]


def test_the_cmo_imports_a_forecast_file_and_a_bad_one_imports_nothing(budget_page, demo_url):
    before = query(demo_url, "SELECT count(*) FROM forecast_lines")[0][0]
    cmo = budget_page("CMO", "Forecast and landing")
    bad = b"month,channel,spend\n2026-12,Podcasts,5000\n2026-10,Podcasts,5000\n"
    cmo.file_uploader(key="forecast_upload_0").upload("bad.csv", bad, "text/csv").run()
    assert not cmo.exception
    assert any(as_text("1 problem(s) in bad.csv") in e.value for e in cmo.error)
    assert any(as_text("Row 3, column 'month': '2026-10' is over") in e.value for e in cmo.error)
    assert not any(b.key == "forecast_confirm" for b in cmo.button)
    assert query(demo_url, "SELECT count(*) FROM forecast_lines")[0][0] == before

    good = b"month,channel,spend\n2026-12,Podcasts,5000\n"
    cmo.file_uploader(key="forecast_upload_0").upload("good.csv", good, "text/csv").run()
    assert any("New channels: Podcasts." in i.value for i in cmo.info)
    cmo.button(key="forecast_confirm").click().run()
    assert not cmo.exception
    imported = f"Imported 1 forecast line(s) from {as_text('good.csv')}."
    assert any(imported in s.value for s in cmo.success)
    assert query(
        demo_url,
        "SELECT f.month, f.spend, f.spend_from FROM forecast_lines f JOIN channels c "
        "ON c.id = f.channel_id WHERE c.name = 'Podcasts'",
    ) == [("2026-12", 500000, "imported")]


def test_the_cmo_commits_a_purchase_order_above_the_plan_only_with_a_reason(budget_page, demo_url):
    month = current_month()
    cmo = budget_page("CMO", "Committed spend")
    assert not cmo.exception and not cmo.error
    assert any(as_text("PO-4471") in t.value.to_string() for t in cmo.table)
    for key, value in {
        "po_number": "PO-9001",
        "po_vendor": "Webinar Works",
        "po_amount": "1000000",
        "po_channel": "Webinars",
        "po_first": month,
    }.items():
        cmo.text_input(key=key).set_value(value)
    cmo.button(key="FormSubmitter:commitment_form-Commit").click().run()
    assert any(as_text("Give a reason to commit it all the same") in e.value for e in cmo.error)
    assert query(demo_url, "SELECT count(*) FROM commitments WHERE po_number = 'PO-9001'") == [(0,)]
    cmo.text_input(key="po_reason").set_value("Annual webinar platform, paid up front")
    cmo.button(key="FormSubmitter:commitment_form-Commit").click().run()
    assert not cmo.exception
    assert any("Committed " + as_text("PO-9001") in s.value for s in cmo.success)
    assert query(
        demo_url, "SELECT amount, over_plan_reason FROM commitments WHERE po_number = 'PO-9001'"
    ) == [(100_000_000, "Annual webinar platform, paid up front")]
    cfo = budget_page("CFO", "Committed spend")
    assert not any(b.label == "Commit" for b in cfo.button)
