import datetime as dt

from alignment.success import CONTENT_FIELDS
from alignment.success import canonical_content
from alignment.success import content_hash

CONTENT = {
    "title": "ROMI at least 80%",
    "metric": "romi",
    "target": 0.8,
    "unit": "ratio",
    "comparison": "at_least",
    "period_start": "2026-01",
    "period_end": "2026-12",
    "deadline": dt.date(2026, 12, 31),
    "measurement": "(revenue x margin - spend) / spend",
    "data_source": "budget lines",
    "tolerance": 0.15,
    "owner_role": "CMO",
}


def test_canonical_content_is_stable_and_sorted():
    text = canonical_content(CONTENT)
    assert text == canonical_content(dict(reversed(list(CONTENT.items()))))
    assert text.startswith('{"comparison":"at_least","data_source":"budget lines"')
    assert '"deadline":"2026-12-31"' in text


def test_integer_and_float_targets_hash_the_same():
    assert content_hash({**CONTENT, "target": 1}) == content_hash({**CONTENT, "target": 1.0})


def test_every_signed_field_changes_the_hash():
    original = content_hash(CONTENT)
    for field in CONTENT_FIELDS:
        changed = dict(CONTENT)
        value = changed[field]
        if isinstance(value, dt.date):
            changed[field] = value + dt.timedelta(days=1)
        elif isinstance(value, float):
            changed[field] = value + 0.01
        else:
            changed[field] = value + " "
        assert content_hash(changed) != original, field


def test_hash_is_sha256_hex():
    digest = content_hash(CONTENT)
    assert len(digest) == 64 and int(digest, 16) >= 0
