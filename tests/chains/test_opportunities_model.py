"""`targets --opportunities` ranks by the entry model when one is given or stored, by relatedness
density otherwise, and says which; a model file skops refuses, or of other features, is refused.

The model is a real one: fitted on a slice of Massachusetts' County Business Patterns (2017 ->
2021), as `backtest --save-model` fits and saves it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from districtlens.commands.metrics import load_model, save_model
from districtlens.metrics import Columns
from districtlens.metrics.backtest import panel_transitions
from districtlens.metrics.predict import FEATURES, fit_model
from districtlens.store import open_store
from tests.chains.builders import DANING_STREET, HUANGPU, JINGAN, PUDONG, XUHUI, Firm, write_firms
from tests.metrics.conftest import cbp

DISTRICTS = (JINGAN, HUANGPU, XUHUI, PUDONG, "310105", "310107")
CLASSES = ("5212", "6520", "3973", "7320", "2710", "2720", "6510", "6513", "7240", "7310", "3971", "3972")


# The module builds its stores once (module fixtures): keep it on one xdist worker.
pytestmark = pytest.mark.xdist_group("opportunities-model")


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    panel = cbp("MA", 2017, 2021)
    training = panel_transitions(panel, Columns("Fips", "Naics", "Establishments", "year"), 2017, 2021)
    path = tmp_path_factory.mktemp("model") / "entry.skops"
    save_model(
        path,
        fit_model([training], seed=0),
        {
            "features": list(FEATURES),
            "convention": "stata",
            "threshold": 1.0,
            "seed": 0,
            "training": [
                {
                    "file": "US-MA-census-naics4-counties.csv",
                    "from": 2017,
                    "to": 2021,
                    "candidates": training.height,
                    "entries": int(training.get_column("entered").sum()),
                }
            ],
        },
    )
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Six districts, twelve classes, uneven counts (seeded): Jing'an lacks several classes."""
    rng = np.random.default_rng(7)
    firms, n = [], 0
    for d, district in enumerate(DISTRICTS):
        for c, code in enumerate(CLASSES):
            count = int(rng.integers(0, 9)) if (d + c) % 3 else 0
            for _ in range(count):
                n += 1
                street = DANING_STREET if district == JINGAN else None
                firms.append(Firm(n, f"firm-{n}", district, code, street=street))
    path = tmp_path_factory.mktemp("store") / "x.duckdb"
    with open_store(path) as store:
        write_firms(store, firms)
    return path


def opportunities(cli, db, *extra):
    result = cli(
        "targets", "biopharma", "--area", JINGAN, "--opportunities", "--top", "50", "--db", db, "--json", *extra
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_density_without_a_model_and_the_model_with_one(cli, db, model_file):
    plain = opportunities(cli, db)
    assert (plain["ranked_by"], plain["model"]) == ("density", None)
    ranked = opportunities(cli, db, "--model", model_file)
    assert ranked["ranked_by"] == "model"
    assert ranked["model"]["source"] == str(model_file)
    assert ranked["model"]["training"][0]["from"] == 2017 and ranked["model"]["training"][0]["to"] == 2021
    rows = ranked["opportunities"]
    assert len(rows) >= 3
    assert {r["industry_code"] for r in rows} == {r["industry_code"] for r in plain["opportunities"]}
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)  # best first by the model's probability
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert all("entry model's probability" in r["why"] for r in rows)
    # The probability is not the density score renamed.
    by_code = {r["industry_code"]: r["score"] for r in plain["opportunities"]}
    assert [by_code[r["industry_code"]] for r in rows] != scores


def test_the_human_output_says_which(cli, db, model_file):
    plain = cli("targets", "biopharma", "--area", JINGAN, "--opportunities", "--db", db)
    assert "Ranked by relatedness density" in plain.output
    ranked = cli("targets", "biopharma", "--area", JINGAN, "--opportunities", "--model", model_file, "--db", db)
    assert "Ranked by the entry model's probability" in ranked.output
    assert "2017-2021" in ranked.output


def test_a_bad_model_file_is_refused(cli, db, model_file, tmp_path):
    garbage = tmp_path / "garbage.skops"
    garbage.write_bytes(b"not a zip file")
    result = cli("targets", "biopharma", "--area", JINGAN, "--opportunities", "--model", garbage, "--db", db)
    assert result.exit_code == 1
    other = tmp_path / "other.skops"
    save_model(other, load_model(model_file)["model"], {"features": ["density"], "training": []})
    result = cli("targets", "biopharma", "--area", JINGAN, "--opportunities", "--model", other, "--db", db, "--json")
    assert result.exit_code == 1
    assert '"key": "metrics.model_features_mismatch"' in result.output


def test_a_stored_model_ranks_without_the_option(cli, db, model_file, tmp_path):
    store_copy = tmp_path / "copy.duckdb"
    store_copy.write_bytes(db.read_bytes())
    shown = json.loads(cli("entry-model", "show", "--db", store_copy, "--json").output)
    assert shown == {"model": None}
    result = cli("entry-model", "set", model_file, "--db", store_copy, "--json")
    assert result.exit_code == 0, result.output
    stored = json.loads(result.output)
    assert stored["version"] == 1 and stored["ledger_seq"] is not None
    assert json.loads(cli("entry-model", "show", "--db", store_copy, "--json").output)["model"]["version"] == 1
    from_store = opportunities(cli, store_copy)
    from_file = opportunities(cli, db, "--model", model_file)
    assert from_store["ranked_by"] == "model" and from_store["model"]["source"] == "store"
    assert from_store["opportunities"] == from_file["opportunities"]
    with open_store(store_copy, read_only=True) as store:
        action = store.con.execute("SELECT action FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert action == "entry_model.set"


def test_a_street_is_ranked_by_density_and_says_why(cli, db, model_file):
    """The model scores the regions of the districts' panel: a street is not one of them."""
    result = cli(
        "targets", "biopharma", "--area", DANING_STREET, "--opportunities", "--model", model_file, "--db", db, "--json"
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert (found["ranked_by"], found["model"]) == ("density", None)
    assert "districts only" in found["note"]
