"""Users of the web app (table web_user, migration 0005): each change is a ledgered new version."""

from __future__ import annotations

import json
from dataclasses import dataclass

from districtlens.store import ledger
from districtlens.store.db import Store, scalar


@dataclass(frozen=True)
class User:
    username: str
    role: str
    carriers: tuple[str, ...]
    password_hash: str
    active: bool
    version: int


def get_user(store: Store, username: str) -> User | None:
    row = store.con.execute(
        "SELECT username, role, carriers, password_hash, active, version FROM web_user_current WHERE username = ?",
        [username],
    ).fetchone()
    if row is None:
        return None
    name, role, carriers, password_hash, active, version = row
    return User(name, role, tuple(json.loads(carriers)), password_hash, active, version)


def versions(store: Store) -> dict[str, tuple[int, bool]]:
    """Every user's version in force and whether it is active: what a session is checked against."""
    rows = store.con.execute("SELECT username, version, active FROM web_user_current").fetchall()
    return {name: (version, active) for name, version, active in rows}


def list_users(store: Store) -> list[User]:
    names = [r[0] for r in store.con.execute("SELECT username FROM web_user_current ORDER BY username").fetchall()]
    return [user for name in names if (user := get_user(store, name)) is not None]


def save_user(
    store: Store,
    username: str,
    *,
    role: str,
    carriers: list[str],
    password_hash: str,
    actor: str,
    active: bool = True,
) -> ledger.Entry:
    """Store a new version of a user (checked by the command layer: commands/users.py)."""
    with store.transaction() as con:
        seq = ledger.next_seq(con)
        version = scalar(con, "SELECT coalesce(max(version), 0) + 1 FROM web_user WHERE username = ?", [username])
        columns = ledger.HASHED_TABLES["web_user"]
        con.execute(
            f"INSERT INTO web_user ({', '.join(columns)}, row_hash)"
            f" SELECT {', '.join(columns)}, {ledger.row_hash_sql('web_user')}"
            f" FROM (SELECT ? AS username, ? AS version, ? AS role, ? AS carriers, ? AS password_hash,"
            f" ? AS active, ? AS valid_from, ? AS ledger_seq)",
            [username, version, role, json.dumps(carriers), password_hash, active, ledger.now_iso(), seq],
        )
        # The payload names the change, never the hash: the ledger is read by more people than admins.
        return ledger.append(
            con,
            seq,
            actor,
            "user.save",
            {"username": username, "version": version, "role": role, "carriers": carriers, "active": active},
        )


def carrier_ids(store: Store) -> set[str]:
    return {r[0] for r in store.con.execute("SELECT carrier_id FROM carrier").fetchall()}
