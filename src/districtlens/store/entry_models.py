"""The stored entry model (table entry_model, migration 0009): each `metrics model set` is a
ledgered new version; the highest version is in force."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from districtlens.store import ledger
from districtlens.store.db import Store


@dataclass(frozen=True)
class StoredModel:
    version: int
    file_name: str
    model_sha256: str
    meta: dict[str, object]
    model_bytes: bytes
    valid_from: str


def save_model(store: Store, file_name: str, data: bytes, meta: dict[str, object], *, actor: str) -> ledger.Entry:
    """Store a new version of the entry model (checked by the command layer: commands/metrics.py)."""
    digest = hashlib.sha256(data).hexdigest()
    with store.transaction() as con:
        seq = ledger.next_seq(con)
        (version,) = con.execute("SELECT coalesce(max(version), 0) + 1 FROM entry_model").fetchone() or (1,)
        columns = ledger.HASHED_TABLES["entry_model"]
        con.execute(
            f"INSERT INTO entry_model ({', '.join(columns)}, model_bytes, row_hash)"
            f" SELECT {', '.join(columns)}, model_bytes, {ledger.row_hash_sql('entry_model')}"
            f" FROM (SELECT ? AS version, ? AS file_name, ? AS model_sha256, ? AS meta, ? AS valid_from,"
            f" ? AS ledger_seq, ?::BLOB AS model_bytes)",
            [version, file_name, digest, ledger.canonical(meta), ledger.now_iso(), seq, data],
        )
        return ledger.append(
            con, seq, actor, "entry_model.set", {"version": version, "file_name": file_name, "model_sha256": digest}
        )


def current_model(store: Store) -> StoredModel | None:
    """The entry model in force, or None when none was ever set."""
    row = store.con.execute(
        "SELECT version, file_name, model_sha256, meta, model_bytes, valid_from FROM entry_model"
        " ORDER BY version DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return StoredModel(
        version=row[0],
        file_name=row[1],
        model_sha256=row[2],
        meta=json.loads(row[3]),
        model_bytes=bytes(row[4]),
        valid_from=row[5],
    )
