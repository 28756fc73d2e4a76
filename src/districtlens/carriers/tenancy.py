"""Validation of tenant rows: which leases a carrier's tenant list may bring into the store, and why
the others may not.

A row names its tenant by a unified social credit code (`uscc`), a name, or both; its `area_m2`,
`lease_start` and `lease_end` (the last day, inclusive; empty for an open lease); optionally the
`use` of the space (office by default) and the `carrier` (else the file's carrier). Headers may be
Chinese (统一社会信用代码, 企业名称/租户名称, 面积/租赁面积(平方米), 起租日期/租赁开始, 到期日期/租赁结束,
用途, 载体).

A row is invalid when: the code is given and fails the GB 32100-2015 check; neither code nor name
is given; the area is empty, not a number, negative or zero; a date does not parse or the lease
ends before it starts; the carrier is unknown; the use is not one of `space.USES`; the area exceeds
the carrier's capacity on the lease's start; it overlaps another lease of the same tenant in the
same carrier (in the file or in the store); or, with the leases already current, it would let
more space on its start than the carrier holds. A row identical to an earlier one is a duplicate,
counted and dropped.

The tenant of a row is its valid code, else its name with spaces removed (`tenant_key`); a lease
is (carrier, tenant, start) (`lease_key`): importing it again with other values adds a version.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from pydantic import Field

from districtlens.carriers import USES
from districtlens.errors import InputError
from districtlens.ingest.read import AS_USUAL, ROW, Conventions
from districtlens.ingest.reasons import ERROR_SCHEMA, reason, unpivoted
from districtlens.ingest.report import ImportReport
from districtlens.ingest.validate import header_key, typed_column, with_text_serials


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...]


COLUMNS: tuple[Column, ...] = (
    Column("uscc", ("统一社会信用代码", "社会信用代码", "信用代码", "credit_code")),
    Column("name", ("企业名称", "租户名称", "租户", "公司名称", "名称", "tenant", "tenant_name")),
    Column("area_m2", ("面积", "租赁面积(平方米)", "租赁面积", "面积(平方米)", "建筑面积", "area")),
    Column("lease_start", ("起租日期", "租赁开始", "租赁开始日期", "开始日期", "start")),
    Column("lease_end", ("到期日期", "租赁结束", "租赁结束日期", "结束日期", "end")),
    Column("use", ("用途", "房屋用途")),
    Column("carrier", ("载体", "载体编号", "carrier_id")),
)
REQUIRED = ("area_m2", "lease_start", "lease_end")
DEFAULT_USE = "office"
_ALIASES = {header_key(a): c.name for c in COLUMNS for a in (c.name, *c.aliases)}


@dataclass(frozen=True)
class ValidatedTenancies:
    rows: (
        pl.DataFrame
    )  # valid rows: ROW, carrier_id, uscc, name, tenant_key, lease_key, use, area_m2, lease_start, lease_end
    errors: pl.DataFrame  # reasons.ERROR_SCHEMA: row, column, key, values
    rows_read: int
    duplicates: int

    @property
    def rejected_rows(self) -> int:
        return self.errors["row"].n_unique() if self.errors.height else 0


class TenantReport(ImportReport):
    """A tenant import's report: the import's counts, the carrier, and how the tenants written
    stand (registered / linked / review / unknown)."""

    carrier: str | None = None
    tenants: dict[str, int] = Field(default_factory=dict)


STORED_SCHEMA = pl.Schema(
    {
        "lease_key": pl.Utf8,
        "carrier_id": pl.Utf8,
        "tenant_key": pl.Utf8,
        "area_m2": pl.Float64,
        "lease_start": pl.Date,
        "lease_end": pl.Date,
    }
)


def map_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Rename known headers (English or Chinese) to canonical names; drop the others."""
    renames: dict[str, str] = {}
    for header in frame.columns:
        canonical = _ALIASES.get(header_key(header)) if header != ROW else None
        if canonical is None:
            continue
        if canonical in renames.values():
            first = next(h for h, c in renames.items() if c == canonical)
            raise InputError("carriers.tenant_synonym_columns", first=first, second=header, column=canonical)
        renames[header] = canonical
    found = set(renames.values())
    missing = [c for c in REQUIRED if c not in found]
    if "uscc" not in found and "name" not in found:
        missing.insert(0, "uscc/name")  # either will do
    if missing:
        raise InputError(
            "carriers.tenant_missing_columns",
            missing=", ".join(missing),
            present=", ".join(h for h in frame.columns if h != ROW),
        )
    mapped = frame.select(ROW, *[pl.col(h).alias(c) for h, c in renames.items()])
    absent = [c.name for c in COLUMNS if c.name not in found]
    return mapped.with_columns(pl.lit(None, pl.Utf8).alias(c) for c in absent)


def validate_tenancies(
    frame: pl.DataFrame,
    *,
    carrier: str | None,
    carriers: set[str],
    schedule: pl.DataFrame,
    stored: pl.DataFrame,
    conventions: Conventions = AS_USUAL,
) -> ValidatedTenancies:
    """Sort the rows of a tenant file into valid and invalid, giving every reason.

    `carrier`: the carrier of rows that name none; `carriers`: every known carrier id;
    `schedule`: the capacity in force (carrier_id, available_from, area_m2); `stored`: the
    current leases (STORED_SCHEMA), against which overlaps and over-letting are checked;
    `conventions`: how the file writes numbers and dates (read.Table.conventions).
    """
    stored = stored.cast(STORED_SCHEMA)
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    renames = {h: _ALIASES[header_key(h)] for h in frame.columns if h != ROW and header_key(h) in _ALIASES}
    frame = map_columns(frame)
    conventions = with_text_serials(frame, ["lease_start", "lease_end"], conventions.renamed(renames))
    uscc, area, start, end = (
        typed_column("uscc", "code", conventions),
        typed_column("area_m2", "number", conventions),
        typed_column("lease_start", "date", conventions),
        typed_column("lease_end", "date", conventions),
    )
    blank = _blank("uscc")  # allowed here: a tenant may be named without a code
    name = pl.when(_blank("name")).then(None).otherwise(pl.col("name").str.strip_chars())
    carrier_id = pl.coalesce(pl.when(~_blank("carrier")).then(pl.col("carrier").str.strip_chars()), pl.lit(carrier))
    use = pl.coalesce(
        pl.when(~_blank("use")).then(pl.col("use").str.strip_chars().str.to_lowercase()), pl.lit(DEFAULT_USE)
    )
    typed = frame.select(
        ROW,
        carrier_id.alias("carrier_id"),
        pl.when(blank).then(None).otherwise(uscc.value).alias("uscc"),
        name.alias("name"),
        use.alias("use"),
        area.value.alias("area_m2"),
        start.value.alias("lease_start"),
        end.value.alias("lease_end"),
        pl.struct(
            pl.when(~blank & uscc.bad).then(uscc.why).alias("uscc"),
            pl.when(blank & _blank("name")).then(reason("import.reason.tenant_unidentified")).alias("name"),
            pl.when(_blank("area_m2"))
            .then(reason("import.reason.empty_area"))
            .when(area.value == 0)
            .then(reason("import.reason.zero_area"))
            .when(area.value < 0)
            .then(reason("import.reason.negative_area", value=pl.col("area_m2")))
            .otherwise(area.problem)
            .alias("area_m2"),
            pl.when(_blank("lease_start"))
            .then(reason("import.reason.empty_lease_start"))
            .otherwise(start.problem)
            .alias("lease_start"),
            pl.when(end.problem.is_not_null())
            .then(end.problem)
            .when(end.value < start.value)
            .then(
                reason(
                    "import.reason.lease_ends_before_start",
                    end=end.value.cast(pl.Utf8),
                    start=start.value.cast(pl.Utf8),
                )
            )
            .alias("lease_end"),
            pl.when(carrier_id.is_null())
            .then(reason("import.reason.no_carrier"))
            .when(~carrier_id.is_in(sorted(carriers)))
            .then(reason("import.reason.unknown_carrier", carrier=carrier_id))
            .alias("carrier"),
            pl.when(~use.is_in(USES))
            .then(reason("import.reason.unknown_use", use=use, uses=", ".join(USES)))
            .alias("use"),
        ).alias("_problems"),
    )
    errors = _unpivot(typed)
    clean = typed.drop("_problems").join(errors.select(pl.col("row").alias(ROW)).unique(), on=ROW, how="anti")
    clean = clean.with_columns(
        pl.coalesce("uscc", pl.col("name").str.replace_all(r"\s+", "")).alias("tenant_key"),
    ).with_columns(
        pl.concat_str("carrier_id", "tenant_key", pl.col("lease_start").cast(pl.Utf8), separator="|").alias("lease_key")
    )
    value_columns = [c for c in clean.columns if c != ROW]
    deduplicated = clean.unique(subset=value_columns, keep="first", maintain_order=True)
    duplicates = clean.height - deduplicated.height

    problems = [
        _capacity_problems(deduplicated, schedule),
        _overlap_problems(deduplicated, stored),
    ]
    errors = pl.concat([errors, *problems])
    survivors = deduplicated.join(pl.concat(problems).select(pl.col("row").alias(ROW)), on=ROW, how="anti")
    over_let = _over_let_problems(survivors, schedule, stored)
    errors = pl.concat([errors, over_let]).sort("row", "column")
    rows = survivors.join(over_let.select(pl.col("row").alias(ROW)), on=ROW, how="anti")
    return ValidatedTenancies(rows, errors, frame.height, duplicates)


def _blank(name: str) -> pl.Expr:
    return pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")


def _unpivot(typed: pl.DataFrame) -> pl.DataFrame:
    return unpivoted(typed.select(ROW, pl.col("_problems").struct.unnest()))


def _capacity_on(schedule: pl.DataFrame, rows: pl.DataFrame, day: str) -> pl.DataFrame:
    """rows with `capacity_m2`: the carrier's capacity on the date in column `day` (0 if none yet)."""
    delivered = (
        schedule.group_by("carrier_id", "available_from")
        .agg(pl.col("area_m2").sum())
        .sort("carrier_id", "available_from")
        .with_columns(pl.col("area_m2").cum_sum().over("carrier_id").alias("capacity_m2"))
        .select("carrier_id", pl.col("available_from").alias(day), "capacity_m2")
    )
    return (
        rows.sort("carrier_id", day)
        .join_asof(
            delivered.sort("carrier_id", day), on=day, by="carrier_id", strategy="backward", check_sortedness=False
        )
        .with_columns(pl.col("capacity_m2").fill_null(0.0))
    )


def _capacity_problems(rows: pl.DataFrame, schedule: pl.DataFrame) -> pl.DataFrame:
    known = set(schedule["carrier_id"].unique().to_list())
    checked = _capacity_on(schedule, rows.with_columns(pl.col("lease_start").alias("on")), "on")
    return (
        checked.select(
            pl.col(ROW).cast(pl.Int64).alias("row"),
            pl.lit("area_m2").alias("column"),
            pl.when(~pl.col("carrier_id").is_in(sorted(known)))
            .then(reason("import.reason.no_floor_space", carrier=pl.col("carrier_id")))
            .when(pl.col("area_m2") > pl.col("capacity_m2"))
            .then(
                reason(
                    "import.reason.over_capacity",
                    area=pl.col("area_m2"),
                    on=pl.col("lease_start").cast(pl.Utf8),
                    capacity=pl.col("capacity_m2"),
                )
            )
            .alias("reason"),
        )
        .drop_nulls("reason")
        .unnest("reason")
    )


def _overlap_problems(rows: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """Leases of one tenant in one carrier must not overlap, in the file or against the store."""
    incoming = rows.select(
        pl.col(ROW).cast(pl.Int64).alias("row"), "lease_key", "carrier_id", "tenant_key", "lease_start", "lease_end"
    )
    kept = stored.join(incoming.select("lease_key"), on="lease_key", how="anti").select(
        pl.lit(None, pl.Int64).alias("row"), "lease_key", "carrier_id", "tenant_key", "lease_start", "lease_end"
    )
    every = pl.concat([incoming, kept])
    pairs = incoming.join(every, on=["carrier_id", "tenant_key"], suffix="_other").filter(
        (pl.col("lease_key") != pl.col("lease_key_other"))
        & (pl.col("lease_start") <= pl.col("lease_end_other").fill_null(pl.date(9999, 12, 31)))
        & (pl.col("lease_start_other") <= pl.col("lease_end").fill_null(pl.date(9999, 12, 31)))
    )
    start, end, other = (
        pl.col("lease_start_other").cast(pl.Utf8),
        pl.col("lease_end_other").cast(pl.Utf8),
        pl.col("row_other").cast(pl.Utf8),
    )
    in_file, open_end = pl.col("row_other").is_not_null(), pl.col("lease_end_other").is_null()
    return (
        pairs.sort("row", "row_other", "lease_start_other")
        .group_by("row", maintain_order=True)
        .first()
        .select(
            "row",
            pl.lit("lease_start").alias("column"),
            pl.when(in_file & open_end)
            .then(reason("import.reason.overlaps_row_open", row=other, start=start))
            .when(in_file)
            .then(reason("import.reason.overlaps_row", row=other, start=start, end=end))
            .when(open_end)
            .then(reason("import.reason.overlaps_stored_open", start=start))
            .otherwise(reason("import.reason.overlaps_stored", start=start, end=end))
            .alias("reason"),
        )
        .unnest("reason")
    )


def _over_let_problems(rows: pl.DataFrame, schedule: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """Rows on whose start the carrier would have more space let than delivered.

    occupied(d) is the running sum of +area at each start and -area the day after each end over
    the leases the store keeps plus the file's; it is read on each incoming lease's start.
    """
    if rows.is_empty():
        return pl.DataFrame(schema=ERROR_SCHEMA)
    kept = stored.join(rows.select("lease_key"), on="lease_key", how="anti")
    leases = pl.concat([rows.select(STORED_SCHEMA.keys()), kept.select(STORED_SCHEMA.keys())])
    leases = leases.filter(pl.col("carrier_id").is_in(rows["carrier_id"].unique().implode()))
    events = pl.concat(
        [
            leases.select("carrier_id", pl.col("lease_start").alias("on"), pl.col("area_m2").alias("delta")),
            leases.drop_nulls("lease_end").select(
                "carrier_id",
                (pl.col("lease_end") + pl.duration(days=1)).alias("on"),
                (-pl.col("area_m2")).alias("delta"),
            ),
        ]
    )
    running = (
        events.group_by("carrier_id", "on")
        .agg(pl.col("delta").sum())
        .sort("carrier_id", "on")
        .with_columns(pl.col("delta").cum_sum().over("carrier_id").alias("occupied_m2"))
        .select("carrier_id", "on", "occupied_m2")
    )
    probe = rows.select(pl.col(ROW).cast(pl.Int64).alias("row"), "carrier_id", pl.col("lease_start").alias("on"))
    probe = probe.sort("carrier_id", "on").join_asof(
        running.sort("carrier_id", "on"), on="on", by="carrier_id", strategy="backward", check_sortedness=False
    )
    probe = _capacity_on(schedule, probe, "on")
    return (
        probe.filter(pl.col("occupied_m2") > pl.col("capacity_m2") + 1e-6)
        .select(
            "row",
            pl.lit("area_m2").alias("column"),
            reason(
                "import.reason.over_let",
                on=pl.col("on").cast(pl.Utf8),
                occupied=pl.col("occupied_m2"),
                capacity=pl.col("capacity_m2"),
            ).alias("reason"),
        )
        .unnest("reason")
    )


CURRENT_SCHEMA = pl.Schema(
    {
        "lease_key": pl.Utf8,
        "previous": pl.Int64,
        "s_name": pl.Utf8,
        "s_uscc": pl.Utf8,
        "s_use": pl.Utf8,
        "s_area": pl.Float64,
        "s_end": pl.Date,
    }
)


def lease_changes(rows: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """The valid `rows` with `previous` (the version in force, or null) and `changed` (new, or
    different from the version in force). `current`: the versions in force of the rows' leases
    (CURRENT_SCHEMA: s_ for the stored values)."""
    joined = rows.join(current.cast(CURRENT_SCHEMA), on="lease_key", how="left")
    same = (
        pl.col("name").eq_missing(pl.col("s_name"))
        & pl.col("uscc").eq_missing(pl.col("s_uscc"))
        & pl.col("use").eq_missing(pl.col("s_use"))
        & pl.col("area_m2").eq_missing(pl.col("s_area"))
        & pl.col("lease_end").eq_missing(pl.col("s_end"))
    )
    return joined.with_columns((pl.col("previous").is_null() | ~same).alias("changed"))


def lease_versions(changed: pl.DataFrame, resolved_rows: list[int], resolve_source: int | None) -> pl.DataFrame:
    """The new versions of the `changed` leases as tenancy_version rows (the store adds source,
    synthetic flag and ledger entry). `resolved_rows`: the rows whose tenant went through the
    resolver, as its records of source `resolve_source`."""
    resolved = pl.col(ROW).is_in(resolved_rows)
    return changed.select(
        "lease_key",
        (pl.col("previous").fill_null(0) + 1).alias("version"),
        "carrier_id",
        pl.col("name").alias("tenant_name"),
        pl.col("uscc").alias("uscc_given"),
        pl.when(resolved).then(pl.lit(resolve_source)).alias("resolve_source_id"),
        pl.when(resolved).then(pl.col(ROW).cast(pl.Utf8)).alias("resolve_record_id"),
        "use",
        "area_m2",
        "lease_start",
        "lease_end",
        pl.col(ROW).alias("source_row"),
    )
