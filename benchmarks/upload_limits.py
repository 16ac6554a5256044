"""Crafted XLSX uploads: how fast they are refused, and what the worst accepted one costs.

    python -m benchmarks.upload_limits [--repeat 3]

Each row runs in a fresh process (so peak memory is its own) and is timed, by the clock
and by the reading thread's processor time (what the 30 s limit counts), side by side
with its floor: reading ZIP's directory alone (``zipfile.ZipFile(...).infolist()``),
which any check before parsing must do. The refusals must stay under a second of
processor time (the clock is shown too; on a shared machine it runs slower); the
worst workbook the size limits let through (unpacked just under 25 MB of tiny shared
strings) shows what is left: it is read, or stopped at 30 s of processor time, in
bounded memory. Prints one table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

TARGETS = {"refusal_seconds": 1.0}
CASES = {
    "shared strings packed 400x (the 63 s file)": "shared_strings_bomb(20)",
    "unpacks to 30 MB": "shared_strings_bomb(30)",
    "10,000 empty parts": "many_parts_workbook(10_000)",
    "a cell at XFD1048576": "far_cell_workbook('A1:C2', 'XFD1048576')",
    "a cell at C1048576": "far_cell_workbook('A1:C2', 'C1048576')",
}
WORST_ACCEPTED = "just_under_the_limits()"


def just_under_the_limits() -> bytes:
    """24 MB of one-letter shared strings, stored unpacked: the most reading work the
    size limits let through, stopped by the processor-time limit if it runs past it.
    Packed 99 times it would be a 0.25 MB upload; reading costs the same."""
    import io
    import zipfile

    from tests.xlsx_bombs import shared_strings_bomb

    source = zipfile.ZipFile(io.BytesIO(shared_strings_bomb(24)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as book:
        for info in source.infolist():
            book.writestr(info.filename, source.read(info))
    return out.getvalue()


def measure(expression: str, repeat: int) -> dict[str, object]:
    """In this (child) process: build the file, then time the floor and read_table."""
    import io
    import zipfile

    from alignment.files.spreadsheet import read_table
    from alignment.shared.errors import SamePageError
    from tests import xlsx_bombs

    data = eval(expression, {**vars(xlsx_bombs), "just_under_the_limits": just_under_the_limits})  # noqa: S307
    floor = min(_timed(lambda: zipfile.ZipFile(io.BytesIO(data)).infolist()) for _ in range(3))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome, seconds, cpu = "read", float("inf"), float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.thread_time()
        try:
            read_table(data, "crafted.xlsx")
        except SamePageError as refused:
            outcome = str(refused).split(";")[0].split("(")[0].strip()
        seconds = min(seconds, time.perf_counter() - start)
        cpu = min(cpu, time.thread_time() - start_cpu)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "kb": len(data) / 1024,
        "floor": floor,
        "seconds": seconds,
        "cpu": cpu,
        "outcome": outcome,
        "extra_mb": after - before,
    }


def _timed(work) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.repeat)))
        return
    rows = []
    for name, expression in [*CASES.items(), ("worst accepted", WORST_ACCEPTED)]:
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.upload_limits", "--child", expression]
            + ["--repeat", str(1 if expression == WORST_ACCEPTED else args.repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append((name, json.loads(child.stdout.strip().splitlines()[-1])))
    width = max(len(name) for name, _ in rows)
    print(
        f"{'crafted file':<{width}}  {'size':>8}  {'floor':>8}  {'SamePage':>9}  "
        f"{'CPU':>9}  {'memory':>8}  {'target':<10}  met  outcome"
    )
    print(
        f"{'-' * width}  {'-' * 8}  {'-' * 8}  {'-' * 9}  {'-' * 9}  {'-' * 8}  {'-' * 10}  "
        "---  -------"
    )
    for name, r in rows:
        refused = r["outcome"] != "read"
        target = f"< {TARGETS['refusal_seconds']:.0f} s CPU" if name != "worst accepted" else ""
        met = "" if not target else ("yes" if refused and r["cpu"] < 1 else "NO")
        print(
            f"{name:<{width}}  {r['kb']:>6,.0f}KB  {r['floor'] * 1000:>6,.1f}ms  "
            f"{r['seconds'] * 1000:>7,.0f}ms  {r['cpu'] * 1000:>7,.0f}ms  "
            f"{r['extra_mb']:>6,.0f}MB  {target:<10}  "
            f"{met:<3}  {r['outcome']}"
        )


if __name__ == "__main__":
    main()
