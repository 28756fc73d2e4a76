"""The linker on a labelled, generated evaluation set: pairwise precision and recall, against the
baseline of exact credit code plus cleaned name; and the clustering rules on small cases."""

import json

import polars as pl
import pytest

from districtlens.errors import InputError
from districtlens.resolve import DEFAULT_THRESHOLD
from districtlens.resolve.linker import (
    MUTUAL_BEST_FLOOR,
    calibrate_threshold,
    cluster,
    prepare,
    resolve,
)
from districtlens.resolve.names import parse_names
from districtlens.resolve.synthetic import generate

N_ENTERPRISES = 1500


def true_pairs(frame: pl.DataFrame, key: str) -> set[tuple[str, str]]:
    f = frame.select("record_id", key)
    p = f.join(f, on=key).filter(pl.col("record_id") < pl.col("record_id_right"))
    return set(zip(p["record_id"].to_list(), p["record_id_right"].to_list(), strict=True))


def precision_recall(predicted: set, truth: set) -> tuple[float, float]:
    hits = len(predicted & truth)
    return hits / max(1, len(predicted)), hits / len(truth)


# The generated set is resolved once (module fixtures): keep the module on one xdist worker.
pytestmark = pytest.mark.xdist_group("linker")


@pytest.fixture(scope="module")
def labelled():
    return generate(N_ENTERPRISES, seed=11)


@pytest.fixture(scope="module")
def resolved(labelled):
    return resolve(labelled.drop("source", "entity_id"))


def baseline_clusters(records: pl.DataFrame) -> pl.DataFrame:
    """Exact credit code, then identical cleaned names (no model, no legal-form/region rules)."""
    features = prepare(records).with_columns(
        pl.lit(None, pl.Utf8).alias("legal_form"), pl.lit(None, pl.Utf8).alias("location")
    )
    named = records.select("record_id", parse_names(records["name"])["clean"].alias("clean"))
    same = named.join(named, on="clean").filter(pl.col("record_id") < pl.col("record_id_right"))
    pairs = same.select(
        pl.col("record_id").alias("record_id_l"),
        pl.col("record_id_right").alias("record_id_r"),
        pl.lit(1.0).alias("match_probability"),
    )
    return cluster(features, pairs, 0.5)


def test_pairwise_precision_and_recall_beat_the_targets_and_the_baseline(labelled, resolved):
    truth = true_pairs(labelled, "entity_id")
    precision, recall = precision_recall(true_pairs(resolved.clusters, "cluster_id"), truth)
    base_p, base_r = precision_recall(
        true_pairs(baseline_clusters(labelled.drop("source", "entity_id")), "cluster_id"), truth
    )
    print(
        f"\nevaluation set: {labelled.height} records, {labelled['entity_id'].n_unique()} "
        f"enterprises, {len(truth)} true pairs, threshold {resolved.threshold}"
    )
    print(f"model:    pairwise precision {precision:.4f}  recall {recall:.4f}")
    print(f"baseline: pairwise precision {base_p:.4f}  recall {base_r:.4f} (exact code + cleaned name)")
    assert precision >= 0.98
    assert recall >= 0.95
    assert recall > base_r + 0.2


def test_every_record_gets_one_row_and_a_weakest_link(labelled, resolved):
    out = resolved.clusters
    assert out.columns == ["record_id", "cluster_id", "match_probability"]
    assert sorted(out["record_id"].to_list()) == sorted(labelled["record_id"].to_list())
    multi = out.filter(pl.col("cluster_id").is_duplicated())
    # Below the threshold only a mutual best link between two forms of name (full, short, English).
    assert multi["match_probability"].min() >= MUTUAL_BEST_FLOOR
    assert multi["match_probability"].median() >= DEFAULT_THRESHOLD
    assert (
        out.filter(~pl.col("cluster_id").is_duplicated())["match_probability"].null_count() == out.height - multi.height
    )


def test_hard_negatives_stay_apart(labelled, resolved):
    """Registry records of different enterprises (other city, business words, legal form) never
    share a cluster, even where their trade names are equal."""
    registry = labelled.filter(pl.col("source") == "registry").join(resolved.clusters, on="record_id")
    assert registry["cluster_id"].n_unique() == registry.height


def test_evidence_gives_each_fields_weight(resolved):
    """Per field, the bits it added to the match weight: the strongest pair agrees on the trade
    name; every pair's field weights and prior sum to its match weight's sign."""
    strongest = json.loads(resolved.pairs.sort("match_probability")["evidence"][-1])
    assert set(strongest) == {
        "uscc",
        "trade",
        "short_name",
        "romanised",
        "translated_rest",
        "business",
        "legal_form",
        "location",
        "address",
    }
    assert strongest["trade"] > 0
    weakest = json.loads(resolved.pairs.sort("match_probability")["evidence"][0])
    assert min(weakest.values()) < max(strongest.values())


def test_a_labelled_sample_calibrates_the_threshold(labelled, resolved):
    sample = labelled.sample(600, seed=3)
    f = sample.select("record_id", "entity_id")
    labels = (
        f.join(f, how="cross")
        .filter(pl.col("record_id") < pl.col("record_id_right"))
        .select(
            pl.col("record_id").alias("record_id_l"),
            pl.col("record_id_right").alias("record_id_r"),
            (pl.col("entity_id") == pl.col("entity_id_right")).alias("is_match"),
        )
    )
    strict = calibrate_threshold(resolved.pairs, labels, min_precision=0.999)
    loose = calibrate_threshold(resolved.pairs, labels, min_precision=0.9)
    assert 0 < loose <= strict <= 1
    print(f"\ncalibrated thresholds: {loose:.3f} for precision 0.9, {strict:.3f} for 0.999")


def test_clustering_never_joins_two_credit_codes_through_a_chain():
    features = pl.DataFrame(
        {
            "unique_id": ["a", "b", "c"],
            "uscc": ["X", None, "Y"],
            "legal_form": [None, None, None],
            "location": [None, None, None],
            "form": ["full", "full", "full"],
            "clean": ["甲公司", "乙公司", "丙公司"],
            "core": ["甲", "乙", "丙"],
            "trade_key": ["甲", "乙", "丙"],
        }
    )
    pairs = pl.DataFrame({"record_id_l": ["a", "b"], "record_id_r": ["b", "c"], "match_probability": [0.99, 0.97]})
    out = dict(cluster(features, pairs, 0.9).select("record_id", "cluster_id").iter_rows())
    assert out == {"a": "a", "b": "a", "c": "c"}


def test_clustering_keeps_a_joint_stock_company_apart_from_a_limited_one():
    features = pl.DataFrame(
        {
            "unique_id": ["a", "b", "c"],
            "uscc": [None, None, None],
            "legal_form": ["ltd", None, "joint_stock"],
            "location": ["上海", None, "上海"],
            "form": ["full", "short", "full"],
            "clean": ["甲有限公司", "甲", "甲股份有限公司"],
            "core": ["甲", "甲", "甲"],
            "trade_key": ["甲", "甲", "甲"],
        }
    )
    pairs = pl.DataFrame({"record_id_l": ["a", "b"], "record_id_r": ["b", "c"], "match_probability": [0.95, 0.99]})
    got = cluster(features, pairs, 0.9)
    out = dict(got.select("record_id", "cluster_id").iter_rows())
    assert out == {"a": "a", "b": "b", "c": "b"}
    assert dict(got.select("record_id", "match_probability").iter_rows())["a"] is None


def test_duplicate_record_ids_are_refused():
    with pytest.raises(InputError, match="more than once"):
        resolve(pl.DataFrame({"record_id": ["1", "1"], "name": ["甲公司", "乙公司"]}))


def test_a_blocking_rule_is_counted_with_its_conditions():
    """A rule that meets short names with full ones is charged the pairs it gives (each short name
    with each full name of its key), not every pair of the key: four full names and one short name
    that begin alike give 4 pairs under the short-full rule, 10 under a rule on the key alone."""
    from districtlens.resolve.linker import _pairs_of_rule

    frame = pl.DataFrame(
        {
            "core_head": ["安洁"] * 5 + ["隧道"] * 2,
            "form": ["full"] * 4 + ["short", "full", "full"],
            "script": ["zh"] * 7,
        }
    )
    short_full = "l.core_head = r.core_head AND l.form <> r.form AND l.script = 'zh' AND r.script = 'zh'"
    assert _pairs_of_rule([frame], short_full) == 4
    assert _pairs_of_rule([frame], "l.core_head = r.core_head") == 10 + 1
    assert _pairs_of_rule([frame.head(0)], short_full) == 0
