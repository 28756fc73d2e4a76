"""The store: one DuckDB file, versioned migrations, append-only history and a hash-chained ledger.

Only this package (and the microdata-to-panel engine beside it) speaks SQL.
"""

from districtlens.store.db import Store, open_store

__all__ = ["Store", "open_store"]
