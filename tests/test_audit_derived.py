"""Computed columns recomputed from their own table (app/audit/derived.py): 增减 = A − B, 完成预算的% /
执行率 = A ÷ B, 比上年% = A ÷ B − 1, and a header naming another operand than its figures use. Real
page cuts and corpus conversions; the edited cases change one printed cell and say which."""

from __future__ import annotations

import copy
from decimal import Decimal

from budgetqa.app.audit import run
from budgetqa.app.audit.derived import derived_columns
from budgetqa.ingest.models import Document
from tests.conftest import fixture_doc as doc

D = Decimal


def derived_checks(d: Document, name_start: str = "") -> list:
    return [c for c in run(d).checks if c.check == "table.derived" and c.name.startswith(name_start)]


def findings(d: Document, rule: str) -> list:
    return [f for f in run(d).findings if f.check == rule]


def table_titled(d: Document, words: str):
    return next(t for t in d.tables if words in t.title)


def test_a_header_naming_a_year_its_figures_do_not_use_is_an_error():
    # 黑龙江 2024 决算 3.19: 「2024年决算比2023年预算（增减额）」 holds 2024年决算 − 2024年预算 on all six
    # rows (合计 28,466 − 32,056 = −3,590); the table prints no 2023年预算
    [f] = findings(doc("d14-p145-146-sangong-header.pdf"), "table.header_operand")
    assert f.severity == "error"
    assert f.a.column == "2024年决算比2023年预算（增减额）"
    assert f.b.column == "2024年预算"
    assert "6 行数字均等于「2024年决算」−「2024年预算」" in f.message
    assert "表中并无「2023年预算」列" in f.message


def test_a_difference_column_whose_header_is_right_holds_on_every_row():
    # the same table's 「2024年决算比2023年决算（增减额）」: 28,466 − 31,227 = −2,761 and the five items
    checks = derived_checks(doc("d14-p145-146-sangong-header.pdf"), "2024年决算比2023年决算")
    assert len(checks) == 6 and all(c.status == "ok" for c in checks)
    total = next(c for c in checks if c.left.row == "合计")
    assert (total.left_value, total.right_value) == (D("-2761"), D("-2761"))


def test_a_change_group_is_the_later_year_minus_the_earlier():
    # 西安市委宣传部 2021 表13: 增减变化情况/会议费 = 2021年 − 2020年 on each of the four rows
    # (合计 320,000 − 462,000 = −142,000), though the 2021 合计 column itself does not add up
    checks = derived_checks(doc("d12-p11-41-sangong.pdf"), "会议费")
    assert len(checks) == 4 and all(c.status == "ok" for c in checks)
    assert next(c for c in checks if c.left.row == "合计").left_value == D("-142000.00")
    assert findings(doc("d12-p11-41-sangong.pdf"), "table.derived") == []


def test_a_change_cell_edited_away_from_its_years_is_an_error():
    # one cell edited: 增减变化情况/会议费 of 201001 中共西安市委 printed 146,000 (200,000 − 54,000) → 156,000
    d = copy.deepcopy(doc("d12-p11-41-sangong.pdf"))
    table = table_titled(d, "三公")
    col = "增减变化情况/会议费"
    row = next(r for r in table.rows if r.code == "201001")
    row.cells[col] = D("156000.00")
    [f] = findings(d, "table.derived")
    assert (f.severity, f.a.row, f.a.column) == ("error", row.code + " " + row.name, col)
    assert (f.a_value, f.b_value) == (D("156000.00"), D("146000.00"))


def test_a_completion_rate_is_the_final_account_over_the_adjusted_budget():
    # 黑龙江 一般公共预算收入决算表: 完成调整预算数的% on every row (税收收入 8,718,311 ÷ 9,445,801 = 92.3%)
    checks = derived_checks(doc("d14-p22-26-109-110-execution.pdf"), "完成调整预算数的%")
    assert len(checks) == 94 and all(c.status == "ok" for c in checks)


def test_a_growth_rate_is_recomputed_when_both_years_are_printed():
    # 比上年（同比）+-% beside 2023年决算数 and 2024年决算数: (2024 ÷ 2023 − 1) × 100 at one decimal
    checks = derived_checks(doc("d14-p22-26-109-110-execution.pdf"), "比上年")
    assert len(checks) == 8 and all(c.status == "ok" for c in checks)


def test_a_growth_rate_without_the_prior_year_is_not_guessed():
    # the 收入决算表 prints 比上年% but no 2023 column: nothing to recompute it from
    t = table_titled(doc("d14-p22-26-109-110-execution.pdf"), "一般公共预算收入决算表")
    assert [d.op for d in derived_columns(t)] == ["ratio"]


def test_an_execution_rate_over_a_percentage_printed_as_an_amount_is_an_error():
    # 朝阳 绩效自评表（博览会参展经费）: 全年执行数 prints 「100%」, so 执行率 100% ≠ 100 ÷ 28
    found = findings(doc("chaoyang-industry-2023-final.txt"), "table.derived")
    assert [(f.a.row, f.a_value, f.b_value) for f in found] == [
        ("年度资金总额", D("100"), D("357.14")), ("其中：当年财政拨款", D("100"), D("357.14"))]
    assert "「全年执行数」一栏印的是百分比「100%」而不是金额" in found[0].message


def test_an_execution_rate_printed_as_a_fraction_holds():
    # 延边州政务服务局 绩效自评表: 执行率 1.00 for 50.00 ÷ 50.00 (no % in header or cell)
    checks = derived_checks(doc("yanbian-govservice-2023-final.txt"), "执行率")
    assert checks and all(c.status == "ok" for c in checks)
    assert D("1.00") in {c.left_value for c in checks}


def test_an_execution_rate_uses_the_full_year_budget_not_the_opening_one():
    # 年初预算数 │ 全年预算数 │ 全年执行数 │ 执行率: the rate is of the 全年预算数
    t = table_titled(doc("yanbian-govservice-2023-final.txt"), "绩效自评表")
    [rate] = derived_columns(t)
    assert (rate.a, rate.b) == ("全年执行数", "全年预算数")
