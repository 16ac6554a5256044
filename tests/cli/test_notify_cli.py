"""``python -m alignment notify [--dry-run] [--json]`` on the demo company."""

from __future__ import annotations

import json

import sqlalchemy as sa

from db.models import Notice
from tests.cli.test_cli import run


def _count(store) -> int:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(Notice)))


def test_a_dry_run_prints_what_it_would_send_and_writes_nothing(demo_store, monkeypatch):
    monkeypatch.delenv("SAMEPAGE_SMTP_HOST", raising=False)
    url = demo_store.url
    result = run(url, "notify", "--dry-run", "--date", "2026-12-05")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Dry run for 2026-12-05, nothing written:")
    assert "would queue: email to daniel.okafor@kestrel.example: Before the review" in result.stdout
    assert "Note: E-mail is not set up" in result.stdout
    assert _count(demo_store) == 0


def test_notify_queues_once_and_prints_json(demo_store, monkeypatch):
    monkeypatch.delenv("SAMEPAGE_SMTP_HOST", raising=False)
    url = demo_store.url
    first = json.loads(run(url, "notify", "--json", "--date", "2026-12-05").stdout)
    assert first["queued"] and first["sent"] == [] and first["dry_run"] is False
    queued = _count(demo_store)
    assert queued == len(first["queued"]) + len(first["not_deliverable"])
    second = json.loads(run(url, "notify", "--json", "--date", "2026-12-05").stdout)
    assert second["queued"] == [] and _count(demo_store) == queued


def test_a_bad_date_is_one_sentence(demo_store):
    result = run(demo_store.url, "notify", "--date", "5 Dec")
    assert result.returncode == 2
    assert result.stderr.strip() == "samepage: '5 Dec' is not a day; write it as 2026-12-05."
