"""The checker: a figure is shown as verified only when traced to a cited cell or its recomputation.

Facts are built by hand from real cells of the fixtures (each cell's printed line is quoted in
`CELLS` and checked against the fixture by the first test); figures are exact.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from budgetqa.app.checker import extract_figures, render_marks, verify
from budgetqa.app.models import Claim
from budgetqa.ingest.models import Fact
from hypothesis import given, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).parent / "fixtures"
YANBIAN = "yanbian-industry-2023-final.txt"

# fact id → (table, row, column, printed value, unit, page, the fixture line the cell stands on)
CELLS: dict[str, tuple[str, str, str, str, str | None, int | None, str]] = {
    "exp-215-total": ("支出决算表", "215 资源勘探工业信息等支出", "本年支出合计", "1,987.35", "万元", 3,
                      "215\t\t\t资源勘探工业信息等支出\t1,987.35\t1,184.83\t802.51"),
    "exp-215-basic": ("支出决算表", "215 资源勘探工业信息等支出", "基本支出", "1,184.83", "万元", 3,
                      "215\t\t\t资源勘探工业信息等支出\t1,987.35\t1,184.83\t802.51"),
    "exp-215-project": ("支出决算表", "215 资源勘探工业信息等支出", "项目支出", "802.51", "万元", 3,
                        "215\t\t\t资源勘探工业信息等支出\t1,987.35\t1,184.83\t802.51"),
    "gb-215-basic": ("一般公共预算财政拨款支出决算表", "215 资源勘探工业信息等支出", "本年支出/基本支出", "1,181.23",
                     "万元", 5, "215\t\t\t资源勘探工业信息等支出\t1,977.24\t1,181.23\t796.01"),
    "tot-income": ("收入支出决算总表/收入", "本年收入合计", "金额", "2,199.25", "万元", 1,
                   "本年收入合计\t27\t2,199.25\t本年支出合计\t58\t2,222.76"),
    "tot-spending": ("收入支出决算总表/支出", "本年支出合计", "金额", "2,222.76", "万元", 1,
                     "本年收入合计\t27\t2,199.25\t本年支出合计\t58\t2,222.76"),
    "tot-carry-in": ("收入支出决算总表/收入", "年初结转和结余", "金额", "47.89", "万元", 1,
                     "年初结转和结余\t29\t47.89\t年末结转和结余\t60\t24.38"),
    "tot-carry-out": ("收入支出决算总表/支出", "年末结转和结余", "金额", "24.38", "万元", 1,
                      "年初结转和结余\t29\t47.89\t年末结转和结余\t60\t24.38"),
    "sg-budget": ("财政拨款“三公”经费支出决算表", "合计", "预算数/合计", "12.34", "万元", 9,
                  "12.34\t\t2.8\t\t2.8\t9.54\t8.02\t\t2.8\t\t2.8\t5.22"),
    "sg-budget-hosting": ("财政拨款“三公”经费支出决算表", "合计", "预算数/公务接待费", "9.54", "万元", 9,
                          "12.34\t\t2.8\t\t2.8\t9.54\t8.02\t\t2.8\t\t2.8\t5.22"),
    "sg-actual": ("财政拨款“三公”经费支出决算表", "合计", "决算数/合计", "8.02", "万元", 9,
                  "12.34\t\t2.8\t\t2.8\t9.54\t8.02\t\t2.8\t\t2.8\t5.22"),
    # 项目支出绩效自评表 原黄金局补差工资, row 当年财政拨款: the printed 执行率 91.31% is not 13.51/14.80.
    "gold-budget": ("项目支出绩效自评表 原黄金局补差工资", "当年财政拨款", "全年预算数", "14.80", "万元", None,
                    "\t当年财政拨款\t14.80\t14.80\t13.51\t91.31%\t0.00"),
    "gold-spent": ("项目支出绩效自评表 原黄金局补差工资", "当年财政拨款", "全年执行数", "13.51", "万元", None,
                   "\t当年财政拨款\t14.80\t14.80\t13.51\t91.31%\t0.00"),
    "gold-rate": ("项目支出绩效自评表 原黄金局补差工资", "当年财政拨款", "执行率", "91.31", "%", None,
                  "\t当年财政拨款\t14.80\t14.80\t13.51\t91.31%\t0.00"),
    "hq-rate": ("项目支出绩效自评表 延边州工业经济高质量发展专项资金", "当年财政拨款", "执行率", "70.25", "%", None,
                "资金情况 (万元)\t当年财政拨款\t496.15\t25.15\t17.67\t70.25%\t0.00"),
    "train-people": ("项目支出绩效自评表 延边州经济干部科技创新驱动产业发展培训", "培训人数", "实际完成值", "46", None,
                     None, "\t产出指标\t数量指标\t培训人数\t≤50\t46\t无\t10\t10\t\t\t培训合同.pdf"),
    "score-total": ("项目支出绩效自评表", "汇总得分", "得分", "98.67", "分", None, "汇总得分:\t\t\t\t\t\t98.67"),
}


def _fact(fid: str) -> Fact:
    table, row, column, printed, unit, page, _ = CELLS[fid]
    code, _, name = row.partition(" ") if row[:1].isdigit() else ("", "", row)
    return Fact(
        doc_id="yanbian-ind", table_index=0, table_kind="", table_title=table, side=None, row_index=0,
        row_code=code or None, row_name=name, column=column, value=Decimal(printed.replace(",", "")),
        unit=unit, page=page, fact_id=fid,
    )


FACTS: dict[str, Fact] = {fid: _fact(fid) for fid in CELLS}

# 上海市普陀区万里街道 2025 部门财务收支预算总表 (单位：元), PDF page 9: 一、财政拨款收入 189,767,551.
WANLI_INCOME = Fact(
    doc_id="putuo-wanli", table_index=0, table_kind="", table_title="2025年部门财务收支预算总表", side="收入",
    row_index=0, row_code=None, row_name="一、财政拨款收入", column="预算数", value=Decimal(189767551),
    unit="元", page=9, fact_id="wanli-income",
)


def cell(*fids: str) -> list[Claim]:
    return [Claim(value=Decimal(0), fact_ids=[fid]) for fid in fids]


def derived(kind: str, *fids: str) -> list[Claim]:
    return [Claim(value=Decimal(0), fact_ids=list(fids), derivation=kind)]  # type: ignore[arg-type]


def marks(text: str, claims: list[Claim], facts=FACTS) -> list[tuple[str, bool]]:
    return [(f.text, f.verified) for f in verify(text, claims, facts).figures]


# ------------------------------------------------------------------ the hand-built facts are real


def test_hand_built_facts_are_real_cells_of_the_fixture():
    lines = [ln.rstrip("\t") for ln in (FIXTURES / YANBIAN).read_text(encoding="utf-8").splitlines()]
    for fid, (*_, printed, _unit, _page, line) in CELLS.items():
        assert line in lines, fid
        assert printed in line.replace("%", ""), fid


def test_yuan_fact_is_a_real_cell_of_the_wanli_pdf():
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(FIXTURES / "pdf" / "putuo-wanli-2025-budget.pdf") as pdf:
        page = pdf.pages[WANLI_INCOME.page - 1].extract_text()
    assert "单位：元" in page and "一、财政拨款收入 189,767,551" in page


# ------------------------------------------------------------------ cells


def test_faithful_lookup_answer_is_verified_with_its_citation():
    result = verify("支出决算表中资源勘探工业信息等支出的基本支出为1,184.83万元。", cell("exp-215-basic"), FACTS)
    assert result.status == "verified"
    (fig,) = result.figures
    assert (fig.value, fig.unit, fig.derivation) == (Decimal("1184.83"), "万元", "cell(exp-215-basic)")
    assert (fig.source.table, fig.source.row, fig.source.column, fig.source.page) == (
        "支出决算表", "215 资源勘探工业信息等支出", "基本支出", 3,
    )


def test_changed_digit_is_flagged():
    result = verify("基本支出为1,184.38万元。", cell("exp-215-basic"), FACTS)
    assert result.status == "unverified"
    assert result.figures[0].reason == "no cited fact equals 1,184.38"


def test_shifted_decimal_point_is_flagged():
    assert marks("基本支出为118.483万元。", cell("exp-215-basic")) == [("118.483万元", False)]


def test_fact_in_yuan_given_as_wan_yuan_is_flagged():
    result = verify("财政拨款收入189,767,551万元。", cell("wanli-income"), {"wanli-income": WANLI_INCOME})
    assert result.figures[0].reason == "cited fact is in 元: 189,767,551元 ≠ 189,767,551万元"


def test_fact_in_yuan_restated_in_wan_yuan_is_verified():
    # the document's own prose: 收入预算18,976.76万元 for the 元 table's 189,767,551
    assert marks("收入预算18,976.76万元", cell("wanli-income"), {"wanli-income": WANLI_INCOME}) == [
        ("18,976.76万元", True)
    ]


def test_wan_yuan_fact_written_in_yuan_is_verified():
    assert marks("基本支出11,848,300元。", cell("exp-215-basic")) == [("11,848,300元", True)]


def test_yi_yuan_within_written_precision_is_verified():
    assert marks("约0.12亿元，即0.1185亿元", cell("exp-215-basic")) == [("0.12亿元", True), ("0.1185亿元", True)]


def test_yi_yuan_outside_written_precision_is_flagged():
    # 1,184.83万元 = 0.118483亿元: 0.11 and 0.1184 are not roundings of it
    assert marks("0.11亿元或0.1184亿元", cell("exp-215-basic")) == [("0.11亿元", False), ("0.1184亿元", False)]


def test_amount_rounded_to_one_decimal_is_verified_but_a_wrong_tenth_is_not():
    assert marks("1184.8万元，1184.9万元", cell("exp-215-basic")) == [("1184.8万元", True), ("1184.9万元", False)]


def test_deviation_reports_how_far_a_rounding_is_from_the_source():
    result = verify("1,184.83万元，11,848,300元，0.12亿元", cell("exp-215-basic"), FACTS)
    assert result.deviations == [Decimal(0), Decimal(0), Decimal("15.17")]  # in 万元, the fact's unit


def test_caller_can_refuse_roundings_coarser_than_the_source():
    result = verify("1,184.83万元，1184.8万元", cell("exp-215-basic"), FACTS, max_deviation=Decimal("0.01"))
    assert [f.verified for f in result.figures] == [True, False]
    assert result.figures[1].reason == "1184.8万元 rounds cell(exp-215-basic)=1,184.83 by 0.03, more than 0.01"


def test_neighbouring_column_value_is_flagged_and_named():
    # 1,987.35 is 本年支出合计 on the same row; the answer cites 基本支出
    result = verify("基本支出为1,987.35万元。", cell("exp-215-basic"), FACTS)
    assert result.figures[0].reason == (
        "no cited fact equals 1,987.35; it equals uncited fact exp-215-total "
        "(支出决算表 / 215 资源勘探工业信息等支出 / 本年支出合计)"
    )


def test_value_from_the_wrong_table_is_flagged():
    # 1,181.23 is the same row's 基本支出 in 一般公共预算财政拨款支出决算表, not in 支出决算表
    assert marks("支出决算表中基本支出为1,181.23万元。", cell("exp-215-basic")) == [("1,181.23万元", False)]


def test_figure_matching_no_fact_at_all_is_flagged_with_plain_reason():
    result = verify("基本支出为1,190.00万元。", cell("exp-215-basic"), FACTS)
    assert result.figures[0].reason == "no cited fact equals 1,190.00"


def test_claim_value_is_never_trusted():
    wrong_claim = [Claim(value=Decimal("1184.38"), unit="万元", fact_ids=["exp-215-basic"])]
    assert marks("基本支出为1,184.38万元。", wrong_claim) == [("1,184.38万元", False)]
    assert marks("基本支出为1,184.83万元。", wrong_claim) == [("1,184.83万元", True)]


def test_two_figures_in_one_sentence_are_checked_separately():
    # 9.54 is 公务接待费's 预算数, not the 三公 决算数 (8.02)
    result = verify("“三公”经费预算数12.34万元，决算数9.54万元。", cell("sg-budget", "sg-actual"), FACTS)
    assert [(f.text, f.verified) for f in result.figures] == [("12.34万元", True), ("9.54万元", False)]
    assert result.status == "partial"


def test_bare_number_is_compared_in_the_cited_facts_unit():
    assert marks("基本支出 1184.83，项目支出 802.15", cell("exp-215-basic", "exp-215-project")) == [
        ("1184.83", True),
        ("802.15", False),
    ]


def test_unknown_cited_fact_id_is_reported():
    result = verify("基本支出为1,184.83万元。", cell("no-such-fact"), FACTS)
    assert result.figures[0].reason == "cited facts not found: no-such-fact"


def test_answer_citing_nothing_verifies_nothing():
    result = verify("基本支出为1,184.83万元。", [], FACTS)
    assert (result.status, result.figures[0].reason) == ("unverified", "the answer cites no fact")


# ------------------------------------------------------------------ derivations


def test_correct_difference_is_verified():
    claims = derived("difference", "tot-spending", "tot-income")
    assert marks("本年支出合计比收入合计多23.51万元。", claims) == [("23.51万元", True)]


def test_made_up_difference_is_flagged_with_the_recomputed_value():
    result = verify("差额为25.51万元。", derived("difference", "tot-spending", "tot-income"), FACTS)
    assert result.figures[0].reason == (
        "derivation difference(tot-spending, tot-income)=23.51, answer says 25.51"
    )


def test_decrease_word_carries_the_sign_of_a_negative_difference():
    claims = derived("difference", "tot-income", "tot-spending")  # 2,199.25 − 2,222.76 = −23.51
    assert marks("本年收入合计比支出合计少23.51万元。", claims) == [("23.51万元", True)]


def test_decrease_word_does_not_excuse_a_positive_difference():
    # "A 比 B 少 X" is difference(A, B) = −X; a claim of +23.51 says the opposite
    result = verify("本年支出合计比收入合计少23.51万元。", derived("difference", "tot-spending", "tot-income"), FACTS)
    assert result.figures[0].reason == (
        "derivation difference(tot-spending, tot-income)=23.51 is not a decrease, "
        "answer says 23.51万元 after a decrease word"
    )


def test_neutral_word_compares_the_magnitude_of_a_difference():
    assert marks("两者相差23.51万元", derived("difference", "tot-income", "tot-spending")) == [("23.51万元", True)]


def test_increase_word_does_not_excuse_a_negative_difference():
    claims = derived("difference", "tot-income", "tot-spending")
    assert marks("本年收入合计比支出合计增加23.51万元。", claims) == [("23.51万元", False)]


def test_sum_of_cited_cells_is_verified():
    # 1,184.83 + 802.51 = 1,987.34: the table prints 1,987.35 (尾数误差); the sum is what was claimed
    claims = derived("sum", "exp-215-basic", "exp-215-project")
    assert marks("合计1,987.34万元", claims) == [("1,987.34万元", True)]


def test_share_is_verified_at_the_written_precision():
    claims = derived("share", "exp-215-basic", "exp-215-total")  # 59.6186%
    assert marks("基本支出占59.62%，约59.6%", claims) == [("59.62%", True), ("59.6%", True)]


def test_share_with_a_wrong_digit_is_flagged():
    assert marks("基本支出占59.26%", derived("share", "exp-215-basic", "exp-215-total")) == [("59.26%", False)]


def test_growth_down_is_verified_with_a_decrease_word():
    claims = derived("growth", "tot-carry-out", "tot-carry-in")  # (24.38 − 47.89) / 47.89 = −49.09%
    assert marks("年末结转和结余比年初下降49.09%", claims) == [("49.09%", True)]


def test_growth_written_with_a_minus_sign_is_verified():
    assert marks("增长-49.09%", derived("growth", "tot-carry-out", "tot-carry-in")) == [("-49.09%", True)]


def test_growth_down_stated_as_an_increase_is_flagged():
    assert marks("增长49.09%", derived("growth", "tot-carry-out", "tot-carry-in")) == [("49.09%", False)]


def test_positive_growth_stated_as_a_decrease_is_flagged():
    claims = derived("growth", "tot-carry-in", "tot-carry-out")  # (47.89 − 24.38) / 24.38 = +96.43%
    assert marks("增长96.43%，而非下降96.43%", claims) == [("96.43%", True), ("96.43%", False)]


def test_execution_rate_as_the_document_rounds_it_is_verified():
    # the document's prose: 预算为 12.34 万元，支出决算为 8.02 万元，完成预算的 65% (64.99%)
    claims = derived("execution_rate", "sg-actual", "sg-budget")
    assert marks("完成预算的65%（64.99%）", claims) == [("65%", True), ("64.99%", True)]


def test_printed_rate_that_disagrees_with_its_own_cells_is_flagged_against_the_recomputation():
    # 13.51 / 14.80 = 91.28%, but the row prints 91.31%
    result = verify("执行率91.31%", derived("execution_rate", "gold-spent", "gold-budget"), FACTS)
    assert result.figures[0].reason == (
        "derivation execution_rate(gold-spent, gold-budget)=91.28, answer says 91.31"
    )
    assert marks("执行率91.28%", derived("execution_rate", "gold-spent", "gold-budget")) == [("91.28%", True)]


def test_percentage_needs_a_percent_source():
    result = verify("基本支出占59.62%", cell("exp-215-basic", "exp-215-total"), FACTS)
    assert result.figures[0].reason == (
        "no cited % fact or share/growth/execution_rate derivation gives 59.62%"
    )


def test_percent_fact_rounded_within_written_precision_is_verified():
    assert marks("执行率70.3%", cell("hq-rate")) == [("70.3%", True)]  # 70.25% printed


def test_percent_fact_rounded_beyond_written_precision_is_flagged():
    assert marks("执行率70.4%", cell("hq-rate")) == [("70.4%", False)]


def test_percent_cell_cited_directly_is_verified_even_when_inconsistent():
    # the checker traces figures to cells; finding the document's own inconsistency is another job
    assert marks("执行率91.31%", cell("gold-rate")) == [("91.31%", True)]


# ------------------------------------------------------------------ counts and scores


def test_count_matches_a_unitless_fact():
    assert marks("培训46人，而非47人", cell("train-people")) == [("46人", True), ("47人", False)]


def test_amount_never_matches_a_unitless_fact():
    result = verify("培训费46万元", cell("train-people"), FACTS)
    assert result.figures[0].reason == "cited fact has no unit: 46 ≠ 46万元"


def test_score_matches_a_score_fact():
    assert marks("汇总得分98.67分", cell("score-total")) == [("98.67分", True)]


def test_count_never_matches_an_amount_fact():
    assert marks("共802辆", cell("exp-215-project")) == [("802辆", False)]


# ------------------------------------------------------------------ status and marks


def test_answer_without_figures_is_unverified_for_the_caller_to_judge():
    assert verify("文件未提供该数据。", [], FACTS).status == "unverified"


def test_render_marks_puts_a_mark_after_each_figure():
    result = verify("基本支出1,184.83万元，项目支出802.50万元。", cell("exp-215-basic", "exp-215-project"), FACTS)
    assert render_marks(result) == "基本支出1,184.83万元✓，项目支出802.50万元⚠。"


# ------------------------------------------------------------------ extraction


def _texts(text: str) -> list[str]:
    return [m.text for m in extract_figures(text)]


def test_extracts_amounts_percentages_and_keeps_positions():
    text = "本年收入合计 2,199.25 万元，其中：财政拨款收入 2193.45 万元，比上年增加 346.26 万元，增长 18.75%"
    ms = extract_figures(text)
    assert [(m.text, m.value, m.unit, m.decimals) for m in ms] == [
        ("2,199.25 万元", Decimal("2199.25"), "万元", 2),
        ("2193.45 万元", Decimal("2193.45"), "万元", 2),
        ("346.26 万元", Decimal("346.26"), "万元", 2),
        ("18.75%", Decimal("18.75"), "%", 2),
    ]
    assert all(text[m.start : m.end] == m.text for m in ms)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("22,471,400元", Decimal(22471400), "元"),
        ("1.2亿元", Decimal("1.2"), "亿元"),
        ("增长 -3.5%", Decimal("-3.5"), "%"),
        ("增长 9.07 %", Decimal("9.07"), "%"),
        ("100.00％", Decimal("100.00"), "%"),
        ("3.5个百分点", Decimal("3.5"), "百分点"),
        ("700人次", Decimal(700), "人次"),
        ("共有车辆 6 辆", Decimal(6), "辆"),
        ("设 12 个内设机构", Decimal(12), "个"),
        ("自评得分为100分", Decimal(100), "分"),
    ],
)
def test_extracts_one_figure(text, value, unit):
    (m,) = extract_figures(text)
    assert (m.value, m.unit) == (value, unit)


@pytest.mark.parametrize(
    "text",
    [
        "2023 年度“三公”经费财政拨款支出",  # year
        "2023年度部门决算",
        "2023-2024年",  # year range
        "2023部门决算",  # year without 年
        "截至 2023 年 12 月 31 日",  # date
        "8月16日召开",
        "12月3-9日",
        "2023.12.31",
        "支出决算表（公开03表）",  # table numbers
        "公开 09 表",
        "见预算表9和表3",
        "2150501 行政运行",  # subject codes
        "215\t\t\t资源勘探工业信息等支出",
        "30101 基本工资",
        "其他社会保障和就业支出（2089999）",
        "20101 人大事务",
        "6. 资源勘探工业信息等支出(类)",  # list markers
        "2、卫生健康支出",
        "（1）行政运行",
        "见第3页",  # page, column and row numbers
        "栏次 1",
        "财预〔2023〕10号",  # document number
    ],
)
def test_structure_numbers_are_not_figures(text):
    assert extract_figures(text) == []


def test_real_prose_sentence_yields_only_its_figures():
    line = (
        "6. 资源勘探工业信息等支出(类)工业和信息产业监管(款)行政运行(项)年初预算为 792.38 万元，"
        "支出决算为 1,099.61 万元，完成年初预算的 138.8%。"
    )
    assert _texts(line) == ["792.38 万元", "1,099.61 万元", "138.8%"]


def test_real_table_line_yields_its_cells_but_not_its_code():
    assert _texts(CELLS["exp-215-total"][6]) == ["1,987.35", "1,184.83", "802.51"]


def test_unit_after_a_line_break_belongs_to_the_figure():
    # the fixture's prose: "基本支出 1420.25" / "万元，比上年增加 48.00 万元"
    assert _texts("基本支出 1420.25\n\n万元")[0] == "1420.25"  # a blank line ends the figure
    assert extract_figures("基本支出 1420.25\n万元")[0].unit == "万元"


def test_decrease_word_binds_only_to_the_next_figure():
    ms = extract_figures("较 2022 年度减少 1.14 万元，增长 9%")
    assert [m.direction for m in ms] == ["down", None]


# ------------------------------------------------------------------ property


UNITS = ["元", "万元", "亿元"]
SCALE = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}


def _render(value: Decimal) -> str:
    """The exact value written plainly: no exponent, no trailing zeros."""
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


@settings(max_examples=150, deadline=None)
@given(
    cents=st.integers(min_value=-10**11, max_value=10**11),
    fact_unit=st.sampled_from(UNITS),
    written_unit=st.sampled_from(UNITS + [None]),
    position=st.integers(min_value=0, max_value=40),
    replacement=st.integers(min_value=0, max_value=9),
    separators=st.booleans(),
)
def test_faithful_rendering_verified_and_one_changed_digit_never(
    cents, fact_unit, written_unit, position, replacement, separators
):
    value = Decimal(cents).scaleb(-2)
    fact = Fact(
        doc_id="d", table_index=0, table_kind="", table_title="t", side=None, row_index=0, row_code=None,
        row_name="r", column="c", value=value, unit=fact_unit, page=None, fact_id="f",
    )
    unit = written_unit or fact_unit
    shown = value * SCALE[fact_unit] / SCALE[unit]
    number = _render(shown)
    if separators:
        whole, dot, frac = number.partition(".")
        sign = "-" if whole.startswith("-") else ""
        number = sign + f"{int(whole.lstrip('-')):,}" + dot + frac
    suffix = written_unit or ""
    claims = [Claim(value=Decimal(0), fact_ids=["f"])]

    faithful = verify(f"决算数为{number}{suffix}。", claims, {"f": fact})
    assert [f.verified for f in faithful.figures] == [True], number + suffix

    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    i = digits[position % len(digits)]
    new = str(replacement if str(replacement) != number[i] else (replacement + 1) % 10)
    changed = number[:i] + new + number[i + 1 :]
    result = verify(f"决算数为{changed}{suffix}。", claims, {"f": fact})
    assert not any(f.verified for f in result.figures), changed + suffix


def test_digits_glued_to_a_name_are_part_of_the_name():
    from budgetqa.app.checker import extract_figures

    text = "项目支出绩效自评表（12345政务热线搬迁项目）「年度资金总和」全年执行数 50.00万元"
    assert [m.text for m in extract_figures(text)] == ["50.00万元"]


# ------------------------------------------------------------------ Chinese numerals


def _read(text: str) -> list[tuple[str, Decimal, str | None]]:
    return [(m.text, m.value, m.unit) for m in extract_figures(text)]


@pytest.mark.parametrize(
    ("text", "figure", "value", "unit"),
    [
        ("共有三辆公务用车", "三辆", Decimal(3), "辆"),
        ("设十二个内设机构", "十二个", Decimal(12), "个"),
        ("占百分之十", "百分之十", Decimal(10), "%"),
        ("执行率为百分之三十五点五", "百分之三十五点五", Decimal("35.5"), "%"),
        ("百分之百完成", "百分之百", Decimal(100), "%"),
        ("一千一百万元", "一千一百万元", Decimal(11_000_000), "元"),
        ("两千万元", "两千万元", Decimal(20_000_000), "元"),
        ("两万三千四百五十元", "两万三千四百五十元", Decimal(23_450), "元"),
        ("一点二亿元", "一点二亿元", Decimal(120_000_000), "元"),
        ("收入1.2亿", "1.2亿", Decimal(120_000_000), None),
        ("3千万元", "3千万元", Decimal(3000), "万元"),  # 3 × 千 in 万元
        ("2.5万人", "2.5万人", Decimal(25_000), "人"),
        ("约三成", "三成", Decimal(30), "%"),
        ("下降零点五个百分点", "零点五个百分点", Decimal("0.5"), "百分点"),
        ("人民币壹仟贰佰万元", "壹仟贰佰万元", Decimal(12_000_000), "元"),  # 大写
        ("约占三分之一", "三分之一", Decimal("33.33"), "%"),
    ],
)
def test_reads_a_figure_written_in_chinese_numerals(text, figure, value, unit):
    assert _read(text) == [(figure, value, unit)]


@pytest.mark.parametrize(
    "text",
    [
        "二〇二三年度部门决算",  # year
        "第三部分",  # ordinals
        "第十二个项目",
        "第三十辆",
        "一、部门基本情况",  # list markers
        "（二）收入情况",
        "办公区域调整项目（一期）经费",
        "其中：一是加强管理",
        "见表三",  # table numbers
        "附件二",
        "支出决算表（公开01表）",
        "一般公共预算财政拨款",  # words
        "一些项目",
        "统一采购",
        "唯一一个",
        "一个重要举措",
        "一次性补助",
        "三公经费",
        "十四五规划",
        "五险一金",
        "十分重要",
        "一成不变",
        "陆续开展",  # 陆 is also the 大写 六
    ],
)
def test_chinese_numerals_that_are_not_figures(text):
    assert extract_figures(text) == []


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("约三十多万元", "approximate (多)"),
        ("数十万元", "approximate (数)"),
        ("十几个", "approximate (几)"),
        ("一万多", "approximate (多)"),
        ("三四个", "a run of digits without 十/百/千 (a range such as 三四 or a code)"),
    ],
)
def test_chinese_numeral_that_cannot_be_read_is_reported_never_passed(text, why):
    result = verify(text, cell("exp-215-basic", "train-people"), FACTS)
    (fig,) = result.figures
    assert not fig.verified and result.status == "unverified"
    assert fig.reason == f"cannot read {fig.text} as a number: {why}"


def test_chinese_amount_is_verified_at_its_written_precision():
    # 1,184.83万元: 一千一百八十五万元 is 1185万 (to the 万); 一千二百万元 is not a rounding of it
    assert marks("约一千一百八十五万元，并非一千二百万元", cell("exp-215-basic")) == [
        ("一千一百八十五万元", True), ("一千二百万元", False)]


def test_chinese_count_verifies_only_its_own_number():
    assert marks("培训四十六人，不是四十七人", cell("train-people")) == [("四十六人", True), ("四十七人", False)]


def test_chinese_percentage_verifies_a_share():
    claims = derived("share", "exp-215-basic", "exp-215-total")  # 59.6186%
    assert marks("占百分之五十九点六二，约六成", claims) == [("百分之五十九点六二", True), ("六成", True)]
    assert marks("占百分之五十九点二六", claims) == [("百分之五十九点二六", False)]


def test_fraction_is_a_share_to_the_nearest_per_cent():
    claims = derived("share", "exp-215-project", "exp-215-total")  # 802.51 / 1,987.35 = 40.38%
    assert marks("项目支出约占五分之二，不到三分之一", claims) == [("五分之二", True), ("三分之一", False)]


def test_multiplier_without_a_unit_is_never_read_in_the_cells_unit():
    # before, 1.2亿 and 3千万 were the bare numbers 1.2 and 3, read in the cited cell's 万元
    base = FACTS["exp-215-basic"]
    facts = {"f": replace(base, value=Decimal("1.2"), fact_id="f"), "g": replace(base, value=Decimal(3), fact_id="g")}
    assert marks("1.2亿，3千万", cell("f", "g"), facts) == [("1.2亿", False), ("3千万", False)]
    assert marks("约0.1亿，1184.83万", cell("exp-215-basic")) == [("0.1亿", True), ("1184.83万", True)]


def test_decrease_word_binds_to_a_chinese_figure():
    claims = derived("difference", "tot-income", "tot-spending")  # −23.51万元
    assert marks("收入比支出少二十三点五一万元", claims) == [("二十三点五一万元", True)]
    assert marks("收入比支出多二十三点五一万元", claims) == [("二十三点五一万元", False)]


def test_cited_fact_outside_the_shown_candidates_backs_nothing():
    result = verify("基本支出为1,184.83万元。", cell("exp-215-basic"), FACTS, scope={"exp-215-total"})
    assert result.status == "unverified"
    assert result.figures[0].reason == "cites facts not shown for this document: exp-215-basic"
    assert verify("基本支出为1,184.83万元。", cell("exp-215-basic"), FACTS, scope={"exp-215-basic"}).status == "verified"
