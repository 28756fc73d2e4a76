"""Every read command the README documents gives the same answer with and without a server.

While `districtlens serve` holds a store, the CLI sends each command to it (typed arguments over
loopback) instead of opening the store: the answer must not depend on which road it took."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from districtlens.cli import app
from tests.helpers import make_uscc
from tests.web.test_writes_while_serving import _free_port

TRACK = "biopharma"
AREA = "310106"
CARRIER = "shanghai-icampus"

# (name, arguments): every read command of the README that reads the store; `{out}` is a file the
# command writes, compared too.
READS = [
    ("ledger verify", ["ledger", "verify"]),
    ("ledger head", ["ledger", "head"]),
    ("ledger log", ["ledger", "log", "--limit", "5"]),
    ("history", ["history", make_uscc(9_999_001)]),
    ("users list", ["users", "list"]),
    ("carriers list", ["carriers", "list"]),
    ("space", ["space", "--carrier", CARRIER, "--at", "2024-06-30"]),
    ("pipeline", ["pipeline"]),
    ("programmes show", ["programmes", "show", "--at", "2024-06-30"]),
    ("chains show", ["chains", "show", TRACK, "--area", AREA]),
    ("chains city", ["chains", "city", TRACK, "--area", AREA]),
    ("chains graph", ["chains", "graph", TRACK, "--area", AREA]),
    ("targets", ["targets", TRACK, "--area", AREA]),
    ("claims list", ["claims", "list"]),
    ("claims check", ["claims", "check"]),
    ("resolve review", ["resolve", "review"]),
    ("export enterprises", ["export", "enterprises", "--out", "{out}.csv"]),
    (
        "metrics",
        [
            "metrics",
            "--by",
            "district",
            "--activity",
            "gbt4",
            "--value",
            "revenue",
            "--year",
            "2023",
            "--out",
            "{out}.csv",
        ],
    ),
]


# The answers are gathered once (a module fixture): keep the module on one worker.
pytestmark = pytest.mark.xdist_group("alike")


def _run(db: Path, args: list[str], out: Path) -> tuple[int, str, bytes | None]:
    """The command's exit code, standard output and written file, run in this process (the CLI
    part; the command itself runs here or in the server, as the CLI decides)."""
    argv = [a.replace("{out}", str(out)) for a in args]
    done = CliRunner().invoke(app, [*argv, "--db", str(db), "--json"])
    written = next((Path(a) for a in argv if a.startswith(str(out))), None)
    return done.exit_code, done.stdout, written.read_bytes() if written and written.exists() else None


@pytest.fixture(scope="module")
def answers(web_store, tmp_path_factory) -> dict[str, tuple]:
    """Each command's answer on a copy of the demo store: first opened by the CLI, then through a
    server holding the same file."""
    folder = tmp_path_factory.mktemp("alike")
    db = folder / "alike.duckdb"
    shutil.copyfile(web_store["serve_copy"], db)
    local = {name: _run(db, args, folder / f"out-{i}") for i, (name, args) in enumerate(READS)}
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "districtlens", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 60
        while not Path(str(db) + ".server.json").exists() and time.time() < deadline:
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/login", timeout=30).status_code == 200
        served = {name: _run(db, args, folder / f"out-{i}") for i, (name, args) in enumerate(READS)}
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {name: (local[name], served[name]) for name, _ in READS}


def _rounded(value: object) -> object:
    """The answer with every float to 12 significant digits: DuckDB sums doubles on several threads
    in no fixed order, so two runs of one query may differ in the last bits, server or not."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


@pytest.mark.parametrize("name", [name for name, _ in READS])
def test_a_read_command_answers_alike_with_and_without_a_server(answers, name):
    (code, stdout, written), (served_code, served_stdout, served_written) = answers[name]
    assert code == 0, stdout
    assert not any("{out}" in a for a in dict(READS)[name]) or written, "the command wrote its file"
    assert (served_code, _rounded(json.loads(served_stdout)), served_written) == (
        code,
        _rounded(json.loads(stdout)),
        written,
    )
