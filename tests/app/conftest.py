"""AppTest fixtures: the real app.py on a SQLite store holding the demo company."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from alignment.permissions import COMMAND_LINE
from alignment.sample import load_sample
from alignment.store import open_store
from tests.conftest import DEMO_TODAY

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_url(tmp_path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    store = open_store(url)
    with store.session() as session:
        load_sample(session, COMMAND_LINE, today=DEMO_TODAY)
    store.close()
    yield url


@pytest.fixture
def app(demo_url, monkeypatch) -> AppTest:
    """The app as a fresh browser session would start it, on the demo store."""
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)
    monkeypatch.delenv("SAMEPAGE_DEMO", raising=False)
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
