"""AppTest fixtures: the real app.py on a SQLite store holding the demo company."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.edges.store import open_store
from alignment.shared.periods import current_month
from tests.conftest import copy_demo_into

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
"""The password of every account in the team store."""


@pytest.fixture(autouse=True)
def routed_like_the_server(monkeypatch) -> None:
    """Every run goes through app.py, as under ``ui.server``.

    AppTest re-detects the ``pages/`` folder on each run and then sends a rerun
    straight to the page file last shown, skipping app.py (its log-in gate,
    sidebar and error handling), which the real server never does.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch) -> None:
    """AppTests act through the demo role picker unless a test says otherwise."""
    monkeypatch.setenv("SAMEPAGE_DEMO", "1")


@pytest.fixture
def demo_url(tmp_path, sqlite_demo_template) -> Iterator[str]:
    """A SQLite file holding the demo company (a copy of the loaded template)."""
    copy_demo_into(tmp_path / "app.db", sqlite_demo_template)
    yield f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture
def app(demo_url, monkeypatch) -> AppTest:
    """The app as a fresh browser session would start it, on the demo store."""
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


@pytest.fixture
def team_url(tmp_path, monkeypatch) -> str:
    """A store that is not the demo: one account per role, e-mail <role>@team.example."""
    url = f"sqlite:///{tmp_path / 'team.db'}"
    store = open_store(url)
    with store.session() as session:
        for role in ("CEO", "CFO", "CMO", "viewer", "admin"):
            accounts.add_user(
                session, COMMAND_LINE, f"{role.lower()}@team.example", role, role, PASSWORD
            )
    store.close()
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", url)
    monkeypatch.delenv("SAMEPAGE_DEMO", raising=False)
    return url


@pytest.fixture
def open_page(demo_url, monkeypatch):
    """Open pages/<page>.py through app.py as a demo role, on the demo store."""
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)

    def open_as(page: str, role: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["acting_role"] = role
        at.switch_page(f"pages/{page}.py")
        return at.run()

    return open_as


def query(url: str, sql: str, **params) -> list:
    """Rows straight from the store, to check what a page wrote."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(sql), params).all()
    engine.dispose()
    return rows


def as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as the browser shows it: st.table renders its cells as Markdown, so the app
    sends them escaped (``\\$90,000``) and the reader sees ``$90,000``."""

    def read(value: object) -> object:
        return re.sub(r"\\(.)", r"\1", value) if isinstance(value, str) else value

    shown = frame.map(read)
    shown.columns = [read(name) for name in frame.columns]
    return shown


def expected_landing_cents(url: str) -> int:
    """This calendar year's (the demo's fiscal year) spend in cents, read from the store:
    actuals of the months before this one and of closed months; for the rest, a channel's
    forecast where it has one for the month, else its plan."""
    now = current_month()
    year = (f"{now[:4]}-01", f"{now[:4]}-12")
    closed = {m for (m,) in query(url, "SELECT month FROM reconciliations WHERE reconciled")}
    closed |= {
        m for (m,) in query(url, "SELECT month FROM monthly_reviews WHERE status = 'closed'")
    }
    forecast = {
        (month, channel): spend
        for month, channel, spend in query(
            url,
            "SELECT month, channel_id, sum(spend) FROM forecast_lines "
            "WHERE month BETWEEN :a AND :b GROUP BY month, channel_id",
            a=year[0],
            b=year[1],
        )
    }
    rows = query(
        url,
        "SELECT month, channel_id, sum(actual_spend), sum(planned_budget) FROM budget_lines "
        "WHERE month BETWEEN :a AND :b GROUP BY month, channel_id",
        a=year[0],
        b=year[1],
    )
    total = 0
    for month, channel, actual, planned in rows:
        if month < now or month in closed:
            total += actual or 0
        elif (month, channel) not in forecast:
            total += planned or 0
    return total + sum(
        spend or 0 for (month, _), spend in forecast.items() if month >= now and month not in closed
    )
