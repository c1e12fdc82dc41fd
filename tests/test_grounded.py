"""Grounded mode (no LLM) on the real corpus: exact figures, the right table, derived figures verified."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgetqa.app.service import Service
from budgetqa.app.settings import get_settings
from tests.conftest import FIXTURES, PDFS, ask_doc, grounded_service

DOCS = {
    "industry": FIXTURES / "yanbian-industry-2023-final.txt",
    "chaoyang": FIXTURES / "chaoyang-industry-2023-final.txt",
    "govoffice": FIXTURES / "yanbian-govoffice-2023-budget.txt",
    "wanli": PDFS / "putuo-wanli-2025-budget.pdf",
}


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    service = grounded_service(tmp_path_factory.mktemp("grounded"), DOCS)
    yield service
    service.close()


ask = ask_doc


def first(answer):
    f = answer.figures[0]
    return f.value, f.unit, f.verified


@pytest.mark.parametrize("table_words, expected", [
    ("收入决算表", Decimal("1101.41")),
    ("支出决算表", Decimal("1114.87")),
    ("一般公共预算财政拨款支出决算表", Decimal("1111.27")),
])
def test_same_row_label_in_three_tables_gives_each_tables_value(svc, table_words, expected):
    answer = ask(svc, "industry", f"{table_words}中工业和信息产业监管下的行政运行是多少？")
    assert first(answer) == (expected, "万元", True)
    assert answer.figures[0].source.row.startswith("2150501")


def test_lookup_cites_document_table_row_column(svc):
    answer = ask(svc, "industry", "支出决算表中，资源勘探工业信息等支出的基本支出是多少万元？")
    assert answer.status == "verified"
    src = answer.figures[0].source
    assert (src.doc, src.table, src.column) == ("yanbian-industry-2023-final.txt", "支出决算表", "基本支出")


def test_difference_of_two_cells_is_recomputed_and_verified(svc):
    answer = ask(svc, "industry", "根据收入支出决算总表，本年支出合计比本年收入合计多出多少万元？")
    assert answer.status == "verified"
    assert first(answer) == (Decimal("23.51"), "万元", True)
    assert {f.value for f in answer.figures} >= {Decimal("2222.76"), Decimal("2199.25")}


def test_three_gong_actual_below_budget(svc):
    answer = ask(svc, "industry", "三公经费决算数比预算数少多少？")
    assert answer.status == "verified"
    assert first(answer) == (Decimal("4.32"), "万元", True)  # 8.02 − 12.34


def test_share_of_a_named_whole(svc):
    answer = ask(svc, "chaoyang", "朝阳市工信局一般公共预算财政拨款基本支出中公用经费占比是多少？")
    assert first(answer) == (Decimal("8.64"), "%", True)  # 100.54 / 1,163.03


def test_largest_of_named_rows(svc):
    answer = ask(svc, "industry", "州工信局基本支出的公用经费里，办公费、差旅费、邮电费、工会经费四项中哪项最多？")
    assert answer.answer.startswith("差旅费最多")
    assert first(answer) == (Decimal("15.49"), "万元", True)


def test_smallest_unit_in_a_budget_income_table(svc):
    answer = ask(svc, "govoffice", "收入总表所列各预算单位中，哪个单位的当年预算最少？")
    assert "人工影响天气技术服务中心" in answer.answer
    assert first(answer) == (Decimal("10.00"), "万元", True)


def test_unspent_project_money(svc):
    answer = ask(svc, "chaoyang", "2023年中央无线电管理经费还有多少万元没有执行？")
    assert first(answer) == (Decimal("19.56"), "万元", True)


def test_budget_table_in_yuan_keeps_its_unit(svc):
    answer = ask(svc, "wanli", "支出预算总表中城乡社区支出是多少？")
    assert first(answer) == (Decimal("154369326"), "元", True)


def test_three_gong_table_of_a_yuan_document_is_in_wan_yuan(svc):
    answer = ask(svc, "wanli", "“三公”经费预算数合计是多少？")
    value, unit, verified = first(answer)
    assert (unit, verified) == ("万元", True) and value == Decimal("37.91")


def test_code_disambiguates_the_row(svc):
    answer = ask(svc, "govoffice", "一般公共预算财政拨款基本支出中基本工资是多少？")
    assert first(answer) == (Decimal("468.37"), "万元", True)


def test_prose_question_quotes_the_sentence_and_leaves_its_figure_unverified(svc):
    answer = ask(svc, "industry", "延边州工信局2023年财政拨款收入比上年增加了多少万元？")
    assert answer.status == "unverified"
    assert first(answer) == (Decimal("346.26"), "万元", False)
    assert any("比上年增加 346.26 万元" in c.text for c in answer.citations)


def test_another_years_figure_is_not_found(svc):
    answer = ask(svc, "industry", "延边州工信局2024年的一般公共预算财政拨款预算安排是多少？")
    assert answer.status == "not_found" and answer.figures == []


def test_empty_table_is_not_found_rather_than_zero(svc):
    answer = ask(svc, "govoffice", "延边州政府办公室2023年国有资本经营预算支出是多少？")
    assert answer.status == "not_found"
    assert "空表" in answer.answer


def test_sum_of_two_named_projects(svc):
    answer = ask(svc, "industry", "延吉纺织厂护厂经费和原黄金局补差工资的全年执行数合计是多少？")
    assert answer.status == "verified"
    first_figure = answer.figures[0]
    parts = [f.value for f in answer.figures[1:]]
    assert first_figure.value == sum(parts) and len(parts) == 2 and Decimal("17.50") in parts


def test_a_sum_question_never_answers_with_one_cell(svc):
    answer = ask(svc, "industry", "延吉纺织厂护厂经费和根本不存在的项目的全年执行数合计是多少？")
    assert not any(f.verified for f in answer.figures)


def test_strict_mode_withholds_unverified_figures(tmp_path):
    service = Service(get_settings(tmp_path, answer={"strict": True}), dense=False)
    r = service.ingest_one(DOCS["industry"], background_dense=False)
    answer = service.ask("延边州工信局2023年财政拨款收入比上年增加了多少万元？", doc_ids=[r.doc_id])
    assert answer.figures == [] and "严格模式" in answer.answer


@pytest.mark.parametrize("question, department, at_least", [
    ("州工信局基本工资是多少？", "延边朝鲜族自治州工业和信息化局（汇总）", 4),
    ("政数局的年初结转和结余是多少？", "延边朝鲜族自治州政务服务和数字化建设管理局（汇总）", 3),
    ("襄垣县城市信息化项目运行费用的总分是多少？", "襄垣县工业和信息化局", 3),
])
def test_abbreviated_department_names_are_recognised(question, department, at_least):
    from budgetqa.app.qa.documents import department_score

    assert department_score(question, department) >= at_least


def test_common_words_do_not_name_a_department():
    from budgetqa.app.qa.documents import department_score

    assert department_score("襄垣县城市信息化项目运行费用的总分是多少？", "辽宁省朝阳市工业和信息化局") < 3


def test_question_naming_a_department_is_answered_from_its_document(svc):
    answer = svc.ask("朝阳市工信局基本支出里津贴补贴是多少万元？")
    assert first(answer) == (Decimal("172.54"), "万元", True)
    assert answer.figures[0].source.doc == "chaoyang-industry-2023-final.txt"


def test_question_fitting_several_documents_is_answered_for_each(svc):
    answer = svc.ask("基本支出明细表中基本工资是多少？")
    docs = {f.source.doc for f in answer.figures if f.source}
    assert {"yanbian-industry-2023-final.txt", "chaoyang-industry-2023-final.txt"} <= docs
    assert all(f.verified for f in answer.figures) and answer.notices


def test_project_with_the_lowest_execution_rate_and_its_score(svc):
    answer = ask(svc, "industry", "哪个项目的执行率最低？得分多少？")
    assert answer.answer.startswith("延边州工业经济高质量发展专项资金执行率最低")
    assert [(f.value, f.unit, f.verified) for f in answer.figures] == [
        (Decimal("70.26"), "%", True), (Decimal("87.61"), "分", True)]


def test_each_of_two_named_items(svc):
    answer = ask(svc, "industry", "基本支出里人员经费和公用经费各是多少？")
    assert answer.status == "verified"
    assert [f.value for f in answer.figures] == [Decimal("1313.37"), Decimal("103.28")]


def test_a_named_cell_printed_empty_is_reported_empty_not_replaced(svc):
    answer = ask(svc, "industry", "收入支出决算总表中外交支出是多少？")
    assert answer.status == "not_found" and "为空" in answer.answer


def test_a_year_in_the_question_picks_that_years_documents(svc):
    answer = svc.ask("2025年“三公”经费预算数合计是多少？")
    assert first(answer) == (Decimal("37.91"), "万元", True)
    assert answer.figures[0].source.doc == "putuo-wanli-2025-budget.pdf"


@pytest.mark.parametrize("doc, question, expected", [
    ("industry", "延边州工信局的项目支出是多少万元？", Decimal("802.51")),  # total row of 支出决算表
    ("industry", "三公经费中公务接待费的决算数是多少？", Decimal("5.22")),
    ("industry", "住房公积金支出是多少？", Decimal("76.27")),  # 支出决算表 preferred to 收入决算表
    ("govoffice", "延边州发展研究中心当年预算是多少？", Decimal("448.66")),  # abbreviated unit name
    ("govoffice", "基本支出中公用经费预算是多少？", Decimal("182.46")),  # the table, not the prose's 364.93
])
def test_paraphrased_lookups(svc, doc, question, expected):
    value, unit, verified = first(ask(svc, doc, question))
    assert (value, unit, verified) == (expected, "万元", True)


def test_one_item_two_measures_is_a_difference_within_one_row(svc):
    answer = ask(svc, "industry", "公务接待费决算数比预算数少多少？")
    assert first(answer) == (Decimal("4.32"), "万元", True)  # 5.22 − 9.54
    assert answer.answer.startswith("少")


def test_a_count_question_takes_the_figure_in_its_unit():
    from budgetqa.app.qa.prose import key_figure

    sentence = "根据上述职责，延边州政数局内设 10 个机构和 1 个中心，分别为办公室、机关党总支。"
    assert key_figure(sentence, "政数局2023年有几个内设机构？") == "10 个"


@pytest.mark.parametrize("question", [
    "延边州工信局的土地出让收入是多少？",
    "延边州工信局2023年培训费预算是多少？",  # only its 决算数 is printed
    "延边州工信局2023年政府采购金额比预算少多少？",
    "延边州工信局2023年的人均工资是多少？",
])
def test_questions_the_document_cannot_answer_show_no_verified_figure(svc, question):
    answer = ask(svc, "industry", question)
    assert not any(f.verified for f in answer.figures)


def test_largest_class_of_spending_compares_class_rows(svc):
    answer = ask(svc, "industry", "支出决算表中哪类支出最多？")
    assert answer.answer.startswith("资源勘探工业信息等支出最多")
    assert first(answer) == (Decimal("1987.35"), "万元", True)


def test_a_text_conversion_figure_cites_its_source_line(svc):
    answer = ask(svc, "industry", "支出决算表中工业和信息产业监管下的行政运行是多少？")
    src = answer.figures[0].source
    assert (src.page, src.line) == (None, 192)  # the tab line 「2150501 … 行政运行 1,114.87」


def test_a_pdf_figure_cites_its_page(svc):
    answer = ask(svc, "wanli", "支出预算总表中城乡社区支出是多少？")
    assert answer.figures[0].source.page == 17


@pytest.mark.parametrize("question, expected, unit", [
    ("三公经费决算数占预算数的百分比是多少？", Decimal("64.99"), "%"),  # 8.02 / 12.34
    ("项目支出占本年支出合计的比重是多少？", Decimal("36.10"), "%"),  # 802.51 / 2,222.76
    ("公务接待费决算数占三公经费决算数的比重？", Decimal("65.09"), "%"),  # 5.22 / 8.02
    ("本年收入合计与本年支出合计相差多少？", Decimal("23.51"), "万元"),
    ("基本支出和项目支出合计是多少？", Decimal("2222.76"), "万元"),  # 1,420.25 + 802.51
])
def test_derived_figures_in_other_words(svc, question, expected, unit):
    assert first(ask(svc, "industry", question)) == (expected, unit, True)


def test_a_share_of_a_whole_the_document_lacks_is_not_computed_against_another_row(svc):
    answer = ask(svc, "chaoyang", "行政运行支出占一般公共服务支出的比重？")  # chaoyang has no 一般公共服务支出
    assert not any(f.verified for f in answer.figures)


def test_budget_and_actual_of_a_list_form_three_gong_table(svc):
    answer = ask(svc, "chaoyang", "朝阳市工信局三公经费预算数和决算数分别是多少？")
    # the outcome leads its target: 决算数 10.59, then 预算数 9.06 (the prose: 10.59 万元，完成预算的 116.89%)
    assert [(f.value, f.verified) for f in answer.figures] == [(Decimal("10.59"), True), (Decimal("9.06"), True)]


def test_each_of_two_columns_of_a_general_tables_total_row(svc):
    answer = ask(svc, "wanli", "基本支出和项目支出各是多少？")
    assert [(f.value, f.unit, f.verified) for f in answer.figures] == [
        (Decimal("101341746"), "元", True), (Decimal("88425805"), "元", True)]


def test_unit_named_by_the_end_of_its_long_name(svc):
    assert first(ask(svc, "govoffice", "驻北京联络处的当年预算是多少？")) == (Decimal("141.59"), "万元", True)


def test_words_of_a_project_name_do_not_pick_one_of_its_indicator_rows(tmp_path):
    service = Service(get_settings(tmp_path), dense=False)
    r = service.ingest_one(FIXTURES / "yanbian-govservice-2023-final.txt")
    answer = service.ask("12345政务热线搬迁、办公区域调整项目（一期）经费的全年执行数是多少？", doc_ids=[r.doc_id])
    # the money row of the project's form, never an indicator row whose name shares its words
    assert answer.citations[0].row == "年度资金总和"
    # the document prints three forms under this one project name, with 50.00, 0.00 and 11.86:
    # which one is meant is not in the words, so the figure is shown with the other, and no ✓
    assert first(answer) == (Decimal("50.00"), "万元", False)
    assert "也可能指" in answer.figures[0].reason


def test_a_question_naming_no_document_is_answered_on_each_that_can(svc):
    answer = svc.ask("三公经费决算数比预算少多少？")
    assert answer.answer.count("【") == 2  # the two 决算; the two 预算 cannot answer it and are left out
    assert "【延边朝鲜族自治州工业和信息化局（汇总）】少 4.32万元" in answer.answer
    assert "【辽宁省朝阳市工业和信息化局】多 1.53万元" in answer.answer
    assert answer.status == "verified" and "分别作答" in answer.notices[0]


def test_a_standard_table_printed_blank_answers_zero(tmp_path):
    service = Service(get_settings(tmp_path / "home"), dense=False)
    doc = service.ingest_one(FIXTURES / "xiangyuan-industry-2023-final.txt", background_dense=False).doc_id
    answer = service.ask("三公经费决算数比预算少多少？", doc_ids=[doc])
    assert answer.status == "not_found"
    assert answer.answer.startswith("为0：财政拨款“三公”经费支出决算表为空表（本表无数据）")
    service.close()


def test_a_component_beside_a_named_row_is_that_rows_component(svc):
    share = ask(svc, "industry", "资源勘探工业信息等支出里头基本支出占了几成？")
    assert first(share) == (Decimal("59.62"), "%", True)  # 1,184.83 ÷ 1,987.35, both of row 215
    diff = ask(svc, "industry", "资源勘探工业信息等支出的项目支出比基本支出少多少？")
    assert first(diff) == (Decimal("382.32"), "万元", True)  # 802.51 − 1,184.83, not the 合计 row's 基本支出


def test_a_share_of_a_component_keeps_its_column_throughout(svc):
    answer = ask(svc, "industry", "行政运行占基本支出的比重")
    assert first(answer) == (Decimal("78.50"), "%", True)
    assert [f.source.column for f in answer.figures[1:3]] == ["基本支出", "基本支出"]


def test_a_question_about_spending_is_not_answered_from_an_income_table(svc):
    answer = ask(svc, "industry", "行政运行的财政拨款支出是多少？")
    assert "收入" not in answer.figures[0].source.table.replace("收入支出", "")


def test_two_characters_abbreviate_no_row(svc):
    answer = ask(svc, "industry", "资源勘探工业信息等支出，基本的和项目的各花了多少")
    assert not any("基本工资" in (f.source.row or "") for f in answer.figures if f.source)
    assert not any(f.verified for f in answer.figures)


def test_a_concept_the_plan_drops_withholds_the_tick(svc):
    answer = ask(svc, "industry", "资源勘探工业信息等支出的基本支出在本年支出合计里占多大比重")
    assert answer.figures and not answer.figures[0].verified
    assert "本年支出合计" in answer.figures[0].reason


def test_the_fewest_k_rank_from_the_bottom(svc):
    for question in ("支出最少的两个类级科目", "哪两个科目支出最少"):
        answer = ask(svc, "industry", question)
        assert answer.answer.startswith("由少到多：卫生健康支出 57.49万元（210）、住房保障支出 76.27万元（221）")


def test_a_share_across_fund_scopes_gets_no_tick(svc):
    answer = ask(svc, "industry", "人员经费占基本支出多少")
    assert not answer.figures[0].verified and "口径不同" in answer.figures[0].reason
