"""Completeness against the document's own statements: the 目录 against the tables, a table header's
department against the cover, a 绩效目标表's funds against the 项目支出 table.

No real document of the corpus contradicts itself on these (every finding of these rules on the
corpus and pdf-more is judged in tests/test_audit.py: there are none), so each positive case is a
real text conversion with one line edited, written to a file and read by the real pipeline; each
test says which line.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from budgetqa.app.audit import audit, run
from budgetqa.app.audit.contents import listed_tables
from budgetqa.app.audit.headers import same_department
from budgetqa.ingest.models import Document
from budgetqa.ingest.pipeline import read_document

FIXTURES = Path(__file__).parent / "fixtures"
D = Decimal
TOC_RULES = ("document.toc_absent", "document.toc_unlisted")


@lru_cache(maxsize=None)
def doc(name: str) -> Document:
    path = next(p for p in (FIXTURES / name, FIXTURES / "pdf" / name) if p.exists())
    return read_document(path)


def edited(tmp_path: Path, name: str, old: str, new: str, count: int = 1) -> Document:
    """The fixture with `old` replaced by `new` (`count` times, each checked present), read as a file."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return read_document(path)


def found(d: Document, *checks: str) -> list:
    return [f for f in audit(d) if f.check in checks]


# ---------------------------------------------------------------- the 目录 as read


def test_a_text_conversions_toc_gives_each_entry_with_its_page():
    toc = doc("xiangyuan-industry-2023-final.txt").toc
    assert (len(toc), toc[0].title, toc[0].printed_page, toc[0].line) == (27, "第一部分 概况", 1, 9)
    assert [(e.title, e.printed_page) for e in toc[4:6]] == [("一、收入支出决算总表", 5), ("二、收入决算表", 7)]


def test_the_tables_a_toc_lists_leave_out_parts_and_explanations():
    listed = [n for _, n in listed_tables(doc("xiangyuan-industry-2023-final.txt"))]
    assert listed == ["收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
                      "一般公共预算财政拨款基本支出决算明细表", "政府性基金预算财政拨款收入支出决算表",
                      "国有资本经营预算财政拨款支出决算表", "财政拨款三公经费支出决算表", "部门决算公开相关信息统计表"]


def test_a_pdf_toc_entry_wrapped_over_two_lines_is_one_entry():
    # 普陀区委社会工作部 p2: 「第三部分 中共上海市普陀区委社会工作部 2024 年度部门决算情况」 then 「说明」
    titles = [e.title for e in doc("putuo-socialwork-2024-final.pdf").toc]
    assert "第三部分 中共上海市普陀区委社会工作部 2024 年度部门决算情况说明" in titles
    assert "说明" not in titles and titles[-1] == "第四部分 名词解释"


@pytest.mark.parametrize("name", ["xiangyuan-industry-2023-final.txt", "yanbian-govoffice-2023-budget.txt",
                                  "putuo-wanli-2025-budget.pdf", "swu-university-2023-final.pdf"])
def test_every_listed_table_is_found_and_every_standard_table_listed(name):
    # titles differ from the 目录's (收支总表（预算表 1） / 收支总表(预算表1); 高等学校收支决算总表): matched by title
    assert len(listed_tables(doc(name))) >= 4
    assert found(doc(name), *TOC_RULES) == []


# ---------------------------------------------------------------- the 目录 against the tables


def test_a_listed_table_the_document_lacks_is_a_warning(tmp_path):
    # edited: xiangyuan's 目录 lists an eleventh table, printed nowhere in the document
    d = edited(tmp_path, "xiangyuan-industry-2023-final.txt", "十、部门决算公开相关信息统计表.....\t20\n",
               "十、部门决算公开相关信息统计表.....\t20\n十一、政府采购情况表.....\t20\n")
    got = found(d, *TOC_RULES)
    assert [(f.severity, f.check, f.a.row, f.a.line) for f in got] == [
        ("warning", "document.toc_absent", "十一、政府采购情况表", 23)]
    assert "目录列出「十一、政府采购情况表」" in got[0].message


def test_a_listed_table_whose_title_is_printed_in_the_body_is_no_finding():
    # the parser lost xiangyuan's 收入决算表 (taken out of its tables): its title line still stands in the
    # body (「收入决算表 部门名称：襄垣县工业和信息化局 …」), so the document is not missing it
    d = doc("xiangyuan-industry-2023-final.txt")
    lost = dataclasses.replace(d, tables=[t for t in d.tables if t.kind != "收入决算表"])
    assert found(lost, *TOC_RULES) == []
    unprinted = dataclasses.replace(lost, paragraphs=[p for p in lost.paragraphs if not p.text.startswith("收入决算表")])
    assert [f.a.row for f in found(unprinted, *TOC_RULES)] == ["二、收入决算表"]


def test_a_document_missing_most_of_what_its_toc_lists_is_an_extract_not_a_finding():
    d = doc("putuo-socialwork-2024-final.pdf")
    cut = dataclasses.replace(d, tables=[t for t in d.tables if t.index <= 3])  # 3 of the 9 listed tables kept
    assert found(cut, "document.toc_absent") == []


def test_a_standard_table_the_toc_leaves_out_is_a_warning(tmp_path):
    # edited: the 目录 line of 三、支出决算表 taken out of xiangyuan's 目录
    d = edited(tmp_path, "xiangyuan-industry-2023-final.txt", "三、支出决算表.....\t9\n", "")
    got = found(d, *TOC_RULES)
    assert [(f.severity, f.check, f.a.table) for f in got] == [("warning", "document.toc_unlisted", "支出决算表（公开03表）")]
    assert "未列入目录（目录列出 9 张表）" in got[0].message and got[0].b.table == "目录"


# ---------------------------------------------------------------- table headers against the cover


def test_a_tables_header_department_is_read_from_its_header_line():
    wanli = doc("putuo-wanli-2025-budget.pdf")  # 「编制部门：上海市普陀区人民政府万里街道办事处 单位：元」
    assert {t.department for t in wanli.tables if t.kind != "other"} == {"上海市普陀区人民政府万里街道办事处"}
    swu = doc("swu-university-2023-final.pdf")  # 「单位名称： 单位：万元」 names none
    assert {t.department for t in swu.tables} == {None}


def test_a_header_naming_another_department_is_a_warning(tmp_path):
    # edited: the 收入决算表 header of 延边州工信局 names 延边州商务局 (line 150)
    d = edited(tmp_path, "yanbian-industry-2023-final.txt", "部门：延边朝鲜族自治州工业和信息化局（汇总）\t\t\t\t\t\t\t\t单位：万元",
               "部门：延边朝鲜族自治州商务局\t\t\t\t\t\t\t\t单位：万元")
    got = found(d, "document.header_department")
    assert [(f.severity, f.a.table, f.a.row, f.b.table, f.b.row) for f in got] == [
        ("warning", "收入决算表（公开02表）", "延边朝鲜族自治州商务局", "封面", "延边朝鲜族自治州工业和信息化局（汇总）")]
    assert "表头写明部门「延边朝鲜族自治州商务局」" in got[0].message


def test_header_names_cut_short_or_summed_agree_with_the_cover():
    # 延边州工信局's 三公 and fund tables print 「部门：延边朝鲜族自治州工业和信息化（汇总）」
    d = doc("yanbian-industry-2023-final.txt")
    assert "延边朝鲜族自治州工业和信息化（汇总）" in {t.department for t in d.tables}
    assert found(d, "document.header_department") == []
    assert same_department("延边州工业和信息化局", "延边朝鲜族自治州工业和信息化局（汇总）")
    assert not same_department("上海市财政局", "上海市税务局")


def test_headers_naming_several_units_are_a_units_tables_not_a_finding(tmp_path):
    # edited: two tables of 延边州工信局 headed by two of its units
    d = edited(tmp_path, "yanbian-industry-2023-final.txt", "部门：延边朝鲜族自治州工业和信息化（汇总）",
               "部门：延边州中小企业服务中心")
    assert found(d, "document.header_department") != []  # one unit named (three tables): a warning each
    two = dataclasses.replace(d, tables=[dataclasses.replace(t, department="延边州工业技术研究所")
                                         if t.kind.startswith("三公") else t for t in d.tables])
    assert found(two, "document.header_department") == []


# ---------------------------------------------------------------- 绩效 funds against 项目支出


def test_every_performance_form_agrees_with_its_project_row():
    # 延边州政府办 2023: five forms whose project is a row of 预算表9 (政务网站普查… on two rows: 45.22 结转, 67.81)
    checks = [c for c in run(doc("yanbian-govoffice-2023-budget.txt")).checks if c.check == "perf.project_funds"]
    assert [(c.left_value, c.right_value, c.status) for c in checks] == [
        (D("67.81"), D("67.81"), "ok"), (D("8.60"), D("8.60"), "ok"), (D("93.42"), D("93.42"), "ok"),
        (D("107.91"), D("107.91"), "ok"), (D("151.74"), D("151.74"), "ok")]
    assert found(doc("yanbian-govoffice-2023-budget.txt"), "perf.project_funds") == []


def test_a_form_whose_funds_differ_from_its_project_row_is_an_error(tmp_path):
    # edited: 延边黄牛产业发展研究中心's form prints 年度资金总额 8.80 (line 400); 预算表9 prints 8.60
    d = edited(tmp_path, "yanbian-govoffice-2023-budget.txt", "年度资金总额\t8.60", "年度资金总额\t8.80")
    got = found(d, "perf.project_funds")
    assert [(f.severity, f.a.row, f.a_value, f.b.row, f.b_value) for f in got] == [
        ("error", "年度资金总额", D("8.80"), "延边黄牛产业发展研究中心", D("8.60"))]
    assert "项目「延边黄牛产业发展研究中心」的绩效目标表资金与项目支出表不一致" in got[0].message


def test_a_project_on_two_rows_is_held_to_either_row_or_their_sum(tmp_path):
    # edited: 政务网站普查…'s form prints 113.03 = 45.22 (上年结转) + 67.81 (本年): agrees; 113.30 does not
    d = edited(tmp_path, "yanbian-govoffice-2023-budget.txt", "年度资金总额\t67.81", "年度资金总额\t113.03")
    assert found(d, "perf.project_funds") == []
    d = edited(tmp_path, "yanbian-govoffice-2023-budget.txt", "年度资金总额\t67.81", "年度资金总额\t113.30")
    got = found(d, "perf.project_funds")
    assert [(f.severity, f.a_value, f.b_value) for f in got] == [("warning", D("113.30"), D("113.03"))]
    assert "同名项目有 2 行" in got[0].message


def test_every_header_naming_one_other_department_is_one_finding(tmp_path):
    # edited: every 「部门：…」 header line of 延边州工信局 (9 tables) names 延边州商务局
    text = (FIXTURES / "yanbian-industry-2023-final.txt").read_text(encoding="utf-8")
    lines = [("部门：延边朝鲜族自治州商务局" + ln[ln.index("\t"):] if "\t" in ln else "部门：延边朝鲜族自治州商务局")
             if ln.startswith("部门：延边") else ln for ln in text.split("\n")]
    path = tmp_path / "yanbian-industry-2023-final.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    got = found(read_document(path), "document.header_department")
    assert [(f.a.table, f.a.row) for f in got] == [("收入支出决算总表（公开01表）·收入", "延边朝鲜族自治州商务局")]
    assert "全部 9 张表的表头均如此" in got[0].message


def test_a_column_unit_other_than_the_tables_unit_line_is_a_warning(tmp_path):
    # 朝阳 2023's 部门整体绩效自评表 prints 项目下达金额 （万元）: agrees with its unit; edited: a unit line
    # 「金额单位：元」 put above its grid (line 740)
    assert found(doc("chaoyang-industry-2023-final.txt"), "document.header_unit") == []
    d = edited(tmp_path, "chaoyang-industry-2023-final.txt", "（2023年度）\n\n部门（单位）名称\t\t703001",
               "（2023年度）\n\n金额单位：元\n部门（单位）名称\t\t703001")
    got = found(d, "document.header_unit")
    assert [(f.severity, f.a.column, f.b.column) for f in got] == [("warning", "项目下达金额（万元）", "元")]
    assert "列名标明（万元），而表头单位为「元」" in got[0].message
