"""What the serving process holds: the store's one read-write connection, per-request readers on
cursors of it, the write lock, and a cache of computed figures keyed by the ledger's last seq.

DuckDB lets one process open a file for writing, so the server keeps that connection and hands
every other use a cursor of it. A request reads inside one transaction: DuckDB's MVCC gives it a
snapshot, so a request never sees half of a write that commits while it runs.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from districtlens.store import Store, open_store
from districtlens.store import web_queries as queries
from districtlens.store.search import SearchIndex


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


@dataclass
class Snapshot(Store):
    """A reader's Store, with the ledger seq of its snapshot read once when its transaction began
    (a request asks the cache several times; the seq cannot change under it)."""

    seq: int = 0


class ServerState:
    def __init__(self, db_path: Path):
        self.path = Path(db_path).resolve()
        self.root = open_store(self.path)
        self.write_lock = threading.Lock()
        self.cache = SnapshotCache()
        self._idle: queue.SimpleQueue = queue.SimpleQueue()  # read cursors between requests
        self._search: tuple[int, SearchIndex] | None = None  # the newest snapshot's, with its seq
        self._search_lock = threading.Lock()
        self._background: list[threading.Thread] = []

    @contextmanager
    def reader(self) -> Iterator[Snapshot]:
        """A Store on a cursor of its own, inside one read transaction (a consistent snapshot).

        A cursor per request, not per thread: FastAPI may enter, use and leave a dependency on
        three different threads. Cursors are reused from request to request (opening one costs
        more than most cached answers); one that fails to end its transaction is dropped."""
        try:
            cursor = self._idle.get_nowait()
        except queue.Empty:
            cursor = self.root.con.cursor()
        try:
            yield Snapshot(path=self.path, con=cursor, seq=queries.begin_snapshot(Store(self.path, cursor)))
        finally:
            try:
                cursor.execute("ROLLBACK")
            except duckdb.Error:
                cursor.close()
            else:
                self._idle.put(cursor)

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """A Store for one write at a time, on its own cursor (its transactions are its own).
        After it, the new snapshot's search index is read in the background, so that the next
        search need not wait for it."""
        with self.write_lock:
            cursor = self.root.con.cursor()
            try:
                yield Store(path=self.path, con=cursor)
            finally:
                cursor.close()
        thread = threading.Thread(target=self.warm, name="search-index", daemon=True)
        self._background.append(thread)
        thread.start()

    def search_index(self, store: Snapshot) -> SearchIndex:
        """The search index of the store's snapshot: read once per snapshot and kept apart from
        the answer cache (whose many searches would push it out). A request still reading an
        older snapshot than the kept index gets one of its own, not kept."""
        with self._search_lock:
            if self._search is not None and self._search[0] == store.seq:
                return self._search[1]
            if self._search is not None and self._search[0] > store.seq:
                return SearchIndex.read(store)
            self._search = (store.seq, SearchIndex.read(store))
            return self._search[1]

    def warm(self) -> None:
        """Read what the first requests would otherwise wait for (the search index)."""
        with self.reader() as store:
            self.search_index(store)

    def cached(self, store: Snapshot, name: str, args: tuple, build: Callable[[], Any]) -> Any:
        return self.cache.get((name, args, store.seq), build)

    def close(self) -> None:
        for thread in self._background:
            thread.join()
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break
        self.root.close()
