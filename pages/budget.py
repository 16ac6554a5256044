"""Budget & return: the CMO's figures by month, channel and campaign; import, export,
finance reconciliation and the baseline. Everyone reads; each role changes only its part."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from typing import TypeVar

import pandas as pd
import streamlit as st

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.files.export import to_csv
from alignment.files.export import to_xlsx
from alignment.files.spreadsheet import sheet_names
from alignment.files.spreadsheet import source_name
from alignment.shared import formatting as fmt
from alignment.shared.errors import SamePageError
from alignment.shared.periods import Period
from alignment.shared.periods import month_label
from alignment.shared.periods import range_period
from alignment.shared.periods import short_month_label
from alignment.shared.status import fill_style
from alignment.shared.status import ink_style
from alignment.spend import budget
from alignment.spend import budget_import
from alignment.spend import commitment_import
from alignment.spend import commitments
from alignment.spend import forecast
from alignment.spend import forecast_import
from alignment.spend import invoice_import
from alignment.spend import invoices
from alignment.spend import landing
from alignment.spend.budget_import import FIELD_LABELS
from alignment.spend.budget_import import FIELDS
from alignment.spend.budget_import import MappingNeeded
from alignment.spend.overview import figure_months
from alignment.spend.overview import return_by_channel
from alignment.spend.overview import spend_over_time
from alignment.spend.reconciliation import apply_finance_file
from alignment.spend.reconciliation import book_matched_invoices
from alignment.spend.reconciliation import gap_words
from alignment.spend.reconciliation import month_status
from alignment.spend.reconciliation import read_finance_file
from alignment.spend.reconciliation import reconcile_month
from alignment.spend.reconciliation import record_finance_spend
from alignment.spend.reconciliation import reopen_month
from ui import charts
from ui.context import Session
from ui.context import Write
from ui.context import act
from ui.context import actor
from ui.context import made_on_click
from ui.context import profile
from ui.context import save_grid
from ui.context import store
from ui.widgets import as_text
from ui.widgets import drawn
from ui.widgets import mapping_form
from ui.widgets import period_picker
from ui.widgets import refusal
from ui.widgets import show_chart
from ui.widgets import show_grid_refusal
from ui.widgets import shown_grid
from ui.widgets import side_by_side
from ui.widgets import text_table

GRID_LIMIT = 2_000
STYLE_OPEN = ink_style("amber")
STYLE_STALE = fill_style("amber", bold=False)
MONEY_COLUMNS = list(budget_import.AMOUNTS)


def page() -> None:
    me = actor()
    company = profile()
    cur = company.currency
    st.title("Budget & return")
    if flash := st.session_state.pop("budget_flash", None):
        st.success(flash, icon=":material/check:")
    show_grid_refusal()
    with store().session() as session:
        choices = figure_months(session, me)
        channels = budget.channels(session, me)
    if not choices.months and not can(me, Action.ENTER_FIGURES):
        st.info("No budget figures yet. The CMO enters or imports them here.")
        return
    if choices.months:
        with st.columns([3, 2], vertical_alignment="bottom")[0]:
            period = period_picker(
                choices.months,
                company.fiscal_year_start_month,
                key="budget",
                opening=choices.opening,
            )
    (
        charts_tab,
        figures_tab,
        forecast_tab,
        committed_tab,
        invoices_tab,
        import_tab,
        months_tab,
    ) = st.tabs(
        [
            "Charts",
            "Figures",
            "Forecast and landing",
            "Committed spend",
            "Invoices",
            "Import",
            "Months and reconciliation",
        ],
        key="budget_tab",
        on_change="rerun",
        bind="query-params",
        default=None if choices.months else "Import",
    )
    if import_tab.open:
        with import_tab:
            _import_section(cur)
    if not choices.months:
        return
    if charts_tab.open:
        with charts_tab:
            _charts(me, period, cur)
    if figures_tab.open:
        with figures_tab:
            _figures(period, channels, cur)
    if forecast_tab.open:
        with forecast_tab:
            _forecast(period, cur)
    if committed_tab.open:
        with committed_tab:
            _committed(period, cur)
    if invoices_tab.open:
        with invoices_tab:
            _invoices(period, cur)
    if months_tab.open:
        with months_tab:
            _reconciliation(period, cur)


def _charts(me: Actor, period: Period, cur: str) -> None:
    with store().session() as session:
        trend = spend_over_time(session, me, period.last, months=24)
        by_channel = return_by_channel(session, me, period)
    st.caption(f"{period.label}. Return figures are attributed, not incremental.")
    side_by_side(
        ("Planned vs actual spend by month", drawn(charts.budget_vs_spend, trend, period, cur)),
        ("Spend variance by channel", drawn(charts.variance_by_channel, by_channel, cur)),
    )
    roas, romi = drawn(charts.return_ratios_by_channel, by_channel)
    side_by_side(("ROAS by channel", roas), ("ROMI (attributed) by channel", romi))
    st.subheader("Pipeline and revenue against spend")
    show_chart(drawn(charts.return_against_spend, by_channel, cur))


@st.fragment
def _figures(period: Period, channels: list[str], cur: str) -> None:
    """The lines of the period, for the channels picked here: a new pick, an edit or a
    download reruns this part only. Who is acting is checked again on each of its reruns."""
    me = actor()
    chosen = st.multiselect("Channels", channels, placeholder="All channels", key="budget_channels")
    with store().session() as session:
        total = budget.count_lines(session, me, period, chosen or None)
        lines = budget.budget_lines(session, me, period, chosen or None, limit=GRID_LIMIT)
        freshness = budget.month_freshness(session, me, period)
    stale = freshness[freshness["stale"]]
    for row in stale.itertuples():
        st.warning(
            f"{month_label(row.month)} has not been updated for {row.days_since_update} days "
            f"(last by {as_text(row.updated_by or 'the command line')}) and finance has not "
            "reconciled it.",
            icon=":material/schedule:",
        )
    locked = sorted(freshness[freshness["reconciled"]]["month"])
    shown = f"the first {GRID_LIMIT:,} of " if total > GRID_LIMIT else ""
    st.caption(
        f"Showing {shown}{total:,} lines for {period.label}."
        + (
            f" Locked by finance: {', '.join(short_month_label(m) for m in locked)}."
            if locked
            else ""
        )
    )
    config = {
        "month": st.column_config.TextColumn(
            "Month", help="YYYY-MM", required=True, validate=r"^\d{4}-\d{2}$"
        ),
        "channel": st.column_config.TextColumn("Channel", required=True, max_chars=200),
        "campaign": st.column_config.TextColumn("Campaign", max_chars=200),
        **{
            name: st.column_config.NumberColumn(FIELD_LABELS[name], min_value=0, format="localized")
            for name in MONEY_COLUMNS
        },
        "new_customers": st.column_config.NumberColumn("New customers", min_value=0, step=1),
        "baseline_budget": st.column_config.NumberColumn("Baseline", format="localized"),
        "source": st.column_config.TextColumn("Source"),
        "source_file": st.column_config.TextColumn("File"),
        "entered_by": st.column_config.TextColumn("Entered by"),
        "entered_at": st.column_config.DatetimeColumn("Updated", format="D MMM YYYY, HH:mm"),
    }
    order = [*FIELDS, "baseline_budget", "source", "source_file", "entered_by", "entered_at"]
    if can(me, Action.ENTER_FIGURES):
        grid = shown_grid("budget_grid", lines, period.code, "|".join(chosen))
        st.data_editor(
            grid.frame,
            key=grid.key,
            num_rows="dynamic",
            hide_index=True,
            column_order=order,
            column_config=config,
            disabled=["baseline_budget", "source", "source_file", "entered_by", "entered_at"],
            width="stretch",
            height=420,
        )
        if st.button("Save changes", type="primary", key="budget_save"):
            save_grid(
                grid,
                me,
                budget.changes_from_editor,
                budget.save_changes,
                lambda saved: saved.summary,
                flash_key="budget_flash",
            )
    else:
        st.dataframe(
            lines,
            hide_index=True,
            column_order=order,
            column_config=config,
            width="stretch",
            height=420,
        )
        st.caption("Only the CMO enters figures; the CFO reconciles them with finance.")
    left, right, _ = st.columns([1, 1, 4])
    stem = f"budget-{period.code.replace('..', '-to-')}"

    def export(session: Session, me: Actor) -> pd.DataFrame:
        return budget.export_frame(session, me, period, chosen or None)

    left.download_button(
        "Download CSV",
        made_on_click(lambda session, me: to_csv(export(session, me))),
        f"{stem}.csv",
        "text/csv",
        icon=":material/download:",
        key="budget_csv",
    )
    right.download_button(
        "Download XLSX",
        made_on_click(lambda session, me: to_xlsx({"Budget lines": export(session, me)})),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="budget_xlsx",
    )


@st.fragment
def _import_section(cur: str) -> None:
    """Upload, sheet, source name, column mapping and preview rerun this part only; the
    import itself reruns the page, so every figure on it is new."""
    me = actor()
    if not can(me, Action.ENTER_FIGURES):
        st.info("Only the CMO imports budget figures.")
        return
    st.write(
        "Import the spreadsheet you already keep: CSV or XLSX, one row per month, channel and "
        "campaign. Nothing is written until you confirm the preview, and one bad cell means "
        "nothing is written at all."
    )
    picked = _pick_file("budget", "Budget file")
    if picked is None:
        return
    done = _read_and_preview(
        picked,
        "budget",
        budget_import.remembered_mapping,
        lambda given, known: _read_kind("budget", picked, given, known),
        lambda session, parsed: budget_import.preview_import(session, me, parsed),
    )
    if done is None:
        return
    parsed, preview = done
    _show_preview(preview, cur)
    label = f"Import {preview.new:,} new and {preview.changed:,} changed lines"
    if st.button(label, type="primary", disabled=not preview.can_import, key="budget_confirm"):
        result = _with_progress(
            parsed.table.rows,
            lambda session, progress: budget_import.import_budget(
                session, me, parsed, progress=progress
            ),
        )
        if result is None:
            return
        _read_file.clear()
        st.session_state["budget_upload_generation"] = picked.generation + 1
        st.session_state["budget_flash"] = (
            f"Imported {result.new:,} new and {result.changed:,} changed lines from "
            f"{as_text(result.file_name)}."
        )
        st.rerun()


Done = TypeVar("Done")


def _with_progress(
    rows: int, run: Callable[[Session, Callable[[float, str], None] | None], Done]
) -> Done | None:
    """Run an import's write, with a progress bar for files of more than 10,000 rows; its
    refusal is shown as an error and None returned."""
    bar = st.progress(0.0, text="Importing…") if rows > 10_000 else None

    def progress(fraction: float, message: str) -> None:
        if bar is not None:
            bar.progress(fraction, text=message)

    try:
        with store().session() as session:
            return run(session, progress if bar else None)
    except SamePageError as exc:
        refusal(exc)
        return None


@dataclass(frozen=True)
class _Picked:
    """A file chosen for an import: its bytes, the sheet and the source name its column
    mapping is remembered under."""

    name: str
    data: bytes
    sheet: str | None
    source: str
    generation: int


def _pick_file(key: str, label: str) -> _Picked | None:
    """The uploader, sheet and source name every import of a team's own export starts with;
    ``{key}_upload_generation`` moves on after an import, which empties the uploader."""
    generation = st.session_state.setdefault(f"{key}_upload_generation", 0)
    upload = st.file_uploader(label, type=["csv", "xlsx", "txt"], key=f"{key}_upload_{generation}")
    if upload is None:
        return None
    data = upload.getvalue()
    sheets = sheet_names(data)
    sheet = st.selectbox("Sheet", sheets, key=f"{key}_sheet") if len(sheets) > 1 else None
    source = st.text_input(
        "Source name",
        value=source_name(upload.name),
        key=f"{key}_source",
        help="Column mappings are remembered under this name.",
    )
    return _Picked(upload.name, data, sheet, source, generation)


Read = TypeVar("Read")
Shown = TypeVar("Shown")


def _read_and_preview(
    picked: _Picked,
    key: str,
    remembered: Callable[[Session, str], dict[str, str] | None],
    read: Callable[[dict[str, str] | None, dict[str, str] | None], Read],
    preview: Callable[[Session, Read], Shown],
) -> tuple[Read, Shown] | None:
    """Every import's first steps: the file read with the mapping the person gave (kept
    under ``{key}_mapping``) or the one remembered for its source, the mapping form when
    neither fits, then the preview; a refusal is shown and None returned."""
    given = st.session_state.get(f"{key}_mapping", {}).get(picked.source)
    try:
        with store().session() as session:
            known = remembered(session, picked.source)
        try:
            checked = read(given, known)
        except MappingNeeded as needed:
            mapping_form(needed, picked.source, f"{key}_mapping")
            return None
        with store().session() as session:
            return checked, preview(session, checked)
    except SamePageError as exc:
        refusal(exc)
        return None


def _frozen(mapping: dict[str, str] | None) -> tuple[tuple[str, str], ...] | None:
    return tuple(sorted(mapping.items())) if mapping else None


def _read_kind(
    kind: str, picked: _Picked, given: dict[str, str] | None, known: dict[str, str] | None
) -> Any:
    return _read_file(
        kind, picked.data, picked.name, picked.sheet, _frozen(given), _frozen(known), picked.source
    )


# Each import's reader; each takes the file, its sheet, the mappings and the source name.
READERS = {
    "budget": budget_import.read_for_import,
    "orders": commitment_import.read_commitment_file,
    "invoices": invoice_import.read_invoice_file,
}


@st.cache_data(show_spinner="Reading the file…", max_entries=4)
def _read_file(
    kind: str,
    data: bytes,
    name: str,
    sheet: str | None,
    given: tuple[tuple[str, str], ...] | None,
    remembered: tuple[tuple[str, str], ...] | None,
    source: str,
) -> Any:
    """A file read and checked once per content, sheet and mapping: reading a million
    lines takes seconds, and the page reruns on every click."""
    return READERS[kind](
        data,
        name,
        sheet=sheet,
        given=dict(given) if given else None,
        remembered=dict(remembered) if remembered else None,
        source_name=source,
    )


def _show_preview(preview: budget_import.ImportPreview, cur: str) -> None:
    st.subheader("Preview")
    cells = st.columns(5)
    cells[0].metric("Rows", f"{preview.rows:,}")
    cells[1].metric("New", f"{preview.new:,}")
    cells[2].metric("Changed", f"{preview.changed:,}")
    cells[3].metric("Unchanged", f"{preview.unchanged:,}")
    cells[4].metric("Problems", f"{preview.problem_count:,}")
    if preview.first_month and preview.last_month:
        st.caption(
            f"{as_text(preview.file_name)}: {short_month_label(preview.first_month)} to "
            f"{short_month_label(preview.last_month)}; columns "
            f"{', '.join(FIELD_LABELS[f] for f in preview.fields)}."
        )
    if preview.dated_rows:
        st.caption(preview.summary())
    if preview.totals:
        st.caption(
            "Totals in this file: "
            + "; ".join(
                f"{FIELD_LABELS[name]} "
                + (fmt.count(total) if name == "new_customers" else fmt.money_exact(total, cur))
                for name, total in preview.totals.items()
            )
            + "."
        )
    if preview.ignored_columns:
        st.caption(f"Ignored columns: {', '.join(map(as_text, preview.ignored_columns))}.")
    if preview.new_channels:
        st.info(
            f"New channels: {', '.join(map(as_text, preview.new_channels))}.",
            icon=":material/add:",
        )
    if preview.problem_count:
        st.error(
            f"{preview.problem_count:,} cell(s) cannot be imported; fix them in the file and "
            "upload it again. Nothing will be written until every cell is right.",
            icon=":material/error:",
        )
        st.dataframe(
            pd.DataFrame([vars(p) for p in preview.problems]),
            hide_index=True,
            width="stretch",
            column_config={
                "row": "Row",
                "column": "Column",
                "value": "Value",
                "reason": st.column_config.TextColumn("Problem", width="large"),
            },
        )
    elif preview.new + preview.changed == 0:
        st.success("Every line in this file is already in SamePage exactly as it is.")
    if not preview.to_write.empty and not preview.problem_count:
        shown = len(preview.to_write)
        total = preview.new + preview.changed
        first = f"the first {shown} of " if total > shown else ""
        st.write(f"Lines this import writes ({first}{total:,})")
        st.dataframe(
            preview.to_write,
            hide_index=True,
            width="stretch",
            column_config={
                "what": "New or changed",
                "month": "Month",
                "channel": "Channel",
                "campaign": "Campaign",
                **{
                    name: st.column_config.NumberColumn(
                        FIELD_LABELS[name],
                        format="localized" if name == "new_customers" else "accounting",
                    )
                    for name in budget_import.FIGURES
                },
            },
        )
    if not preview.changes.empty:
        st.write("Changed figures")
        st.dataframe(preview.changes, hide_index=True, width="stretch")


@st.fragment
def _forecast(period: Period, cur: str) -> None:
    """Where the fiscal year (or quarter) of the month picked will land, and the forecast
    behind it; the scope and the forecast's grid rerun this part only."""
    me = actor()
    scope = st.segmented_control(
        "Land the", ["year", "quarter"], default="year", required=True, key="landing_scope"
    )
    with store().session() as session:
        if scope == "quarter":
            span = landing.fiscal_quarter(session, me, period.last)
        else:
            span = landing.fiscal_year(session, me, period.last)
        landed = landing.landing(session, me, span)
        lines = forecast.forecast_frame(session, me, period.last)
        path = landing.landing_path(session, me, span)
        accuracy = landing.forecast_accuracy(session, me, span)
    total = landed.total
    cells = st.columns(4)
    cells[0].metric("Landing", fmt.money(total.landing, cur))
    cells[1].metric(
        "Against the plan",
        fmt.money(total.gap_to_plan, cur),
        fmt.percent(total.gap_to_plan_pct, signed=True),
        delta_color="inverse",
        help=f"Plan {fmt.money(total.plan, cur)}",
    )
    cells[2].metric(
        "Against the baseline",
        fmt.money(total.gap_to_baseline, cur) if total.baseline is not None else "not locked",
        fmt.percent(total.gap_to_baseline_pct, signed=True) if total.baseline is not None else None,
        delta_color="inverse",
    )
    cells[3].metric("Actual to date", fmt.money(total.actual_to_date, cur))
    st.caption(_landing_words(landed))
    if landed.unplanned_words:
        st.warning(landed.unplanned_words, icon=":material/event_busy:")
    if landed.channels:
        text_table(
            pd.DataFrame(
                [
                    {
                        "Channel": line.channel,
                        "Actual to date": fmt.money(line.actual_to_date, cur),
                        "Forecast for the rest": fmt.money(line.forecast_rest, cur),
                        "Landing": fmt.money(line.landing, cur),
                        "Plan": fmt.money(line.plan, cur),
                        "Against the plan": _gap(line.gap_to_plan, line.gap_to_plan_pct, cur),
                        "Baseline": fmt.money(line.baseline, cur),
                        "Against the baseline": _gap(
                            line.gap_to_baseline, line.gap_to_baseline_pct, cur
                        ),
                        "Months on plan": line.months_on_plan or "",
                    }
                    for line in (*landed.channels, total)
                ]
            ).set_index("Channel")
        )
    moved, trusted = st.columns(2, gap="large")
    with moved:
        st.subheader("How the landing moved")
        show_chart(drawn(charts.landing_path, path, cur))
        st.caption("Each point is the landing a closed review kept; the last is today's.")
    with trusted:
        st.subheader("Whose forecasts came true")
        shown = _accuracy_table(accuracy)
        if isinstance(shown, str):
            st.info(shown)
        else:
            text_table(shown, hide_index=True)
            st.caption(
                "Mean absolute percentage error of each month's last forecast against what "
                "happened; a month with nothing recorded is left out."
            )
    st.subheader("The forecast")
    if can(me, Action.FORECAST):
        _start_forecast_form(me)
        _forecast_import(me)
    if lines.empty:
        st.info(
            "No forecast yet: the months to come count the current plan. "
            + ("Start the forecast above." if can(me, Action.FORECAST) else "The CMO forecasts.")
        )
        return
    config = {
        "month": st.column_config.TextColumn("Month"),
        "channel": st.column_config.TextColumn("Channel"),
        "campaign": st.column_config.TextColumn("Campaign"),
        **{
            name: st.column_config.NumberColumn(
                forecast.FIGURE_LABELS[name].capitalize(),
                min_value=0,
                step=1 if name == "new_customers" else None,
                format="localized",
            )
            for name in forecast.FIGURE_LABELS
        },
        **{
            f"{name}_from": st.column_config.TextColumn(
                f"{forecast.FIGURE_LABELS[name].capitalize()} from"
            )
            for name in forecast.FIGURE_LABELS
        },
        "entered_by": st.column_config.TextColumn("Entered by"),
    }
    order = list(config)
    if can(me, Action.FORECAST):
        grid = shown_grid("forecast_grid", lines, period.last[:4])
        st.data_editor(
            grid.frame,
            key=grid.key,
            num_rows="fixed",
            hide_index=True,
            column_order=order,
            column_config=config,
            disabled=[c for c in order if c not in forecast.FIGURE_LABELS],
            width="stretch",
            height=420,
        )
        if st.button("Save the forecast", type="primary", key="forecast_save"):
            save_grid(
                grid,
                me,
                forecast.edits_from_editor,
                forecast.save_forecast,
                lambda saved: saved.summary,
                flash_key="budget_flash",
            )
    else:
        st.dataframe(
            lines, hide_index=True, column_order=order, column_config=config, width="stretch"
        )


def _start_forecast_form(me: Actor) -> None:
    with st.expander("Start the forecast afresh", icon=":material/restart_alt:"):
        st.caption(
            "Fills every month still to come of this fiscal year, replacing what the forecast "
            "held for them."
        )
        with st.form("forecast_start"):
            a, b = st.columns(2)
            basis = a.radio(
                "From",
                [forecast.ForecastBasis.PLAN, forecast.ForecastBasis.RUN_RATE],
                format_func=lambda b: (
                    "the current plan"
                    if b == forecast.ForecastBasis.PLAN
                    else "the recent run rate"
                ),
                key="forecast_basis",
            )
            months = b.number_input(
                "Complete months to average", 1, 24, forecast.RUN_RATE_MONTHS, key="forecast_months"
            )
            if st.form_submit_button("Start the forecast", type="primary"):
                act(
                    lambda s: forecast.start_forecast(s, me, basis, months=int(months)),
                    "Forecast started.",
                    flash_key="budget_flash",
                )


def _forecast_import(me: Actor) -> None:
    with st.expander("Import the forecast from a file", icon=":material/upload_file:"):
        st.caption(
            "CSV or XLSX: month, channel, campaign, and any of spend, pipeline, revenue and new "
            "customers. Each line of the file replaces those figures; one bad cell and nothing "
            "is imported."
        )
        picked = _pick_file("forecast", "Forecast file")
        if picked is None:
            return

        def read(
            given: dict[str, str] | None, known: dict[str, str] | None
        ) -> forecast_import.ForecastFile:
            with store().session() as session:
                return forecast_import.read_forecast_file(
                    session,
                    me,
                    picked.data,
                    picked.name,
                    picked.sheet,
                    given=given,
                    remembered=known,
                    source_name=picked.source,
                )

        done = _read_and_preview(
            picked,
            "forecast",
            forecast_import.remembered_mapping,
            read,
            lambda _session, checked: checked,
        )
        if done is None:
            return
        checked = done[0]
        if checked.problems:
            st.error(as_text(checked.summary), icon=":material/error:")
            text_table(
                pd.DataFrame(
                    {
                        "Problem": [
                            str(p) for p in checked.problems[: forecast_import.PROBLEMS_SHOWN]
                        ]
                    }
                ),
                hide_index=True,
            )
            return
        st.write(as_text(checked.summary))
        if checked.new_channels:
            st.info(
                f"New channels: {', '.join(map(as_text, checked.new_channels))}.",
                icon=":material/add:",
            )
        if st.button(
            f"Import {len(checked.lines):,} forecast line(s)",
            type="primary",
            key="forecast_confirm",
        ):
            st.session_state["forecast_upload_generation"] = picked.generation + 1
            act(
                lambda s: forecast_import.import_forecast(s, me, checked),
                f"Imported {len(checked.lines):,} forecast line(s) from {as_text(picked.name)}.",
                flash_key="budget_flash",
            )


@st.fragment
def _committed(period: Period, cur: str) -> None:
    """Per month and channel of the period: planned, committed, actual and what is still
    available; the purchase orders behind it, and for the CMO a form to add one."""
    me = actor()
    with store().session() as session:
        position = commitments.spend_position(session, me, period)
        listed = commitments.commitments(session, me)
    st.caption(
        f"{period.label}. Available = plan - actual - open commitments (what invoices have "
        "not matched yet). A negative figure is money promised beyond the plan."
    )
    if position.empty:
        st.info("No plan, spend or commitment in these months.")
    else:
        money_columns = ["planned", "committed", "actual", "available"]
        shown = position.assign(month=position["month"].map(short_month_label))
        for column in money_columns:
            shown[column] = [fmt.money(v, cur) for v in shown[column]]
        text_table(
            shown.rename(
                columns={
                    "month": "Month",
                    "channel": "Channel",
                    "planned": "Planned",
                    "committed": "Committed",
                    "actual": "Actual",
                    "available": "Available",
                }
            )
            .style.map(
                lambda v: STYLE_OPEN if isinstance(v, str) and v.startswith("-") else "",
                subset=["Available"],
            )
            .hide(axis="index")
        )
    if can(me, Action.COMMIT_SPEND):
        _commitment_form(me)
        _orders_import(me, cur)
    st.subheader("Purchase orders")
    if listed.empty:
        st.info("No purchase order is recorded as committed spend yet.")
        return
    for column in ("amount", "invoiced", "open"):
        listed[column] = [fmt.money_exact(v, cur) for v in listed[column]]
    text_table(
        listed.fillna("").rename(
            columns={
                "po_number": "PO",
                "vendor": "Vendor",
                "channel": "Channel",
                "campaign": "Campaign",
                "months": "Months",
                "amount": "Amount",
                "invoiced": "Invoiced",
                "open": "Open",
                "over_plan_reason": "Over plan because",
                "entered_by": "Entered by",
            }
        ),
        hide_index=True,
    )


def _commitment_form(me: Actor) -> None:
    with st.expander("Record a purchase order", icon=":material/request_quote:"):
        with st.form("commitment_form"):
            a, b, c = st.columns(3)
            po_number = a.text_input("PO number", key="po_number")
            vendor = b.text_input("Vendor", key="po_vendor")
            amount = c.text_input("Amount", key="po_amount", placeholder="12500")
            d, e, f, g = st.columns(4)
            channel = d.text_input("Channel", key="po_channel")
            campaign = e.text_input("Campaign (optional)", key="po_campaign")
            first = f.text_input("From (YYYY-MM)", key="po_first")
            last = g.text_input("To (YYYY-MM, optional)", key="po_last")
            reason = st.text_input(
                "Why above the plan (only when it is)",
                key="po_reason",
                help="A purchase order above what the plan leaves available is saved only with "
                "a reason, which the audit trail keeps.",
            )
            if st.form_submit_button("Commit", type="primary"):
                typed = commitments.CommitmentInput(
                    po_number, vendor, channel, amount, first, last, campaign
                )
                act(
                    lambda s: commitments.record_commitment(s, me, typed, reason),
                    f"Committed {as_text(po_number.strip())}.",
                    flash_key="budget_flash",
                )


def _orders_import(me: Actor, cur: str) -> None:
    with st.expander("Import purchase orders from the ERP", icon=":material/upload_file:"):
        st.caption(
            "The ERP's export as it is (CSV or XLSX): PO number, vendor, channel, amount and "
            "the months each order covers. Its columns are mapped once per source. An order "
            "already recorded for the same vendor is updated from the file."
        )
        picked = _pick_file("orders", "Purchase order file")
        if picked is None:
            return
        done = _read_and_preview(
            picked,
            "orders",
            commitment_import.remembered_mapping,
            lambda given, known: _read_kind("orders", picked, given, known),
            lambda session, orders: commitment_import.preview_commitments(session, me, orders),
        )
        if done is None:
            return
        orders, preview = done
        cells = st.columns(5)
        cells[0].metric("Orders", f"{preview.rows:,}")
        cells[1].metric("New", f"{preview.new:,}")
        cells[2].metric("Changed", f"{preview.changed:,}")
        cells[3].metric("Unchanged", f"{preview.unchanged:,}")
        cells[4].metric("Problems", f"{preview.problem_count:,}")
        st.caption(
            f"The file's orders add up to {fmt.money_exact(preview.total, cur)}: check it "
            "against the ERP's own total."
        )
        _problems(preview.problems, preview.problem_count)
        if preview.new_channels:
            st.info(
                f"New channels: {', '.join(map(as_text, preview.new_channels))}.",
                icon=":material/add:",
            )
        if not preview.changes.empty:
            st.write("**Orders the file changes**")
            text_table(
                preview.changes.rename(
                    columns={"row": "Row", "po_number": "PO", "was": "Was", "now": "Now"}
                ),
                hide_index=True,
            )
        reason = ""
        if preview.over_plan:
            st.warning(
                as_text(
                    f"{len(preview.over_plan):,} order(s) are above what the plan leaves "
                    "available; they are imported only with a reason, which the audit keeps. "
                    + " ".join(o.words(cur) + "." for o in preview.over_plan[:5])
                ),
                icon=":material/warning:",
            )
            reason = st.text_input("Why commit them all the same", key="orders_reason")
        label = f"Import {preview.new:,} new and {preview.changed:,} changed purchase orders"
        if st.button(
            label,
            type="primary",
            key="orders_confirm",
            disabled=not preview.can_import or (preview.needs_reason and not reason.strip()),
        ):
            result = _with_progress(
                orders.table.rows,
                lambda session, progress: commitment_import.import_commitments(
                    session, me, orders, reason=reason, progress=progress
                ),
            )
            if result is None:
                return
            st.session_state["orders_upload_generation"] = picked.generation + 1
            st.session_state["budget_flash"] = (
                f"Imported {result.new:,} new and {result.changed:,} changed purchase orders "
                f"from {as_text(result.file_name)}."
            )
            st.rerun()


def _problems(problems: Sequence[object], count: int) -> None:
    """An import's problems: how many, and the first ones, each naming its row and column."""
    if not count:
        return
    st.error(
        f"{count:,} problem(s): nothing can be imported until each is fixed in the file.",
        icon=":material/error:",
    )
    text_table(pd.DataFrame({"Problem": [str(p) for p in problems]}), hide_index=True)


@st.fragment
def _invoices(period: Period, cur: str) -> None:
    """Finance's lines of the period: what matched a purchase order, what did not (with
    the order SamePage suggests), and the orders that need a look. The CFO imports and
    confirms here; a confirmation reruns the page."""
    me = actor()
    with store().session() as session:
        matching = invoices.invoice_matching(session, me, period)
    st.caption(
        f"{period.label}. Lines of finance's invoice register or ledger, matched to purchase "
        "orders by their PO reference; a matched line closes that much of its order."
    )
    if can(me, Action.RECONCILE_SPEND):
        _invoice_import(me, cur)
    cells = st.columns(4)
    cells[0].metric("Matched lines", f"{matching.matched_lines:,}")
    cells[1].metric("Matched", fmt.money(matching.matched_total, cur))
    cells[2].metric("Unmatched lines", f"{matching.unmatched_lines:,}")
    cells[3].metric("Unmatched", fmt.money(matching.unmatched_total, cur))
    if matching.empty:
        st.info(
            "No invoice line of finance's falls in these months yet. The CFO imports the "
            "invoice register or a ledger export here."
        )
    else:
        st.subheader("Unmatched lines")
        if matching.unmatched.empty:
            st.caption("Every line is matched to a purchase order.")
        else:
            _invoice_table(matching.unmatched, cur, suggested=True)
            if can(me, Action.RECONCILE_SPEND):
                _confirm_form(me, matching.unmatched, cur)
        st.subheader("Matched lines")
        if matching.matched.empty:
            st.caption("No line is matched to a purchase order yet.")
        else:
            _invoice_table(matching.matched, cur, suggested=False)
            if can(me, Action.RECONCILE_SPEND):
                _undo_form(me, matching.matched, cur)
    st.subheader(f"Orders with nothing invoiced after {matching.stale_after_days} days")
    if matching.stale.empty:
        st.caption("None: every order older than that has an invoice matched to it.")
    else:
        stale = matching.stale.assign(
            amount=[fmt.money_exact(v, cur) for v in matching.stale["amount"]],
            since=[fmt.date(d) for d in matching.stale["since"]],
        )
        text_table(
            stale.rename(
                columns={
                    "po_number": "PO",
                    "vendor": "Vendor",
                    "channel": "Channel",
                    "amount": "Amount",
                    "since": "Began",
                    "days": "Days without an invoice",
                }
            ),
            hide_index=True,
        )
    if not matching.over_invoiced.empty:
        st.warning(
            "Invoiced above the order: ask the CMO whether the order grew.",
            icon=":material/warning:",
        )
        over = matching.over_invoiced.copy()
        for column in ("amount", "invoiced", "above_by"):
            over[column] = [fmt.money_exact(v, cur) for v in over[column]]
        text_table(
            over.rename(
                columns={
                    "po_number": "PO",
                    "vendor": "Vendor",
                    "amount": "Ordered",
                    "invoiced": "Invoiced",
                    "above_by": "Above by",
                }
            ),
            hide_index=True,
        )


def _line_label(line: pd.Series, cur: str) -> str:
    number = f" {line['invoice_number']}" if line["invoice_number"] else ""
    return (
        f"{fmt.date(line['date'])} {line['vendor']}{number}, {fmt.money_exact(line['amount'], cur)}"
    )


def _invoice_table(lines: pd.DataFrame, cur: str, *, suggested: bool) -> None:
    shown = pd.DataFrame(
        {
            "Date": [fmt.date(d) for d in lines["date"]],
            "Vendor": lines["vendor"],
            "Invoice": lines["invoice_number"],
            "PO reference": lines["po_reference"],
            "GL account": lines["gl_account"],
            "Amount": [fmt.money_exact(v, cur) for v in lines["amount"]],
        }
    )
    if suggested:
        shown["Suggested PO"] = lines["po_number"].fillna("")
        shown["Why"] = lines["suggested_because"].fillna("")
    else:
        shown["PO"] = lines["po_number"]
        shown["Matched"] = lines["how"]
    text_table(shown, hide_index=True)


def _confirm_form(me: Actor, unmatched: pd.DataFrame, cur: str) -> None:
    with st.form("confirm_match_form"):
        st.write("**Match a line to a purchase order**")
        a, b = st.columns([3, 1])
        ids = [int(i) for i in unmatched["id"]]
        rows = unmatched.set_index("id")
        chosen = a.selectbox(
            "Line",
            ids,
            format_func=lambda i: _line_label(rows.loc[i], cur),
            key="match_line",
        )
        suggested = rows.loc[chosen, "po_number"] if chosen is not None else None
        po_number = b.text_input(
            "PO number",
            value="" if suggested is None or pd.isna(suggested) else str(suggested),
            key=f"match_po_{chosen}",
            help="The suggestion, if SamePage has one; any recorded PO number can be typed.",
        )
        if st.form_submit_button("Confirm the match", type="primary"):
            _act(
                lambda s: invoices.confirm_match(s, me, int(chosen), po_number),
                f"Matched the line to {as_text(po_number.strip())}.",
            )


def _undo_form(me: Actor, matched: pd.DataFrame, cur: str) -> None:
    with st.expander("Undo a match"):
        with st.form("undo_match_form"):
            rows = matched.set_index("id")
            chosen = st.selectbox(
                "Line",
                [int(i) for i in matched["id"]],
                format_func=lambda i: (
                    f"{_line_label(rows.loc[i], cur)} -> {rows.loc[i, 'po_number']}"
                ),
                key="unmatch_line",
            )
            reason = st.text_input("Why", key="unmatch_reason")
            if st.form_submit_button("Undo the match"):
                _act(
                    lambda s: invoices.undo_match(s, me, int(chosen), reason),
                    "The line is unmatched again.",
                )


def _invoice_import(me: Actor, cur: str) -> None:
    with st.expander("Import finance's invoice lines", icon=":material/upload_file:"):
        st.caption(
            "The invoice register or a ledger export as finance has it (CSV or XLSX): date, "
            "vendor, amount, and the PO reference, GL account and invoice number when it has "
            "them. Its columns are mapped once per source; one bad line and nothing is imported."
        )
        picked = _pick_file("invoices", "Invoice or ledger file")
        if picked is None:
            return
        done = _read_and_preview(
            picked,
            "invoices",
            invoice_import.remembered_mapping,
            lambda given, known: _read_kind("invoices", picked, given, known),
            lambda session, lines: invoice_import.preview_invoices(session, me, lines),
        )
        if done is None:
            return
        lines, preview = done
        cells = st.columns(4)
        cells[0].metric("Lines in the file", f"{preview.rows:,}")
        cells[1].metric("Match a PO", f"{preview.matched:,}")
        cells[2].metric("Match none", f"{preview.unmatched:,}")
        cells[3].metric("Problems", f"{preview.problem_count:,}")
        st.caption(
            f"{fmt.money_exact(preview.matched_total, cur)} matches purchase orders, "
            f"{fmt.money_exact(preview.unmatched_total, cur)} does not"
            + (f"; {preview.already:,} line(s) are already in the store" if preview.already else "")
            + "."
        )
        _problems(preview.problems, preview.problem_count)
        if not preview.by_order.empty:
            text_table(
                preview.by_order.assign(
                    amount=[fmt.money_exact(v, cur) for v in preview.by_order["amount"]]
                ).rename(columns={"po_number": "PO", "lines": "Lines", "amount": "Invoiced"}),
                hide_index=True,
            )
        if st.button(
            f"Import {preview.new:,} invoice line(s)",
            type="primary",
            key="invoices_confirm",
            disabled=not preview.can_import,
        ):
            result = _with_progress(
                lines.table.rows,
                lambda session, progress: invoice_import.import_invoices(
                    session, me, lines, progress=progress
                ),
            )
            if result is None:
                return
            _read_file.clear()
            st.session_state["invoices_upload_generation"] = picked.generation + 1
            st.session_state["budget_flash"] = (
                f"Imported {result.new:,} invoice line(s) from {as_text(result.file_name)}: "
                f"{result.matched:,} matched to a purchase order."
            )
            st.rerun()


def _accuracy_table(accuracy: landing.ForecastAccuracy) -> pd.DataFrame | str:
    """Per channel, how far the forecast of the months now over was from what happened."""
    if accuracy.by_channel.empty:
        return (
            "No month with a forecast is over yet: once one is, each channel's forecast is "
            "compared with what happened."
        )
    table = accuracy.by_channel
    return pd.DataFrame(
        {
            "Channel": table["channel"],
            "Months": table["months"],
            "Spend off by (MAPE)": [fmt.percent(v) for v in table["spend_mape"]],
            "Revenue off by (MAPE)": [fmt.percent(v) for v in table["revenue_mape"]],
            "Forecast by": table["forecast_by"].fillna(""),
        }
    )


def _landing_words(landed: landing.Landing) -> str:
    words = f"{landed.period.label}: "
    if landed.actual_months:
        words += (
            "actuals for "
            + range_period(landed.actual_months[0], landed.actual_months[-1]).short_label
        )
    if landed.forecast_months:
        words += "; " if landed.actual_months else ""
        words += (
            "the forecast for "
            + range_period(landed.forecast_months[0], landed.forecast_months[-1]).short_label
        )
    if landed.total.months_on_plan:
        words += (
            f". {landed.total.months_on_plan} channel-month(s) have no forecast and count their "
            "plan"
        )
    return words + "."


def _gap(gap: Decimal | None, pct: float | None, cur: str) -> str:
    if gap is None:
        return "n/a"
    return f"{fmt.money(gap, cur)} ({fmt.percent(pct, signed=True)})"


def _finance_forms(me: Actor, month: str, booked: Decimal | float | None, cur: str) -> None:
    """The CFO's two steps for the one month chosen above; the inputs belong to that month
    (keyed by it), so nothing typed for one month can be saved against another."""
    label = month_label(month)
    first, second = st.columns(2)
    with first, st.form(f"finance_spend_form_{month}"):
        st.write(f"**Finance's booked spend, {label}**")
        amount = st.number_input(
            f"Booked marketing spend ({cur})",
            min_value=0.0,
            step=1000.0,
            value=0.0 if booked is None or pd.isna(booked) else float(booked),
            key=f"fin_amount_{month}",
        )
        if st.form_submit_button(f"Save figure for {label}"):
            _act(lambda s: record_finance_spend(s, me, month, amount), "Saved finance's figure.")
    with second, st.form(f"reconcile_form_{month}"):
        st.write(f"**Mark {label} reconciled**")
        note = st.text_input("Note", key=f"rec_note_{month}")
        if st.form_submit_button(f"Mark {label} reconciled"):
            _act(lambda s: reconcile_month(s, me, month, note), "Month reconciled and locked.")


@st.fragment
def _reconciliation(period: Period, cur: str) -> None:
    """The CFO's months: picking a month or reading finance's file reruns this part only;
    a figure saved, a month reconciled or reopened reruns the page."""
    me = actor()
    with store().session() as session:
        status = month_status(session, me, period.last, months=12)
        baselines = budget.locked_baselines(session, me)
    st.caption(
        f"The 12 months to {month_label(period.last)}: the CMO's spend against finance's books. "
        "A reconciled month is locked for the CMO until the CFO reopens it."
    )
    rows = [
        {
            "Month": short_month_label(r.month),
            "Marketing spend": fmt.money(r.marketing_spend, cur),
            "Finance booked": fmt.money(r.finance_spend, cur),
            "Matched invoices": (
                f"{fmt.money(r.matched_invoices, cur)} ({r.matched_lines:,} lines)"
                if r.matched_lines
                else ""
            ),
            "Difference": _sentence_start(gap_words(r.gap, r.gap_pct, cur)),
            "Status": (
                f"Reconciled by {r.reconciled_by} on {fmt.date(r.reconciled_at)}"
                if r.reconciled and r.reconciled_at
                else "Open"
            ),
            "Last updated": (
                f"{_days(r.days_since_update)} by {r.updated_by or 'the command line'}"
                if r.days_since_update is not None
                else "n/a"
            )
            + (" (stale)" if r.stale else ""),
            "Note": r.note or "",
        }
        for r in status.itertuples()
    ]
    table = pd.DataFrame(rows)
    if not table.empty:
        table = table.style.map(
            lambda v: STYLE_OPEN if v == "Open" else STYLE_STALE if v.endswith("(stale)") else "",
            subset=["Status", "Last updated"],
        )
    if isinstance(table, pd.DataFrame):
        st.info("No months with figures in these twelve months.")
    else:
        text_table(table.hide(axis="index"))
    months = [(r.month, r.reconciled) for r in status.itertuples()]
    if baselines:
        st.caption(
            "Baseline locked for: "
            + ", ".join(f"{short_month_label(a)} – {short_month_label(b)}" for a, b in baselines)
        )
    if not can(me, Action.RECONCILE_SPEND):
        st.caption("Only the CFO records finance's figures, reconciles and reopens months.")
        return
    open_months = [m for m, reconciled in months if not reconciled]
    closed_months = [m for m, reconciled in months if reconciled]
    booked = {r.month: r.finance_spend for r in status.itertuples()}
    matched = {r.month: (r.matched_lines, r.matched_invoices) for r in status.itertuples()}
    left, right = st.columns([2, 1], gap="large")
    with left:
        month = st.selectbox(
            "Month to reconcile", open_months, format_func=month_label, key="fin_month"
        )
        if month is None:
            st.caption("Every month shown is reconciled.")
        else:
            _finance_forms(me, month, booked.get(month), cur)
            lines, total = matched.get(month, (0, None))
            if lines:
                st.caption(
                    "Booking the matched invoices sets finance's figure to the lines tied to a "
                    "purchase order, nothing else: spend bought without one (ad platforms "
                    "billed by card, for example) is not in it, so type or import the ledger's "
                    "total instead when marketing buys that way."
                )
            if lines and st.button(
                f"Book the {lines:,} matched invoice line(s), {fmt.money_exact(total, cur)}, as "
                f"finance's spend for {month_label(month)}",
                key=f"book_invoices_{month}",
            ):
                _act(
                    lambda s: book_matched_invoices(s, me, month),
                    "Booked the matched invoices as finance's spend.",
                )
    with right, st.form("reopen_form"):
        st.write("**Reopen a month**")
        month = st.selectbox("Month", closed_months, format_func=month_label, key="reo_month")
        reason = st.text_input("Reason", key=f"reo_reason_{month}")
        if st.form_submit_button("Reopen", disabled=month is None):
            _act(lambda s: reopen_month(s, me, month, reason), "Month reopened for the CMO.")
    with st.expander("Import finance's booked spend from a file"):
        st.caption("CSV or XLSX with a month column and a finance_spend (or booked spend) column.")
        upload = st.file_uploader("Finance file", type=["csv", "xlsx"], key="finance_upload")
        if upload is not None:
            try:
                with store().session() as session:
                    finance = read_finance_file(session, me, upload.getvalue(), upload.name)
            except SamePageError as exc:
                refusal(exc)
            else:
                for problem in finance.problems:
                    refusal(problem)
                st.write(
                    ", ".join(
                        f"{short_month_label(m)}: {fmt.money(a, cur)}" for m, a in finance.months
                    )
                )
                if st.button(
                    f"Record {len(finance.months)} month(s)",
                    key="finance_confirm",
                    disabled=not finance.can_import,
                ):
                    _act(
                        lambda s: apply_finance_file(s, me, finance), "Recorded finance's figures."
                    )
    if st.button("Lock this fiscal year's planned budget as the baseline", key="lock_baseline"):
        _act(lambda s: budget.lock_baseline(s, me, period.last), "Baseline locked.")


def _days(days: int) -> str:
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"


def _act(action: Write, done: str) -> None:
    """``ui.context.act``, its success message shown at the top of this page."""
    act(action, done, flash_key="budget_flash")


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


page()
