"""Widgets several pages share."""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Literal
from typing import Protocol

import altair as alt
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler
from streamlit.delta_generator import DeltaGenerator
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.company.first_run import ADMIN_PAGE
from alignment.company.first_run import PAGE_TITLES
from alignment.company.first_run import SetupStep
from alignment.files.column_mapping import NOT_IN_FILE
from alignment.files.column_mapping import MappingNeeded
from alignment.records.data_version import ReadCache
from alignment.shared.errors import SamePageError
from alignment.shared.periods import Period
from alignment.shared.periods import month_label
from alignment.shared.periods import month_period
from alignment.shared.periods import quarter_to_date
from alignment.shared.periods import year_to_date

SCOPES = {
    "month": "Month",
    "qtd": "Quarter to date",
    "ytd": "Year to date",
}


class _Picks(Protocol):
    """Where a month box goes: ``st`` itself, the sidebar or a column."""

    def selectbox(
        self,
        label: str,
        options: list[str],
        *,
        index: int,
        format_func: Callable[[str], str],
        key: str,
    ) -> str: ...


def month_box(
    months: list[str], opening: str, key: str, label: str = "Month", where: _Picks = st
) -> str:
    """A month picker opening on ``opening``. When the opening moves (an import brought
    newer figures), a box still showing the old opening follows it; a month someone
    picked stays picked."""
    seen = f"{key}__opening"
    if st.session_state.get(seen) not in (None, opening) and st.session_state.get(
        key
    ) == st.session_state.get(seen):
        del st.session_state[key]
    st.session_state[seen] = opening
    return where.selectbox(
        label,
        months,
        index=months.index(opening) if opening in months else 0,
        format_func=month_label,
        key=key,
    )


def period_picker(
    months: list[str],
    fiscal_year_start_month: int,
    key: str = "period",
    opening: str | None = None,
) -> Period:
    """Month and scope (month, quarter to date, year to date), newest month first, opening
    on ``opening`` (the newest month when not given)."""
    newest_first = sorted(months, reverse=True)
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    month = month_box(newest_first, opening or newest_first[0], f"{key}_month", where=left)
    scope = right.segmented_control(
        "Show",
        list(SCOPES),
        format_func=SCOPES.__getitem__,
        default="month",
        required=True,
        key=f"{key}_scope",
    )
    if scope == "qtd":
        return quarter_to_date(month, fiscal_year_start_month)
    if scope == "ytd":
        return year_to_date(month, fiscal_year_start_month)
    return month_period(month)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def optional_choice(
    where: DeltaGenerator,
    label: str,
    options: Iterable[object],
    none: str,
    key: str,
    shown: Callable[[Any], str] = str,
) -> Any:
    """A select box whose first choice is no choice at all ("Everyone", "(unchanged)"):
    None when it is picked."""
    return where.selectbox(
        label, [None, *options], key=key, format_func=lambda v: none if v is None else shown(v)
    )


Chart = alt.Chart | alt.LayerChart | alt.ConcatChart | alt.HConcatChart | alt.VConcatChart
"""What ``ui.charts`` builds."""
Drawn = dict[str, Any]
"""A chart as Vega-Lite draws it, its data already in Arrow: what ``st.vega_lite_chart``
takes."""
DRAWN: ReadCache = ReadCache(max_entries=96)
"""Charts drawn, kept by builder and inputs; a few pages' worth for a handful of periods."""


def drawn(build: Callable[..., Any], *inputs: object) -> Any:
    """``build(*inputs)`` as Vega-Lite (one chart or a tuple of them), kept by builder and
    inputs. Building an Altair chart and checking it against the schema took 40-100 ms a
    chart on every rerun; the same figures draw the same chart, so it is done once."""
    key = (build.__module__, build.__qualname__, *(_fingerprint(value) for value in inputs))
    return DRAWN.get(key, lambda: _as_vega_lite(build(*inputs)))


def _as_vega_lite(built: Chart | tuple[Chart, ...]) -> Drawn | tuple[Drawn, ...]:
    if isinstance(built, tuple):
        return tuple(_convert_altair_to_vega_lite_spec(chart) for chart in built)
    return _convert_altair_to_vega_lite_spec(built)


def _fingerprint(value: object) -> Hashable:
    """What an input to a chart is, by content: a frame by its columns, types and values."""
    if isinstance(value, pd.DataFrame):
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr((list(value.columns), [str(t) for t in value.dtypes])).encode())
        try:
            digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
        except TypeError:
            digest.update(pickle.dumps(value))
        return ("frame", digest.hexdigest())
    if isinstance(value, list | tuple):
        return tuple(_fingerprint(item) for item in value)
    if isinstance(value, Hashable):
        return value
    return repr(value)


def show_chart(chart: Drawn, *, width: Literal["stretch", "content"] = "stretch") -> None:
    st.vega_lite_chart(chart, width=width)


def side_by_side(*shown: tuple[str, Drawn | str]) -> None:
    """Charts in columns of equal width, each under its heading; a sentence instead of a
    chart says why there is none (an empty period draws no empty axes)."""
    for column, (heading, chart) in zip(st.columns(len(shown), gap="large"), shown, strict=True):
        with column:
            st.subheader(heading)
            if isinstance(chart, str):
                st.info(chart)
            else:
                show_chart(chart)


def as_text(value: object) -> str:
    """Stored text made safe for st.markdown: every Markdown character escaped, so what a
    person typed is shown exactly, never run as formatting, links or HTML."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(value)).replace("\n", "  \n")


def refusal(exc: BaseException | str) -> None:
    """Show a refusal as an error, as text: its sentence quotes what was typed or uploaded
    (a file name, a header, a KPI name), which must read as typed, never run as a link or
    formatting. No refusal carries Markdown of its own."""
    st.error(as_text(exc), icon=":material/error:")


def mapping_form(needed: MappingNeeded, source: str, key: str) -> None:
    """Ask once which column of a file holds what (every import's mapping form); the
    mapping chosen is kept in ``st.session_state[key][source]`` for the import to read."""
    st.warning(as_text(needed), icon=":material/table_view:")
    headers = needed.table.headers
    columns = needed.columns
    with st.form(f"{key}_form"):
        st.write(f"Which column of **{as_text(needed.table.file_name)}** holds each figure?")
        chosen = {}
        boxes = st.columns(4)
        for i, name in enumerate(columns.fields):
            options = [NOT_IN_FILE, *headers]
            suggested = needed.suggestion.get(name)
            chosen[name] = boxes[i % 4].selectbox(
                columns.labels[name] + (" *" if name in columns.required else ""),
                options,
                index=options.index(suggested) if suggested in options else 0,
                key=f"{key}_{name}",
            )
        if st.form_submit_button("Use this mapping", type="primary"):
            mapping = {k: v for k, v in chosen.items() if v != NOT_IN_FILE}
            try:
                columns.check(mapping, headers)
            except SamePageError as exc:
                refusal(exc)
                return
            st.session_state.setdefault(key, {})[source] = mapping
            st.rerun()


def flash(message: str, *, key: str = "flash") -> None:
    """Show ``message`` after the rerun that follows a successful action; a page that shows
    its own message (the budget page's ``budget_flash``) names its ``key``."""
    st.session_state[key] = message
    st.rerun()


def show_flash() -> None:
    if message := st.session_state.pop("flash", None):
        st.success(message, icon=":material/check:")


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return as_text(value)


def text_table(frame: pd.DataFrame | Styler, *, hide_index: bool = False) -> None:
    """st.table renders Markdown inside cells; this shows every cell and header as the text
    it is, keeping any styling. A frame without styling goes as escaped text, not through a
    Styler, which costs several times more to send and to draw."""
    if isinstance(frame, Styler):
        st.table(frame.format(_cell).format_index(_cell, axis=0).format_index(_cell, axis=1))
        return
    shown = frame.map(_cell)
    shown.columns = [_cell(name) for name in frame.columns]
    shown.index = pd.Index([_cell(name) for name in frame.index], name=frame.index.name)
    st.table(shown, hide_index=hide_index)


def first_run_guide(steps: list[SetupStep], me: Actor) -> None:
    """The steps of a new store's first run: each done one ticked, the next one named,
    with a link to the page where it is done when this person can open it."""
    left = [step for step in steps if not step.done]
    if not left:
        return
    st.markdown(
        f"**Getting started: {len(steps) - len(left)} of {len(steps)} steps done.** "
        f"Next: {left[0].who[0].lower()}{left[0].who[1:]} {left[0].what}."
    )
    may_open_admin = can(me, Action.MANAGE_USERS) or can(me, Action.EDIT_FINANCIAL_SETTINGS)
    for step in steps:
        mark = ":material/check_circle:" if step.done else ":material/radio_button_unchecked:"
        text, link = st.columns([4, 1], vertical_alignment="center")
        text.markdown(f"{mark} **{step.who}** {step.what}.")
        if not step.done and (step.page != ADMIN_PAGE or may_open_admin):
            link.page_link(step.page, label=PAGE_TITLES[step.page], icon=":material/arrow_forward:")


@dataclass(frozen=True)
class ShownGrid:
    """A grid editor as drawn: its name, its editor's key and the frame it shows."""

    name: str
    key: str
    frame: pd.DataFrame

    def edits(self) -> Mapping[str, Any]:
        """The editor's edited, added and deleted rows, as Streamlit keeps them."""
        state: Mapping[str, Any] = st.session_state.get(self.key) or {}
        return state


def shown_grid(name: str, fresh: pd.DataFrame, *shows: str) -> ShownGrid:
    """The frame the grid ``name`` shows and its editor's key, the frame kept as it was
    while the person has edits in it that are not saved yet.

    The editor names its edits by row position, and each change carries the version of the
    row the person saw; building them against a re-read instead would pair an edit with
    another row after someone inserted one, and would send the newest versions, so another
    person's save in between was silently overwritten instead of refused. The key names
    the grid's generation (``new_grid``) and what it ``shows`` (period, filter); one frame
    per ``name`` is kept.
    """
    generation = st.session_state.setdefault(f"{name}_generation", 0)
    key = "_".join([name, str(generation), *shows])
    state = st.session_state.get(key) or {}
    pending = any(state.get(part) for part in ("edited_rows", "added_rows", "deleted_rows"))
    slot = f"{name}_shown"
    kept = st.session_state.get(slot)
    if pending and kept is not None and kept[0] == key:
        return ShownGrid(name, key, kept[1])
    st.session_state[slot] = (key, fresh)
    return ShownGrid(name, key, fresh)


def new_grid(name: str) -> None:
    """Draw the grid afresh from the store on the next run: its editor gets a new key, so
    no edit of the old one is carried over."""
    generation = f"{name}_generation"
    st.session_state[generation] = st.session_state.get(generation, 0) + 1


def reload_grid(name: str, exc: BaseException) -> None:
    """After a save refused because someone saved first: a new grid with the figures as
    saved now, and the refusal above it (shown by ``show_grid_refusal``)."""
    new_grid(name)
    st.session_state["grid_refusal"] = str(exc)
    st.rerun()


def show_grid_refusal() -> None:
    if message := st.session_state.pop("grid_refusal", None):
        refusal(message)
