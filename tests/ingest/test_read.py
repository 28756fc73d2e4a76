"""Files as they arrive: encodings, line endings, XLSX."""

import datetime as dt
import io
import re
import struct
import zipfile

import polars as pl
import pytest
from openpyxl import Workbook

from districtlens.errors import DistrictlensError
from districtlens.ingest import read
from districtlens.ingest.read import ROW, Conventions, read_table
from districtlens.ingest.validate import typed_column
from tests.helpers import SHARED_DATA, make_uscc, write_csv

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


REAL_TABLES = sorted(
    p for p in SHARED_DATA.rglob("*.csv") if "held-out" not in p.parts
)  # every public CSV of the shared data


@pytest.mark.skipif(not REAL_TABLES, reason="the shared data is not here")
def test_every_real_csv_reads_as_before_with_no_refusal():
    """The checks refuse nothing real: each file reads cell for cell as a plain read takes it."""
    for path in REAL_TABLES:
        plain = pl.read_csv(path, infer_schema=False)
        assert read_table(path).frame.drop(ROW).equals(plain), path


LISTED = SHARED_DATA / "cn-listed-companies" / "szse-a-shares-dev.csv"


@pytest.mark.skipif(not LISTED.exists(), reason="the shared data is not here")
@pytest.mark.parametrize(
    ("encoding", "newline", "detected"),
    [("gb18030", "\r\n", "gb18030"), ("utf-8-sig", "\n", "utf-8-sig"), ("utf-8", "\r", "utf-8")],
)
def test_a_real_roster_reads_alike_in_every_encoding_and_line_end(tmp_path, encoding, newline, detected):
    text = LISTED.read_text(encoding="utf-8")
    assert "\r" not in text
    path = tmp_path / "listed.csv"
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    table = read_table(path)
    assert table.encoding == detected
    assert table.frame.equals(read_table(LISTED).frame)


@pytest.mark.skipif(not LISTED.exists(), reason="the shared data is not here")
def test_real_thousands_separators_read_and_decimal_commas_do_not():
    frame = read_table(LISTED).frame.select(ROW, pl.col("A股总股本").alias("shares"))
    shares = frame.select(typed_column("shares", "number").value).to_series()
    assert shares.null_count() == 0
    assert shares.to_list() == [float(v.replace(",", "")) for v in frame["shares"]]
    as_decimal_comma = frame.select(typed_column("shares", "number", Conventions(decimal_comma=True)).value)
    grouped = frame["shares"].str.count_matches(",") > 1  # 9,724,196,533 is no decimal
    assert as_decimal_comma.to_series().filter(grouped).null_count() == grouped.sum()


def test_a_cr_only_file_reads_its_rows(tmp_path):
    path = write_csv(tmp_path / "r.csv", ROWS * 3, newline="\r")
    assert read_table(path).frame.drop(ROW).to_dicts() == ROWS * 3


def test_a_blank_trailing_cell_is_no_short_row(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('uscc,name,tags\n1,"a,b",\n2,"x\ny",\n', encoding="utf-8")
    frame = read_table(path).frame
    assert frame.select("name", "tags").rows() == [("a,b", None), ("x\ny", None)]


def test_the_reader_refuses_what_it_cannot_read_exactly(tmp_path):
    cases = {
        "uscc,name,tags\n1,a\n2,b,c\n": "row 2: 2 field(s) where the header has 3",
        "uscc,name\n1,a,b\n": "row 2: 3 fields where the header has 2",
        "uscc,name\n1,a\n2": "ends in the middle of row 3, after column 'uscc'",
        "uscc,name,Name ,name\n": "names column 'name' twice (columns 2 and 4)",
        "uscc,__x\n1,2\n": "column 2 is named '__x'",
        'uscc,name\n1,a\n2,"b': "row 3: the quotes do not close",
    }
    for number, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"r{number}.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DistrictlensError, match=re.escape(message)):
            read_table(path)


def test_an_empty_header_cell_is_named_by_its_position(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("uscc,,\n1,2,3\n", encoding="utf-8")
    assert read_table(path).frame.drop(ROW).columns == ["uscc", "column_2", "column_3"]


def test_a_formula_with_a_saved_text_result_is_read(tmp_path):
    """Excel saves an empty text result as an empty value of type str: that cell is not uncached."""
    book = Workbook()
    book.active.append(["uscc", "name"])
    book.active.append(["1", "a"])
    book.save(tmp_path / "r.xlsx")
    with zipfile.ZipFile(tmp_path / "r.xlsx") as source, zipfile.ZipFile(tmp_path / "s.xlsx", "w") as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="B2".*?</c>', b'<c r="B2" t="str"><f>""</f><v></v></c>', data)
            target.writestr(part, data)
    assert read_table(tmp_path / "s.xlsx").frame["name"].to_list() == [None]


@pytest.mark.parametrize("chunk", [3, 5, 7, 2**20])  # quotes, line ends and fields across chunks
@pytest.mark.parametrize(
    ("text", "miscounted"),
    [
        (b'a,b\n1,"x\ny"\n', False),
        (b'a,b\n1,"x,y"\n\n2,3', False),
        (b'a,b\n1,"x,y"\n2', True),
        (b"a,b\n1,2,3\n", True),
        (b"a,b\r\n1,2\r\n\r\n", False),
        (b'a,b\n"1,,,,,,",2\n', False),
        (b'a,b\n"1,\n,\n,,",2\n3,"4""\n,"\n', False),
        (b'a,b\n"1,\n,\n,,",2\n3,"4""\n,",\n', True),
        (b'a,"b,c"\n1,2\n', False),
    ],
)
def test_fields_are_counted_outside_quotes_across_chunks(monkeypatch, chunk, text, miscounted):
    monkeypatch.setattr(read, "SCAN_CHUNK", chunk)
    assert read._miscounted_record(text, ",", 2) is miscounted


def test_an_xlsx_lying_about_its_sizes_is_refused_at_the_size_it_declares(tmp_path):
    """The limits trust the sizes the zip declares: zipfile inflates no more than a part declares
    and then fails its CRC, so a part that declares 1 KB and holds 8 MiB is refused, not read."""
    book = Workbook()
    book.active.append(["uscc", "name"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    lying = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 2**23)
            target.writestr(part.filename, data)
    raw = bytearray(lying.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", raw, sheet.header_offset + 22, 1024)  # the local header's size
    central = raw.index(b"PK\x01\x02")
    while not raw[central + 46 :].startswith(b"xl/worksheets/sheet1.xml"):
        central = raw.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", raw, central + 24, 1024)  # the central directory's
    (tmp_path / "lying.xlsx").write_bytes(bytes(raw))
    with pytest.raises(DistrictlensError, match="not a readable XLSX workbook"):
        read_table(tmp_path / "lying.xlsx")


def test_a_sheet_broken_off_mid_xml_is_refused_not_a_traceback(tmp_path):
    book = Workbook()
    book.active.append(["uscc", "name"])
    book.active.append(["1", "a"])
    book.save(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as source, zipfile.ZipFile(tmp_path / "cut.xlsx", "w") as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b'<row r="2"') + 8]
            target.writestr(part, data)
    with pytest.raises(DistrictlensError, match="not a readable XLSX workbook"):
        read_table(tmp_path / "cut.xlsx")
