"""Regenerate the demo company's CSV files (deterministic; run by hand, not at start-up).

Every month in these files is written relative to ANCHOR_MONTH; the loader
shifts them so the demo always ends at the current month.

    .venv/bin/python sample_data/generate.py
"""

from __future__ import annotations

import csv
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alignment.trust.maturity import DEFAULT_COMPETENCES  # noqa: E402

HERE = Path(__file__).resolve().parent
ANCHOR_MONTH = "2026-11"
MONTHS = 24
RNG = random.Random(20261123)

COMPANY = {
    "name": "Kestrel Analytics",
    "currency": "USD",
    "locale": "en_US",
    "gross_margin": "0.74",
    "fiscal_year_start_month": "1",
    "anchor_month": ANCHOR_MONTH,
}

USERS = [
    ("maya.lindqvist@kestrel.example", "Maya Lindqvist", "CEO"),
    ("daniel.okafor@kestrel.example", "Daniel Okafor", "CFO"),
    ("priya.raman@kestrel.example", "Priya Raman", "CMO"),
    ("tom.becker@kestrel.example", "Tom Becker", "viewer"),
    ("sam.ortiz@kestrel.example", "Sam Ortiz", "admin"),
]

# channel, campaign, monthly plan (USD), attributed ROAS, pipeline multiple, seasonality kind
CAMPAIGNS = [
    ("Paid search", "Brand keywords", 38_000, 4.6, 2.6, "flat"),
    ("Paid search", "Competitor keywords", 27_000, 2.1, 3.1, "flat"),
    ("Paid search", "Generic: supply chain analytics", 45_000, 1.9, 3.4, "flat"),
    ("LinkedIn ads", "CFO persona", 32_000, 1.4, 4.2, "flat"),
    ("LinkedIn ads", "Operations leader persona", 41_000, 1.7, 3.9, "flat"),
    ("Events & trade shows", "ProMat", 0, 2.4, 4.5, "spring"),
    ("Events & trade shows", "Supply Chain Symposium", 0, 2.2, 4.8, "autumn"),
    ("Events & trade shows", "", 18_000, 1.2, 3.5, "flat"),
    ("Content & SEO", "Whitepapers", 22_000, 3.1, 3.0, "flat"),
    ("Content & SEO", "Blog & SEO", 16_000, 3.8, 2.8, "flat"),
    ("Webinars", "Monthly webinar series", 14_000, 2.9, 3.6, "flat"),
    ("Partner marketing", "ERP partner co-marketing", 26_000, 2.6, 3.3, "flat"),
    ("Partner marketing", "Reseller MDF", 12_000, 1.6, 3.0, "flat"),
    ("Account-based marketing", "Top-100 accounts", 48_000, 2.0, 5.2, "flat"),
]
EVENT_BUDGETS = {"spring": {3: 160_000, 4: 40_000}, "autumn": {9: 35_000, 10: 150_000}}
AVERAGE_DEAL = 38_500

KPIS = [
    # name, unit, direction, kind, aggregation, parent, funnel stage, description
    (
        "New revenue",
        "USD",
        "higher",
        "financial",
        "sum",
        "",
        "",
        "New annual recurring revenue from marketing-sourced deals won this month.",
    ),
    (
        "Won deals",
        "count",
        "higher",
        "result",
        "sum",
        "New revenue",
        "5",
        "Marketing-sourced deals closed won.",
    ),
    (
        "Opportunities",
        "count",
        "higher",
        "result",
        "sum",
        "Won deals",
        "4",
        "Sales-accepted opportunities with a qualified budget.",
    ),
    (
        "SQLs",
        "count",
        "higher",
        "result",
        "sum",
        "Opportunities",
        "3",
        "Sales-qualified leads accepted by sales within 5 working days.",
    ),
    (
        "MQLs",
        "count",
        "higher",
        "result",
        "sum",
        "SQLs",
        "2",
        "Marketing-qualified leads (lead score 60 or more).",
    ),
    (
        "Leads",
        "count",
        "higher",
        "result",
        "sum",
        "MQLs",
        "1",
        "New contacts with a business e-mail address.",
    ),
    (
        "Whitepapers published",
        "count",
        "higher",
        "activity",
        "sum",
        "Leads",
        "",
        "Gated research papers released.",
    ),
    (
        "Webinars held",
        "count",
        "higher",
        "activity",
        "sum",
        "Leads",
        "",
        "Live webinars with at least 50 registrants.",
    ),
    (
        "Events attended",
        "count",
        "higher",
        "activity",
        "sum",
        "Leads",
        "",
        "Trade shows and field events with a booth or a talk.",
    ),
    (
        "Aided brand awareness",
        "%",
        "higher",
        "result",
        "average",
        "",
        "",
        "Share of surveyed mid-market operations leaders who recognise Kestrel (quarterly panel).",
    ),
]

CONVERSIONS = {
    "Won deals": (str(AVERAGE_DEAL), "average new ARR per won deal (USD)"),
    "Whitepapers published": ("120", "about 120 downloads that become leads"),
    "Webinars held": ("150", "about 150 registrants who become leads"),
    "Events attended": ("250", "about 250 badge scans that become leads"),
}
"""A KPI in another unit than its parent says how one of it converts into the parent's unit;
the activities, which share Leads with every other source, say what one of them brings."""

CHANNEL_HORIZONS = {
    "Paid search": "short_term",
    "LinkedIn ads": "short_term",
    "Events & trade shows": "short_term",
    "Content & SEO": "long_term",
    "Webinars": "short_term",
    "Partner marketing": "short_term",
    "Account-based marketing": "short_term",
}

GOALS = [
    (
        "Grow marketing-sourced new ARR to $14M in fiscal {start_year}",
        "Marketing-sourced deals add at least $14M of new annual recurring revenue "
        "this fiscal year.",
        "CEO",
        "short_term",
        "2026-01",
        "2026-12",
        "New revenue;Won deals",
    ),
    (
        "Keep pipeline at three times the bookings target",
        "Marketing-sourced pipeline covers 3x next quarter's bookings target at every month end.",
        "CMO",
        "short_term",
        "2026-01",
        "2026-12",
        "SQLs;Opportunities",
    ),
    (
        "Be the first name mid-market operations leaders think of in supply-chain analytics",
        "Long-term brand goal: aided awareness among mid-market operations leaders from 18% "
        "to 35% by the end of {end_year}.",
        "CEO",
        "long_term",
        "2026-01",
        "2028-12",
        "Aided brand awareness",
    ),
]

DEFINITIONS = [
    {
        "title": "Marketing earns its budget back: attributed ROMI of at least 80%",
        "goal": GOALS[0][0],
        "metric": "romi",
        "target": "0.8",
        "unit": "%",
        "comparison": "at_least",
        "period_start": "2026-01",
        "period_end": "2026-12",
        "deadline": "2026-12-31",
        "measurement": "(attributed revenue x gross margin - actual spend) / actual spend, "
        "over the fiscal year to date.",
        "data_source": "SamePage budget lines (CRM attribution, finance-reconciled spend); "
        "gross margin from the CFO's settings.",
        "tolerance": "0.15",
        "owner_role": "CMO",
        "state": "signed_off",
        "proposed_by": "CMO",
        "proposed_on": "2026-01-12",
        "signed_by": "CFO",
        "signed_on": "2026-01-19",
        "acknowledged_by": "CEO",
        "acknowledged_on": "2026-01-20",
    },
    {
        "title": "Marketing CAC at most $12,500 per new customer",
        "goal": GOALS[0][0],
        "metric": "marketing_cac",
        "target": "12500",
        "unit": "USD",
        "comparison": "at_most",
        "period_start": "2026-01",
        "period_end": "2026-12",
        "deadline": "2026-12-31",
        "measurement": "Actual marketing spend / new customers won (marketing spend only, "
        "not blended sales and marketing CAC).",
        "data_source": "SamePage budget lines; new customers from the CRM.",
        "tolerance": "0.1",
        "owner_role": "CMO",
        "state": "signed_off",
        "proposed_by": "CMO",
        "proposed_on": "2026-02-03",
        "signed_by": "CFO",
        "signed_on": "2026-02-10",
        "acknowledged_by": "CEO",
        "acknowledged_on": "2026-02-11",
    },
    {
        "title": "At least 690 marketing-sourced SQLs per quarter",
        "goal": GOALS[1][0],
        "metric": "kpi:SQLs",
        "target": "690",
        "unit": "count",
        "comparison": "at_least",
        "period_start": "2026-10",
        "period_end": "2026-12",
        "deadline": "2026-12-31",
        "measurement": "Count of leads accepted by sales as SQL within 5 working days, "
        "per calendar quarter.",
        "data_source": "CRM lead stage history, exported monthly into the KPI tree.",
        "tolerance": "0.1",
        "owner_role": "CMO",
        "state": "proposed",
        "proposed_by": "CMO",
        "proposed_on": "2026-11-06",
        "signed_by": "",
        "signed_on": "",
        "acknowledged_by": "",
        "acknowledged_on": "",
    },
]

# Baseline score per item for CEO, CFO, CMO; items 3 and 6 carry a perception gap.
CHECKLIST_BASE = [
    (3.2, 3.4, 4.0),
    (2.8, 3.0, 3.6),
    (2.6, 1.8, 4.1),
    (3.0, 2.4, 3.5),
    (3.1, 2.6, 3.6),
    (1.9, 2.4, 4.0),
    (3.4, 3.0, 3.8),
    (2.2, 2.8, 3.0),
    (2.9, 3.1, 3.7),
    (2.7, 3.2, 3.3),
    (3.8, 3.5, 3.9),
    (3.0, 2.7, 4.0),
]
CHECKLIST_COMMENTS = {
    (3, "CFO"): "Marketing's spend still differs from the ledger every month.",
    (3, "CMO"): "Budget lines are reconciled before every review.",
    (6, "CEO"): "We see what happened, not where the next dollar should go.",
    (6, "CMO"): "Channel ROAS tells us where to shift budget.",
    (12, "CFO"): "Better since spend is reconciled monthly.",
}

COMPETENCES = DEFAULT_COMPETENCES
MATURITY = {  # quarter offset (0 = anchor quarter) -> (current, desired) per competence
    -1: [(3, 4), (3, 4), (3, 4), (2, 4), (2, 4), (3, 3), (2, 4), (3, 4)],
    0: [(3, 4), (3, 4), (4, 4), (3, 4), (2, 4), (3, 3), (3, 4), (3, 4)],
}
MATURITY_NOTES = {
    "Data and analytics": "Attribution is last-touch only; no incrementality tests yet.",
    "Alignment with sales and customer success": "Shared SQL definition agreed in Q3.",
    "Demand generation": "Predictable pipeline for three quarters in a row.",
}

REQUESTS = [
    {
        "title": "Start a TikTok channel",
        "asked_by_role": "CEO",
        "asked_on": "2026-09-14",
        "description": "Competitors post short videos; should we?",
        "research": "Our buyers (operations VPs and CFOs at 200-2,000 employee manufacturers) are "
        "under 4% of TikTok's B2B audience; LinkedIn video reaches 10x more of them.",
        "expected_result": "Fewer than 5 SQLs per quarter from TikTok; 20-30 from LinkedIn video.",
        "cost": "60000",
        "recommendation": "Don't start TikTok; test LinkedIn video for a quarter.",
        "decision": "dont",
        "decision_reason": "Audience mismatch; revisit if the LinkedIn video test beats 20 SQLs.",
        "decided_on": "2026-10-08",
    },
    {
        "title": "Exhibit at the Supply Chain Symposium again next year",
        "asked_by_role": "CMO",
        "asked_on": "2026-10-27",
        "description": "Book the booth before the early-bird deadline.",
        "research": "This year's booth sourced $1.1M pipeline at 4.8x pipeline ROI; "
        "early-bird saves 18%.",
        "expected_result": "$1.0-1.3M pipeline, 8-10 new customers within two quarters.",
        "cost": "150000",
        "recommendation": "Do, at the early-bird price.",
        "decision": "",
        "decision_reason": "",
        "decided_on": "",
    },
    {
        "title": "Cut paid search by 30% to fund a brand campaign",
        "asked_by_role": "CFO",
        "asked_on": "2026-11-10",
        "description": "Move budget from generic search to brand building.",
        "research": "",
        "expected_result": "",
        "cost": "",
        "recommendation": "",
        "decision": "",
        "decision_reason": "",
        "decided_on": "",
    },
]

EXPLANATIONS = [
    # (months before the anchor, definition or KPI, its title or name, status,
    #  the CMO's explanation, the next step): every red item of the last two months is
    # explained, so the demo's months can be closed; November's amber CAC is left to ask.
    (
        1,
        "definition",
        DEFINITIONS[0]["title"],
        "red",
        "October paid for two field events whose deals close in Q1: attributed revenue trails "
        "the spend by a quarter, so the month's ROMI reads low.",
        "Report event-sourced pipeline on its own in November; the CFO checks ROMI over a "
        "trailing quarter as well as the month.",
    ),
    (
        1,
        "definition",
        DEFINITIONS[1]["title"],
        "red",
        "Only 9 new customers in October while event spend peaked; most of the event leads are "
        "still in the funnel.",
        "Hold event spend at plan for November and December and report CAC by channel at the "
        "next review.",
    ),
    (
        1,
        "kpi",
        "Events attended",
        "red",
        "The organiser cancelled the Chicago supply-chain expo two weeks before it opened.",
        "The booth budget moves to the Atlanta summit in January; the refund is booked in "
        "November.",
    ),
    (
        1,
        "kpi",
        "Webinars held",
        "red",
        "One webinar slipped when the guest speaker cancelled the day before.",
        "Rerun it on 12 November with a customer as the speaker.",
    ),
    (
        0,
        "kpi",
        "Webinars held",
        "red",
        "The rerun took November's second slot, so again only one webinar ran.",
        "Book two December webinars, both speakers confirmed by 1 December.",
    ),
]

CONFIDENCE = {
    # Each executive's confidence (0-10) that a goal will be met, by months before the
    # anchor, as (CEO, CFO, CMO): on the ARR goal the CMO stays at 8 while the CFO falls
    # to 4, a perception gap that widens over three months.
    GOALS[0][0]: {2: (7, 6, 8), 1: (7, 5, 8), 0: (6, 4, 8)},
    GOALS[1][0]: {2: (7, 6, 7), 1: (7, 6, 8), 0: (7, 7, 8)},
    GOALS[2][0]: {1: (6, 5, 7), 0: (6, 5, 7)},
}
CONFIDENCE_COMMENTS = {
    (GOALS[0][0], 1, "CFO"): "Won deals in Q3 came in below plan.",
    (GOALS[0][0], 0, "CFO"): "Bookings lag pipeline by a quarter: Q4 needs 40 % more won deals "
    "than Q3 delivered.",
    (GOALS[0][0], 0, "CMO"): "Pipeline for Q4 covers 3.1x the bookings target; the deals are "
    "there.",
    (GOALS[2][0], 0, "CFO"): "Awareness is measured twice a year; too early to tell.",
}


def add_months(month: str, count: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with (HERE / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


# Deliberate re-plans over the two years (month index -> factor on the plan), so that each
# channel's spend moves on its own and the response curves have something to learn from.
REPLANS = {
    "Paid search": lambda i: 1.45 if 15 <= i < 20 else 0.7 if 4 <= i < 7 else 1.0,
    "LinkedIn ads": lambda i: 1.5 if i % 6 in (0, 1) else 0.8,
    "Content & SEO": lambda i: 1.6 if i >= 9 else 1.0,
    "Webinars": lambda i: 0.4 if i in (7, 8, 20) else 1.8 if 2 <= i < 5 else 1.0,
    "Partner marketing": lambda i: 0.5 if 8 <= i < 11 else 1.35 if i >= 19 else 1.0,
    "Account-based marketing": lambda i: 0.55 if 14 <= i < 17 else 1.3 if 3 <= i < 6 else 1.0,
    "Events & trade shows": lambda i: 1.0,
}
# The demo's true response per channel (unknown to SamePage, which has to estimate it):
# carry-over alpha, saturation lambda (on spend / the channel's average) and ceiling beta.
TRUE_RESPONSE = {
    "Paid search": (0.1, 1.6, 290_000),
    "LinkedIn ads": (0.3, 1.0, 245_000),
    "Events & trade shows": (0.4, 0.8, 150_000),
    "Content & SEO": (0.6, 0.7, 280_000),
    "Webinars": (0.3, 0.8, 97_000),
    "Partner marketing": (0.3, 1.2, 80_000),
    "Account-based marketing": (0.5, 0.9, 219_000),
}
BASELINE_REVENUE = 560_000
"""Revenue a month that marketing's spend does not buy (brand, renewals of habit, referrals);
attribution still credits it to channels, which is why attributed ROAS runs high."""


def _true_effects(spend: dict[str, list[float]]) -> list[float]:
    """Sum over channels of beta * logistic(geometric adstock of spend / average spend)."""
    months = len(next(iter(spend.values())))
    total = [0.0] * months
    for channel, series in spend.items():
        alpha, lam, beta = TRUE_RESPONSE[channel]
        weights = [alpha**lag for lag in range(3)]
        average = sum(series) / months
        for t in range(months):
            carried = sum(
                w * series[t - lag] for lag, w in enumerate(weights) if t - lag >= 0
            ) / sum(weights)
            total[t] += beta * math.tanh(lam * carried / average / 2)
    return total


def budget_rows() -> tuple[list[list[object]], dict[str, dict[str, float]], list[list[object]]]:
    """Budget lines, monthly totals, and the anchor fiscal year's baseline (before re-plans).

    Spend is planned and drifts; revenue is the demo's true response (baseline, trend,
    seasonality, each channel's carry-over and saturation), then credited to campaigns
    the way attribution does: in proportion to spend times each campaign's click efficiency.
    """
    baseline: list[list[object]] = []
    first = add_months(ANCHOR_MONTH, -(MONTHS - 1))
    lines: list[dict[str, object]] = []
    for i in range(MONTHS):
        month = add_months(first, i)
        mon = int(month[5:7])
        growth = 1 + 0.012 * i
        for channel, campaign, plan, roas, pipe, season in CAMPAIGNS:
            planned = EVENT_BUDGETS.get(season, {}).get(mon, 0) if season != "flat" else plan
            if planned == 0:
                continue
            planned = planned * (growth if season == "flat" else 1)
            planned = round(planned * REPLANS[channel](i), -2)
            drift = RNG.gauss(0.02, 0.07) if season == "flat" else RNG.gauss(0.06, 0.05)
            locked = planned
            if channel == "LinkedIn ads" and i >= MONTHS - 4:
                drift += 0.12
                planned = round(planned * 1.1, -2)
            actual = round(locked * (1 + drift), 2)
            if month[:4] == ANCHOR_MONTH[:4]:
                baseline.append([month, channel, campaign, f"{locked:.2f}"])
            lines.append(
                {
                    "i": i,
                    "month": month,
                    "channel": channel,
                    "campaign": campaign,
                    "planned": planned,
                    "actual": actual,
                    "weight": actual * roas * RNG.uniform(0.8, 1.2),
                    "pipe": pipe,
                }
            )
    spend = {channel: [0.0] * MONTHS for channel in TRUE_RESPONSE}
    for line in lines:
        spend[line["channel"]][line["i"]] += line["actual"]
    effects = _true_effects(spend)
    revenue_by_month = []
    for i in range(MONTHS):
        mon = int(add_months(first, i)[5:7])
        demand = 1 + 0.08 * math.sin((mon - 2) / 12 * 2 * math.pi)
        base = BASELINE_REVENUE * (1 + 0.012 * i) * demand
        revenue_by_month.append((base + effects[i]) * (1 + RNG.gauss(0, 0.008)))
    weights = [0.0] * MONTHS
    for line in lines:
        weights[line["i"]] += line["weight"]

    rows: list[list[object]] = []
    totals: dict[str, dict[str, float]] = {}
    for line in lines:
        i = line["i"]
        revenue = round(revenue_by_month[i] * line["weight"] / weights[i], 2)
        pipeline = round(revenue * line["pipe"] * RNG.uniform(0.9, 1.1), 2)
        customers = max(0, round(revenue / AVERAGE_DEAL * RNG.uniform(0.85, 1.15)))
        rows.append(
            [
                line["month"],
                line["channel"],
                line["campaign"],
                f"{line['planned']:.2f}",
                f"{line['actual']:.2f}",
                f"{pipeline:.2f}",
                f"{revenue:.2f}",
                customers,
            ]
        )
        total = totals.setdefault(line["month"], {"revenue": 0.0, "customers": 0.0, "spend": 0.0})
        total["revenue"] += revenue
        total["customers"] += customers
        total["spend"] += line["actual"]
    return rows, totals, baseline


def finance_rows(totals: dict[str, dict[str, float]]) -> list[list[object]]:
    """Finance's booked spend: reconciled up to three months back, then open gaps."""
    rows: list[list[object]] = []
    months = sorted(totals)
    for month in months[:-3]:
        booked = totals[month]["spend"] * (1 + RNG.uniform(-0.004, 0.004))
        rows.append([month, f"{booked:.2f}", "true", "Matches the ledger"])
    september, october = months[-3], months[-2]
    rows.append(
        [
            september,
            f"{totals[september]['spend'] * 1.031:.2f}",
            "false",
            "Events agency invoice not yet in marketing's figures",
        ]
    )
    rows.append([october, f"{totals[october]['spend'] * 0.988:.2f}", "false", ""])
    return rows


def kpi_rows(totals: dict[str, dict[str, float]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for i, month in enumerate(sorted(totals)):
        t = totals[month]
        won = t["customers"]
        opportunities = round(won / RNG.uniform(0.22, 0.28))
        sqls = round(opportunities / RNG.uniform(0.52, 0.6))
        mqls = round(sqls / RNG.uniform(0.36, 0.44))
        leads = round(mqls / RNG.uniform(0.32, 0.38))
        plan = 1 + 0.012 * i
        values = {
            "New revenue": (round(1_050_000 * plan, -3), round(t["revenue"], 2)),
            "Won deals": (round(27 * plan), won),
            "Opportunities": (round(110 * plan), opportunities),
            "SQLs": (round(180 * plan), sqls),
            "MQLs": (round(450 * plan), mqls),
            "Leads": (round(1250 * plan), leads),
            "Whitepapers published": (2, RNG.choice([1, 2, 2, 2, 3])),
            "Webinars held": (2, RNG.choice([1, 2, 2, 3])),
            "Events attended": (
                1 if int(month[5:7]) not in (3, 10) else 3,
                RNG.choice([0, 1, 1]) + (2 if int(month[5:7]) in (3, 10) else 0),
            ),
        }
        if int(month[5:7]) % 3 == 0:
            values["Aided brand awareness"] = (
                round(18 + i * 0.6, 1),
                round(17 + i * 0.45 + RNG.uniform(-1, 1), 1),
            )
        for name, (target, actual) in values.items():
            rows.append([name, month, target, actual])
    return rows


def checklist_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for back in range(5, -1, -1):
        month = add_months(ANCHOR_MONTH, -back)
        improvement = (5 - back) * 0.08
        for item, bases in enumerate(CHECKLIST_BASE, start=1):
            for role, base in zip(("CEO", "CFO", "CMO"), bases, strict=True):
                score = min(5, max(1, round(base + improvement + RNG.uniform(-0.35, 0.35))))
                comment = CHECKLIST_COMMENTS.get((item, role), "") if back == 0 else ""
                rows.append([month, item, role, score, comment])
    return rows


def main() -> None:
    write("company.csv", list(COMPANY), [list(COMPANY.values())])
    write("users.csv", ["email", "name", "role"], [list(u) for u in USERS])
    budget, totals, baseline = budget_rows()
    write(
        "budget_lines.csv",
        [
            "month",
            "channel",
            "campaign",
            "planned_budget",
            "actual_spend",
            "attributed_pipeline",
            "attributed_revenue",
            "new_customers",
        ],
        budget,
    )
    write("baseline.csv", ["month", "channel", "campaign", "baseline_budget"], baseline)
    write("finance.csv", ["month", "finance_spend", "reconciled", "note"], finance_rows(totals))
    write(
        "kpis.csv",
        [
            "name",
            "unit",
            "direction",
            "kind",
            "aggregation",
            "parent",
            "funnel_stage",
            "description",
            "parent_factor",
            "conversion_label",
        ],
        [[*k, *CONVERSIONS.get(k[0], ("", ""))] for k in KPIS],
    )
    write("channels.csv", ["channel", "horizon"], [[c, h] for c, h in CHANNEL_HORIZONS.items()])
    write("kpi_values.csv", ["kpi", "month", "target", "actual"], kpi_rows(totals))
    write(
        "goals.csv",
        ["title", "description", "owner_role", "horizon", "start_month", "end_month", "kpis"],
        [list(g) for g in GOALS],
    )
    write("success_definitions.csv", list(DEFINITIONS[0]), [list(d.values()) for d in DEFINITIONS])
    write("checklist_answers.csv", ["month", "item", "role", "score", "comment"], checklist_rows())
    anchor_quarter = (int(ANCHOR_MONTH[5:7]) - 1) // 3
    maturity = []
    for offset, levels in MATURITY.items():
        index = int(ANCHOR_MONTH[:4]) * 4 + anchor_quarter + offset
        quarter = f"{index // 4}-Q{index % 4 + 1}"
        for competence, (current, desired) in zip(COMPETENCES, levels, strict=True):
            note = MATURITY_NOTES.get(competence, "") if offset == 0 else ""
            maturity.append([quarter, competence, current, desired, note])
    write(
        "maturity.csv",
        ["quarter", "competence", "current_level", "desired_level", "note"],
        maturity,
    )
    write("requests.csv", list(REQUESTS[0]), [list(r.values()) for r in REQUESTS])
    write(
        "explanations.csv",
        ["month", "kind", "subject", "status", "explanation", "next_step", "written_by"],
        [[add_months(ANCHOR_MONTH, -back), *rest, "CMO"] for back, *rest in EXPLANATIONS],
    )
    write(
        "confidence.csv",
        ["goal", "month", "role", "score", "comment"],
        [
            [
                goal,
                add_months(ANCHOR_MONTH, -back),
                role,
                score,
                CONFIDENCE_COMMENTS.get((goal, back, role), ""),
            ]
            for goal, months in CONFIDENCE.items()
            for back in sorted(months, reverse=True)
            for role, score in zip(("CEO", "CFO", "CMO"), months[back], strict=True)
        ],
    )


if __name__ == "__main__":
    main()
