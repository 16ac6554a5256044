"""How a change is written and kept: the unit of work, the audit trail, its signing key,
backups."""
