"""The rebuilt tables of the five real PDFs, cell for cell: what facts and answers are made of.

The same printed cells that tests/test_pdf_reader.py finds on the raw grids, asserted here on the
`Table`s after header flattening, two-sided splitting and column-group merging: the row by its
subject code or printed name, the first column whose header path carries the label.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from budgetqa.ingest.models import Document, Table
from budgetqa.ingest.pipeline import read_document
from tests.conftest import PDFS

_DOCS: dict[str, Document] = {}


def doc(name: str) -> Document:
    if name not in _DOCS:
        _DOCS[name] = read_document(PDFS / name)
    return _DOCS[name]


def _bare(name: str) -> str:
    return re.sub(r"^([一二三四五六七八九十]+、|\d+[.、]\s*|其中[:：])", "", re.sub(r"\s", "", name))


def cell(name: str, title: str, key: str, label: str) -> tuple[Decimal | None, int | None]:
    tables: list[Table] = [t for t in doc(name).tables if t.title.split("/")[0] == title]
    assert tables, [t.title for t in doc(name).tables]
    for t in tables:
        for row in t.rows:
            if row.code != key and _bare(row.name) != _bare(key):
                continue
            for col in t.columns:
                if label in col and row.cells.get(col) is not None:
                    return row.cells[col], row.page
    raise AssertionError(f"no cell {key} / {label} in {title}")


CELLS = [
    # putuo-finance: two-sided 总表 continued over a page, 类/款/项 codes, two column groups
    ("putuo-finance-2024-final.pdf", "收入支出决算总表", "一、一般公共预算财政拨款收入", "决算数", "2940.05", 6),
    ("putuo-finance-2024-final.pdf", "收入支出决算总表", "八、社会保障和就业支出", "决算数", "326.71", 6),
    ("putuo-finance-2024-final.pdf", "收入支出决算总表", "年初结转和结余", "决算数", "49.14", 7),
    ("putuo-finance-2024-final.pdf", "收入支出决算总表", "年末结转和结余", "决算数", "55.34", 7),
    ("putuo-finance-2024-final.pdf", "收入决算表", "合计", "本年收入合计", "2946.25", 8),
    ("putuo-finance-2024-final.pdf", "收入决算表", "2010601", "财政拨款收入", "1511.89", 8),
    ("putuo-finance-2024-final.pdf", "收入决算表", "2010601", "其他收入", "0.01", 8),
    ("putuo-finance-2024-final.pdf", "收入决算表", "2101101", "本年收入合计", "60.99", 9),
    ("putuo-finance-2024-final.pdf", "支出决算表", "2010601", "基本支出", "1503.52", 10),
    ("putuo-finance-2024-final.pdf", "支出决算表", "2080599", "基本支出", "0.94", 11),
    ("putuo-finance-2024-final.pdf", "财政拨款收入支出决算总表", "十九、住房保障支出", "一般公共预算", "445.69", 13),
    ("putuo-finance-2024-final.pdf", "一般公共预算财政拨款基本支出决算表", "30102", "决算数", "1238.58", 16),
    ("putuo-finance-2024-final.pdf", "一般公共预算财政拨款基本支出决算表", "30228", "决算数", "24.42", 17),
    ("putuo-finance-2024-final.pdf", "一般公共预算财政拨款基本支出决算表", "人员经费合计", "决算数", "2152.26", 17),
    ("putuo-finance-2024-final.pdf", "一般公共预算财政拨款基本支出决算表", "公用经费合计", "决算数", "184.65", 17),
    # putuo-socialwork
    ("putuo-socialwork-2024-final.pdf", "收入决算表", "2013999", "财政拨款收入", "202.24", 6),
    ("putuo-socialwork-2024-final.pdf", "支出决算表", "2013901", "基本支出", "51.32", 8),
    ("putuo-socialwork-2024-final.pdf", "支出决算表", "2101101", "基本支出", "2.22", 9),
    ("putuo-socialwork-2024-final.pdf", "财政拨款收入支出决算总表", "十九、住房保障支出", "合计", "29.42", 11),
    ("putuo-socialwork-2024-final.pdf", "一般公共预算财政拨款支出决算表", "合计", "基本支出", "105.58", 12),
    ("putuo-socialwork-2024-final.pdf", "一般公共预算财政拨款基本支出决算表", "30239", "决算数", "2.43", 13),
    # putuo-wanli (元 tables, continuation pages with repeated headers)
    ("putuo-wanli-2025-budget.pdf", "2025年部门财务收支预算总表", "一、财政拨款收入", "预算数", "189767551", 9),
    ("putuo-wanli-2025-budget.pdf", "2025年部门财务收支预算总表", "八、城乡社区支出", "预算数", "154369326", 9),
    ("putuo-wanli-2025-budget.pdf", "2025年部门收入预算总表", "2010507", "财政拨款收入", "438300", 10),
    ("putuo-wanli-2025-budget.pdf", "2025年部门一般公共预算支出功能分类预算表", "2040607", "合计", "300000", 21),
    ("putuo-wanli-2025-budget.pdf", "2025年部门一般公共预算支出功能分类预算表", "2210399", "项目支出", "2177200", 24),
    ("putuo-wanli-2025-budget.pdf", "2025年部门支出预算总表", "合计", "项目支出", "88425805", 18),
    ("putuo-wanli-2025-budget.pdf", "2025年部门一般公共预算基本支出部门预算经济分类预算表", "30231", "公用经费", "215600", 28),
    # shanghai-finance unit budget
    ("shanghai-finance-2025-unit-budget.pdf", "2025年预算单位财务收支预算总表", "一、财政拨款收入", "预算数", "171915169", 7),
    ("shanghai-finance-2025-unit-budget.pdf", "2025年预算单位收入预算总表", "2010601", "合计", "84861719", 8),
    ("shanghai-finance-2025-unit-budget.pdf", "2025年预算单位支出预算总表", "2010601", "基本支出", "84861719", 10),
    ("shanghai-finance-2025-unit-budget.pdf", "2025年预算单位一般公共预算基本支出部门预算经济分类预算表", "30102", "人员经费", "57583760", 17),
    # swu university
    ("swu-university-2023-final.pdf", "高等学校收支决算总表", "三、事业收入", "决算数", "136385.24", 8),
    ("swu-university-2023-final.pdf", "高等学校收支决算总表", "二十三、其他支出", "决算数", "109.50", 9),
    ("swu-university-2023-final.pdf", "高等学校收入决算表", "2050205", "教育收费", "72670.34", 10),
    ("swu-university-2023-final.pdf", "高等学校收入决算表", "2210201", "其他收入", "7952.00", 11),
    ("swu-university-2023-final.pdf", "高等学校支出决算表", "2050205", "基本支出", "296144.16", 12),
    ("swu-university-2023-final.pdf", "高等学校财政拨款支出决算表", "2050205", "基本建设资金", "5536.97", 14),
    ("swu-university-2023-final.pdf", "高等学校财政拨款支出决算表", "2210201", "基本支出", "7448.44", 15),
]


@pytest.mark.parametrize("name, title, key, label, expected, page", CELLS)
def test_rebuilt_cell(name, title, key, label, expected, page):
    assert cell(name, title, key, label) == (Decimal(expected), page)


@pytest.mark.parametrize("name, kind, side, columns", [
    ("putuo-finance-2024-final.pdf", "支出决算表", None,
     ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]),
    ("putuo-finance-2024-final.pdf", "收入支出决算总表", "收入", ["决算数"]),
    ("putuo-wanli-2025-budget.pdf", "支出预算表", None, ["支出预算/合计", "支出预算/基本支出", "支出预算/项目支出"]),
    ("shanghai-finance-2025-unit-budget.pdf", "收支预算总表", "支出",
     ["预算数/合计", "预算数/基本支出/人员经费", "预算数/基本支出/公用经费", "预算数/项目支出"]),
])
def test_header_paths(name, kind, side, columns):
    t = next(t for t in doc(name).tables if t.kind == kind and t.side == side)
    assert t.columns == columns


def test_three_gong_table_of_a_yuan_document_reads_in_wan_yuan():
    t = next(t for t in doc("putuo-wanli-2025-budget.pdf").tables if t.kind == "三公经费支出预算表")
    assert t.unit == "万元"
    row = t.rows[0]
    assert [v for v in row.cells.values() if v is not None][:4] == [Decimal("37.91"), Decimal("0"), Decimal("1.35"),
                                                                      Decimal("36.56")]
