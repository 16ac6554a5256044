"""How long a refused log-in takes for an address that has an account and for one that has
not: if the two differ, anyone can find out who has an account by timing the log-in page.

    python -m benchmarks.login_timing [--tries 20]

Runs on a throwaway SQLite store. Each attempt comes from its own client and ten minutes
after the one before (SamePage's clock is passed in), so no wait applies and only the check
itself is timed. Prints one table; the ratio should be close to 1 (before the dummy argon2
check it was about 0.01: 1.8 ms against 167 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.edges.store import open_store

T0 = dt.datetime(2026, 11, 23, 9, 0, 0)
PASSWORD = "correct horse battery staple"


def _timed(store, email: str, tries: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    with store.session() as session:
        for n in range(tries):
            started = time.perf_counter()
            try:
                accounts.log_in(
                    session,
                    email,
                    f"wrong {n}",
                    now=T0 + dt.timedelta(minutes=10 * n),
                    client=f"{email} {n}",
                )
            except accounts.LoginRefused:
                pass
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="samepage-login-") as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'login.db'}")
        try:
            with store.session() as session:
                accounts.add_user(
                    session, COMMAND_LINE, "cfo@kestrel.example", "Dana", "CFO", PASSWORD
                )
            _timed(store, "warm-up@kestrel.example", 2)
            rows = {
                "address with an account": _timed(store, "cfo@kestrel.example", args.tries),
                "address without one": _timed(store, "nobody@kestrel.example", args.tries),
            }
        finally:
            store.close()
    print(f"{'wrong password for':<26} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    for name, times in rows.items():
        print(
            f"{name:<26} {statistics.median(times) * 1000:>10.1f} "
            f"{min(times) * 1000:>8.1f} {max(times) * 1000:>8.1f}"
        )
    known, unknown = (statistics.median(t) for t in rows.values())
    print(f"ratio without / with an account: {unknown / known:.2f} (1.00 = indistinguishable)")


if __name__ == "__main__":
    main()
