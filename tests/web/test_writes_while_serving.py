"""Writes while serving: `districtlens serve` holds the store; CLI commands are handed to it.

An import of a roster runs while 20 clients read; every read must succeed, and each read sees the
import either not at all or whole (a snapshot), never a part of it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import roster_rows, write_csv
from tests.web.conftest import PASSWORD

FIRMS = 3000
MARKER = "上海样本"
CLI = [sys.executable, "-m", "districtlens"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(web_store):
    db = web_store["serve_copy"]
    port = _free_port()
    process = subprocess.Popen([*CLI, "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"the server did not start: {process.stdout.read().decode()[-2000:]}")
    yield {"db": db, "base": base, "process": process}
    process.terminate()
    process.wait(timeout=30)
    assert not Path(str(db) + ".server.json").exists(), "the handover file is removed on exit"


def _cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DISTRICTLENS_DB"}
    return subprocess.run([*CLI, *args], input=input, capture_output=True, text=True, timeout=300, env=env)


def test_a_roster_import_lands_whole_while_20_clients_read(served, tmp_path):
    handover = Path(str(served["db"]) + ".server.json")
    assert handover.stat().st_mode & 0o777 == 0o600
    assert set(json.loads(handover.read_text())) == {"port", "pid", "token"}
    roster = write_csv(tmp_path / "roster.csv", roster_rows(FIRMS))
    with httpx.Client(base_url=served["base"]) as admin:
        assert admin.post("/api/login", json={"username": "admin", "password": PASSWORD}).status_code == 200
        cookies = dict(admin.cookies)
    seen: list[int] = []
    failures: list[str] = []
    done = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=served["base"], cookies=cookies, timeout=60) as client:
            while not done.is_set():
                for path, params in (("/api/enterprises", {"q": MARKER, "limit": 1}), ("/api/overview", {})):
                    response = client.get(path, params=params)
                    if response.status_code != 200:
                        failures.append(f"{path}: {response.status_code} {response.text[:200]}")
                    elif path == "/api/enterprises":
                        seen.append(response.json()["total"])

    readers = [threading.Thread(target=read) for _ in range(20)]
    for thread in readers:
        thread.start()
    time.sleep(1.0)
    result = _cli("import", "enterprises", str(roster), "--db", str(served["db"]), "--json")
    time.sleep(1.0)
    done.set()
    for thread in readers:
        thread.join(timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["inserted"] == 2 * FIRMS  # enterprise-years
    assert not failures, failures[:5]
    assert len(seen) > 40
    # Each read saw none or all of the import, never a part; both states were observed.
    assert set(seen) <= {0, FIRMS} and {0, FIRMS} <= set(seen), sorted(set(seen))

    verify = _cli("ledger", "verify", "--db", str(served["db"]), "--json")
    assert verify.returncode == 0 and json.loads(verify.stdout)["intact"], verify.stdout + verify.stderr


def test_users_add_reaches_the_running_server(served):
    result = _cli("users", "add", "newcomer", "--role", "viewer", "--password-stdin", "--db", str(served["db"]),
                  input="a fresh password\n")
    assert result.returncode == 0, result.stderr
    with httpx.Client(base_url=served["base"]) as client:
        signed_in = client.post("/api/login", json={"username": "newcomer", "password": "a fresh password"})
        assert signed_in.status_code == 200 and signed_in.json()["role"] == "viewer"
    refused = _cli("users", "add", "bad", "--role", "operator", "--carrier", "no-such-park", "--password-stdin",
                   "--db", str(served["db"]), input="another password\n")
    assert refused.returncode == 1 and "unknown carrier" in refused.stderr


def test_the_handover_refuses_a_caller_without_the_token(served):
    response = httpx.post(f"{served['base']}/internal/run", json={"argv": ["ledger", "head"], "cwd": "/"},
                          headers={"X-Districtlens-Token": "guess"})
    assert response.status_code == 403
