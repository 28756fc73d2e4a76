"""What the serving process holds: the store's one read-write connection, per-request readers on
cursors of it, the write lock, and a cache of computed figures keyed by the ledger's last seq.

DuckDB lets one process open a file for writing, so the server keeps that connection and hands
every other use a cursor of it. A request reads inside one transaction, begun at its first read:
DuckDB's MVCC gives it a snapshot, so a request never sees half of a write that commits while it
runs. A request answered from the cache reads nothing, so it begins none.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from districtlens.store import Store, db, ledger, open_store, web_users
from districtlens.store.histories import Histories, History, history, source_names
from districtlens.store.search import SearchIndex
from districtlens.web.background import VERIFYING

T = TypeVar("T")


class SnapshotCache:
    """Computed answers keyed by (name, arguments, ledger seq); a write makes a new seq, so stale
    entries are never served, and the oldest are dropped past `size`."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            gate = self._building.setdefault(key, threading.Lock())
        # One thread builds an answer; the others asking for it at the same time wait for it.
        with gate:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            value = build()
            with self._lock:
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._building.pop(key, None)
            return value


class Snapshot(Store):
    """A request's Store. `seq` is the ledger's last seq when the request began, which the server
    knows without asking the store (every write passes through it), so an answer cached for that
    seq is served without touching the store. The read transaction, a consistent snapshot, begins
    when the request first reads: on a cursor of its own, ended by `end`.

    A write that commits between the two makes the request read newer data than its seq says: an
    answer it caches under that seq is then newer than needed, never stale."""

    def __init__(self, path: Path, seq: int, cursors: queue.SimpleQueue, root: duckdb.DuckDBPyConnection):
        self.path = path
        self.seq = seq
        self._cursors = cursors
        self._root = root
        self._cursor: duckdb.DuckDBPyConnection | None = None

    def __repr__(self) -> str:  # Store's would read `con`, and so begin a transaction
        return f"Snapshot({self.path}, seq={self.seq})"

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._cursor is None:
            try:
                cursor = self._cursors.get_nowait()
            except queue.Empty:
                cursor = self._root.cursor()
            cursor.execute("BEGIN TRANSACTION")
            self._cursor = cursor
        return self._cursor

    @con.setter
    def con(self, value: duckdb.DuckDBPyConnection) -> None:
        # Store's `con` is a field anyone may set; a snapshot's is the cursor it takes when first read.
        raise AttributeError("a snapshot's connection is its own read cursor: it cannot be replaced")

    def end(self) -> None:
        """End the transaction, if one began, and hand its cursor back; a cursor that fails to end
        its transaction is dropped."""
        if self._cursor is None:
            return
        cursor, self._cursor = self._cursor, None
        try:
            cursor.execute("ROLLBACK")
        except duckdb.Error:
            cursor.close()
        else:
            self._cursors.put(cursor)


class ServerState:
    def __init__(self, db_path: Path, first_views: Callable[[ServerState, Snapshot], None] | None = None):
        """`first_views`: computes (into `cached`) what the first visits ask for, when warming."""
        self.path = Path(db_path).resolve()
        self._first_views = first_views
        self.root = open_store(self.path)
        self.write_lock = threading.Lock()
        self.cache = SnapshotCache()
        self.seq = ledger.last_seq(self.root.con)  # every write passes through `writer`, which updates it
        self._idle: queue.SimpleQueue = queue.SimpleQueue()  # read cursors between requests
        # What is held of the newest snapshot, each with the seq of the data it was read from.
        self._search: tuple[int, SearchIndex] | None = None  # read by a request or by `_warm`
        self._search_lock = threading.Lock()
        self._histories: tuple[int, Histories] | None = None  # read by `_warm` alone
        self._accounts: tuple[int, dict[str, tuple[int, bool]]] | None = None
        # One thread reads what is held, again while writes came meanwhile (`warm_in_background`).
        self._warmer: threading.Thread | None = None
        self._warm_again = False
        self._warm_lock = threading.Lock()
        # Commands handed over by the CLI and running now (web/commands.py), by a number of their own.
        self._running: dict[int, dict[str, Any]] = {}
        self._running_lock = threading.Lock()
        self._next_command = itertools.count(1)
        self._verify_lock = threading.Lock()

    @contextmanager
    def reader(self) -> Iterator[Snapshot]:
        """A Store for one request (`Snapshot`). A snapshot per request, not per thread: FastAPI
        may enter, use and leave a dependency on three different threads. Cursors are reused from
        request to request (opening one costs more than most cached answers)."""
        snapshot = Snapshot(self.path, self.seq, self._idle, self.root.con)
        try:
            yield snapshot
        finally:
            snapshot.end()

    @contextmanager
    def writer(self, cancelled: threading.Event | None = None) -> Iterator[Store]:
        """A Store for one write at a time, on its own cursor (its transactions are its own).
        After it, what the server holds (search index, histories) is read again from the new
        snapshot in the background (`warm_in_background`)."""
        with self.write_lock:
            cursor = self.root.con.cursor()
            try:
                yield Store(path=self.path, con=cursor, cancelled=cancelled)
            finally:
                cursor.close()
                # Read even when the block failed: it may have failed after its write committed.
                self.seq = ledger.last_seq(self.root.con)
        self.warm_in_background()

    @contextmanager
    def running_command(self, name: str, actor: str) -> Iterator[None]:
        """Mark a handed-over command as running while the block runs."""
        number = next(self._next_command)
        with self._running_lock:
            self._running[number] = {"command": name, "actor": actor, "since": ledger.now_iso()}
        try:
            yield
        finally:
            with self._running_lock:
                del self._running[number]

    def running_commands(self) -> list[dict[str, Any]]:
        with self._running_lock:
            return [dict(entry) for _, entry in sorted(self._running.items())]

    def search_index(self, store: Snapshot) -> SearchIndex:
        """The search index of the newest snapshot: read once per snapshot, kept apart from the
        answer cache (whose many searches would push it out), and named by the seq of the data it
        was read from. A request begun before the latest write gets it too: newer, never stale."""
        with self._search_lock:
            if self._search is None or self._search[0] < store.seq:
                self._search = (ledger.last_seq(store.con), SearchIndex.read(store))
            return self._search[1]

    def history(self, store: Snapshot, uscc: str) -> History:
        """An enterprise's history: from every history held in memory when they were read from this
        snapshot or a newer one (`_warm` reads them), else looked up in the store."""
        held = self._histories
        if held is not None and held[0] >= store.seq:
            return held[1].of(uscc)
        return history(store, uscc, self.cached(store, "sources", (), lambda: source_names(store)))

    def verify_quietly(self, check: Callable[[Snapshot], T]) -> T:
        """Run `check` (verifying the ledger: seconds of CPU over every row) on a snapshot, one at
        a time, on a thread of low priority (web/background.py). DuckDB would run it on every
        core at normal priority: while it runs, DuckDB is held to the calling thread (a setting
        of the whole database, so other queries meanwhile run on their own thread alone)."""
        with self._verify_lock:
            threads = db.threads(self.root.con)
            db.set_threads(self.root.con, 1)
            try:
                return VERIFYING.run(self._check_on_snapshot, check)
            finally:
                db.set_threads(self.root.con, threads)

    def _check_on_snapshot(self, check: Callable[[Snapshot], T]) -> T:
        with self.reader() as store:
            return check(store)

    def accounts(self) -> dict[str, tuple[int, bool]]:
        """Every account's version in force and whether it is active, as of the latest write:
        each request's session is checked against it (a lookup in memory, read again after a
        write, so a change of role, password or a disabling ends sessions at their next request)."""
        held = self._accounts
        if held is not None and held[0] == self.seq:
            return held[1]
        seq = self.seq  # read before the snapshot: what it holds is at least this new
        with self.reader() as store:
            found = web_users.versions(store)
        self._accounts = (seq, found)
        return found

    def held(self) -> dict[str, int | None]:
        """The ledger seq the server is at, and that of the data each thing held in memory was read
        from (None until read): when both equal `seq`, searches and profiles are answered from memory."""
        return {
            "seq": self.seq,
            "search_index": self._search[0] if self._search else None,
            "histories": self._histories[0] if self._histories else None,
        }

    def _warm(self) -> None:
        """Read what requests would otherwise wait for (the search index) or look up one by one
        (histories), from the newest snapshot; then compute the first views (seconds each at a
        million enterprises: the first visit of a page would wait for them)."""
        with self.reader() as store:
            self.search_index(store)
            if self._histories is None or self._histories[0] < store.seq:
                self._histories = (ledger.last_seq(store.con), Histories.read(store))
            if self._first_views is not None:
                self._first_views(self, store)

    def warm_in_background(self) -> None:
        """`_warm` on a thread of its own (at start, after each write): the server answers meanwhile,
        only a search waits for the index, and profiles are looked up in the store until their
        histories are held. One thread at a time: writes that come while it reads make it read
        once more when done, not once each (at a million enterprises a read takes 2-3 GB at its
        peak). `close` waits for it."""
        with self._warm_lock:
            self._warm_again = True
            if self._warmer is None:
                self._warmer = threading.Thread(target=self._warm_while_asked, name="warm", daemon=True)
                self._warmer.start()

    def _warm_while_asked(self) -> None:
        while True:
            with self._warm_lock:  # the same lock as the asking: no request falls between the two
                if not self._warm_again:
                    self._warmer = None
                    return
                self._warm_again = False
            try:
                self._warm()
            except BaseException:
                with self._warm_lock:  # the next write starts another
                    self._warmer = None
                raise

    def wait_warm(self) -> None:
        """Wait until what is held is read (for `close` and tests)."""
        with self._warm_lock:
            warmer = self._warmer
        if warmer is not None:
            warmer.join()

    def cached(self, store: Snapshot, name: str, args: tuple, build: Callable[[], Any]) -> Any:
        return self.cache.get((name, args, store.seq), build)

    def close(self) -> None:
        self.wait_warm()
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break
        self.root.close()
