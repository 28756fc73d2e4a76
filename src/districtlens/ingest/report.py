"""What an import reports: rows read, what was written, what was refused and why."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import polars as pl


@dataclass
class ImportReport:
    source: str
    rows_read: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    written: bool = False
    rejects_file: str | None = None
    errors: list[dict] = field(default_factory=list)
    errors_total: int = 0
    ledger_seq: int | None = None
    encoding: str | None = None
    error_rows: pl.DataFrame | None = field(default=None, repr=False)  # every problem, for the rejects file

    def as_json(self) -> dict:
        """Every field but the full problem table, which goes to the rejects file."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.repr}
