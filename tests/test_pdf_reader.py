"""The PDF reader on the five real PDFs: every standard table found, exact cells where they print.

Cells are asserted on the grids the reader hands over (`RawTable`): a row found by its subject
code (类/款/项 cells joined) or printed name, the value in the first column to its right whose
header carries the label — so two-sided tables and side-by-side column groups read naturally.
Each PDF is parsed once per session.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from budgetqa.ingest.facts import document_facts
from budgetqa.ingest.models import Document, RawTable
from budgetqa.ingest.numbers import parse_amount
from budgetqa.ingest.pdf import parse_pdf

PDFS = Path(__file__).parent / "fixtures" / "pdf"
FINANCE = "putuo-finance-2024-final.pdf"
SOCIAL = "putuo-socialwork-2024-final.pdf"
WANLI = "putuo-wanli-2025-budget.pdf"
SHANGHAI = "shanghai-finance-2025-unit-budget.pdf"
SWU = "swu-university-2023-final.pdf"


_PARSED: dict[str, tuple[Document, list[RawTable]]] = {}


def _parsed(name: str) -> tuple[Document, list[RawTable]]:
    if name not in _PARSED:  # each PDF parsed once per session
        _PARSED[name] = parse_pdf(PDFS / name)
    return _PARSED[name]


def _doc(name: str) -> Document:
    return _parsed(name)[0]


def _raw(name: str, title: str) -> RawTable:
    found = [r for r in _parsed(name)[1] if r.title == title]
    assert len(found) == 1, [r.title for r in _parsed(name)[1]]
    return found[0]


def _keys(row: list[str]) -> list[tuple[str, int]]:
    """(key, last column) for every code (cells 201│06│01 → 2010601) and printed name in a row."""
    keys = []
    for c, cell in enumerate(row):
        if re.fullmatch(r"\d{3}", cell):
            code, end = cell, c
            while end + 1 < len(row) and re.fullmatch(r"\d{2}", row[end + 1]) and len(code) < 7:
                end += 1
                code += row[end]
            keys.append((code, end))
        elif cell:
            keys.append((cell, c))
    return keys


def value(raw: RawTable, key: str, label: str) -> tuple[Decimal | None, int]:
    """The amount for row `key` under the first column right of the key whose header has `label`."""
    header = raw.rows[: raw.header_rows]
    for i, row in enumerate(raw.rows[raw.header_rows:], raw.header_rows):
        for k, end in _keys(row):
            if k != key:
                continue
            for c in range(end + 1, len(row)):
                if any(label in (h[c] if c < len(h) else "") for h in header):
                    return parse_amount(row[c]), raw.row_pages[i]
    raise AssertionError(f"no cell {key} / {label} in {raw.title}")


def test_finance_tables_found_with_kind_and_unit():
    doc = _doc(FINANCE)
    kinds = {(t.kind, t.unit) for t in doc.tables}
    for kind in [
        "收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表",
        "一般公共预算财政拨款支出决算表", "一般公共预算财政拨款基本支出决算明细表", "三公经费支出决算表",
        "政府性基金预算财政拨款收入支出决算表", "国有资本经营预算财政拨款支出决算表",
    ]:
        assert (kind, "万元") in kinds
    assert doc.kind == "决算" and doc.year == 2024 and doc.source_format == "pdf" and doc.pages == 25


@pytest.mark.parametrize(
    "title, key, label, expected, page",
    [
        # two-sided 收入支出决算总表, its last rows on a continuation page
        ("收入支出决算总表", "一、一般公共预算财政拨款收入", "决算数", "2940.05", 6),
        ("收入支出决算总表", "八、社会保障和就业支出", "决算数", "326.71", 6),
        ("收入支出决算总表", "十九、住房保障支出", "决算数", "445.69", 6),
        ("收入支出决算总表", "年初结转和结余", "决算数", "49.14", 7),
        ("收入支出决算总表", "年末结转和结余", "决算数", "55.34", 7),
        # multi-row header, codes split over 类/款/项, 合计 row sharing a line with 类 款 项
        ("收入决算表", "合计", "本年收入合计", "2946.25", 8),
        ("收入决算表", "2010601", "本年收入合计", "1511.90", 8),
        ("收入决算表", "2010601", "财政拨款收入", "1511.89", 8),
        ("收入决算表", "2010601", "其他收入", "0.01", 8),
        ("收入决算表", "2101101", "本年收入合计", "60.99", 9),  # first row of the continuation page
        ("收入决算表", "2210203", "财政拨款收入", "258.50", 9),
        ("支出决算表", "2010601", "基本支出", "1503.52", 10),
        ("支出决算表", "2010601", "项目支出", "8.37", 10),
        ("支出决算表", "2080599", "基本支出", "0.94", 11),
        ("财政拨款收入支出决算总表", "十九、住房保障支出", "一般公共预算", "445.69", 13),
        ("财政拨款收入支出决算总表", "总计", "决算数", "2961.68", 13),
        # economic subjects printed as two column groups side by side
        ("一般公共预算财政拨款基本支出决算表", "30102", "决算数", "1238.58", 16),
        ("一般公共预算财政拨款基本支出决算表", "30201", "决算数", "21.21", 16),
        ("一般公共预算财政拨款基本支出决算表", "30228", "决算数", "24.42", 17),
        ("一般公共预算财政拨款基本支出决算表", "31002", "决算数", "13.58", 17),
        ("一般公共预算财政拨款基本支出决算表", "人员经费合计", "决算数", "2152.26", 17),
        ("一般公共预算财政拨款基本支出决算表", "公用经费合计", "决算数", "184.65", 17),
    ],
)
def test_finance_cells(title, key, label, expected, page):
    assert value(_raw(FINANCE, title), key, label) == (Decimal(expected), page)


def test_finance_sangong_title_split_over_lines_and_its_figures():
    raw = _raw(FINANCE, "财政拨款“三公”经费支出决算表")
    data = raw.rows[raw.header_rows]
    assert raw.unit_line == "单位：万元"
    assert (data[0], data[10]) == ("0.95", "0.95")  # 合计/预算数, 公务接待费/预算数


def test_finance_wide_letter_spacing_and_wrapped_names_are_joined():
    rows = _raw(FINANCE, "一般公共预算财政拨款基本支出决算表").rows
    names = {c for r in rows for c in r}
    assert {"因公出国（境）费用", "公务用车运行维护费", "机关事业单位基本养老保险缴费"} <= names


def test_finance_blank_page_neither_joins_nor_breaks_tables():
    tables = _parsed(FINANCE)[1]
    assert all(14 not in r.row_pages for r in tables)
    assert sorted(set(_raw(FINANCE, "财政拨款收入支出决算总表").row_pages)) == [12, 13]
    assert set(_raw(FINANCE, "一般公共预算财政拨款支出决算表").row_pages) == {15}


def test_finance_prose_keeps_headings_and_leaves_table_lines_out():
    doc = _doc(FINANCE)
    assert not [p for p in doc.paragraphs if p.page in (8, 9, 10, 11, 12, 13, 15, 16, 17)]
    para = next(p for p in doc.paragraphs if "局本部人员经费及公用经费" in p.text.replace(" ", ""))
    assert para.page == 22
    assert para.heading_path[0].startswith("第三部分")


def test_socialwork_tables_and_cells():
    doc = _doc(SOCIAL)
    assert {t.kind for t in doc.tables} >= {
        "收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
        "一般公共预算财政拨款基本支出决算明细表", "三公经费支出决算表",
    }
    assert {t.unit for t in doc.tables if t.kind not in ("other", "单位构成")} == {"万元"}  # 单位构成 prints names only
    cells = [
        ("收入支出决算总表", "一、一般公共预算财政拨款收入", "决算数", "307.82", 5),
        ("收入支出决算总表", "一、一般公共服务支出", "决算数", "264.87", 5),
        ("收入决算表", "2013999", "财政拨款收入", "202.24", 6),
        ("收入决算表", "2210201", "本年收入合计", "17.70", 7),
        ("支出决算表", "2013901", "基本支出", "51.32", 8),
        ("支出决算表", "20139", "项目支出", "202.24", 8),
        ("支出决算表", "2101101", "基本支出", "2.22", 9),
        ("财政拨款收入支出决算总表", "十九、住房保障支出", "合计", "29.42", 11),
        ("一般公共预算财政拨款支出决算表", "2080505", "基本支出", "6.18", 12),
        ("一般公共预算财政拨款支出决算表", "合计", "基本支出", "105.58", 12),
        ("一般公共预算财政拨款基本支出决算表", "30113", "决算数", "17.70", 13),
        ("一般公共预算财政拨款基本支出决算表", "30239", "决算数", "2.43", 13),
        ("一般公共预算财政拨款基本支出决算表", "30299", "决算数", "0.20", 13),
    ]
    for title, key, label, expected, page in cells:
        assert value(_raw(SOCIAL, title), key, label) == (Decimal(expected), page), (title, key)


def test_socialwork_empty_sangong_table_has_no_data_rows():
    raw = _raw(SOCIAL, "财政拨款“三公”经费支出决算表")
    assert raw.rows[raw.header_rows:] == []


def test_wanli_units_differ_by_table():
    doc = _doc(WANLI)
    units = {t.kind: t.unit for t in doc.tables}
    assert units["三公经费支出预算表"] == "万元"
    for kind in ["收支预算总表", "收入预算表", "支出预算表", "财政拨款收支预算总表", "一般公共预算支出预算表",
                 "一般公共预算基本支出预算表", "政府性基金预算支出预算表", "国有资本经营预算支出预算表"]:
        assert units[kind] == "元"


@pytest.mark.parametrize(
    "title, key, label, expected, page",
    [
        ("2025年部门财务收支预算总表", "一、财政拨款收入", "预算数", "189767551", 9),
        ("2025年部门财务收支预算总表", "八、城乡社区支出", "预算数", "154369326", 9),
        ("2025年部门收入预算总表", "2010507", "财政拨款收入", "438300", 10),
    ],
)
def test_wanli_cells(title, key, label, expected, page):
    assert value(_raw(WANLI, title), key, label) == (Decimal(expected), page)


def test_wanli_continuation_pages_drop_repeated_headers():
    raw = _raw(WANLI, "2025年部门一般公共预算支出功能分类预算表")
    assert sorted(set(raw.row_pages)) == [20, 21, 22, 23, 24]
    body = raw.rows[raw.header_rows:]
    assert not [r for r in body if "功能分类科目编码" in r or r[:3] == ["类", "款", "项"]]
    cells = [
        ("2040607", "合计", "300000", 21),  # first row after the repeated header on p21
        ("2080505", "基本支出", "4827156", 22),
        ("2120101", "项目支出", "150000", 23),
        ("2210399", "项目支出", "2177200", 24),
        ("合计", "基本支出", "101341746", 24),
    ]
    for key, label, expected, page in cells:
        assert value(raw, key, label) == (Decimal(expected), page), key


def test_wanli_more_cells():
    cells = [
        ("2025年部门支出预算总表", "2120101", "基本支出", "17737739", 17),
        ("2025年部门支出预算总表", "合计", "项目支出", "88425805", 18),  # a page holding one row
        ("2025年部门财政拨款收支预算总表", "九、住房保障支出", "一般公共预算", "9364732", 19),
        ("2025年部门一般公共预算基本支出部门预算经济分类预算表", "30101", "人员经费", "6084184", 27),
        ("2025年部门一般公共预算基本支出部门预算经济分类预算表", "30231", "公用经费", "215600", 28),
        ("2025年部门一般公共预算基本支出部门预算经济分类预算表", "合计", "人员经费", "90514044", 28),
        ("2025年部门收入预算总表", "2080505", "财政拨款收入", "4827156", 11),
    ]
    for title, key, label, expected, page in cells:
        assert value(_raw(WANLI, title), key, label) == (Decimal(expected), page), (title, key)
    sangong = _raw(WANLI, "2025年部门“三公”经费和机关运行经费预算表")
    assert sangong.unit_line == "单位:万元"
    assert sangong.rows[sangong.header_rows] == ["37.91", "0", "1.35", "36.56", "15", "21.56", "464.64"]


def test_shanghai_unit_budget_tables_units_and_cells():
    doc = _doc(SHANGHAI)
    assert doc.scope == "单位" and doc.kind == "预算"
    units = {t.kind: t.unit for t in doc.tables}
    assert units["三公经费支出预算表"] == "万元" and units["收入预算表"] == "元" and units["收支预算总表"] == "元"
    assert len([k for k in units if k != "other"]) == 9
    cells = [
        ("2025年预算单位财务收支预算总表", "一、财政拨款收入", "预算数", "171915169", 7),
        ("2025年预算单位财务收支预算总表", "一、一般公共服务支出", "人员经费", "60330260", 7),
        ("2025年预算单位收入预算总表", "2010601", "合计", "84861719", 8),
        ("2025年预算单位支出预算总表", "2010601", "基本支出", "84861719", 10),
        ("2025年预算单位一般公共预算支出功能分类预算表", "2010601", "合计", "84861719", 13),
        ("2025年预算单位一般公共预算基本支出部门预算经济分类预算表", "30102", "人员经费", "57583760", 17),
    ]
    for title, key, label, expected, page in cells:
        assert value(_raw(SHANGHAI, title), key, label) == (Decimal(expected), page), (title, key)
    sangong = _raw(SHANGHAI, "2025年单位“三公”经费和机关运行经费预算表")
    assert sangong.rows[sangong.header_rows][:2] == ["346.30", "288.70"]
    assert sangong.rows[sangong.header_rows][-1] == "2,517.78"


def test_swu_numbered_titles_and_cells():
    doc = _doc(SWU)
    assert {"收入支出决算总表", "收入决算表", "支出决算表"} <= {t.kind for t in doc.tables}
    cells = [
        ("高等学校收支决算总表", "三、事业收入", "决算数", "136385.24", 8),
        ("高等学校收支决算总表", "五、教育支出", "决算数", "425287.27", 8),
        ("高等学校收支决算总表", "二十三、其他支出", "决算数", "109.50", 9),
        ("高等学校收支决算总表", "上年结转和结余", "决算数", "93660.54", 9),
        ("高等学校收入决算表", "2050205", "其中：教育收费", "72670.34", 10),
        ("高等学校收入决算表", "2050205", "事业收入", "135246.59", 10),
        ("高等学校收入决算表", "2210201", "其他收入", "7952.00", 11),
        ("高等学校支出决算表", "2050205", "基本支出", "296144.16", 12),
        ("高等学校支出决算表", "2060204", "项目支出", "1707.93", 13),
        # 表4: three code columns on p14, one on p15 — the continuation is aligned by position
        ("高等学校财政拨款支出决算表", "2050205", "其中：基本建设资金支出", "5536.97", 14),
        ("高等学校财政拨款支出决算表", "2060204", "其中：基本建设资金支出", "1357.93", 15),
        ("高等学校财政拨款支出决算表", "2210201", "基本支出", "7448.44", 15),
    ]
    for title, key, label, expected, page in cells:
        assert value(_raw(SWU, title), key, label) == (Decimal(expected), page), (title, key)
    assert [r.number for r in _parsed(SWU)[1]] == ["表1", "表2", "表3", "表4"]


def test_the_list_of_units_is_a_table_of_named_rows_not_of_figures():
    # 普陀区财政局 2024 决算 p5, 「二、部门决算单位构成」: 序号 │ 单位名称 │ 备注, no figure printed.
    (units,) = [t for t in _doc(FINANCE).tables if t.kind == "单位构成"]
    assert (units.title, units.pages, units.columns) == ("部门决算单位构成", [5], ["备注"])
    assert [(r.name, r.texts) for r in units.rows] == [
        ("上海市普陀区财政局（本级）", {}),
        ("上海市普陀区财政局财政所", {"备注": "预算不单列，并入本级"}),
        ("上海市普陀区国库收付中心", {"备注": "预算不单列，并入本级"}),
    ]
    assert not [f for f in document_facts(_doc(FINANCE)) if f.table_index == units.index]
