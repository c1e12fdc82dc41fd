"""Question-pipeline mechanisms on real pages of the other provinces' PDFs (and three text conversions):
prior-year figures from a twin table or from the prose's stated change, 上年结转 as no prior year,
「一共」 over one subject's rows, a fund table's column word, Hunan 人员类, 三公 tables with 会议费 /
培训费 columns, whole-government execution rates, a 绩效 indicator, prose statements.

The page cuts come from `shared/corpus/pdf-more/` (pypdf); each figure was measured on the full PDF
too and is the same there. Figures are exact; ✓ / ⚠ is asserted where the mechanism decides it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import FIXTURES, PDFS, ask_doc, grounded_service

MORE = FIXTURES / "pdf-more"
DOCS = {
    # 表二 收入总体情况表 (p9, no prior year) + 表五 一般公共预算支出情况表 (p15-16, 2025年预算数)
    "d02": MORE / "d02-p9-15-16-prior-column.pdf",
    # prose p5-6 (支出预算 656.73 … 较去年增加 24.17) + 收支总体情况表 p12
    "d09": MORE / "d09-p5-6-12-prior-prose.pdf",
    # 基本支出情况表 (人员类 │ 公用经费) and no prose
    "d09_basic": MORE / "d09-p18-19-continued.pdf",
    # 收支预算总表 with 上年结转结余 0.00 (p8) + prose p19 (1468.70，比上年减少 205.75)
    "d10": MORE / "d10-p8-19-carried-forward.pdf",
    # 公开09表 三公/会议费/培训费 (p21), the next table (p22), prose p33 (培训费 16.2，比上年预算减少 20.19)
    "d05": MORE / "d05-p21-22-33-training-prior.pdf",
    # 预算05表: 2010801 行政运行 printed once per unit
    "d01": MORE / "d01-p5-rows-per-unit.pdf",
    # 财政拨款基本支出预算表 (30217 公务接待费 16.00, p6) + 三公/会议费/培训费 table (p11)
    "d07": MORE / "d07-p6-11-sangong-meetings.pdf",
    # 财政收支决算总表 p22, 一般公共预算收入/支出决算表 p25/p26, 省本级 收入/支出决算表 p109/p110
    "d14": MORE / "d14-p22-26-109-110-execution.pdf",
    # cover + 三公 table whose columns are the items themselves (“三公”经费合计 │ 因公出国(境)费用 │ …)
    "d08": MORE / "d08-p28-sangong-total-column.pdf",
    # 表4-1 湖南省2023年地方政府债务限额及余额决算情况表 (p1): one row per region, 限额 │ 余额 columns
    "d15": MORE / "d15-p1-ruled-header.pdf",
    # Xi'an 表1 2022年部门综合预算收支总表 in 元 (p18)
    "d11": MORE / "d11-p18-overflow-groups.pdf",
    # Xi'an 2022: prose p13 (「“三公”经费预算支出 0.27 万元」) + 表13 三公 in 元 by year (p30, 2022 all 0)
    "d11_sangong": MORE / "d11-p13-30-sangong-year.pdf",
    # Xi'an 2021: prose p11 + 表13 三公 2020 │ 2021 │ 增减, each with 合计 (incl. 会议费, 培训费) and the 三公 小计
    "d12": MORE / "d12-p11-41-sangong.pdf",
    "swu": PDFS / "swu-university-2023-final.pdf",
    "chaoyang": FIXTURES / "chaoyang-industry-2023-final.txt",
    "govservice": FIXTURES / "yanbian-govservice-2023-final.txt",
    "govoffice": FIXTURES / "yanbian-govoffice-2023-budget.txt",
    "industry": FIXTURES / "yanbian-industry-2023-final.txt",
}


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    service = grounded_service(tmp_path_factory.mktemp("mechanisms"), DOCS)
    yield service
    service.close()


ask = ask_doc


def fig(answer, i: int = 0):
    f = answer.figures[i]
    return f.value, f.unit, f.verified


# 1. Growth against the prior year from a twin printed with the prior-year column

def test_growth_percent_takes_the_prior_year_column_of_the_same_figure_in_another_table(svc):
    answer = ask(svc, "d02", "重庆市府办今年一般预算比去年多了百分之几？")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("17.79"), "%", True)
    now, prior = answer.figures[1], answer.figures[2]
    assert (now.value, now.verified) == (Decimal("18417.70"), True)
    assert (prior.value, prior.verified) == (Decimal("15635.80"), True)
    assert {now.source.table, prior.source.table} == {"2026年一般公共预算支出情况表"}
    # a 总计 column pairs with the bare prior-year column of its row
    assert (now.source.row, now.source.column, prior.source.column) == ("合计", "2026年预算数/总计", "2025年预算数")


def test_growth_amount_takes_the_prior_year_column_of_the_same_figure_in_another_table(svc):
    answer = ask(svc, "d02", "重庆市府办今年一般预算比去年多了多少？")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("2781.90"), "万元", True)
    assert answer.answer.startswith("增加 2,781.90万元")


def test_the_figure_itself_is_still_read_from_the_table_the_question_first_finds(svc):
    # the twin serves the prior year only: the plain figure stays the 收支总体情况表 cell
    answer = ask(svc, "d02", "重庆市府办今年一般预算多少？")
    assert fig(answer) == (Decimal("18417.70"), "万元", True)
    assert answer.figures[0].source.table == "2026年部门收支总体情况表/收入"


# 2. A prior-year figure no column prints: the prose's stated change right after the same figure (⚠)

def test_prior_year_budget_from_the_prose_change_after_the_same_figure_is_unverified(svc):
    answer = ask(svc, "d09", "职教基地去年预算大概多少？")
    assert answer.status == "unverified"
    assert fig(answer) == (Decimal("632.56"), "万元", False)  # 656.73 − 24.17
    assert "较去年增加 24.17 万元" in answer.answer and "上年数未与表格核验" in answer.answer
    assert not any(f.verified for f in answer.figures)


def test_prior_year_of_a_decrease_adds_the_stated_change_back(svc):
    answer = ask(svc, "d10", "泉州市场监管综合监测与技术保障中心上一年的预算是多少？")
    assert answer.status == "unverified"
    assert fig(answer) == (Decimal("1674.45"), "万元", False)  # 1468.70 + 205.75
    assert "比上年减少 205.75万元" in answer.answer


def test_prior_year_of_a_sangong_table_item_from_its_prose_statement(svc):
    answer = ask(svc, "d05", "无锡信访局公开09表里的培训费，上一年预算是多少？")
    assert answer.status == "unverified"
    assert fig(answer) == (Decimal("36.39"), "万元", False)  # 16.2 + 20.19
    assert "本年数见一般公共预算“三公”经费、会议费、培训费支出表「合计」培训费" in answer.answer


def test_prior_year_with_no_column_and_no_stated_change_is_not_found_naming_the_year(svc):
    answer = ask(svc, "d09_basic", "职教基地去年预算大概多少？")
    assert answer.status == "not_found" and answer.figures == []
    assert "本文件为2026年度" in answer.answer and "上年（2025年）数" in answer.answer


# 3. 上年结转 / 上年结余 is this year's money brought forward, never the prior year's figure

def test_carried_forward_row_is_no_prior_year_figure(svc):
    # the 收支预算总表 prints 上年结转结余 0.00: read as the prior year it gave 「为0」
    answer = ask(svc, "d10", "泉州市场监管综合监测与技术保障中心上一年的预算是多少？")
    assert answer.status != "not_found" and not answer.answer.startswith("为0")
    assert all(f.value != 0 for f in answer.figures)
    assert "结转" not in answer.answer


# 4. 「一共」 of one subject printed on several rows of one table

def test_yigong_sums_the_rows_of_one_subject_under_verified(svc):
    answer = ask(svc, "d01", "北京审计局预算05表里行政运行一共安排了多少钱？")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("17960.816458"), "万元", True)
    parts = sorted(f.value for f in answer.figures[1:])
    assert parts == [Decimal("4952.850016"), Decimal("13007.966442")]
    assert {f.source.row for f in answer.figures} == {"2010801 行政运行"}


def test_without_yigong_two_rows_of_one_subject_are_ambiguous(svc):
    answer = ask(svc, "d01", "北京审计局预算05表里行政运行安排了多少钱？")
    assert answer.status == "unverified"
    assert fig(answer) == (Decimal("4952.850016"), "万元", False)
    assert "13,007.966442万元" in answer.figures[0].reason  # the rival row is named


# 5. A header word of a fund table's whole names that column

def test_column_word_of_a_fund_tables_whole_names_that_column(svc):
    answer = ask(svc, "swu", "学校财拨支出里基本建设资金花了多少？")
    value, unit, _ = fig(answer)
    assert (value, unit) == (Decimal("6894.90"), "万元")
    src = answer.figures[0].source
    assert (src.table, src.row, src.column) == (
        "高等学校财政拨款支出决算表", "合计", "本年支出/项目支出/其中：基本建设资金支出")


# 6. Hunan's 人员类 column is 人员经费

def test_hunan_renyuanlei_column_is_personnel_spending(svc):
    answer = ask(svc, "d09_basic", "长沙职教基地人员经费和公用经费分别多少？")
    assert answer.status == "verified"
    assert [fig(answer, 0), fig(answer, 1)] == [(Decimal("356.76"), "万元", True), (Decimal("29.97"), "万元", True)]
    assert [f.source.column for f in answer.figures[:2]] == ["人员类", "公用经费"]
    assert {f.source.table for f in answer.figures[:2]} == {"2026年一般公共预算基本支出情况表"}


# 7. A 三公 table printing 会议费 / 培训费 as columns keeps its 合计 row; 会议费 / 培训费 are concepts

def test_reception_budget_is_the_sangong_tables_not_the_economic_code_30217(svc):
    answer = ask(svc, "d07", "江苏政协2017年招待费预算多少？")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("443.50"), "万元", True)  # not 16.00 of 财政拨款基本支出预算表 30217
    src = answer.figures[0].source
    assert (src.table, src.row, src.column) == (
        "“三公”经费、会议费、培训费支出预算表（一般公共预算）", "合计", "“三公”经费/公务接待费")


def test_sangong_total_of_a_table_with_meeting_columns_is_its_subtotal(svc):
    answer = ask(svc, "d07", "三公经费预算多少")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("676.10"), "万元", True)
    assert answer.figures[0].source.column == "“三公”经费/小计"


@pytest.mark.parametrize("question", ["“三公”经费公务接待费多少", "三公经费里公务接待费多少"])
def test_a_whole_named_right_before_its_part_frames_the_part(svc, question):
    answer = ask(svc, "d07", question)
    assert answer.status == "verified"
    assert [(f.value, f.verified) for f in answer.figures] == [(Decimal("443.50"), True)]  # not 三公 676.10 too


def test_a_whole_and_its_part_joined_by_and_are_both_asked(svc):
    answer = ask(svc, "d07", "三公经费和公务接待费各多少")
    assert [f.value for f in answer.figures] == [Decimal("676.10"), Decimal("443.50")]


@pytest.mark.parametrize("word, expected", [("培训费", Decimal("16.20")), ("会议费", Decimal("0.44"))])
def test_training_and_meeting_expenses_are_the_sangong_tables_columns(svc, word, expected):
    answer = ask(svc, "d05", f"无锡信访局{word}预算多少？")
    assert answer.status == "verified"
    assert fig(answer) == (expected, "万元", True)
    src = answer.figures[0].source  # the full PDF's 机关运行经费 table prints 会议费 0.44 too: either cell
    assert word in src.row + src.column


# 8. Whole-government 决算 execution rates

def test_execution_rate_takes_the_twin_printed_with_its_adjusted_budget(svc):
    answer = ask(svc, "d14", "黑龙江2024年一般公共预算支出完成调整预算的百分之几？")
    assert answer.status == "verified"  # the 省本级 支出决算表 (p110) is no rival
    # 64,545,393 ÷ 81,235,670 = 79.45…, given as the table prints it: 完成调整预算数的% 79.5
    assert fig(answer) == (Decimal("79.5"), "%", True)
    printed, actual, budget = answer.figures[:3]
    assert (actual.value, budget.value) == (Decimal("64545393"), Decimal("81235670"))
    assert printed.source.column == "完成调整预算数的%" and "与计算一致" in answer.answer
    assert all(f.verified for f in (actual, budget, printed))
    assert {f.source.table for f in (actual, budget, printed)} == {"2024年黑龙江省一般公共预算支出决算表"}
    assert (actual.source.column, budget.source.column) == ("决算数", "调整预算数")


def test_a_yes_no_parts_figures_follow_the_asked_share(svc):
    answer = ask(svc, "d14", "Did Heilongjiang collect more farmland occupation tax (耕地占用税) than budgeted in 2024, "
                             "and what share of the adjusted budget did it reach?")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("158.7"), "%", True)  # 186,684 ÷ 117,608 = 158.73…, printed 158.7
    assert answer.answer.startswith("是：")
    assert Decimal("116466") in {f.value for f in answer.figures}  # the yes-no part's budget, after it


# 9. A 绩效 project's indicator

def test_performance_indicator_abbreviated_in_the_question_is_the_projects_row(svc):
    answer = ask(svc, "chaoyang", "“朝阳市推进工业企业高质量发展大会”项目实际参会多少人次？")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("700"), "人", True)
    src = answer.figures[0].source
    assert (src.table, src.row, src.column) == (
        "项目支出绩效自评表（朝阳市推进工业企业高质量发展大会）", "参加会议人数", "实际完成值")


# 10. Prose statements

def test_prose_statement_named_by_the_table_words_of_the_question(svc):
    # 部门整体支出绩效评价 450.86, not the 项目绩效评价 sentence's 0.00 after it
    answer = ask(svc, "govservice", "政数局开展部门整体支出绩效评价涉及多少一般公共预算支出？")
    assert answer.status == "unverified"
    assert fig(answer) == (Decimal("450.86"), "万元", False)
    assert answer.answer.startswith("450.86 万元。")


def test_prose_growth_of_the_current_year_budget_not_of_the_whole(svc):
    answer = ask(svc, "govoffice", "2023年“三公”经费当年预算比2022年预算增加了多少？")
    assert answer.status == "unverified"
    assert fig(answer) == (Decimal("7.05"), "万元", False)  # 当年预算数 +7.05, not 预算数 +7.2
    assert "2023 年当年预算数比 2022 年预算数增加 7.05 万元" in answer.answer


# ---------------------------------------------------------------- a table title quoted whole


def test_a_quoted_table_title_names_the_table_not_operands(svc):
    answer = ask(svc, "d14", "2.3 2024年黑龙江省一般公共预算收入决算表中耕地占用税的完成调整预算数的%是多少？")
    f = answer.figures[0]
    assert (f.value, f.unit, f.verified) == (Decimal("158.7"), "%", True)  # 186,684 ÷ 117,608, not 本年收入合计's
    assert "耕地占用税" in answer.interpretation and "2" not in answer.queries[0]["leftover"]


def test_a_column_header_said_as_an_operand_is_the_rows_column(svc):
    answer = ask(svc, "d09_basic", "2026年一般公共预算基本支出情况表中工资福利支出的总计是多少？")
    f = answer.figures[0]
    assert (f.value, f.verified, f.source.row) == (Decimal("330.93"), True, "301 工资福利支出")


def test_a_row_the_question_names_and_the_plan_leaves_unused_withholds_the_tick(svc):
    from budgetqa.app.qa.pipeline import unused_names
    from budgetqa.app.qa.query import Query, Ref

    doc = svc.store.document(svc.ids["d14"])
    misread = Query(question="一般公共预算收入决算表中耕地占用税的完成调整预算数的%是多少？", op="rate",
                    operands=[Ref(text="一般公共预算", concept="一般公共预算", columns=["决算"])])
    assert unused_names(doc, misread) == ["问题中的「耕地占用税」没有用在答案里"]
    read = misread.model_copy(update={"operands": [Ref(text="耕地占用税", row="耕地占用税", columns=["决算"])]})
    assert unused_names(doc, read) == []


def test_a_whole_added_to_its_part_gets_no_tick(svc):
    answer = ask(svc, "d01", "预算05表合计的基本支出加人员经费一共多少？")
    assert answer.figures and not answer.figures[0].verified
    assert "一部分" in answer.figures[0].reason


def test_a_sangong_table_whose_columns_are_the_items_gives_its_total_column(svc):
    answer = ask(svc, "d08", "三公经费预算多少")
    f = answer.figures[0]
    assert (f.value, f.verified, f.source.column) == (Decimal("1.10"), True, "“三公”经费合计")


def test_a_growth_no_sentence_states_is_not_found_rather_than_another_figure(svc):
    answer = ask(svc, "industry", "卫生健康支出比上年增长多少")  # the prose gives its 年初预算 and 决算, no change
    assert answer.status == "not_found" and not answer.figures


# ---------------------------------------------------------------- a table of one row per region


def test_a_place_named_in_the_question_is_its_row_in_a_table_of_regions(svc):
    answer = ask(svc, "d15", "长沙市的2023年债务余额是多少")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("3050.13"), "亿元", True)
    src = answer.figures[0].source
    assert (src.row, src.column) == ("长沙市", "2023年债务余额（决算数）/D=E+F")


def test_the_column_left_over_in_a_follow_up_is_the_same_rows_other_column(svc):
    answer = ask(svc, "d15", "湖南全省2023年底政府债务余额多少亿？离限额还差多少？")
    assert answer.status == "verified"
    values = [(f.value, f.verified) for f in answer.figures]
    assert values[:2] == [(Decimal("18216.63"), True), (Decimal("211.68"), True)]  # 18,428.31 − 18,216.63
    assert answer.figures[2].source.column == "2023年债务限额/A=B+C"


def test_a_share_of_the_whole_province_is_over_the_provinces_row(svc):
    answer = ask(svc, "d15", "长沙市的债务余额占全省几成？")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("16.74"), "%", True)  # 3,050.13 ÷ 18,216.63, not 湖南省本级's
    assert answer.figures[2].source.row == "湖南省"


# ---------------------------------------------------------------- a budget's size


def test_a_budgets_size_is_its_income_total_converted_as_asked(svc):
    # Xi'an calls the budget 部门综合预算; its 收支总表 prints 元
    answer = ask(svc, "d11", "西安气象局2022年部门综合预算规模换算成万元是多少？")
    assert answer.status == "verified"
    assert fig(answer) == (Decimal("1899.90"), "万元", True)  # 18,999,011.66 元
    assert answer.figures[0].source.row == "收入总计"


def test_the_templates_own_name_for_the_budget_is_no_left_over_word(svc):
    answer = ask(svc, "d11", "西安市气象局2022年部门综合预算收入总计是多少")
    assert answer.status == "verified" and answer.queries[0]["leftover"] == []
    assert fig(answer) == (Decimal("18999011.66"), "元", True)


# ---------------------------------------------------------------- 三公 by year (Xi'an)


def test_a_table_printing_zero_where_the_prose_states_a_figure_shows_both_and_vouches_for_neither(svc):
    answer = ask(svc, "d11_sangong", "西安市气象局2022年“三公”安排了多少钱？")
    assert answer.status == "unverified"
    table, prose = answer.figures[0], answer.figures[1]
    assert (table.value, table.unit, table.verified) == (Decimal("0"), "元", False)
    assert table.source.column == "2022年/一般公共预算拨款安排的“三公”经费预算/小计"
    assert "两处不一致" in table.reason
    assert (prose.value, prose.unit, prose.verified) == (Decimal("0.27"), "万元", False)


def test_the_prior_years_figure_is_the_same_column_under_the_other_year(svc):
    answer = ask(svc, "d12", "宣传部2021年三公比2020年多了还是少了？差多少万？")
    change, now, before = answer.figures[:3]
    assert (change.value, change.verified) == (Decimal("94900.00"), True)  # 160,000 − 65,100, a fall
    assert answer.answer.startswith("减少")
    assert (now.value, before.value) == (Decimal("65100.00"), Decimal("160000.00"))
    assert before.source.column == "2020年/一般公共预算拨款安排的“三公”经费预算/小计"  # not 2020年/合计 827,400
