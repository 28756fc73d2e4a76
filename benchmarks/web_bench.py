"""The dashboard under load: `districtlens serve` over a demo store of N enterprises (default
1,000,000), driven from this (second) process by 20 concurrent clients on loopback.

    .venv/bin/python benchmarks/web_bench.py [--n 1000000] [--db var/bench/web-1m.duckdb]
                                             [--clients 20] [--requests 200] [--quick]

The store is built once with `districtlens.demo.build.build_demo` and reused when the file exists.
Once the server holds its search index and every enterprise's history in memory (it reads them in
the background when it starts; the time this took is printed), each route is first asked once
(cold: computes and caches its answer for the data snapshot), then
`--requests` times by `--clients` concurrent clients (aiohttp, one event loop); enterprise profiles
and searches cycle through `--requests` different enterprises and name fragments, so that they
are not served from the cache.
p50 and p95 latency per route are printed (target p95 under 100 ms), then the first render of the
industries page in Chromium (target under 1.5 s: from navigation to the charts drawn). Prints the
machine and the command.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from districtlens.accounts import hash_password
from districtlens.commands.demo import build_demo
from districtlens.store import open_store
from districtlens.store.web_users import get_user, save_user

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

P95_TARGET_MS = 100.0
FIRST_RENDER_TARGET_S = 1.5
USER, PASSWORD = "bench", "bench password"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def prepare(db: Path, n: int, distinct: int) -> list[tuple[str, str]]:
    """Build the store when missing, add the bench user, and draw `distinct` enterprises
    (uscc, name) at random for the profile and search routes."""
    if not db.exists():
        started = time.perf_counter()
        build_demo(db, actor="bench", enterprises=n)
        print(f"built {db} with {n:,} enterprises in {time.perf_counter() - started:.0f} s")
    with open_store(db) as store:
        if get_user(store, USER) is None:
            save_user(store, USER, role="analyst", carriers=[], password_hash=hash_password(PASSWORD), actor="bench")
        return store.con.execute(
            f"SELECT uscc, name FROM enterprise_current USING SAMPLE reservoir({int(distinct)} ROWS) REPEATABLE (7)"
        ).fetchall()


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "districtlens", "serve", "--db", str(db), "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def held_after(client: httpx.Client, patience_s: float = 600) -> float:
    """Seconds until the server holds the search index and every history of its data in memory
    (read in the background at start, meanwhile a search waits and a profile reads the store)."""
    started = time.perf_counter()
    while time.perf_counter() - started < patience_s:
        held = client.get("/api/data").json()["held"]
        if held["search_index"] == held["histories"] == held["seq"]:
            return time.perf_counter() - started
        time.sleep(0.2)
    raise SystemExit(f"the server did not hold its data within {patience_s:.0f} s: {held}")


def server_memory(pid: int) -> str:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    resident, peak = (int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))
    return f"server resident memory {resident:,.0f} MiB (peak so far {peak:,.0f} MiB)"


def routes(client: httpx.Client, sample: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The paths each route is driven with. Profiles and searches vary (the sampled enterprises,
    and two characters of each one's trade name), as many users would: asking one path again
    would only measure the server's cache."""
    fragments = list(dict.fromkeys(name[2:4] for _, name in sample if len(name or "") >= 4))
    carriers = client.get("/api/carriers").json()["carriers"]
    busiest = max(carriers, key=lambda c: c["tenants"] or 0)["carrier_id"]
    return {
        "overview": ["/api/overview"],
        "indicators": ["/api/indicators"],
        "industries": ["/api/industries"],
        "map": ["/api/map"],
        "chain": ["/api/chains/data-intelligence"],
        "targets": ["/api/targets/data-intelligence"],
        "search": [f"/api/enterprises?q={quote(f)}&limit=20" for f in fragments],
        "enterprise": [f"/api/enterprises/{uscc}" for uscc, _ in sample],
        "carriers": ["/api/carriers"],
        "tenants": [f"/api/carriers/{busiest}/tenants"],
    }


def drive(base: str, cookies: dict, paths: dict[str, list[str]], clients: int, requests: int) -> None:
    print(
        f"{'route':<12} {'paths':>6} {'cold ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        f"  target p95 < {P95_TARGET_MS:.0f} ms"
    )
    with httpx.Client(base_url=base, cookies=cookies, timeout=120) as warm:
        cold = {}
        for name, each in paths.items():
            started = time.perf_counter()
            assert warm.get(each[0]).status_code == 200, each[0]
            cold[name] = (time.perf_counter() - started) * 1000
    for name, each in paths.items():
        times = sorted(asyncio.run(_load(base, cookies, each, clients, requests)))
        p50 = statistics.median(times)
        p95 = times[max(0, int(0.95 * len(times)) - 1)]
        flag = "ok" if p95 < P95_TARGET_MS else "OVER"
        print(f"{name:<12} {len(each):>6} {cold[name]:>9.0f} {p50:>8.1f} {p95:>8.1f} {times[-1]:>8.1f}  {flag}")


async def _load(base: str, cookies: dict, paths: list[str], clients: int, requests: int) -> list[float]:
    """`requests` GETs by `clients` concurrent clients, each on its own keep-alive connection, on one
    event loop: a load generator that spends little CPU, so the figures are the server's."""
    import aiohttp

    jobs = iter(range(requests))
    times: list[float] = []

    async def client() -> None:
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
        jar.update_cookies(cookies)
        async with aiohttp.ClientSession(base, cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=120)) as session:
            for i in jobs:
                path = paths[i % len(paths)]
                started = time.perf_counter()
                async with session.get(path) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{path}: {response.status}")
                times.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(client() for _ in range(clients)))
    return times


def first_render(base: str) -> float | None:
    if not Path("/usr/bin/chromium").exists():
        print("first render: /usr/bin/chromium missing, not measured")
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", USER)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        started = time.perf_counter()
        page.goto(f"{base}/industries")
        page.wait_for_selector("#activities canvas")
        seconds = time.perf_counter() - started
        browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="requests per route")
    parser.add_argument("--quick", action="store_true", help="20,000 enterprises, 60 requests per route")
    args = parser.parse_args()
    if args.quick:
        args.n, args.requests = 20_000, 60
    db = args.db or Path("var/bench") / f"web-{args.n}.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    sample = prepare(db, args.n, args.requests)
    process, base = start_server(db)
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            assert client.post("/api/login", json={"username": USER, "password": PASSWORD}).status_code == 200
            cookies = dict(client.cookies)
            paths = routes(client, sample)
            print(
                f"the server held its search index and histories {held_after(client):.1f} s after it answered;"
                f" {server_memory(process.pid)}"
            )
        print(
            f"store: {db} ({args.n:,} enterprises); {args.clients} concurrent clients, {args.requests} requests "
            f"per route, server pid {process.pid} on {base}"
        )
        drive(base, cookies, paths, args.clients, args.requests)
        seconds = first_render(base)
        if seconds is not None:
            flag = "ok" if seconds < FIRST_RENDER_TARGET_S else "OVER"
            print(
                f"first render of /industries in Chromium (navigation to chart drawn): {seconds:.2f} s  "
                f"(target < {FIRST_RENDER_TARGET_S} s) {flag}"
            )
    finally:
        process.terminate()
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
