"""Writes of many rows at once, through the driver's executemany.

SQLAlchemy's per-row bind processing is most of the cost of inserting a
million budget lines; values here are already plain ints, strings and None,
and the few typed constants are converted once, up front.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from db.models import BudgetLine


def insert_budget_lines(
    session: Session,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    constants: dict[str, Any],
) -> None:
    """Insert budget lines: ``rows`` (values for ``columns``) with ``constants`` in each."""
    insert_rows(session, cast(Table, BudgetLine.__table__), columns, rows, constants)


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    constants: dict[str, Any],
) -> None:
    """Insert ``rows`` (values for ``columns``) into ``table`` with ``constants`` in every row."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    fixed = []
    for name, value in constants.items():
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        fixed.append(processor(value) if processor else value)
    names = [*columns, *constants]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608 - names are our columns
        f"VALUES ({', '.join([mark] * len(names))})"
    )
    tail = tuple(fixed)
    connection.exec_driver_sql(statement, [row + tail for row in rows])
