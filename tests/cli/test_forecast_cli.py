"""``forecast start|export`` and ``landing`` on the team store of tests/db/test_forecast.py
(fiscal year April 2019 to March 2020, today 15 June 2019); the figures are worked out by
hand there."""

from __future__ import annotations

import csv
import io
import json

import pytest

from alignment.shared import clock
from tests.cli.test_cli import run
from tests.db.test_forecast import REST
from tests.db.test_forecast import TODAY
from tests.db.test_forecast import team  # noqa: F401  (the fixture)


@pytest.fixture
def pinned():  # type: ignore[no-untyped-def]
    with clock.pinned(TODAY):
        yield


def test_a_run_rate_forecast_and_where_the_year_lands(store_url, team, pinned):  # noqa: F811
    started = run(store_url, "forecast", "start", "--from", "run-rate", "--months", "3")
    assert started.returncode == 0, started.stderr
    assert (
        started.stdout.strip() == "Forecast started from the run rate: 20 lines over 10 month(s)."
    )
    printed = json.loads(run(store_url, "landing", "--year", "2019", "--json").stdout)
    assert (printed["period"], printed["forecast_months"]) == ("2019-04..2020-03", REST)
    events = next(c for c in printed["channels"] if c["channel"] == "Events")
    assert (events["landing"], events["plan"], events["gap_to_plan"]) == (43333.3, 30000.0, 13333.3)
    assert printed["total"]["landing"] == 164333.3
    text = run(store_url, "landing").stdout
    assert "Fiscal year Apr 2019 – Mar 2020: actuals for 2 month(s), forecast for 10." in text
    assert "+44.4%" in next(line for line in text.splitlines() if line.startswith("Events"))


def test_the_forecast_exports_as_the_grid_shows_it(store_url, team, pinned, tmp_path):  # noqa: F811
    run(store_url, "forecast", "start", "--from", "plan")
    out = tmp_path / "forecast.csv"
    result = run(store_url, "forecast", "export", str(out))
    assert result.returncode == 0 and "14 forecast lines" in result.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    june_search = next(r for r in rows if (r["month"], r["channel"]) == ("2019-06", "Search"))
    assert (june_search["spend"], june_search["revenue"], june_search["spend_from"]) == (
        "12000.00",
        "24000.00",
        "plan",
    )


def test_only_the_cmo_forecasts_in_one_sentence(store_url, team, pinned):  # noqa: F811
    refused = run(store_url, "forecast", "start", "--from", "plan", "--as", "omar@hollis.example")
    assert refused.returncode == 2
    assert refused.stderr.startswith("samepage: ") and refused.stderr.count("\n") == 1
    assert "Traceback" not in refused.stderr
    assert run(store_url, "forecast", "export", "nowhere/forecast.txt").returncode == 2


def test_a_forecast_file_is_checked_then_imported_all_or_nothing(
    store_url,
    team,  # noqa: F811
    pinned,
    tmp_path,
):
    good = tmp_path / "forecast.csv"
    good.write_text("month,channel,spend\n2019-07,Search,9000\n2019-08,Search,9500\n")
    dry = run(store_url, "forecast", "import", str(good), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == (
        "Dry run, nothing written: 2 forecast lines for July 2019 to August 2019 in forecast.csv."
    )
    exported = run(store_url, "forecast", "export", str(tmp_path / "after-dry-run.csv"))
    assert exported.stdout.startswith("Wrote 0 forecast lines")
    bad = tmp_path / "bad.csv"
    bad.write_text("month,channel,spend\n2019-07,Search,9000\n2019-05,Search,1\n")
    refused = run(store_url, "forecast", "import", str(bad))
    assert refused.returncode == 2
    assert "Row 3, column 'month': '2019-05' is over" in refused.stdout
    assert refused.stderr.startswith("samepage: Nothing was imported: 1 problem(s) in bad.csv")
    assert refused.stderr.count("\n") == 1
    assert run(store_url, "forecast", "import", str(good)).stdout.strip() == (
        "Imported 2 forecast line(s) from forecast.csv."
    )
    printed = json.loads(run(store_url, "landing", "--json").stdout)
    search = next(c for c in printed["channels"] if c["channel"] == "Search")
    # 21,000 to date + 9,000 + 9,500 forecast + the plan for June and September to March
    assert search["landing"] == 21000 + 9000 + 9500 + 8 * 12000


def test_a_planners_export_is_mapped_on_the_command_line(store_url, team, pinned, tmp_path):  # noqa: F811
    planner = tmp_path / "planner-2019-06.csv"
    planner.write_bytes(b"Period;Medium;Forecast spend\nJul 2019;Events;7.000\n")
    unmapped = run(store_url, "forecast", "import", str(planner))
    assert unmapped.returncode == 2
    assert "--map spend='Forecast spend'" in unmapped.stderr
    mapped = run(
        store_url,
        "forecast",
        "import",
        str(planner),
        "--map",
        "month=Period",
        "--map",
        "channel=Medium",
        "--map",
        "spend=Forecast spend",
    )
    assert mapped.returncode == 0, mapped.stderr
    assert mapped.stdout.strip() == "Imported 1 forecast line(s) from planner-2019-06.csv."
    planner.rename(tmp_path / "planner-2019-07.csv")
    again = run(store_url, "forecast", "import", str(tmp_path / "planner-2019-07.csv"), "--dry-run")
    assert again.returncode == 0, again.stderr
