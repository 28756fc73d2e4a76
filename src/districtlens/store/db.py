"""Opening the store, applying migrations, and running every write as one transaction."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from districtlens.errors import Cancelled, IntegrityError, StoreError

if TYPE_CHECKING:
    import polars as pl

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Numbers that were used once and removed before any release: a gap the numbering may keep.
RETIRED_MIGRATIONS = frozenset({3})


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    """The row of a query that always returns one (an aggregate without GROUP BY, a row known to
    exist): DuckDB's `fetchone()` may return None, which here is a defect, not an answer."""
    row = con.execute(sql, params).fetchone()
    if row is None:
        raise RuntimeError(f"no row from a query that always returns one: {sql}")
    return row


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first value of `one_row`: a count, a max, a flag."""
    return one_row(con, sql, params)[0]


def records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The rows of an executed query as dicts keyed by its column names."""
    names = [d[0] for d in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def threads(con: duckdb.DuckDBPyConnection) -> int:
    """How many threads DuckDB runs a query on (a setting of the whole database)."""
    return int(scalar(con, "SELECT current_setting('threads')"))


def set_threads(con: duckdb.DuckDBPyConnection, count: int) -> None:
    con.execute(f"SET threads = {int(count)}")


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load a DuckDB extension (spatial, fts) from its PyPI wheel (duckdb-extension-<name>).

    DuckDB cannot download extensions on the Commission's machines, so nothing is INSTALLed:
    the extension file that the wheel ships for this DuckDB version is LOADed by path.
    """
    version = scalar(con, "PRAGMA version")
    try:
        package = resources.files(f"duckdb_extension_{name}")
    except ModuleNotFoundError as exc:
        raise StoreError("store.extension_missing", extension=name) from exc
    path = package / "extensions" / version / f"{name}.duckdb_extension"
    if not path.is_file():
        raise StoreError("store.extension_build_missing", extension=name, version=version)
    con.execute(f"LOAD '{path}'")


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every shipped migration, in order."""
    found = []
    for entry in resources.files("districtlens.store.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
        elif entry.name.endswith(".sql"):
            # A migration still named NEXT_... (README.md beside them): number it when merging.
            raise IntegrityError("store.migration_unnumbered", name=entry.name)
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise IntegrityError("store.migrations_share_number", names=", ".join(sorted(n for _, n, _ in found)))
    missing = sorted(set(range(1, max(versions, default=0) + 1)) - set(versions) - RETIRED_MIGRATIONS)
    if missing:
        raise IntegrityError("store.migration_gap", missing=", ".join(f"{m:04d}" for m in missing))
    return sorted(found)


# Steps in Python that a migration's SQL cannot take, by the migration's topic (its name without the
# number), run in the migration's transaction after its SQL. Modules of the store register them.
AFTER_MIGRATION: dict[str, Callable[[duckdb.DuckDBPyConnection], None]] = {}

# DuckDB's row group: a registered frame cut into batches of this size is scanned by every thread.
ROW_GROUP = 122_880


def register_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Make `frame` readable in SQL as `name`. DuckDB scans one Arrow batch on one thread, and a
    frame of one chunk is one batch: at a million rows, staging an import ran on one core."""
    import pyarrow as pa

    table = frame.to_arrow()
    con.register(name, pa.Table.from_batches(table.to_batches(max_chunksize=ROW_GROUP), schema=table.schema))


def sql_literal(value: str | int | bool | None) -> str:
    """`value` written into SQL. A relation with parameters is materialized and converted to Arrow
    on one thread; one whose values are written in is converted by every thread."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Store:
    """An open store. `con` is the DuckDB connection; writes go through `transaction()`.

    `cancelled`, when given, is checked before each commit: a write whose caller went away is
    rolled back instead of committed (the server sets it when a client disconnects)."""

    path: Path
    con: duckdb.DuckDBPyConnection
    cancelled: threading.Event | None = None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: commit when the block ends, roll back on any exception.

        DuckDB's write-ahead log makes a commit durable and discards an uncommitted
        transaction on recovery, so a process killed inside the block leaves the store as it was.
        """
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
            if self.cancelled is not None and self.cancelled.is_set():
                raise Cancelled("command.cancelled")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def reader(self) -> Store:
        """A second connection to the same open database, for reading from another thread (a
        DuckDB connection serves one thread at a time). Close it when done."""
        return Store(self.path, self.con.cursor(), self.cancelled)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_store(path: str | Path, *, read_only: bool = False) -> Store:
    """Open (creating if needed) the store at `path` and bring its schema up to date."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError("store.missing", path=str(path))
    creating = not read_only and not path.exists()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except (duckdb.IOException, duckdb.ConnectionException) as exc:
        if "lock" in str(exc).lower():
            raise StoreError("store.locked", path=str(path)) from exc
        raise StoreError("store.cannot_open", path=str(path), reason=str(exc)) from exc
    if creating:
        # The Commission's data, and the users' password hashes: the owner's alone. (Its
        # write-ahead log is created later, by DuckDB: the CLI narrows the umask for that, cli/app.py.)
        path.chmod(0o600)
    store = Store(path=path, con=con)
    if not read_only:
        try:
            _migrate(store)
        except BaseException:
            store.close()  # a refused store is not left open: the next open would find it locked
            raise
    elif _pending(con):
        # A reader cannot change the schema, and the code expects the newest: a store written by
        # an older districtlens is brought up to date once, then opened for reading.
        store.close()
        try:
            open_store(path).close()
        except IntegrityError:
            raise  # tampered records: say so, not that the store is busy
        except StoreError as exc:
            raise StoreError("store.needs_update", path=str(path)) from exc
        return open_store(path, read_only=True)
    return store


def _applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    found = scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migration'")
    if not found:
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_migration").fetchall()}


def _pending(con: duckdb.DuckDBPyConnection) -> bool:
    applied = _applied(con)
    return any(version not in applied for version, _, _ in migrations())


def _migrate(store: Store) -> None:
    con = store.con
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    applied = _applied(con)
    shipped = migrations()
    _check_records(store, shipped)
    for version, name, sql in shipped:
        if version in applied:
            continue
        try:
            with store.transaction():
                con.execute(sql)
                con.execute("INSERT INTO schema_migration VALUES (?, ?, now()::TIMESTAMP)", [version, name])
                after = AFTER_MIGRATION.get(_topic(name))
                if after is not None:
                    after(con)
        except duckdb.CatalogException as exc:
            # The schema already holds what this migration creates: its record was deleted.
            raise IntegrityError("store.migration_unrecorded", path=str(store.path), name=name) from exc


def _topic(name: str) -> str:
    """A migration's name without its number (which the integrator may change at merge)."""
    return name[5:].removesuffix(".sql")


def _check_records(store: Store, shipped: list[tuple[int, str, str]]) -> None:
    """Refuse a store whose migration records were edited: a version this districtlens lacks, a
    version under another name, or one missing below a recorded one (migrations apply in order,
    so a gap is a deleted record; re-running that migration would undo later ones)."""
    recorded = dict(store.con.execute("SELECT version, name FROM schema_migration").fetchall())
    names = {version: name for version, name, _ in shipped}
    unknown = sorted(set(recorded) - set(names))
    if unknown:
        raise IntegrityError(
            "store.migration_unknown", path=str(store.path), versions=", ".join(f"{v:04d}" for v in unknown)
        )
    for version, name in sorted(recorded.items()):
        if name != names[version]:
            raise IntegrityError(
                "store.migration_renamed",
                path=str(store.path),
                version=f"{version:04d}",
                recorded=name,
                name=names[version],
            )
    latest = max(recorded, default=0)
    for version, name, _ in shipped:
        if version < latest and version not in recorded:
            raise IntegrityError("store.migration_unrecorded", path=str(store.path), name=name)
