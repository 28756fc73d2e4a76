"""POST /internal/run: the server side of the handover (handover.py): runs a command-line command
in-process against the served store, one at a time, for a caller on loopback holding the token."""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from districtlens.web.handover import TOKEN_HEADER, served_store

router = APIRouter(include_in_schema=False)
LOOPBACK = {"127.0.0.1", "::1"}


class Run(BaseModel):
    argv: list[str]
    cwd: str
    stdin: str | None = None


@contextmanager
def _in_directory(path: str) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@router.post("/internal/run")
def run(body: Run, request: Request) -> dict:
    """Run one command-line command against the served store (loopback and token only)."""
    client = request.client.host if request.client else ""
    if client not in LOOPBACK:
        raise HTTPException(403, "loopback only")
    if not hmac.compare_digest(request.headers.get(TOKEN_HEADER, ""), request.app.state.handover_token):
        raise HTTPException(403, "bad token")
    if not Path(body.cwd).is_dir():
        raise HTTPException(422, "cwd is not a folder")
    from typer.testing import CliRunner

    from districtlens.cli import app as cli_app

    server = request.app.state.server
    # One command at a time: the CLI's stdout and the working folder are the process's own.
    with server.writer() as store, _in_directory(body.cwd):
        token = served_store.set(store)
        try:
            result = CliRunner().invoke(cli_app, body.argv, input=body.stdin,
                                        env={"DISTRICTLENS_DB": str(server.path)}, catch_exceptions=True)
        finally:
            served_store.reset(token)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += f"error: {type(result.exception).__name__}: {result.exception}\n"
    return {"exit_code": result.exit_code, "stdout": result.stdout, "stderr": stderr}
