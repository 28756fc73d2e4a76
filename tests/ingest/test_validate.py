"""Every rule that makes a roster row invalid, and the rows it must accept."""

import polars as pl
import pytest

from districtlens.errors import DistrictlensError
from districtlens.ingest.read import ROW
from districtlens.ingest.validate import (
    is_valid_uscc,
    uscc_check_char,
    valid_uscc_mask,
    validate,
)
from tests.helpers import make_uscc


def frame(rows: list[dict]) -> pl.DataFrame:
    return (
        pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.Utf8))
        .with_row_index(ROW, offset=2)
        .with_columns(pl.col(ROW).cast(pl.Int64))
    )


def base(**overrides) -> dict:
    row = {
        "uscc": make_uscc(1),
        "name": "上海甲公司",
        "industry_code": "2710",
        "founded": "2021-03-05",
        "year": "2023",
        "revenue": "100",
        "employees": "5",
    }
    row.update(overrides)
    return row


def reasons(rows) -> list[tuple[int, str]]:
    return [(e["row"], e["column"]) for e in validate(frame(rows)).errors.to_dicts()]


def test_check_character_matches_published_codes():
    # Codes of well-known companies as published in China's enterprise credit system
    # (Shenzhen Tencent Computer Systems, Huawei Technologies, Alibaba (China) Network Technology ...).
    for code in (
        "9144030071526726XG",
        "914403001922038216",
        "91330100799655058B",
        "91110000802100433B",
        "911100007109250324",
    ):
        assert is_valid_uscc(code), code
        assert uscc_check_char(code[:17]) == code[17]
    assert not is_valid_uscc("9144030071526726XH")
    assert not is_valid_uscc("9144030071526726X")


def test_vectorised_check_agrees_with_scalar():
    codes = [make_uscc(i) for i in range(50)] + ["", None, "91310106MA0000001O", "X" * 18, "９" * 6]
    mask = valid_uscc_mask(pl.Series(codes, dtype=pl.Utf8))
    assert mask.tolist() == [
        c is not None and len(c) == 18 and uscc_check_char(c[:17]) == c[17]
        if c and all(ch in "0123456789ABCDEFGHJKLMNPQRTUWXY" for ch in c)
        else False
        for c in codes
    ]


@pytest.mark.parametrize(
    ("override", "column"),
    [
        ({"uscc": ""}, "uscc"),
        ({"uscc": make_uscc(1)[:17] + ("0" if make_uscc(1)[17] != "0" else "1")}, "uscc"),
        ({"name": "  "}, "name"),
        ({"industry_code": "271"}, "industry_code"),
        ({"industry_code": "9999"}, "industry_code"),
        ({"revenue": "12,3a"}, "revenue"),
        ({"revenue": "-5"}, "revenue"),
        ({"revenue": "NaN"}, "revenue"),
        ({"tax": "inf"}, "tax"),
        ({"rd_spend": "-1e400"}, "rd_spend"),
        ({"employees": "many"}, "employees"),
        ({"founded": "2021-02-30"}, "founded"),
        ({"founded": "yesterday"}, "founded"),
        ({"year": "20x3"}, "year"),
    ],
)
def test_each_invalid_rule(override, column):
    assert reasons([base(**override)]) == [(2, column)]


@pytest.mark.parametrize("founded", ["2021-03-05", "2021/3/5", "2021年3月5日", "20210305", "44260"])
def test_accepted_date_forms(founded):
    checked = validate(frame([base(founded=founded)]))
    assert checked.errors.is_empty()
    assert str(checked.rows["founded"][0]) == "2021-03-05"


def test_a_column_mixing_date_forms_reads_each_cell():
    forms = ["2021-03-05", "2021/3/5", None, "2021年3月5日", "20210305", "44260", "2021.03.05", " ", "2021-02-30"]
    rows = [base(uscc=make_uscc(i), founded=form) for i, form in enumerate(forms)]
    checked = validate(frame(rows))
    # 44260 among written dates is no Excel serial (a text column is read so only when every cell
    # is one); the 30th of February is on the last row.
    assert reasons(rows) == [(7, "founded"), (10, "founded")]
    founded = dict(zip(checked.rows["uscc"], checked.rows["founded"].cast(pl.String), strict=True))
    assert [founded.get(make_uscc(i)) for i in (0, 1, 2, 3, 4, 6, 7)] == ["2021-03-05"] * 2 + [None] + [
        "2021-03-05"
    ] * 3 + [None]


@pytest.mark.parametrize(("revenue", "stored"), [("", None), ("0", 0.0), ("-0", -0.0), (" 1e3 ", 1000.0)])
def test_blank_zero_and_exponent_numbers_are_taken(revenue, stored):
    checked = validate(frame([base(revenue=revenue)]))
    assert checked.errors.is_empty() and checked.rows["revenue"][0] == stored


def test_thousands_separator_parses():
    checked = validate(frame([base(revenue="1,234.50")]))
    assert checked.rows["revenue"][0] == 1234.5


def test_a_repeat_and_a_conflict_on_one_key():
    rows = [base(), base(), base(revenue="101"), base(year="2022"), base(year="2022")]
    checked = validate(frame(rows))
    assert sorted(e["row"] for e in checked.errors.to_dicts()) == [2, 4]  # the repeat (row 3) is no conflict
    assert checked.duplicates == 2 and checked.rows["year"].to_list() == [2022]


def test_same_key_with_other_values_invalidates_both_rows():
    rows = [base(), base(revenue="101"), base(year="2022")]
    checked = validate(frame(rows))
    assert sorted(e["row"] for e in checked.errors.to_dicts()) == [2, 3]
    assert checked.rows.height == 1 and checked.rows["year"][0] == 2022


def test_a_conflict_in_a_file_with_invalid_rows_names_the_other_rows():
    """Once a list set-difference over these rows panicked in polars; the import lost everything."""
    rows = [base(revenue="-1"), base(year="2022"), base(year="2022", revenue="7"), base(year="2022", revenue="8")]
    conflicts = validate(frame(rows)).errors.filter(pl.col("key") == "import.reason.same_key_conflict")
    assert conflicts.select("row", "values").rows() == [
        (3, '{"rows":"4, 5"}'),
        (4, '{"rows":"3, 5"}'),
        (5, '{"rows":"3, 4"}'),
    ]


def test_identical_rows_are_duplicates_not_errors():
    checked = validate(frame([base(), base(), base(year="2022")]))
    assert checked.errors.is_empty()
    assert checked.duplicates == 1 and checked.rows.height == 2


def test_text_is_kept_exactly():
    name = '=HYPERLINK("x") <b>上海</b> +@-'
    checked = validate(frame([base(name=name)]))
    assert checked.rows["name"][0] == name


def test_chinese_headers_and_fullwidth_brackets():
    rows = [
        {
            "统一社会信用代码": make_uscc(3),
            "企业名称": "乙",
            "行业代码": "6513",
            "营业收入（万元）": "7",
            "年份": "2024",
        }
    ]
    checked = validate(frame(rows))
    assert checked.errors.is_empty()
    assert checked.rows.select("uscc", "revenue", "year").row(0) == (make_uscc(3), 7.0, 2024)


def test_missing_required_column_is_a_schema_error():
    with pytest.raises(DistrictlensError, match="uscc"):
        validate(frame([{"name": "x"}]))


def test_two_headers_for_one_column_is_a_schema_error():
    with pytest.raises(DistrictlensError, match="both mean 'name'"):
        validate(frame([{"uscc": make_uscc(1), "name": "a", "企业名称": "b"}]))


def test_repeats_collapse_before_conflicts_and_blank_cells_compare_equal():
    # Rows 2 and 3 are the same (blank tax in both): one repeat. Row 4 has the key with another
    # revenue: a conflict with the row kept of 2-3. Rows 5 and 6 are other keys, kept in file order.
    rows = [base(tax=""), base(tax=""), base(tax="", revenue="999"), base(year="2021"), base(year="2020")]
    checked = validate(frame(rows))
    assert checked.duplicates == 1
    assert sorted({e["row"] for e in checked.errors.to_dicts()}) == [2, 4]
    assert checked.rows["year"].to_list() == [2021, 2020]
