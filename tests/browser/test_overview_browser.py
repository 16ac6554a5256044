"""The overview in a real browser: every role sees the same figures, equal to the CLI's."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from alignment.shared import formatting as fmt
from alignment.shared.periods import current_month
from tests.browser.conftest import ROOT
from tests.browser.conftest import choose
from tests.browser.conftest import cli_json
from tests.browser.conftest import screenshot
from tests.browser.conftest import serve
from tests.browser.conftest import wait_for_app
from tests.conftest import POSTGRES_SERVER

pytestmark = pytest.mark.browser

ROLES = {
    "CFO": "Daniel Okafor (CFO)",
    "CMO": "Priya Raman (CMO)",
    "CEO": "Maya Lindqvist (CEO)",
}
"""CEO last: the page opens as the CEO, and picking the option already chosen is no change."""

CHART_INK = """
(chart) => {
  const canvas = chart.querySelector('canvas');
  if (!canvas) { return chart.querySelectorAll('svg path, svg rect').length > 20 ? 1 : 0; }
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) inked++; }
  return inked / (canvas.width * canvas.height);
}
"""


ALL_CHARTS_INKED = f"""
([count, least]) => {{
  const ink = {CHART_INK.strip()};
  const charts = [...document.querySelectorAll("[data-testid='stVegaLiteChart']")];
  return charts.length === count && charts.every((chart) => ink(chart) > least);
}}
"""


def expect_charts_drawn(page: Page, count: int, least: float, timeout: float = 30_000) -> None:
    """Wait, retrying, until the page holds exactly ``count`` charts, each inked over more
    than ``least`` of its canvas; fail naming how many there were and how much ink each had."""
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(count, timeout=timeout)
    try:
        page.wait_for_function(ALL_CHARTS_INKED, arg=[count, least], polling=200, timeout=timeout)
    except PlaywrightTimeoutError:
        inks = [chart.evaluate(CHART_INK) for chart in charts.all()]
        pytest.fail(f"expected {count} charts inked over {least}, found inks {inks}")


def tile_value(page: Page, label: str) -> Locator:
    """The value of the headline tile labelled ``label``."""
    label_is = re.compile(rf"^\s*{re.escape(label)}\s*$")
    tile = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").filter(has_text=label_is)
    )
    return tile.get_by_test_id("stMetricValue")


def expect_tiles(page: Page, expected: dict[str, str]) -> None:
    """Each tile in ``expected`` shows its value, waiting (retrying) for the page to settle."""
    for label, value in expected.items():
        expect(tile_value(page, label), label).to_have_text(value)


def cli_tiles(server) -> dict[str, str]:
    """The CLI's headline figures for this month, formatted as the overview's tiles format
    them (millions as $4.73M)."""
    f = cli_json(server, "metrics", "--period", current_month())
    cur = f["currency"]
    return {
        "Planned budget": fmt.money_short(f["planned_budget"], cur),
        "Actual spend": fmt.money_short(f["actual_spend"], cur),
        "Spend variance": fmt.money_short(f["spend_variance"], cur),
        "ROAS": fmt.multiple(f["roas"]),
        "ROMI (attributed)": fmt.percent(f["romi_attributed"]),
        "Attributed pipeline": fmt.money_short(f["attributed_pipeline"], cur),
        "Marketing CAC": fmt.money_short(f["marketing_cac"], cur),
        "New customers": fmt.count(f["new_customers"]),
    }


def open_overview(page: Page, server) -> None:
    page.goto(server.url)
    wait_for_app(page)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2, timeout=30_000)
    wait_for_app(page)


def act_as(page: Page, label: str) -> None:
    picker = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Acting as")
    choose(page, picker, label)
    wait_for_app(page)
    assert picker.input_value() == label


def test_every_role_sees_the_same_figures_as_the_cli(page: Page, server):
    expected = cli_tiles(server)
    open_overview(page, server)
    for role, label in ROLES.items():
        act_as(page, label)
        expect_tiles(page, expected)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect_charts_drawn(page, count=2, least=0.01)
        screenshot(page, f"overview-{role}")


def test_quarter_to_date_matches_the_cli_range(page: Page, server):
    open_overview(page, server)
    page.get_by_test_id("stButtonGroup").get_by_text("Quarter to date").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stCaptionContainer").first).to_contain_text("to date")
    spend = cli_json(server, "metrics", "--period", _qtd_code())["actual_spend"]
    expect(tile_value(page, "Actual spend")).to_have_text(fmt.money_short(spend, "USD"))
    screenshot(page, "overview-quarter-to-date")


def _qtd_code() -> str:
    from alignment.shared.periods import quarter_to_date

    return quarter_to_date(current_month()).code


def import_elsewhere(server, folder) -> None:
    """Import a Podcasts line for this month from the command line: a process other than
    the app's, as another replica would write."""
    upload = folder / "podcasts.csv"
    upload.write_text(
        "month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
        f"attributed_revenue,new_customers\n{current_month()},Podcasts,,1000000,2500000,0,0,0\n"
    )
    imported = subprocess.run(
        [sys.executable, "-m", "alignment", "import", str(upload)],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0, imported.stderr


def next_click_on_overview(page: Page) -> None:
    """Leave the overview and come back to it: the next click, not a reload."""
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_text("Audit trail", exact=True).click()
    wait_for_app(page)
    nav.get_by_text("Overview", exact=True).click()
    wait_for_app(page)


def test_a_write_from_another_process_shows_on_the_next_click(page: Page, server, tmp_path):
    """Issue 17: the app keeps the overview per data version. A change made elsewhere (the
    command line here, another replica in production) shows on the next click, never a
    kept figure."""
    open_overview(page, server)
    before = cli_tiles(server)
    expect_tiles(page, before)
    import_elsewhere(server, tmp_path)
    after = cli_tiles(server)
    assert after["Actual spend"] != before["Actual spend"]
    next_click_on_overview(page)
    expect_tiles(page, after)
    screenshot(page, "overview-after-a-write-elsewhere")


@pytest.fixture
def postgres_demo_url(postgres_demo_template: str) -> Iterator[str]:
    """A PostgreSQL database of its own holding the demo company, made from the template."""
    name = f"samepage_replicas_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_demo_template}"'))
    try:
        yield (
            sa.engine.make_url(POSTGRES_SERVER)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_two_replicas_on_one_postgresql_show_a_write_on_the_next_click(
    browser: Browser, postgres_demo_url: str, tmp_path
):
    """Issue 17: two app processes on one PostgreSQL database, as a deployment with
    replicas runs, each keeping the overview it has drawn. A write made elsewhere (the
    command line, a third process) shows in both on the next click, never a kept figure."""
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    with (
        serve(postgres_demo_url, tmp_path / "first", demo=True) as first,
        serve(postgres_demo_url, tmp_path / "second", demo=True) as second,
    ):
        pages = [browser.new_page(viewport={"width": 1440, "height": 1000}) for _ in range(2)]
        for page, replica in zip(pages, (first, second), strict=True):
            open_overview(page, replica)
        before = cli_tiles(first)
        for page in pages:
            expect_tiles(page, before)
        import_elsewhere(first, tmp_path)
        after = cli_tiles(second)
        assert after["Actual spend"] != before["Actual spend"]
        for number, page in enumerate(pages, start=1):
            next_click_on_overview(page)
            expect_tiles(page, after)
            screenshot(page, f"overview-replica-{number}-after-a-write")
            page.close()
