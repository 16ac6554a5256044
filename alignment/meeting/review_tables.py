"""The review's tables, built once: the review page, the PDF pack and the XLSX pack all render
these, so the meeting reads the same figures in the same words wherever it looks.

Each cell carries the value (the number the spreadsheet keeps), the text (as the screen
writes it, through alignment/shared/formatting) and the spreadsheet number format that makes the
number read like the text. A section without content says so in one line instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from babel.numbers import get_currency_symbol

from alignment.meeting.explanations import DISCUSSED_WITHOUT
from alignment.meeting.review import AGENDA
from alignment.meeting.review import KINDS
from alignment.meeting.review import ReviewView
from alignment.shared import formatting as fmt
from alignment.shared.periods import month_label
from alignment.shared.periods import short_month_label
from alignment.shared.status import LOOKS
from alignment.spend.reconciliation import GAP_SIGN
from alignment.spend.reconciliation import RECONCILED
from alignment.spend.reconciliation import REOPENED
from alignment.spend.reconciliation import gap_words

RAG = {status: look.label for status, look in LOOKS.items()}
CONFIDENCE_ROLES = ("CEO", "CFO", "CMO")
KPI_TABLE = "KPI tree"
EXPLANATION_COLUMNS = ("Explanation", "Next step")
CONFIDENCE_TABLE = "Confidence in the goals"
FUNNEL_TABLE = "Funnel"
HEADLINE_LABELS = {
    "planned_budget": "Planned budget",
    "actual_spend": "Actual spend",
    "spend_variance": "Spend variance",
    "spend_variance_pct": "Spend variance %",
    "roas": "ROAS",
    "romi_attributed": "ROMI (attributed)",
    "attributed_pipeline": "Attributed pipeline",
    "attributed_revenue": "Attributed revenue",
    "marketing_cac": "Marketing CAC",
    "new_customers": "New customers",
}
MONEY = {
    "planned_budget",
    "actual_spend",
    "spend_variance",
    "attributed_pipeline",
    "attributed_revenue",
    "marketing_cac",
}


@dataclass(frozen=True)
class Cell:
    value: Any
    """What the spreadsheet holds: a number where there is one, else the text."""
    text: str
    """How the screen and the PDF write it."""
    number_format: str | None = None
    """The spreadsheet's format for ``value``; None for text."""

    @property
    def numeric(self) -> bool:
        return self.number_format is not None


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    nothing: str = "none"
    """What stands in its place when it has no rows, inside a section that has content."""

    def text_frame(self) -> pd.DataFrame:
        return pd.DataFrame([[c.text for c in r] for r in self.rows], columns=list(self.columns))

    def value_frame(self) -> pd.DataFrame:
        return pd.DataFrame([[c.value for c in r] for r in self.rows], columns=list(self.columns))

    def numeric_columns(self) -> tuple[bool, ...]:
        return tuple(any(r[i].numeric for r in self.rows) for i in range(len(self.columns)))


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: tuple[str, ...] = ()
    """Sentences the section opens with (the gap in words, who has not answered...)."""
    tables: tuple[Table, ...] = ()
    nothing: str = "none this month"
    """What the contents say when the section has no content."""

    @property
    def empty(self) -> bool:
        return not self.lines and not any(t.rows for t in self.tables)

    @property
    def contents_line(self) -> str:
        """'Decisions and action items — none recorded this month' for an empty section."""
        return f"{self.title} — {self.nothing}" if self.empty else self.title

    def table(self, title: str) -> Table | None:
        return next((t for t in self.tables if t.title == title), None)


def _money_format(currency: str) -> str:
    symbol = get_currency_symbol(currency, locale="en_US").replace('"', "")
    return f'"{symbol}"#,##0;-"{symbol}"#,##0'


def text(value: Any) -> Cell:
    shown = "" if value is None else str(value)
    return Cell(shown, shown)


def money(value: Any, currency: str) -> Cell:
    return Cell(value, fmt.money(value, currency), _money_format(currency))


def percent(value: Any, signed: bool = False) -> Cell:
    return Cell(value, fmt.percent(value, signed=signed), "+0.0%;-0.0%;0.0%" if signed else "0.0%")


def multiple(value: Any) -> Cell:
    return Cell(value, fmt.multiple(value), '0.00"×"')


def count(value: Any) -> Cell:
    return Cell(value, fmt.count(value), "#,##0.##" if value != int(value or 0) else "#,##0")


def score(value: Any) -> Cell:
    return Cell(None if value is None else round(value, 1), fmt.score(value), '0"/100"')


def day(value: dt.date | str | None) -> Cell:
    """A date cell: 15 Dec 2026 on screen and in the PDF, a real date in the spreadsheet."""
    if value is None or value == "":
        return Cell(None, "")
    moment = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return Cell(moment, fmt.date(moment), "DD MMM YYYY")


def headline_value(key: str, value: Any, currency: str) -> str:
    """A headline figure as the review page shows it."""
    return _headline_cell(key, value, currency).text


def _headline_cell(key: str, value: Any, currency: str) -> Cell:
    if key in MONEY:
        return money(value, currency)
    if key in ("spend_variance_pct", "romi_attributed"):
        return percent(value, signed=key == "spend_variance_pct")
    if key == "roas":
        return multiple(value)
    return count(value)


def _measure(value: Any, unit: str, currency: str, shown: str = "") -> Cell:
    """A definition's figure; ``shown`` is its text as the definitions page wrote it when
    the review read it (snapshots from before units followed the metric have none)."""
    if unit in ("ratio", "%"):
        measured = percent(value)
    elif unit == "x":
        measured = multiple(value)
    elif unit == currency:
        measured = money(value, currency)
    else:
        measured = count(None if value is None else round(value, 1))
    return Cell(measured.value, shown, measured.number_format) if shown else measured


def _target(definition: dict[str, Any], currency: str) -> Cell:
    sign = "≥ " if definition["comparison"] == "at_least" else "≤ "
    measured = _measure(
        definition["target"], definition["unit"], currency, definition.get("target_text", "")
    )
    return Cell(measured.value, sign + measured.text, measured.number_format)


def _definition_status(definition: dict[str, Any]) -> str:
    if definition.get("unit_disagrees"):
        return "Unit disagrees: sign a new version"
    return RAG[definition["status"]]


def _headline(view: ReviewView, cur: str) -> Section:
    head = view.sections["headline"]
    rows = tuple(
        (
            text(label),
            _headline_cell(key, head["now"].get(key), cur),
            _headline_cell(key, head["previous"].get(key), cur),
        )
        for key, label in HEADLINE_LABELS.items()
    )
    anything = head["lines"] or any(v is not None for v in head["previous"].values())
    return Section(
        "headline",
        _title("headline"),
        tables=(Table("Headline figures", ("Figure", "This month", head["previous_label"]), rows),)
        if anything
        else (),
        nothing="no budget figures this month or the month before",
    )


def _explained(view: ReviewView) -> dict[str, dict[str, Any]] | None:
    """The month's explanations by subject, or None for a review closed before the review
    kept them (its tables keep their old columns)."""
    if "explanations" not in view.sections:
        return None
    return {e["subject"]: e for e in view.sections["explanations"]}


def explanation_cells(frozen: dict[str, Any] | None) -> tuple[Cell, Cell]:
    """The explanation and the next step beside an amber or red figure: as its owner typed
    them, that the review discussed it without one, or that it is still awaited."""
    if frozen is None:
        return text(""), text("")
    if frozen["explanation"]:
        return text(frozen["explanation"]), text(frozen["next_step"])
    if frozen["discussed_without"]:
        return text(DISCUSSED_WITHOUT), text("")
    return text(f"Awaiting the {frozen['owner_role']}'s explanation"), text("")


def _definitions(view: ReviewView, cur: str) -> Section:
    explained = _explained(view)
    rows = tuple(
        (
            text(d["title"]),
            text(d["metric"]),
            _target(d, cur),
            _measure(d["actual"], d["unit"], cur, d.get("actual_text", "")),
            text(_definition_status(d)),
            text(d["signature"]),
        )
        + (() if explained is None else explanation_cells(explained.get(d.get("subject", ""))))
        for d in view.sections["definitions"]
    )
    columns: tuple[str, ...] = ("Definition", "Metric", "Target", "Actual", "Status", "Signature")
    if explained is not None:
        columns += EXPLANATION_COLUMNS
    return Section(
        "definitions",
        _title("definitions"),
        tables=(Table("Definitions of success", columns, rows),),
        nothing="none signed off for this month",
    )


def _budget(view: ReviewView, cur: str) -> Section:
    rows = tuple(
        (
            text(c["channel"]),
            money(c["planned"], cur),
            money(c["actual"], cur),
            money(c["variance"], cur),
            percent(c["variance_pct"], signed=True),
            money(c["revenue"], cur),
            multiple(c["roas"]),
            percent(c["romi"]),
        )
        for c in view.sections["budget"]
    )
    columns = (
        "Channel",
        "Planned",
        "Actual",
        "Variance",
        "Variance %",
        "Attributed revenue",
        "ROAS",
        "ROMI (attributed)",
    )
    return Section(
        "budget",
        _title("budget"),
        tables=(Table("Budget vs return", columns, rows),),
        nothing="no budget lines this month",
    )


def reconciliation_status(books: dict[str, Any]) -> str:
    """Reconciled / reopened / open, with who and when, as one phrase."""
    if books["status"] == RECONCILED:
        who, when, word = books["reconciled_by"], books["reconciled_at"], "Reconciled"
    elif books["status"] == REOPENED:
        who, when, word = books["reopened_by"], books["reopened_at"], "Reopened"
    else:
        return "Open: not reconciled yet"
    return word + (f" by {who}" if who else "") + (f" on {fmt.date(when)}" if when else "")


def _finance(view: ReviewView, cur: str) -> Section:
    title = _title("finance")
    books = view.sections.get("finance")
    if books is None:
        return Section(
            "finance",
            title,
            lines=(
                "Finance's figures were not frozen with this review: it was closed before the "
                "pack carried them. Reopen and close it again to freeze them.",
            ),
        )
    if books["marketing_spend"] is None and books["finance_spend"] is None:
        return Section("finance", title, nothing="no spend and no finance figure this month")
    words = gap_words(books["gap"], books["gap_pct"], cur)
    status = reconciliation_status(books)
    rows = (
        (text("Marketing's actual spend"), money(books["marketing_spend"], cur)),
        (text("Finance's booked spend"), money(books["finance_spend"], cur)),
        (text("Gap (marketing − finance)"), money(books["gap"], cur)),
        (text("Gap in % of finance's figure"), percent(books["gap_pct"], signed=True)),
        (text("Status"), text(status)),
        (text("CFO's note"), text(books["note"] or "none")),
    )
    return Section(
        "finance",
        title,
        lines=(_sentence(words), _sentence(GAP_SIGN)),
        tables=(Table("Finance reconciliation", ("Figure", "This month"), rows),),
    )


def _landing(view: ReviewView, cur: str) -> Section:
    """Where the fiscal year of the review's month lands, as it stood then: a closed review
    keeps the landing of its closing, so month by month the landing's path is kept."""
    title = _title("landing")
    landed = view.sections.get("landing")
    if landed is None:
        return Section(
            "landing",
            title,
            lines=(
                "Where the year would land was not frozen with this review: it was closed "
                "before SamePage kept the landing.",
            ),
        )
    total = landed["total"]
    against = [f"{fmt.money(total['gap_to_plan'], cur)} against the plan"]
    if total["baseline"] is not None:
        against.append(f"{fmt.money(total['gap_to_baseline'], cur)} against the baseline")
    lines = [
        f"{landed['label']} lands at {fmt.money(total['landing'], cur)}: "
        + " and ".join(against)
        + f" ({len(landed['actual_months'])} month(s) of actuals, "
        f"{len(landed['forecast_months'])} forecast)."
    ]
    if landed.get("unplanned_months"):
        months = ", ".join(month_label(m) for m in landed["unplanned_months"])
        lines.append(f"No forecast and no plan for {months}: the landing counts no spend there.")
    rows = tuple(
        (
            text(line["channel"]),
            money(line["actual_to_date"], cur),
            money(line["forecast_rest"], cur),
            money(line["landing"], cur),
            money(line["plan"], cur),
            money(line["gap_to_plan"], cur),
            percent(line["gap_to_plan_pct"], signed=True),
            money(line["baseline"], cur),
            money(line["gap_to_baseline"], cur),
        )
        for line in (*landed["channels"], total)
    )
    return Section(
        "landing",
        title,
        lines=tuple(lines),
        tables=(
            Table(
                "Landing by channel",
                (
                    "Channel",
                    "Actual to date",
                    "Forecast for the rest",
                    "Landing",
                    "Plan",
                    "Against the plan",
                    "Against the plan %",
                    "Baseline",
                    "Against the baseline",
                ),
                rows,
            ),
        ),
    )


def _kpis(view: ReviewView, cur: str) -> Section:
    """Every KPI of the tree with a figure, activities included, top of the tree first; and
    the funnel's stages with their conversion from the stage above against the target's."""
    funnel = view.sections["funnel"]
    loss = funnel["biggest_loss"]
    shown = [k for k in view.sections["kpis"] if k["target"] is not None or k["actual"] is not None]
    explained = _explained(view)
    rows = tuple(
        (
            text(k["kpi"]),
            text(k.get("kind", "")),
            _kpi(k["target"], k["unit"], cur),
            _kpi(k["actual"], k["unit"], cur),
            text(RAG[k["status"]]),
        )
        + (() if explained is None else explanation_cells(explained.get(k.get("subject", ""))))
        for k in shown
    )
    columns: tuple[str, ...] = ("KPI", "Kind", "Target", "Actual", "Status")
    if explained is not None:
        columns += EXPLANATION_COLUMNS
    stages = tuple(
        (
            text(s["stage"]),
            _kpi(s["target"], "", cur),
            _kpi(s["actual"], "", cur),
            percent(s["conversion"]),
            percent(s.get("target_conversion")),
        )
        for s in funnel["stages"]
    )
    return Section(
        "kpis",
        _title("kpis"),
        lines=(f"The funnel lost most against target at {loss}.",) if loss else (),
        tables=(
            Table(KPI_TABLE, columns, rows),
            Table(
                FUNNEL_TABLE,
                ("Stage", "Target", "Actual", "Conversion from above", "Target conversion"),
                stages,
                nothing="no KPI is a funnel stage",
            ),
        ),
        nothing="no KPI figures or targets this month",
    )


def _kpi(value: Any, unit: str, cur: str) -> Cell:
    if unit == cur:
        return money(value, cur)
    return count(None if value is None else round(value, 1))


def _alignment(view: ReviewView) -> Section:
    info = view.sections["alignment"]
    trend = info.get("trend")
    if trend is None:
        trend = [] if info["score"] is None else [{"month": view.month, "score": info["score"]}]
    lines = []
    if info["score"] is not None:
        lines.append(f"Alignment score {fmt.score(info['score'])} for {month_label(view.month)}.")
        if info["missing"]:
            lines.append(f"Not answered: {', '.join(info['missing'])}.")
    elif trend:
        lines.append(f"Nobody has answered the checklist for {month_label(view.month)} yet.")
    tables = (
        Table(
            "Alignment score by month",
            ("Month", "Alignment score"),
            tuple((text(month_label(t["month"])), score(t["score"])) for t in trend),
        ),
        Table(
            "Perception gaps",
            ("Statement", "Gap (points)"),
            tuple((text(g["statement"]), count(g["gap"])) for g in info["gaps"]),
            nothing="no statement with a gap of 2 points or more",
        ),
        *_confidence(view),
        Table(
            "Checklist comments",
            ("Statement", "Who", "Comment"),
            tuple(
                (text(c["statement"]), text(c["who"]), text(c["comment"]))
                for c in info.get("comments", [])
            ),
            nothing="nobody wrote a comment",
        ),
    )
    return Section(
        "alignment",
        _title("alignment"),
        lines=tuple(lines),
        tables=tables,
        nothing="no answers this month",
    )


def confidence_rows(goal: dict[str, Any]) -> tuple[Cell, ...]:
    """A goal's three ratings side by side, their spread, and whether it is a gap."""
    ratings = goal["ratings"]
    return (
        text(goal["goal"]),
        *(
            Cell(None, "") if ratings.get(role) is None else count(ratings[role]["score"])
            for role in CONFIDENCE_ROLES
        ),
        Cell(None, "") if goal["spread"] is None else count(goal["spread"]),
        text("Perception gap" if goal["gap"] else ""),
        text(
            " · ".join(
                f"{short_month_label(t['month'])}: {_spread(t['spread'])}" for t in goal["trend"]
            )
        ),
    )


def _spread(spread: int | None) -> str:
    return "–" if spread is None else str(spread)


def _confidence(view: ReviewView) -> tuple[Table, ...]:
    """Each goal's confidence by role (0-10) that month; a review closed before the review
    kept them has no such table."""
    goals = view.sections.get("confidence")
    if goals is None:
        return ()
    rated = [g for g in goals if any(r is not None for r in g["ratings"].values())]
    return (
        Table(
            CONFIDENCE_TABLE,
            ("Goal", *CONFIDENCE_ROLES, "Spread", "Flag", "Spread by month"),
            tuple(confidence_rows(g) for g in rated),
            nothing="nobody rated their confidence in the goals this month",
        ),
    )


def _requests(view: ReviewView) -> Section:
    rows = tuple(
        (text(r["title"]), text(r["asked_by"]), text(r["status"]), text(r["recommendation"]))
        for r in view.sections["requests"]
    )
    return Section(
        "requests",
        _title("requests"),
        tables=(
            Table(
                "Requests awaiting a decision",
                ("Request", "Asked by", "Status", "Recommendation"),
                rows,
            ),
        ),
        nothing="none awaiting a decision",
    )


def _actions(view: ReviewView) -> Section:
    actions = view.sections["actions"]
    rows = tuple(
        (
            text(month_label(a["month"])),
            text(KINDS.get(a["kind"], a["kind"])),
            text(a["text"]),
            text(a["owner_role"] or ""),
            day(a["due_date"]),
            text(("overdue" if a.get("overdue") else a["status"]) if a["kind"] == "action" else ""),
        )
        for a in [*actions["carried"], *actions["recorded"]]
    )
    return Section(
        "actions",
        _title("actions"),
        tables=(
            Table(
                "Decisions and action items",
                ("From", "Kind", "What", "Owner", "Due", "Status"),
                rows,
            ),
        ),
        nothing="none recorded this month",
    )


def _sentence(words: str) -> str:
    return words[0].upper() + words[1:] + "."


def _title(key: str) -> str:
    return dict(AGENDA)[key]


def sections(view: ReviewView) -> list[Section]:
    """Every agenda section of the review, in agenda order, from the review's sections (for a
    closed month, the frozen snapshot)."""
    cur = view.sections["currency"]
    built = {
        "headline": _headline(view, cur),
        "definitions": _definitions(view, cur),
        "budget": _budget(view, cur),
        "finance": _finance(view, cur),
        "landing": _landing(view, cur),
        "kpis": _kpis(view, cur),
        "alignment": _alignment(view),
        "requests": _requests(view),
        "actions": _actions(view),
    }
    return [built[key] for key, _ in AGENDA]
