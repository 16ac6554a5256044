"""``python -m alignment`` as a user runs it: a real process, the store from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from alignment.overview import headline_figures
from alignment.periods import current_month
from alignment.periods import parse_period
from alignment.permissions import COMMAND_LINE
from alignment.store import open_store

ROOT = Path(__file__).resolve().parents[2]


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAMEPAGE_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "alignment", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "alignment", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("migrate", "load-sample", "metrics"):
        assert command in result.stdout


def test_migrate_load_sample_and_metrics_json(store_url):
    assert run(store_url, "migrate").returncode == 0
    loaded = run(store_url, "load-sample")
    assert loaded.returncode == 0, loaded.stderr
    assert "Kestrel Analytics" in loaded.stdout
    month = current_month()
    result = run(store_url, "metrics", "--period", month, "--json")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    store = open_store(store_url)
    with store.session() as session:
        expected = headline_figures(session, COMMAND_LINE, parse_period(month)).as_json()
    store.close()
    assert printed == expected
    assert printed["budget_lines"] > 0 and printed["roas"] > 0


def test_load_sample_refuses_over_data_and_if_empty_skips(store_url):
    assert run(store_url, "load-sample").returncode == 0
    again = run(store_url, "load-sample")
    assert again.returncode == 2
    assert again.stderr.strip().count("\n") == 0
    assert "--replace" in again.stderr
    skipped = run(store_url, "load-sample", "--if-empty")
    assert skipped.returncode == 0 and "not loaded" in skipped.stdout
    assert run(store_url, "load-sample", "--replace").returncode == 0


@pytest.mark.parametrize("period", ["2026-13", "Q3", "2026-03..2026-01", "last month"])
def test_an_unknown_period_is_one_sentence_and_writes_nothing(tmp_path, period):
    url = f"sqlite:///{tmp_path / 'never.db'}"
    result = run(url, "metrics", "--period", period)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("samepage: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "never.db").exists()


def test_an_unreachable_database_is_one_sentence():
    result = run(
        "postgresql+psycopg://nobody@127.0.0.1:1/x?connect_timeout=2", "metrics", "--period", "2026"
    )
    assert result.returncode == 2
    assert result.stderr.startswith("samepage: Cannot reach the store at")
    assert result.stderr.count("\n") == 1


def test_a_store_newer_than_the_code_is_refused_untouched(store_url):
    assert run(store_url, "migrate").returncode == 0
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    result = run(store_url, "load-sample")
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        lines = conn.execute(sa.text("SELECT count(*) FROM budget_lines")).scalar()
    engine.dispose()
    assert result.returncode == 2
    assert "newer version of SamePage" in result.stderr
    assert (version, lines) == ("from_the_future", 0)
