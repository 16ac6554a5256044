"""What pages get instead of ORM rows: frozen dataclasses filled from a row.

A view names its fields as the store names its columns, so filling one is a rule, not a
list written out again in each service: every field is the row's attribute of the same
name, unless the service gives it (a name looked up, an amount in cents made money).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any
from typing import TypeVar

View = TypeVar("View")


def view_of(view: type[View], row: object, **given: Any) -> View:
    """A ``view`` dataclass from ``row``: the given values, the rest read from the row."""
    values = {
        f.name: given[f.name] if f.name in given else getattr(row, f.name)
        for f in fields(view)  # type: ignore[arg-type]
        if f.init and (f.name in given or hasattr(row, f.name))
    }
    return view(**values)
