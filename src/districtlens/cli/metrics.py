"""`districtlens metrics` and `districtlens backtest`: the regional-economics engine at the shell."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

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
    fail,
    language,
    listed,
    refuse,
    run,
)
from districtlens.i18n import day, decimal, number, t

ConventionOption = Annotated[
    str,
    typer.Option(
        "--convention",
        help="stata (the original Stata ecomplexity) or ecomplexity (py-ecomplexity 0.5.3); see docs/metrics.md.",
    ),
]
ThresholdOption = Annotated[float, typer.Option("--threshold", help="RCA at or above which M = 1.")]


def parse_reference(values: list[str]) -> tuple[list[str] | None, Path | None]:
    """`regions:A,B,C` (a peer set) or a file of external totals (columns activity, value): the
    regions, or the file."""
    if not values:
        return None, None
    if len(values) > 1:
        refuse("cli.metrics.one_reference")
    given = values[0]
    if given.startswith("regions:"):
        regions = [r for r in given.removeprefix("regions:").split(",") if r]
        if not regions:
            refuse("cli.metrics.no_region")
        return regions, None
    return None, absolute(Path(given))


def parse_years(year: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(y) for y in year.split(",")) if year else ()
    except ValueError:
        refuse("cli.metrics.bad_years", year=year)


@app.command("metrics")
def metrics_command(
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet or .json.")],
    file: Annotated[
        Path | None, typer.Argument(help="A long table (CSV, Parquet, JSON); omit to read the store.")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Region column (file).")] = None,
    activity: Annotated[
        str | None, typer.Option("--activity", help="Activity column (file), or gbt4|gbt2|track (store).")
    ] = None,
    value: Annotated[
        str | None, typer.Option("--value", help="Value column (file), or revenue|employees|firms (store).")
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", help="Year column (file), or year(s) Y[,Y] to keep (store).")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Store: district|zone|street.")] = "district",
    reference: Annotated[
        list[str] | None, typer.Option("--reference", help="RCA reference: regions:A,B,C or a file of activity totals.")
    ] = None,
    convention: ConventionOption = "stata",
    threshold: ThresholdOption = 1.0,
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """RCA, presence, density, ECI, PCI, diversity, ubiquity, COI and COG for every cell."""
    from districtlens.commands import metrics

    chosen = chosen_language(lang)
    regions, totals = parse_reference(reference or [])

    def report_written(done: metrics.Written) -> None:
        console.print(counted("cli.metrics.written", done.rows, chosen, file=str(out)), highlight=False, markup=False)

    if file is None:
        args = metrics.StoreTable(
            out=absolute(out),
            by=by,
            activity=activity or "gbt4",
            value=value or "revenue",
            years=parse_years(year),
            reference_regions=regions,
            reference_totals=totals,
            convention=convention,
            threshold=threshold,
        )
        run(db, metrics.store_table, args, as_json=as_json, render=report_written)
        return
    if not (region and activity and value):
        missing = [n for n, v in (("--region", region), ("--activity", activity), ("--value", value)) if not v]
        refuse("cli.metrics.file_columns", options=", ".join(missing))
    from districtlens.metrics import Columns

    written = metrics.table_of_file(
        file,
        Columns(region, activity, value, year),
        out,
        reference_regions=regions,
        reference_totals=totals,
        convention=convention,
        threshold=threshold,
    )
    if as_json:
        emit_json(written.model_dump(mode="json"))
    else:
        report_written(written)


panel_app = typer.Typer(help="Long panels (region, activity, value, year) from published tables.", no_args_is_help=True)
app.add_typer(panel_app, name="panel")


@panel_app.command("from-cbp")
def panel_from_cbp_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Yearly County Business Patterns files (Fips, Naics, "
            "Establishments, ...); the year is read from each name."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The panel: .csv, .parquet or .json.")],
    value: Annotated[str, typer.Option("--value", help="Establishments, Employees or Payroll.")] = "Establishments",
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """One long panel (region, activity, value, year) from yearly CBP county files."""
    from districtlens.commands.metrics import panel_from_cbp

    chosen = chosen_language(lang)
    written = panel_from_cbp([absolute(f) for f in files], absolute(out), value=value)
    if as_json:
        emit_json(written.model_dump(mode="json"))
    else:
        console.print(
            counted("cli.metrics.written", written.rows, chosen, file=str(out)), highlight=False, markup=False
        )


@app.command("backtest")
def backtest_command(
    file: Annotated[Path, typer.Argument(help="A long panel with at least two years.")],
    start: Annotated[int, typer.Option("--from", help="The year predictions are made in.")],
    end: Annotated[int, typer.Option("--to", help="The year entries are checked in.")],
    region: Annotated[str, typer.Option("--region", help="Region column.")] = "region",
    activity: Annotated[str, typer.Option("--activity", help="Activity column.")] = "activity",
    value: Annotated[str, typer.Option("--value", help="Value column.")] = "value",
    year: Annotated[str, typer.Option("--year", help="Year column.")] = "year",
    train: Annotated[
        list[str] | None,
        typer.Option(
            "--train",
            help="A panel to fit the combined predictor on (same columns): FILE:FROM:TO, or FILE "
            "with --train-from/--train-to. Repeatable.",
        ),
    ] = None,
    train_from: Annotated[int | None, typer.Option("--train-from")] = None,
    train_to: Annotated[int | None, typer.Option("--train-to")] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="A model saved with --save-model (instead of --train).")
    ] = None,
    save_model: Annotated[
        Path | None,
        typer.Option("--save-model", help="Save the fitted model, its training panels, periods and scores (skops)."),
    ] = None,
    resamples: Annotated[int, typer.Option("--bootstrap", help="Bootstrap draws for the intervals.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the model and of the bootstrap.")] = 0,
    k: Annotated[int, typer.Option("--k", help="Candidates per region for precision@k.")] = 10,
    convention: ConventionOption = "stata",
    threshold: ThresholdOption = 1.0,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """How well density and other predictors ranked the activities regions later entered."""
    from districtlens.commands.metrics import backtest_files, parse_train
    from districtlens.errors import DistrictlensError
    from districtlens.metrics import Columns

    chosen = chosen_language(lang)
    try:
        trains = [parse_train(given) for given in train or []]
    except DistrictlensError as exc:
        fail(exc.message(language()))
    found = backtest_files(
        absolute(file),
        Columns(region, activity, value, year),
        start,
        end,
        trains=[type(spec)(absolute(spec.file), spec.start, spec.end) for spec in trains],
        train_start=train_from,
        train_end=train_to,
        k=k,
        convention=convention,
        threshold=threshold,
        model_file=absolute(model) if model else None,
        save_to=absolute(save_model) if save_model else None,
        resamples=resamples,
        seed=seed,
    )
    if as_json:
        emit_json(
            {
                "from": found.start,
                "to": found.end,
                "candidates": found.candidates,
                "entries": found.entries,
                "scores": [s.__dict__ for s in found.scores],
                "brier": found.brier,
                "reliability": found.reliability,
                "differences": [d.__dict__ for d in found.differences],
                "winners": found.winners,
                "training": found.training,
                "model_file": found.model_file,
                "bootstrap": {"resamples": resamples, "seed": seed, "level": 0.95},
                "sign_convention": t(found.sign_convention_key, chosen),
                "sign_convention_key": found.sign_convention_key,
            }
        )
        return
    render_backtest(file.name, found, k, resamples, seed, chosen)


def render_backtest(name: str, found: object, k: int, resamples: int, seed: int, lang: str) -> None:
    """The scores, the winner of each measure, the differences and the reliability table."""
    from rich.console import Console
    from rich.table import Table

    from districtlens.commands.metrics import Backtested

    assert isinstance(found, Backtested)
    out = Console()

    def said(value: float, decimals: int = 3, sign: bool = False) -> str:
        shown = number(value, lang, decimals)
        return f"+{shown}" if sign and value >= 0 else shown

    title = t(
        "cli.backtest.title",
        lang,
        file=name,
        start=found.start,
        end=found.end,
        candidates=counted("cli.backtest.candidates", found.candidates, lang),
        entries=counted("cli.backtest.entries", found.entries, lang),
    )

    def predictor(name: str) -> str:
        return t(f"cli.backtest.predictor.{name}", lang)

    def measure(name: str) -> str:
        return t(f"cli.backtest.measure.{name}", lang, k=k)

    table = Table(title=title)
    for head in (t("cli.backtest.col.predictor", lang), *(measure(m) for m in ("roc_auc", "pr_auc", "precision_at_k"))):
        table.add_column(head)
    for s in found.scores:
        label = predictor(s.predictor)
        if s.predictor == "rca":
            label = t("cli.backtest.baseline", lang, predictor=label)
        if s.roc_auc < 0.5:
            label += t("cli.backtest.low_predicts", lang)
        table.add_row(label, said(s.roc_auc), said(s.pr_auc), said(s.precision_at_k))
    out.print(table)
    winners = listed([f"{measure(name)} {predictor(winner)}" for name, winner in found.winners.items()], lang)
    out.print(t("cli.backtest.winners", lang, winners=winners), highlight=False)
    out.print(t("cli.backtest.sign_convention", lang, text=t(found.sign_convention_key, lang)), highlight=False)
    for panel in found.training:
        period = {"file": panel.get("file"), "start": panel.get("from"), "end": panel.get("to")}
        out.print(t("cli.backtest.trained_on", lang, **period), highlight=False, markup=False)
    if found.differences:
        diff = Table(title=t("cli.backtest.differences", lang, draws=number(resamples, lang), seed=seed))
        for head in ("against", "measure", "difference", "interval"):
            diff.add_column(t(f"cli.backtest.col.{head}", lang))
        for d in found.differences:
            interval = f"[{said(d.low, sign=True)}, {said(d.high, sign=True)}]"
            diff.add_row(predictor(d.against), measure(d.measure), said(d.difference, sign=True), interval)
        out.print(diff)
    if found.brier is not None:
        rel = Table(title=t("cli.backtest.calibration", lang, brier=number(found.brier, lang, 4)))
        for head in ("from", "to", "candidates", "predicted", "observed"):
            rel.add_column(t(f"cli.backtest.col.bin_{head}", lang))
        for b in found.reliability:
            count = number(int(b["count"]), lang)
            rel.add_row(said(b["low"]), said(b["high"]), count, said(b["predicted"]), said(b["observed"]))
        out.print(rel)


model_app = typer.Typer(
    help="The entry model `targets --opportunities` ranks by, kept in the store.", no_args_is_help=True
)
app.add_typer(model_app, name="entry-model")


@model_app.command("set")
def entry_model_set(
    file: Annotated[Path, typer.Argument(help="A skops file written by backtest --save-model.")],
    db: DbOption = DEFAULT_DB_PATH,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Keep an entry model in the store (a new, ledgered version): targets --opportunities ranks by it."""
    from districtlens.commands.metrics import SetEntryModel, set_entry_model

    chosen = chosen_language(lang)
    args = SetEntryModel(file=absolute(file))
    run(db, set_entry_model, args, as_json=as_json, render=lambda info: _print_entry_model(info, chosen))


@model_app.command("show")
def entry_model_show(db: DbOption = DEFAULT_DB_PATH, as_json: JsonOption = False, lang: LangOption = None) -> None:
    """The entry model in force in the store, or none."""
    from districtlens.commands.metrics import NoArgs, show_entry_model

    chosen = chosen_language(lang)
    run(db, show_entry_model, NoArgs(), as_json=as_json, render=lambda shown: _print_entry_model(shown.model, chosen))


def _print_entry_model(info: object, lang: str) -> None:
    from districtlens.commands.metrics import EntryModelInfo

    if not isinstance(info, EntryModelInfo):
        console.print(t("cli.entry_model.none", lang), highlight=False)
        return
    said = t(
        "cli.entry_model.shown",
        lang,
        version=info.version,
        file=info.file_name,
        sha=info.model_sha256[:12],
        day=day(datetime.fromisoformat(str(info.valid_from)), lang),
        convention=info.convention,
        threshold=decimal(info.threshold, lang),
    )
    console.print(said, highlight=False, markup=False)
    for panel in info.training:
        counts = ""
        candidates, entries = panel.get("candidates"), panel.get("entries")
        if isinstance(candidates, int) and isinstance(entries, int):
            counts = t(
                "cli.entry_model.counts",
                lang,
                candidates=counted("cli.backtest.candidates", candidates, lang),
                entries=counted("cli.backtest.entries", entries, lang),
            )
        trained = t(
            "cli.entry_model.trained_on",
            lang,
            file=panel.get("file", "?"),
            start=panel.get("from", "?"),
            end=panel.get("to", "?"),
            counts=counts,
        )
        console.print("  " + trained, highlight=False, markup=False)
