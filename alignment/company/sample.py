"""The demo company: load sample_data/ into an empty store, its months shifted to end today.

The CSV files are written relative to an anchor month (company.csv); the
loader moves every month and date by the same number of months so the demo
always covers the 24 months up to the current month.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from alignment.access.accounts import has_accounts
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.definitions.definition_states import DefinitionState
from alignment.definitions.signature import seal_new_signatures
from alignment.definitions.success import KPI_PREFIX
from alignment.definitions.success import content_hash
from alignment.definitions.success import version_content
from alignment.edges.store import store_has_data
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import StoreNotEmpty
from alignment.shared.money import to_cents
from alignment.shared.periods import add_months
from alignment.shared.periods import current_month
from alignment.shared.periods import fiscal_year_start
from alignment.shared.periods import month_difference
from alignment.shared.periods import month_of
from alignment.shared.periods import months_between
from alignment.shared.periods import quarter_of
from alignment.spend.commitments import po_key
from alignment.spend.forecast import RUN_RATE_MONTHS
from alignment.spend.forecast import ForecastBasis
from alignment.spend.forecast import closed_months
from alignment.spend.forecast import run_rate_lines
from alignment.spend.forecast import still_to_come
from alignment.spend.invoices import MatchedHow
from alignment.spend.invoices import add_invoiced
from alignment.spend.invoices import match_references
from alignment.spend.invoices import orders_by_key
from alignment.trust.checklist import DEFAULT_ITEMS
from alignment.trust.maturity import DEFAULT_COMPETENCES
from db import audit_guard
from db.models import FORECAST_FIGURES
from db.models import Baseline
from db.models import BudgetLine
from db.models import Channel
from db.models import ChecklistAnswer
from db.models import ChecklistItem
from db.models import Commitment
from db.models import CompanySettings
from db.models import Competence
from db.models import ConfidenceRating
from db.models import Explanation
from db.models import ForecastLine
from db.models import Goal
from db.models import Invoice
from db.models import Kpi
from db.models import KpiValue
from db.models import MaturityAssessment
from db.models import Reconciliation
from db.models import Request
from db.models import SuccessDefinition
from db.models import SuccessDefinitionEvent
from db.models import SuccessDefinitionVersion
from db.models import User

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"


@dataclass(frozen=True)
class SampleSummary:
    company: str
    first_month: str
    last_month: str
    budget_lines: int
    users: int


def load_sample(
    session: Session,
    actor: Actor,
    *,
    today: dt.date | None = None,
    replace: bool = False,
    directory: Path = SAMPLE_DIR,
) -> SampleSummary:
    """Load the demo company; refuse over existing data unless ``replace``, and over a store
    with accounts always: the demo store has a role picker instead of log-ins, so loading
    it over a team's store would let anyone act as anyone there."""
    with writing(session, actor, Action.MANAGE_STORE) as w:
        if has_accounts(session):
            raise StoreNotEmpty(
                "The store holds accounts people log in to; the demo company is never loaded over "
                "them. Give the demo a store of its own (SAMEPAGE_DATABASE_URL=sqlite:///data/demo.db)."
            )
        if store_has_data(session):
            if not replace:
                raise StoreNotEmpty(
                    "The store already holds data; loading the demo company would mix with it. "
                    "Use --replace to wipe the store and load the demo company."
                )
            audit_guard.wipe_all(session.connection())
        loader = _Loader(session, directory, current_month(today), today or clock.today())
        summary = loader.load()
        w.record(
            "load_sample",
            "store",
            None,
            None,
            {
                "company": summary.company,
                "months": f"{summary.first_month}..{summary.last_month}",
                "seals": seal_new_signatures(session),
            },
        )
        return summary


def _read(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _optional(value: str) -> str | None:
    return value if value != "" else None


class _Loader:
    def __init__(
        self, session: Session, directory: Path, target_month: str, today: dt.date
    ) -> None:
        self.session = session
        self.directory = directory
        self.company = _read(directory, "company.csv")[0]
        anchor = self.company["anchor_month"]
        self.shift = month_difference(anchor, target_month)
        first = int(self.company["fiscal_year_start_month"])
        self.year_shift = month_difference(
            fiscal_year_start(anchor, first), fiscal_year_start(target_month, first)
        )
        self.users: dict[str, User] = {}
        self.today = today
        self.target_month = target_month

    def month(self, month: str) -> str:
        return add_months(month, self.shift)

    def date(self, text: str) -> dt.date | None:
        if not text:
            return None
        day = dt.date.fromisoformat(text)
        month = self.month(f"{day.year:04d}-{day.month:02d}")
        year, mon = int(month[:4]), int(month[5:7])
        last = calendar.monthrange(year, mon)[1]
        was_last = day.day == calendar.monthrange(day.year, day.month)[1]
        return dt.date(year, mon, last if was_last else min(day.day, last))

    def fiscal_month(self, month: str) -> str:
        """A month of a fiscal-year goal or definition, moved by whole fiscal years: the
        demo's "fiscal 2026" stays January to December when its figures move by a month."""
        return add_months(month, self.year_shift)

    def fiscal_day(self, text: str) -> dt.date | None:
        """A fiscal-year definition's deadline, moved by whole fiscal years."""
        if not text:
            return None
        day = dt.date.fromisoformat(text)
        month = self.fiscal_month(f"{day.year:04d}-{day.month:02d}")
        last = calendar.monthrange(int(month[:4]), int(month[5:7]))[1]
        return dt.date(int(month[:4]), int(month[5:7]), min(day.day, last))

    def past_date(self, text: str) -> dt.date | None:
        """A day something happened (a request asked, decided): never after today, even
        when the shift moves it there."""
        day = self.date(text)
        return None if day is None else min(day, self.today)

    def moment(self, text: str) -> dt.datetime | None:
        """When something was done (proposed, signed): before today. A day the shift moves
        past yesterday becomes yesterday, its minute keeping the events' order."""
        day = self.date(text)
        if day is None:
            return None
        yesterday = self.today - dt.timedelta(days=1)
        if day <= yesterday:
            return dt.datetime.combine(day, dt.time(9, 0))
        return dt.datetime.combine(yesterday, dt.time(9, 0)) + dt.timedelta(
            minutes=(day - yesterday).days
        )

    def load(self) -> SampleSummary:
        s = self.session
        s.add(
            CompanySettings(
                company_name=self.company["name"],
                currency=self.company["currency"],
                locale=self.company["locale"],
                gross_margin=float(self.company["gross_margin"]),
                fiscal_year_start_month=int(self.company["fiscal_year_start_month"]),
                demo=True,
            )
        )
        for row in _read(self.directory, "users.csv"):
            user = User(email=row["email"], name=row["name"], role=row["role"])
            s.add(user)
            self.users.setdefault(row["role"], user)
        s.flush()
        lines, months = self._budget_lines()
        kpis = self._kpis()
        goals = self._goals(kpis)
        self._definitions(goals, kpis)
        self._checklist()
        self._maturity()
        self._requests()
        s.flush()
        self._forecast()
        self._commitments()
        self._invoices()
        self._explanations(kpis)
        self._confidence(goals)
        return SampleSummary(self.company["name"], months[0], months[-1], lines, len(self.users))

    def _forecast(self) -> None:
        """The rest of the fiscal year from the run rate of the last three complete months,
        then the CMO's own changes (sample_data/forecast.csv): a story the CFO will raise."""
        start = int(self.company["fiscal_year_start_month"])
        year_first = fiscal_year_start(self.target_month, start)
        closed = closed_months(self.session)
        open_months = still_to_come(
            months_between(year_first, add_months(year_first, 11)), self.target_month, closed
        )
        recent = (
            add_months(self.target_month, -RUN_RATE_MONTHS),
            add_months(self.target_month, -1),
        )
        changes = {
            row["channel"]: Decimal(row["spend_change"])
            for row in _read(self.directory, "forecast.csv")
        }
        names = {row.id: row.name for row in self.session.execute(select(Channel.id, Channel.name))}
        cmo = self.users["CMO"].id
        for row in run_rate_lines(self.session, open_months, recent):
            change = changes.get(names[int(row["channel_id"])])
            figures_from = {
                f"{name}_from": str(ForecastBasis.RUN_RATE) for name in FORECAST_FIGURES
            }
            if change is not None and row["spend"] is not None:
                row["spend"] = int(Decimal(int(row["spend"])) * (1 + change))
                figures_from["spend_from"] = str(ForecastBasis.TYPED)
            self.session.add(
                ForecastLine(
                    **row,
                    **figures_from,
                    source_file="sample_data/forecast.csv",
                    entered_by_id=cmo,
                    entered_at=self.entered(self.target_month),
                )
            )
        self.session.flush()

    def _commitments(self) -> None:
        """Open and partly invoiced purchase orders (sample_data/commitments.csv)."""
        channels = {
            row.name: row.id for row in self.session.execute(select(Channel.id, Channel.name))
        }
        cmo = self.users["CMO"].id
        for row in _read(self.directory, "commitments.csv"):
            self.session.add(
                Commitment(
                    po_number=row["po_number"],
                    po_key=po_key(row["po_number"]),
                    vendor=row["vendor"],
                    channel_id=channels[row["channel"]],
                    campaign=row["campaign"],
                    amount=to_cents(Decimal(row["amount"])),
                    invoiced=0,
                    first_month=self.month(row["first_month"]),
                    last_month=self.month(row["last_month"]),
                    over_plan_reason=_optional(row["over_plan_reason"]),
                    source_file="sample_data/commitments.csv",
                    entered_by_id=cmo,
                    entered_at=self.entered(self.month(row["first_month"])),
                )
            )
        self.session.flush()

    def _invoices(self) -> None:
        """Finance's invoice lines (sample_data/invoices.csv), matched by their PO reference
        as an import matches them: two orders partly invoiced, one line that SamePage can
        only suggest an order for, one that nobody ordered. Dates move with the demo and
        never pass today."""
        rows = _read(self.directory, "invoices.csv")
        matches = match_references([r["po_reference"] for r in rows], orders_by_key(self.session))
        cfo = self.users["CFO"].id
        invoiced: dict[int, int] = {}
        for row, commitment_id in zip(rows, matches.commitment_ids, strict=True):
            day = min(self.date(row["invoice_date"]) or self.today, self.today)
            amount = to_cents(Decimal(row["amount"])) or 0
            booked = dt.datetime.combine(day, dt.time(16, 0))
            self.session.add(
                Invoice(
                    invoice_date=day,
                    month=month_of(day),
                    vendor=row["vendor"],
                    amount=amount,
                    po_reference=row["po_reference"],
                    gl_account=row["gl_account"],
                    invoice_number=row["invoice_number"],
                    commitment_id=commitment_id,
                    matched_how=None if commitment_id is None else MatchedHow.PO_REFERENCE.value,
                    matched_by_id=None if commitment_id is None else cfo,
                    matched_at=None if commitment_id is None else booked,
                    entered_by_id=cfo,
                    entered_at=booked,
                )
            )
            if commitment_id is not None:
                invoiced[commitment_id] = invoiced.get(commitment_id, 0) + amount
        add_invoiced(self.session, invoiced)
        self.session.flush()

    def _budget_lines(self) -> tuple[int, list[str]]:
        rows = _read(self.directory, "budget_lines.csv")
        channels: dict[str, int] = {}
        horizons = {r["channel"]: r["horizon"] for r in _read(self.directory, "channels.csv")}
        for name in sorted({row["channel"] for row in rows}):
            channel = Channel(name=name, horizon=horizons.get(name, "short_term"))
            self.session.add(channel)
            self.session.flush()
            channels[name] = channel.id
        cmo = self.users["CMO"].id
        values = [
            {
                "month": self.month(row["month"]),
                "channel_id": channels[row["channel"]],
                "campaign": row["campaign"],
                "planned_budget": to_cents(Decimal(row["planned_budget"])),
                "actual_spend": to_cents(Decimal(row["actual_spend"])),
                "attributed_pipeline": to_cents(Decimal(row["attributed_pipeline"])),
                "attributed_revenue": to_cents(Decimal(row["attributed_revenue"])),
                "new_customers": int(row["new_customers"]),
                "source": "sample",
                "source_file": "sample_data/budget_lines.csv",
                "entered_by_id": cmo,
                "entered_at": self.entered(self.month(row["month"])),
                "reconciled": False,
                "version": 1,
            }
            for row in rows
        ]
        self.session.execute(insert(BudgetLine), values)
        self._baseline(channels)
        self._finance()
        return len(values), sorted({str(v["month"]) for v in values})

    def entered(self, month: str) -> dt.datetime:
        """When the CMO entered a month's figures: four days after it ended, or yesterday."""
        year, mon = int(month[:4]), int(month[5:7])
        month_end = dt.date(year, mon, calendar.monthrange(year, mon)[1])
        entered = dt.datetime.combine(month_end + dt.timedelta(days=4), dt.time(10, 0))
        return min(entered, dt.datetime.combine(self.today - dt.timedelta(days=1), dt.time(17, 30)))

    def _baseline(self, channels: dict[str, int]) -> None:
        rows = _read(self.directory, "baseline.csv")
        for row in rows:
            self.session.execute(
                update(BudgetLine)
                .where(
                    BudgetLine.month == self.month(row["month"]),
                    BudgetLine.channel_id == channels[row["channel"]],
                    BudgetLine.campaign == row["campaign"],
                )
                .values(baseline_budget=to_cents(Decimal(row["baseline_budget"])))
                .execution_options(synchronize_session=False)
            )
        months = sorted(self.month(row["month"]) for row in rows)
        first = months[0]
        self.session.add(
            Baseline(
                first_month=first,
                last_month=add_months(first, 11),
                locked_by_id=self.users["CFO"].id,
                locked_at=dt.datetime(int(first[:4]), int(first[5:7]), 7, 9, 0),
            )
        )

    def _finance(self) -> None:
        cfo = self.users["CFO"]
        for row in _read(self.directory, "finance.csv"):
            month = self.month(row["month"])
            reconciled = row["reconciled"] == "true"
            self.session.add(
                Reconciliation(
                    month=month,
                    finance_spend=to_cents(Decimal(row["finance_spend"])),
                    reconciled=reconciled,
                    reconciled_by_id=cfo.id if reconciled else None,
                    reconciled_at=self.entered(month) + dt.timedelta(days=3)
                    if reconciled
                    else None,
                    note=row["note"],
                    updated_by_id=cfo.id,
                )
            )
            if reconciled:
                self.session.execute(
                    update(BudgetLine)
                    .where(BudgetLine.month == month)
                    .values(reconciled=True)
                    .execution_options(synchronize_session=False)
                )

    def _kpis(self) -> dict[str, Kpi]:
        kpis: dict[str, Kpi] = {}
        rows = _read(self.directory, "kpis.csv")
        for row in rows:
            kpi = Kpi(
                name=row["name"],
                unit=row["unit"],
                direction=row["direction"],
                kind=row["kind"],
                aggregation=row["aggregation"],
                funnel_stage=int(row["funnel_stage"]) if row["funnel_stage"] else None,
                description=row["description"],
                parent_factor=float(row["parent_factor"]) if row["parent_factor"] else None,
                conversion_label=row["conversion_label"],
            )
            self.session.add(kpi)
            kpis[kpi.name] = kpi
        for row in rows:
            if row["parent"]:
                kpis[row["name"]].parent = kpis[row["parent"]]
        self.session.flush()
        values = [
            {
                "kpi_id": kpis[row["kpi"]].id,
                "month": self.month(row["month"]),
                "target": float(row["target"]) if row["target"] else None,
                "actual": float(row["actual"]) if row["actual"] else None,
                "entered_by_id": self.users["CMO"].id,
                "version": 1,
            }
            for row in _read(self.directory, "kpi_values.csv")
        ]
        self.session.execute(insert(KpiValue), values)
        return kpis

    def _goals(self, kpis: dict[str, Kpi]) -> dict[str, Goal]:
        goals = {}
        for row in _read(self.directory, "goals.csv"):
            start, end = self.fiscal_month(row["start_month"]), self.fiscal_month(row["end_month"])
            years = {"start_year": int(start[:4]), "end_year": int(end[:4])}
            goal = Goal(
                title=row["title"].format(**years),
                description=row["description"].format(**years),
                owner_role=row["owner_role"],
                horizon=row["horizon"],
                start_month=start,
                end_month=end,
                created_by_id=self.users["CEO"].id,
                kpis=[kpis[name] for name in row["kpis"].split(";") if name],
            )
            self.session.add(goal)
            goals[row["title"]] = goal
        self.session.flush()
        return goals

    def _definitions(self, goals: dict[str, Goal], kpis: dict[str, Kpi]) -> None:
        for row in _read(self.directory, "success_definitions.csv"):
            metric = row["metric"]
            kpi = None
            if metric.startswith(KPI_PREFIX):
                kpi = kpis[metric.removeprefix(KPI_PREFIX)]
                metric = f"{KPI_PREFIX}{kpi.id}"
            definition = SuccessDefinition(
                goal_id=goals[row["goal"]].id if row["goal"] else None,
                kpi_id=kpi.id if kpi else None,
            )
            self.session.add(definition)
            self.session.flush()
            proposer = self.users[row["proposed_by"]]
            version = SuccessDefinitionVersion(
                definition_id=definition.id,
                number=1,
                state=DefinitionState(row["state"]),
                title=row["title"],
                metric=metric,
                target=float(row["target"]),
                unit=row["unit"],
                comparison=row["comparison"],
                period_start=self.fiscal_month(row["period_start"]),
                period_end=self.fiscal_month(row["period_end"]),
                deadline=self.fiscal_day(row["deadline"]),
                measurement=row["measurement"],
                data_source=row["data_source"],
                tolerance=float(row["tolerance"]),
                owner_role=row["owner_role"],
                created_by_id=proposer.id,
                created_at=self.moment(row["proposed_on"]),
                proposed_by_id=proposer.id,
                proposed_at=self.moment(row["proposed_on"]),
            )
            self.session.add(version)
            self.session.flush()
            self._event(version, "proposed", proposer, row["proposed_on"])
            if row["signed_by"]:
                signer = self.users[row["signed_by"]]
                version.signed_by_id = signer.id
                version.signed_at = self.moment(row["signed_on"])
                version.content_hash = content_hash(version_content(version))
                self._event(version, "signed_off", signer, row["signed_on"])
            if row["acknowledged_by"]:
                ceo = self.users[row["acknowledged_by"]]
                version.acknowledged_by_id = ceo.id
                version.acknowledged_at = self.moment(row["acknowledged_on"])
                self._event(version, "acknowledged", ceo, row["acknowledged_on"])

    def _event(self, version: SuccessDefinitionVersion, action: str, user: User, on: str) -> None:
        self.session.add(
            SuccessDefinitionEvent(
                version_id=version.id,
                action=action,
                actor_id=user.id,
                at=self.moment(on),
            )
        )

    def _checklist(self) -> None:
        items = []
        for position, text in enumerate(DEFAULT_ITEMS, start=1):
            item = ChecklistItem(position=position, text=text)
            self.session.add(item)
            items.append(item)
        self.session.flush()
        values = [
            {
                "item_id": items[int(row["item"]) - 1].id,
                "month": self.month(row["month"]),
                "role": row["role"],
                "user_id": self.users[row["role"]].id,
                "score": int(row["score"]),
                "comment": row["comment"],
                "wording": items[int(row["item"]) - 1].text,
            }
            for row in _read(self.directory, "checklist_answers.csv")
        ]
        self.session.execute(insert(ChecklistAnswer), values)

    def _maturity(self) -> None:
        competences = {}
        for position, name in enumerate(DEFAULT_COMPETENCES, start=1):
            competence = Competence(name=name, position=position)
            self.session.add(competence)
            competences[name] = competence
        self.session.flush()
        for row in _read(self.directory, "maturity.csv"):
            year, quarter = int(row["quarter"][:4]), int(row["quarter"][-1])
            first_month = f"{year:04d}-{(quarter - 1) * 3 + 1:02d}"
            self.session.add(
                MaturityAssessment(
                    quarter=quarter_of(self.month(first_month)),
                    competence_id=competences[row["competence"]].id,
                    current_level=int(row["current_level"]),
                    desired_level=int(row["desired_level"]),
                    note=row["note"],
                    assessed_by_id=self.users["CMO"].id,
                )
            )

    def _explanations(self, kpis: dict[str, Kpi]) -> None:
        """The CMO's explanations of the red items of the last two months
        (sample_data/explanations.csv), written the day the month's figures were entered."""
        definitions = dict(
            self.session.execute(
                select(SuccessDefinitionVersion.title, SuccessDefinitionVersion.definition_id)
            ).all()
        )
        for row in _read(self.directory, "explanations.csv"):
            month = self.month(row["month"])
            item_id = (
                definitions[row["subject"]]
                if row["kind"] == "definition"
                else kpis[row["subject"]].id
            )
            self.session.add(
                Explanation(
                    month=month,
                    subject=f"{row['kind']}:{item_id}",
                    status=row["status"],
                    explanation=row["explanation"],
                    next_step=row["next_step"],
                    discussed_without=False,
                    written_by_id=self.users[row["written_by"]].id,
                    written_at=self.entered(month),
                )
            )

    def _confidence(self, goals: dict[str, Goal]) -> None:
        """Each executive's confidence in each goal over the last months
        (sample_data/confidence.csv): the CMO and the CFO drift apart on the ARR goal."""
        for row in _read(self.directory, "confidence.csv"):
            month = self.month(row["month"])
            self.session.add(
                ConfidenceRating(
                    goal_id=goals[row["goal"]].id,
                    month=month,
                    role=row["role"],
                    score=int(row["score"]),
                    comment=row["comment"],
                    rated_by_id=self.users[row["role"]].id,
                    rated_at=self.entered(month),
                )
            )
        self.session.flush()

    def _requests(self) -> None:
        for row in _read(self.directory, "requests.csv"):
            self.session.add(
                Request(
                    title=row["title"],
                    description=row["description"],
                    asked_by_role=row["asked_by_role"],
                    asked_by_id=self.users[row["asked_by_role"]].id,
                    asked_on=self.past_date(row["asked_on"]),
                    research=row["research"],
                    expected_result=row["expected_result"],
                    cost=to_cents(Decimal(row["cost"])) if row["cost"] else None,
                    recommendation=row["recommendation"],
                    decision=_optional(row["decision"]),
                    decision_reason=row["decision_reason"],
                    decided_on=self.past_date(row["decided_on"]),
                )
            )
