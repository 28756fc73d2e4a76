"""Candidate pools (table pool_firm, migration 0012): firms beyond the city that targets may
propose. Each import of a pool is a new version of it, one ledger entry; the highest version is
in force. Pools are read by targets only: nothing here feeds the registry or the resolver."""

from __future__ import annotations

from typing import Any

import polars as pl

from districtlens.store import ledger
from districtlens.store.db import Store

POOL_COLUMNS = tuple(c for c in ledger.HASHED_TABLES["pool_firm"] if c not in ("pool_id", "version", "ledger_seq"))


def write_pool(store: Store, pool_id: str, firms: pl.DataFrame, *, source: dict[str, Any], actor: str) -> ledger.Entry:
    """Store `firms` (POOL_COLUMNS) as the next version of pool `pool_id`, in one ledger entry."""
    with store.transaction() as con:
        seq = ledger.next_seq(con)
        (version,) = con.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM pool_firm WHERE pool_id = ?", [pool_id]
        ).fetchone() or (1,)
        frame = firms.select(POOL_COLUMNS).with_columns(
            pl.lit(pool_id).alias("pool_id"), pl.lit(version).alias("version"), pl.lit(seq).alias("ledger_seq")
        )
        ledger.insert_hashed(con, "pool_firm", frame)
        payload = {"pool": pool_id, "version": version, "firms": frame.height, **source}
        return ledger.append(con, seq, actor, "pools.import", payload)


def pool_firms(store: Store, pools: list[str] | None = None) -> pl.DataFrame:
    """The firms of the pools in force (every pool when `pools` is None): pool_id, then POOL_COLUMNS."""
    where = "" if pools is None else "AND p.pool_id IN (SELECT unnest(?::VARCHAR[]))"
    params: list[Any] = [] if pools is None else [pools]
    return store.con.execute(
        f"""SELECT p.pool_id, {", ".join("p." + c for c in POOL_COLUMNS)} FROM pool_firm p
        JOIN (SELECT pool_id, max(version) AS version FROM pool_firm GROUP BY pool_id) v USING (pool_id, version)
        WHERE true {where} ORDER BY p.pool_id, p.firm_id""",
        params,
    ).pl()


def pool_summary(store: Store) -> list[dict[str, Any]]:
    """Each pool in force: pool_id, version, firms, countries, the firms linked to the registry."""
    rows = store.con.execute(
        """SELECT p.pool_id, p.version, count(*), count(DISTINCT country), count(linked_uscc)
        FROM pool_firm p
        JOIN (SELECT pool_id, max(version) AS version FROM pool_firm GROUP BY pool_id) v USING (pool_id, version)
        GROUP BY ALL ORDER BY p.pool_id"""
    ).fetchall()
    return [{"pool_id": p, "version": v, "firms": n, "countries": c, "linked": linked} for p, v, n, c, linked in rows]
