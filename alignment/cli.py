"""``python -m alignment``: what should be scriptable, with one-line reasons on bad input.

Every command exits 0 on success and 2 with a single sentence on stderr
when it refuses; it changes nothing then.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from alignment.errors import SamePageError
from alignment.overview import headline_figures
from alignment.periods import PERIOD_HELP
from alignment.periods import parse_period
from alignment.permissions import COMMAND_LINE
from alignment.sample import load_sample
from alignment.store import open_store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m alignment",
        description="SamePage command line. The store is SAMEPAGE_DATABASE_URL "
        "(default: the SQLite file data/samepage.db).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("migrate", help="create or upgrade the store's schema")
    sample = commands.add_parser("load-sample", help="load the demo company into an empty store")
    sample.add_argument(
        "--replace",
        action="store_true",
        help="wipe whatever the store holds and load the demo company",
    )
    sample.add_argument(
        "--if-empty",
        action="store_true",
        help="load only when the store is empty; otherwise do nothing",
    )
    metrics = commands.add_parser("metrics", help="print the overview's headline figures")
    metrics.add_argument("--period", required=True, help=PERIOD_HELP.replace("use ", "", 1))
    metrics.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SamePageError as exc:
        print(f"samepage: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "metrics":
        period = parse_period(args.period)
        store = open_store()
        with store.session() as session:
            figures = headline_figures(session, COMMAND_LINE, period)
        payload = figures.as_json()
        if args.json:
            print(json.dumps(payload, indent=2))
        else:
            width = max(len(key) for key in payload)
            for key, value in payload.items():
                print(f"{key:<{width}}  {'n/a' if value is None else value}")
        return 0
    store = open_store()
    if args.command == "migrate":
        print(f"The store at {store.display_url} is up to date.")
        return 0
    if args.command == "load-sample":
        if args.if_empty and not store.is_empty():
            print("The store already holds data; the demo company was not loaded.")
            return 0
        with store.session() as session:
            summary = load_sample(session, COMMAND_LINE, replace=args.replace)
        print(
            f"Loaded {summary.company}: {summary.budget_lines} budget lines, "
            f"{summary.first_month} to {summary.last_month}, {summary.users} users."
        )
        return 0
    raise AssertionError(args.command)
