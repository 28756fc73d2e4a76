"""Where the store lives: `--db PATH`, else $DISTRICTLENS_DB, else var/districtlens.duckdb."""

from pathlib import Path

DEFAULT_DB = Path("var/districtlens.duckdb")
DB_ENV = "DISTRICTLENS_DB"


# The demo store (`districtlens demo build`): how many synthetic enterprises, and the generator's
# seed (the interview's date): the same seed gives the same data.
DEMO_ENTERPRISES = 60_000
DEMO_SEED = 20251031
