"""Writes while serving: the command line hands its command to the server that holds the store.

DuckDB lets one process open a store for writing. While `districtlens serve` runs, it holds that
connection and writes a handover file beside the store (`<db>.server.json`: port, pid and a
random token, mode 0600, removed on exit). A command that finds the store locked and this file
present sends its arguments (and the standard input it read) to POST /internal/run on loopback
with the token; the server runs the same Typer command in-process, on its own open store, one
write at a time, and returns its exit code and output. Every command thus works unchanged, and
readers of the dashboard, each in its own snapshot, never see half a write.
"""

from __future__ import annotations

import contextvars
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from districtlens.store import Store

TOKEN_HEADER = "X-Districtlens-Token"
# The store a command runs against when the server runs it in-process (see cli.common.store_at).
served_store: contextvars.ContextVar[Store | None] = contextvars.ContextVar("served_store", default=None)
REQUEST_TIMEOUT = 3600


def handover_path(db: Path) -> Path:
    db = Path(db).resolve()
    return db.with_name(db.name + ".server.json")


def write_handover(db: Path, port: int, token: str) -> Path:
    path = handover_path(db)
    temporary = path.with_name(path.name + f".{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"port": port, "pid": os.getpid(), "token": token}, handle)
    os.replace(temporary, path)
    return path


def remove_handover(db: Path) -> None:
    path = handover_path(db)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def read_handover(db: Path) -> dict | None:
    """The live server's handover for `db`, or None (no file, unreadable, or its process is gone)."""
    try:
        found = json.loads(handover_path(db).read_text(encoding="utf-8"))
        os.kill(int(found["pid"]), 0)
        return found
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forward(db: Path, argv: list[str], stdin: str | None) -> int | None:
    """Run `argv` in the server serving `db`; print its output here and return its exit code.
    None when no live server serves `db`."""
    found = read_handover(db)
    if found is None:
        return None
    body = json.dumps({"argv": argv, "cwd": os.getcwd(), "stdin": stdin}).encode("utf-8")
    request = urllib.request.Request(
        f"http://127.0.0.1:{int(found['port'])}/internal/run", data=body, method="POST",
        headers={"Content-Type": "application/json", TOKEN_HEADER: found["token"]},
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            result = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        sys.stderr.write(f"error: the server holding {db} did not take the command ({exc})\n")
        return 1
    sys.stdout.write(result["stdout"])
    sys.stderr.write(result["stderr"])
    return int(result["exit_code"])
