"""The command line as a user runs it: ``python -m alignment``, the store from the
environment. Most commands run in this process through ``cli.main`` (a real process costs
about 1.5 s of imports per command, which made this the slowest file of the suite); the
help, the first run (migrate, load-sample, metrics) and tests/cli/test_crash.py start real
processes, so the entry point itself is covered too."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import redirect_stderr
from contextlib import redirect_stdout
from pathlib import Path

import alembic.command
import openpyxl
import pytest
import sqlalchemy as sa

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.edges import cli
from alignment.edges import store as store_module
from alignment.edges.store import open_store
from alignment.shared.periods import current_month
from alignment.shared.periods import parse_period
from alignment.spend.overview import headline_figures
from db import migrate
from db.models import Request

ROOT = Path(__file__).resolve().parents[2]


def run_process(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAMEPAGE_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "alignment", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextmanager
def _as_a_command(url: str, stdin: str) -> Iterator[None]:
    """What a process would have: the store's URL in the environment, its own standard
    input, and every store it opened closed when it ends."""
    opened: list[store_module.Store] = []
    original = store_module.Store.__init__

    def recording(self: store_module.Store, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        opened.append(self)

    before = os.environ.get("SAMEPAGE_DATABASE_URL")
    os.environ["SAMEPAGE_DATABASE_URL"] = url
    store_module.Store.__init__ = recording  # type: ignore[method-assign]
    stdin_before, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        yield
    finally:
        sys.stdin = stdin_before
        store_module.Store.__init__ = original  # type: ignore[method-assign]
        for opened_store in opened:
            opened_store.close()
        if before is None:
            os.environ.pop("SAMEPAGE_DATABASE_URL", None)
        else:
            os.environ["SAMEPAGE_DATABASE_URL"] = before


def run(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m alignment ARGS`` with the store at ``url``, run through ``cli.main``: its
    exit code, and what it printed to standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    with _as_a_command(url, stdin), redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


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
    """A newcomer's first three commands, each in a real process."""
    assert run_process(store_url, "migrate").returncode == 0
    loaded = run_process(store_url, "load-sample")
    assert loaded.returncode == 0, loaded.stderr
    assert "Kestrel Analytics" in loaded.stdout
    month = current_month()
    result = run_process(store_url, "metrics", "--period", month, "--json")
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


def test_migrate_says_whether_it_created_upgraded_or_left_the_store(tmp_path):
    """On a brand-new file ``migrate`` said "is up to date" instead of that it created it."""
    versions = sorted((ROOT / "db" / "migrations" / "versions").glob("0*.py"))
    head, before = versions[-1].name[:4], versions[-2].name[:4]
    url = f"sqlite:///{tmp_path / 'new.db'}"
    created = run(url, "migrate")
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("Created the store at sqlite:///")
    assert created.stdout.rstrip().endswith(f"(schema {head}).")
    again = run(url, "migrate")
    assert f"is up to date (schema {head})." in again.stdout
    engine = sa.create_engine(url)
    config = migrate.alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        alembic.command.downgrade(config, before)
    engine.dispose()
    upgraded = run(url, "migrate")
    assert f"from schema {before} to {head}." in upgraded.stdout, upgraded.stderr


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


HEADER = (
    "month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
    "attributed_revenue,new_customers\n"
)


def count_lines(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(sa.text("SELECT count(*) FROM budget_lines")).scalar()
    engine.dispose()
    return value


def test_import_dry_run_then_import_then_again(store_url, tmp_path):
    assert run(store_url, "load-sample").returncode == 0
    before = count_lines(store_url)
    path = tmp_path / "figures.csv"
    path.write_text(HEADER + "2026-12,Podcasts,Pilot,1000,900,5000,2000,1\n")
    dry = run(store_url, "import", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 new, 0 changed" in dry.stdout and "Dry run" in dry.stdout
    assert count_lines(store_url) == before
    done = run(store_url, "import", str(path))
    assert done.returncode == 0 and "Imported: 1 new" in done.stdout
    assert "acting as Priya Raman (CMO)" in done.stdout
    assert count_lines(store_url) == before + 1
    again = run(store_url, "import", str(path))
    assert again.returncode == 0 and "Nothing to import" in again.stdout


def test_import_with_a_bad_cell_names_it_and_writes_nothing(store_url, tmp_path):
    assert run(store_url, "load-sample").returncode == 0
    before = count_lines(store_url)
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "2026-12,Podcasts,,1000,900,5000,2000,1\n2026-13,TV,,1,x,1,1,1\n")
    result = run(store_url, "import", str(path))
    assert result.returncode == 2
    assert "Row 3, column 'month': '2026-13' has no such month" in result.stdout
    assert "Row 3, column 'actual_spend': 'x' is not an amount" in result.stdout
    assert result.stderr.strip().count("\n") == 0 and "Nothing was imported" in result.stderr
    assert count_lines(store_url) == before


def test_import_maps_other_headers_once_and_remembers(store_url, tmp_path):
    assert run(store_url, "migrate").returncode == 0
    run(store_url, "load-sample")
    first = tmp_path / "agency-2026-11.csv"
    first.write_text("Period;Medium;Cost\n2026-12;Radio;1.234,50\n", encoding="cp1252")
    refused = run(store_url, "import", str(first))
    assert refused.returncode == 2 and "--map month='Period'" in refused.stderr
    mapped = run(
        store_url,
        "import",
        str(first),
        "--map",
        "month=Period",
        "--map",
        "channel=Medium",
        "--map",
        "actual_spend=Cost",
    )
    assert mapped.returncode == 0, mapped.stderr
    second = tmp_path / "agency-2026-12.csv"
    second.write_text("Period;Medium;Cost\n2027-01;Radio;99\n", encoding="cp1252")
    remembered = run(store_url, "import", str(second))
    assert remembered.returncode == 0, remembered.stderr
    assert "1 new" in remembered.stdout


def test_import_refuses_a_missing_file_and_a_wrong_sheet(store_url, tmp_path):
    run(store_url, "load-sample")
    missing = run(store_url, "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "There is no file" in missing.stderr
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + "2026-12,Podcasts,,1,1,1,1,1\n")
    sheet = run(store_url, "import", str(path), "--sheet", "Budget")
    assert sheet.returncode == 2 and "no sheets" in sheet.stderr


def test_export_csv_and_xlsx_with_neutralised_text(store_url, tmp_path):
    run(store_url, "load-sample")
    path = tmp_path / "evil.csv"
    path.write_text(
        HEADER + '2026-12,Podcasts,"=1+2",1,1,1,1,1\n2026-12,Radio,@SUM(A1),1,1,1,1,1\n'
    )
    assert run(store_url, "import", str(path)).returncode == 0
    out = tmp_path / "out.csv"
    result = run(store_url, "export", str(out), "--period", "2026-12")
    assert result.returncode == 0 and "Wrote 2 budget lines" in result.stdout
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1+2" in text and "'@SUM(A1)" in text
    xlsx = tmp_path / "out.xlsx"
    assert run(store_url, "export", str(xlsx), "--channel", "Podcasts").returncode == 0
    book = openpyxl.load_workbook(xlsx)
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "'=1+2" in cells and not any(isinstance(c, str) and c.startswith("=") for c in cells)
    reimport = run(store_url, "import", str(out))
    assert reimport.returncode == 0 and "0 new" in reimport.stdout


def test_export_refuses_what_it_cannot_write(store_url, tmp_path):
    run(store_url, "load-sample")
    wrong = run(store_url, "export", str(tmp_path / "out.pdf"))
    assert wrong.returncode == 2 and ".csv or .xlsx" in wrong.stderr
    nowhere = run(store_url, "export", str(tmp_path / "missing" / "out.csv"))
    assert nowhere.returncode == 2 and "no folder" in nowhere.stderr


def test_definitions_json_lists_versions_and_flags_tampering(store_url):
    assert run(store_url, "load-sample").returncode == 0
    clean = json.loads(run(store_url, "definitions", "--json").stdout)
    assert len(clean) == 3
    assert {r["state"] for r in clean} == {"signed_off", "proposed"}
    keys = {
        "version",
        "state",
        "in_force",
        "signed_by",
        "signed_at",
        "content_hash",
        "changed_since_signoff",
    }
    assert all(keys <= set(r) for r in clean)
    assert not any(r["changed_since_signoff"] for r in clean)
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE success_definition_versions SET target = 0.1 WHERE metric = 'romi'")
        )
    engine.dispose()
    tampered = json.loads(run(store_url, "definitions", "--json").stdout)
    flagged = [r for r in tampered if r["changed_since_signoff"]]
    assert len(flagged) == 1 and flagged[0]["metric"] == "romi"
    text = run(store_url, "definitions").stdout
    assert "CHANGED SINCE SIGN-OFF" in text


def test_pack_writes_a_pdf_and_an_xlsx(store_url, tmp_path):
    run(store_url, "load-sample")
    result = run(store_url, "pack", "--month", "2026-10", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "samepage-review-2026-10.pdf").read_bytes().startswith(b"%PDF")
    book = openpyxl.load_workbook(tmp_path / "samepage-review-2026-10.xlsx")
    assert "Headline figures" in book.sheetnames
    empty = run(store_url, "pack", "--month", "2020-01", "--out", str(tmp_path))
    assert empty.returncode == 0 and "the pack says so" in empty.stdout
    bad = run(store_url, "pack", "--month", "2026-13", "--out", str(tmp_path))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    nowhere = run(store_url, "pack", "--month", "2026-10", "--out", str(tmp_path / "nope"))
    assert nowhere.returncode == 2 and "no folder" in nowhere.stderr


def test_backup_and_restore_from_the_command_line(store_url, tmp_path):
    assert run(store_url, "load-sample").returncode == 0
    backed = run(store_url, "backup", str(tmp_path / "nightly.samepage"))
    assert backed.returncode == 0, backed.stderr
    assert "rows into" in backed.stdout
    refused = run(store_url, "restore", str(tmp_path / "nightly.samepage"))
    assert refused.returncode == 2
    assert refused.stderr.startswith("samepage: The store already holds data")
    restored = run(store_url, "restore", str(tmp_path / "nightly.samepage"), "--replace")
    assert restored.returncode == 0, restored.stderr
    verified = run(store_url, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_users_add_and_list_from_the_command_line(store_url):
    password = "a long enough password"
    added = run(
        store_url,
        "users",
        "add",
        "--email",
        "CFO@Example.com",
        "--role",
        "CFO",
        "--name",
        "Dana Fischer",
        stdin=password + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Added cfo@example.com as CFO."
    sso = run(
        store_url, "users", "add", "--email", "board@example.com", "--role", "viewer", "--sso-only"
    )
    assert sso.returncode == 0, sso.stderr
    short = run(
        store_url, "users", "add", "--email", "x@example.com", "--role", "CMO", stdin="short\n"
    )
    assert (short.returncode, "at least 12 characters" in short.stderr) == (2, True)
    again = run(
        store_url,
        "users",
        "add",
        "--email",
        "cfo@example.com",
        "--role",
        "CEO",
        stdin=password + "\n",
    )
    assert (again.returncode, "already is an account" in again.stderr) == (2, True)
    listed = run(store_url, "users", "list").stdout.splitlines()
    assert len(listed) == 2
    assert any(
        "cfo@example.com" in line and "Dana Fischer" in line and "password" in line
        for line in listed
    )
    assert any("board@example.com" in line and "single sign-on only" in line for line in listed)
    store = open_store(store_url)
    with store.session() as session:
        assert accounts.log_in(session, "cfo@example.com", password).role == "CFO"
    store.close()


def test_next_dollar_prints_curves_and_a_proposal_and_refuses_bad_budgets(store_url):
    assert run(store_url, "migrate").returncode == 0
    empty = run(store_url, "next-dollar")
    assert empty.returncode == 2
    assert (
        empty.stderr.strip()
        .splitlines()[-1]
        .startswith("samepage: The store holds no actual spend")
    )
    assert run(store_url, "load-sample").returncode == 0
    requests_before = count_requests(store_url)
    result = run(store_url, "next-dollar", "--budget", "600000", "--bounds", "Webinars=0:40000")
    assert result.returncode == 0, result.stderr
    assert "correlation, not an experiment" in result.stdout
    assert "Paid search" in result.stdout and "Proposal for $600,000 a month" in result.stdout
    assert "Nothing was changed" in result.stdout
    for args, message in [
        (("--budget", "0"), "A budget of $0 cannot be split"),
        (("--budget", "lots"), "The budget 'lots' is not an amount"),
        (("--bounds", "Webinars=9"), "is not CHANNEL=LOW:HIGH"),
        (("--bounds", "Organic=0:10"), "Organic has no response curve"),
        (("--outcome", "profit"), "'profit' is not an outcome"),
    ]:
        refused = run(store_url, "next-dollar", *args)
        assert refused.returncode == 2, args
        assert message in refused.stderr.strip().splitlines()[-1], refused.stderr
    assert count_requests(store_url) == requests_before


def count_requests(url: str) -> int:
    store = open_store(url)
    with store.session() as session:
        value = session.scalar(sa.select(sa.func.count()).select_from(Request))
    store.close()
    return value


def test_company_names_the_store_and_refuses_an_empty_name(store_url):
    named = run(store_url, "company", "--name", "  Acme Robotics ")
    assert named.returncode == 0, named.stderr
    assert named.stdout == "Acme Robotics (USD, gross margin 70%)\n"
    empty = run(store_url, "company", "--name", " ")
    assert (empty.returncode, empty.stderr) == (2, "samepage: Give the company a name.\n")
    assert run(store_url, "company").stdout.startswith("Acme Robotics (")
