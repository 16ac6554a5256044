import datetime as dt
import hashlib

from alignment.definitions.success import canonical_content
from alignment.definitions.success import content_hash

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
    for field in CONTENT:
        changed = dict(CONTENT)
        value = changed[field]
        if isinstance(value, dt.date):
            changed[field] = value + dt.timedelta(days=1)
        elif isinstance(value, float):
            changed[field] = value + 0.01
        else:
            changed[field] = value + " "
        assert content_hash(changed) != original, field


SIGNED_TEXT = (
    '{"comparison":"at_least","data_source":"budget lines","deadline":"2026-12-31",'
    '"measurement":"(revenue x margin - spend) / spend","metric":"romi","owner_role":"CMO",'
    '"period_end":"2026-12","period_start":"2026-01","target":0.8,"title":"ROMI at least 80%",'
    '"tolerance":0.15,"unit":"ratio"}'
)
"""CONTENT as the signature covers it, written out by hand: every field, keys sorted, no
spaces, the date as ISO text and numbers as floats."""


def test_hash_is_the_sha256_of_the_signed_text():
    assert canonical_content(CONTENT) == SIGNED_TEXT
    assert content_hash(CONTENT) == hashlib.sha256(SIGNED_TEXT.encode("utf-8")).hexdigest()
    # Signatures already stored must keep matching, so the digest itself is pinned too.
    assert content_hash(CONTENT) == (
        "865ad97ef0db952cc4a93f058c6c6b6901c1f2fa24d34944473d524b27298d47"
    )
