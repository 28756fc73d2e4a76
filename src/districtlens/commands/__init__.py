"""The command layer: every read and write of the product as one typed function.

Each function takes a `Context` (the store, who asks) and its `Args`, and returns a result object;
the CLI renders that result as text or JSON, and the server runs the same function for a CLI whose
store it holds (`handover`). Modules, one per area, register their commands by name when imported:

- `enterprises`: import, export, history;  `ledger`: verify, head, log;  `users`: web users;
- `carriers`: carriers, tenants, space, the pipeline, programmes;  `resolve`: linking and review;
- `chains`: chains, targets;  `metrics`: indicators from the store;  `claims`; `briefing`.
"""

from __future__ import annotations

import importlib
import pkgutil

from districtlens.commands.base import REGISTRY, Args, Command, Context, command
from districtlens.commands.runner import current_actor, execute

__all__ = ["REGISTRY", "Args", "Command", "Context", "command", "current_actor", "execute", "load_all"]

# Modules of this package that define no command: the machinery, and the demo build (which makes a
# store rather than running on one).
MACHINERY = frozenset({"base", "runner", "handover", "demo"})


def load_all() -> None:
    """Import every command module, so that the registry names them all (the server needs them)."""
    for module in pkgutil.iter_modules(__path__):
        if module.name not in MACHINERY:
            importlib.import_module(f"{__name__}.{module.name}")
