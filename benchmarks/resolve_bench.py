"""Entity-resolution benchmark: time and peak memory of `districtlens.resolve.linker.resolve` on
100,000 and 1,000,000 generated records (five sources, see districtlens.resolve.synthetic).

    .venv/bin/python benchmarks/resolve_bench.py            # 100k and 1M
    .venv/bin/python benchmarks/resolve_bench.py --quick    # 100k only

Each size runs in its own process, so that its peak resident memory (ru_maxrss) is its own; the
figure includes generating the records. Target: 1M records in under 5 minutes and 8 GB on 2 cores.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

RECORDS_PER_ENTERPRISE = 2.1  # records per generated enterprise (fewer at 1M: see docs/resolve.md)


def one(n_records: int) -> dict:
    from districtlens.resolve.linker import resolve
    from districtlens.resolve.synthetic import generate

    start = time.perf_counter()
    records = generate(int(n_records / RECORDS_PER_ENTERPRISE), seed=1)
    generate_s = time.perf_counter() - start
    start = time.perf_counter()
    result = resolve(records.drop("source", "entity_id"))
    resolve_s = time.perf_counter() - start
    return {
        "records": records.height,
        "enterprises": records["entity_id"].n_unique(),
        "clusters": result.clusters["cluster_id"].n_unique(),
        "pairs_scored": result.pairs.height,
        "generate_s": round(generate_s, 1),
        "resolve_s": round(resolve_s, 1),
        "steps_s": {k: round(v, 1) for k, v in result.timings.items()},
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
        return
    sizes = [100_000] if "--quick" in sys.argv else [100_000, 1_000_000]
    print(f"machine: {machine()}", flush=True)
    print(f"command: {' '.join([os.path.relpath(sys.executable), *sys.argv])}")
    for n in sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=False)
        if run.returncode:
            print(f"{n:>9,} records: failed\n{run.stderr[-2000:]}")
            continue
        print(f"{n:>9,} records: {run.stdout.strip().splitlines()[-1]}", flush=True)


if __name__ == "__main__":
    main()
