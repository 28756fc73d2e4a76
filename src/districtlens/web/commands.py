"""POST /internal/commands/NAME: the server side of the handover (districtlens.commands.handover).

The CLI sends a command's name and typed arguments; this runs the same function on a worker
thread, a write on the server's write connection (one at a time), a read on a snapshot, and
answers with its result as JSON or its error's key and values. It touches no process-global state
(standard streams, environment, working folder): concurrent requests cannot see each other's.

A client that disconnects before a write commits cancels it: the command stops at its next
stage, the running query is interrupted, and the store refuses to commit (Store.cancelled).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
from typing import Any

import duckdb
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from districtlens.commands import REGISTRY, Command, Context
from districtlens.commands.handover import TOKEN_HEADER
from districtlens.errors import Cancelled, DistrictlensError, Forbidden, InputError, NotFound
from districtlens.web.state import ServerState

router = APIRouter(include_in_schema=False)
LOOPBACK = {"127.0.0.1", "::1"}
POLL_SECONDS = 0.05
log = logging.getLogger(__name__)


def _error(exc: DistrictlensError) -> JSONResponse:
    return JSONResponse({"error": exc.as_json()}, status_code=exc.http_status)


def _run(
    server: ServerState,
    name: str,
    arguments: Any,
    actor: str,
    cancelled: threading.Event,
    running: list[duckdb.DuckDBPyConnection],
) -> Any:
    command = REGISTRY[name]
    args = command.args.model_validate(arguments)
    with server.running_command(name, actor):
        return _run_on_store(server, command, args, actor, cancelled, running)


def _run_on_store(
    server: ServerState,
    command: Command[Any, Any],
    args: Any,
    actor: str,
    cancelled: threading.Event,
    running: list[duckdb.DuckDBPyConnection],
) -> Any:
    if command.writes:
        with server.writer(cancelled) as store:
            if cancelled.is_set():
                raise Cancelled("command.cancelled")
            running.append(store.con)
            return command.dump(command(Context(store=store, actor=actor, cancelled=cancelled), args))
    with server.reader() as snapshot:
        return command.dump(command(Context(store=snapshot, actor=actor, cancelled=cancelled), args))


def _authorised(request: Request) -> None:
    client = request.client.host if request.client else ""
    if client not in LOOPBACK:
        raise Forbidden("web.forbidden.loopback")
    if not hmac.compare_digest(request.headers.get(TOKEN_HEADER, ""), request.app.state.handover_token):
        raise Forbidden("web.forbidden.token")


@router.get("/internal/commands")
def running_commands(request: Request) -> dict[str, list[dict[str, Any]]]:
    """The commands the server runs now, oldest first: name, who asked, since when (loopback, token)."""
    _authorised(request)
    server: ServerState = request.app.state.server
    return {"running": server.running_commands()}


@router.post("/internal/commands/{name}")
async def run_command(name: str, request: Request) -> JSONResponse:
    """Run one command against the served store (loopback and token only)."""
    _authorised(request)
    if name not in REGISTRY:
        return _error(NotFound("command.unknown", name=name))
    body = await request.json()
    server: ServerState = request.app.state.server
    cancelled = threading.Event()
    running: list[duckdb.DuckDBPyConnection] = []
    loop = asyncio.get_running_loop()
    task = loop.run_in_executor(
        None, _run, server, name, body.get("args") or {}, str(body.get("actor") or "unknown"), cancelled, running
    )
    while not task.done():
        await asyncio.wait({task}, timeout=POLL_SECONDS)
        if not task.done() and await request.is_disconnected():
            cancelled.set()
            for con in running:
                con.interrupt()
            break
    try:
        result = await task
    except ValidationError as exc:
        return _error(InputError("command.invalid_arguments", name=name, reason=str(exc)))
    except DistrictlensError as exc:
        return _error(exc)
    except duckdb.InterruptException:
        return _error(Cancelled("command.cancelled"))
    except Exception as exc:  # a defect: answered as an error the CLI can show, and logged here
        log.exception("command %s failed", name)
        return _error(DistrictlensError("command.failed", name=name, reason=f"{type(exc).__name__}: {exc}"))
    return JSONResponse({"result": result})
