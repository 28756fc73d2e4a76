"""Building the demo store: the Jing'an pack, then the synthetic registry through the same import
that real rosters take, then the demos of the areas that have one, the pack's published figures
and the shipped candidate pools."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from districtlens.accounts import hash_password
from districtlens.commands.base import Context
from districtlens.commands.enterprises import import_frame
from districtlens.commands.handover import read_handover
from districtlens.commands.pools import ImportPool, import_pool
from districtlens.commands.statistics import ImportStatistics, import_statistics
from districtlens.config import DEMO_ENTERPRISES, DEMO_SEED
from districtlens.demo.carriers import build_carriers_demo
from districtlens.demo.registry import generate_registry
from districtlens.errors import InputError, StoreError
from districtlens.ingest.packs import load_pack, pack_dir, pack_rows
from districtlens.ingest.report import ImportReport
from districtlens.store import open_store
from districtlens.store.packs import write_pack
from districtlens.store.web_users import save_user

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
    actor: str,
    enterprises: int = DEMO_ENTERPRISES,
    seed: int = DEMO_SEED,
    pack: str = "jingan",
    replace: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> ImportReport:
    """Create a new demo store at `path`; an existing one only with `replace`, and never one that a
    running server holds. Not a registered command: it makes the store the others run on."""
    if read_handover(path) is not None:
        raise StoreError("store.served_elsewhere", path=str(path))
    if path.exists():
        if not replace:
            raise StoreError("store.exists", path=str(path))
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)
    with open_store(path) as store:
        ctx = Context(store=store, actor=actor, progress_hook=progress)
        ctx.progress("pack")
        write_pack(store, pack_rows(load_pack(pack)), actor)
        ctx.progress("registry")
        registry = generate_registry(seed, enterprises)
        report = import_frame(
            ctx,
            registry,
            source={
                "name": f"synthetic registry (seed {seed})",
                "kind": "demo",
                "file_name": None,
                "file_sha256": None,
            },
            synthetic=True,
            action="demo registry",
        )
        if report.errors_total:
            raise InputError("demo.invalid_rows", count=report.errors_total, examples=str(report.errors[:3]))
        _area_demos(ctx, seed)
        _published_and_pools(ctx, pack)
    return report


def _published_and_pools(ctx: Context, pack: str) -> None:
    """Real data beside the synthetic registry: the figures the pack's district published (its
    `published-facts.csv`, each with its source) and the shipped candidate pools. The pools are
    not linked to the registry here: the registry is synthetic, so no pool firm is in it."""
    published = pack_dir(pack) / "published-facts.csv"
    if published.is_file():
        ctx.progress("published")
        import_statistics(ctx, ImportStatistics(file=published, source=f"{pack} pack: published figures"))
    ctx.progress("pools")
    import_pool(ctx, ImportPool(shipped=True, link=False))


def _area_demos(ctx: Context, seed: int) -> None:
    """The demos that other areas add on top of the registry."""
    ctx.progress("carriers")
    build_carriers_demo(ctx, seed)
    ctx.progress("sign_ins")
    for username, role, carriers in DEMO_USERS:
        save_user(
            ctx.store,
            username,
            role=role,
            carriers=list(carriers),
            password_hash=hash_password(demo_password(username)),
            actor=ctx.actor,
        )
