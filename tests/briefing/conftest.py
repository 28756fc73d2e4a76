import pytest

from districtlens.briefing import render, signing
from districtlens.store import open_store
from tests.claims.demo import build_demo_store
from tests.helpers import built_once


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory, worker_id):
    return built_once(tmp_path_factory, worker_id, "claims-demo", build_demo_store) / "demo.duckdb"


@pytest.fixture(scope="session")
def key(tmp_path_factory):
    """The Commission's key file (KEYFILE.pub beside it)."""
    path = tmp_path_factory.mktemp("key") / "commission.pem"
    signing.generate(path)
    return path


@pytest.fixture(scope="session")
def private(key):
    return signing.load_private(key)


@pytest.fixture(scope="session")
def figures(demo_path):
    """The demo district's figures, computed once for every language and format."""
    with open_store(demo_path, read_only=True) as store:
        return render.compute_figures(store, "310106")
