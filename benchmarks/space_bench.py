"""Space and KPIs for every carrier and programme on a store of 1,000,000 enterprises and 100,000
leases (target: under 1 s).

    .venv/bin/python benchmarks/space_bench.py            # 1,000,000 enterprises, ~100,000 leases
    .venv/bin/python benchmarks/space_bench.py --quick    # 20,000 enterprises, ~5,000 leases

The store is built once (the Jing'an pack, the synthetic registry through the enterprise import,
then the carriers' demo with its lease count scaled up) and cached under var/bench/. The timed
part opens the store read-only, as the commands do, and computes the space of every carrier
(now and five years ahead) and the status of every KPI of every programme. Prints the figures,
the machine and the command.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from districtlens.commands import Context, carriers
from districtlens.commands.enterprises import import_frame
from districtlens.demo import generate_registry
from districtlens.demo.carriers import build_carriers_demo
from districtlens.ingest.packs import load_pack, pack_rows
from districtlens.store import open_store
from districtlens.store.packs import write_pack

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

SEED = 20251031
AT = date(2025, 10, 31)


def build(path: Path, enterprises: int, lease_scale: float) -> None:
    started = time.perf_counter()
    with open_store(path) as store:
        write_pack(store, pack_rows(load_pack("jingan")), "bench")
        registry = generate_registry(SEED, enterprises)
        ctx = Context(store=store, actor="bench")
        report = import_frame(
            ctx,
            registry,
            source={"name": f"synthetic registry (seed {SEED})", "kind": "demo"},
            synthetic=True,
            action="demo registry",
        )
        del registry
        if report.errors_total:
            raise SystemExit(f"the registry generator made invalid rows: {report.errors[:3]}")
        build_carriers_demo(ctx, SEED, lease_scale=lease_scale)
    print(f"built {path} in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 enterprises, about 5,000 leases")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    enterprises, scale = (20_000, 1.0) if args.quick else (1_000_000, 20.0)
    path = Path("var/bench") / f"space-{enterprises}-{scale:g}.duckdb"
    if not path.exists():
        partial = path.with_name(f"{path.stem}.building.duckdb")
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)  # a build that was interrupted
        build(partial, enterprises, scale)
        partial.rename(path)
    with open_store(path, read_only=True) as store:
        sizes = {
            table: store.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "enterprise_current",
                "fact_current",
                "tenancy_current",
                "carrier",
                "pipeline_project_current",
            )
        }
        timings, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            space = carriers.all_space(store, AT)
            status = carriers.programme_status(store, AT)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    kpis = [k for p in status for a in p.actions for k in a.kpis]
    print(f"store: {path} ({', '.join(f'{t} {n:,}' for t, n in sizes.items())})")
    print(f"space of {len(space)} carriers and {len(kpis)} KPIs of {len(status)} programme(s) on {AT}:")
    print(f"  wall: best {min(timings):.3f} s, first {timings[0]:.3f} s over {args.repeat} runs (target < 1 s)")
    print(f"  CPU (all threads): best {min(cpu):.3f} s; load average while measuring: {os.getloadavg()[0]:.1f}")
    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")


if __name__ == "__main__":
    main()
