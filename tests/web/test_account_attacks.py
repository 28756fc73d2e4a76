"""A careless or hostile insider against the accounts (issue #19): a changed account ends its
sessions at once, a stranger cannot lock the owner out, forwarded headers count only behind a
proxy, and HTTPS gets Secure cookies and HSTS."""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading

import pytest
from fastapi.testclient import TestClient

from districtlens.cli.web import server_config
from districtlens.commands import Context, users
from districtlens.store import db, ledger, open_store
from districtlens.web import auth, background
from districtlens.web.app import create_app
from tests.web.conftest import PASSWORD

OWNER_ADDRESS = ("10.0.0.1", 50000)
STRANGER_ADDRESS = ("10.0.0.66", 50000)


@pytest.fixture(scope="module")
def web_app(web_store, tmp_path_factory):
    """An app of this module's own: its writes (new users, new versions) leave the shared one alone."""
    path = tmp_path_factory.mktemp("accounts") / "accounts.duckdb"
    shutil.copyfile(web_store["serve_copy"], path)
    app = create_app(path)
    yield app
    app.state.server.close()


def save(web_app, name: str, role: str, password: str = PASSWORD) -> None:
    """A new version of the user, written through the serving process (as a handed-over CLI write)."""
    with web_app.state.server.writer() as store:
        users.save(Context(store=store, actor="test"), users.SaveUser(username=name, role=role, password=password))


def set_active(web_app, name: str, active: bool) -> users.UserState:
    command = users.enable if active else users.disable
    with web_app.state.server.writer() as store:
        return command(Context(store=store, actor="test"), users.NamedUser(username=name))


def sign_in(client: TestClient, name: str, password: str = PASSWORD):
    return client.post("/api/login", json={"username": name, "password": password})


def test_a_user_demoted_while_signed_in_loses_access_on_the_next_request(web_app):
    save(web_app, "demoted-analyst", "analyst")
    client = TestClient(web_app, client=("10.1.0.1", 1))
    assert sign_in(client, "demoted-analyst").status_code == 200
    assert client.get("/api/enterprises?q=").status_code == 200
    save(web_app, "demoted-analyst", "viewer")
    # The cookie held before the demotion opens nothing: not even what a viewer may see.
    assert client.get("/api/enterprises?q=").status_code == 401
    assert client.get("/api/me").status_code == 401
    assert client.get("/enterprises", follow_redirects=False).status_code == 303
    assert sign_in(client, "demoted-analyst").json()["role"] == "viewer"
    assert client.get("/api/enterprises?q=").status_code == 403


def test_a_new_password_ends_every_session_of_the_user(web_app):
    save(web_app, "rotated", "analyst")
    first, second = TestClient(web_app, client=("10.1.0.2", 1)), TestClient(web_app, client=("10.1.0.3", 1))
    assert sign_in(first, "rotated").status_code == sign_in(second, "rotated").status_code == 200
    save(web_app, "rotated", "analyst", password="another long password")
    assert first.get("/api/me").status_code == second.get("/api/me").status_code == 401
    assert sign_in(first, "rotated").status_code == 401
    assert sign_in(first, "rotated", "another long password").status_code == 200


def test_a_disabled_user_cannot_sign_in_and_their_sessions_end(web_app):
    save(web_app, "leaver", "analyst")
    client = TestClient(web_app, client=("10.1.0.4", 1))
    assert sign_in(client, "leaver").status_code == 200
    disabled = set_active(web_app, "leaver", False)
    assert not disabled.active and disabled.ledger_seq is not None
    assert client.get("/api/me").status_code == 401
    assert sign_in(client, "leaver").status_code == 401
    # Disabling twice writes nothing; enabling again lets them sign in anew.
    assert set_active(web_app, "leaver", False).ledger_seq is None
    assert set_active(web_app, "leaver", True).active
    assert sign_in(client, "leaver").status_code == 200
    assert client.get("/api/me").json()["username"] == "leaver"


def test_other_users_sessions_survive_a_change(web_app):
    save(web_app, "bystander", "analyst")
    save(web_app, "changed", "analyst")
    client = TestClient(web_app, client=("10.1.0.5", 1))
    assert sign_in(client, "bystander").status_code == 200
    save(web_app, "changed", "viewer")
    assert client.get("/api/me").json()["username"] == "bystander"


def test_a_stranger_failing_from_another_address_does_not_lock_the_owner_out(web_app):
    save(web_app, "director", "admin")
    stranger = TestClient(web_app, client=STRANGER_ADDRESS)
    for _ in range(auth.MAX_FAILURES):
        assert sign_in(stranger, "director", "guess guess guess").status_code == 401
    assert sign_in(stranger, "director").status_code == 429  # the stranger's own address is stopped
    owner = TestClient(web_app, client=OWNER_ADDRESS)
    assert sign_in(owner, "director").status_code == 200


def test_a_guesser_rotating_addresses_is_slowed_but_the_owner_is_not(web_app):
    save(web_app, "chair", "admin")
    owner = TestClient(web_app, client=("10.2.0.1", 1))
    assert sign_in(owner, "chair").status_code == 200  # the owner's address is now known
    for n in range(auth.ACCOUNT_FREE_FAILURES):
        guesser = TestClient(web_app, client=(f"10.3.0.{n}", 1))
        assert sign_in(guesser, "chair", "guess guess guess").status_code == 401
    fresh = TestClient(web_app, client=("10.3.1.1", 1))
    refused = sign_in(fresh, "chair", "guess guess guess")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert sign_in(owner, "chair").status_code == 200


def test_the_account_back_off_doubles_and_the_windows_pass():
    limiter = auth.LoginLimiter()
    t = 1_000_000.0
    for n in range(auth.ACCOUNT_FREE_FAILURES):
        assert limiter.retry_after("a", f"x{n}", now=t) is None
        limiter.failed("a", f"x{n}", now=t)
    assert limiter.retry_after("a", "y", now=t) == pytest.approx(2.0)
    assert limiter.retry_after("a", "y", now=t + 2.5) is None
    # An attempt sent beside it, before its failure is recorded, waits its turn too.
    assert limiter.retry_after("a", "w", now=t + 2.6) == pytest.approx(1.9)
    limiter.failed("a", "y", now=t + 2.5)
    assert limiter.retry_after("a", "z", now=t + 2.5) == pytest.approx(4.0)
    assert limiter.retry_after("a", "z", now=t + auth.ACCOUNT_WINDOW + 3) is None
    # What passed is forgotten: made-up names and addresses take no memory for long.
    assert not any(key[-1] == "z" or key == ("account", "a") for key in limiter._failures)
    # Another account is untouched throughout.
    assert limiter.retry_after("b", "y", now=t) is None


def _proxied_client(web_app, behind_proxy: bool) -> TestClient:
    """The app as `serve` runs it through uvicorn's middleware, reached from loopback."""
    config = server_config(web_app, host="127.0.0.1", port=8765, behind_proxy=behind_proxy)
    config.load()
    return TestClient(config.loaded_app, client=("127.0.0.1", 40000))


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_a_rotating_forwarded_for_counts_only_behind_a_proxy(web_app, behind_proxy):
    name = f"forwarded-{behind_proxy}".lower()
    save(web_app, name, "analyst")
    web_app.state.limiter = auth.LoginLimiter()  # loopback is everyone's address here
    client = _proxied_client(web_app, behind_proxy)
    codes = []
    for n in range(auth.MAX_FAILURES + 1):
        response = client.post(
            "/api/login",
            json={"username": name, "password": "guess guess guess"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        )
        codes.append(response.status_code)
    web_app.state.limiter = auth.LoginLimiter()
    # Without --behind-proxy the header is ignored: every attempt is loopback's, and the sixth is refused.
    assert codes == [401] * auth.MAX_FAILURES + [401 if behind_proxy else 429]


def test_https_gets_secure_cookies_and_hsts(web_app):
    save(web_app, "tls-user", "viewer")
    plain = TestClient(web_app, client=("10.4.0.1", 1))
    answer = sign_in(plain, "tls-user")
    assert "secure" not in answer.headers["set-cookie"].lower()
    assert "strict-transport-security" not in answer.headers
    secure = TestClient(web_app, base_url="https://testserver", client=("10.4.0.2", 1))
    answer = sign_in(secure, "tls-user")
    assert "; secure" in answer.headers["set-cookie"].lower()
    assert answer.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_a_proxy_saying_https_counts_only_behind_a_proxy(web_app, behind_proxy):
    save(web_app, "proxied-tls", "viewer")
    client = _proxied_client(web_app, behind_proxy)
    answer = client.post(
        "/api/login", json={"username": "proxied-tls", "password": PASSWORD}, headers={"X-Forwarded-Proto": "https"}
    )
    assert answer.status_code == 200
    assert ("; secure" in answer.headers["set-cookie"].lower()) == behind_proxy
    assert ("strict-transport-security" in answer.headers) == behind_proxy


def test_users_disable_and_enable_from_the_command_line(cli, tmp_path):
    path = tmp_path / "users.duckdb"
    added = cli("users", "add", "clerk", "--role", "viewer", "--password-stdin", "--db", path, input=PASSWORD + "\n")
    assert added.exit_code == 0
    disabled = json.loads(cli("users", "disable", "clerk", "--db", path, "--json").stdout)
    assert disabled["active"] is False and isinstance(disabled["ledger_seq"], int)
    listed = json.loads(cli("users", "list", "--db", path, "--json").stdout)["users"]
    assert [(u["username"], u["active"]) for u in listed] == [("clerk", False)]
    assert json.loads(cli("users", "disable", "clerk", "--db", path, "--json").stdout)["ledger_seq"] is None
    assert json.loads(cli("users", "enable", "clerk", "--db", path, "--json").stdout)["active"] is True
    unknown = cli("users", "disable", "nobody", "--db", path, "--json")
    assert unknown.exit_code == 1 and json.loads(unknown.stdout)["key"] == "user.not_found"
    assert json.loads(cli("ledger", "verify", "--db", path, "--json").stdout)["intact"]


def test_verifying_runs_quietly_and_gives_the_cores_back(web_app):
    server = web_app.state.server
    threads = db.threads(server.root.con)
    niceness: list[int] = []

    def check(store):
        niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        assert db.threads(store.con) == 1  # DuckDB works on the calling thread alone meanwhile
        return ledger.verify(store.con)

    assert server.verify_quietly(check).intact
    lowered = background.NICENESS if sys.platform == "linux" else 0
    assert niceness == [lowered] and db.threads(server.root.con) == threads
    analyst = TestClient(web_app, client=("10.5.0.1", 1))
    assert sign_in(analyst, "analyst").status_code == 200
    assert analyst.get("/api/data/verify").json()["intact"]
    assert db.threads(server.root.con) == threads


def test_forwarded_headers_and_tls_are_off_unless_asked(web_app, tmp_path, cli):
    plain = server_config(web_app, host="127.0.0.1", port=8765, behind_proxy=False, forwarded_allow_ips="*")
    assert (plain.proxy_headers, plain.forwarded_allow_ips, plain.is_ssl) == (False, "", False)
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    tls = server_config(web_app, host="0.0.0.0", port=443, behind_proxy=True, tls_cert=cert, tls_key=key)
    assert (tls.proxy_headers, tls.forwarded_allow_ips, tls.ssl_certfile, tls.ssl_keyfile) == (
        True,
        "127.0.0.1",
        str(cert),
        str(key),
    )
    store = tmp_path / "s.duckdb"
    open_store(store).close()
    half = cli("serve", "--db", store, "--tls-cert", cert)
    assert half.exit_code == 2 and "--tls-key" in half.output
