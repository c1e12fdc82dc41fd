"""The text reader on the five real conversions: every standard table found, exact cells read.

Cells are looked up the way question answering will: by table kind (and project for 绩效 forms),
row code or name, and column path. Expected figures were read from the fixtures by hand.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from budgetqa.ingest.classify import STANDARD_KINDS
from budgetqa.ingest.errors import CorruptFile, EmptyFile, NotABudgetDocument
from budgetqa.ingest.models import Document, Row, Table
from budgetqa.ingest.text import parse_text, read_text

FIXTURES = Path(__file__).parent / "fixtures"
INDUSTRY = "yanbian-industry-2023-final.txt"
GOVSERVICE = "yanbian-govservice-2023-final.txt"
CHAOYANG = "chaoyang-industry-2023-final.txt"
XIANGYUAN = "xiangyuan-industry-2023-final.txt"
GOVOFFICE = "yanbian-govoffice-2023-budget.txt"


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {name: read_text(FIXTURES / name) for name in (INDUSTRY, GOVSERVICE, CHAOYANG, XIANGYUAN, GOVOFFICE)}


def table(doc: Document, kind: str, side: str | None = None, project: str | None = None, nth: int = 0) -> Table:
    found = [
        t for t in doc.tables
        if t.kind == kind and t.side == side and (project is None or f"（{project}）" in t.title)
    ]
    assert len(found) > nth, f"{doc.file}: no {kind} {side or ''} {project or ''}"
    return found[nth]


def row(t: Table, key: str) -> Row:
    """A row by code (digits) or by exact name."""
    hits = [r for r in t.rows if (r.code == key if key.isdigit() else r.name == key)]
    assert hits, f"{t.title}: no row {key}; rows: {[r.code or r.name for r in t.rows][:40]}"
    return hits[0]


def cell(doc: Document, kind: str, key: str, column: str, **kw) -> Decimal | None:
    r = row(table(doc, kind, **kw), key)
    assert column in r.cells, f"{kind} {key}: no column {column}; has {list(r.cells)}"
    return r.cells[column]


D = Decimal


# ---------------------------------------------------------------- standard tables, kinds, units

EXPECTED_KINDS = {
    INDUSTRY: set(STANDARD_KINDS["决算"]) - {"相关信息统计表", "部门整体绩效自评表"},
    GOVSERVICE: set(STANDARD_KINDS["决算"]) - {"相关信息统计表", "部门整体绩效自评表"},
    CHAOYANG: set(STANDARD_KINDS["决算"]) - {"相关信息统计表"},
    XIANGYUAN: set(STANDARD_KINDS["决算"]) - {"部门整体绩效自评表"},
    GOVOFFICE: set(STANDARD_KINDS["预算"]),
}


@pytest.mark.parametrize("name", list(EXPECTED_KINDS))
def test_every_standard_table_is_found(docs, name):
    assert {t.kind for t in docs[name].tables} >= EXPECTED_KINDS[name]


@pytest.mark.parametrize("name", list(EXPECTED_KINDS))
def test_standard_tables_carry_their_unit(docs, name):
    for t in docs[name].tables:
        if t.kind != "other":
            assert t.unit == "万元", (t.title, t.unit)


def test_two_sided_tables_become_income_and_spending_sides(docs):
    sides = [t.side for t in docs[INDUSTRY].tables if t.kind == "收入支出决算总表"]
    assert sides == ["收入", "支出"]
    income = table(docs[INDUSTRY], "收入支出决算总表", side="收入")
    assert income.title.endswith("/收入") and income.columns == ["金额"]


def test_misprinted_05_title_is_classified_by_its_header(docs):
    t = table(docs[INDUSTRY], "一般公共预算财政拨款支出决算表")
    assert t.title == "一般公共预算财政拨款收入支出决算表"
    assert t.number == "公开05表"


def test_document_metadata(docs):
    d = docs[GOVOFFICE]
    assert (d.department, d.year, d.kind, d.scope) == ("延边朝鲜族自治州人民政府办公室（汇总）", 2023, "预算", "部门")
    c = docs[CHAOYANG]
    assert (c.department, c.year, c.kind) == ("辽宁省朝阳市工业和信息化局", 2023, "决算")


def test_sha256_is_of_the_file_bytes(docs):
    import hashlib

    assert docs[XIANGYUAN].sha256 == hashlib.sha256((FIXTURES / XIANGYUAN).read_bytes()).hexdigest()


def test_table_of_contents_is_not_a_table(docs):
    assert all("目录" not in t.title and "....." not in t.title for t in docs[XIANGYUAN].tables)


# ---------------------------------------------------------------- yanbian-industry (≥ 20 cells)

INDUSTRY_CELLS = [
    ("支出决算表", "215", "基本支出", {}, D("1184.83")),  # D001
    ("支出决算表", "2150508", "项目支出", {}, D("93.12")),
    ("支出决算表", "合计", "本年支出合计", {}, D("2222.76")),
    ("一般公共预算财政拨款支出决算表", "2150508", "本年支出/基本支出", {}, D("69.97")),  # D002
    ("一般公共预算财政拨款支出决算表", "合计", "本年支出/合计", {}, D("2212.66")),
    ("一般公共预算财政拨款基本支出决算明细表", "30101", "决算数", {}, D("321.76")),  # D003
    ("一般公共预算财政拨款基本支出决算明细表", "30201", "决算数", {}, D("10.39")),  # D008
    ("一般公共预算财政拨款基本支出决算明细表", "30211", "决算数", {}, D("15.49")),
    ("一般公共预算财政拨款基本支出决算明细表", "30207", "决算数", {}, D("3.93")),
    ("一般公共预算财政拨款基本支出决算明细表", "30228", "决算数", {}, D("6.14")),
    ("一般公共预算财政拨款基本支出决算明细表", "31002", "决算数", {}, D("1.24")),  # third group
    ("一般公共预算财政拨款基本支出决算明细表", "人员经费合计", "决算数", {}, D("1313.37")),
    ("一般公共预算财政拨款基本支出决算明细表", "公用经费合计", "决算数", {}, D("103.28")),
    ("收入决算表", "215", "财政拨款收入", {}, D("1957.04")),  # D004: header printed one cell left
    ("收入决算表", "215", "其他收入", {}, D("5.80")),
    ("收入决算表", "合计", "本年收入合计", {}, D("2199.25")),
    ("收入支出决算总表", "本年收入合计", "金额", {"side": "收入"}, D("2199.25")),  # D007
    ("收入支出决算总表", "本年支出合计", "金额", {"side": "支出"}, D("2222.76")),
    ("收入支出决算总表", "年初结转和结余", "金额", {"side": "收入"}, D("47.89")),
    ("财政拨款收入支出决算总表", "十四、资源勘探工业信息等支出", "一般公共预算财政拨款", {"side": "支出"}, D("1977.24")),
    ("财政拨款收入支出决算总表", "总计", "金额", {"side": "收入"}, D("2235.04")),
    ("三公经费支出决算表", "", "预算数/公务接待费", {}, D("9.54")),
    ("三公经费支出决算表", "", "决算数/合计", {}, D("8.02")),
    ("三公经费支出决算表", "", "决算数/公务用车购置及运行维护费/公务用车运行维护费", {}, D("2.8")),
    ("项目支出绩效自评表", "汇总得分", "自评得分", {"project": "延吉纺织厂护厂经费"}, D("98.67")),  # D009
    ("项目支出绩效自评表", "年度资金总和", "全年执行数", {"project": "吴世日退休工资"}, D("6.64")),
    ("项目支出绩效自评表", "年度资金总和", "执行率", {"project": "吴世日退休工资"}, D("97.65")),
]


def _check(docs, name, cases):
    for kind, key, column, kw, expected in cases:
        if key == "":
            t = table(docs[name], kind, **kw)
            assert t.rows[0].cells[column] == expected, (kind, column)
        else:
            assert cell(docs[name], kind, key, column, **kw) == expected, (kind, key, column)


def test_yanbian_industry_cells(docs):
    _check(docs, INDUSTRY, INDUSTRY_CELLS)


def test_names_and_levels_come_from_codes(docs):
    t = table(docs[INDUSTRY], "支出决算表")
    assert [(r.code, r.level) for r in t.rows[1:4]] == [("208", "类"), ("20805", "款"), ("2080505", "项")]
    assert row(t, "2080505").name == "机关事业单位基本养老保险缴费支出"
    assert row(t, "合计").code is None


def test_rows_keep_their_source_line(docs):
    r = row(table(docs[INDUSTRY], "支出决算表"), "215")
    assert r.raw == "215\t\t\t资源勘探工业信息等支出\t1,987.35\t1,184.83\t802.51\t\t\t"
    assert r.page is None and r.line == 190


def test_performance_indicator_row_has_name_values_and_texts(docs):
    r = row(table(docs[INDUSTRY], "项目支出绩效自评表", project="延吉纺织厂护厂经费"), "社保费")
    assert r.texts["年度指标值"] == "3万元" and r.texts["实际完成值"] == "2万元"
    assert r.cells["权重"] == D("4") and r.cells["自评得分"] == D("2.67")


# ---------------------------------------------------------------- yanbian-govservice

GOVSERVICE_CELLS = [
    ("收入支出决算总表", "年初结转和结余", "决算数", {"side": "收入"}, D("6.60")),  # D011
    ("收入支出决算总表", "本年收入合计", "决算数", {"side": "收入"}, D("1266.35")),  # <b> stripped
    ("收入支出决算总表", "总计", "决算数", {"side": "支出"}, D("1272.95")),
    ("财政拨款收入支出决算总表", "八、社会保障和就业支出", "合计", {"side": "支出"}, D("48.50")),  # D012
    ("财政拨款收入支出决算总表", "本年支出合计", "一般公共预算财政拨款", {"side": "支出"}, D("1198.25")),
    ("一般公共预算财政拨款基本支出决算明细表", "30239", "决算数", {}, D("17.32")),  # D013
    ("一般公共预算财政拨款基本支出决算明细表", "30231", "决算数", {}, D("1.80")),
    ("一般公共预算财政拨款基本支出决算明细表", "人员经费合计", "决算数", {}, D("441.67")),
    ("一般公共预算财政拨款基本支出决算明细表", "公用经费合计", "决算数", {}, D("77.06")),
    ("支出决算表", "2101101", "本年支出合计", {}, D("16.82")),  # D014
    ("支出决算表", "2010302", "项目支出", {}, D("0.75")),
    ("收入决算表", "2010301", "其他收入", {}, D("0.03")),
    ("收入决算表", "合计", "财政拨款收入", {}, D("1266.32")),
    ("一般公共预算财政拨款支出决算表", "2010301", "本年支出/基本支出/人员经费", {}, D("339.04")),
    ("一般公共预算财政拨款支出决算表", "2010301", "本年支出/基本支出/公用经费", {}, D("77.06")),
    ("一般公共预算财政拨款支出决算表", "合计", "本年支出/项目支出", {}, D("747.54")),
    ("三公经费支出决算表", "", "预算数/合计", {}, D("8.26")),
    ("三公经费支出决算表", "", "决算数/公务接待费", {}, D("0.82")),
    ("项目支出绩效自评表", "年度资金总和", "年初预算数", {"project": "社会信用体系建设购买第三方服务经费"}, D("46.00")),  # D017
    ("项目支出绩效自评表", "年度资金总和", "全年预算数", {"project": "社会信用体系建设购买第三方服务经费"}, D("35.00")),
    ("项目支出绩效自评表", "当年财政拨款", "全年执行数", {"project": "营商环境建设工作经费"}, D("3.43")),
]


def test_yanbian_govservice_cells(docs):
    _check(docs, GOVSERVICE, GOVSERVICE_CELLS)


def test_indicator_actual_value_kept_as_printed(docs):  # D018
    r = row(table(docs[GOVSERVICE], "项目支出绩效自评表", project="州政务大厅运行及保障"), "用餐人员")
    assert (r.texts["年度指标值"], r.texts["实际完成值"]) == ("114人", "103人")


def test_project_names_keep_their_digits(docs):
    titles = [t.title for t in docs[GOVSERVICE].tables if t.kind == "项目支出绩效自评表"]
    assert "项目支出绩效自评表（12345政务热线搬迁、办公区域调整项目（一期）经费）" in titles


# ---------------------------------------------------------------- chaoyang

CHAOYANG_CELLS = [
    ("一般公共预算财政拨款支出决算表", "2080506", "本年支出/小计", {}, D("42.79")),  # D021
    ("一般公共预算财政拨款支出决算表", "2101101", "本年支出/小计", {}, D("35.86")),  # D028
    ("一般公共预算财政拨款支出决算表", "2101102", "本年支出/小计", {}, D("7.88")),
    ("一般公共预算财政拨款支出决算表", "2101103", "本年支出/小计", {}, D("15.48")),
    ("一般公共预算财政拨款支出决算表", "2159999", "本年支出/项目支出", {}, D("39.11")),  # after a page break
    ("一般公共预算财政拨款支出决算表", "合计", "本年支出/基本支出", {}, D("1163.03")),  # D027
    ("一般公共预算财政拨款基本支出决算明细表", "30102", "决算数", {}, D("172.54")),  # D022
    ("一般公共预算财政拨款基本支出决算明细表", "30110", "决算数", {}, D("43.74")),  # D024
    ("一般公共预算财政拨款基本支出决算明细表", "公用经费合计", "决算数", {}, D("100.54")),  # D027
    ("一般公共预算财政拨款基本支出决算明细表", "人员经费合计", "决算数", {}, D("1062.49")),
    ("一般公共预算财政拨款基本支出决算明细表", "30239", "决算数", {}, D("40.58")),
    ("收入决算表", "2101102", "本年收入合计", {}, D("7.88")),  # D023
    ("收入决算表", "合计", "财政拨款收入", {}, D("1413.38")),
    ("支出决算表", "2150599", "项目支出", {}, D("133.07")),
    ("收入支出决算总表", "总计", "金额", {"side": "支出"}, D("1413.38")),
    ("财政拨款收入支出决算总表", "十四、资源勘探工业信息等支出", "合计", {"side": "支出"}, D("1000.97")),
    ("三公经费支出决算表", "合计", "决算数", {}, D("10.59")),
    ("三公经费支出决算表", "其中：（1）公务用车运行维护费", "预算数", {}, D("9.06")),
    ("项目支出绩效自评表", "年度资金总额", "全年预算数", {"project": "2023年中央无线电管理经费"}, D("96")),  # D026
    ("项目支出绩效自评表", "年度资金总额", "全年执行数", {"project": "2023年中央无线电管理经费"}, D("76.44")),
    ("项目支出绩效自评表", "总分", "得分", {"project": "数字经济（工业数字化方向）专项资金"}, D("90.3")),
    ("部门整体绩效自评表", "总评价得分", "得分", {"project": "朝阳市工业和信息化局"}, D("96.35")),
]


def test_chaoyang_cells(docs):
    _check(docs, CHAOYANG, CHAOYANG_CELLS)


def test_chaoyang_names_cut_at_the_column_edge_stay_as_printed(docs):
    assert row(table(docs[CHAOYANG], "收入决算表"), "2080505").name == "机关事业单位基本养老保险缴"


def test_indicator_name_loses_its_numbering_and_spaces(docs):  # D029
    t = table(docs[CHAOYANG], "项目支出绩效自评表", project="朝阳市推进工业企业高质量发展大会")
    r = row(t, "参加会议人数")
    assert r.texts["实际完成值"] == "700人次" and r.texts["年度指标值"] == "≥500人次"


# ---------------------------------------------------------------- xiangyuan

XIANGYUAN_CELLS = [
    ("收入决算表", "2150805", "本年收入合计", {}, D("485.00")),  # D031
    ("支出决算表", "2150801", "本年支出合计", {}, D("139.27")),  # D032
    ("支出决算表", "2120399", "项目支出", {}, D("90.00")),  # after a page break
    ("收入支出决算总表", "年初结转和结余", "金额", {"side": "收入"}, D("364.35")),  # D033
    ("一般公共预算财政拨款基本支出决算明细表", "30107", "决算数", {}, D("90.75")),  # D034
    ("一般公共预算财政拨款基本支出决算明细表", "30229", "决算数", {}, D("7.20")),
    ("一般公共预算财政拨款基本支出决算明细表", "人员经费合计", "决算数", {}, D("728.17")),
    ("一般公共预算财政拨款基本支出决算明细表", "公用经费合计", "决算数", {}, D("77.80")),
    ("财政拨款收入支出决算总表", "本年支出合计", "政府性基金预算财政拨款", {"side": "支出"}, D("73.44")),  # D037
    ("财政拨款收入支出决算总表", "本年收入合计", "金额", {"side": "收入"}, D("5998.11")),
    ("财政拨款收入支出决算总表", "十一、城乡社区支出", "一般公共预算财政拨款", {"side": "支出"}, D("90.00")),
    ("政府性基金预算财政拨款收入支出决算表", "2120801", "本年支出/项目支出", {}, D("73.44")),
    ("一般公共预算财政拨款支出决算表", "2150801", "本年支出/基本支出", {}, D("139.27")),
    ("一般公共预算财政拨款支出决算表", "2080506", "本年支出/项目支出", {}, D("8.59")),
    ("相关信息统计表", "(一)行政单位", "统计数", {}, D("48.62")),
    ("相关信息统计表", "(一)车辆数合计(辆)", "统计数", {}, D("2")),
    ("项目支出绩效自评表", "总分", "得分", {"project": "襄垣县城市信息化项目运行费用"}, D("88.29")),  # D039
    ("项目支出绩效自评表", "资金总额", "全年执行数", {"project": "“以电代煤”设备补贴"}, D("649.625")),
    ("项目支出绩效自评表", "资金总额", "年初预算数/预算编制数", {"project": "“以电代煤”设备补贴"}, D("680")),
    ("项目支出绩效自评表", "资金总额", "全年执行数", {"project": "遗属人员补助"}, D("2.086")),  # D038
    ("项目支出绩效自评表", "资金总额", "全年执行数", {"project": "遗属人员补助", "nth": 1}, D("0.73")),
]


def test_xiangyuan_cells(docs):
    _check(docs, XIANGYUAN, XIANGYUAN_CELLS)


def test_xiangyuan_empty_tables_have_headers_and_no_numbers(docs):
    t = table(docs[XIANGYUAN], "国有资本经营预算财政拨款支出决算表")
    assert t.columns == ["本年支出/合计", "本年支出/基本支出", "本年支出/项目支出"]
    assert all(v is None for r in t.rows for v in r.cells.values())


def test_titleless_performance_form_is_found_by_its_rows(docs):
    t = table(docs[XIANGYUAN], "项目支出绩效自评表", project="2023年困难群众“爱心消费券”(县)发放资金项目")
    assert row(t, "资金总额").cells["全年执行数"] == D("24.63")


# ---------------------------------------------------------------- yanbian-govoffice (预算)

GOVOFFICE_CELLS = [
    ("收入预算表", "108001", "当年预算/小计", {}, D("1023.41")),  # D041
    ("收入预算表", "108006", "当年预算/小计", {}, D("10.00")),  # D047
    ("收入预算表", "108005", "合计", {}, D("493.88")),
    ("一般公共预算基本支出预算表", "30101", "合计", {}, D("468.37")),  # D042
    ("一般公共预算基本支出预算表", "30231", "公用经费", {}, D("18.00")),
    ("一般公共预算基本支出预算表", "合计", "人员经费", {}, D("1266.96")),
    ("项目支出预算表", "延边黄牛产业发展研究中心", "合计", {}, D("8.60")),  # D043
    ("项目支出预算表", "延边州政府驻长春办事处及工作经费", "本年财政拨款/一般公共预算", {}, D("57.33")),
    ("支出预算表", "2101103", "合计", {}, D("18.05")),  # D044
    ("支出预算表", "2010302", "项目支出", {}, D("201.05")),
    ("三公经费支出预算表", "合计", "2023年预算数", {}, D("19.94")),  # D046
    ("三公经费支出预算表", "其中：（1）公务用车运行维护费", "2023年预算数", {}, D("18")),
    ("收支预算总表", "本年收入合计", "当年预算", {"side": "收入"}, D("1932.48")),
    ("收支预算总表", "二十、住房保障支出", "上年结转", {"side": "支出"}, D("1.26")),
    ("财政拨款收支预算总表", "收入总计", "2023年预算数", {"side": "收入"}, D("2030.75")),
    ("财政拨款收支预算总表", "十九、自然资源海洋气象等支出", "当年预算", {"side": "支出"}, D("7.29")),
    ("一般公共预算支出预算表", "合计", "基本支出/公用经费", {}, D("182.46")),
    ("一般公共预算支出预算表", "210", "基本支出/人员经费", {}, D("73.85")),
    ("项目支出绩效目标表", "年度资金总额", "金额", {"project": "机构运转补助经费"}, D("151.74")),
    ("项目支出绩效目标表", "其中：财政拨款", "金额", {"project": "延边黄牛产业发展研究中心"}, D("8.60")),
]


def test_yanbian_govoffice_cells(docs):
    _check(docs, GOVOFFICE, GOVOFFICE_CELLS)


def test_target_table_indicator_value(docs):  # D048
    t = table(docs[GOVOFFICE], "项目支出绩效目标表", project="机构运转补助经费")
    assert row(t, "编辑信息专刊").texts["指标值"] == "=280期"


def test_continued_target_table_joins_its_project(docs):
    t = table(docs[GOVOFFICE], "项目支出绩效目标表", project="延边朝鲜族自治州人民政府驻首尔办事处经费")
    assert row(t, "服务在韩我州企业及侨民").texts["指标值"] == "满意度100%"
    assert not any(t.kind == "other" and "续" in t.title for t in docs[GOVOFFICE].tables)


# ---------------------------------------------------------------- prose and errors


def test_paragraphs_carry_heading_paths(docs):
    paras = [p for p in docs[INDUSTRY].paragraphs if "年初预算为 2,583.28 万元" in p.text]
    assert paras and paras[0].heading_path[-1] == "（三）一般公共预算财政拨款支出决算具体情况"
    assert paras[0].heading_path[0] == "第三部分2023年度部门决算情况说明"


def test_sentence_broken_over_a_blank_line_is_one_paragraph(docs):
    assert any("基本支出 1420.25 万元，比上年增加 48.00 万元" in p.text for p in docs[INDUSTRY].paragraphs)


def test_gbk_file_is_decoded(tmp_path):
    text = (FIXTURES / INDUSTRY).read_text(encoding="utf-8")
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gb18030"))
    doc = read_text(path)
    assert cell(doc, "支出决算表", "215", "基本支出") == D("1184.83")


def test_undecodable_file_names_the_file(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_bytes(b"\xff\xfe\x00\x00" * 50 + bytes(range(256)) * 4)
    with pytest.raises(CorruptFile, match="broken.txt"):
        read_text(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n")
    with pytest.raises(EmptyFile, match="empty.txt"):
        read_text(path)


def test_prose_without_budget_tables_is_rejected():
    with pytest.raises(NotABudgetDocument, match="notes.txt"):
        parse_text("会议纪要\n\n今天讨论了\t一些事情\n", "notes.txt")
