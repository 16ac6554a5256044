"""Monthly review: the meeting on one screen, in agenda order. Decisions and action items are
recorded as they are taken; the CEO closes the month, which freezes every figure shown, and
everyone takes away the same meeting pack. Presentation mode shows one section at a time in
large type for the meeting-room screen."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment import formatting as fmt
from alignment import review
from alignment.meeting_pack import HEADLINE_LABELS
from alignment.meeting_pack import headline_value
from alignment.meeting_pack import pack_pdf
from alignment.meeting_pack import pack_xlsx
from alignment.meeting_pack import section_frames
from alignment.periods import month_label
from alignment.permissions import Action
from alignment.permissions import can
from alignment.review import AGENDA
from alignment.review import KINDS
from alignment.review import STATUSES
from ui.context import act
from ui.context import actor
from ui.context import profile
from ui.context import store
from ui.widgets import as_text
from ui.widgets import show_flash
from ui.widgets import text_table

TILES = (
    "planned_budget",
    "actual_spend",
    "spend_variance",
    "roas",
    "romi_attributed",
    "attributed_pipeline",
    "marketing_cac",
    "new_customers",
)
PRESENTATION_CSS = """
<style>
[data-testid="stMain"] p, [data-testid="stMain"] td, [data-testid="stMain"] th
  { font-size: 1.35rem !important; }
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] * { font-size: 3rem !important; }
[data-testid="stMain"] h1 { font-size: 3.4rem !important; }
</style>
"""


def page() -> None:
    me = actor()
    company = profile()
    present = st.query_params.get("present") == "1"
    with store().session() as session:
        choices = review.review_months(session, me)
    months = choices.months
    asked = st.query_params.get("month")
    month = asked if asked in months else choices.opening
    if not present:
        month = st.selectbox(
            "Month", months, format_func=month_label, key="review_month", index=months.index(month)
        )
    with store().session() as session:
        view = review.review(session, me, month)
    if present:
        _presentation(view, company.name)
        return
    st.title(f"Monthly review, {month_label(month)}")
    show_flash()
    _status(view)
    _downloads(view, company.name)
    st.link_button("Presentation mode", f"?present=1&month={month}", icon=":material/slideshow:")
    for key, title in AGENDA:
        with st.container(border=True):
            st.subheader(f"{[k for k, _ in AGENDA].index(key) + 1}. {title}")
            SECTIONS[key](view)
    _record(me, view)
    _close(me, view)
    _history(me)


def _status(view: review.ReviewView) -> None:
    if view.closed:
        st.success(
            f"Closed by {view.closed_by} on {view.closed_at:%d %b %Y, %H:%M}. The "
            "figures below are the ones frozen at closing.",
            icon=":material/lock:",
        )
        if view.differences:
            st.warning(
                "Figures changed since this review was closed:", icon=":material/difference:"
            )
            text_table(
                pd.DataFrame(
                    [
                        {
                            "Section": d.section,
                            "Figure": d.item,
                            "At closing": _show(d.frozen),
                            "Now": _show(d.now),
                        }
                        for d in view.differences
                    ]
                ).style.hide(axis="index")
            )
    else:
        st.info(
            "Open: the figures are live until the CEO closes the month.",
            icon=":material/lock_open:",
        )
    if not view.has_data:
        st.warning(f"There are no figures for {month_label(view.month)} yet.")


def _show(value: object) -> str:
    if value is None:
        return fmt.NA
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _headline(view: review.ReviewView) -> None:
    head, cur = view.sections["headline"], view.sections["currency"]
    tiles = st.columns(4) + st.columns(4)
    for tile, key in zip(tiles, TILES, strict=True):
        now, before = head["now"].get(key), head["previous"].get(key)
        delta = None
        if key == "spend_variance":
            pct = head["now"].get("spend_variance_pct")
            delta = None if pct is None else fmt.percent(pct, signed=True) + " of plan"
        elif now is not None and before not in (None, 0):
            delta = fmt.percent((now - before) / abs(before), signed=True)
        tile.metric(
            HEADLINE_LABELS[key],
            headline_value(key, now, cur),
            delta,
            delta_color="off"
            if key in ("planned_budget", "actual_spend")
            else "inverse"
            if key in ("spend_variance", "marketing_cac")
            else "normal",
            delta_description=f"vs {head['previous_label']}"
            if delta and key != "spend_variance"
            else None,
            border=True,
        )
    variance = head["now"].get("spend_variance_pct")
    st.caption(f"Against plan: spend {fmt.percent(variance, signed=True)} of the planned budget.")


def _table(name: str):  # type: ignore[no-untyped-def]
    def show(view: review.ReviewView) -> None:
        frame = section_frames(view)[name]
        if frame.empty:
            st.caption("Nothing to show for this month.")
        else:
            text_table(frame.style.hide(axis="index"))

    return show


def _budget(view: review.ReviewView) -> None:
    frame = section_frames(view)["Budget vs return"].head(review.LARGEST_VARIANCES)
    st.caption("The largest variances against plan, by channel.")
    if frame.empty:
        st.caption("Nothing to show for this month.")
    else:
        text_table(frame.style.hide(axis="index"))


def _kpis(view: review.ReviewView) -> None:
    loss = view.sections["funnel"]["biggest_loss"]
    if loss:
        st.write(f"The funnel lost most against target at **{as_text(loss)}**.")
    _table("KPI tree and funnel")(view)


def _alignment(view: review.ReviewView) -> None:
    info = view.sections["alignment"]
    st.metric("Alignment score", fmt.score(info["score"]))
    if info["missing"]:
        st.caption(f"Not answered: {', '.join(info['missing'])}.")
    _table("Alignment checklist")(view)


def _actions(view: review.ReviewView) -> None:
    if view.carried:
        st.write("**Open from earlier reviews**")
        text_table(
            pd.DataFrame(
                [
                    {
                        "From": month_label(a.month),
                        "What": a.text,
                        "Owner": a.owner_role or "",
                        "Due": f"{a.due_date:%d %b %Y}" if a.due_date else "",
                        "Status": "overdue" if a.overdue else a.status,
                    }
                    for a in view.carried
                ]
            ).style.hide(axis="index")
        )
    if view.recorded:
        st.write("**Recorded in this review**")
        text_table(
            pd.DataFrame(
                [
                    {
                        "Kind": KINDS[a.kind],
                        "What": a.text,
                        "Owner": a.owner_role or "",
                        "Due": f"{a.due_date:%d %b %Y}" if a.due_date else "",
                        "Status": a.status if a.kind == "action" else "",
                    }
                    for a in view.recorded
                ]
            ).style.hide(axis="index")
        )
    if not view.carried and not view.recorded:
        st.caption("No decisions or action items yet.")


SECTIONS = {
    "headline": _headline,
    "definitions": _table("Definitions of success"),
    "budget": _budget,
    "kpis": _kpis,
    "alignment": _alignment,
    "requests": _table("Requests awaiting a decision"),
    "actions": _actions,
}


def _downloads(view: review.ReviewView, company: str) -> None:
    left, right, _ = st.columns([1, 1, 3])
    stem = f"samepage-review-{view.month}"
    left.download_button(
        "Meeting pack (PDF)",
        lambda: pack_pdf(view, company),
        f"{stem}.pdf",
        "application/pdf",
        icon=":material/picture_as_pdf:",
        key="pack_pdf",
    )
    right.download_button(
        "Meeting pack (XLSX)",
        lambda: pack_xlsx(view, company),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table:",
        key="pack_xlsx",
    )


def _record(me, view: review.ReviewView) -> None:  # type: ignore[no-untyped-def]
    if not can(me, Action.RECORD_ACTIONS):
        return
    if not view.closed:
        with st.form("review_record", clear_on_submit=True):
            st.write("**Record a decision or an action item**")
            a, b, c, d = st.columns([1, 3, 1, 1])
            kind = a.selectbox("Kind", list(KINDS), format_func=KINDS.get, key="rec_kind")
            text = b.text_input("What was decided, or what has to be done", key="rec_text")
            owner = c.selectbox(
                "Owner",
                [None, "CEO", "CFO", "CMO"],
                key="rec_owner",
                format_func=lambda o: "(none)" if o is None else o,
            )
            due = d.date_input("Due", value=None, key="rec_due")
            if st.form_submit_button("Record", type="primary"):
                act(
                    lambda s: review.record_item(s, me, view.month, kind, text, owner, due),
                    "Recorded.",
                )
    open_items = [a for a in [*view.carried, *view.recorded] if a.kind == "action"]
    if open_items:
        with st.expander("Update action items", icon=":material/task_alt:"):
            for item in open_items:
                a, b = st.columns([4, 1])
                a.write(as_text(item.text))
                status = b.selectbox(
                    "Status",
                    list(STATUSES),
                    index=STATUSES.index(item.status),
                    key=f"status_{item.id}",
                    label_visibility="collapsed",
                )
                if status != item.status:
                    act(
                        lambda s, i=item.id, st_=status: review.set_status(s, me, i, st_),
                        "Action item updated.",
                    )


def _close(me, view: review.ReviewView) -> None:  # type: ignore[no-untyped-def]
    if not can(me, Action.CLOSE_REVIEW):
        return
    if not view.closed:
        if st.button(
            f"Close {month_label(view.month)}",
            type="primary",
            key="review_close",
            icon=":material/lock:",
        ):
            act(
                lambda s: review.close_review(s, me, view.month),
                f"{month_label(view.month)} is closed; its figures are frozen.",
            )
    else:
        with st.form("review_reopen"):
            reason = st.text_input(
                "Why reopen this review? (kept in the audit trail)", key="reopen_reason"
            )
            if st.form_submit_button("Reopen"):
                act(lambda s: review.reopen_review(s, me, view.month, reason), "Reopened.")


def _history(me) -> None:  # type: ignore[no-untyped-def]
    with st.expander("Past reviews", icon=":material/history:"):
        search = st.text_input("Search decisions and action items", key="review_search")
        with store().session() as session:
            past = review.history(session, me, search)
        if not past:
            st.caption("No closed review matches." if search else "No review is closed yet.")
        for item in past:
            st.write(f"**{month_label(item.month)}**, closed by {item.closed_by}")
            for decision in item.decisions:
                st.caption(
                    f"- {KINDS[decision.kind]}: {as_text(decision.text)}"
                    + (
                        f" ({decision.owner_role}, {decision.status})"
                        if decision.owner_role
                        else ""
                    )
                )


def _presentation(view: review.ReviewView, company: str) -> None:
    st.html(PRESENTATION_CSS)
    index = int(st.session_state.get("present_index", 0)) % len(AGENDA)
    key, title = AGENDA[index]
    st.caption(
        f"{company} · Monthly review · {month_label(view.month)} · {index + 1} of {len(AGENDA)}"
    )
    st.title(title)
    SECTIONS[key](view)
    left, middle, right = st.columns([1, 4, 1])
    if left.button(
        "Previous", key="present_prev", disabled=index == 0, icon=":material/arrow_back:"
    ):
        st.session_state["present_index"] = index - 1
        st.rerun()
    if right.button(
        "Next",
        key="present_next",
        disabled=index == len(AGENDA) - 1,
        icon=":material/arrow_forward:",
    ):
        st.session_state["present_index"] = index + 1
        st.rerun()
    middle.link_button("Leave presentation mode", f"?month={view.month}")


page()
