"""How fast an XLSX compression bomb is refused, and with how much memory: a valid workbook whose
sheet XML carries 800 MiB of blanks, about 800 KB on disk (issue #19 handed over one of 781 KB
that took 95 s and 1.9 GB to read). The refusal must come before anything is inflated.

    python benchmarks/zipbomb_bench.py            # 7 CLI runs
    python benchmarks/zipbomb_bench.py --quick    # 3 CLI runs

Prints the bomb's size; the median and range of `read_table(BOMB)` refusing it in this process
(20 runs); and of `districtlens import enterprises BOMB --db S` as a user runs it, in a fresh
process each time on a store made beforehand, with its exit code and the peak resident memory of
the slowest-growing process (the CLI's start, store and imports included).
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import command, machine  # noqa: E402

PADDING_MIB = 800
CHUNK = 2**20


def make_bomb(path: Path) -> None:
    """The parts of a one-row openpyxl workbook, the sheet padded with blanks, streamed out."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["uscc", "name"])
    book.active.append(["91310106MA00000019", "上海样本公司"])
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(part.filename, data)
                continue
            head, tail = data.split(b"<sheetData>")
            with bomb.open(part.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + b"<sheetData>")
                blanks = b" " * CHUNK
                for _ in range(PADDING_MIB):
                    sheet.write(blanks)
                sheet.write(tail)


def refuse(bomb: Path, db: Path) -> tuple[float, int, float]:
    """(seconds, exit code, peak MiB) of one import of the bomb in a fresh CLI process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "districtlens", "import", "enterprises", str(bomb), "--db", str(db)],
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, done.returncode, max(peak, before) / 1024


def read_refusals(bomb: Path, runs: int) -> list[float]:
    """Seconds `read_table` takes to refuse the bomb, each run."""
    from districtlens.errors import InputError
    from districtlens.ingest.read import read_table

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            read_table(bomb)
        except InputError:
            times.append(time.perf_counter() - started)
        else:
            raise SystemExit("the bomb was read, not refused")
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 CLI runs instead of 7")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bomb = Path(folder) / "bomb.xlsx"
        make_bomb(bomb)
        db = Path(folder) / "s.duckdb"
        subprocess.run([sys.executable, "-m", "districtlens", "ledger", "head", "--db", str(db)], capture_output=True)
        reads = read_refusals(bomb, 20)
        runs = [refuse(bomb, db) for _ in range(3 if options.quick else 7)]
        times = sorted(r[0] for r in runs)
        print(machine())
        print(command())
        print(
            f"bomb {bomb.stat().st_size / 1024:.0f} KiB expanding to {PADDING_MIB} MiB; read_table refuses it in "
            f"median {statistics.median(reads) * 1000:.1f} ms (range {reads[0] * 1000:.1f}-{reads[-1] * 1000:.1f} ms, "
            f"{len(reads)} runs); the CLI import in median {statistics.median(times):.2f} s "
            f"(range {times[0]:.2f}-{times[-1]:.2f} s, {len(times)} runs, a whole process each), "
            f"exit codes {sorted({r[1] for r in runs})}, peak memory {max(r[2] for r in runs):.0f} MiB"
        )


if __name__ == "__main__":
    main()
