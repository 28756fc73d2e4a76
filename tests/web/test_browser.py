"""Every page in a real browser (Debian's Chromium driven by Playwright), for each role and
language: no console error, no request to any host but the server, the key figures present, and
a screenshot per page and language under docs/screenshots/."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import uvicorn

from districtlens.store import open_store
from districtlens.web.app import create_app
from districtlens.web.auth import PERMISSIONS
from tests.web.conftest import MARKUP_NAME, PASSWORD, USERS

# One worker runs the module: one Chromium and one server instead of one per worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots for the README and docs/screenshots/ are taken only when asked (`make screenshots`):
# they cost a third of the test's time, and a test run should not rewrite tracked files.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TAKE_SCREENSHOTS = os.environ.get("DISTRICTLENS_SCREENSHOTS") == "1"
# path -> (permission needed, selector whose presence shows the page's key figures)
PAGES = {
    "/": ("aggregate", "[data-testid=figure-revenue] .figure"),
    "/industries": ("aggregate", "[data-testid=activities] tbody tr"),
    "/map": ("aggregate", "#district-map canvas"),
    "/chains": ("aggregate", "#chain-graph canvas"),
    "/targets?track=data-intelligence": ("targets", "[data-testid=targets] tbody tr"),
    "/carriers": ("aggregate", "[data-testid=carriers] tbody tr"),
    "/enterprises?q=科技": ("enterprise", "[data-testid=enterprises] tbody tr"),
    "/claims": ("aggregate", "[data-testid=claims] tbody tr"),
    "/data": ("data", "[data-testid=ledger-head]"),
    "/programmes": ("aggregate", "[data-testid=kpis] tbody tr"),
    "/pipeline": ("aggregate", "[id^=funnel-] canvas"),
    "/space": ("aggregate", "[data-testid=space-figures] .figure"),
    "/briefings": ("targets", "[data-testid=render-form]"),
}


def serve(app) -> Iterator[str]:
    """Serve `app` on a free loopback port while the caller runs; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not uv.started and time.time() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def server(web_app):
    yield from serve(web_app)


@pytest.fixture(scope="module")
def writable_server(web_store, tmp_path_factory):
    """A server of its own store, for a test that writes (reading a text queues its claims)."""
    db = tmp_path_factory.mktemp("browser-writes") / "demo.duckdb"
    shutil.copyfile(web_store["db"], db)
    app = create_app(db)
    yield from serve(app)
    app.state.server.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make system` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Watch:
    """Console errors, page errors, dialogs and requests to other hosts, for one browser page."""

    def __init__(self, page, base: str):
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.dialogs: list[str] = []
        host = urlparse(base).netloc
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: urlparse(r.url).netloc not in (host, "") and self.foreign.append(r.url))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


LANGUAGES = ("zh", "en", "fr")


def visits(role: str) -> list[tuple[str, str, tuple[str, str]]]:
    """(language, path, (permission, selector)) of the pages `role` may see. The admin sees every
    page in every language; each other role sees each page once, in a language that turns with the
    page and the role, so that across the roles each page is seen in each language (and the
    server-side scan of every page in zh and fr, tests/web/test_no_raw_text.py, reads them all)."""
    pages = [(path, spec) for path, spec in PAGES.items() if spec[0] in PERMISSIONS[role]]
    if role == "admin" or TAKE_SCREENSHOTS:
        return [(lang, path, spec) for lang in LANGUAGES for path, spec in pages]
    turn = list(USERS).index(role)
    return [(LANGUAGES[(i + turn) % len(LANGUAGES)], path, spec) for i, (path, spec) in enumerate(pages)]


@pytest.mark.parametrize("role", list(USERS))
def test_every_page_in_every_language(browser, server, role):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page, server)
    sign_in(page, server, role)
    for lang, path, (_, selector) in visits(role):
        separator = "&" if "?" in path else "?"
        response = page.goto(f"{server}{path}{separator}lang={lang}")
        assert response.status == 200, (role, lang, path)
        page.wait_for_selector(selector, timeout=20_000)
        assert page.locator("[data-testid=synthetic-banner]").is_visible(), (role, path)
        assert page.locator("html").get_attribute("lang") == {"zh": "zh-CN", "en": "en", "fr": "fr"}[lang]
        if path == "/":
            figure = page.locator("[data-testid=figure-revenue] .figure").inner_text()
            assert figure.strip() not in ("", "–"), figure
        if TAKE_SCREENSHOTS and role in ("admin", "operator", "viewer") and (role == "admin" or path == "/"):
            name = path.strip("/").split("?")[0] or "overview"
            page.screenshot(
                path=str(SCREENSHOTS / f"{name}-{lang}{'' if role == 'admin' else '-' + role}.png"), full_page=False
            )
    assert not watch.errors, watch.errors[:5]
    assert not watch.foreign, watch.foreign[:5]
    context.close()


def test_markup_in_a_name_runs_nothing(browser, server):
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, server)
    sign_in(page, server, "analyst")
    page.goto(f"{server}/enterprises?q=标记科技")
    page.click("[data-testid=enterprises] tbody tr a")
    assert page.locator("[data-testid=enterprise-name]").inner_text() == MARKUP_NAME
    assert not watch.dialogs and not watch.errors
    context.close()


def test_the_api_docs_work_offline(browser, server):
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, server)
    page.goto(f"{server}/api/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=20_000)
    assert "districtlens" in page.locator(".swagger-ui .info").inner_text()
    if TAKE_SCREENSHOTS:
        page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))
    assert not watch.errors and not watch.foreign, (watch.errors, watch.foreign)
    context.close()


def test_a_chain_node_click_lists_its_firms(browser, server):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server, "analyst")
    page.goto(f"{server}/chains?track=data-intelligence&lang=en")
    page.click("[data-testid=links] tbody tr:first-child a")
    page.wait_for_selector("[data-testid=link-firms]")
    assert "link=" in page.url
    context.close()


def test_a_forms_answer_sorts_in_the_page(browser, writable_server, web_store):
    """The firms of a text just read (no URL gives them again) sort by their header's button."""
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, writable_server)
    sign_in(page, writable_server, "analyst")
    page.goto(f"{writable_server}/reading?lang=en")
    with open_store(web_store["db"]) as store:
        rows = store.con.execute("SELECT name FROM enterprise_current ORDER BY uscc LIMIT 3").fetchall()
    names = [name for (name,) in rows]
    page.fill("textarea[name=text]", "静安区的" + "、".join(names) + "。")
    page.click("[data-testid=read-form] button[type=submit]")
    page.wait_for_selector("[data-testid=read-firms] tbody tr")
    named = page.locator("[data-testid=read-firms] tbody tr td:first-child")
    shown = named.all_inner_texts()
    assert len(shown) >= 2, shown
    header = page.locator("[data-testid=read-firms] thead th").first
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    ascending = named.all_inner_texts()
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert named.all_inner_texts() == ascending[::-1] and sorted(ascending) == sorted(shown)
    assert page.locator("[data-testid=read-firms-csv]").get_attribute("href").startswith("data:text/csv;base64,")
    assert not watch.errors, watch.errors[:5]
    context.close()
