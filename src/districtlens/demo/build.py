"""Building the demo store: the Jing'an pack, then the synthetic registry through the same import
that real rosters take, then the demos of the areas that have one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from districtlens.demo.carriers import build_carriers_demo
from districtlens.demo.registry import generate_registry
from districtlens.importer import actor, import_frame
from districtlens.ingest.report import ImportReport
from districtlens.packs import load_pack
from districtlens.store import Store, open_store
from districtlens.store.packs import write_pack
from districtlens.store.web_users import save_user
from districtlens.web.auth import hash_password

DEFAULT_ENTERPRISES = 60_000
DEFAULT_SEED = 20251031  # the interview's date
# Sign-ins of the demo store, one per role; the operator runs the pack's innovation campus. They
# exist only in stores that `demo build` makes, which hold synthetic data and serve on localhost.
DEMO_USERS = (
    ("admin", "admin", ()),
    ("analyst", "analyst", ()),
    ("operator", "operator", ("shanghai-icampus",)),
    ("viewer", "viewer", ()),
)


def demo_password(username: str) -> str:
    return f"demo-{username}"


def build_demo(
    path: Path,
    *,
    enterprises: int = DEFAULT_ENTERPRISES,
    seed: int = DEFAULT_SEED,
    pack: str = "jingan",
    progress: Callable[[str], None] = lambda _: None,
) -> ImportReport:
    """Create a new demo store at `path` (which must not exist)."""
    if path.exists():
        raise FileExistsError(f"{path} exists: remove it or pass --replace")
    with open_store(path) as store:
        progress("loading the district pack")
        write_pack(store, load_pack(pack), actor())
        progress(f"generating {enterprises:,} synthetic enterprises")
        registry = generate_registry(seed, enterprises)
        report = import_frame(
            store,
            registry,
            source={
                "name": f"synthetic registry (seed {seed})",
                "kind": "demo",
                "file_name": None,
                "file_sha256": None,
            },
            synthetic=True,
            progress=progress,
            action="demo registry",
        )
        if report.errors_total:
            raise RuntimeError(f"the demo generator made {report.errors_total} invalid rows: {report.errors[:3]}")
        _area_demos(store, seed, progress)
    return report


def _area_demos(store: Store, seed: int, progress: Callable[[str], None]) -> None:
    """The demos that other areas add on top of the registry."""
    progress("floor space, tenancies, pipeline projects and programmes")
    build_carriers_demo(store, seed)
    progress("demo sign-ins")
    for username, role, carriers in DEMO_USERS:
        save_user(
            store,
            username,
            role=role,
            carriers=list(carriers),
            password_hash=hash_password(demo_password(username)),
            actor=actor(),
        )
