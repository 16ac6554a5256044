"""Overview aggregation at scale: SamePage's services against the raw-SQL floor and the
load-everything-into-pandas habit, on generated budget lines in SQLite.

    python -m benchmarks.overview_aggregation [--rows 1000000] [--repeat 3]

Prints one table; timings are the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from alignment.overview import headline_figures
from alignment.overview import return_by_channel
from alignment.overview import spend_over_time
from alignment.periods import add_months
from alignment.periods import parse_period
from alignment.permissions import COMMAND_LINE
from alignment.store import open_store

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
FIRST_MONTH = "2024-01"
MONTHS = 36
YEAR = "2025"


def generate(path: Path, rows: int) -> None:
    """Fill a migrated store with ``rows`` budget lines spread over 36 months and 8 channels."""
    store = open_store(f"sqlite:///{path}")
    store.close()
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO channels (name) VALUES (?)", [(c,) for c in CHANNELS])
    conn.execute(
        "INSERT INTO company_settings (company_name, currency, locale, gross_margin, "
        "fiscal_year_start_month, demo, updated_at) VALUES ('Bench', 'USD', 'en_US', 0.7, 1, 0, "
        "'2026-01-01')"
    )
    per_cell = max(1, rows // (MONTHS * len(CHANNELS)))

    def lines():  # type: ignore[no-untyped-def]
        made = 0
        for m in range(MONTHS):
            month = add_months(FIRST_MONTH, m)
            for channel_id in range(1, len(CHANNELS) + 1):
                for c in range(per_cell):
                    if made == rows:
                        return
                    spend = rng.randint(1_000_00, 50_000_00)
                    yield (
                        month,
                        channel_id,
                        f"campaign {c}",
                        spend + rng.randint(-500_00, 500_00),
                        spend,
                        spend * rng.randint(2, 6),
                        spend * rng.randint(1, 4) // 2,
                        rng.randint(0, 3),
                        "imported",
                        "2026-01-01",
                        0,
                        1,
                    )
                    made += 1

    conn.executemany(
        "INSERT INTO budget_lines (month, channel_id, campaign, planned_budget, actual_spend, "
        "attributed_pipeline, attributed_revenue, new_customers, source, entered_at, reconciled, "
        "version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        lines(),
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="samepage-bench-"))
    path = folder / "bench.db"
    start = time.perf_counter()
    generate(path, args.rows)
    generated = time.perf_counter() - start
    store = open_store(f"sqlite:///{path}")
    period = parse_period(YEAR)

    def samepage() -> None:
        with store.session() as session:
            headline_figures(session, COMMAND_LINE, period)
            return_by_channel(session, COMMAND_LINE, period)
            spend_over_time(session, COMMAND_LINE, period.last, months=24)

    raw = sqlite3.connect(path)
    sums = (
        "SUM(planned_budget), SUM(actual_spend), SUM(attributed_pipeline), "
        "SUM(attributed_revenue), SUM(new_customers), COUNT(*)"
    )

    def raw_sql() -> None:
        raw.execute(
            f"SELECT {sums} FROM budget_lines WHERE month BETWEEN ? AND ?",  # noqa: S608
            (period.first, period.last),
        ).fetchall()
        raw.execute(
            f"SELECT c.name, {sums} FROM budget_lines b JOIN channels c "  # noqa: S608
            "ON b.channel_id = c.id WHERE month BETWEEN ? AND ? GROUP BY c.name",
            (period.first, period.last),
        ).fetchall()
        raw.execute(
            f"SELECT month, {sums} FROM budget_lines WHERE month BETWEEN ? AND ? "  # noqa: S608
            "GROUP BY month",
            (add_months(period.last, -23), period.last),
        ).fetchall()

    def naive_pandas() -> None:
        frame = pd.read_sql(
            "SELECT b.*, c.name AS channel FROM budget_lines b JOIN channels c "
            "ON b.channel_id = c.id",
            raw,
        )
        year = frame[frame["month"].between(period.first, period.last)]
        year[["planned_budget", "actual_spend", "attributed_revenue"]].sum()
        year.groupby("channel")[["actual_spend", "attributed_revenue"]].sum()
        frame[frame["month"] >= add_months(period.last, -23)].groupby("month")[
            ["planned_budget", "actual_spend"]
        ].sum()

    ours = best_of(args.repeat, samepage)
    rss_ours = peak_rss_mb()
    floor = best_of(args.repeat, raw_sql)
    naive = best_of(max(1, args.repeat - 2), naive_pandas)
    rss_naive = peak_rss_mb()
    rows = [
        ("budget lines", f"{args.rows:,}", ""),
        ("generate store (setup)", f"{generated:.1f} s", ""),
        ("overview for a year: SamePage services", f"{ours * 1000:.0f} ms", "target <= 1.5x floor"),
        ("overview for a year: raw SQL GROUP BY (floor)", f"{floor * 1000:.0f} ms", ""),
        ("overview for a year: load all into pandas (naive)", f"{naive * 1000:.0f} ms", ""),
        ("SamePage / floor", f"{ours / floor:.2f}x", "<= 1.5x"),
        ("naive / SamePage", f"{naive / ours:.1f}x", ">= 10x"),
        ("peak memory after SamePage aggregation", f"{rss_ours:.0f} MB", "<= 500 MB"),
        ("peak memory after naive pandas load", f"{rss_naive:.0f} MB", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>10}  target")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 18}")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  {target}")
    store.close()


if __name__ == "__main__":
    main()
