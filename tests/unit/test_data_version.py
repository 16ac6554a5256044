"""The cache of read results (alignment/records/data_version.py), without a store."""

from __future__ import annotations

from alignment.records.data_version import ReadCache


def test_a_value_is_computed_once_per_key():
    cache = ReadCache(max_entries=4)
    calls: list[str] = []

    def compute(name: str):
        return lambda: calls.append(name) or f"fit of {name}"

    assert cache.get(("store", "7:abc", "revenue"), compute("a")) == "fit of a"
    assert cache.get(("store", "7:abc", "revenue"), compute("b")) == "fit of a"
    assert cache.get(("store", "8:def", "revenue"), compute("c")) == "fit of c"
    assert cache.get(("other store", "7:abc", "revenue"), compute("d")) == "fit of d"
    assert calls == ["a", "c", "d"]
    assert cache.computed == 3


def test_a_full_cache_evicts_the_least_recently_used_and_never_grows():
    cache = ReadCache(max_entries=3)
    for version in range(3):
        cache.get(version, lambda version=version: version * 10)
    cache.get(0, lambda: "recomputed")
    cache.get(3, lambda: 30)
    assert len(cache) == 3
    assert cache.get(1, lambda: "recomputed") == "recomputed"
    assert cache.get(0, lambda: "recomputed again") == 0
    for version in range(100, 1100):
        cache.get(version, lambda: None)
    assert len(cache) == 3


def test_a_failed_computation_keeps_nothing():
    cache = ReadCache(max_entries=2)

    def fails():
        raise ValueError("not enough data")

    for _ in range(2):
        try:
            cache.get("key", fails)
        except ValueError:
            pass
    assert len(cache) == 0 and cache.computed == 0
    assert cache.get("key", lambda: "now there is") == "now there is"


def test_a_caller_changing_what_it_was_given_changes_nobody_else_s_copy():
    import pandas as pd

    cache = ReadCache(max_entries=2)
    given = cache.get("overview", lambda: pd.DataFrame({"spend": [1, 2]}))
    given["spend"] = 0
    given["extra"] = "added by a page"
    again = cache.get("overview", lambda: pd.DataFrame({"spend": [9]}))
    assert again.to_dict("list") == {"spend": [1, 2]}
