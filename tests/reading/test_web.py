"""The reading page: an analyst pastes a text, sees its firms, and accepts a proposed claim; a
viewer may not reach the page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from districtlens.web.app import create_app
from tests.reading.conftest import DATA
from tests.web.conftest import PASSWORD, login


@pytest.fixture
def served(cli, reading_copy):
    for name, role in (("ana", "analyst"), ("vera", "viewer")):
        added = cli(
            "users", "add", name, "--role", role, "--password-stdin", "--db", reading_copy, input=PASSWORD + "\n"
        )
        assert added.exit_code == 0, added.output
    app = create_app(reading_copy)
    yield app
    app.state.server.close()


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_an_analyst_reads_a_pasted_text_and_accepts_a_claim(served):
    client = TestClient(served)
    assert login(client, "ana").status_code == 303
    page = client.get("/reading")
    assert page.status_code == 200 and 'data-testid="read-form"' in page.text
    text = (DATA / "jingan-review.en.txt").read_text(encoding="utf-8")
    read = client.post("/reading", data={"text": text, "name": "review.txt", "csrf_token": _token(page.text)})
    assert read.status_code == 200
    assert "上海合合信息科技股份有限公司" in read.text  # INTSIG's registered name, linked
    ids = re.findall(r'action="/reading/(read-[0-9a-f]+)/accept"', read.text)
    assert ids
    decided = client.post(f"/reading/{ids[0]}/accept", data={"csrf_token": _token(read.text)}, follow_redirects=False)
    assert decided.status_code == 303
    after = client.get("/reading").text
    assert f"/reading/{ids[0]}/accept" not in after and f"/reading/{ids[1]}/accept" in after


def test_a_viewer_may_not_read(served):
    client = TestClient(served)
    assert login(client, "vera").status_code == 303
    assert client.get("/reading").status_code == 403
