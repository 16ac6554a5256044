"""Filling a view from a row: the one rule every service uses instead of writing fields out."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from alignment.shared.views import view_of


@dataclass(frozen=True)
class _Shown:
    id: int
    name: str
    note: str = "none"


def test_each_field_is_the_row_attribute_of_the_same_name():
    row = SimpleNamespace(id=7, name="Paid search", note="kept", unrelated="left out")
    assert view_of(_Shown, row) == _Shown(7, "Paid search", "kept")


def test_a_given_value_wins_over_the_row():
    row = SimpleNamespace(id=7, name="raw", note="kept")
    assert view_of(_Shown, row, name="Shown name") == _Shown(7, "Shown name", "kept")


def test_a_field_the_row_lacks_keeps_its_default_or_fails_loudly():
    assert view_of(_Shown, SimpleNamespace(id=1, name="x")) == _Shown(1, "x", "none")
    with pytest.raises(TypeError, match="name"):
        view_of(_Shown, SimpleNamespace(id=1))
