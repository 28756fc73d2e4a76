"""The dashboard's capability pages and table exports, in process: each page's first answer (cold:
computes and caches its figures for the data snapshot) and the median of `--repeat` more (warm),
for an analyst, over a demo store of N enterprises.

    .venv/bin/python benchmarks/dashboard_pages_bench.py [--n 20000] [--db var/bench/pages-20k.duckdb]
                                                         [--repeat 10]

The store is built with `build_demo` when the file is missing. Prints the machine and the command.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from districtlens.accounts import hash_password
from districtlens.commands.demo import build_demo
from districtlens.store import open_store
from districtlens.store.web_users import get_user, save_user
from districtlens.web.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

USER, PASSWORD = "bench", "bench password"
PATHS = (
    "/programmes",
    "/pipeline",
    "/space",
    "/carriers",
    "/industries",
    "/map",
    "/chains?track=biopharma",
    "/targets?track=biopharma",
    "/enterprises?q=科技",
    "/carriers?export=carriers&format=xlsx",
    "/targets?track=biopharma&export=targets&format=xlsx",
    "/enterprises?q=科技&export=enterprises&format=csv",
)


def prepare(db: Path, n: int) -> None:
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        build_demo(db, actor="bench", enterprises=n)
        print(f"built {db} with {n:,} enterprises in {time.perf_counter() - started:.0f} s")
    with open_store(db) as store:
        if get_user(store, USER) is None:
            save_user(store, USER, role="analyst", carriers=[], password_hash=hash_password(PASSWORD), actor="bench")


def signed_in(client: TestClient) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token, "lang": "en"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--db", type=Path, default=Path("var/bench/pages-20k.duckdb"))
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(machine())
    print("command:", " ".join(sys.argv))
    prepare(args.db, args.n)
    app = create_app(args.db)
    try:
        client = TestClient(app)
        signed_in(client)
        print(f"{'path':<55} {'cold ms':>9} {'warm ms':>9} {'bytes':>9}")
        for path in PATHS:
            started = time.perf_counter()
            first = client.get(path)
            cold = (time.perf_counter() - started) * 1000
            assert first.status_code == 200, (path, first.status_code)
            warm = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                client.get(path)
                warm.append((time.perf_counter() - started) * 1000)
            print(f"{path:<55} {cold:>9.0f} {statistics.median(warm):>9.1f} {len(first.content):>9,}")
    finally:
        app.state.server.close()


if __name__ == "__main__":
    main()
