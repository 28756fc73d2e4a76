"""What a command is: a typed function of a context and its arguments, registered by name.

A command reads or writes the store through `ctx.store` and returns a result object. The CLI and
the server run the same function: the CLI on a store it opens itself, or by sending the name and
the arguments (as JSON) to the server that holds the store; the server on its write connection
(writes, one at a time) or on a snapshot (reads). Either way the result crosses as JSON and is
read back into its type, so that a command answers alike with and without a server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, TypeAdapter

from districtlens.errors import Cancelled

if TYPE_CHECKING:
    from districtlens.store import Store

A = TypeVar("A", bound="Args")
R = TypeVar("R")


class Args(BaseModel):
    """A command's arguments. Files are absolute paths: the server reads them itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass
class Context:
    """What a command runs with: the store, who asks, and how to report progress.

    `cancelled` is set when the caller has gone away (a client that disconnects from the server):
    a long write checks it between its stages through `progress`, and the store checks it before
    it commits, so a cancelled write leaves the store as it was.
    """

    store: Store
    actor: str
    progress_hook: Callable[[str], None] = lambda _stage: None
    cancelled: threading.Event = field(default_factory=threading.Event)

    def progress(self, stage: str) -> None:
        """Report the stage a long command has reached: a word (`progress.<stage>` in the message
        catalogs says it in each language), also the point where a cancelled command stops."""
        if self.cancelled.is_set():
            raise Cancelled("command.cancelled")
        self.progress_hook(stage)


@dataclass(frozen=True)
class Command(Generic[A, R]):
    name: str
    function: Callable[[Context, A], R]
    args: type[A]
    result: Any  # the return annotation: a model, a dataclass, or a typed dict/list
    writes: bool

    def __call__(self, ctx: Context, args: A) -> R:
        return self.function(ctx, args)

    def dump(self, result: R) -> Any:
        """The result as JSON-ready values (what `--json` prints and the server sends)."""
        return _adapter(self.result).dump_python(result, mode="json")

    def load(self, payload: Any) -> R:
        """A result sent as JSON, read back into its type."""
        result: R = _adapter(self.result).validate_python(payload)
        return result


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(kind: Any) -> TypeAdapter[Any]:
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(kind)
    return _ADAPTERS[kind]


REGISTRY: dict[str, Command[Any, Any]] = {}


def command(name: str, *, writes: bool) -> Callable[[Callable[[Context, A], R]], Command[A, R]]:
    """Register `function(ctx, args) -> result` as the command `name`; its argument and result
    types are read from its annotations."""

    def register(function: Callable[[Context, A], R]) -> Command[A, R]:
        hints = get_type_hints(function)
        parameters = [hint for key, hint in hints.items() if key != "return"]
        if name in REGISTRY:
            raise RuntimeError(f"two commands named {name}")
        found: Command[A, R] = Command(name, function, parameters[1], hints["return"], writes)
        REGISTRY[name] = found
        return found

    return register
