"""Table identities the page layout gives (no subject codes) and the sides of a 收支总表 that close on
合计: each test bumps one printed cell of a real page cut, the way a slip would, and names the
finding it must raise; the page as printed raises none. Figures read from the fixtures by hand."""

from __future__ import annotations

import copy
from decimal import Decimal

from budgetqa.app.audit import run
from tests.conftest import fixture_doc

D = Decimal


def _bumped(name: str, title: str, row: str, column: str, old: str, new: str):
    """The fixture with one cell changed: the row named `row` whose `column` prints `old`."""
    doc = copy.deepcopy(fixture_doc(name))
    table = next(t for t in doc.tables if t.title == title)
    hit = next(r for r in table.rows if (r.name == row or r.label == row) and r.cells.get(column) == D(old))
    hit.cells[column] = D(new)
    return doc


def _errors(doc, check: str):
    return [f for f in run(doc).findings if f.check == check and f.severity == "error"]


def _checks(name: str, check: str):
    return [c for c in run(fixture_doc(name)).checks if c.check == check]


# ---------------------------------------------------------------- a flat list: 合计 = Σ rows

def test_a_flat_lists_total_is_the_sum_of_its_rows():
    # 北京市审计局 2026 预算06表: 合计 公用经费 1,672.857085 = Σ of the 50201 … 50502 lines
    assert not [f for f in run(fixture_doc("d01-p6-11-flat-totals.pdf")).findings if f.check == "table.row_sum"]
    doc = _bumped("d01-p6-11-flat-totals.pdf", "一般公共预算基本支出表", "合计", "预算数公用经费", "1672.857085", "1840.142794")
    (f,) = _errors(doc, "table.row_sum")
    assert (f.a.row, f.a_value, f.b_value) == ("合计", D("1840.142794"), D("1672.857085"))


def test_a_leaf_of_a_one_column_list_breaks_its_total():
    # 预算11表 政府购买服务: 合计 3,756.18028 = Σ 23 service lines; one 15 read 16.5
    doc = _bumped("d01-p6-11-flat-totals.pdf", "财政拨款政府购买服务明细表", "02-政府履职辅助性服务", "预算金额", "15.000000", "16.500000")
    (f,) = _errors(doc, "table.row_sum")
    assert (f.a_value, f.b_value, f.b.derived) == (D("3756.180280"), D("3757.680280"), "所列各行之和")


# ---------------------------------------------------------------- a tree by label position

def test_rows_set_further_right_add_up_to_the_row_above_them():
    # 江苏省政协 2017 表十二: 商品和服务支出 62.20 = 会议服务 5.50 + 住宿服务 38.04 + 餐饮服务 18.66
    checks = _checks("d07-p12-13-procurement-tree.pdf", "table.row_sum")
    assert any(c.left.row == "商品和服务支出" and c.left_value == D("62.20") and c.holds for c in checks)
    assert all(c.holds for c in checks)
    doc = _bumped("d07-p12-13-procurement-tree.pdf", "2017年政府采购预算表", "餐饮服务", "总计", "18.66", "20.53")
    (f,) = _errors(doc, "table.row_sum")
    assert (f.a.row, f.a_value, f.b_value) == ("商品和服务支出", D("62.20"), D("64.07"))


# ---------------------------------------------------------------- a last column that totals

def test_a_last_total_column_is_the_sum_of_the_funds_before_it():
    # 无锡市信访局 2025 公开13表: 一般公共预算资金 │ 政府性基金 │ 其他资金 │ 上年结转和结余资金 │ 总计
    assert all(c.holds for c in _checks("d05-p25-procurement-sources.pdf", "table.column_sum"))
    doc = _bumped("d05-p25-procurement-sources.pdf", "政府采购支出表", "无锡市信访局（本级）", "总计", "225.52", "248.07")
    (f,) = _errors(doc, "table.column_sum")
    assert (f.a.row, f.a_value, f.b_value) == ("无锡市信访局（本级）", D("248.07"), D("225.52"))


# ---------------------------------------------------------------- 收支总表 sides closing on 合计

def test_a_side_headed_by_its_total_adds_up_and_balances():
    # 重庆市政府办公厅 2026 表一: 收入 合计 19,230.18 = 18,417.70 + 812.48, the 支出 合计 the same
    assert {c.status for c in _checks("d02-p9-sides-on-total.pdf", "table.balance")} == {"ok"}
    doc = _bumped("d02-p9-sides-on-total.pdf", "2026年部门收支总体情况表/收入", "合计", "预算数", "19230.18", "21153.20")
    assert [f.b_value for f in _errors(doc, "table.side_total")] == [D("19230.18")]
    assert [f.b_value for f in _errors(doc, "table.balance")] == [D("19230.18")]


def test_a_side_closing_on_heji_adds_its_carry_over_lines():
    # 西南大学 2023 高等学校收支决算总表: 本年收入合计 430,725.03 + 使用非财政拨款结余 45,110.97
    # + 上年结转和结余 93,660.54 = 合计 569,496.54; its 情况说明 calls 430,725.03 「收入总计」: no finding
    name = "swu-university-2023-final.pdf"
    assert {c.status for c in _checks(name, "table.side_grand_total")} == {"ok"}
    assert not [f for f in run(fixture_doc(name)).findings if f.severity == "error"]
    doc = _bumped(name, "高等学校收支决算总表/收入", "上年结转和结余", "决算数", "93660.54", "103026.59")
    (f,) = _errors(doc, "table.side_grand_total")
    assert (f.a_value, f.b_value) == (D("569496.54"), D("578862.59"))


def test_a_side_of_numbered_lines_closing_on_zongji_adds_them_up():
    # 普陀区万里街道 2025 部门财务收支预算总表: 一、… 九、 = 支出总计 189,767,551 元, no 本年支出合计
    name = "putuo-wanli-2025-budget.pdf"
    assert any(c.holds and c.left_value == D("18976.7551") for c in _checks(name, "table.side_total"))
    doc = _bumped(name, "2025年部门财务收支预算总表/支出", "八、城乡社区支出", "预算数", "154369326", "169806259")
    assert [f.a.row for f in _errors(doc, "table.side_total")] == ["支出总计"]


# ---------------------------------------------------------------- 上年结转 across tables

def test_the_income_tables_carry_over_column_is_the_overviews_carry_over_line():
    # 珠海工务中心 2026: 收支总体情况表 上年结转结余 0.11 = 收入总体情况表 合计 / 上年结转结余 0.11
    name = "d03-p4-6-carried-column.pdf"
    assert [c.status for c in _checks(name, "cross.measure") if c.name.startswith("年初结转和结余")] == ["ok"]
    doc = _bumped(name, "收入总体情况表", "合计", "上年结转结余", "0.11", "0.13")
    (f,) = [f for f in _errors(doc, "cross.measure") if "年初结转和结余" in f.message]
    assert (f.a_value, f.b_value) == (D("0.11"), D("0.13"))


# ---------------------------------------------------------------- groups closed by 小计 rows

def test_a_total_broken_into_subtotalled_groups_is_their_sum():
    # 江苏省检察院 2018 收入预算总表: 收入总计 21,955.35 = 小计 21,940.96 (财政拨款资金) + 小计 14.39 (其他资金)
    name = "d06-p13-14-wrapped-rows.pdf"
    [c] = _checks(name, "table.subtotals")
    assert (c.left_value, c.right_value, c.holds) == (D("21955.35"), D("21955.35"), True)
    doc = _bumped(name, "收入预算总表", "小计事业收入", "金额", "14.39", "15.83")
    (f,) = _errors(doc, "table.subtotals")
    assert (f.a_value, f.b_value) == (D("21955.35"), D("21956.79"))


# ---------------------------------------------------------------- subjects named without codes

def test_a_total_tables_named_subjects_are_the_coded_tables_rows():
    # 湖州 2026 收支预算总表 lists 社会保障和就业支出 … 住房公积金 by name only; 支出预算总表 codes them:
    # the 款 and 项 rows pair by name in order, 24 of them, and hold
    name = "d08-p17-21-named-subjects.pdf"
    checks = _checks(name, "cross.subject")
    assert len(checks) == 24 and all(c.holds for c in checks)
    doc = _bumped(name, "2026年市级部门收支预算总表/支出", "行政单位医疗", "预算数", "16.85", "18.54")
    (f,) = _errors(doc, "cross.subject")
    assert (f.a_value, f.b_value, f.b.row) == (D("18.54"), D("16.85"), "2101101 行政单位医疗")


def test_a_coded_table_without_a_total_row_is_matched_by_its_classes():
    # 深圳口岸办 2026 表6 财政拨款收支总表 (by name) against 表7 一般公共预算支出表, headed by a row naming
    # the department (55,884.67) instead of a 合计: its classes add up to 55,884.68, the side's total
    name = "d04-p24-27-unmarked-total.pdf"
    checks = _checks(name, "cross.subject")
    assert checks and all(c.holds for c in checks)
    doc = _bumped(name, "财政拨款收支总表/支出", "住房公积金", "2026年预算数", "266.46", "293.11")
    (f,) = _errors(doc, "cross.subject")
    assert (f.a_value, f.b_value, f.b.row) == (D("293.11"), D("266.46"), "2210201 住房公积金")


def test_a_side_cut_at_a_page_break_is_read_whole():
    # 湖州 2026 表04 财政拨款收支预算总表: the subjects on p22, 支出总计 5,973.01 alone on p23 (two tables
    # to the reader); joined, the side meets the 一般公共预算支出表 of the same total
    name = "d08-p22-25-side-over-pages.pdf"
    checks = _checks(name, "cross.subject")
    assert checks and all(c.holds for c in checks)
    doc = _bumped(name, "2026年市级部门财政拨款收支预算总表/支出", "行政事业单位医疗", "预算数", "71.42", "78.56")
    (f,) = _errors(doc, "cross.subject")
    assert (f.a_value, f.b_value, f.b.row) == (D("78.56"), D("71.42"), "21011 行政事业单位医疗")


# ---------------------------------------------------------------- two classifications on one side

def test_each_classification_of_a_two_column_side_adds_up_to_its_total():
    # 江苏省政协 2017 收支预算总表: 功能分类 6,543.55 + 1,509.72 + 1,093.52 and 支出用途 5,916.27 + 3,123.68 +
    # 106.84 both make the 当年支出小计 9,146.79 printed in the 支出用途 column
    name = "d07-p1-caption-in-frame.pdf"
    checks = [c for c in _checks(name, "table.side_total") if "Σ功能分类" in c.name or "Σ支出用途" in c.name]
    assert len(checks) == 2 and all(c.holds for c in checks)
    doc = _bumped(name, "收支预算总表/支出", "十八、住房保障支出", "功能分类/金额", "1093.52", "1202.87")
    (f,) = _errors(doc, "table.side_total")
    assert (f.a_value, f.b_value) == (D("9146.79"), D("9256.14"))


def test_the_closing_total_of_a_two_column_side_is_read_in_the_column_it_is_printed_in():
    doc = _bumped("d07-p1-caption-in-frame.pdf", "收支预算总表/支出", "支出合计", "支出用途/金额", "9146.79", "10061.47")
    assert [f.a_value for f in _errors(doc, "table.side_grand_total")] == [D("10061.47")]


# ---------------------------------------------------------------- printed zeros round down only

def test_printed_zeros_do_not_widen_a_sum_that_exceeds_its_parent():
    # 普陀区社工局 2024 基本支出决算表: 302 商品和服务支出 10.23, 27 款 printed, 19 of them 0.00 (a
    # nonnegative amount under half a cent); 福利费 1.48 read 1.63 puts the 款 0.14 above the 302,
    # beyond the 0.045 the 302 and its 8 nonzero 款 may owe
    doc = _bumped("putuo-socialwork-2024-final.pdf", "一般公共预算财政拨款基本支出决算表", "福利费", "决算数", "1.48", "1.63")
    (f,) = _errors(doc, "table.parent_sum")
    assert (f.a.row, f.a_value, f.b_value) == ("302 商品和服务支出", D("10.23"), D("10.37"))


# ---------------------------------------------------------------- items crossed with ledgers

def test_a_total_over_items_split_into_budget_and_outturn_adds_up_per_ledger():
    # 普陀区财政局 2024 三公决算表: 合计 │ 因公出国 │ 公务用车 │ 公务接待费, each 预算数 │ 决算数; the 合计
    # 预算数 0.95 is the 公务接待费 预算数 0.95 (its header read under 公务用车运行费 by the reader)
    col = "财政拨款“三公”经费/公务接待费/公务用车运行费/预算数"
    assert all(c.holds for c in _checks("putuo-finance-2024-final.pdf", "table.column_sum")
               if c.left.table == "财政拨款“三公”经费支出决算表")
    doc = _bumped("putuo-finance-2024-final.pdf", "财政拨款“三公”经费支出决算表", "合计", col, "0.95", "1.05")
    (f,) = _errors(doc, "table.column_sum")
    assert (f.a.column, f.a_value, f.b_value) == ("财政拨款“三公”经费/合计/预算数", D("0.95"), D("1.05"))


# ---------------------------------------------------------------- a side classified three times over

THREE = "d12-p16-18-three-classifications.pdf"  # 西安宣传部 2021 表1: 支出 by function │ by kind │ 部门经济分类


def test_each_classification_of_a_side_adds_up_to_its_own_total():
    # each block opens with 一、部门预算 258,596,001.79 元 and closes on 本年支出合计 and 支出总计
    checks = _checks(THREE, "table.side_total")
    assert len(checks) == 4 and all(c.holds for c in checks)  # 收入 + three 支出 classifications
    assert {c.left_value for c in checks} == {D("25859.600179")}


def test_a_slip_in_the_second_classification_is_found():
    # by kind: 1、人员经费和公用经费支出 23,174,401.79 read 25,491,841.97
    doc = _bumped(THREE, "2021年部门综合预算收支总表/支出", "1、人员经费和公用经费支出", "预算数#2",
                  "23174401.79", "25491841.97")
    found = {(f.a.row, f.a_value, f.b_value) for f in _errors(doc, "table.side_lines")}
    assert found == {("一、部门预算", D("25859.600179"), D("26091.344197")),
                     ("1、人员经费和公用经费支出", D("2549.184197"), D("2317.440179"))}
    assert any("25,491,841.97 元" in f.message for f in _errors(doc, "table.side_lines"))


def test_a_numbered_line_adds_up_the_lines_one_level_under_it():
    # by kind: 2、专项业务经费支出 235,421,600.00 = (2)商品和服务支出 234,694,100.00 + (6)资本性支出 727,500.00 (+ zeros)
    checks = _checks(THREE, "table.side_lines")
    hit = next(c for c in checks if c.left.row == "2、专项业务经费支出")
    assert (hit.left_value, hit.right_value, hit.holds) == (D("23542.16"), D("23542.16"), True)
    assert all(c.holds for c in checks)
    doc = _bumped(THREE, "2021年部门综合预算收支总表/支出", "(2)商品和服务支出", "预算数#2", "234694100.00", "258163510.00")
    assert any(f.a.row == "2、专项业务经费支出" for f in _errors(doc, "table.side_lines"))
