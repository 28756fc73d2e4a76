"""Entity resolution: files of records clustered into enterprises (no store), and a code-less list
linked to the registry, with its review: link, the queue, decisions, undo.

`resolve_files` needs no store and is not a command: the CLI calls it directly. The others are
commands; every one that writes is one ledger entry per decision (districtlens.store.resolution).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl
from pydantic import BaseModel, Field

from districtlens.commands.base import Args, Context, command
from districtlens.commands.linking import link_to_registry, train_store_model
from districtlens.errors import InputError
from districtlens.ingest.read import ROW, read_table
from districtlens.resolve import DEFAULT_REVIEW_FLOOR, DEFAULT_THRESHOLD
from districtlens.resolve.aliases import load_aliases
from districtlens.store import resolution

INPUT_COLUMNS = ("record_id", "name", "uscc", "name_en", "address")


def read_records(path: Path) -> tuple[pl.DataFrame, str]:
    """A CSV/XLSX of records with record_id and name (UTF-8, UTF-8 BOM or GB18030), with a `file`
    column naming it, and the file's SHA-256."""
    table = read_table(path)
    frame = table.frame.drop(ROW)
    missing = [c for c in ("record_id", "name") if c not in frame.columns]
    if missing:
        raise InputError(
            "resolve.file_missing_columns", file=path.name, missing=", ".join(missing), present=", ".join(frame.columns)
        )
    if frame.height == 0:
        raise InputError("resolve.file_no_rows", file=path.name)
    return frame.select([c for c in INPUT_COLUMNS if c in frame.columns]).with_columns(
        pl.lit(path.name).alias("file")
    ), table.sha256


def checked_records(records: pl.DataFrame) -> pl.DataFrame:
    """`records` (of read_records, one or several files) if every row has a record_id, unique across
    the files, and a name; else the first problem, naming its file."""
    blank = records.filter(pl.col("record_id").is_null() | (pl.col("record_id").str.strip_chars() == ""))
    if blank.height:
        raise InputError("resolve.file_blank_record_ids", file=blank["file"][0], count=blank.height)
    repeated = records.filter(pl.col("record_id").is_duplicated()).sort("record_id")
    if repeated.height:
        record_id = repeated["record_id"][0]
        where = repeated.filter(pl.col("record_id") == record_id)["file"].unique(maintain_order=True)
        raise InputError("resolve.duplicate_across_files", record_id=record_id, files=", ".join(where))
    nameless = records.filter(pl.col("name").is_null() | (pl.col("name").str.strip_chars() == ""))
    if nameless.height:
        raise InputError("resolve.file_nameless_record", file=nameless["file"][0], record_id=nameless["record_id"][0])
    return records


class FilesResolved(BaseModel):
    records: int
    clusters: int
    records_in_multi_record_clusters: int
    pairs_scored_above_review_floor: int
    threshold: float
    blocking_rules_skipped: int
    files: list[str]
    out: str
    timings_s: dict[str, float]


def resolve_files(
    files: list[Path], out: Path, *, threshold: float = DEFAULT_THRESHOLD, aliases: Path | None = None
) -> FilesResolved:
    """Cluster the records of `files` into enterprises; write record_id, cluster_id and
    match_probability, one row per record, to `out` (whole or not at all)."""
    from districtlens.resolve.linker import resolve

    start = time.perf_counter()
    records = checked_records(pl.concat([read_records(f)[0] for f in files], how="diagonal_relaxed"))
    table = load_aliases(aliases)
    read_s = time.perf_counter() - start
    result = resolve(records.drop("file"), threshold=threshold, aliases=table)
    start = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    result.clusters.write_csv(partial)
    os.replace(partial, out)
    clusters = result.clusters
    timings = dict(result.timings)
    skipped = int(timings.pop("blocking_rules_skipped", 0))
    return FilesResolved(
        records=clusters.height,
        clusters=clusters["cluster_id"].n_unique(),
        records_in_multi_record_clusters=int(clusters["cluster_id"].is_duplicated().sum()),
        # The linker keeps weaker pairs too (for mutual best links between forms of a name).
        pairs_scored_above_review_floor=int(
            (result.pairs["match_probability"] >= min(DEFAULT_REVIEW_FLOOR, result.threshold)).sum()
        ),
        threshold=result.threshold,
        blocking_rules_skipped=skipped,
        files=[str(f) for f in files],
        out=str(out),
        timings_s={
            "read": round(read_s, 3),
            **{k.removesuffix("_s"): round(v, 3) for k, v in timings.items()},
            "write": round(time.perf_counter() - start, 3),
        },
    )


class LinkSource(Args):
    file: Path
    source: str | None = None  # default: the file's name
    kind: str = "tenants"
    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0.0, le=1.0)
    review_floor: float = Field(default=DEFAULT_REVIEW_FLOOR, ge=0.0, le=1.0)
    aliases: Path | None = None
    actor: str | None = None  # who the ledger names; default: who runs the command


class LinkedRecord(BaseModel):
    record_id: str
    uscc: str | None
    probability: float | None
    status: str
    link_id: int


class Linked(BaseModel):
    source: str
    records: int
    statuses: dict[str, int]
    links: list[LinkedRecord]


@command("resolve.link", writes=True)
def link(ctx: Context, args: LinkSource) -> Linked:
    """Link each row of a code-less source (tenant list, lead list) to an enterprise of the store:
    linked, waiting for review, or unknown; one ledger entry."""
    ctx.progress("reading")
    records, digest = read_records(args.file)
    records = checked_records(records).drop("file")
    table = load_aliases(args.aliases)
    source = args.source or args.file.name
    ctx.progress("linking")
    linked = link_to_registry(
        ctx.store,
        records,
        source,
        args.actor or ctx.actor,
        kind=args.kind,
        threshold=args.threshold,
        review_floor=args.review_floor,
        file_name=args.file.name,
        file_sha256=digest,
        aliases=table,
    )
    return Linked(
        source=source,
        records=linked.height,
        statuses=dict(linked.group_by("status").len().iter_rows()),
        links=[LinkedRecord(**row) for row in linked.to_dicts()],
    )


class QueuedLink(BaseModel):
    link_id: int
    source_id: int
    record_id: str
    name: str
    uscc: str | None
    enterprise_name: str | None
    probability: float | None
    evidence: str | None


class Decision(BaseModel):
    link_id: int
    accepted: bool
    decision: int  # the link_id of the decision recorded


class Review(BaseModel):
    """Decisions just taken (none when only listing), and the links still waiting for a person."""

    decided: list[Decision] = Field(default_factory=list)
    queue: list[QueuedLink]


class ReviewQueue(Args):
    pass


class Decide(Args):
    accept: tuple[int, ...] = ()
    reject: tuple[int, ...] = ()
    actor: str | None = None  # who the ledger names; default: who runs the command


def _queue(ctx: Context) -> list[QueuedLink]:
    return [QueuedLink(**row) for row in resolution.review_queue(ctx.store.con).to_dicts()]


@command("resolve.queue", writes=False)
def review_queue(ctx: Context, args: ReviewQueue) -> Review:
    """The links waiting for a person, most probable first."""
    return Review(queue=_queue(ctx))


@command("resolve.decide", writes=True)
def decide(ctx: Context, args: Decide) -> Review:
    """Accept or reject links of the review queue, each decision its own ledger entry, in the order
    given (accepts first); a refused one stops there. Returns the decisions and the queue left."""
    actor = args.actor or ctx.actor
    decided = []
    for link_id, accepted in [(i, True) for i in args.accept] + [(i, False) for i in args.reject]:
        new_id = resolution.decide(ctx.store, link_id, accepted, actor)
        decided.append(Decision(link_id=link_id, accepted=accepted, decision=new_id))
    return Review(decided=decided, queue=_queue(ctx))


class Undo(Args):
    link_id: int
    actor: str | None = None  # who the ledger names; default: who runs the command


class LinkDecision(BaseModel):
    link_id: int
    source_id: int
    record_id: str
    uscc: str | None
    probability: float | None
    status: str
    evidence: str | None
    decided_by: str
    supersedes: int | None


class Undone(BaseModel):
    undone: int
    decision: LinkDecision  # the decision now in force


@command("resolve.undo", writes=True)
def undo(ctx: Context, args: Undo) -> Undone:
    """Reverse a link or decision: a new decision restores the one before it (or no link);
    nothing is deleted."""
    new_id = resolution.undo(ctx.store, args.link_id, args.actor or ctx.actor)
    return Undone(undone=args.link_id, decision=LinkDecision(**resolution.decision(ctx.store.con, new_id)))


class Train(Args):
    actor: str | None = None  # who the ledger names; default: who runs the command


class ModelTrained(BaseModel):
    version: int
    trained_at: str
    records: int  # registry names trained on (each version's name, English name)
    enterprises: int
    labelled_pairs: int  # pairs of names of one enterprise that estimated m
    method: str  # labels, or starting-values when the registry has too few such pairs


@command("resolve.train", writes=True)
def train(ctx: Context, args: Train) -> ModelTrained:
    """Train the store's linkage model on the registry's names and keep it as a new version
    (linking lists uses the newest and never trains)."""
    ctx.progress("training")
    return ModelTrained(**train_store_model(ctx.store, args.actor or ctx.actor))


class Find(Args):
    text: str = Field(min_length=1, max_length=100)
    limit: int = Field(default=20, ge=1, le=200)


class FoundEnterprise(BaseModel):
    uscc: str
    name: str
    name_en: str | None
    address: str | None


class Found(BaseModel):
    text: str
    total: int
    enterprises: list[FoundEnterprise]


@command("resolve.find", writes=False)
def find(ctx: Context, args: Find) -> Found:
    """The enterprises a piece of text names: any of their names (current or former, Chinese or
    English, in simplified or traditional characters, a short name with its marks: *ST, A, 股份),
    their credit code (spaces allowed) or address, as the dashboard's search finds them."""
    from districtlens.resolve.names import search_forms
    from districtlens.store.search import SearchIndex

    total, rows = SearchIndex.read(ctx.store).find(args.text, limit=args.limit, offset=0, forms=search_forms(args.text))
    return Found(text=args.text, total=total, enterprises=[FoundEnterprise(**row) for row in rows])
