"""Running a command from the CLI: on the store it opens, or through the server that holds it."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from districtlens.commands.base import Args, Command, Context
from districtlens.commands.handover import read_handover, send
from districtlens.errors import StoreError
from districtlens.store import open_store

A = TypeVar("A", bound=Args)
R = TypeVar("R")


def current_actor() -> str:
    """Who runs the command: the login of the process that asked (the CLI's, not the server's)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def execute(db: Path, command: Command[A, R], args: A, *, progress: Callable[[str], None] | None = None) -> R:
    """Run `command` on the store at `db`. While `districtlens serve` holds that store, the server
    runs it; otherwise it runs here, on the store opened for reading or writing as the command
    needs. Either way the result makes the same JSON round trip, so both roads answer alike."""
    actor = current_actor()
    served = read_handover(db)
    if served is not None:
        return command.load(send(served, command.name, args.model_dump(mode="json"), actor))
    try:
        store = open_store(db, read_only=not command.writes)
    except StoreError as exc:
        if exc.key == "store.locked":
            raise StoreError("store.held_elsewhere", path=str(db)) from exc
        raise
    try:
        ctx = Context(store=store, actor=actor)
        if progress is not None:
            ctx.progress_hook = progress
        result: Any = command(ctx, args)
        return command.load(command.dump(result))
    finally:
        store.close()
