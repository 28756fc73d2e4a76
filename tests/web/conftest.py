"""The web tests' store, built once per session: the demo store (the Jing'an pack, a synthetic
registry of 10,000 enterprises, and the carriers' demo tenants), an enterprise whose name is
markup, and one user per role (added through `districtlens users add`)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from districtlens.cli import app as cli_app
from districtlens.commands import Context
from districtlens.commands.demo import build_demo
from districtlens.commands.enterprises import import_frame
from districtlens.store import open_store
from districtlens.store import web_queries as queries
from districtlens.web.app import create_app
from tests.helpers import built_once, make_uscc

ENTERPRISES = 10_000
PASSWORD = "correct horse battery"
MARKUP_NAME = '<script>alert("x")</script><img src=x onerror=alert(1)>标记科技有限公司'
MARKUP_USCC = make_uscc(9_999_001)
# Two parks with tenants: the operator of the first must never see the second's.
OWN_CARRIER = "shanghai-icampus"
OTHER_CARRIER = "jingan-international-innovation-community"
USERS = {"admin": "admin", "analyst": "analyst", "operator": "operator", "viewer": "viewer"}


def _invoke(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli_app, [str(a) for a in args], input=input)
    assert result.exit_code == 0, result.output
    return result


def _build_web_store(folder: Path) -> None:
    """Build the web tests' store in `folder`, with the two parks' tenants beside it."""
    db = folder / "demo.duckdb"
    build_demo(db, actor="test", enterprises=ENTERPRISES)
    with open_store(db) as store:
        import_frame(
            Context(store=store, actor="test"),
            pl.DataFrame(
                {
                    "uscc": [MARKUP_USCC],
                    "name": [MARKUP_NAME],
                    "address": ["上海市静安区南京西路1号"],
                    "industry_code": ["6513"],
                    "year": ["2024"],
                    "revenue": ["100"],
                }
            ),
            source={"name": "markup test", "kind": "roster"},
            synthetic=True,
        )
        own, other = (set(queries.tenant_usccs(store, [c], date.today())) for c in (OWN_CARRIER, OTHER_CARRIER))
    other -= own
    assert len(own) >= 3 and len(other) >= 3, "the demo store gives both parks tenants"
    for name, role in USERS.items():
        extra = ["--carrier", OWN_CARRIER] if role == "operator" else []
        _invoke("users", "add", name, "--role", role, *extra, "--password-stdin", "--db", db, input=PASSWORD + "\n")
    # A pristine copy for the tests that serve it from another process (the handover test).
    shutil.copyfile(db, folder / "serve.duckdb")
    (folder / "tenants.json").write_text(json.dumps({"own_tenants": sorted(own), "other_tenants": sorted(other)}))


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict:
    folder = built_once(tmp_path_factory, worker_id, "web", _build_web_store)
    tenants = json.loads((folder / "tenants.json").read_text())
    return {
        "db": folder / "demo.duckdb",
        "serve_copy": folder / "serve.duckdb",
        "own_tenants": tenants["own_tenants"],
        "other_tenants": tenants["other_tenants"],
        "folder": folder,
    }


@pytest.fixture(scope="session")
def web_app(web_store):
    app = create_app(web_store["db"])
    yield app
    app.state.server.close()


def login(client: TestClient, username: str, password: str = PASSWORD):
    """Sign in through the form, as a browser does (CSRF token from the page)."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


@pytest.fixture(scope="session")
def clients(web_app) -> dict[str, TestClient]:
    """One signed-in client per role, and `anonymous`."""
    out = {"anonymous": TestClient(web_app)}
    for name in USERS:
        client = TestClient(web_app)
        assert login(client, name).status_code == 303
        out[name] = client
    return out
