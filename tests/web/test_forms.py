"""Sign-in, sessions, CSRF, the login rate limit, markup shown as text, and the languages."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from districtlens.web.auth import MAX_FAILURES
from tests.web.conftest import MARKUP_NAME, MARKUP_USCC, PASSWORD, login


def test_session_cookie_is_httponly_and_samesite(web_app):
    response = login(TestClient(web_app), "viewer")
    cookie = response.headers["set-cookie"].lower()
    assert "dl_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_login_form_without_its_csrf_token_is_refused(web_app):
    client = TestClient(web_app)
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert "dl_session" not in response.headers.get("set-cookie", "")


def test_every_signed_in_form_needs_the_session_token(web_app):
    client = TestClient(web_app)
    login(client, "analyst")
    for path, data in (("/logout", {}), ("/lang", {"lang": "fr"}), ("/data/verify", {})):
        assert client.post(path, data={**data, "csrf_token": "forged"}, follow_redirects=False).status_code == 403
    # The session survived the forged logout, and the real token works.
    page = client.get("/data")
    assert page.status_code == 200
    # What the server holds in memory (in the session's language): a search has read the index;
    # the histories are read by `serve` alone, which this app was not started by.
    assert client.get("/api/enterprises?q=x").status_code == 200
    assert 'data-testid="held">内存中： 搜索索引 最新 · 历史记录 尚未读取<' in client.get("/data").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    verified = client.post("/data/verify", data={"csrf_token": token})
    assert verified.status_code == 200 and 'data-testid="verdict"' in verified.text
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401


def test_failed_logins_are_rate_limited(web_app):
    client = TestClient(web_app)
    for _ in range(MAX_FAILURES):
        assert client.post("/api/login", json={"username": "viewer", "password": "wrong password"}).status_code == 401
    # Now even the right password is refused until the window passes.
    assert client.post("/api/login", json={"username": "viewer", "password": PASSWORD}).status_code == 429
    web_app.state.limiter = type(web_app.state.limiter)()  # the other tests sign in as viewer too


def test_unknown_user_and_wrong_password_look_alike(web_app):
    client = TestClient(web_app)
    a = client.post("/api/login", json={"username": "nobody-here", "password": "x" * 10})
    b = client.post("/api/login", json={"username": "analyst", "password": "x" * 10})
    assert a.status_code == b.status_code == 401 and a.json() == b.json()
    web_app.state.limiter = type(web_app.state.limiter)()


def test_names_with_markup_show_as_text(clients):
    for path in ("/enterprises?q=标记科技", f"/enterprises/{MARKUP_USCC}"):
        html = clients["analyst"].get(path).text
        assert "&lt;script&gt;alert(" in html
        assert "<script>alert(" not in html and "<img src=x" not in html
    assert clients["analyst"].get(f"/api/enterprises/{MARKUP_USCC}").json()["current"]["name"] == MARKUP_NAME


def test_pages_send_a_content_security_policy(clients):
    policy = clients["viewer"].get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy


def test_money_numbers_and_dates_follow_the_language(clients):
    viewer = clients["viewer"]
    zh = viewer.get("/?lang=zh").text
    en = viewer.get("/?lang=en").text
    fr = viewer.get("/?lang=fr").text
    assert "万元" in zh and '<html lang="zh-CN">' in zh
    assert re.search(r"CNY [\d,.]+ (m|bn)", en), "English writes CNY m or CNY bn"
    assert re.search(r"\d+(,\d+)?\u202f(M|Md)\u202fCNY", fr), "French writes M CNY or Md CNY, narrow spaces"
    assert "Rank among peers" in en and "Rang parmi les pairs" in fr and "对标区排名" in zh


def test_the_language_switch_is_remembered(web_app):
    client = TestClient(web_app)
    login(client, "viewer")
    page = client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/lang", data={"lang": "fr", "csrf_token": token, "next": "/"})
    assert '<html lang="fr">' in client.get("/").text


DYNAMIC = (
    "registered",
    "admin",
    "analyst",
    "operator",
    "viewer",
    "supported",
    "contradicted",
    "not computable",
    "linked",
    "review",
    "unknown",
    "core",
    "expansion",
    "support",
    "radiation",
    "national",
    "municipal",
)


def test_every_message_is_translated_in_every_catalog():
    import districtlens.i18n as catalogs
    import districtlens.web as web

    folder = Path(web.__path__[0])
    used = {
        m if isinstance(m, str) else m[0]
        for _, _, m, _, _ in extract_from_dir(str(folder / "templates"), method_map=[("**.html", "jinja2")])
    }
    for locale in catalogs.CATALOG_LOCALES.values():
        po = Path(catalogs.__path__[0]) / "locale" / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            catalog = read_po(handle)
        missing = [m for m in sorted(used | set(DYNAMIC)) if m not in catalog or not catalog[m].string]
        assert not missing, (locale, missing)
    assert catalogs.gettext("zh")("Overview") == "总览"


def test_a_broken_ledger_is_said_on_the_page_in_the_reader_s_language(web_store, tmp_path):
    import shutil

    import duckdb

    from districtlens.commands.ledger import action_label
    from districtlens.i18n import t
    from districtlens.web.app import create_app

    tampered = tmp_path / "tampered.duckdb"
    shutil.copy(web_store["db"], tampered)
    with duckdb.connect(str(tampered)) as con:
        con.execute("UPDATE ledger SET actor = 'mallory' WHERE seq = 2")
        action = con.execute("SELECT action FROM ledger WHERE seq = 2").fetchone()[0]
    app = create_app(tampered)
    try:
        client = TestClient(app)
        login(client, "analyst")
        page = client.get("/data")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post("/lang", data={"lang": "fr", "csrf_token": token})
        verified = client.post("/data/verify", data={"csrf_token": token})
        assert t("ledger.problem.entry_altered", "fr", seq=2, action=action_label(action, "fr")) in verified.text
        assert t("ledger.problem.entry_altered", "en", seq=2, action=action) not in verified.text
    finally:
        app.state.server.close()
