"""Frames handed to SQL arrive whole and in order, however they are cut for DuckDB's threads."""

import duckdb
import polars as pl

from districtlens.store.db import ROW_GROUP, register_frame


def test_a_frame_of_one_chunk_is_read_whole_and_in_order():
    frame = pl.DataFrame({"i": range(2 * ROW_GROUP + 7), "s": [str(i) for i in range(2 * ROW_GROUP + 7)]}).rechunk()
    con = duckdb.connect()
    register_frame(con, "incoming", frame)
    assert con.sql("SELECT * FROM incoming").pl().equals(frame)
    assert con.sql("SELECT count(*), sum(i) FROM incoming").fetchone() == (frame.height, frame["i"].sum())


def test_an_empty_frame_keeps_its_columns():
    con = duckdb.connect()
    register_frame(con, "incoming", pl.DataFrame(schema={"uscc": pl.String, "year": pl.Int32}))
    assert con.sql("SELECT * FROM incoming").columns == ["uscc", "year"]
