"""`districtlens resolve`: one enterprise, one record.

districtlens resolve FILE [FILE ...] --out clusters.csv [--threshold P] [--json]
districtlens resolve link SOURCE_FILE --source NAME [--kind tenants] [--db ...]
districtlens resolve review [--accept ID ...] [--reject ID ...] [--db ...]
districtlens resolve undo ID [--db ...]
districtlens resolve train [--db ...]
districtlens find TEXT [--limit N] [--db ...]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from districtlens.cli.app import app
from districtlens.cli.common import (
    DEFAULT_DB_PATH,
    DbOption,
    JsonOption,
    LangOption,
    absolute,
    chosen_language,
    console,
    counted,
    emit_json,
    listed,
    run,
)
from districtlens.i18n import number, t
from districtlens.resolve import DEFAULT_REVIEW_FLOOR, DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from typer._click.core import Context as ClickContext  # typer's own copy of click

    from districtlens.commands.resolve import Found, Linked, ModelTrained, Review, Undone


class _FilesByDefault(TyperGroup):
    """`resolve FILE ...` runs the `files` command; `resolve link|review|undo|train` the others."""

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["files", *args]
        return super().parse_args(ctx, args)


resolve_app = typer.Typer(
    cls=_FilesByDefault,
    no_args_is_help=True,
    help="Entity resolution: which records are one enterprise. "
    "`resolve FILE [FILE ...] --out clusters.csv` clusters records of files; "
    "link, review, undo and train work on the store.",
)
app.add_typer(resolve_app, name="resolve")

ActorOption = Annotated[str, typer.Option("--actor", help="Who decides (default: the login).")]
ThresholdOption = Annotated[
    float, typer.Option("--threshold", min=0.0, max=1.0, help="Link pairs at or above this match probability.")
]
AliasOption = Annotated[Path | None, typer.Option("--aliases", help="More aliases (YAML, like resolve/aliases.yaml).")]


@resolve_app.command("files", hidden=True)
def resolve_files(
    files: Annotated[
        list[Path], typer.Argument(help="CSV/XLSX files: record_id, name, and optionally uscc, name_en, address.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write record_id, cluster_id, match_probability.")],
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    aliases: AliasOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Cluster the records of FILE ... into enterprises; write one row per record to --out."""
    from districtlens.commands.resolve import resolve_files

    chosen = chosen_language(lang)
    summary = resolve_files(files, out, threshold=threshold, aliases=aliases)
    if as_json:
        emit_json(summary.model_dump(mode="json"))
    else:
        records = counted("cli.resolve.records", summary.records, chosen)
        clusters = counted("cli.resolve.enterprises", summary.clusters, chosen)
        said = t("cli.resolve.clustered", chosen, records=records, enterprises=clusters, file=str(out))
        console.print(said, highlight=False, markup=False)


@resolve_app.command("link")
def link_source(
    file: Annotated[
        Path,
        typer.Argument(
            help="A source without credit codes (tenant list, "
            "lead list): record_id, name, optional uscc, name_en, "
            "address."
        ),
    ],
    source: Annotated[str | None, typer.Option("--source", help="Name of the source (default: the file name).")] = None,
    kind: Annotated[str, typer.Option("--kind", help="tenants, leads, news, ...")] = "tenants",
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    review_floor: Annotated[
        float,
        typer.Option(
            "--review-floor", min=0.0, max=1.0, help=("Links between this and the threshold wait for a person.")
        ),
    ] = DEFAULT_REVIEW_FLOOR,
    aliases: AliasOption = None,
    actor: ActorOption = "",
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Link each row of FILE to an enterprise of the store (one ledger entry)."""
    from districtlens.commands import resolve

    chosen = chosen_language(lang)
    args = resolve.LinkSource(
        file=absolute(file),
        source=source,
        kind=kind,
        threshold=threshold,
        review_floor=review_floor,
        aliases=absolute(aliases) if aliases else None,
        actor=actor or None,
    )

    def render(linked: Linked) -> None:
        statuses = sorted(linked.statuses.items())
        said = listed([counted(f"cli.import.tenants_counted.{status}", n, chosen) for status, n in statuses], chosen)
        console.print(said, highlight=False)

    run(db, resolve.link, args, as_json=as_json, render=render)


@resolve_app.command("review")
def review(
    accept: Annotated[list[int] | None, typer.Option("--accept", help="Accept link ID.")] = None,
    reject: Annotated[list[int] | None, typer.Option("--reject", help="Reject link ID.")] = None,
    actor: ActorOption = "",
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """List the links waiting for a person; --accept/--reject decide them."""
    from districtlens.commands import resolve

    chosen = chosen_language(lang)

    def render(done: Review) -> None:
        from rich.table import Table

        for d in done.decided:
            key = "cli.resolve.accepted" if d.accepted else "cli.resolve.rejected"
            console.print(t(key, chosen, link=d.link_id, decision=d.decision), highlight=False)
        columns = ("link", "record", "name", "enterprise", "p", "evidence")
        shown = Table(*(t(f"cli.resolve.col.{c}", chosen) for c in columns), show_edge=False)
        for row in done.queue:
            shown.add_row(
                str(row.link_id),
                row.record_id,
                row.name,
                f"{row.enterprise_name} ({row.uscc})",
                "—" if row.probability is None else number(row.probability, chosen, 3),
                row.evidence,
            )
        console.print(shown if done.queue else t("cli.resolve.nothing_to_review", chosen))

    if accept or reject:
        decisions = resolve.Decide(accept=tuple(accept or ()), reject=tuple(reject or ()), actor=actor or None)
        run(db, resolve.decide, decisions, as_json=as_json, render=render)
    else:
        run(db, resolve.review_queue, resolve.ReviewQueue(), as_json=as_json, render=render)


@resolve_app.command("undo")
def undo(
    link_id: Annotated[int, typer.Argument(help="The link (decision) to reverse.")],
    actor: ActorOption = "",
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Reverse a link or decision; nothing is deleted (a new decision is recorded)."""
    from districtlens.commands import resolve

    chosen = chosen_language(lang)

    def render(done: Undone) -> None:
        now = done.decision
        status = t(f"cli.resolve.status.{now.status}", chosen) + (f" ({now.uscc})" if now.uscc else "")
        said = t(
            "cli.resolve.undone", chosen, link=done.undone, record=now.record_id, status=status, decision=now.link_id
        )
        console.print(said, highlight=False)

    run(db, resolve.undo, resolve.Undo(link_id=link_id, actor=actor or None), as_json=as_json, render=render)


@resolve_app.command("train")
def train(
    actor: ActorOption = "",
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Train the store's linkage model on its registry and keep it (linking never retrains)."""
    from districtlens.commands import resolve

    chosen = chosen_language(lang)

    def render(done: ModelTrained) -> None:
        said = t(
            "cli.resolve.trained",
            chosen,
            version=done.version,
            at=done.trained_at,
            names=counted("cli.resolve.names", done.records, chosen),
            enterprises=counted("cli.resolve.enterprises", done.enterprises, chosen),
            method=t(f"cli.resolve.method.{done.method}", chosen),
            pairs=counted("cli.resolve.labelled_pairs", done.labelled_pairs, chosen),
        )
        console.print(said, highlight=False)

    run(db, resolve.train, resolve.Train(actor=actor or None), as_json=as_json, render=render)


@app.command("find")
def find(
    text: Annotated[
        str, typer.Argument(help="A name (full, short, English, former; any characters), a code or an address.")
    ],
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="At most this many enterprises.")] = 20,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Find the enterprises TEXT names, however the name is written."""
    from districtlens.commands import resolve

    chosen = chosen_language(lang)

    def render(found: Found) -> None:
        for row in found.enterprises:
            console.print(f"{row.uscc}  {row.name}" + (f"  ({row.name_en})" if row.name_en else ""), highlight=False)
        shown = len(found.enterprises)
        said = counted("cli.resolve.found", found.total, chosen)
        if shown < found.total:
            said += t("cli.resolve.shown", chosen, shown=number(shown, chosen))
        console.print(said, highlight=False)

    run(db, resolve.find, resolve.Find(text=text, limit=limit), as_json=as_json, render=render)
