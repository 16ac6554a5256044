"""Where the year lands, at scale: the landing of a fiscal year over a million budget lines
and the forecast for the rest of the year, against the raw SQL floor, in one run.

    python -m benchmarks.landing_scale [--rows 1000000] [--orders 100000]
        [--invoices 1000000] [--repeat 3]

Generates the budget CSV of benchmarks/budget_scale.py (36 months to December 2025), imports
it into a fresh SQLite store, then with the clock on 15 July 2025 starts the forecast from
the run rate (every line of the last three months, for July to December), and imports the
purchase orders and the ledger of benchmarks/invoice_matching.py (100,000 orders, a million
invoice lines) through their services. The landing of 2025 is then timed through
SamePage's service, every kept result forgotten before each run, and as the same two
GROUP BYs in raw SQL (the floor); so is the committed-spend position of the year (plan,
committed, actual and available per month and channel). Timings are the best of
``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks import invoice_matching
from benchmarks.budget_scale import best_of
from benchmarks.budget_scale import generate

TODAY = "2025-07-15"
TARGET_RATIO = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from alignment.access.permissions import COMMAND_LINE
    from alignment.access.permissions import Actor
    from alignment.access.permissions import Role
    from alignment.edges.store import open_store
    from alignment.records.data_version import clear_every_cache
    from alignment.shared import clock
    from alignment.spend import budget_import
    from alignment.spend.commitments import spend_position
    from alignment.spend.forecast import ForecastBasis
    from alignment.spend.forecast import start_forecast
    from alignment.spend.landing import fiscal_year_starting
    from alignment.spend.landing import landing

    folder = Path(tempfile.mkdtemp(prefix="samepage-landing-"))
    csv_path, store_path = folder / "budget.csv", folder / "store.db"
    generate(csv_path, args.rows)
    store = open_store(f"sqlite:///{store_path}")
    cmo = Actor(None, "Benchmark", Role.CMO)
    with clock.pinned(TODAY):
        started = time.perf_counter()
        with store.session() as session:
            budget_import.apply_import(
                session, cmo, budget_import.read_budget_file(csv_path.read_bytes(), csv_path.name)
            )
        imported = time.perf_counter() - started
        with store.session() as session:
            forecast = start_forecast(session, cmo, ForecastBasis.RUN_RATE)
            year = fiscal_year_starting(session, COMMAND_LINE, 2025)
        matching = invoice_matching.run(args.orders, args.invoices, f"sqlite:///{store_path}")

        def ours() -> None:
            clear_every_cache()
            with store.session() as session:
                landing(session, COMMAND_LINE, year)

        service = best_of(args.repeat, ours)
        with store.session() as session:
            landed = landing(session, COMMAND_LINE, year).total.landing

        def position() -> None:
            clear_every_cache()
            with store.session() as session:
                spend_position(session, COMMAND_LINE, year)

        committed = best_of(args.repeat, position)
    store.close()

    raw = sqlite3.connect(store_path)

    def floor_sql() -> None:
        raw.execute(
            "SELECT c.name, b.month, SUM(planned_budget), SUM(baseline_budget), "
            "SUM(actual_spend), SUM(attributed_pipeline), SUM(attributed_revenue), "
            "SUM(new_customers) FROM budget_lines b JOIN channels c ON c.id = b.channel_id "
            "WHERE b.month BETWEEN ? AND ? GROUP BY c.name, b.month",
            (year.first, year.last),
        ).fetchall()
        raw.execute(
            "SELECT c.name, f.month, SUM(spend), SUM(pipeline), SUM(revenue), "
            "SUM(new_customers) FROM forecast_lines f JOIN channels c ON c.id = f.channel_id "
            "WHERE f.month BETWEEN ? AND ? GROUP BY c.name, f.month",
            ("2025-07", year.last),
        ).fetchall()

    floor = best_of(args.repeat, floor_sql)
    raw.close()
    ledger = matching["ledger: read and check"] + matching["ledger: match and write (import)"]
    rows = [
        ("budget lines", f"{args.rows:,}", "", ""),
        ("forecast lines (run rate, Jul-Dec 2025)", f"{forecast.lines:,}", "", ""),
        ("purchase orders (commitments)", f"{args.orders:,}", "", ""),
        ("invoice lines", f"{args.invoices:,}", "", ""),
        ("import of the budget lines", f"{imported:,.1f} s", "", ""),
        (
            "import of the invoice lines, read to written",
            f"{ledger:,.1f} s",
            "",
            "",
        ),
        ("landing of 2025", f"${landed:,.0f}", "", ""),
        ("landing: SamePage service, nothing kept", f"{service * 1000:,.0f} ms", "", ""),
        ("landing: raw SQL GROUP BY (floor)", f"{floor * 1000:,.0f} ms", "", ""),
        (
            "SamePage / floor",
            f"{service / floor:.2f}x",
            f"<= {TARGET_RATIO}x",
            "yes" if service / floor <= TARGET_RATIO else "NO",
        ),
        ("committed-spend position of 2025 (service)", f"{committed * 1000:,.0f} ms", "", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>14}  {'target':<8}  met")
    print(f"{'-' * width}  {'-' * 14}  {'-' * 8}  ---")
    for name, value, target, met in rows:
        print(f"{name:<{width}}  {value:>14}  {target:<8}  {met}")


if __name__ == "__main__":
    main()
