"""A project's 绩效自评 as the 说明 tells it, against the project's 项目支出绩效自评表: 全年预算数, 执行数,
完成预算的 %, 自评得分. Real 决算 text conversions; each test edits one figure the way a slip would, and
the figures are read off the fixtures by hand."""

from __future__ import annotations

import copy
from decimal import Decimal

from budgetqa.app.audit import run
from tests.conftest import edited_doc, fixture_doc

D = Decimal

GOVSERVICE = "yanbian-govservice-2023-final.txt"  # 延边州政务服务局: 15 forms, 执行率 printed as fractions or %
INDUSTRY = "yanbian-industry-2023-final.txt"  # 延边州工信局: 11 forms with 汇总得分
CHAOYANG = "chaoyang-industry-2023-final.txt"  # 朝阳市工信局: 自评综述, some figures in 元


def _self_eval(doc, severity: str = "error"):
    """The rule's findings, less the one real slip of the industry document (its own test, below)."""
    return [f for f in run(doc).findings if f.check == "prose.self_eval" and f.severity == severity
            and f.a_value != D("17.61")]


def test_projects_told_as_their_forms_print_them_raise_nothing():
    # 12 of the 15 projects the 说明 evaluates are bound to their forms, and agree (two have no form; 12345
    # 政务热线搬迁 has three, not bound)
    assert not [f for f in run(fixture_doc(GOVSERVICE)).findings if f.check == "prose.self_eval"]


def test_a_budget_the_form_does_not_print_is_found():
    # 社会信用体系建设购买第三方服务经费: the form's 年度资金总和 全年预算数 is 35.00 (年初 46.00)
    doc = edited_doc(GOVSERVICE, "项目全年预算数为 35 万元，执行数为 23.94", "项目全年预算数为 38 万元，执行数为 23.94")
    (f,) = _self_eval(doc)
    assert (f.a_value, f.b.row, f.b.column, f.b_value) == (D("38"), "年度资金总和", "全年预算数", D("35.00"))


def test_a_budget_told_without_what_was_spent_is_still_checked():
    # 吉林亚松改制遗留问题…: 「项目全年预算数为121.5万元，完成预算的100%」, no 执行数 written; the form prints 121.50
    doc = edited_doc(INDUSTRY, "项目全年预算数为121.5万元", "项目全年预算数为131.5万元")
    (f,) = _self_eval(doc)
    assert (f.a_value, f.b_value) == (D("131.5"), D("121.50"))


def test_a_completion_rate_the_form_does_not_print_is_found():
    # 延边炼油厂破产清算及留守经费: 「完成预算的100%」, the form's 执行率 100.00 (9.00 of 9.00)
    doc = edited_doc(INDUSTRY, "项目全年预算数为9万元，完成预算的100%", "项目全年预算数为9万元，完成预算的95%")
    (f,) = _self_eval(doc)
    assert (f.a_value, f.b.column, f.b_value) == (D("95"), "执行率", D("100.00"))


def test_a_rate_printed_as_a_fraction_is_read_as_a_percentage():
    # 延边州公共资源交易中心工作经费: the form prints 执行率 0.82 (8.82 of 10.76) for the 说明's 「完成预算的 82%」
    doc = edited_doc(GOVSERVICE, "执行数为 8.82 万元，完成预算的 82%", "执行数为 8.82 万元，完成预算的 92%")
    (f,) = _self_eval(doc)
    assert (f.a_value, f.b_value) == (D("92"), D("82.00"))


def test_one_project_printed_on_forms_that_disagree_is_not_bound():
    # 12345 政务热线搬迁…（一期）经费 has three forms (50.00 | 10.00 | 30.00): which one the 说明 tells is unknown
    doc = edited_doc(GOVSERVICE, "执行数为 50 万元，完成预算的 100%", "执行数为 50 万元，完成预算的 90%")
    assert not _self_eval(doc)


def test_a_score_the_form_does_not_total_is_found():
    # 延边州经济干部科技创新驱动产业发展培训: 「项目绩效自评得分为100分」, the form's 汇总得分 100
    doc = edited_doc(INDUSTRY, "培训项目绩效自评情况：根据年初设定的绩效目标，项目绩效自评得分为100分",
                     "培训项目绩效自评情况：根据年初设定的绩效目标，项目绩效自评得分为90分")
    (f,) = _self_eval(doc)
    assert (f.a_value, f.b.row, f.b_value) == (D("90"), "汇总得分", D("100"))


def test_a_figure_written_in_yuan_is_the_forms_figure_in_wan_yuan():
    # 朝阳市推进工业企业高质量发展大会: 「资金 21909 元，本年执行 21909 元」, the form prints 2.19 (万元)
    assert not [f for f in run(fixture_doc(CHAOYANG)).findings
                if f.check == "prose.self_eval" and "高质量发展大会" in (f.a.sentence or "")]
    doc = edited_doc(CHAOYANG, "资金 21909 元，本年执行 21909 元", "资金 25909 元，本年执行 21909 元")
    (f,) = _self_eval(doc)
    assert (f.a_value, f.b.column, f.b_value) == (D("2.59"), "全年预算数", D("2.19"))


def test_the_real_slip_in_the_industry_document_is_found():
    # 延边州工业经济高质量发展专项资金: 「执行数为 17.61 万元，完成预算的 70.26%」; the form prints 17.67
    # (17.67 / 25.15 is the 70.26% both write)
    (f,) = [f for f in run(fixture_doc(INDUSTRY)).findings if f.check == "prose.self_eval"]
    assert (f.a_value, f.b.column, f.b_value) == (D("17.61"), "全年执行数", D("17.67"))


def test_a_form_that_does_not_hold_together_gives_warnings_not_errors():
    # 推进结构调整“三篇大文章”专项工作经费: the 说明 writes 27.79 of 35 (79.4%); the form prints 27.29 and 80%,
    # and 27.29 / 35 is 78.0%: the form is wrong in itself, which figure is right is for the reader
    findings = [f for f in run(fixture_doc(CHAOYANG)).findings if f.check == "prose.self_eval"]
    mine = [f for f in findings if "三篇大文章" in (f.a.sentence or "") or "三篇大文章" in (f.b.table or "")]
    assert mine and all(f.severity == "warning" and "自评表本身" in f.message for f in mine)
    assert any((f.a_value, f.b_value) == (D("27.79"), D("27.29")) for f in mine)


def test_a_project_named_a_little_differently_is_still_bound():
    # the 说明's 「2023 年中小微企业发展专项资金预算（…）」 is the form's 「2023年中小企业发展专项资金预算（…）」:
    # 「资金 19.1 万元，本年执行 19.1 万元」 against its 年度资金总额 19.1
    assert not [f for f in run(fixture_doc(CHAOYANG)).findings
                if f.check == "prose.self_eval" and "中小微企业" in (f.a.sentence or "")]
    doc = edited_doc(CHAOYANG, "方向）资金 19.1 万元，本年执行 19.1 万元", "方向）资金 20.4 万元，本年执行 19.1 万元")
    (f,) = _self_eval(doc)
    assert (f.a_value, f.b.column, f.b_value) == (D("20.4"), "全年预算数", D("19.1"))


def test_a_budget_told_for_one_fund_of_the_project_is_that_funds_row():
    # 社会信用体系建设购买第三方服务经费 given 5.00 万元 of 上年结转资金 beside its 35.00 当年财政拨款: the 年度资金
    # 总和 becomes 40.00 (27.36 spent, 68.40%), and the 说明's 「35 万元，执行数为 23.94 万元」 is the 财政拨款 row
    doc = copy.deepcopy(fixture_doc(GOVSERVICE))
    form = next(t for t in doc.tables if t.kind == "项目支出绩效自评表" and "社会信用" in t.title)
    rows = {r.label: r for r in form.rows}
    rows["上年结转资金"].cells.update({"全年预算数": D("5.00"), "全年执行数": D("3.42"), "执行率": D("68.40")})
    rows["年度资金总和"].cells.update({"全年预算数": D("40.00"), "全年执行数": D("27.36")})
    assert not _self_eval(doc)


def test_a_budget_not_called_full_year_may_be_the_forms_opening_budget():
    # 社会信用体系建设购买第三方服务经费: 年初预算数 46.00, 全年预算数 35.00; 「项目资金 46 万元，本年执行 23.94 万元」
    # names no year's budget and is the opening one; 48 is neither
    told = "项目全年预算数为 35 万元，执行数为 23.94 万元"
    assert not _self_eval(edited_doc(GOVSERVICE, told, "项目资金 46 万元，本年执行 23.94 万元"))
    (f,) = _self_eval(edited_doc(GOVSERVICE, told, "项目资金 48 万元，本年执行 23.94 万元"))
    assert (f.a_value, f.b_value) == (D("48"), D("35.00"))


def test_an_indicators_target_rate_is_not_the_rate_the_funds_reached():
    # 朝阳市推进工业企业高质量发展大会 (the form: 执行率 100%): 「项目绩效目标完成情况：…预算执行率 ≥ 100%；…」 is an
    # indicator, and written as 「预算执行率 95%」 there it may be the target; 「发现的主要问题及原因：资金执行率 95%」
    # after the list is the rate reached
    listed = edited_doc(CHAOYANG, r"召开会议次数=1次；预算执行率 $\geq 100\%$", "召开会议次数=1次；预算执行率 95%")
    assert not _self_eval(listed)
    told = "对社会影响力提高程度 $\\geq 100\\%$ 。发现的主要问题及原因：资金执行率 100%"
    (f,) = _self_eval(edited_doc(CHAOYANG, told, told.replace("资金执行率 100%", "资金执行率 95%")))
    assert (f.a_value, f.b.column, f.b_value) == (D("95"), "执行率", D("100"))
