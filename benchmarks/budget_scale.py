"""Budget figures at scale: import throughput, overview aggregation and memory, in one run.

    python -m benchmarks.budget_scale [--rows 1000000] [--repeat 3]

Generates a canonical budget CSV of ``--rows`` lines (36 months x 8 channels x
campaigns), then in a separate process, standing in for the app, imports it into
a fresh SQLite store through the import service and times the overview's
aggregation for one year (headline figures, return by channel, 24-month trend).
This process then times the same aggregation as raw SQL (the floor) and as the
common Streamlit habit of loading every line into pandas (the naive way).
Prints one table; timings are the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CHANNELS = [
    "Paid search",
    "LinkedIn ads",
    "Events",
    "Content & SEO",
    "Webinars",
    "Partner marketing",
    "ABM",
    "Display",
]
MONTHS = 36
YEAR = "2025"
HEADER = (
    "month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
    "attributed_revenue,new_customers\n"
)
TARGETS = {"import": 100_000, "floor_ratio": 1.5, "naive_ratio": 10.0, "memory_mb": 500}


def generate(path: Path, rows: int) -> None:
    rng = random.Random(7)
    per_cell = -(-rows // (MONTHS * len(CHANNELS)))
    made = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for m in range(MONTHS):
            month = f"{2024 + m // 12}-{m % 12 + 1:02d}"
            for channel in CHANNELS:
                for c in range(per_cell):
                    if made == rows:
                        return
                    spend = rng.randint(1_000, 50_000)
                    out.write(
                        f"{month},{channel},campaign {c},{spend + rng.randint(-500, 500)}.00,"
                        f"{spend}.{rng.randint(10, 99)},{spend * rng.randint(2, 6)},"
                        f"{spend * rng.randint(1, 4) // 2}.50,{rng.randint(0, 3)}\n"
                    )
                    made += 1


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def app_process(csv_path: Path, store_path: Path, repeat: int) -> dict[str, float]:
    """What the app does: import through the service, then aggregate for the overview."""
    from alignment.access.permissions import COMMAND_LINE
    from alignment.access.permissions import Actor
    from alignment.access.permissions import Role
    from alignment.edges.store import open_store
    from alignment.shared.periods import parse_period
    from alignment.spend import budget_import
    from alignment.spend.overview import headline_figures
    from alignment.spend.overview import return_by_channel
    from alignment.spend.overview import spend_over_time

    store = open_store(f"sqlite:///{store_path}")
    cmo = Actor(None, "Benchmark", Role.CMO)
    baseline_mb = peak_rss_mb()
    start = time.perf_counter()
    data = csv_path.read_bytes()
    budget = budget_import.read_budget_file(data, csv_path.name)
    with store.session() as session:
        result = budget_import.apply_import(session, cmo, budget)
    imported = time.perf_counter() - start
    del budget, data
    period = parse_period(YEAR)

    def overview() -> None:
        with store.session() as session:
            headline_figures(session, COMMAND_LINE, period)
            return_by_channel(session, COMMAND_LINE, period)
            spend_over_time(session, COMMAND_LINE, period.last, months=24)

    aggregation = best_of(repeat, overview)
    store.close()
    return {
        "rows": result.new,
        "import_seconds": imported,
        "aggregation_seconds": aggregation,
        "peak_mb": peak_rss_mb(),
        "baseline_mb": baseline_mb,
    }


def floor_and_naive(store_path: Path, repeat: int) -> tuple[float, float]:
    import pandas as pd

    first, last = f"{YEAR}-01", f"{YEAR}-12"
    trend_first = f"{int(YEAR) - 1}-01"
    raw = sqlite3.connect(store_path)
    sums = (
        "SUM(planned_budget), SUM(baseline_budget), SUM(actual_spend), "
        "SUM(attributed_pipeline), SUM(attributed_revenue), SUM(new_customers), COUNT(*)"
    )

    def raw_sql() -> None:
        raw.execute(
            f"SELECT {sums} FROM budget_lines WHERE month BETWEEN ? AND ?",  # noqa: S608
            (first, last),
        ).fetchall()
        raw.execute(
            f"SELECT c.name, {sums} FROM budget_lines b JOIN channels c "  # noqa: S608
            "ON b.channel_id = c.id WHERE month BETWEEN ? AND ? GROUP BY c.name",
            (first, last),
        ).fetchall()
        raw.execute(
            f"SELECT month, {sums} FROM budget_lines WHERE month "  # noqa: S608
            "BETWEEN ? AND ? GROUP BY month",
            (trend_first, last),
        ).fetchall()

    def naive_pandas() -> None:
        frame = pd.read_sql(
            "SELECT b.*, c.name AS channel FROM budget_lines b JOIN channels c "
            "ON b.channel_id = c.id",
            raw,
        )
        year = frame[frame["month"].between(first, last)]
        year[["planned_budget", "actual_spend", "attributed_revenue"]].sum()
        year.groupby("channel")[["actual_spend", "attributed_revenue"]].sum()
        frame[frame["month"] >= trend_first].groupby("month")[
            ["planned_budget", "actual_spend"]
        ].sum()

    floor = best_of(repeat, raw_sql)
    naive = best_of(max(1, repeat - 2), naive_pandas)
    raw.close()
    return floor, naive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--app-process", nargs=2, metavar=("CSV", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app_process:
        print(
            json.dumps(
                app_process(Path(args.app_process[0]), Path(args.app_process[1]), args.repeat)
            )
        )
        return
    folder = Path(tempfile.mkdtemp(prefix="samepage-bench-"))
    csv_path, store_path = folder / "budget.csv", folder / "store.db"
    generate(csv_path, args.rows)
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.budget_scale",
            "--repeat",
            str(args.repeat),
            "--app-process",
            str(csv_path),
            str(store_path),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    app = json.loads(child.stdout.strip().splitlines()[-1])
    floor, naive = floor_and_naive(store_path, args.repeat)
    ours = app["aggregation_seconds"]
    rate = app["rows"] / app["import_seconds"]
    rows = [
        ("budget lines imported", f"{app['rows']:,}", "", ""),
        (
            "import, validated, rows per second",
            f"{rate:,.0f}",
            f">= {TARGETS['import']:,}",
            rate >= TARGETS["import"],
        ),
        ("overview for a year: SamePage services", f"{ours * 1000:,.0f} ms", "", ""),
        ("overview for a year: raw SQL GROUP BY (floor)", f"{floor * 1000:,.0f} ms", "", ""),
        ("overview for a year: everything into pandas", f"{naive * 1000:,.0f} ms", "", ""),
        (
            "SamePage / floor",
            f"{ours / floor:.2f}x",
            f"<= {TARGETS['floor_ratio']}x",
            ours / floor <= TARGETS["floor_ratio"],
        ),
        (
            "naive / SamePage",
            f"{naive / ours:.1f}x",
            f">= {TARGETS['naive_ratio']:.0f}x",
            naive / ours >= TARGETS["naive_ratio"],
        ),
        (
            "app process peak memory",
            f"{app['peak_mb']:,.0f} MB",
            f"<= {TARGETS['memory_mb']} MB",
            app["peak_mb"] <= TARGETS["memory_mb"],
        ),
        ("  of which before the import (libraries)", f"{app['baseline_mb']:,.0f} MB", "", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>12}  {'target':<10}  met")
    print(f"{'-' * width}  {'-' * 12}  {'-' * 10}  ---")
    for name, value, target, met in rows:
        mark = "" if met == "" else ("yes" if met else "NO")
        print(f"{name:<{width}}  {value:>12}  {target:<10}  {mark}")


if __name__ == "__main__":
    main()
