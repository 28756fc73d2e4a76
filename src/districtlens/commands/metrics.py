"""The regional-economics engine on tables: RCA, density, ECI, PCI ... of a panel, and the back-test.

`metrics.table` builds the panel from the store and writes the table to a file. A panel that is a
file needs no store: `table_of_file` and `backtest_files` are plain functions the CLI calls.
A `convention` arrives as text (an option, JSON) and goes to complexity_table as it is: that
refuses any but its two.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

import polars as pl
from pydantic import BaseModel

from districtlens.commands.base import Args, Context, command
from districtlens.errors import InputError, NotFound, UsageError
from districtlens.metrics import Columns, complexity_table
from districtlens.panel import PanelSpec, panel_from_store

if TYPE_CHECKING:
    from districtlens.metrics.backtest import Score
    from districtlens.metrics.complexity import Convention
    from districtlens.store import Store
    from districtlens.store.entry_models import StoredModel

FORMATS = (".csv", ".parquet", ".json")


def read_table(path: Path, text_columns: list[str]) -> pl.DataFrame:
    """A CSV, Parquet or JSON table; label columns read as text so codes keep leading zeros."""
    if not path.exists():
        raise NotFound("file.missing", path=str(path))
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError("metrics.unknown_format", path=str(path), suffix=suffix, formats=", ".join(FORMATS))
    try:
        if suffix == ".csv":
            header = pl.read_csv(path, n_rows=0).columns
            overrides = {c: pl.String for c in text_columns if c in header}
            return pl.read_csv(path, schema_overrides=overrides, infer_schema_length=None)
        if suffix == ".parquet":
            return pl.read_parquet(path)
        return pl.read_json(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise InputError("metrics.unreadable", path=str(path), reason=str(exc)) from exc


def check_output(out: Path) -> None:
    """Refuse an output file of a format the table cannot be written in, before any work."""
    if out.suffix.lower() not in FORMATS:
        raise InputError("metrics.unknown_format", path=str(out), suffix=out.suffix, formats=", ".join(FORMATS))


def write_table(frame: pl.DataFrame, path: Path) -> None:
    """Write by extension; labels as plain text so that any reader gets strings."""
    import polars.selectors as cs

    frame = frame.with_columns(cs.enum().cast(pl.String))
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.write_csv(path)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    else:
        frame.write_json(path)


def reference_of(regions: list[str] | None, totals: Path | None) -> list[str] | pl.DataFrame | None:
    """The RCA reference: a peer set of regions, a file of external totals (activity, value and
    optionally year), or none (the whole panel)."""
    if regions is not None:
        return regions
    if totals is not None:
        return read_table(totals, ["activity"]).with_columns(pl.col("activity").cast(pl.String))
    return None


class Written(BaseModel):
    out: str
    rows: int


def table_of_file(
    file: Path,
    columns: Columns,
    out: Path,
    *,
    reference_regions: list[str] | None = None,
    reference_totals: Path | None = None,
    convention: str = "stata",
    threshold: float = 1.0,
) -> Written:
    """The complexity table of a long table in `file` (CSV, Parquet or JSON), written to `out`."""
    check_output(out)
    reference = reference_of(reference_regions, reference_totals)
    frame = read_table(file, [c for c in (columns.region, columns.activity) if c])
    table = complexity_table(
        frame, columns, convention=cast("Convention", convention), threshold=threshold, reference=reference
    )
    write_table(table, out)
    return Written(out=str(out), rows=table.height)


class StoreTable(Args):
    out: Path
    by: str = "district"
    activity: str = "gbt4"
    value: str = "revenue"
    years: tuple[int, ...] = ()
    reference_regions: list[str] | None = None
    reference_totals: Path | None = None
    convention: str = "stata"
    threshold: float = 1.0


@command("metrics.table", writes=False)
def store_table(ctx: Context, args: StoreTable) -> Written:
    """The complexity table of the store's panel (value by region and activity, per year), written
    to `out` (.csv, .parquet or .json), zero cells included."""
    check_output(args.out)
    spec = PanelSpec(by=args.by, activity=args.activity, value=args.value, years=args.years)
    reference = reference_of(args.reference_regions, args.reference_totals)
    ctx.progress("panel")
    panel = panel_from_store(ctx.store, spec)
    if panel.height == 0:
        asked = {"path": str(ctx.store.path), "value": args.value, "by": args.by, "activity": args.activity}
        if args.years:
            raise InputError("metrics.empty_panel_in_years", years=", ".join(map(str, args.years)), **asked)
        raise InputError("metrics.empty_panel", **asked)
    ctx.progress("measures")
    table = complexity_table(
        panel,
        Columns("region", "activity", "value", "year"),
        convention=cast("Convention", args.convention),
        threshold=args.threshold,
        reference=reference,
    )
    write_table(table, args.out)
    return Written(out=str(args.out), rows=table.height)


@dataclass(frozen=True)
class TrainSpec:
    """A training panel and its period (None: the back-test's own years)."""

    file: Path
    start: int | None = None
    end: int | None = None


def parse_train(given: str) -> TrainSpec:
    """`FILE:FROM:TO` (a panel and its period) or `FILE` (the period comes from --train-from and
    --train-to, or the back-test's years). Anything else with a colon is refused."""
    head, sep, tail = given.rpartition(":")
    if sep:
        path, sep2, first = head.rpartition(":")
        if sep2 and path and first.strip().isdigit() and tail.strip().isdigit():
            start, end = int(first), int(tail)
            if start == end:
                raise UsageError("metrics.train_same_year", given=given)
            return TrainSpec(Path(path), start, end)
        if not Path(given).exists():
            raise UsageError("metrics.train_form", given=given)
    if not given:
        raise UsageError("metrics.train_form", given=given)
    return TrainSpec(Path(given))


# How to read the scores (a message key: the CLI says it in the reader's language).
SIGN_CONVENTION = "metrics.sign_convention"


@dataclass(frozen=True)
class Comparison:
    """The combined predictor against one other predictor, measure by measure."""

    against: str
    measure: str
    difference: float
    low: float
    high: float


@dataclass(frozen=True)
class Backtested:
    start: int
    end: int
    candidates: int
    entries: int
    scores: list[Score]
    brier: float | None = None
    reliability: list[dict[str, float]] = field(default_factory=list)
    differences: list[Comparison] = field(default_factory=list)
    winners: dict[str, str] = field(default_factory=dict)
    training: list[dict[str, object]] = field(default_factory=list)
    model_file: str | None = None
    sign_convention_key: str = SIGN_CONVENTION


MODEL_TYPES = ("sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",)


def save_model(path: Path, model: object, meta: dict[str, object]) -> None:
    """The fitted model with its training panels, periods and scores, as a skops file (not a pickle)."""
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump({"model": model, **meta}, path)


def load_model(path: Path) -> dict[str, object]:
    """A skops file written by `save_model`; any type beyond the model's own is refused unloaded,
    and a file that is not a skops archive (not a zip) as unreadable."""
    import zipfile

    import skops.io as sio

    if not path.exists():
        raise NotFound("file.missing", path=str(path))
    try:
        untrusted = sio.get_untrusted_types(file=path)
        unknown = [t for t in untrusted if t not in MODEL_TYPES]
        if unknown:
            raise InputError("metrics.model_untrusted", path=str(path), types=", ".join(unknown))
        loaded = sio.load(path, trusted=untrusted)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise InputError("metrics.model_unreadable", path=str(path), reason=str(exc)) from exc
    if not isinstance(loaded, dict) or "model" not in loaded:
        raise InputError("metrics.model_unreadable", path=str(path), reason={"key": "metrics.reason.no_model"})
    return loaded


def entry_model(path: Path) -> dict[str, object]:
    """`load_model`, then refused unless it is the entry model over today's FEATURES: a model
    fitted on other features (an older version, another program) would score the wrong columns."""
    from districtlens.metrics.predict import FEATURES

    loaded = load_model(path)
    model = loaded["model"]
    expected = list(FEATURES)
    if (
        loaded.get("features") != expected
        or getattr(model, "n_features_in_", None) != len(expected)
        or not hasattr(model, "predict_proba")
    ):
        raise InputError(
            "metrics.model_features_mismatch",
            path=str(path),
            expected=len(expected),
            found=str(loaded.get("features", "?"))[:200],
        )
    return loaded


def backtest_files(
    file: Path,
    columns: Columns,
    start: int,
    end: int,
    *,
    train: Path | None = None,
    train_start: int | None = None,
    train_end: int | None = None,
    k: int = 10,
    convention: str = "stata",
    threshold: float = 1.0,
    trains: list[TrainSpec] | None = None,
    model_file: Path | None = None,
    save_to: Path | None = None,
    resamples: int = 200,
    seed: int = 0,
) -> Backtested:
    """How well density and the other predictors ranked the activities the regions of `file` entered
    between `start` and `end`; with training panels (`train`, or `trains` each with its period), also
    the combined predictor (the entry model) fitted on their transitions (by default between
    `train_start` and `train_end`, else the same years); with `model_file`, a saved model instead.
    The combined predictor is compared with every other on the same candidates (paired bootstrap,
    seeded), and `save_to` keeps the fitted model, its training panels, periods and scores."""
    # scikit-learn takes a second to import: only the back-test pays for it.
    from districtlens.metrics.backtest import backtest, combined_probability, panel_transitions

    labels = [c for c in (columns.region, columns.activity) if c]
    specs = list(trains or [])
    if train is not None:
        specs.insert(0, TrainSpec(train))
    specs = [
        TrainSpec(s.file, s.start if s.start is not None else train_start, s.end if s.end is not None else train_end)
        for s in specs
    ]
    specs = [TrainSpec(s.file, start if s.start is None else s.start, end if s.end is None else s.end) for s in specs]
    if specs and model_file is not None:
        raise UsageError("metrics.model_and_train")
    if save_to is not None and not specs:
        raise UsageError("metrics.save_needs_train")
    candidates = panel_transitions(
        read_table(file, labels), columns, start, end, convention=cast("Convention", convention), threshold=threshold
    )
    training = [
        panel_transitions(
            read_table(s.file, labels),
            columns,
            s.start,
            s.end,
            convention=cast("Convention", convention),
            threshold=threshold,
        )
        for s in specs
    ]
    stored = load_model(model_file) if model_file is not None else None
    model = stored["model"] if stored is not None else None
    if training:
        from districtlens.metrics.predict import fit_model

        model = fit_model(training, seed=seed)
    scores = backtest(candidates, model=model, k=k, seed=seed)
    described: list[dict[str, object]] = [
        {
            "file": str(s.file),
            "from": s.start,
            "to": s.end,
            "candidates": t.height,
            "entries": int(t.get_column("entered").sum()),
        }
        for s, t in zip(specs, training, strict=True)
    ]
    if stored is not None:
        described = _dicts(stored.get("training"))
    found = Backtested(
        start=start,
        end=end,
        candidates=candidates.height,
        entries=int(candidates.get_column("entered").sum()),
        scores=scores,
        training=described,
        model_file=str(model_file) if model_file else None,
    )
    if model is None:
        return replace(found, winners=winners_of(scores))
    found = compare(found, candidates, combined_probability(candidates, model=model), resamples, seed)
    if save_to is not None:
        save_model(
            save_to,
            model,
            {
                "features": list(_features()),
                "training": described,
                "convention": convention,
                "threshold": threshold,
                "seed": seed,
                "scores": {
                    "panel": str(file),
                    "from": start,
                    "to": end,
                    **{
                        s.predictor: {"roc_auc": s.roc_auc, "pr_auc": s.pr_auc, "precision_at_k": s.precision_at_k}
                        for s in scores
                    },
                },
            },
        )
    return found


def _features() -> tuple[str, ...]:
    from districtlens.metrics.predict import FEATURES

    return FEATURES


def winners_of(scores: list[Score]) -> dict[str, str]:
    """The predictor with the highest value of each measure (ties: the first listed)."""
    out = {}
    for measure in ("roc_auc", "pr_auc", "precision_at_k"):
        valid = [s for s in scores if getattr(s, measure) == getattr(s, measure)]
        if valid:
            out[measure] = max(valid, key=lambda s: getattr(s, measure)).predictor
    return out


def compare(found: Backtested, candidates: pl.DataFrame, probability: object, resamples: int, seed: int) -> Backtested:
    """Calibration of the combined predictor and its differences with every other predictor."""
    import numpy as np

    from districtlens.metrics.backtest import COMBINED
    from districtlens.metrics.predict import brier, paired_bootstrap, reliability

    y = candidates.get_column("entered").to_numpy().astype(np.float64)
    p = np.asarray(probability, dtype=np.float64)
    differences = []
    for s in found.scores:
        if s.predictor == COMBINED:
            continue
        other = np.nan_to_num(candidates.get_column(s.predictor).to_numpy().astype(np.float64))
        differences += [
            Comparison(d.b, d.measure, d.difference, d.low, d.high)
            for d in paired_bootstrap(y, p, other, names=(COMBINED, s.predictor), resamples=resamples, seed=seed)
        ]
    table = [
        {"low": b.low, "high": b.high, "count": b.count, "predicted": b.predicted, "observed": b.observed}
        for b in reliability(y, p)
    ]
    return replace(
        found, brier=brier(y, p), reliability=table, differences=differences, winners=winners_of(found.scores)
    )


def panel_from_cbp(files: list[Path], out: Path, *, value: str = "Establishments") -> Written:
    """One long panel (region, activity, value, year) from yearly County Business Patterns files
    (columns Fips, Naics, Establishments, Employees, Payroll), the year read from each file name."""
    import re

    check_output(out)
    parts = []
    for path in files:
        years = re.findall(r"(?<!\d)(\d{4})(?!\d)", path.stem)
        if not years:
            raise InputError("metrics.cbp_no_year", path=str(path))
        table = read_table(path, ["Fips", "Naics"])
        missing = [c for c in ("Fips", "Naics", value) if c not in table.columns]
        if missing:
            raise InputError("metrics.missing_columns", missing=", ".join(missing), present=", ".join(table.columns))
        parts.append(
            table.select(
                region=pl.col("Fips").cast(pl.String),
                activity=pl.col("Naics").cast(pl.String),
                value=pl.col(value).cast(pl.Float64),
                year=pl.lit(int(years[-1])),
            )
        )
    if not parts:
        raise UsageError("metrics.cbp_no_files")
    years_read = [int(p.get_column("year")[0]) for p in parts]
    if len(set(years_read)) < len(years_read):
        raise InputError("metrics.cbp_year_twice", years=", ".join(map(str, years_read)))
    panel = pl.concat(parts).sort("year", "region", "activity")
    write_table(panel, out)
    return Written(out=str(out), rows=panel.height)


# ---- the stored entry model ----------------------------------------------------------------------


class SetEntryModel(Args):
    """`file`: a skops file written by `backtest --save-model`."""

    file: Path


class EntryModelInfo(BaseModel):
    """The entry model in force: its version in the store, the file it was set from, the file's
    SHA-256, when it was set, and what it was trained on."""

    version: int
    file_name: str
    model_sha256: str
    valid_from: str
    training: list[dict[str, object]]
    convention: str
    threshold: float
    scores: dict[str, object] | None
    ledger_seq: int | None = None


class EntryModelShown(BaseModel):
    model: EntryModelInfo | None


class NoArgs(Args):
    pass


@command("metrics.model_set", writes=True)
def set_entry_model(ctx: Context, args: SetEntryModel) -> EntryModelInfo:
    """Keep an entry model in the store: `targets --opportunities` then ranks by it. The file is
    refused as `targets --opportunities --model` would refuse it; a ledger entry names the change."""
    from districtlens.store import entry_models

    loaded = entry_model(args.file)
    meta = {key: value for key, value in loaded.items() if key != "model"}
    entry = entry_models.save_model(ctx.store, args.file.name, args.file.read_bytes(), meta, actor=ctx.actor)
    current = entry_models.current_model(ctx.store)
    assert current is not None
    return _info(current, entry.seq)


@command("metrics.model_show", writes=False)
def show_entry_model(ctx: Context, args: NoArgs) -> EntryModelShown:
    """The entry model in force, or none."""
    from districtlens.store import entry_models

    current = entry_models.current_model(ctx.store)
    return EntryModelShown(model=_info(current) if current is not None else None)


def _info(stored: StoredModel, seq: int | None = None) -> EntryModelInfo:
    meta = stored.meta
    return EntryModelInfo(
        version=stored.version,
        file_name=stored.file_name,
        model_sha256=stored.model_sha256,
        valid_from=stored.valid_from,
        training=_dicts(meta.get("training")),
        convention=str(meta.get("convention", "stata")),
        threshold=float(str(meta.get("threshold", 1.0))),
        scores=scores if isinstance(scores := meta.get("scores"), dict) else None,
        ledger_seq=seq,
    )


def _dicts(value: object) -> list[dict[str, object]]:
    """A list of records read from a model file's metadata (anything else: none)."""
    return [dict(item) for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def stored_entry_model(store: Store) -> dict[str, object] | None:
    """The store's entry model, loaded and checked as a file would be (`entry_model`), or None.
    Bytes that no longer match the SHA-256 the ledger hashed are refused."""
    import hashlib
    import tempfile

    from districtlens.store import entry_models

    current = entry_models.current_model(store)
    if current is None:
        return None
    if hashlib.sha256(current.model_bytes).hexdigest() != current.model_sha256:
        altered = {"key": "metrics.reason.bytes_altered"}
        raise InputError("metrics.model_unreadable", path=f"store:{current.file_name}", reason=altered)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / current.file_name
        path.write_bytes(current.model_bytes)
        return entry_model(path)
