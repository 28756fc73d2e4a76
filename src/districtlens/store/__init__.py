"""The store: one DuckDB file, versioned migrations, append-only history and a hash-chained ledger.

Only this package (and the microdata-to-panel engine beside it) speaks SQL.
"""

# The ledger registers the Python steps of migrations (db.AFTER_MIGRATION) before any store opens.
from districtlens.store import ledger
from districtlens.store.db import Store, open_store

__all__ = ["Store", "ledger", "open_store"]
