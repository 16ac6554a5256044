"""Which column of a file holds what: the one mapping kit of every import that takes a
team's own exports (the budget, purchase orders from the ERP, finance's invoice lines).

A file whose headers are SamePage's own maps itself. Any other file is mapped once by a
person, and the mapping is remembered per kind and source name (``hubspot export``,
``sap purchase orders``), so the next month's export of the same source maps itself too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.files.spreadsheet import Table
from alignment.files.spreadsheet import find_columns
from alignment.files.spreadsheet import normalise_header
from alignment.records.unit_of_work import Write
from alignment.shared.errors import ValidationFailed
from db.models import ImportMapping

NOT_IN_FILE = "(not in this file)"
"""What a mapping form offers for a column the file does not have."""


@dataclass(frozen=True)
class FileColumns:
    """What one kind of import reads: its columns in order, their labels, which are
    required, and the other names a column goes by in the exports people have."""

    kind: str
    labels: dict[str, str]
    required: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def suggest(self, headers: list[str]) -> dict[str, str | None]:
        """Per column, the file header that most likely holds it (or None)."""
        return find_columns(headers, self.aliases)

    def canonical(self, headers: list[str]) -> dict[str, str] | None:
        """The mapping when every header already is one of SamePage's columns, else None."""
        names = {normalise_header(h): h for h in headers}
        if not set(self.required) <= set(names) or not set(names) <= set(self.fields):
            return None
        return {n: names[n] for n in self.fields if n in names}

    def check(self, mapping: dict[str, str], headers: list[str]) -> None:
        """Refuse a mapping that leaves a required column out, names a header the file does
        not have, or gives one header two meanings."""
        missing = [self.labels[f] for f in self.required if not mapping.get(f)]
        if missing:
            raise ValidationFailed(f"Choose the column that holds: {', '.join(missing)}.")
        unknown = [h for h in mapping.values() if h not in headers]
        if unknown:
            raise ValidationFailed(f"The file has no column called '{unknown[0]}'.")
        used: dict[str, str] = {}
        for name, header in mapping.items():
            if name not in self.fields:
                raise ValidationFailed(f"SamePage has no column called '{name}'.")
            if header in used:
                raise ValidationFailed(
                    f"Column '{header}' cannot be both {self.labels[used[header]]} and "
                    f"{self.labels[name]}."
                )
            used[header] = name


class MappingNeeded(ValidationFailed):
    """The file's headers are not SamePage's columns; a person maps them once per source."""

    def __init__(
        self,
        table: Table,
        columns: FileColumns,
        suggestion: dict[str, str | None],
        why: str | None = None,
    ) -> None:
        self.table = table
        self.columns = columns
        self.suggestion = suggestion
        unknown = [h for h in table.headers if normalise_header(h) not in columns.fields]
        super().__init__(
            why
            or f"The columns of {table.file_name} are not SamePage's own "
            f"({', '.join(unknown)}); map them to SamePage's columns once for this source."
        )

    def command_line_hint(self) -> str:
        """The --map options that would apply the suggestion, for the command line."""
        shown = " ".join(
            f"--map {name}='{header}'" for name, header in self.suggestion.items() if header
        )
        return f"{self} Use --map COLUMN=HEADER, e.g. {shown}" if shown else str(self)


def mapping_for(
    table: Table,
    columns: FileColumns,
    *,
    given: dict[str, str] | None = None,
    remembered: dict[str, str] | None = None,
) -> dict[str, str]:
    """The one rule for which mapping wins, for the page and the command line: the mapping
    the person gave (a mapping form, ``--map``), else the file's own standard headers, else
    the mapping remembered for its source when every header it names is in the file.
    MappingNeeded (with a suggestion) when none fits, or when the mapping given does not fit
    this file (an earlier file's, a mistyped header)."""
    if given:
        given = {k: v for k, v in given.items() if v}
        try:
            columns.check(given, table.headers)
        except ValidationFailed as refused:
            raise MappingNeeded(
                table, columns, columns.suggest(table.headers), f"{refused} Map it again."
            ) from None
        return given
    own = columns.canonical(table.headers)
    if own is not None:
        return own
    if remembered and set(remembered.values()) <= set(table.headers):
        columns.check(remembered, table.headers)
        return dict(remembered)
    raise MappingNeeded(table, columns, columns.suggest(table.headers))


def remembered_mapping(session: Session, kind: str, source: str) -> dict[str, str] | None:
    row = session.scalar(
        select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.source_name == source)
    )
    return None if row is None else dict(row.mapping)


def remember_mapping(
    w: Write,
    columns: FileColumns,
    source: str,
    mapping: dict[str, str],
    headers: list[str] | None = None,
) -> None:
    """Inside an import's unit of work: remember how a source's columns map, so its next
    file maps itself. A file with SamePage's own ``headers`` needs nothing remembered."""
    if headers is not None and mapping == columns.canonical(headers):
        return
    session = w.session
    row = session.scalar(
        select(ImportMapping).where(
            ImportMapping.kind == columns.kind, ImportMapping.source_name == source
        )
    )
    old = None if row is None else dict(row.mapping)
    if old == mapping:
        return
    if row is None:
        session.add(
            ImportMapping(
                kind=columns.kind,
                source_name=source,
                mapping=mapping,
                updated_by_id=w.actor.user_id,
            )
        )
    else:
        row.mapping = mapping
        row.updated_by_id = w.actor.user_id
    w.record(
        "remember_mapping",
        "import_mapping",
        source,
        None if old is None else {"mapping": old},
        {"mapping": mapping, "kind": columns.kind},
    )
