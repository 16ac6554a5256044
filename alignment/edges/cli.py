"""``python -m alignment``: what should be scriptable, with one-line reasons on bad input.

Every command exits 0 on success and 2 with a single sentence on stderr
when it refuses; it changes nothing then.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import TypeVar

from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.company.sample import load_sample
from alignment.definitions.success_workflow import definitions_json
from alignment.edges.store import open_store
from alignment.shared.errors import SamePageError
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import PERIOD_HELP
from alignment.shared.periods import parse_month
from alignment.shared.periods import parse_period
from alignment.shared.periods import range_period
from alignment.spend.overview import headline_figures
from db import migrate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Checked = TypeVar("Checked")


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
    importing = commands.add_parser(
        "import", help="import budget lines from a CSV or XLSX file (all or nothing)"
    )
    _file_import_options(importing, "the store's CMO")
    exporting = commands.add_parser("export", help="export budget lines to CSV or XLSX")
    exporting.add_argument("path", help="where to write: a .csv or .xlsx file")
    exporting.add_argument("--period", help="only these months (default: all)")
    exporting.add_argument(
        "--channel", action="append", default=[], help="only this channel (repeatable)"
    )
    listing = commands.add_parser(
        "definitions", help="list every definition of success, version by version"
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    company = commands.add_parser("company", help="show or set the company's name")
    company.add_argument("--name", help="the company's name, as every page and pack shows it")
    users = commands.add_parser("users", help="add or list accounts")
    users_commands = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    adding = users_commands.add_parser(
        "add", help="add an account; the password is asked for, or read from standard input"
    )
    adding.add_argument("--email", required=True)
    adding.add_argument("--role", required=True, choices=["CEO", "CFO", "CMO", "viewer", "admin"])
    adding.add_argument("--name", default="", help="the person's name (default: from the e-mail)")
    adding.add_argument(
        "--sso-only",
        action="store_true",
        help="no password: the account comes in through single sign-on only",
    )
    users_commands.add_parser("list", help="list the accounts")
    audit_parser = commands.add_parser("audit", help="check the audit trail")
    audit_commands = audit_parser.add_subparsers(
        dest="audit_command", required=True, metavar="ACTION"
    )
    verifying = audit_commands.add_parser(
        "verify",
        help="walk the keyed chain and check every signed definition; report the first problem",
    )
    verifying.add_argument(
        "--head",
        metavar="SEQ:HASH",
        help="the audit head a closed review or its meeting pack printed: prove nothing up to "
        "it changed since",
    )
    backing_up = commands.add_parser(
        "backup", help="copy the whole store into a new SQLite file (online: the app keeps running)"
    )
    backing_up.add_argument("path", help="the backup file to create")
    restoring = commands.add_parser(
        "restore", help="replace everything the store holds with a backup, in one transaction"
    )
    restoring.add_argument("path", help="a file written by backup")
    restoring.add_argument(
        "--replace", action="store_true", help="wipe a store that holds data and restore over it"
    )
    pack = commands.add_parser("pack", help="write a month's meeting pack (PDF and XLSX)")
    pack.add_argument("--month", required=True, help="the review's month, YYYY-MM")
    pack.add_argument("--out", required=True, help="the folder to write the two files into")
    nd = commands.add_parser(
        "next-dollar",
        help="response curves per channel and a budget proposal (changes nothing)",
    )
    nd.add_argument("--outcome", default="revenue", help="revenue (default) or pipeline")
    nd.add_argument(
        "--budget", help="the monthly budget to split across the channels (default: today's)"
    )
    nd.add_argument(
        "--bounds",
        action="append",
        default=[],
        metavar="CHANNEL=LOW:HIGH",
        help="monthly spend limits for a channel (default: half to twice today's); repeatable",
    )
    forecast = commands.add_parser("forecast", help="the forecast for the rest of the fiscal year")
    forecast_commands = forecast.add_subparsers(dest="forecast_command", required=True)
    starting = forecast_commands.add_parser(
        "start", help="fill the open months afresh from the plan or the recent run rate"
    )
    starting.add_argument("--from", dest="basis", choices=["plan", "run-rate"], required=True)
    starting.add_argument(
        "--months", type=int, default=3, help="complete months the run rate averages (default 3)"
    )
    starting.add_argument(
        "--as", dest="acting_as", metavar="EMAIL", help="act as this user (default: the CMO)"
    )
    forecast_in = forecast_commands.add_parser(
        "import", help="import forecast lines from a CSV or XLSX file (all or nothing)"
    )
    _file_import_options(forecast_in, "the CMO")
    forecast_out = forecast_commands.add_parser(
        "export", help="write this fiscal year's forecast to CSV or XLSX"
    )
    forecast_out.add_argument("path", help="where to write: a .csv or .xlsx file")
    orders = commands.add_parser("commitments", help="purchase orders as committed spend")
    orders_commands = orders.add_subparsers(dest="commitments_command", required=True)
    orders_in = orders_commands.add_parser(
        "import", help="import purchase orders from the ERP's CSV or XLSX export (all or nothing)"
    )
    _file_import_options(orders_in, "the CMO")
    orders_in.add_argument(
        "--reason",
        default="",
        help="why orders above what the plan leaves available are committed all the same",
    )
    invoices = commands.add_parser("invoices", help="finance's invoice and ledger lines")
    invoices_commands = invoices.add_subparsers(dest="invoices_command", required=True)
    invoices_in = invoices_commands.add_parser(
        "import",
        help="import invoice or ledger lines and match them to purchase orders (all or nothing)",
    )
    _file_import_options(invoices_in, "the CFO")
    landing = commands.add_parser(
        "landing", help="where the fiscal year will land: actual to date plus forecast"
    )
    landing.add_argument(
        "--year", type=int, help="the fiscal year starting in this year (default: this one)"
    )
    landing.add_argument("--json", action="store_true", help="print JSON")
    notifying = commands.add_parser(
        "notify",
        help="queue the notices due today and send what the outbox holds (for cron or a timer)",
    )
    notifying.add_argument(
        "--dry-run", action="store_true", help="print what would be queued and sent; write nothing"
    )
    notifying.add_argument("--json", action="store_true", help="print JSON")
    notifying.add_argument(
        "--date", help="the day to work out what is due for, YYYY-MM-DD (default: today)"
    )
    metrics = commands.add_parser("metrics", help="print the overview's headline figures")
    metrics.add_argument("--period", required=True, help=PERIOD_HELP.replace("use ", "", 1))
    metrics.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _file_import_options(parser: argparse.ArgumentParser, default_actor: str) -> None:
    """The options every import of a team's own export takes, with one meaning each."""
    parser.add_argument("path", help="the CSV or XLSX file")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check every cell, show what would change, write nothing",
    )
    parser.add_argument("--sheet", help="the workbook sheet to read (default: the first)")
    parser.add_argument(
        "--source",
        help="the name the column mapping is remembered under "
        "(default: the file name without dates and numbers)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=HEADER",
        help="map one of SamePage's columns to a header of the file (remembered for the source)",
    )
    parser.add_argument(
        "--as",
        dest="acting_as",
        metavar="EMAIL",
        help=f"act as this user (default: {default_actor})",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SamePageError as exc:
        print(f"samepage: {exc}", file=sys.stderr)
        return 2


def _company(args: argparse.Namespace) -> int:
    from alignment.company.settings import company_profile
    from alignment.company.settings import update_company

    store = open_store()
    with store.session() as session:
        if args.name is not None:
            update_company(session, COMMAND_LINE, name=args.name)
        profile = company_profile(session, COMMAND_LINE)
    print(f"{profile.name} ({profile.currency}, gross margin {profile.gross_margin:.0%})")
    return 0


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
    own_function = {
        "import": _import,
        "next-dollar": _next_dollar,
        "pack": _pack,
        "users": _users,
        "company": _company,
        "audit": _audit,
        "export": _export,
        "forecast": _forecast,
        "landing": _landing,
        "notify": _notify,
        "commitments": _commitments,
        "invoices": _invoices,
        "backup": _backup,
        "restore": _backup,
    }.get(args.command)
    if own_function is not None:
        return own_function(args)
    store = open_store()
    if args.command == "definitions":
        with store.session() as session:
            rows = definitions_json(session, COMMAND_LINE)
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for row in rows:
                flag = " CHANGED SINCE SIGN-OFF" if row["changed_since_signoff"] else ""
                force = " (in force)" if row["in_force"] else ""
                print(
                    f"{row['definition']}.v{row['version']} {row['state']}{force}: "
                    f"{row['title']}{flag}"
                )
        return 0
    if args.command == "migrate":
        head = migrate.head_revision()
        if store.schema_was == "":
            print(f"Created the store at {store.display_url} (schema {head}).")
        elif store.schema_was:
            print(
                f"Upgraded the store at {store.display_url} "
                f"from schema {store.schema_was} to {head}."
            )
        else:
            print(f"The store at {store.display_url} is up to date (schema {head}).")
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


def _import(args: argparse.Namespace) -> int:
    from alignment.spend import budget_import

    path = _file(args)
    store = open_store()
    with store.session() as session:
        actor = _acting(session, args, Role.CMO)
        budget = _read_mapped(
            session, args, path, budget_import.remembered_mapping, budget_import.read_for_import
        )
        preview = budget_import.preview_import(session, actor, budget)
        print(
            f"{path.name} ({'sheet ' + budget.table.sheet if budget.table.sheet else 'CSV'}), "
            f"acting as {actor.label}: {preview.summary()}"
        )
        if preview.new_channels:
            print(f"New channels: {', '.join(preview.new_channels)}")
        if preview.ignored_columns:
            print(f"Ignored columns: {', '.join(preview.ignored_columns)}")
        _print_problems(preview.problems, preview.problem_count)
        if preview.problem_count:
            raise ValidationFailed(
                f"Nothing was imported: {preview.problem_count:,} cell(s) have problems."
            )
        if args.dry_run:
            print("Dry run: nothing was written.")
            return 0
        result = budget_import.import_budget(session, actor, budget, progress=_progress)
    if result.written:
        print(f"Imported: {result.new:,} new and {result.changed:,} changed lines.")
    else:
        print("Nothing to import: every line is already in the store as it is in the file.")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from alignment.records import backup

    store = open_store()
    try:
        if args.command == "backup":
            summary = backup.back_up(store, COMMAND_LINE, Path(args.path))
            print(f"Backed up {store.display_url}: {summary.total:,} rows into {summary.path}.")
        else:
            summary = backup.restore(store, COMMAND_LINE, Path(args.path), replace=args.replace)
            print(f"Restored {summary.total:,} rows from {summary.path} into {store.display_url}.")
    finally:
        store.close()
    return 0


def _progress(_: float, text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _mapping_option(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise ValidationFailed(
                f"--map takes COLUMN=HEADER, e.g. actual_spend=Cost; not '{pair}'."
            )
        mapping[name.strip()] = header.strip()
    return mapping


def _export(args: argparse.Namespace) -> int:
    from alignment.files.export import to_csv
    from alignment.files.export import to_xlsx
    from alignment.spend.budget import export_frame
    from alignment.spend.overview import available_months

    path = Path(args.path)
    suffix = _out_path(path)
    period = parse_period(args.period) if args.period else None
    store = open_store()
    with store.session() as session:
        if period is None:
            months = available_months(session, COMMAND_LINE)
            if not months:
                raise ValidationFailed("The store holds no budget lines to export.")
            period = range_period(months[0], months[-1])
        frame = export_frame(session, COMMAND_LINE, period, args.channel or None)
    data = to_csv(frame) if suffix == ".csv" else to_xlsx({"Budget lines": frame})
    path.write_bytes(data)
    print(f"Wrote {len(frame):,} budget lines ({period.label}) to {path}.")
    return 0


def _out_path(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationFailed(f"{path.name}: export writes .csv or .xlsx files.")
    if not path.parent.is_dir():
        raise ValidationFailed(f"There is no folder {path.parent} to write {path.name} into.")
    return suffix


def _forecast(args: argparse.Namespace) -> int:
    from alignment.files.export import to_csv
    from alignment.files.export import to_xlsx
    from alignment.spend.forecast import ForecastBasis
    from alignment.spend.forecast import forecast_frame
    from alignment.spend.forecast import start_forecast

    store = open_store()
    if args.forecast_command == "export":
        path = Path(args.path)
        suffix = _out_path(path)
        with store.session() as session:
            frame = forecast_frame(session, COMMAND_LINE).drop(columns=["id", "version"])
        path.write_bytes(to_csv(frame) if suffix == ".csv" else to_xlsx({"Forecast": frame}))
        print(f"Wrote {len(frame):,} forecast lines to {path}.")
        return 0
    with store.session() as session:
        actor = _acting(session, args, Role.CMO)
        if args.forecast_command == "import":
            return _forecast_import(session, actor, args)
        basis = ForecastBasis.PLAN if args.basis == "plan" else ForecastBasis.RUN_RATE
        started = start_forecast(session, actor, basis, months=args.months)
    print(started.summary)
    return 0


def _forecast_import(session: Session, actor: Actor, args: argparse.Namespace) -> int:
    from alignment.spend.forecast_import import import_forecast
    from alignment.spend.forecast_import import read_forecast_file
    from alignment.spend.forecast_import import remembered_mapping

    path = _file(args)
    checked = _read_mapped(
        session,
        args,
        path,
        remembered_mapping,
        lambda data, name, **given: read_forecast_file(session, actor, data, name, **given),
    )
    if checked.problems:
        _print_problems(checked.problems, len(checked.problems))
        raise ValidationFailed(f"Nothing was imported: {checked.summary}")
    if args.dry_run:
        print(f"Dry run, nothing written: {checked.summary}")
        return 0
    written = import_forecast(session, actor, checked)
    print(f"Imported {written:,} forecast line(s) from {path.name}.")
    return 0


def _acting(session: Session, args: argparse.Namespace, role: Role) -> Actor:
    from alignment.access.users import actor_by_email
    from alignment.access.users import first_actor_in_role

    return (
        actor_by_email(session, args.acting_as)
        if args.acting_as
        else first_actor_in_role(session, role)
    )


def _file(args: argparse.Namespace) -> Path:
    path = Path(args.path)
    if not path.is_file():
        raise ValidationFailed(f"There is no file at {path}.")
    return path


def _print_problems(problems: Sequence[object], count: int) -> None:
    for problem in problems[:20]:
        print(f"  {problem}")
    if count > 20:
        print(f"  ... and {count - 20:,} more")


def _read_mapped(
    session: Session,
    args: argparse.Namespace,
    path: Path,
    remembered: Callable[[Session, str], dict[str, str] | None],
    read: Callable[..., Checked],
) -> Checked:
    """Read an import's file with the mapping given (``--map``) or the one remembered for its
    source (``--source``, else the file's name); the --map options to give when neither fits."""
    from alignment.files.column_mapping import MappingNeeded
    from alignment.files.spreadsheet import source_name

    source = args.source or source_name(path.name)
    try:
        return read(
            path.read_bytes(),
            path.name,
            sheet=args.sheet,
            given=_mapping_option(args.map) or None,
            remembered=remembered(session, source),
            source_name=source,
        )
    except MappingNeeded as needed:
        raise ValidationFailed(needed.command_line_hint()) from None


def _commitments(args: argparse.Namespace) -> int:
    from alignment.company.settings import company_profile
    from alignment.spend import commitment_import

    path = _file(args)
    store = open_store()
    with store.session() as session:
        actor = _acting(session, args, Role.CMO)
        orders = _read_mapped(
            session,
            args,
            path,
            commitment_import.remembered_mapping,
            commitment_import.read_commitment_file,
        )
        preview = commitment_import.preview_commitments(session, actor, orders)
        print(f"{path.name}, acting as {actor.label}: {preview.summary()}")
        if preview.new_channels:
            print(f"New channels: {', '.join(preview.new_channels)}")
        _print_problems(preview.problems, preview.problem_count)
        if preview.problem_count:
            raise ValidationFailed(
                f"Nothing was imported: {preview.problem_count:,} problem(s) in {path.name}."
            )
        currency = company_profile(session, actor).currency
        for order in preview.over_plan[:20]:
            print(f"  Above the plan: {order.words(currency)}")
        if args.dry_run:
            print("Dry run: nothing was written.")
            return 0
        result = commitment_import.import_commitments(
            session, actor, orders, reason=args.reason, progress=_progress
        )
    if result.written:
        print(f"Imported: {result.new:,} new and {result.changed:,} changed purchase orders.")
    else:
        print(
            "Nothing to import: every purchase order is already in the store as it is in the file."
        )
    return 0


def _invoices(args: argparse.Namespace) -> int:
    from alignment.spend import invoice_import

    path = _file(args)
    store = open_store()
    with store.session() as session:
        actor = _acting(session, args, Role.CFO)
        lines = _read_mapped(
            session, args, path, invoice_import.remembered_mapping, invoice_import.read_invoice_file
        )
        preview = invoice_import.preview_invoices(session, actor, lines)
        print(f"{path.name}, acting as {actor.label}: {preview.summary()}")
        _print_problems(preview.problems, preview.problem_count)
        if preview.problem_count:
            raise ValidationFailed(
                f"Nothing was imported: {preview.problem_count:,} problem(s) in {path.name}."
            )
        if args.dry_run:
            print("Dry run: nothing was written.")
            return 0
        result = invoice_import.import_invoices(session, actor, lines, progress=_progress)
    print(f"Imported: {result.summary()}")
    return 0


def _landing(args: argparse.Namespace) -> int:
    from alignment.shared import formatting as fmt
    from alignment.spend.landing import fiscal_year
    from alignment.spend.landing import fiscal_year_starting
    from alignment.spend.landing import landing

    store = open_store()
    with store.session() as session:
        period = (
            fiscal_year(session, COMMAND_LINE)
            if args.year is None
            else fiscal_year_starting(session, COMMAND_LINE, args.year)
        )
        result = landing(session, COMMAND_LINE, period)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
        return 0
    cur = result.currency
    print(
        f"{result.period.label}: actuals for {len(result.actual_months)} month(s), "
        f"forecast for {len(result.forecast_months)}."
    )
    if result.unplanned_words:
        print(result.unplanned_words)
    for line in (*result.channels, result.total):
        gap = fmt.percent(line.gap_to_plan_pct, signed=True)
        print(
            f"{line.channel:<24} landing {fmt.money(line.landing, cur):>14}  "
            f"plan {fmt.money(line.plan, cur):>14}  "
            f"gap {fmt.money(line.gap_to_plan, cur):>12} ({gap})"
        )
    return 0


def _notify(args: argparse.Namespace) -> int:
    import datetime as dt

    from alignment.notices.notify import notify

    day = None
    if args.date:
        try:
            day = dt.date.fromisoformat(args.date.strip())
        except ValueError:
            raise ValidationFailed(f"'{args.date}' is not a day; write it as 2026-12-05.") from None
    store = open_store()
    with store.session() as session:
        result = notify(session, COMMAND_LINE, day, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
        return 0
    print(result.summary())
    for reason in (*result.waiting, *result.skipped, *result.left_out):
        print(f"Note: {reason}")
    groups = (
        ("would queue" if result.dry_run else "queued", result.queued),
        ("not deliverable", result.not_deliverable),
        ("would try", result.would_try),
        ("sent", result.sent),
        ("to retry", result.retrying),
        ("failed", result.failed),
    )
    for word, lines in groups:
        for line in lines:
            outcome = f" ({line.outcome})" if line.outcome and line.outcome != "sent" else ""
            print(f"  {word}: {line.channel} to {line.to or 'nobody'}: {line.subject}{outcome}")
    return 0


def _amount(text: str, what: str) -> float:
    import pandas as pd

    from alignment.files.cells import parse_amounts

    values, reasons = parse_amounts(pd.Series([text.strip()]), decimal_comma=False)
    if pd.notna(reasons.iloc[0]) or pd.isna(values.iloc[0]):
        raise ValidationFailed(f"The {what} '{text}' is not an amount, e.g. 450000.")
    return float(values.iloc[0])


def _next_dollar(args: argparse.Namespace) -> int:
    from alignment.allocation import next_dollar
    from alignment.allocation import response
    from alignment.company.settings import company_profile
    from alignment.shared import formatting

    store = open_store()
    with store.session() as session:
        profile = company_profile(session, COMMAND_LINE)
        fit = next_dollar.response_curves(
            session, COMMAND_LINE, args.outcome.strip().lower(), progress=_fit_progress
        )
    print(file=sys.stderr)

    def money(value: float) -> str:
        return formatting.money(value, profile.currency, profile.locale)

    print(f"Response curves. {fit.summary} This is correlation, not an experiment.")
    table = next_dollar.channel_table(fit)
    width = max(len(name) for name in table["channel"])
    print(
        f"{'channel':<{width}}  {'per month':>12}  {'model ROI (90%)':>20}  "
        f"{'next dollar (90%)':>20}  {'attributed ROAS':>15}"
    )
    for row in table.itertuples(index=False):
        attributed = "n/a" if row.attributed_roas is None else f"{row.attributed_roas:.2f}"
        print(
            f"{row.channel:<{width}}  {money(row.monthly_spend):>12}  "
            f"{_interval(row.roi, row.roi_low, row.roi_high):>20}  "
            f"{_interval(row.marginal_roi, row.marginal_roi_low, row.marginal_roi_high):>20}  "
            f"{attributed:>15}"
        )
    for note in (*fit.notes, *fit.left_out):
        print(f"Note: {note}")
    bounds = {}
    for pair in args.bounds:
        channel, _, limits = pair.partition("=")
        low, _, high = limits.partition(":")
        if not channel or not low or not high:
            raise ValidationFailed(
                f"'{pair}' is not CHANNEL=LOW:HIGH, e.g. 'Paid search=80000:200000'."
            )
        bounds[channel.strip()] = (_amount(low, "lowest spend"), _amount(high, "highest spend"))
    budget = fit.monthly_spend if args.budget is None else _amount(args.budget, "budget")
    proposal = response.propose(fit, budget, bounds, money=money)
    print()
    print(
        f"Proposal for {money(proposal.budget)} a month (today {money(proposal.today_total)}): "
        f"expected change in {fit.outcome_label} {money(proposal.expected_change)} a month "
        f"(90%: {money(proposal.change_low)} to {money(proposal.change_high)})"
    )
    for line in proposal.lines:
        bound = f"  at its {line.at_bound} bound" if line.at_bound else ""
        print(
            f"{line.channel:<{width}}  {money(line.today):>12} -> {money(line.proposed):>12}"
            f"  next dollar {line.marginal_roi_proposed:.2f}{bound}"
        )
    print("Nothing was changed; a proposal goes to the monthly review from the Next dollar page.")
    return 0


def _interval(value: float, low: float, high: float) -> str:
    return f"{value:.2f} ({low:.2f}-{high:.2f})"


def _fit_progress(share: float) -> None:
    print(f"\rFitting response curves: {share:.0%}", end="", file=sys.stderr, flush=True)


def _pack(args: argparse.Namespace) -> int:
    from alignment.company.settings import company_profile
    from alignment.edges.meeting_pack import pack_files
    from alignment.meeting.review import review

    month = parse_month(args.month)
    folder = Path(args.out)
    if not folder.is_dir():
        raise ValidationFailed(f"There is no folder {folder} to write the meeting pack into.")
    store = open_store()
    with store.session() as session:
        view = review(session, COMMAND_LINE, month)
        company = company_profile(session, COMMAND_LINE).name
    for name, data in pack_files(view, company).items():
        (folder / name).write_bytes(data)
        print(f"Wrote {folder / name}")
    if not view.has_data:
        print(f"Note: there are no figures for {month}; the pack says so.")
    return 0


def _read_password(email: str) -> str:
    import getpass

    if sys.stdin.isatty():
        first = getpass.getpass(f"Password for {email}: ")
        if getpass.getpass("Again: ") != first:
            raise ValidationFailed("The two passwords differ; nothing was changed.")
        return first
    return sys.stdin.readline().rstrip("\n")


def _users(args: argparse.Namespace) -> int:
    from alignment.access.accounts import accounts
    from alignment.access.accounts import add_user
    from alignment.access.accounts import check_password

    store = open_store()
    if args.users_command == "list":
        with store.session() as session:
            for account in accounts(session, COMMAND_LINE):
                state = "active" if account.active else "switched off"
                login = "password" if account.has_password else "single sign-on only"
                print(f"{account.email:<40} {account.role:<7} {account.name} ({state}, {login})")
        return 0
    password = None if args.sso_only else _read_password(args.email)
    if password is not None:
        check_password(password)
    with store.session() as session:
        add_user(session, COMMAND_LINE, args.email, args.name, args.role, password)
    print(f"Added {args.email.strip().lower()} as {args.role}.")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from alignment.records.audit import Head
    from alignment.records.audit import verify

    witness = Head.parse(args.head) if args.head is not None else None
    store = open_store()
    with store.session() as session:
        check = verify(session, COMMAND_LINE, witness)
    if check.intact:
        print(
            f"The audit trail is intact: {check.events:,} events, every link verified; "
            f"{check.signatures:,} signed definition versions match their sign-off."
        )
        if check.witness is not None:
            print(
                f"Nothing up to event {check.witness.sequence} changed since the head "
                f"{check.witness.text} was printed."
            )
        return 0
    if check.broken_at is None:
        raise ValidationFailed(f"The audit trail does not hold: {check.reason}.")
    raise ValidationFailed(f"The audit trail is broken at event {check.broken_at}: {check.reason}.")
