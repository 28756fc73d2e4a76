"""districtlens vs py-ecomplexity 0.5.3 on generated panels, small to national scale.

Each run happens in its own child process, which reads the same Parquet panel, computes the full
table (convention "ecomplexity", so the two must agree to 1e-9) and reports its wall time and
peak resident memory (resource.getrusage(RUSAGE_SELF).ru_maxrss). The parent then compares the two
outputs on a sample of regions and prints the table, the machine and the command.

    .venv/bin/python benchmarks/metrics_bench.py            # small -> national (~2-3 minutes)
    .venv/bin/python benchmarks/metrics_bench.py --quick    # small panels only

py-ecomplexity runs with check_logsupermodularity=False (its default samples a check that
districtlens does not do), which makes it faster: the comparison is conservative.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

SIZES = {  # name: (regions, activities, years, zero share)
    "small": (40, 60, 2, 0.5),
    "medium": (300, 400, 2, 0.5),
    "large": (1000, 800, 2, 0.5),
    "national": (2900, 1380, 2, 0.5),
}
QUICK = ("small", "medium")
SAMPLE_REGIONS = 40
MEASURES = ("rca", "mcp", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog")


def generate(path: Path, regions: int, activities: int, years: int, zero_share: float) -> int:
    """A long panel with about `zero_share` of the cells left out, shaped like real ones: region
    and activity sizes (lognormal) and a nested structure (capable regions do complex activities,
    everyone does simple ones), so that complexity has a clear second eigenvector."""
    rng = np.random.default_rng(20240501)
    capability = rng.random(regions)
    sophistication = rng.random(activities)
    region_labels = np.array([f"{310000 + i:06d}" for i in range(regions)])
    activity_labels = np.array([f"{1000 + j:04d}" for j in range(activities)])
    frames = []
    for offset in range(years):
        size = rng.lognormal(0.0, 1.0, regions)[:, None] * rng.lognormal(0.0, 1.5, activities)
        nested = np.exp(-6.0 * np.maximum(sophistication[None, :] - capability[:, None], 0.0))
        values = size * nested * rng.lognormal(2.0, 1.0, (regions, activities))
        keep = rng.random((regions, activities)) > zero_share
        keep[np.arange(regions), rng.integers(0, activities, regions)] = True
        keep[rng.integers(0, regions, activities), np.arange(activities)] = True
        r, a = np.nonzero(keep)
        frames.append(
            pl.DataFrame(
                {
                    "year": np.full(r.size, 2020 + offset, dtype=np.int32),
                    "region": region_labels[r],
                    "activity": activity_labels[a],
                    "value": values[r, a],
                }
            )
        )
    panel = pl.concat(frames)
    panel.write_parquet(path)
    return panel.height


def child(engine: str, panel: str, out: str) -> None:
    """Run one engine on the panel; print JSON with seconds and peak memory (MiB)."""
    import resource

    # Each engine imports only what it needs (its memory counts them) before the clock starts.
    if engine == "districtlens":
        from districtlens.metrics import Columns, complexity_table

        start = time.perf_counter()
        table = complexity_table(
            pl.scan_parquet(panel), Columns("region", "activity", "value", "year"), convention="ecomplexity"
        )
        seconds = time.perf_counter() - start
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    else:
        import contextlib
        import io
        import warnings

        import pandas as pd
        from ecomplexity import ecomplexity

        start = time.perf_counter()
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            result = ecomplexity(
                pd.read_parquet(panel),
                {"time": "year", "loc": "region", "prod": "activity", "val": "value"},
                check_logsupermodularity=False,
            )
        seconds = time.perf_counter() - start
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        table = pl.from_pandas(result)  # after the measurement: the comparison is ours
    sample = sorted(table.get_column("region").unique().to_list())[:SAMPLE_REGIONS]
    (
        table.filter(pl.col("region").is_in(sample))
        .select("year", pl.col("region", "activity").cast(pl.String), *MEASURES)
        .write_parquet(out)
    )
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "rows": table.height}))


def run(engine: str, panel: Path, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(panel), str(out)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def max_difference(ours: Path, theirs: Path) -> float:
    both = pl.read_parquet(ours).join(pl.read_parquet(theirs), on=["year", "region", "activity"], suffix="_py")
    worst = 0.0
    for m in MEASURES:
        a = both[m].cast(pl.Float64).to_numpy()
        b = both[f"{m}_py"].cast(pl.Float64).to_numpy()
        scale = np.maximum(1.0, np.abs(b))
        worst = max(worst, float(np.nanmax(np.abs(a - b) / scale)))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small panels only")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "PANEL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"machine: {machine()}")
    header = (
        f"{'panel':<9} {'regions x activities x years':>28} {'rows':>9} "
        f"{'districtlens s':>14} {'ecomplexity s':>13} {'speed-up':>8} "
        f"{'districtlens MiB':>16} {'ecomplexity MiB':>15} {'memory':>7} {'max diff':>9}"
    )
    print(header)
    names = QUICK if args.quick else tuple(SIZES)
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            regions, activities, years, zero_share = SIZES[name]
            panel = Path(tmp) / f"{name}.parquet"
            rows = generate(panel, regions, activities, years, zero_share)
            ours = run("districtlens", panel, Path(tmp) / f"{name}-dl.parquet")
            theirs = run("ecomplexity", panel, Path(tmp) / f"{name}-py.parquet")
            diff = max_difference(Path(tmp) / f"{name}-dl.parquet", Path(tmp) / f"{name}-py.parquet")
            shape = f"{regions} x {activities} x {years}"
            print(
                f"{name:<9} {shape:>28} {rows:>9} {ours['seconds']:>14.2f} "
                f"{theirs['seconds']:>13.2f} {theirs['seconds'] / ours['seconds']:>7.1f}x "
                f"{ours['peak_mib']:>16.0f} {theirs['peak_mib']:>15.0f} "
                f"{theirs['peak_mib'] / ours['peak_mib']:>6.1f}x {diff:>9.1e}",
                flush=True,
            )
            if diff > 1e-9:
                print(f"  results disagree on {name}: max relative difference {diff:.2e}")


if __name__ == "__main__":
    main()
