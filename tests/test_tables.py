"""The table-rebuilding steps, one behaviour each, on grids copied from the real fixtures."""

from __future__ import annotations

from decimal import Decimal

from budgetqa.ingest.models import RawTable
from budgetqa.ingest.tables import build_tables, flatten_header, normalize_grid, split_header, squeeze


def raw(title: str, lines: list[str], unit: str | None = "单位：万元") -> RawTable:
    rows = [line.split("\t") for line in lines]
    return RawTable(title=title, rows=rows, row_pages=[1] * len(rows), raw_lines=lines, unit_line=unit)


# 收入决算表 of yanbian-industry: the value labels are printed one cell left of their numbers.
SHIFTED = [
    "科目代码\t\t科目名称\t本年收入合计\t财政拨款收入\t上级补助收入\t事业收入\t经营收入\t附属单位上缴收入\t其他收入\t",
    "类\t款\t项\t栏次\t1\t2\t3\t4\t5\t6\t7",
    "\t\t\t合计\t2,199.25\t2,193.45\t\t\t\t\t5.80",
    "215\t\t\t资源勘探工业信息等支出\t1,962.84\t1,957.04\t\t\t\t\t5.80",
    "2150501\t\t\t行政运行\t1,101.41\t1,099.61\t\t\t\t\t1.80",
]


def test_squeeze_joins_cjk_words_and_drops_markup():
    assert squeeze("<b>收 入</b>") == "收入"
    assert squeeze("对附属单位补 助支出") == "对附属单位补助支出"
    assert squeeze("因公出国 (境)费") == "因公出国(境)费"


def test_header_ends_at_first_data_row_and_lanci_row_is_not_data():
    grid = normalize_grid([line.split("\t") for line in SHIFTED])
    assert split_header(grid) == 2


def test_labels_printed_one_cell_left_are_moved_onto_their_numbers():
    (t,) = build_tables(raw("收入决算表", SHIFTED), 0)
    r = t.rows[1]
    assert (r.code, r.name, r.level) == ("215", "资源勘探工业信息等支出", "类")
    assert r.cells["本年收入合计"] == Decimal("1962.84")
    assert r.cells["财政拨款收入"] == Decimal("1957.04")
    assert r.cells["其他收入"] == Decimal("5.80")
    assert r.cells["事业收入"] is None


def test_total_row_has_no_code():
    (t,) = build_tables(raw("收入决算表", SHIFTED), 0)
    assert (t.rows[0].code, t.rows[0].name) == (None, "合计")


def test_merged_header_cells_fill_right_over_their_sub_headers():
    header = [
        ["预算数", "", "", "", "", "", "决算数", "", "", "", "", ""],
        ["合计", "因公出国(境)费", "公务用车购置及运行维护费", "", "", "公务接待费"] * 2,
        ["", "", "小计", "公务用车购置费", "公务用车运行维护费", ""] * 2,
        [str(i) for i in range(1, 13)],
    ]
    paths = flatten_header(header, 12)
    assert paths[0] == "预算数/合计"
    assert paths[3] == "预算数/公务用车购置及运行维护费/公务用车购置费"
    assert paths[11] == "决算数/公务接待费"


def test_split_codes_are_joined():
    lines = [
        "科目编码\t\t\t科目名称\t合计",
        "类\t款\t项\t\t",
        "204\t06\t99\t其他司法支出\t12.00",
    ]
    (t,) = build_tables(raw("支出决算表", lines), 0)
    assert (t.rows[0].code, t.rows[0].level) == ("2040699", "项")


TWO_SIDED = [
    "收入\t\t\t支出\t\t",
    "项目\t行次\t金额\t项目\t行次\t金额",
    "栏次\t\t1\t栏次\t\t2",
    "一、一般公共预算财政拨款收入\t1\t2,193.45\t一、一般公共服务支出\t32\t",
    "\t9\t\t九、卫生健康支出\t40\t57.49",
    "本年收入合计\t27\t2,199.25\t本年支出合计\t58\t2,222.76",
]


def test_two_sided_table_becomes_two_tables_with_their_own_rows():
    income, spending = build_tables(raw("收入支出决算总表", TWO_SIDED), 3)
    assert (income.side, spending.side) == ("收入", "支出")
    assert income.title == "收入支出决算总表/收入" and spending.index == 3
    assert [r.name for r in income.rows] == ["一、一般公共预算财政拨款收入", "本年收入合计"]
    assert spending.rows[1].cells == {"金额": Decimal("57.49")}
    assert spending.rows[2].cells["金额"] == Decimal("2222.76")


GROUPS = [
    "人员经费\t\t\t公用经费\t\t\t\t\t",
    "科目编码\t科目名称\t决算数\t科目编码\t科目名称\t决算数\t科目编码\t科目名称\t决算数",
    "301\t工资福利支出\t1,002.60\t302\t商品和服务支出\t102.04\t307\t债务利息及费用支出\t",
    "30101\t基本工资\t321.76\t30201\t办公费\t10.39\t30701\t国内债务付息\t",
    "\t\t\t30299\t其他商品和服务支出\t11.97\t\t\t",
    "人员经费合计\t\t1,313.37\t公用经费合计\t\t\t\t\t\t103.28",
]


def test_column_groups_become_one_list_of_rows_with_footer_totals():
    (t,) = build_tables(raw("一般公共预算财政拨款基本支出决算明细表", GROUPS), 0)
    assert t.columns == ["决算数"]
    by = {r.code or r.name: r.cells["决算数"] for r in t.rows}
    assert by["30101"] == Decimal("321.76")
    assert by["30299"] == Decimal("11.97")
    assert by["307"] is None
    assert by["人员经费合计"] == Decimal("1313.37")
    assert by["公用经费合计"] == Decimal("103.28")


def test_blank_and_dash_cells_are_none_and_labels_go_to_texts():
    lines = ["项目\t统计数", "合计\t1.90", "货物\t1.90", "工程\t——", "服务\t-", "车辆\t", "备注\t≥500人次"]
    (t,) = build_tables(raw("部门决算公开相关信息统计表", lines), 0)
    assert [r.cells["统计数"] for r in t.rows] == [Decimal("1.90"), Decimal("1.90"), None, None, None, None]
    assert t.rows[-1].texts["统计数"] == "≥500人次"


def test_unit_comes_from_the_tables_own_unit_line():
    assert build_tables(raw("收入决算表", SHIFTED, unit="金额单位：元"), 0)[0].unit == "元"
    assert build_tables(raw("收入决算表", SHIFTED, unit=None), 0)[0].unit is None


PERFORMANCE = [
    "项目名称\t延吉纺织厂护厂经费\t\t\t\t\t\t\t\t\t\t",
    "资金情况 (万元)\t项目资金\t年初预算数\t全年预算数\t全年执行数\t执行率\t得分\t\t\t\t\t",
    "\t年度资金总和\t17.50\t17.50\t17.50\t100.00%\t10.00\t\t\t\t\t",
    "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t偏差原因分析及改进措施\t权重\t自评得分\t校验得分\t偏差原因\t佐证材料",
    "\t成本指标\t经济成本指标\t社保费\t3万元\t2万元\t因员工退休未发放\t4\t2.67\t\t\t6社保费发放.pdf",
    "\t\t\t办公费\t0.4万元\t1.3939万元\t\t3\t3\t\t\t2办公费明细表.pdf",
    "汇总得分:\t\t\t\t\t\t98.67\t\t\t\t\t",
]


def test_performance_form_is_titled_by_its_project():
    (t,) = build_tables(raw("项目支出绩效自评表", PERFORMANCE, unit=None), 0)
    assert t.kind == "项目支出绩效自评表"
    assert t.title == "项目支出绩效自评表（延吉纺织厂护厂经费）"
    assert t.unit == "万元"


def test_performance_fund_row_maps_numbers_onto_the_fund_header():
    (t,) = build_tables(raw("项目支出绩效自评表", PERFORMANCE), 0)
    fund = t.rows[0]
    assert fund.name == "年度资金总和"
    assert fund.cells == {
        "年初预算数": Decimal("17.50"), "全年预算数": Decimal("17.50"), "全年执行数": Decimal("17.50"),
        "执行率": Decimal("100.00"), "得分": Decimal("10.00"),
    }


def test_performance_indicator_rows_drop_categories_and_keep_values_by_column():
    (t,) = build_tables(raw("项目支出绩效自评表", PERFORMANCE), 0)
    social, office = t.rows[1], t.rows[2]
    assert social.name == "社保费" and social.texts["指标类别"] == "成本指标/经济成本指标"
    assert social.cells["自评得分"] == Decimal("2.67") and social.texts["佐证材料"] == "6社保费发放.pdf"
    assert office.texts["实际完成值"] == "1.3939万元" and office.cells["权重"] == Decimal("3")


def test_performance_summary_row_keeps_the_score():
    (t,) = build_tables(raw("项目支出绩效自评表", PERFORMANCE), 0)
    assert (t.rows[-1].name, t.rows[-1].cells) == ("汇总得分", {"自评得分": Decimal("98.67")})


def test_shanghai_style_sides_labelled_本年收入_and_本年支出_are_split():
    lines = [
        "本年收入\t\t本年支出\t",
        "项目\t预算数\t项目\t预算数",
        "一、财政拨款收入\t171,915,169\t一、一般公共服务支出\t127,886,849",
        "收入总计\t171,915,169\t支出总计\t171,915,169",
    ]
    income, spending = build_tables(raw("部门财务收支预算总表", lines, unit="单位：元"), 0)
    assert (income.kind, income.side, income.columns, income.unit) == ("收支预算总表", "收入", ["预算数"], "元")
    assert spending.rows[0].cells == {"预算数": Decimal("127886849")}


def test_a_table_of_no_standard_kind_says_why():
    # A 国有资产占用情况表 is printed by some departments beside the standard set; it is kept, kind other.
    (table,) = build_tables(raw("国有资产占用情况表", ["项目\t金额", "车辆\t36.50", "房屋\t1200.00"]), 0)
    assert table.kind == "other"
    assert table.note == "表题「国有资产占用情况表」不属于标准公开表（不按编号归类），表头「项目金额」"


def test_a_standard_table_carries_no_note():
    (table,) = build_tables(raw("收入决算表", ["项目\t合计", "合计\t100.00"]), 0)
    assert table.kind == "收入决算表" and table.note is None
