"""Commands while serving: the CLI hands its command to the server that holds the store.

DuckDB lets one process open a store for writing. While `districtlens serve` runs, it holds that
connection and writes a handover file beside the store (`<db>.server.json`: port, pid and a
random token, mode 0600, removed on exit). A command that finds this file, with its process alive,
sends its name and typed arguments (JSON) to POST /internal/commands/NAME on loopback with the
token. The server runs the same function, reads on a snapshot and writes on its write connection
one at a time, and answers with the result as JSON or with the error's key and values. A client
that goes away before a write commits cancels it.
"""

from __future__ import annotations

import http.client
import json
import os
from pathlib import Path
from typing import Any

from districtlens.errors import DistrictlensError, StoreError

TOKEN_HEADER = "X-Districtlens-Token"
REQUEST_TIMEOUT = 3600


def handover_path(db: Path) -> Path:
    db = Path(db).resolve()
    return db.with_name(db.name + ".server.json")


def write_handover(db: Path, port: int, token: str, *, tls: bool = False) -> Path:
    path = handover_path(db)
    temporary = path.with_name(path.name + f".{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"port": port, "pid": os.getpid(), "token": token, "tls": tls}, handle)
    os.replace(temporary, path)
    return path


def remove_handover(db: Path) -> None:
    path = handover_path(db)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def read_handover(db: Path) -> dict[str, Any] | None:
    """The live server's handover for `db`, or None (no file, unreadable, or its process is gone)."""
    try:
        found = json.loads(handover_path(db).read_text(encoding="utf-8"))
        os.kill(int(found["pid"]), 0)
        return dict(found)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _connection(found: dict[str, Any]) -> http.client.HTTPConnection:
    """To the server on this machine. Over TLS its certificate names the public host, not the
    loopback address, so it is not checked here: the handover token, which only the store's
    owner can read, is what proves both ends."""
    if found.get("tls"):
        import ssl

        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection("127.0.0.1", int(found["port"]), timeout=REQUEST_TIMEOUT, context=context)
    return http.client.HTTPConnection("127.0.0.1", int(found["port"]), timeout=REQUEST_TIMEOUT)


def send(found: dict[str, Any], name: str, arguments: dict[str, Any], actor: str) -> Any:
    """Run command `name` in the server of `found`; its result as JSON, or its error raised here."""
    body = json.dumps({"args": arguments, "actor": actor}).encode("utf-8")
    connection = _connection(found)
    try:
        connection.request(
            "POST",
            f"/internal/commands/{name}",
            body=body,
            headers={"Content-Type": "application/json", TOKEN_HEADER: str(found["token"])},
        )
        response = connection.getresponse()
        answer = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise StoreError("server.unreachable", reason=str(exc)) from exc
    finally:
        connection.close()
    if "error" in answer:
        raise DistrictlensError.from_json(answer["error"])
    if response.status != 200 or "result" not in answer:
        raise StoreError("server.refused", status=response.status, reason=str(answer.get("detail", "")))
    return answer["result"]
