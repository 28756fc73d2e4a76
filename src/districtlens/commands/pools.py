"""Candidate pools: `pools.import` (a pool file, or the pools shipped with districtlens) and
`pools.list`. Importing reads the file under the shared reader's rules (`ingest.pools`), links its
firms to the registry by entity resolution (`commands.linking.link_to_registry`: so that targets
leave out firms already in the area without comparing names) and stores the pool, in one
transaction. A pool firm never becomes a registry enterprise.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import polars as pl
from pydantic import BaseModel

from districtlens.commands.base import Args, Context, command
from districtlens.commands.linking import link_to_registry
from districtlens.errors import InputError, UsageError
from districtlens.ingest.pools import read_pool
from districtlens.store import Store
from districtlens.store import pools as stored
from districtlens.store.carriers import shared_transaction

POOL_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ImportPool(Args):
    """`file`: a pool file (see `ingest.pools` for its columns); `pool`: its id (default: the
    file's name); `shipped`: import the pools shipped with districtlens instead of a file;
    `link`: link the firms to the registry (entity resolution) to recognise those already here."""

    file: Path | None = None
    pool: str | None = None
    shipped: bool = False
    link: bool = True


class PoolImported(BaseModel):
    pool: str
    version: int
    firms: int
    placed_in_china: int
    linked: int
    link_note: str | None
    ledger_seq: int


class PoolsImported(BaseModel):
    pools: list[PoolImported]


@command("pools.import", writes=True)
def import_pool(ctx: Context, args: ImportPool) -> PoolsImported:
    """Load a candidate pool (or the shipped ones) as a new version of each, ledgered."""
    if args.shipped == (args.file is not None):
        raise UsageError("pools.file_or_shipped")
    if args.shipped:
        folder = resources.files("districtlens.refdata").joinpath("pools")
        files = sorted((Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".csv")), key=str)
        return PoolsImported(pools=[_import_one(ctx, path, path.stem, args.link) for path in files])
    assert args.file is not None
    pool_id = args.pool or args.file.stem.lower()
    if not POOL_ID.match(pool_id):
        raise InputError("pools.bad_id", pool=pool_id)
    return PoolsImported(pools=[_import_one(ctx, args.file, pool_id, args.link)])


NOT_ASKED = "not asked"  # the link note of a pool imported without linking (--no-link)


def _import_one(ctx: Context, path: Path, pool_id: str, link: bool) -> PoolImported:
    firms, sha256 = read_pool(path)
    with shared_transaction(ctx.store) as store:
        linked, note = _linked(store, firms, pool_id, path, sha256, ctx.actor) if link else (None, NOT_ASKED)
        firms = firms.with_columns(
            (linked if linked is not None else pl.Series("linked_uscc", [None] * firms.height, dtype=pl.String)).alias(
                "linked_uscc"
            ),
            pl.lit(sha256).alias("source_sha256"),
        )
        source = {"file_name": path.name, "file_sha256": sha256}
        entry = stored.write_pool(store, pool_id, firms, source=source, actor=ctx.actor)
    return PoolImported(
        pool=pool_id,
        version=int(entry.payload["version"]),
        firms=firms.height,
        placed_in_china=firms.filter(pl.col("province_code").is_not_null()).height,
        linked=int(firms["linked_uscc"].is_not_null().sum()),
        link_note=note,
        ledger_seq=entry.seq,
    )


def _linked(
    store: Store, firms: pl.DataFrame, pool_id: str, path: Path, sha256: str, actor: str
) -> tuple[pl.Series | None, str | None]:
    """The registry uscc each firm links to (null where none), in the firms' order; or None and
    why when the resolver could not link this pool (it needs pairs to learn from: a pool of firms
    far from the registry may give it none). The import goes on either way: the pool is not lost."""
    records = firms.select(pl.col("firm_id").alias("record_id"), "name", "name_en", "address")
    try:
        links = link_to_registry(
            store, records, f"pool {pool_id}", actor, kind="pool", file_name=path.name, file_sha256=sha256
        )
    except Exception as exc:  # the resolver's own failures (e.g. Splink finding no training pairs)
        first_sentence = str(exc).split(".  ")[0].splitlines()[0]
        return None, f"{type(exc).__name__}: {first_sentence[:160]}"
    linked = records.select("record_id").join(
        links.filter(pl.col("status") == "linked").select("record_id", "uscc"), on="record_id", how="left"
    )
    return linked["uscc"].alias("linked_uscc"), None


class ListPools(Args):
    pass


class PoolSummary(BaseModel):
    pool_id: str
    version: int
    firms: int
    countries: int
    linked: int


class PoolList(BaseModel):
    pools: list[PoolSummary]


@command("pools.list", writes=False)
def list_pools(ctx: Context, args: ListPools) -> PoolList:
    """The pools in force: version, firms, countries, firms linked to the registry."""
    return PoolList(pools=[PoolSummary(**row) for row in stored.pool_summary(ctx.store)])
