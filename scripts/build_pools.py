"""Build the two candidate pools the demo ships (src/districtlens/refdata/pools/), from public data:

- cn-listed-sample.csv: the Chinese listed companies of shared/data/cn-listed-companies/names-dev.csv,
  a SAMPLE (the firms whose stock code ends in an even digit, half of them): full name, English
  name, registered address (or province and city), sector (the 2022 sector label, else the CSRC
  gate);
- fortune-global-500-2017.csv: the Fortune Global 500 of 2017 (refdata), placed by country, with
  the industry translated into Chinese (the table below is a translation, not a list of firms).

Run: python scripts/build_pools.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "districtlens" / "refdata" / "pools"
COLUMNS = ("firm_id", "name", "name_en", "country", "address", "sector", "sector_en", "revenue", "employees", "rank")

FORTUNE_INDUSTRY_ZH = {
    "Aerospace and Defense": "航空航天与防务",
    "Airlines": "航空",
    "Apparel": "服饰",
    "Banks: Commercial and Savings": "银行",
    "Beverages": "饮料",
    "Building Materials, Glass": "建材与玻璃",
    "Chemicals": "化工",
    "Computer Software": "计算机软件",
    "Computers, Office Equipment": "计算机与办公设备",
    "Construction and Farm Machinery": "工程与农用机械",
    "Diversified Financials": "多元金融",
    "Electronics, Electrical Equip.": "电子与电气设备",
    "Energy": "能源",
    "Engineering, Construction": "工程建筑",
    "Entertainment": "娱乐",
    "Food Consumer Products": "食品消费品",
    "Food Production": "食品生产",
    "Food Services": "餐饮服务",
    "Food and Drug Stores": "食品与药品零售",
    "General Merchandisers": "综合零售",
    "Health Care: Insurance and Managed Care": "健康保险与管理式医疗",
    "Health Care: Medical Facilities": "医疗机构",
    "Health Care: Pharmacy and Other Services": "药房与其他医疗服务",
    "Household and Personal Products": "家庭与个人用品",
    "Industrial Machinery": "工业机械",
    "Information Technology Services": "信息技术服务",
    "Insurance: Life, Health (Mutual)": "人寿与健康保险（相互制）",
    "Insurance: Life, Health (stock)": "人寿与健康保险（股份制）",
    "Insurance: Property and Casualty (Mutual)": "财产与意外保险（相互制）",
    "Insurance: Property and Casualty (Stock)": "财产与意外保险（股份制）",
    "Internet Services and Retailing": "互联网服务与零售",
    "Mail, Package, and Freight Delivery": "邮政快递与货运",
    "Medical Products and Equipment": "医疗产品与设备",
    "Metals": "金属",
    "Mining, Crude-Oil Production": "采矿与原油生产",
    "Miscellaneous": "其他",
    "Motor Vehicles and Parts": "汽车及零部件",
    "Network and Other Communications Equipment": "网络与通信设备",
    "Oil & Gas Equipment Services": "油气设备与服务",
    "Petroleum Refining": "炼油",
    "Pharmaceuticals": "制药",
    "Pipelines": "管道运输",
    "Railroads": "铁路",
    "Real estate": "房地产",
    "Semiconductors and Other Electronic Components": "半导体与其他电子元件",
    "Shipping": "航运",
    "Specialty Retailers": "专业零售",
    "Telecommunications": "电信",
    "Temporary Help": "人力资源服务",
    "Textiles": "纺织",
    "Tobacco": "烟草",
    "Trading": "贸易",
    "Travel Services": "旅游服务",
    "Utilities": "公用事业",
    "Wholesalers: Diversified": "综合批发",
    "Wholesalers: Electronics and Office Equipment": "电子与办公设备批发",
    "Wholesalers: Food and Grocery": "食品杂货批发",
    "Wholesalers: Health Care": "医药批发",
}


def first_present(*columns: str) -> pl.Expr:
    return pl.coalesce([pl.col(c).str.strip_chars().replace("", None) for c in columns])


def cn_listed(shared: Path) -> pl.DataFrame:
    names = pl.read_csv(shared / "cn-listed-companies" / "names-dev.csv", infer_schema=False)
    gate = pl.col("industry_csrc_szse_2025").str.split(" ").list.get(1, null_on_oob=True)
    return names.select(
        ("cn-" + pl.col("code")).alias("firm_id"),
        first_present("full_szse_2025", "full_tushare_2022", "full_chainkg_2021").alias("name"),
        first_present("english_szse_2025", "english_sse_2025").alias("name_en"),
        pl.lit("China").alias("country"),
        pl.coalesce(
            first_present("reg_address_szse_2025"),
            pl.concat_str(first_present("area_tushare_2022"), first_present("city_szse_2025"), ignore_nulls=True),
        ).alias("address"),
        pl.coalesce(first_present("industry_tushare_2022"), gate).alias("sector"),
        pl.lit(None, dtype=pl.String).alias("sector_en"),
        pl.lit(None, dtype=pl.String).alias("revenue"),
        pl.lit(None, dtype=pl.String).alias("employees"),
        pl.lit(None, dtype=pl.String).alias("rank"),
    ).filter(pl.col("name").is_not_null())


def fortune() -> pl.DataFrame:
    table = pl.read_csv(ROOT / "src" / "districtlens" / "refdata" / "fortune-global-500-2017.csv", infer_schema=False)
    return table.select(
        ("fg500-" + pl.col("rank")).alias("firm_id"),
        pl.col("company").alias("name"),
        pl.col("company").alias("name_en"),
        pl.col("country"),
        pl.lit(None, dtype=pl.String).alias("address"),
        pl.col("industry").replace_strict(FORTUNE_INDUSTRY_ZH).alias("sector"),
        pl.col("industry").alias("sector_en"),
        pl.lit(None, dtype=pl.String).alias("revenue"),
        pl.lit(None, dtype=pl.String).alias("employees"),
        pl.col("rank"),
    )


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data")
    OUT.mkdir(parents=True, exist_ok=True)
    cn_listed(shared).select(COLUMNS).write_csv(OUT / "cn-listed-sample.csv")
    fortune().select(COLUMNS).write_csv(OUT / "fortune-global-500-2017.csv")


if __name__ == "__main__":
    main()
