"""What an import reports: rows read, what was written, what was refused and why."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ImportReport(BaseModel):
    """The result of an import. Its JSON (`as_json`) is what `--json` prints and the server sends:
    `errors`, the first problems, each with row, column, key, values and `reason` (the text in the
    import's language); `error_rows`, every problem (reasons.ERROR_SCHEMA), stays where the import
    ran (it goes to the rejects file)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    source: str
    rows_read: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    written: bool = False
    rejects_file: str | None = None
    errors: list[dict[str, Any]] = Field(default_factory=list)
    errors_total: int = 0
    ledger_seq: int | None = None
    encoding: str | None = None
    error_rows: Any = Field(default=None, exclude=True, repr=False)

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
