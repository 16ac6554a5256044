"""The forecast from a spreadsheet: the CMO's own CSV or XLSX, one row per month, channel
and campaign, read with the import kit every import uses (``read_table``, the mapping kit
``column_mapping``, the month and amount readers), and written all or nothing.

Every bad cell is named by row and column; a row for a month that is over or closed, a
row repeating another, a negative or unreadable figure, each refuses the whole file."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.files import column_mapping
from alignment.files.cells import name_problem
from alignment.files.cells import parse_amounts
from alignment.files.cells import parse_months
from alignment.files.column_mapping import FileColumns
from alignment.files.spreadsheet import MONTH_HEADERS
from alignment.files.spreadsheet import CellProblem
from alignment.files.spreadsheet import read_table
from alignment.files.spreadsheet import row_problem
from alignment.files.spreadsheet import source_name as default_source_name
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import ValidationFailed
from alignment.shared.money import to_cents
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from alignment.spend.forecast import ForecastBasis
from alignment.spend.forecast import closed_months
from alignment.spend.forecast import counts_actuals
from alignment.spend.forecast import forecast_year
from db.models import FORECAST_FIGURES
from db.models import Channel
from db.models import ForecastLine

PROBLEMS_SHOWN = 200

ALIASES = {
    "month": MONTH_HEADERS,
    "channel": ("channel", "kanal", "canal", "medium", "channel_name"),
    "campaign": ("campaign", "kampagne", "campagne", "campaign_name"),
    "spend": ("spend", "forecast_spend", "forecast", "cost", "budget"),
    "pipeline": ("pipeline", "forecast_pipeline", "attributed_pipeline"),
    "revenue": ("revenue", "forecast_revenue", "attributed_revenue"),
    "new_customers": ("new_customers", "customers", "new_logos", "deals_won"),
}
"""The names a forecast column goes by, from which the mapping form suggests."""

COLUMNS = FileColumns(
    "forecast",
    {
        "month": "Month",
        "channel": "Channel",
        "campaign": "Campaign",
        "spend": "Spend",
        "pipeline": "Pipeline",
        "revenue": "Revenue",
        "new_customers": "New customers",
    },
    ("month", "channel"),
    ALIASES,
)
"""The forecast file's columns: its own headers map themselves; any other file is mapped
once per source, like the budget."""


@dataclass(frozen=True)
class ForecastFile:
    """A forecast file read and checked; nothing is written until it is applied."""

    file_name: str
    rows: int
    lines: pd.DataFrame
    fields: tuple[str, ...]
    problems: list[CellProblem | str] = field(default_factory=list)
    new_channels: tuple[str, ...] = ()
    source_name: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)

    @property
    def can_import(self) -> bool:
        return not self.problems and not self.lines.empty

    @property
    def summary(self) -> str:
        if self.problems:
            return (
                f"{len(self.problems):,} problem(s) in {self.file_name}; nothing can be "
                f"imported until each is fixed. The first: {self.problems[0]}"
            )
        months = sorted(set(self.lines["month"]))
        span = month_label(months[0]) + (
            f" to {month_label(months[-1])}" if len(months) > 1 else ""
        )
        return f"{len(self.lines):,} forecast lines for {span} in {self.file_name}."


def remembered_mapping(session: Session, source: str) -> dict[str, str] | None:
    return column_mapping.remembered_mapping(session, COLUMNS.kind, source)


def read_forecast_file(
    session: Session,
    actor: Actor,
    data: bytes,
    file_name: str,
    sheet: str | None = None,
    *,
    given: dict[str, str] | None = None,
    remembered: dict[str, str] | None = None,
    source_name: str | None = None,
) -> ForecastFile:
    """Read and check a forecast file: every bad cell named by row and column; MappingNeeded
    when its headers are not the forecast's own and no mapping fits."""
    require(actor, Action.FORECAST)
    table = read_table(data, file_name, sheet)
    mapping = column_mapping.mapping_for(table, COLUMNS, given=given, remembered=remembered)
    header: dict[str, str | None] = {name: mapping.get(name) for name in COLUMNS.fields}
    month_column, channel_column = mapping["month"], mapping["channel"]
    fields = tuple(name for name in FORECAST_FIGURES if header[name] is not None)
    if not fields:
        raise ValidationFailed(
            f"{file_name} has no spend, pipeline, revenue or new customers column to forecast."
        )
    frame = table.frame
    months, month_reasons = parse_months(frame[month_column])
    figures = {
        name: parse_amounts(frame[str(header[name])], table.delimiter == ";") for name in fields
    }
    now = current_month(clock.today())
    closed = closed_months(session)
    year = forecast_year(session, actor)
    known = {name.lower(): name for name in session.scalars(select(Channel.name)).all()}
    problems: list[CellProblem | str] = []
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str, str], int] = {}
    new_channels: dict[str, str] = {}
    for i, row in enumerate(frame["_row"].tolist()):
        bad = False
        month_text = str(frame[month_column].iloc[i])
        month = months.iloc[i]
        if pd.notna(month_reasons.iloc[i]):
            problems.append(CellProblem(row, month_column, month_text, month_reasons.iloc[i]))
            bad = True
        elif counts_actuals(month, now, closed):
            reason = "is over; its actuals count" if month < now else "is closed"
            problems.append(
                CellProblem(row, month_column, month_text, f"{reason}, so it takes no forecast")
            )
            bad = True
        elif month > year.last:
            problems.append(
                CellProblem(
                    row,
                    month_column,
                    month_text,
                    f"is after this fiscal year (which ends {month_label(year.last)})",
                )
            )
            bad = True
        channel = unicodedata.normalize("NFC", str(frame[channel_column].iloc[i]).strip())
        campaign = (
            ""
            if header["campaign"] is None
            else unicodedata.normalize("NFC", str(frame[header["campaign"]].iloc[i]).strip())
        )
        for column, label, text in (
            (channel_column, "channel", channel),
            (header["campaign"], "campaign", campaign),
        ):
            problem = (
                None if column is None else name_problem(text, label, required=label == "channel")
            )
            if problem:
                problems.append(row_problem(row, str(column), problem))
                bad = True
        values: dict[str, object] = {}
        for name, (parsed, reasons) in figures.items():
            column = str(header[name])
            text = str(frame[column].iloc[i])
            if pd.notna(reasons.iloc[i]):
                problems.append(CellProblem(row, column, text, reasons.iloc[i]))
                bad = True
                continue
            number = parsed.iloc[i]
            if pd.isna(number):
                values[name] = None
            elif number < 0:
                problems.append(CellProblem(row, column, text, "is negative; a forecast cannot be"))
                bad = True
            elif name == "new_customers":
                if number != int(number):
                    problems.append(
                        CellProblem(row, column, text, "is not a whole number of customers")
                    )
                    bad = True
                else:
                    values[name] = int(number)
            else:
                values[name] = to_cents(Decimal(str(number)))
        if bad:
            continue
        key = (month, channel.lower(), campaign.lower())
        if key in seen:
            problems.append(
                f"Row {row} repeats row {seen[key]} (the same month, channel and campaign)."
            )
            continue
        seen[key] = row
        if channel.lower() not in known:
            new_channels.setdefault(channel.lower(), channel)
        rows.append(
            {
                "month": month,
                "channel": known.get(channel.lower(), channel),
                "campaign": campaign,
                **values,
            }
        )
    lines = pd.DataFrame(rows, columns=["month", "channel", "campaign", *fields])
    return ForecastFile(
        file_name=file_name,
        rows=table.rows,
        lines=lines,
        fields=fields,
        problems=problems,
        new_channels=tuple(sorted(new_channels.values())),
        source_name=source_name or default_source_name(file_name),
        mapping=mapping,
        headers=list(table.headers),
    )


def import_forecast(session: Session, actor: Actor, forecast_file: ForecastFile) -> int:
    """Write a checked forecast file, or nothing: each line of the file replaces the figures
    its columns hold (marked imported); lines not in the file are left as they were."""
    with writing(session, actor, Action.FORECAST) as w:
        if forecast_file.problems:
            raise ValidationFailed(f"Nothing was imported: {forecast_file.summary}")
        if forecast_file.lines.empty:
            raise ValidationFailed(f"Nothing was imported: {forecast_file.file_name} has no lines.")
        closed = closed_months(session)
        now = current_month(clock.today())
        stamp = clock.utc_second()
        channels = {
            name.lower(): channel_id
            for channel_id, name in session.execute(select(Channel.id, Channel.name))
        }
        written = 0
        for row in forecast_file.lines.to_dict("records"):
            month = str(row["month"])
            if counts_actuals(month, now, closed):
                raise ValidationFailed(
                    f"Nothing was imported: {month_label(month)} closed while the file was "
                    "being checked; its actuals count."
                )
            name = str(row["channel"])
            channel_id = channels.get(name.lower())
            if channel_id is None:
                channel = Channel(name=name)
                session.add(channel)
                session.flush()
                channel_id = channels[name.lower()] = channel.id
            line = session.scalar(
                select(ForecastLine).where(
                    ForecastLine.month == month,
                    ForecastLine.channel_id == channel_id,
                    func.lower(ForecastLine.campaign) == str(row["campaign"]).lower(),
                )
            )
            if line is None:
                line = ForecastLine(month=month, channel_id=channel_id, campaign=row["campaign"])
                session.add(line)
            for figure in forecast_file.fields:
                value = row[figure]
                value = None if value is None or pd.isna(value) else int(value)
                setattr(line, figure, value)
                setattr(line, f"{figure}_from", str(ForecastBasis.IMPORTED))
            line.source_file = forecast_file.file_name
            line.entered_by_id, line.entered_at = actor.user_id, stamp
            written += 1
        session.flush()
        column_mapping.remember_mapping(
            w, COLUMNS, forecast_file.source_name, forecast_file.mapping, forecast_file.headers
        )
        w.record(
            "import_forecast",
            "forecast",
            forecast_file.file_name,
            None,
            {
                "file": forecast_file.file_name,
                "lines": written,
                "fields": list(forecast_file.fields),
                "new_channels": list(forecast_file.new_channels),
            },
        )
        return written
