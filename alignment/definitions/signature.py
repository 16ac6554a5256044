"""What a CFO's signature on a definition of success covers, and its keyed seal.

A signature is only worth something if it still means what was signed. The seal is an
HMAC, under the store's signing key (``alignment.records.signing_key``), over the version's
content, its definition and version number, who signed and when, and everything outside
the version that changes what it measures: the KPI's name, unit, aggregation and direction;
the metric's formula version; the currency; the gross margin for ROMI. Change any of these,
or the seal itself (NULL, garbage, another version's), and the version reads "changed since
sign-off" everywhere, until it is signed again. Nobody without the key can compute a seal
that holds, so write access to the database is not enough to make a change pass unseen.

``content_hash`` stays a plain hash of the content alone: it tells a person that the text
they read is still the text on screen ("changed after you opened it"); it proves nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.definitions.definition_states import SIGNED_STATES
from alignment.records import signing_key
from alignment.shared import metrics
from db.models import CompanySettings
from db.models import Kpi
from db.models import SuccessDefinitionVersion

CONTENT_FIELDS = (
    "title",
    "metric",
    "target",
    "unit",
    "comparison",
    "period_start",
    "period_end",
    "deadline",
    "measurement",
    "data_source",
    "tolerance",
    "owner_role",
)
"""The version's own fields a signature covers."""
KPI_PREFIX = "kpi:"
SEAL_FORMAT = 1
"""Raised when what a seal covers changes; seals of another format read as changed."""
_SEAL = re.compile(r"[0-9a-f]{64}")


def canonical_content(content: Mapping[str, Any]) -> str:
    """Stable JSON of the signed fields: same content, same text, on every database."""
    normalised = {}
    for field in CONTENT_FIELDS:
        value = content[field]
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)
        normalised[field] = value
    return json.dumps(normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_content(content).encode("utf-8")).hexdigest()


def version_content(version: SuccessDefinitionVersion) -> dict[str, Any]:
    return {field: getattr(version, field) for field in CONTENT_FIELDS}


def kpi_id(metric: str) -> int | None:
    if not metric.startswith(KPI_PREFIX):
        return None
    try:
        return int(metric.removeprefix(KPI_PREFIX))
    except ValueError:
        return None


def depends_on(
    metric: str, kpi: Mapping[str, Any] | None, currency: str | None, gross_margin: float | None
) -> dict[str, Any]:
    """What the metric's figure depends on outside the version: for a KPI its name, unit,
    aggregation and direction (a sum read as the last value is another figure); for a budget
    metric its formula version, the currency, and for ROMI the gross margin."""
    if metric.startswith(KPI_PREFIX):
        if kpi is None:
            return {"kpi": None}
        return {
            "kpi": {name: kpi[name] for name in ("id", "name", "unit", "aggregation", "direction")}
        }
    meaning: dict[str, Any] = {
        "formula": metrics.FORMULA_VERSIONS.get(metric),
        "currency": currency,
    }
    if metric == "romi":
        meaning["gross_margin"] = None if gross_margin is None else float(gross_margin)
    return meaning


def signed_meaning(
    definition_id: int,
    number: int,
    signed_by_id: int | None,
    signed_at: dt.datetime | None,
    content: Mapping[str, Any],
    depends: Mapping[str, Any],
) -> dict[str, Any]:
    """Everything a seal covers, as plain JSON (the audit trail keeps it with the seal)."""
    return {
        "format": SEAL_FORMAT,
        "definition": definition_id,
        "version": number,
        "signed_by": signed_by_id,
        "signed_at": None if signed_at is None else signed_at.replace(microsecond=0).isoformat(),
        "content": json.loads(canonical_content(content)),
        "depends_on": dict(depends),
    }


def seal_of(key: bytes, meaning: Mapping[str, Any]) -> str:
    text = json.dumps(meaning, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def own_part(meaning: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a meaning that lives in the version's own row (not what it depends on)."""
    return {k: v for k, v in meaning.items() if k != "depends_on"}


def meaning_now(session: Session, version: SuccessDefinitionVersion) -> dict[str, Any]:
    """What the version means today: its row and what its metric depends on now."""
    settings = session.scalar(select(CompanySettings).order_by(CompanySettings.id).limit(1))
    kpi = None
    if (found := kpi_id(version.metric)) is not None:
        row = session.get(Kpi, found)
        if row is not None:
            kpi = {
                "id": row.id,
                "name": row.name,
                "unit": row.unit,
                "aggregation": row.aggregation,
                "direction": row.direction,
            }
    depends = depends_on(
        version.metric,
        kpi,
        settings.currency if settings else None,
        settings.gross_margin if settings else None,
    )
    return signed_meaning(
        version.definition_id,
        version.number,
        version.signed_by_id,
        version.signed_at,
        version_content(version),
        depends,
    )


def seal(session: Session, version: SuccessDefinitionVersion) -> tuple[str, dict[str, Any]]:
    """The seal of ``version`` as it stands, and the meaning it covers."""
    meaning = meaning_now(session, version)
    return seal_of(signing_key.of(session), meaning), meaning


def well_formed(stored: object) -> bool:
    return isinstance(stored, str) and _SEAL.fullmatch(stored) is not None


def seal_holds(session: Session, version: SuccessDefinitionVersion) -> bool:
    """True only when the stored seal is the seal of what the version means now; a NULL,
    unreadable or foreign seal never holds."""
    if not well_formed(version.seal):
        return False
    expected, _ = seal(session, version)
    return hmac.compare_digest(str(version.seal), expected)


def changed_since_signoff(session: Session, version: SuccessDefinitionVersion) -> bool:
    """True for a signed version whose seal no longer holds; a version never signed has
    nothing to have changed from."""
    if version.state not in SIGNED_STATES and version.signed_at is None:
        return False
    return not seal_holds(session, version)


def seal_version(session: Session, version: SuccessDefinitionVersion) -> dict[str, Any]:
    """Seal a version being signed now; returns what the audit event keeps: the seal and the
    meaning it covers, so ``audit verify`` can check the version against its sign-off."""
    version.content_hash = content_hash(version_content(version))
    version.seal, meaning = seal(session, version)
    return {"seal": version.seal, "meaning": meaning}


def seal_new_signatures(session: Session) -> dict[str, dict[str, Any]]:
    """Seal every signed version that has no seal yet, for a loader that creates signed
    versions in this very transaction (the demo company); returns what its audit event keeps,
    by version id. Never for existing versions: a missing seal must read as changed."""
    sealed = {}
    for version in session.scalars(
        select(SuccessDefinitionVersion)
        .where(SuccessDefinitionVersion.state.in_(SIGNED_STATES))
        .where(SuccessDefinitionVersion.seal.is_(None))
        .order_by(SuccessDefinitionVersion.id)
    ):
        sealed[str(version.id)] = seal_version(session, version)
    return sealed
