"""Monthly review: the meeting on one screen, in agenda order. Decisions and action items are
recorded as they are taken; the CEO closes the month, which freezes every figure shown, and
everyone takes away the same meeting pack. Presentation mode shows one section at a time in
large type for the meeting-room screen."""

from __future__ import annotations

import datetime as dt
from functools import partial
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.edges.meeting_pack import pack_pdf
from alignment.edges.meeting_pack import pack_xlsx
from alignment.meeting import explanations
from alignment.meeting import review
from alignment.meeting import review_tables
from alignment.meeting import room_links
from alignment.meeting.review import AGENDA
from alignment.meeting.review import KINDS
from alignment.meeting.review import STATUSES
from alignment.meeting.review_tables import HEADLINE_LABELS
from alignment.meeting.review_tables import headline_value
from alignment.meeting.room_links import RoomPass
from alignment.shared import clock
from alignment.shared import formatting as fmt
from alignment.shared import status
from alignment.shared.periods import month_label
from alignment.shared.text import MAX_DESCRIPTION
from ui.context import Session
from ui.context import act
from ui.context import actor
from ui.context import meeting_room
from ui.context import profile
from ui.context import store
from ui.widgets import as_text
from ui.widgets import month_box
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
    room = meeting_room()
    present = room is not None or st.query_params.get("present") == "1"
    with store().session() as session:
        choices = review.review_months(session, me)
    months = choices.months
    asked = st.query_params.get("month")
    month = asked if asked in months else choices.opening
    if room is not None:
        month = room.month
    elif not present:
        month = month_box(months, month, "review_month")
    with store().session() as session:
        view = review.review(session, me, month)
    built = {s.key: s for s in review_tables.sections(view)}
    if present:
        _presentation(view, built, company.name, room)
        return
    st.title(f"Monthly review, {month_label(month)}")
    show_flash()
    _status(view)
    _downloads(view, company.name)
    st.link_button("Presentation mode", f"?present=1&month={month}", icon=":material/slideshow:")
    for key, title in AGENDA:
        with st.container(border=True):
            st.subheader(f"{[k for k, _ in AGENDA].index(key) + 1}. {title}")
            SECTIONS[key](view, built[key])
            if key in EXPLAINED:
                _explanations(me, view, EXPLAINED[key])
    _record(me, view)
    _close(me, view)
    _room_links(me, view.month)
    _history(me)


def _status(view: review.ReviewView) -> None:
    if view.closed:
        st.success(
            f"Closed by {as_text(view.closed_by)} on {view.closed_at:%d %b %Y, %H:%M}. The "
            "figures below are the ones frozen at closing.",
            icon=":material/lock:",
        )
        if view.audit_head is not None:
            st.caption(
                f"Audit trail at closing: event {view.audit_head.sequence}, hash "
                f"`{view.audit_head.hash}`. Anyone with this page or the pack can check that "
                f"nothing up to the closing changed since: `python -m alignment audit verify "
                f"--head {view.audit_head.text}`."
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
                ),
                hide_index=True,
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


def _headline(view: review.ReviewView, section: review_tables.Section) -> None:
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


def _nothing(section: review_tables.Section) -> bool:
    """An empty section reads as one line, as in the pack's contents."""
    if section.empty:
        st.caption(section.nothing[0].upper() + section.nothing[1:] + ".")
    return section.empty


def _tables(section: review_tables.Section, rows: int | None = None, titled: bool = False) -> None:
    for table in section.tables:
        if titled:
            st.write(f"**{table.title}**")
        if not table.rows:
            st.caption(table.nothing[0].upper() + table.nothing[1:] + ".")
            continue
        frame = table.text_frame()
        text_table(frame if rows is None else frame.head(rows), hide_index=True)


def _plain(view: review.ReviewView, section: review_tables.Section) -> None:
    if _nothing(section):
        return
    for line in section.lines:
        st.write(as_text(line))
    _tables(section)


def _budget(view: review.ReviewView, section: review_tables.Section) -> None:
    if _nothing(section):
        return
    st.caption("The largest variances against plan, by channel.")
    _tables(section, rows=review.LARGEST_VARIANCES)


def _finance(view: review.ReviewView, section: review_tables.Section) -> None:
    if _nothing(section):
        return
    first, *rest = section.lines
    st.write(f"**{as_text(first)}**")
    for line in rest:
        st.caption(as_text(line))
    _tables(section)


def _alignment(view: review.ReviewView, section: review_tables.Section) -> None:
    info = view.sections["alignment"]
    st.metric("Alignment score", fmt.score(info["score"]))
    if _nothing(section):
        return
    if info["missing"] and info["score"] is not None:
        st.caption(f"Not answered: {', '.join(info['missing'])}.")
    _tables(section, titled=True)


SECTIONS = {
    "headline": _headline,
    "definitions": _plain,
    "budget": _budget,
    "finance": _finance,
    "landing": _plain,
    "kpis": _plain,
    "alignment": _alignment,
    "requests": _plain,
    "actions": _plain,
}


def _downloads(view: review.ReviewView, company: str) -> None:
    stem = f"samepage-review-{view.month}"
    for where, (kind, render, mime, icon) in zip(st.columns([1, 1, 3]), PACK_FILES, strict=False):
        where.download_button(
            f"Meeting pack ({kind.upper()})",
            partial(render, view, company),
            f"{stem}.{kind}",
            mime,
            icon=icon,
            key=f"pack_{kind}",
        )


# The meeting pack's two files: extension, how it is drawn, its type, its button's icon.
# (A comment, not a docstring: Streamlit writes a page script's bare strings on the page.)
PACK_FILES = (
    ("pdf", pack_pdf, "application/pdf", ":material/picture_as_pdf:"),
    (
        "xlsx",
        pack_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ":material/table:",
    ),
)


def _record(me: Actor, view: review.ReviewView) -> None:
    if not can(me, Action.RECORD_ACTIONS):
        return
    if not view.closed:
        form = st.session_state.setdefault("review_record_form", 0)
        with st.form(f"review_record_{form}"):
            st.write("**Record a decision or an action item**")
            a, b, c, d = st.columns([1, 3, 1, 1])
            kind = a.selectbox(
                "Kind", list(KINDS), format_func=KINDS.__getitem__, key=f"rec_kind_{form}"
            )
            text = b.text_input("What was decided, or what has to be done", key=f"rec_text_{form}")
            owner = c.selectbox(
                "Owner",
                [None, "CEO", "CFO", "CMO"],
                key=f"rec_owner_{form}",
                format_func=lambda o: "(none)" if o is None else o,
            )
            due = d.date_input("Due", value=None, key=f"rec_due_{form}")
            if st.form_submit_button("Record", type="primary"):
                act(
                    lambda s: _emptied_after(
                        review.record_item(s, me, view.month, kind, text, owner, due)
                    ),
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

                    def update(s: Session, item_id: int = item.id, new: str = status) -> None:
                        review.set_status(s, me, item_id, new)

                    act(update, "Action item updated.")


def _emptied_after(recorded: object) -> object:
    """A recorded item empties the form; a refused one keeps what was typed, to mend it."""
    st.session_state["review_record_form"] += 1
    return recorded


# Where the review asks for explanations: the agenda section, and the kind of item it shows.
EXPLAINED = {"definitions": explanations.DEFINITION, "kpis": explanations.KPI}


def _explanations(me: Actor, view: review.ReviewView, kind: str) -> None:
    """The section's amber and red items: each owner explains theirs and names the next
    step; the CEO can record a red one as discussed without an explanation."""
    mine = [i for i in view.to_explain if i.kind == kind]
    if view.closed or not mine:
        return
    waiting = [i for i in mine if not i.settled]
    st.caption(
        f"Amber or red in {month_label(view.month)}: {len(mine)}; "
        + (f"{len(waiting)} without an explanation yet." if waiting else "all explained.")
    )
    for item in mine:
        state = (
            "explained"
            if item.explained
            else "discussed without an explanation"
            if item.discussed_without
            else f"awaiting the {item.owner_role}'s explanation"
        )
        with st.expander(
            f"{status.label(item.status)}: {as_text(item.title)} ({state})",
            icon=":material/error:" if item.blocks_closing else ":material/chat:",
        ):
            if item.explained:
                st.write(f"**Why:** {as_text(item.explanation)}")
                st.write(f"**Next step:** {as_text(item.next_step)}")
                st.caption(f"Written by {as_text(item.written_by)}.")
            if can(me, Action.EXPLAIN_STATUS) and str(me.role) == item.owner_role:
                _explain_form(me, view.month, item)
            elif not item.explained:
                st.caption(f"Its owner, the {item.owner_role}, explains it.")
            if item.blocks_closing and can(me, Action.DISCUSS_WITHOUT_EXPLANATION):
                if st.button(
                    "Discussed without an explanation",
                    key=f"discussed_{item.subject}",
                    help="Records that the review discussed it although its owner gave no "
                    "explanation, so the month can be closed. Kept in the audit trail.",
                ):

                    def discussed(s: Session, subject: str = item.subject) -> None:
                        explanations.discuss_without(s, me, view.month, subject)

                    act(discussed, "Recorded as discussed without an explanation.")


def _explain_form(me: Actor, month: str, item: explanations.ItemToExplain) -> None:
    with st.form(f"explain_{item.subject}"):
        why = st.text_area(
            "Why it is " + item.status,
            item.explanation,
            max_chars=MAX_DESCRIPTION,
            key=f"explain_why_{item.subject}",
        )
        step = st.text_area(
            "Next step",
            item.next_step,
            max_chars=MAX_DESCRIPTION,
            key=f"explain_next_{item.subject}",
        )
        if st.form_submit_button("Save explanation", type="primary"):
            act(
                lambda s: explanations.explain(s, me, month, item.subject, why, step),
                "Explanation saved.",
            )


def _close(me: Actor, view: review.ReviewView) -> None:
    if not can(me, Action.CLOSE_REVIEW):
        return
    if not view.closed:
        if waiting := [i for i in view.to_explain if i.blocks_closing]:
            st.warning(
                "Red without an explanation: "
                + "; ".join(f"{as_text(i.title)} ({i.owner_role})" for i in waiting)
                + ". The month closes once each is explained by its owner or recorded as "
                "discussed without an explanation.",
                icon=":material/error:",
            )
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


def _room_links(me: Actor, month: str) -> None:
    """The CEO's links for the meeting-room screen: made here, shown once, revoked here."""
    if not can(me, Action.SHARE_MEETING_ROOM):
        return
    with st.expander("Meeting-room screen", icon=":material/cast:", key="room_links_open"):
        st.caption(
            f"A read-only link to the review of {month_label(month)} in presentation mode, for "
            "a screen nobody logs into. It shows this month's review as a viewer sees it and "
            "nothing else, until the day you choose or until you revoke it."
        )
        with st.form("room_link"):
            a, b = st.columns(2)
            until = a.date_input(
                "Works until (the end of)",
                value=clock.today() + dt.timedelta(days=1),
                key="room_until",
            )
            download = b.checkbox("Allow the meeting pack to be downloaded", key="room_download")
            if st.form_submit_button("Make a link", type="primary"):

                def make(s: Session) -> None:
                    made = room_links.create_link(s, me, month, until, download)
                    st.session_state["room_link_made"] = made

                act(make, "Link made: copy it now, it is shown only once.")
        made = st.session_state.get("room_link_made")
        if made is not None and made.month == month:
            st.code(room_links.room_address(_origin(), made.token), language=None)
            st.caption(f"Works until the end of {made.last_day:%d %b %Y} (UTC).")
        with store().session() as session:
            made_links = room_links.links(session, me)
        now = clock.utc_now()
        for link in made_links:
            a, b = st.columns([4, 1])
            state = link.state(now)
            a.write(
                f"{month_label(link.month)}: {state}, until the end of "
                f"{link.last_day:%d %b %Y} (UTC)"
                + (", download allowed" if link.allow_download else ", no download")
                + f"; opened {link.uses} time{'s' if link.uses != 1 else ''}"
                + (f", last {link.last_used_at:%d %b %Y %H:%M}" if link.last_used_at else "")
            )
            if state == "active" and b.button("Revoke", key=f"room_revoke_{link.id}"):

                def revoke(s: Session, link_id: int = link.id) -> None:
                    room_links.revoke_link(s, me, link_id)

                act(revoke, "Link revoked: the screen closes at its next refresh.")


def _origin() -> str:
    """Scheme and host as the browser reached SamePage (a proxy's public address included)."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def _history(me: Actor) -> None:
    with st.expander("Past reviews", icon=":material/history:"):
        search = st.text_input("Search decisions and action items", key="review_search")
        with store().session() as session:
            past = review.history(session, me, search)
        if not past:
            st.caption("No closed review matches." if search else "No review is closed yet.")
        for item in past:
            st.write(f"**{month_label(item.month)}**, closed by {as_text(item.closed_by)}")
            for decision in item.decisions:
                st.caption(
                    f"- {KINDS[decision.kind]}: {as_text(decision.text)}"
                    + (
                        f" ({decision.owner_role}, {decision.status})"
                        if decision.owner_role
                        else ""
                    )
                )


def _presentation(
    view: review.ReviewView,
    built: dict[str, review_tables.Section],
    company: str,
    room: RoomPass | None = None,
) -> None:
    st.html(PRESENTATION_CSS)
    index = int(st.session_state.get("present_index", 0)) % len(AGENDA)
    key, title = AGENDA[index]
    st.caption(
        f"{company} · Monthly review · {month_label(view.month)} · {index + 1} of {len(AGENDA)}"
    )
    st.title(title)
    SECTIONS[key](view, built[key])
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
    if room is None:
        middle.link_button("Leave presentation mode", f"?month={view.month}")
    elif room.allow_download:
        with middle:
            _downloads(view, company)


page()
