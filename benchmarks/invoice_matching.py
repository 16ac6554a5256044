"""Invoices matched to purchase orders, at scale: a million ledger lines against a hundred
thousand commitments, through the same service the page and the CLI use.

    python -m benchmarks.invoice_matching [--orders 100000] [--lines 1000000]

Generates an ERP export of ``--orders`` purchase orders (2,000 vendors, the channels of
benchmarks/budget_scale.py, one to three months each in 2025) and a ledger of ``--lines``
lines dated January to June 2025: nine in ten name their order in one of the ways finance
writes it (``PO-000123``, ``po 000123``, ``000123``), one in ten names none. With the clock
on 15 July 2025 it imports the orders into a fresh SQLite store, then times the invoice
import in its steps: reading and checking every cell, matching (the preview: every
reference against every order, known invoice numbers, reconciled months) and writing (the
lines, each order's invoiced total, the audit event). The target is the whole import of
the ledger, read to written, in under 30 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from benchmarks.budget_scale import CHANNELS

TODAY = "2025-07-15"
TARGET_SECONDS = 30.0
VENDORS = 2_000


def generate_orders(path: Path, count: int) -> list[tuple[str, str, int]]:
    """The ERP export; returns (PO number, vendor, cents) per order for the ledger."""
    rng = random.Random(11)
    made = []
    with path.open("w", encoding="utf-8") as out:
        out.write("po_number,vendor,channel,campaign,amount,first_month,last_month\n")
        for i in range(count):
            number, vendor = f"PO-{i:06d}", f"Vendor {rng.randrange(VENDORS):04d}"
            first = rng.randint(1, 10)
            last = min(12, first + rng.randint(0, 2))
            cents = rng.randint(1_000, 60_000) * 100
            out.write(
                f"{number},{vendor},{rng.choice(CHANNELS)},order {i},{cents / 100:.2f},"
                f"2025-{first:02d},2025-{last:02d}\n"
            )
            made.append((number, vendor, cents))
    return made


def generate_ledger(path: Path, lines: int, orders: list[tuple[str, str, int]]) -> None:
    rng = random.Random(13)
    with path.open("w", encoding="utf-8") as out:
        out.write("invoice_date,vendor,amount,po_reference,gl_account,invoice_number\n")
        for i in range(lines):
            number, vendor, cents = orders[rng.randrange(len(orders))]
            day = f"2025-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"
            amount = max(1, cents // rng.randint(4, 40))
            form = rng.random()
            if form < 0.1:
                reference = ""
            elif form < 0.4:
                reference = f"po {number[3:]}"
            elif form < 0.6:
                reference = number[3:]
            else:
                reference = number
            out.write(
                f"{day},{vendor},{amount / 100:.2f},{reference},61{rng.randint(0, 9)}0,"
                f"INV-{i:07d}\n"
            )


def run(orders: int, lines: int, store_url: str | None = None) -> dict[str, float]:
    """Import ``orders`` purchase orders and a ledger of ``lines`` into a store (a fresh
    SQLite file unless ``store_url``), timing each step of the ledger's import."""
    from alignment.access.permissions import Actor
    from alignment.access.permissions import Role
    from alignment.edges.store import open_store
    from alignment.shared import clock
    from alignment.spend import commitment_import
    from alignment.spend import invoice_import

    folder = Path(tempfile.mkdtemp(prefix="samepage-invoices-"))
    orders_csv, ledger_csv = folder / "orders.csv", folder / "ledger.csv"
    made = generate_orders(orders_csv, orders)
    generate_ledger(ledger_csv, lines, made)
    store = open_store(store_url or f"sqlite:///{folder / 'store.db'}")
    cmo, cfo = Actor(None, "Benchmark", Role.CMO), Actor(None, "Benchmark", Role.CFO)
    timings: dict[str, float] = {}
    with clock.pinned(TODAY):
        started = time.perf_counter()
        with store.session() as session:
            commitment_import.import_commitments(
                session,
                cmo,
                commitment_import.read_commitment_file(orders_csv.read_bytes(), orders_csv.name),
                reason="Benchmark: no plan behind these orders",
            )
        timings["orders import"] = time.perf_counter() - started
        data = ledger_csv.read_bytes()
        started = time.perf_counter()
        checked = invoice_import.read_invoice_file(data, ledger_csv.name)
        timings["ledger: read and check"] = time.perf_counter() - started
        started = time.perf_counter()
        with store.session() as session:
            preview = invoice_import.preview_invoices(session, cfo, checked)
        timings["ledger: match (preview)"] = time.perf_counter() - started
        started = time.perf_counter()
        with store.session() as session:
            result = invoice_import.import_invoices(session, cfo, checked)
        timings["ledger: match and write (import)"] = time.perf_counter() - started
    store.close()
    timings["matched lines"] = result.matched
    timings["unmatched lines"] = result.unmatched
    timings["problems"] = preview.problem_count
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    t = run(args.orders, args.lines)
    whole = t["ledger: read and check"] + t["ledger: match and write (import)"]
    rows = [
        ("purchase orders", f"{args.orders:,}", "", ""),
        ("ledger lines", f"{args.lines:,}", "", ""),
        ("matched by their PO reference", f"{int(t['matched lines']):,}", "", ""),
        ("unmatched (no reference)", f"{int(t['unmatched lines']):,}", "", ""),
        ("problems", f"{int(t['problems']):,}", "", ""),
        ("import of the orders", f"{t['orders import']:,.1f} s", "", ""),
        ("ledger: read and check every cell", f"{t['ledger: read and check']:,.1f} s", "", ""),
        ("ledger: match (the preview)", f"{t['ledger: match (preview)']:,.1f} s", "", ""),
        (
            "ledger: match and write (the import)",
            f"{t['ledger: match and write (import)']:,.1f} s",
            "",
            "",
        ),
        (
            "ledger: read to written",
            f"{whole:,.1f} s",
            f"< {TARGET_SECONDS:.0f} s",
            "yes" if whole < TARGET_SECONDS else "NO",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>12}  {'target':<8}  met")
    print(f"{'-' * width}  {'-' * 12}  {'-' * 8}  ---")
    for name, value, target, met in rows:
        print(f"{name:<{width}}  {value:>12}  {target:<8}  {met}")


if __name__ == "__main__":
    main()
