"""Does anyone wait for someone else's sign-in or ledger check? `/api/me` latency while 5 sign-ins
(argon2id) and a POST /data/verify (which reads every row the ledger vouches for) run at once.

    .venv/bin/python benchmarks/login_bench.py [--n 100000] [--db var/bench/login-100000.duckdb]
                                               [--rounds 3]

`districtlens serve` runs over a demo store of N enterprises (built once, reused when the file
exists). One client asks /api/me back to back, first alone (baseline), then during each of
`--rounds` rounds of 5 parallel sign-ins through the form plus one ledger verification through the
data page. Prints p50/p95/max of /api/me alone and under that load (target p95 < 50 ms under
load), and how long the sign-ins and the verification took. Prints the machine and the command.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from pathlib import Path

import httpx

from districtlens.accounts import hash_password
from districtlens.commands.demo import build_demo
from districtlens.store import open_store
from districtlens.store.web_users import get_user, save_user

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import capacity, command, machine  # noqa: E402
from web_bench import start_server  # noqa: E402

P95_TARGET_MS = 50.0
SIGN_INS = 5
USER, PASSWORD = "bench", "bench password"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def prepare(db: Path, n: int) -> None:
    if not db.exists():
        started = time.perf_counter()
        build_demo(db, actor="bench", enterprises=n)
        print(f"built {db} with {n:,} enterprises in {time.perf_counter() - started:.0f} s")
    with open_store(db) as store:
        if get_user(store, USER) is None:
            save_user(store, USER, role="admin", carriers=[], password_hash=hash_password(PASSWORD), actor="bench")


async def sign_in(base: str) -> float:
    """One sign-in through the form, as a browser does; its seconds."""
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        token = TOKEN.search((await client.get("/login")).text)
        assert token is not None
        started = time.perf_counter()
        answer = await client.post(
            "/login",
            data={"username": USER, "password": PASSWORD, "csrf_token": token.group(1), "next": "/"},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text[:200]
        return time.perf_counter() - started


async def verify(admin: httpx.AsyncClient) -> float:
    token = TOKEN.search((await admin.get("/data")).text)
    assert token is not None
    started = time.perf_counter()
    answer = await admin.post("/data/verify", data={"csrf_token": token.group(1)})
    assert answer.status_code == 200 and 'data-testid="verdict"' in answer.text, answer.text[:200]
    return time.perf_counter() - started


async def me_until(me: httpx.AsyncClient, done: asyncio.Event, latencies: list[float]) -> None:
    while not done.is_set():
        started = time.perf_counter()
        assert (await me.get("/api/me")).status_code == 200
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.005)


async def measure(base: str, cookies: dict, rounds: int, load: str) -> None:
    async with (
        httpx.AsyncClient(base_url=base, cookies=cookies, timeout=120) as me,
        httpx.AsyncClient(base_url=base, cookies=cookies, timeout=600) as admin,
    ):
        alone: list[float] = []
        for _ in range(200):
            started = time.perf_counter()
            await me.get("/api/me")
            alone.append(time.perf_counter() - started)
        report("/api/me alone", alone)
        loaded: list[float] = []
        for n in range(1, rounds + 1):
            done = asyncio.Event()
            poller = asyncio.create_task(me_until(me, done, loaded))
            started = time.perf_counter()
            checks = [verify(admin)] if load in ("both", "verify") else []
            sign_ins = [sign_in(base) for _ in range(SIGN_INS)] if load in ("both", "sign-ins") else []
            results = await asyncio.gather(*checks, *sign_ins)
            done.set()
            await poller
            took = [f"verify {results[0]:.2f} s"] if checks else []
            if sign_ins:
                took.append(f"sign-ins {min(results[len(checks) :]):.2f}-{max(results[len(checks) :]):.2f} s")
            print(f"round {n}: {', '.join(took)}, all done in {time.perf_counter() - started:.2f} s")
        what = {"both": f"{SIGN_INS} sign-ins + POST /data/verify", "sign-ins": f"{SIGN_INS} sign-ins"}.get(
            load, "POST /data/verify"
        )
        report(f"/api/me during {what}", loaded, P95_TARGET_MS)


def report(what: str, latencies: list[float], target_ms: float | None = None) -> None:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    verdict = "" if target_ms is None else f"  (target p95 < {target_ms:.0f} ms) {'ok' if p95 < target_ms else 'OVER'}"
    print(
        f"{what}: {len(ms)} requests, p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms,"
        f" max {ms[-1]:.1f} ms{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--load", choices=["both", "sign-ins", "verify"], default="both", help="what runs beside /api/me"
    )
    args = parser.parse_args()
    db = args.db or Path("var/bench") / f"login-{args.n}.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"command: {command()}")
    prepare(db, args.n)
    process, base = start_server(db)
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            assert client.post("/api/login", json={"username": USER, "password": PASSWORD}).status_code == 200
            cookies = dict(client.cookies)
        print(f"store: {db} ({args.n:,} enterprises), server pid {process.pid} on {base}")
        asyncio.run(measure(base, cookies, args.rounds, args.load))
        print(capacity("after"))
    finally:
        process.terminate()
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
