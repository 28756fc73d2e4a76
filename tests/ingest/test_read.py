"""Files as they arrive: encodings, line endings, XLSX."""

import datetime as dt

import pytest
from openpyxl import Workbook

from districtlens.errors import DistrictlensError
from districtlens.ingest import read
from districtlens.ingest.read import ROW, read_table
from tests.helpers import make_uscc, write_csv

ROWS = [{"uscc": make_uscc(1), "name": "上海静安生物医药有限公司", "address": "上海市静安区江场三路1号"}]


@pytest.mark.parametrize(
    ("encoding", "newline", "detected"),
    [
        ("utf-8", "\n", "utf-8"),
        ("utf-8-sig", "\r\n", "utf-8-sig"),
        ("gb18030", "\r\n", "gb18030"),
        ("gbk", "\n", "gb18030"),
    ],
)
def test_csv_encodings_and_line_endings(tmp_path, encoding, newline, detected):
    path = write_csv(tmp_path / "r.csv", ROWS, encoding=encoding, newline=newline)
    table = read_table(path)
    assert table.encoding == detected
    assert table.frame.drop(ROW).to_dicts() == ROWS
    assert table.frame[ROW].to_list() == [2]


def test_xlsx_with_dates_numbers_and_blank_rows(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "企业名称", "成立日期", "营业收入(万元)"])
    sheet.append([make_uscc(1), "甲", dt.datetime(2021, 3, 5), 1234.5])
    sheet.append([None, None, None, None])
    sheet.append([make_uscc(2), "乙", "2020/1/2", 7])
    book.save(tmp_path / "r.xlsx")
    table = read_table(tmp_path / "r.xlsx")
    assert table.frame.to_dicts() == [
        {
            "统一社会信用代码": make_uscc(1),
            "企业名称": "甲",
            "成立日期": "2021-03-05",
            "营业收入(万元)": "1234.5",
            ROW: 2,
        },
        {"统一社会信用代码": make_uscc(2), "企业名称": "乙", "成立日期": "2020/1/2", "营业收入(万元)": "7", ROW: 4},
    ]


def test_unreadable_inputs_get_clear_errors(tmp_path):
    with pytest.raises(DistrictlensError, match="no file at"):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DistrictlensError, match="empty"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "r.json").write_text("{}")
    with pytest.raises(DistrictlensError, match=".csv or .xlsx"):
        read_table(tmp_path / "r.json")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(DistrictlensError, match="XLSX"):
        read_table(tmp_path / "bad.xlsx")


def gb18030_roster(lines: int) -> bytes:
    rows = [f"{make_uscc(i)},上海样本{i}信息科技有限公司,上海市静安区南京西路{i}号,𠀀{i}" for i in range(lines)]
    return ("uscc,name,address,tags\r\n" + "\r\n".join(rows) + "\r\n").encode("gb18030")


def test_a_large_gb18030_file_is_decoded_in_parts_exactly(monkeypatch):
    raw = gb18030_roster(3000)  # 𠀀 is a four-byte GB18030 character
    monkeypatch.setattr(read, "PARALLEL_DECODE_FROM", len(raw) // 3)
    parts = read._line_parts(raw, 2)
    assert len(parts) == 2 and bytes(parts[0][1]).endswith(b"\n")
    assert read.to_utf8(raw) == (raw.decode("gb18030").encode("utf-8"), "gb18030")


@pytest.mark.parametrize("where", [0.25, 0.75])  # in the part decoded here, in the child's part
def test_an_undecodable_byte_is_named_by_its_offset_in_the_whole_file(monkeypatch, where):
    raw = bytearray(gb18030_roster(3000))
    monkeypatch.setattr(read, "PARALLEL_DECODE_FROM", len(raw) // 3)
    offset = raw.index(b",", int(len(raw) * where))
    raw[offset] = 0xFF  # never a GB18030 byte
    with pytest.raises(DistrictlensError, match=f"undecodable byte at offset {offset}"):
        read.to_utf8(bytes(raw))


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("a" * 9 + "静安区" * 5, "utf-8"),  # three-byte characters across the 10-byte parts
        ("a" * 9 + "𠀀" * 5, "utf-8"),  # four-byte characters across them
        ("a" * 40 + "静安区", "gb18030"),  # plain ASCII for several parts, then GB18030
        ("静安区" * 2 + "a" * 40, "gb18030"),  # GB18030 from the first part
    ],
)
def test_the_encoding_is_told_by_the_whole_file_checked_in_parts(monkeypatch, text, encoding):
    monkeypatch.setattr(read, "UTF8_PROBE", 10)
    raw = text.encode(encoding)
    assert read.to_utf8(raw) == (text.encode("utf-8"), encoding)


def test_a_file_cut_inside_a_utf8_character_is_not_utf8(monkeypatch):
    monkeypatch.setattr(read, "UTF8_PROBE", 4)
    assert not read._is_utf8("abc静".encode()[:-1])
    assert read._is_utf8("abc静".encode())
