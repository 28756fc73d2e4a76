"""Frames and values handed to SQL arrive as given: frames whole and in order, however they are
cut for DuckDB's threads; values written into the text of a statement."""

import duckdb
import polars as pl
import pytest

from districtlens.store.db import ROW_GROUP, register_frame, sql_literal


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


@pytest.mark.parametrize("value", ["O'Brien; DROP TABLE x; --", "上海市静安区", "", 0, -7, True, False, None])
def test_a_value_written_into_sql_reads_back_as_given(value):
    assert duckdb.connect().execute(f"SELECT {sql_literal(value)}").fetchone()[0] == value
