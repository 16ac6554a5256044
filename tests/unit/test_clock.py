"""The one clock: set from the environment or in a test, running on from where it was set."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alignment.shared import clock
from alignment.shared.errors import ValidationFailed

ROOT = Path(__file__).resolve().parents[2]


def test_the_suite_runs_on_the_pinned_demo_day():
    assert os.environ[clock.ENVIRONMENT] == "2026-11-23"
    assert clock.today() == dt.date(2026, 11, 23)


def test_a_bare_date_is_noon_utc_so_every_time_zone_has_the_same_day():
    assert clock.parse_instant("2028-02-29") == dt.datetime(2028, 2, 29, 12, tzinfo=dt.UTC)
    assert clock.parse_instant("2026-12-31T23:59:30+01:00") == dt.datetime(
        2026, 12, 31, 22, 59, 30, tzinfo=dt.UTC
    )
    assert clock.parse_instant("2027-01-01T00:00:05") == dt.datetime(
        2027, 1, 1, 0, 0, 5, tzinfo=dt.UTC
    )


@pytest.mark.parametrize("text", ["tomorrow", "2026-13-01", "2026-02-30", "23/11/2026"])
def test_a_date_that_is_not_one_is_refused_with_the_way_to_write_it(text):
    refusal = r"SAMEPAGE_NOW=.* is not a date: write it as 2026-11-23"
    with pytest.raises(ValidationFailed, match=refusal):
        clock.parse_instant(text)


def test_the_clock_runs_on_from_where_it_was_pinned():
    with clock.pinned(dt.datetime(2026, 12, 31, 23, 59, 59, 900_000, tzinfo=dt.UTC)):
        first = clock.now()
        time.sleep(0.15)
        later = clock.now()
    assert dt.timedelta(seconds=0.1) < later - first < dt.timedelta(seconds=5)
    assert first.year == 2026 and later.year == 2027


def test_the_store_keeps_utc_without_a_zone_and_the_audit_whole_seconds():
    with clock.pinned(dt.datetime(2027, 3, 1, 8, 30, 15, 250_000, tzinfo=dt.UTC)):
        assert clock.utc_now().tzinfo is None
        assert clock.utc_now().replace(microsecond=0) == dt.datetime(2027, 3, 1, 8, 30, 15)
        assert clock.utc_second() == dt.datetime(2027, 3, 1, 8, 30, 15)


def test_pinning_ends_with_the_block_and_nests():
    with clock.pinned(dt.date(2030, 6, 1)):
        with clock.pinned("2031-01-15"):
            assert clock.today() == dt.date(2031, 1, 15)
        assert clock.today() == dt.date(2030, 6, 1)
    assert clock.today() == dt.date(2026, 11, 23)


def test_a_process_started_with_the_setting_agrees_on_the_day():
    code = (
        "from alignment.shared import clock, periods; print(clock.today(), periods.current_month())"
    )
    env = {**os.environ, clock.ENVIRONMENT: "2028-02-29"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["2028-02-29", "2028-02"]


def test_without_the_setting_the_clock_is_the_system_clock(monkeypatch):
    monkeypatch.delenv(clock.ENVIRONMENT)
    system = dt.datetime.now(dt.UTC)
    assert abs(clock.now() - system) < dt.timedelta(seconds=5)


def test_a_wrong_setting_stops_the_command_line_with_one_sentence(tmp_path):
    env = {
        **os.environ,
        clock.ENVIRONMENT: "next tuesday",
        "SAMEPAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "alignment", "load-sample"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "samepage: SAMEPAGE_NOW='next tuesday' is not a date: write it as 2026-11-23 "
        "or 2026-11-23T09:30:00+00:00.\n"
    )
