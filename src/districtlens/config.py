"""Where the store lives: `--db PATH`, else $DISTRICTLENS_DB, else var/districtlens.duckdb."""

import os
from pathlib import Path

DEFAULT_DB = Path("var/districtlens.duckdb")
DB_ENV = "DISTRICTLENS_DB"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(DB_ENV)
    return Path(from_env) if from_env else DEFAULT_DB
