"""`districtlens resolve`: one enterprise, one record.

    districtlens resolve FILE [FILE ...] --out clusters.csv [--threshold P] [--json]
    districtlens resolve link SOURCE_FILE --source NAME [--kind tenants] [--db ...]
    districtlens resolve review [--accept ID ...] [--reject ID ...] [--db ...]
    districtlens resolve undo ID [--db ...]
"""

from __future__ import annotations

import getpass
import os
import time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table
from typer.core import TyperGroup

from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    DbOption,
    JsonOption,
    console,
    emit_json,
    fail,
    store_at,
)
from districtlens.commands.linking import link_to_registry
from districtlens.errors import DistrictlensError
from districtlens.ingest.read import ROW, read_table
from districtlens.resolve.aliases import AliasError, load_aliases
from districtlens.resolve.linker import (
    DEFAULT_REVIEW_FLOOR,
    DEFAULT_THRESHOLD,
    ResolveError,
    resolve,
)
from districtlens.store import resolution

INPUT_COLUMNS = ("record_id", "name", "uscc", "name_en", "address")


class _FilesByDefault(TyperGroup):
    """`resolve FILE ...` runs the `files` command; `resolve link|review|undo` the others."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["files", *args]
        return super().parse_args(ctx, args)


resolve_app = typer.Typer(cls=_FilesByDefault, no_args_is_help=True,
                          help="Entity resolution: which records are one enterprise. "
                          "`resolve FILE [FILE ...] --out clusters.csv` clusters records of files; "
                          "link, review and undo work on the store.")
app.add_typer(resolve_app, name="resolve")

ActorOption = Annotated[str, typer.Option("--actor", help="Who decides (default: the login).")]
ThresholdOption = Annotated[float, typer.Option(
    "--threshold", min=0.0, max=1.0, help="Link pairs at or above this match probability.")]
AliasOption = Annotated[Path | None, typer.Option(
    "--aliases", help="More aliases (YAML, like resolve/aliases.yaml).")]


def _actor() -> str:
    try:
        return getpass.getuser()
    except OSError:
        return "unknown"


def read_records(path: Path) -> tuple[pl.DataFrame, str]:
    """A CSV/XLSX of records with record_id and name (UTF-8, UTF-8 BOM or GB18030), and the
    file's SHA-256."""
    table = read_table(path)
    frame = table.frame.drop(ROW)
    missing = [c for c in ("record_id", "name") if c not in frame.columns]
    if missing:
        raise DistrictlensError(f"{path.name} has no {' and no '.join(missing)} column "
                        f"(its columns: {', '.join(frame.columns)})")
    if frame.height == 0:
        raise DistrictlensError(f"{path.name} has a header but no rows")
    return frame.select([c for c in INPUT_COLUMNS if c in frame.columns]).with_columns(
        pl.lit(path.name).alias("file")), table.sha256


def _read_all(files: list[Path]) -> pl.DataFrame:
    frames = [read_records(f)[0] for f in files]
    records = pl.concat(frames, how="diagonal_relaxed")
    blank = records.filter(pl.col("record_id").is_null() | (pl.col("record_id").str.strip_chars() == ""))
    if blank.height:
        raise DistrictlensError(f"{blank['file'][0]}: {blank.height} row(s) without a record_id")
    dup = records.filter(pl.col("record_id").is_duplicated()).sort("record_id")
    if dup.height:
        rid = dup["record_id"][0]
        where = ", ".join(dup.filter(pl.col("record_id") == rid)["file"].unique(maintain_order=True))
        raise DistrictlensError(f"record_id {rid!r} occurs more than once (in {where}); "
                        "record ids must be unique across the inputs")
    nameless = records.filter(pl.col("name").is_null() | (pl.col("name").str.strip_chars() == ""))
    if nameless.height:
        raise DistrictlensError(f"{nameless['file'][0]}: record {nameless['record_id'][0]!r} has no name")
    return records


@resolve_app.command("files", hidden=True)
def resolve_files(
    files: Annotated[list[Path], typer.Argument(help="CSV/XLSX files: record_id, name, "
                                                "and optionally uscc, name_en, address.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write record_id, cluster_id, "
                                      "match_probability.")],
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    aliases: AliasOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cluster the records of FILE ... into enterprises; write one row per record to --out."""
    start = time.perf_counter()
    try:
        records = _read_all(files)
        table = load_aliases(aliases)
    except (DistrictlensError, AliasError) as exc:
        fail(str(exc))
    read_s = time.perf_counter() - start
    try:
        result = resolve(records.drop("file"), threshold=threshold, aliases=table)
    except ResolveError as exc:
        fail(str(exc))
    start = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    result.clusters.write_csv(partial)
    os.replace(partial, out)  # the output appears whole or not at all
    clusters = result.clusters
    timings = dict(result.timings)
    skipped = timings.pop("blocking_rules_skipped", 0)
    summary = {
        "records": clusters.height,
        "clusters": clusters["cluster_id"].n_unique(),
        "records_in_multi_record_clusters": int(clusters["cluster_id"].is_duplicated().sum()),
        "pairs_scored_above_review_floor": result.pairs.height,
        "threshold": result.threshold,
        "blocking_rules_skipped": skipped,
        "files": [str(f) for f in files],
        "out": str(out),
        "timings_s": {"read": round(read_s, 3),
                      **{k.removesuffix("_s"): round(v, 3) for k, v in timings.items()},
                      "write": round(time.perf_counter() - start, 3)},
    }
    if as_json:
        emit_json(summary)
    else:
        console.print(f"{summary['records']} records -> {summary['clusters']} enterprises; "
                      f"written to {out}")


@resolve_app.command("link")
def link_source(
    file: Annotated[Path, typer.Argument(help="A source without credit codes (tenant list, "
                                         "lead list): record_id, name, optional uscc, name_en, "
                                         "address.")],
    source: Annotated[str | None, typer.Option("--source", help="Name of the source "
                                               "(default: the file name).")] = None,
    kind: Annotated[str, typer.Option("--kind", help="tenants, leads, news, ...")] = "tenants",
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    review_floor: Annotated[float, typer.Option("--review-floor", min=0.0, max=1.0, help=(
        "Links between this and the threshold wait for a person."))] = DEFAULT_REVIEW_FLOOR,
    aliases: AliasOption = None,
    actor: ActorOption = "",
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Link each row of FILE to an enterprise of the store (one ledger entry)."""
    try:
        records, digest = read_records(file)
        records = records.drop("file")
        table = load_aliases(aliases)
    except (DistrictlensError, AliasError) as exc:
        fail(str(exc))
    with store_at(db) as store:
        try:
            linked = link_to_registry(
                store, records, source or file.name, actor or _actor(), kind=kind,
                threshold=threshold, review_floor=review_floor, file_name=file.name,
                file_sha256=digest, aliases=table)
        except ResolveError as exc:
            fail(f"{file}: {exc}")
    counts = dict(linked.group_by("status").len().iter_rows())
    if as_json:
        emit_json({"source": source or file.name, "records": linked.height, "statuses": counts,
                   "links": linked.to_dicts()})
    else:
        console.print(", ".join(f"{v} {k}" for k, v in sorted(counts.items())))


@resolve_app.command("review")
def review(
    accept: Annotated[list[int] | None, typer.Option("--accept", help="Accept link ID.")] = None,
    reject: Annotated[list[int] | None, typer.Option("--reject", help="Reject link ID.")] = None,
    actor: ActorOption = "",
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """List the links waiting for a person; --accept/--reject decide them."""
    decided = []
    with store_at(db) as store:
        try:
            for link_id, ok in [(i, True) for i in accept or []] + [(i, False) for i in reject or []]:
                decided.append({"link_id": link_id, "accepted": ok, "decision": resolution.decide(
                    store, link_id, ok, actor or _actor())})
        except ResolveError as exc:
            fail(str(exc))
        queue = resolution.review_queue(store.con)
    if as_json:
        emit_json({"decided": decided, "queue": queue.to_dicts()})
        return
    for d in decided:
        console.print(f"link {d['link_id']}: {'accepted' if d['accepted'] else 'rejected'} "
                      f"(decision {d['decision']})")
    shown = Table("link", "record", "name", "enterprise", "p", "evidence", show_edge=False)
    for row in queue.iter_rows(named=True):
        shown.add_row(str(row["link_id"]), row["record_id"], row["name"],
                      f"{row['enterprise_name']} ({row['uscc']})", f"{row['probability']:.3f}",
                      row["evidence"])
    console.print(shown if queue.height else "nothing to review")


@resolve_app.command("undo")
def undo(
    link_id: Annotated[int, typer.Argument(help="The link (decision) to reverse.")],
    actor: ActorOption = "",
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
) -> None:
    """Reverse a link or decision; nothing is deleted (a new decision is recorded)."""
    with store_at(db) as store:
        try:
            new_id = resolution.undo(store, link_id, actor or _actor())
        except ResolveError as exc:
            fail(str(exc))
        now = resolution.current_links(store.con).filter(pl.col("link_id") == new_id).to_dicts()[0]
    if as_json:
        emit_json({"undone": link_id, "decision": now})
    else:
        console.print(f"link {link_id} undone: record {now['record_id']} is now {now['status']}"
                      + (f" ({now['uscc']})" if now["uscc"] else "") + f" (decision {new_id})")
