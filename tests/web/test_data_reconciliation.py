"""The /data page sets the registry beside the published statistics, in the reader's language."""

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from districtlens.accounts import hash_password
from districtlens.i18n import t
from districtlens.store import open_store
from districtlens.store.web_users import save_user
from districtlens.web.app import create_app
from tests.web.conftest import PASSWORD, _invoke, login

BULLETIN = Path(__file__).resolve().parents[3] / "shared" / "data" / "published-statistics"
BULLETIN = BULLETIN / "shanghai-districts-published.csv"


@pytest.fixture(scope="module")
def analyst(web_store, tmp_path_factory):
    if not BULLETIN.exists():
        pytest.skip("the shared published statistics are not here")
    db = tmp_path_factory.mktemp("reconcile") / "demo.duckdb"
    shutil.copyfile(web_store["db"], db)
    app = create_app(db)
    client = TestClient(app)
    assert login(client, "analyst").status_code == 303
    yield client, db
    app.state.server.close()


def test_the_data_page_says_when_no_statistics_are_imported(tmp_path):
    """A store with no published figures (the demo store ships its pack's)."""
    db = tmp_path / "bare.duckdb"
    with open_store(db) as store:
        save_user(store, "analyst", role="analyst", carriers=[], password_hash=hash_password(PASSWORD), actor="test")
    app = create_app(db)
    try:
        client = TestClient(app)
        assert login(client, "analyst").status_code == 303
        page = client.get("/data?lang=en")
        assert "No published statistics imported yet" in page.text
    finally:
        app.state.server.close()


def test_the_data_page_shows_the_reconciliation_once_imported(analyst):
    client, db = analyst
    _invoke("import", "statistics", str(BULLETIN), "--db", db)
    for lang in ("zh", "en", "fr"):
        page = client.get(f"/data?lang={lang}")
        assert page.status_code == 200
        assert 'data-testid="reconciliation"' in page.text
        assert "年末登记在册各类市场主体" in page.text  # the indicator as published
        assert str(escape(t("reconcile.proxy_tertiary", lang))) in page.text
        assert str(escape(t("reconcile.synthetic", lang))) in page.text
        assert 'data-testid="reconciliation-lacks"' in page.text
