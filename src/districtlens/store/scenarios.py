"""Saved what-if scenarios (table scenario, migration 0012): a scenario's definition, kept as one
ledger entry. Computing a scenario writes nothing; only saving one does."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from districtlens.store import ledger
from districtlens.store.db import Store


def save_scenario(
    store: Store, name: str, area: str, track: str | None, definition: dict[str, Any], *, actor: str
) -> tuple[str, ledger.Entry]:
    """Record a scenario's definition; returns (scenario_id, entry)."""
    with store.transaction() as con:
        seq = ledger.next_seq(con)
        (count,) = con.execute("SELECT count(*) FROM scenario").fetchone() or (0,)
        scenario_id = f"scenario-{int(count) + 1:04d}"
        row = {
            "scenario_id": scenario_id,
            "name": name,
            "area": area,
            "track_id": track,
            "definition": ledger.canonical(definition),
            "ledger_seq": seq,
        }
        ledger.insert_hashed(
            con, "scenario", pl.DataFrame([row], schema={**{k: pl.String for k in row}, "ledger_seq": pl.Int64})
        )
        payload = {"scenario": scenario_id, "name": name, "area": area, "track": track, "definition": definition}
        return scenario_id, ledger.append(con, seq, actor, "scenario.save", payload)


def saved_scenarios(store: Store) -> list[dict[str, Any]]:
    """Every saved scenario: scenario_id, name, area, track_id, definition (parsed), ledger_seq."""
    rows = store.con.execute(
        "SELECT scenario_id, name, area, track_id, definition, ledger_seq FROM scenario ORDER BY scenario_id"
    ).fetchall()
    return [
        {"scenario_id": s, "name": n, "area": a, "track_id": t, "definition": json.loads(d), "ledger_seq": q}
        for s, n, a, t, d, q in rows
    ]


def saved_scenario(store: Store, scenario_id: str) -> dict[str, Any] | None:
    """One saved scenario (as `saved_scenarios` gives each), None when none has that id."""
    row = store.con.execute(
        "SELECT scenario_id, name, area, track_id, definition, ledger_seq FROM scenario WHERE scenario_id = ?",
        [scenario_id],
    ).fetchone()
    if row is None:
        return None
    s, n, a, t, d, q = row
    return {"scenario_id": s, "name": n, "area": a, "track_id": t, "definition": json.loads(d), "ledger_seq": q}
