"""How an enterprise's versions are found by credit code.

Each row of enterprise_version and fact_version carries `uscc_key`, a 64-bit digest of its credit
code, and the lookup indexes are on that key (migrations 0008 and 0009). DuckDB's ART index
appends integer keys at about twice the speed of 18-character text, and an import appends one key
per row it writes: at a million rows the text keys were the longest single-threaded step of the
write (1.6-1.8 s of its commit against 0.8-0.9 s). A key is not a code: two codes may share one,
so a lookup by key keeps only the rows of the code it asked for.
"""

from __future__ import annotations

import hashlib

LOOKUP_KEY_SQL = "md5_number_lower(uscc)"  # DuckDB: the MD5's last 8 bytes as a little-endian integer


def lookup_key(uscc: str) -> int:
    """The `uscc_key` of a credit code, as LOOKUP_KEY_SQL computes it in the store."""
    return int.from_bytes(hashlib.md5(uscc.encode("utf-8")).digest()[8:], "little")
