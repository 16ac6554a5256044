"""Run the non-browser tiers with the process clock moved by libfaketime, at the days
calendars go wrong, and print one line per day.

The suite pins SamePage's own clock (alignment.shared.clock) to the demo day, so with the
system clock moved every test must still pass: a failure here is something that reads
the real date behind the clock's back. The days themselves are tested on the pinned
clock in tests/db/test_dates.py.

    python -m tests.at_dates                      # every day below
    python -m tests.at_dates 2031-12-01T09:00:00  # one day (ISO date or date-time)
    python -m tests.at_dates --tier tests/unit --tier tests/cli 2028-02-29

Debian's ``faketime`` is installed when it is missing, as the Chromium of the browser
tests is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DAYS = {
    "2026-12-31T23:58:30": "the last day of a year, crossing midnight during the run",
    "2027-01-01T00:00:30": "the first day of a year",
    "2027-02-28T12:00:00": "28 February",
    "2028-02-29T12:00:00": "29 February of a leap year",
    "2031-12-01T09:00:00": "five years out",
}
TIERS = ["tests/unit", "tests/db", "tests/cli", "tests/app", "tests/test_architecture.py"]


def _run(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=900).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def ensure_faketime() -> str:
    """The faketime wrapper's path; installed from Debian when it is missing."""
    found = shutil.which("faketime")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if shutil.which("apt-get"):
        install = [*sudo, "apt-get", "install", "-y", "--no-install-recommends", "faketime"]
        if not _run(install):
            _run([*sudo, "apt-get", "update", "-qq"])
            _run(install)
    found = shutil.which("faketime")
    if not found:
        raise SystemExit(
            "No libfaketime to move the clock: install Debian's 'faketime' package "
            "(apt-get install faketime)."
        )
    return found


def run_at(
    faketime: str, instant: str, tiers: list[str], workers: str, select: str | None = None
) -> tuple[int, str, float]:
    """pytest on ``tiers`` with the system clock starting at ``instant``; its exit code,
    closing line and duration."""
    command = [
        faketime,
        "-f",
        "@" + instant.replace("T", " "),
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        workers,
        "--dist",
        "loadfile",
        *(["-k", select] if select else []),
        *tiers,
    ]
    started = time.monotonic()
    env = {**os.environ, "SAMEPAGE_TEST_LABEL": f"system clock at {instant}"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-20000:])
        sys.stderr.write(result.stderr[-5000:])
    return result.returncode, (lines[-1].strip("= ") if lines else "no output"), elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("days", nargs="*", help="ISO dates or date-times; default: all of them")
    parser.add_argument(
        "--tier",
        action="append",
        dest="tiers",
        help="a test path to run (repeat it); default: " + " ".join(TIERS),
    )
    parser.add_argument("-k", dest="select", help="only the tests pytest's -k selects")
    parser.add_argument("--workers", default=os.environ.get("TEST_WORKERS", "2"))
    args = parser.parse_args(argv)
    days = args.days or list(DAYS)
    tiers = args.tiers or TIERS
    faketime = ensure_faketime()
    failed = []
    rows = []
    for day in days:
        instant = day if "T" in day else f"{day}T12:00:00"
        code, closing, elapsed = run_at(faketime, instant, tiers, args.workers, args.select)
        rows.append((instant, DAYS.get(instant, ""), closing, elapsed))
        if code != 0:
            failed.append(instant)
    print(f"\n{'system clock at':<22}{'day':<54}{'seconds':>8}  result")
    for instant, what, closing, elapsed in rows:
        print(f"{instant:<22}{what:<54}{elapsed:>8.0f}  {closing}")
    if failed:
        print(f"At other dates: FAILED at {', '.join(failed)}")
        return 1
    print(f"At other dates: passed at {len(rows)} date(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
