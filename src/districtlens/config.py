"""Where the store lives: `--db PATH`, else $DISTRICTLENS_DB, else var/districtlens.duckdb."""

from pathlib import Path

DEFAULT_DB = Path("var/districtlens.duckdb")
DB_ENV = "DISTRICTLENS_DB"

