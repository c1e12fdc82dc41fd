"""Whole-government tables (a province's 总决算, its debt tables): regions add up to the region above them,
a column the header writes as a formula is that formula, coded subjects add up as in a department's
tables; a table that lists a selection is not held to sums it does not promise. Each test bumps one
printed cell of a real page cut the way a slip would; figures read from the fixtures by hand."""

from __future__ import annotations

import copy
from decimal import Decimal

from budgetqa.app.audit import run
from tests.conftest import fixture_doc

D = Decimal

REGIONS = "d14-p59-60-regions.pdf"  # 黑龙江 2.6 一般性转移支付分项目分地区情况表, 市县合计 … 齐齐哈尔市
SELECTED = "d14-p71-72-selected-items.pdf"  # 2.8 专项转移支付: 总计 beside the main items only
OMITTED = "d14-p32-33-omitted-subjects.pdf"  # 2.5 功能分类决算表: 204 公共安全支出 … 206
DEBT = "d15-p1-ruled-header.pdf"  # 湖南 表4-1 债务限额及余额: A=B+C, D=E+F; 湖南省 › 长沙市 › 区县


def _bumped(name: str, row: str, column: str, old: str, new: str):
    doc = copy.deepcopy(fixture_doc(name))
    hit = next(r for t in doc.tables for r in t.rows if r.name == row and r.cells.get(column) == D(old))
    hit.cells[column] = D(new)
    return doc


def _findings(doc, check: str, severity: str = "error"):
    return [f for f in run(doc).findings if f.check == check and f.severity == severity]


def _checks(name: str, check: str):
    return [c for c in run(fixture_doc(name)).checks if c.check == check]


# ---------------------------------------------------------------- regions

def test_a_citys_total_is_its_own_level_plus_its_counties():
    # 哈尔滨市合计 3,951,726 = 市本级 2,348,941 + 宾县 … 尚志市 (10 counties), in each of the 12 columns
    # it prints (资源枯竭型城市 and 边境地区 are blank in the whole group)
    checks = _checks(REGIONS, "table.region_sum")
    harbin = [c for c in checks if c.left.row == "哈尔滨市合计"]
    assert len(harbin) == 12 and all(c.holds for c in harbin)
    assert any(c.left.column == "合计" and c.left_value == D("3951726") for c in harbin)
    assert all(c.holds for c in checks)


def test_a_countys_slip_breaks_its_citys_total():
    # 宾县 结算补助 17,718 read 19,490: 哈尔滨市合计 prints 667,319, its 市本级 and counties now add to 669,091
    doc = _bumped(REGIONS, "宾县", "结算补助", "17718", "19490")
    (f,) = _findings(doc, "table.region_sum")
    assert (f.a.row, f.a.column, f.a_value, f.b_value) == ("哈尔滨市合计", "结算补助", D("667319"), D("669091"))


def test_a_countys_slip_also_breaks_its_own_total_column():
    doc = _bumped(REGIONS, "宾县", "结算补助", "17718", "19490")
    (f,) = _findings(doc, "table.column_sum")
    assert (f.a.row, f.a_value, f.b_value) == ("宾县", D("176107"), D("177879"))


def test_a_regions_own_total_cell_is_checked_against_its_members():
    # 齐齐哈尔市合计 合计 2,130,320 read 2,343,352: its 市本级 and 11 counties still add to 2,130,320
    doc = _bumped(REGIONS, "齐齐哈尔市合计", "合计", "2130320", "2343352")
    hits = [f for f in _findings(doc, "table.region_sum") if f.a.row == "齐齐哈尔市合计"]
    assert [(f.a.column, f.a_value, f.b_value) for f in hits] == [("合计", D("2343352"), D("2130320"))]


def test_regions_rounded_one_by_one_raise_no_finding():
    # 湖南 表4-1 in 亿元 to the cent: 长沙市 and its districts differ by a cent or two in some columns
    assert _checks(DEBT, "table.region_sum")
    assert any(c.status == "rounding" for c in _checks(DEBT, "table.region_sum"))
    assert not run(fixture_doc(DEBT)).findings


# ---------------------------------------------------------------- formulas in the header

def test_a_column_the_header_writes_as_a_formula_is_that_formula():
    # 芙蓉区: 2023年债务限额 A 72.73 = 一般债务 B 42.17 + 专项债务 C 30.56 (亿元; the audit sums in 万元)
    checks = _checks(DEBT, "table.formula")
    hit = next(c for c in checks if c.left.row == "芙蓉区" and c.name == "A=B+C")
    assert (hit.left_value, hit.right_value, hit.holds) == (D("727300"), D("727300"), True)
    assert {c.name for c in checks} == {"A=B+C", "D=E+F"}


def test_a_slip_in_a_formulas_operand_is_found_on_its_row_and_in_its_region():
    # 芙蓉区 专项债务 C 30.56 read 33.62: A=B+C fails on the row, and 长沙市's C no longer adds up
    doc = _bumped(DEBT, "芙蓉区", "2023年债务限额/专项债务/C", "30.56", "33.62")
    (formula,) = _findings(doc, "table.formula")
    assert (formula.a.row, formula.a_value, formula.b_value) == ("芙蓉区", D("727300"), D("757900"))
    (region,) = _findings(doc, "table.region_sum")
    assert (region.a.row, region.a.column, region.a_value, region.b_value) == (
        "长沙市", "2023年债务限额/专项债务/C", D("23306400"), D("23337000"))
    assert "2,330.64 亿元" in region.message and "2,333.70 亿元" in region.message


# ---------------------------------------------------------------- what a government table does not promise

def test_a_total_beside_selected_items_is_not_held_to_their_sum():
    # 2.8 prints 总计 2,290,827 for 市县合计 beside 19 items that add to 2,117,947: the rest go unlisted
    assert [c for c in _checks(SELECTED, "table.column_sum") if not c.holds]
    assert not run(fixture_doc(SELECTED)).findings


def test_a_selected_items_table_still_adds_up_by_region():
    # 哈尔滨市合计 基本建设支出 386,271 = 市本级 334,518 + 10 counties; 宾县 4,083 read 4,491
    doc = _bumped(SELECTED, "宾县", "基本建设支出", "4083", "4491")
    (f,) = _findings(doc, "table.region_sum")
    assert (f.a.row, f.a_value, f.b_value) == ("哈尔滨市合计", D("386271"), D("386679"))


def test_a_parent_above_its_listed_children_is_a_warning_in_a_government_table():
    # 204 公共安全支出 2,949,106; its printed 款 (武装警察部队 … 司法) add to 2,549,606: 款 left undisclosed
    (f,) = [f for f in _findings(fixture_doc(OMITTED), "table.parent_sum", "warning") if f.a.row == "204 公共安全支出"]
    assert (f.a_value, f.b_value) == (D("2949106"), D("2549606"))
    assert "未列示" in f.message
    assert not _findings(fixture_doc(OMITTED), "table.parent_sum")


def test_children_above_their_parent_stay_an_error():
    # 2050501 广播电视学校 9,749 read 10,724: 20505 广播电视教育 prints 9,823
    doc = _bumped(OMITTED, "广播电视学校", "决算数", "9749", "10724")
    (f,) = _findings(doc, "table.parent_sum")
    assert (f.a.row, f.a_value, f.b_value) == ("20505 广播电视教育", D("9823"), D("10798"))


def test_a_subject_named_like_a_unit_is_a_child_of_its_parent():
    # 2050501 广播电视学校 ends like a school's name but is a subject: 9,823 = 9,749 + 74
    hit = next(c for c in _checks(OMITTED, "table.parent_sum") if c.left.row == "20505 广播电视教育")
    assert (hit.left_value, hit.right_value, hit.holds) == (D("9823"), D("9823"), True)


# ---------------------------------------------------------------- a region's two-sided statement

TWO_SIDES = "d14-p23-24-two-sides.pdf"  # 黑龙江 2.2 一般公共预算收支总表: 收入 │ 支出 side by side


def test_a_regions_two_sided_statement_balances():
    # 收入总计 89,477,148 = 支出总计 89,477,148
    (c,) = _checks(TWO_SIDES, "table.balance")
    assert (c.left_value, c.right_value, c.holds) == (D("89477148"), D("89477148"), True)


def test_a_slip_in_a_regions_grand_total_breaks_the_balance():
    doc = _bumped(TWO_SIDES, "支出总计", "决算数", "89477148", "89477248")
    (f,) = _findings(doc, "table.balance")
    assert (f.a_value, f.b_value) == (D("89477148"), D("89477248"))


def test_a_regions_transfers_received_add_up():
    # 上级补助收入 45,316,404 = 返还性 1,185,795 + 一般性转移支付 40,770,380 + 专项转移支付 3,360,229, and each
    # of those is the lines under it (一般性: 均衡性转移支付收入 … 其他一般性转移支付收入)
    checks = _checks(TWO_SIDES, "table.transfers")
    assert [(c.left.row, c.left_value) for c in checks] == [
        ("上级补助收入", D("45316404")), ("返还性收入", D("1185795")), ("一般性转移支付收入", D("40770380")),
        ("专项转移支付收入", D("3360229"))]
    assert all(c.holds for c in checks)


def test_a_slip_in_one_transfer_breaks_its_block():
    # 教育共同财政事权转移支付收入 775,731 read 853,304: 一般性转移支付收入 40,770,380 no longer adds up
    doc = _bumped(TWO_SIDES, "教育共同财政事权转移支付收入", "决算数", "775731", "853304")
    (f,) = _findings(doc, "table.transfers")
    assert (f.a.row, f.a_value, f.b_value) == ("一般性转移支付收入", D("40770380"), D("40847953"))
