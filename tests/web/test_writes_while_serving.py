"""Commands while serving: `districtlens serve` holds the store; CLI commands are handed to it as
typed arguments (POST /internal/commands/NAME) and run in the server's own process.

Two writes (a roster import, then a user) run while 20 clients read; every read must succeed, and
each read sees the import either not at all or whole (a snapshot), never a part of it. Users added
while serving sign in with their own password only. A client killed mid-import cancels it."""

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
# The killed import: large enough to still run when the client is killed, some way into it (the
# import of these rows takes about a second on an idle machine of two cores).
KILLED_FIRMS = 60_000
KILL_AFTER_SECONDS = 0.3
CLI = [sys.executable, "-m", "districtlens"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One server for the module, on one worker: starting it is the slow part, and the tests already
# share its store (each asserts on what it changes itself).
pytestmark = pytest.mark.xdist_group("serving")


@pytest.fixture(scope="module")
def served(web_store):
    db = web_store["serve_copy"]
    port = _free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--db", str(db), "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
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


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "DISTRICTLENS_DB"}


def _cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], input=input, capture_output=True, text=True, timeout=300, env=_env())


def test_two_handed_over_writes_land_whole_while_20_clients_read(served, tmp_path):
    handover = Path(str(served["db"]) + ".server.json")
    assert handover.stat().st_mode & 0o777 == 0o600
    assert set(json.loads(handover.read_text())) == {"port", "pid", "token", "tls"}
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
    user = _cli(
        "users",
        "add",
        "reader-era",
        "--role",
        "viewer",
        "--password-stdin",
        "--db",
        str(served["db"]),
        input="a password for the readers\n",
    )
    time.sleep(1.0)
    done.set()
    for thread in readers:
        thread.join(timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["inserted"] == 2 * FIRMS  # enterprise-years
    assert user.returncode == 0, user.stderr
    assert not failures, failures[:5]
    assert len(seen) > 40
    # Each read saw none or all of the import, never a part; both states were observed.
    assert set(seen) <= {0, FIRMS} and {0, FIRMS} <= set(seen), sorted(set(seen))

    verify = _cli("ledger", "verify", "--db", str(served["db"]), "--json")
    assert verify.returncode == 0 and json.loads(verify.stdout)["intact"], verify.stdout + verify.stderr


def test_users_add_reaches_the_running_server(served):
    result = _cli(
        "users",
        "add",
        "newcomer",
        "--role",
        "viewer",
        "--password-stdin",
        "--db",
        str(served["db"]),
        input="a fresh password\n",
    )
    assert result.returncode == 0, result.stderr
    with httpx.Client(base_url=served["base"]) as client:
        signed_in = client.post("/api/login", json={"username": "newcomer", "password": "a fresh password"})
        assert signed_in.status_code == 200 and signed_in.json()["role"] == "viewer"
        # Disabled from the command line while serving: the session held ends at its next request.
        disabled = _cli("users", "disable", "newcomer", "--db", str(served["db"]), "--json")
        assert disabled.returncode == 0 and json.loads(disabled.stdout)["active"] is False, disabled.stderr
        assert client.get("/api/me").status_code == 401
    refused = _cli(
        "users",
        "add",
        "bad",
        "--role",
        "operator",
        "--carrier",
        "no-such-park",
        "--password-stdin",
        "--db",
        str(served["db"]),
        input="another password\n",
    )
    assert refused.returncode == 1 and "unknown carrier" in refused.stderr


def test_users_added_while_serving_sign_in_with_their_own_password_only(served):
    """Each user added or changed while the server runs keeps the password sent for them (the server
    once read the first user's password from its own standard input for every later one)."""
    passwords = {
        "first-user": "password of the first",
        "second-user": "password of the second",
        "third-user": "password of the third",
    }
    for name, password in passwords.items():
        added = _cli(
            "users",
            "add",
            name,
            "--role",
            "analyst",
            "--password-stdin",
            "--db",
            str(served["db"]),
            input=password + "\n",
        )
        assert added.returncode == 0, added.stderr
    changed = _cli(
        "users",
        "add",
        "first-user",
        "--role",
        "analyst",
        "--password-stdin",
        "--db",
        str(served["db"]),
        input="a changed password\n",
    )
    assert changed.returncode == 0, changed.stderr
    passwords["first-user"] = "a changed password"
    names = list(passwords)
    with httpx.Client(base_url=served["base"]) as client:
        # Four failures in all: under the sign-in limit of this address.
        for name, other in zip(names, names[1:] + names[:1], strict=True):
            own = client.post("/api/login", json={"username": name, "password": passwords[name]})
            assert own.status_code == 200, name
            theirs = client.post("/api/login", json={"username": name, "password": passwords[other]})
            assert theirs.status_code == 401, (name, other)
        old = client.post("/api/login", json={"username": "first-user", "password": "password of the first"})
        assert old.status_code == 401


def _wait_until_running(served: dict, name: str) -> None:
    token = json.loads(Path(str(served["db"]) + ".server.json").read_text())["token"]
    deadline = time.time() + 120
    while time.time() < deadline:
        running = httpx.get(f"{served['base']}/internal/commands", headers={"X-Districtlens-Token": token}).json()
        if any(entry["command"] == name for entry in running["running"]):
            return
        time.sleep(0.02)
    pytest.fail(f"the server never ran {name}")


def test_a_client_killed_mid_import_leaves_the_store_as_it_was(served, tmp_path):
    """The CLI sends a large import and is killed while the server runs it: the server rolls the
    import back (its stages and its commit check whether the caller is still there)."""
    db = str(served["db"])
    before = _cli("ledger", "head", "--db", db)
    counted = _cli("export", "enterprises", "--out", str(tmp_path / "before.csv"), "--db", db)
    assert before.returncode == 0 and counted.returncode == 0, before.stderr + counted.stderr
    roster = write_csv(
        tmp_path / "large.csv",
        [{**row, "name": row["name"].replace(MARKER, "取消样本")} for row in roster_rows(KILLED_FIRMS, years=(2024,))],
    )
    process = subprocess.Popen(
        [*CLI, "import", "enterprises", str(roster), "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    _wait_until_running(served, "import.enterprises")
    time.sleep(KILL_AFTER_SECONDS)  # into the import: reading, validating or locating
    assert process.poll() is None, "the import ended before the client was killed: make the roster larger"
    process.kill()
    process.wait(timeout=30)
    deadline = time.time() + 60
    while time.time() < deadline:  # the server is idle again once a handed-over read gets through
        head = _cli("ledger", "head", "--db", db)
        if head.returncode == 0:
            break
    assert head.stdout == before.stdout, "the killed import must not commit"
    log = _cli("ledger", "log", "--db", db, "--limit", "3", "--json")
    assert all(
        entry["action"] != "import enterprises" or entry["payload"]["source"]["file_name"] != roster.name
        for entry in json.loads(log.stdout)
    )
    again = _cli("import", "enterprises", str(roster), "--db", db, "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["inserted"] == KILLED_FIRMS, again.stderr


def test_the_handover_refuses_a_caller_without_the_token(served):
    response = httpx.post(
        f"{served['base']}/internal/commands/ledger.head",
        json={"args": {}, "actor": "x"},
        headers={"X-Districtlens-Token": "guess"},
    )
    assert response.status_code == 403


def test_an_unknown_command_or_bad_arguments_are_refused_with_a_key(served):
    token = json.loads(Path(str(served["db"]) + ".server.json").read_text())["token"]
    headers = {"X-Districtlens-Token": token}
    unknown = httpx.post(f"{served['base']}/internal/commands/no.such", json={"args": {}}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["error"]["key"] == "command.unknown"
    bad = httpx.post(
        f"{served['base']}/internal/commands/ledger.log", json={"args": {"limit": "many"}}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["error"]["key"] == "command.invalid_arguments"
