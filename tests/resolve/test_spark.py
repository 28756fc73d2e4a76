"""The same linkage settings on Spark (local mode): the backend for national-scale registries."""

import pytest

from districtlens.resolve.linker import resolve
from districtlens.resolve.synthetic import generate
from tests.resolve.test_linker import precision_recall, true_pairs


@pytest.mark.spark
def test_spark_backend_links_as_well_as_duckdb(spark):
    labelled = generate(80, seed=3)
    records = labelled.drop("source", "entity_id")
    truth = true_pairs(labelled, "entity_id")
    found = {}
    for backend in ("duckdb", "spark"):
        clusters = resolve(records, backend=backend, spark=spark).clusters
        joined = labelled.select("record_id", "entity_id").join(clusters, on="record_id")
        found[backend] = precision_recall(true_pairs(joined, "cluster_id"), truth)
    print(f"pairwise precision, recall: {found}")
    spark_precision, spark_recall = found["spark"]
    assert spark_precision >= 0.95 and spark_recall >= 0.90
    assert abs(spark_recall - found["duckdb"][1]) <= 0.05
