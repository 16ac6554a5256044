"""A 1,000,000-row import killed (SIGKILL) halfway leaves the store exactly as it was, on
SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import sqlalchemy as sa

from alignment.access.permissions import COMMAND_LINE
from alignment.access.users import demo_actors
from alignment.company.sample import load_sample
from alignment.edges.store import open_store
from alignment.records import audit
from alignment.trust.checklist import add_item
from db.models import Base
from db.models import ChecklistItem
from tests.cli.test_cli import ROOT
from tests.conftest import DEMO_TODAY

ROWS = 1_000_000
CHANNELS = ["Paid search", "LinkedIn ads", "Events", "Content & SEO"]
HEADER = (
    "month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
    "attributed_revenue,new_customers\n"
)


def write_plan(path, rows: int) -> None:  # type: ignore[no-untyped-def]
    """Next decade's plan: ``rows`` lines in months no demo line or reconciliation touches."""
    months = [f"{year}-{month:02d}" for year in range(2031, 2041) for month in range(1, 13)]
    per_cell = -(-rows // (len(months) * len(CHANNELS)))
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        made = 0
        for month in months:
            for channel in CHANNELS:
                lines = [
                    f"{month},{channel},Campaign {c},{1000 + c},,,,\n"
                    for c in range(min(per_cell, rows - made))
                ]
                out.writelines(lines)
                made += len(lines)


def snapshot(url: str) -> dict[str, object]:
    """Every table's row count and the budget lines' totals."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            counts: dict[str, object] = {
                t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in Base.metadata.sorted_tables
            }
            counts["budget totals"] = tuple(
                conn.execute(
                    sa.text(
                        "SELECT SUM(planned_budget), SUM(actual_spend), MAX(id) FROM budget_lines"
                    )
                ).one()
            )
    finally:
        engine.dispose()
    return counts


def test_an_import_killed_midway_leaves_the_store_as_it_was(store_url, tmp_path):
    store = open_store(store_url)
    with store.session() as session:
        load_sample(session, COMMAND_LINE, today=DEMO_TODAY)
    store.close()
    plan = tmp_path / "plan.csv"
    write_plan(plan, ROWS)
    before = snapshot(store_url)

    written, output = 0, ""
    with subprocess.Popen(
        [sys.executable, "-m", "alignment", "import", str(plan)],
        cwd=ROOT,
        env={**os.environ, "SAMEPAGE_DATABASE_URL": store_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        for line in process.stderr:
            output += line
            match = re.search(r"Imported ([\d,]+) of ([\d,]+) lines", line)
            if match:
                written = int(match.group(1).replace(",", ""))
                assert int(match.group(2).replace(",", "")) == ROWS
                if written >= ROWS // 4:
                    os.kill(process.pid, signal.SIGKILL)
                    break
        process.kill()
        process.wait(timeout=60)
        output += process.stdout.read()
    assert process.returncode == -signal.SIGKILL, output
    assert ROWS // 4 <= written < ROWS, "the import was not killed midway"

    if store_url.startswith("sqlite"):
        engine = sa.create_engine(store_url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        engine.dispose()
    assert snapshot(store_url) == before
    store = open_store(store_url)
    with store.session() as session:
        assert audit.verify(session, COMMAND_LINE).intact
        ceo = next(a for a in demo_actors(session) if a.role == "CEO")
        written = add_item(session, ceo, "The store still takes writes after a crash.")
    with store.session() as session:
        assert session.get(ChecklistItem, written).text == (
            "The store still takes writes after a crash."
        )
        assert audit.verify(session, COMMAND_LINE).intact
    store.close()
