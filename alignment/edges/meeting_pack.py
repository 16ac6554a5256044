"""The meeting pack everyone takes away: a PDF to read and an XLSX to work with, both rendered
from the review's tables (alignment/meeting/review_tables), so for a closed month exactly the frozen
figures, written as the screen writes them.

PDF: a cover with the contents (an empty section is one line there, never a page of its
own), then each section with content on its own page. XLSX: a cover sheet with the contents,
then one sheet per table, each with a title row, a header row and the rows below it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace
from fpdf.outline import OutlineSection
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from alignment.files.export import spreadsheet_safe
from alignment.meeting.review import ReviewView
from alignment.meeting.review_tables import KPI_TABLE
from alignment.meeting.review_tables import RAG
from alignment.meeting.review_tables import Section
from alignment.meeting.review_tables import Table
from alignment.meeting.review_tables import sections
from alignment.records.audit import Head
from alignment.shared import clock
from alignment.shared import formatting as fmt
from alignment.shared.periods import month_label
from alignment.shared.status import LOOKS
from alignment.shared.status import RAG as STATUSES

FONTS = Path(__file__).resolve().parent / "fonts"
CONTENTS_NAME = "Contents"
CHART_WIDTHS = {KPI_TABLE: 140, "Alignment score by month": 110}
"""Millimetres on the page; the trend is small, it sits under a short table."""


def _chart_png(chart: alt.TopLevelMixin) -> bytes:
    buffer = io.BytesIO()
    chart.save(buffer, format="png", scale_factor=2)
    return buffer.getvalue()


def charts(view: ReviewView) -> dict[str, bytes]:
    """The pack's charts as PNG images, keyed by the table they follow (vl-convert)."""
    images = {}
    budget = pd.DataFrame(view.sections["budget"])
    if not budget.empty:
        long = budget.melt(
            id_vars="channel",
            value_vars=["planned", "actual"],
            var_name="figure",
            value_name="amount",
        ).dropna()
        long["figure"] = long["figure"].map({"planned": "Planned", "actual": "Actual"})
        images["Budget vs return"] = _chart_png(
            alt.Chart(long, title="Planned vs actual spend by channel")
            .mark_bar()
            .encode(
                y=alt.Y("channel:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240)),
                yOffset="figure:N",
                x=alt.X("amount:Q", title=view.sections["currency"], axis=alt.Axis(format="~s")),
                color=alt.Color(
                    "figure:N",
                    title=None,
                    scale=alt.Scale(domain=["Planned", "Actual"], range=["#9aa5b1", "#1f6feb"]),
                ),
            )
            .properties(width=460, height=alt.Step(14))
        )
    kpi_rows = [k for k in view.sections["kpis"] if k["target"] and k["actual"] is not None]
    if kpi_rows:
        frame = pd.DataFrame(
            [
                {"kpi": k["kpi"], "share": k["actual"] / k["target"], "status": RAG[k["status"]]}
                for k in kpi_rows
            ]
        )
        images[KPI_TABLE] = _chart_png(
            alt.Chart(frame, title="KPIs: actual as a share of target")
            .mark_bar()
            .encode(
                y=alt.Y("kpi:N", title=None, sort=None),
                x=alt.X("share:Q", title=None, axis=alt.Axis(format="%")),
                color=alt.Color(
                    "status:N",
                    title=None,
                    scale=alt.Scale(
                        domain=[LOOKS[s].label for s in STATUSES],
                        range=[LOOKS[s].line for s in STATUSES],
                    ),
                ),
            )
            .properties(width=460, height=alt.Step(22))
        )
    trend = view.sections["alignment"].get("trend") or []
    if len(trend) >= 2:
        images["Alignment score by month"] = _chart_png(_trend_chart(trend))
    return images


def _trend_chart(trend: list[dict[str, object]]) -> alt.Chart:
    """A line only from two months on: one month would draw as a flat line that says nothing."""
    frame = pd.DataFrame(trend)
    frame["label"] = [f"{dt.date.fromisoformat(m + '-01'):%b %Y}" for m in frame["month"]]
    return (
        alt.Chart(frame, title="Alignment score (0-100) by month")
        .mark_line(point=alt.OverlayMarkDef(color="#1a7f37", size=50), strokeWidth=2.5)
        .encode(
            x=alt.X("label:O", title=None, sort=list(frame["label"]), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("score:Q", title=None, scale=alt.Scale(domain=[0, 100])),
            color=alt.value("#1a7f37"),
        )
        .properties(width=alt.Step(70), height=110)
    )


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.pack_title = title
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=14)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.pack_title} · page {self.page_no()}", align="R")


def _status(view: ReviewView) -> str:
    if view.closed and view.closed_at:
        return (
            f"Closed by {view.closed_by or 'the CEO'} on {fmt.date(view.closed_at)}. "
            "These are the figures frozen at closing."
        )
    return "Draft: this review is not closed yet; figures may still change."


def audit_head_sentence(head: Head) -> str:
    """The pack as an outside witness: whoever keeps it can check the store against it."""
    return (
        f"Audit trail at closing: event {head.sequence}, hash {head.hash}. To prove nothing "
        f"up to the closing changed since: python -m alignment audit verify --head {head.text}"
    )


def pack_pdf(view: ReviewView, company: str) -> bytes:
    """A cover with the contents, then each section with content on its own page: its
    sentences, its tables and, where there is one, its chart."""
    built = sections(view)
    pdf = _Pdf(f"{company} · Monthly review · {month_label(view.month)}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 26)
    pdf.ln(14)
    _para(pdf, 13, company)
    pdf.set_font("DejaVu", "", 18)
    _para(pdf, 10, f"Monthly review, {month_label(view.month)}")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 11)
    _para(pdf, 6, _status(view))
    if view.audit_head is not None:
        _para(pdf, 6, audit_head_sentence(view.audit_head))
    if view.differences:
        pdf.set_text_color(164, 14, 38)
        _para(
            pdf,
            6,
            f"{len(view.differences)} figure(s) changed since this review "
            "was closed; see the SamePage review page.",
        )
        pdf.set_text_color(0)
    if not view.has_data:
        _para(
            pdf,
            6,
            f"There are no figures for {month_label(view.month)}: no budget "
            "lines and no KPI figures have been entered for this month.",
        )
    pdf.set_font("DejaVu", "", 9)
    _para(
        pdf,
        5,
        f"Made by SamePage on {fmt.date(clock.today())}. Return figures are "
        "attributed, not incremental.",
    )
    pdf.ln(4)
    pdf.insert_toc_placeholder(
        lambda p, outline: _contents(p, outline, built), pages=1, reset_page_indices=False
    )
    images = charts(view)
    first = True
    for section in built:
        if section.empty:
            continue
        if not first:
            pdf.add_page()
        first = False
        pdf.start_section(section.title)
        pdf.set_font("DejaVu", "B", 16)
        pdf.cell(0, 10, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for line in section.lines:
            _para(pdf, 5.5, line)
        if section.lines:
            pdf.ln(2)
        for table in section.tables:
            _pdf_table(pdf, section, table, images)
    return bytes(pdf.output())


def _contents(pdf: FPDF, outline: list[OutlineSection], built: Sequence[Section]) -> None:
    """Every agenda section in order: its page, or the one line saying it has nothing."""
    pages = {s.name: s.page_number for s in outline}
    pdf.set_x(pdf.l_margin)
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 8, CONTENTS_NAME, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    for number, section in enumerate(built, start=1):
        page = "" if section.empty else f"page {pages.get(section.title, '')}"
        if section.empty:
            pdf.set_text_color(100)
        pdf.cell(150, 7, f"{number}. {section.contents_line}")
        pdf.cell(25, 7, page, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)


def _pdf_table(pdf: FPDF, section: Section, table: Table, images: dict[str, bytes]) -> None:
    if not table.rows:
        pdf.set_font("DejaVu", "", 10)
        _para(pdf, 6, f"{table.title} — {table.nothing}.")
        pdf.ln(2)
        return
    if len(section.tables) > 1:
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 8, table.title, new_x="LMARGIN", new_y="NEXT")
    frame = table.text_frame()
    numeric = table.numeric_columns()
    with pdf.table(
        width=min(pdf.epw, sum(widths := _widths(pdf, frame))),
        col_widths=tuple(widths),
        align="LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=(240, 242, 245)),
        line_height=5.5,
        borders_layout="HORIZONTAL_LINES",
    ) as grid:
        header = grid.row()
        for column, right in zip(frame.columns, numeric, strict=True):
            header.cell(str(column), align="RIGHT" if right else "LEFT")
        for record in table.rows:
            row = grid.row()
            for cell in record:
                row.cell(cell.text, align="RIGHT" if cell.numeric else "LEFT")
    pdf.ln(3)
    if table.title in images:
        width = CHART_WIDTHS.get(table.title, 150)
        if table.title == "Alignment score by month":
            width = min(width, 40 + 14 * len(table.rows))
        pdf.image(io.BytesIO(images[table.title]), w=width)
        pdf.ln(3)


def _widths(pdf: FPDF, frame: pd.DataFrame) -> list[float]:
    """Each column as wide as its longest text (measured in the font), long text capped so
    it wraps; narrowed together when the table would not fit the page."""
    pdf.set_font("DejaVu", "B", 9)
    heads = [pdf.get_string_width(str(c)) for c in frame.columns]
    pdf.set_font("DejaVu", "", 9)
    widths = [
        min(140.0, max([head, *(pdf.get_string_width(str(v)) for v in frame[c])]) + 4)
        for head, c in zip(heads, frame.columns, strict=True)
    ]
    total = sum(widths)
    return widths if total <= pdf.epw else [w * (pdf.epw - 0.1) / total for w in widths]


def _para(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


TITLE = Font(bold=True, size=13)
HEADER = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F0F2F5")


def _sheet_name(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]


def _write(
    sheet: Worksheet, row: int, column: int, value: object, number_format: str | None
) -> Cell:
    cell = sheet.cell(row=row, column=column, value=spreadsheet_safe(value))
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def _table_sheet(sheet: Worksheet, table: Table, month: str) -> None:
    """Title row, header row, then the rows: one table a reader can sort and filter."""
    sheet.cell(row=1, column=1, value=spreadsheet_safe(f"{table.title} · {month_label(month)}"))
    sheet.cell(row=1, column=1).font = TITLE
    for i, column in enumerate(table.columns, start=1):
        cell = _write(sheet, 2, i, column, None)
        cell.font, cell.fill = HEADER, HEADER_FILL
    for r, record in enumerate(table.rows, start=3):
        for c, value in enumerate(record, start=1):
            _write(sheet, r, c, value.value, value.number_format)
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(table.columns))}{len(table.rows) + 2}"
    for i, column in enumerate(table.columns, start=1):
        longest = max([len(str(column)), *(len(r[i - 1].text) for r in table.rows)])
        sheet.column_dimensions[get_column_letter(i)].width = min(70, longest + 3)


def pack_xlsx(view: ReviewView, company: str) -> bytes:
    """A cover sheet saying what the pack is and what each section holds, then one sheet per
    table with content."""
    built = sections(view)
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover["A1"] = "Meeting pack"
    cover["A1"].font = TITLE
    facts = [
        ("Company", company),
        ("Review", month_label(view.month)),
        ("Status", _status(view)),
    ]
    if view.audit_head is not None:
        facts.append(("Audit head at closing", audit_head_sentence(view.audit_head)))
    if not view.has_data:
        facts.append(("Figures", f"No figures for {month_label(view.month)}."))
    for r, (label, value) in enumerate(facts, start=2):
        _write(cover, r, 1, label, None).font = HEADER
        _write(cover, r, 2, value, None)
    top = len(facts) + 3
    for c, heading in enumerate(("Section", "Sheets", "What it says"), start=1):
        cell = _write(cover, top, c, heading, None)
        cell.font, cell.fill = HEADER, HEADER_FILL
    for r, section in enumerate(built, start=top + 1):
        shown = [t for t in section.tables if t.rows]
        _write(cover, r, 1, section.contents_line, None)
        _write(cover, r, 2, ", ".join(t.title for t in shown), None)
        _write(cover, r, 3, " ".join(section.lines), None)
        for table in shown:
            _table_sheet(book.create_sheet(_sheet_name(table.title)), table, view.month)
    for column, width in (("A", 60), ("B", 60), ("C", 90)):
        cover.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pack_files(view: ReviewView, company: str) -> dict[str, bytes]:
    stem = f"samepage-review-{view.month}"
    return {f"{stem}.pdf": pack_pdf(view, company), f"{stem}.xlsx": pack_xlsx(view, company)}
