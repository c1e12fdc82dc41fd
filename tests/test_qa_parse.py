"""The question parser's specification: question → expected plan, no documents needed.

Each case names the op, the operands (concept / row / code / columns / table …), the unit kind and
unit asked, and expects every content word to be consumed (`leftover == []`). The last groups are
questions that must not parse to a figure op, or must leave a leftover that blocks a ✓.
Phrasings are written for this file in the styles reviewers use (colloquial, abbreviated, no table
named, another unit, several parts, English); they are not copied from the eval sets.
"""

from __future__ import annotations

import time

import pytest

from budgetqa.app.qa.parse import Vocabulary, parse
from budgetqa.app.qa.query import Query


def R(concept=None, row=None, columns=None, **more) -> dict:
    """An expected operand: only the slots given are checked (columns as a set)."""
    ref = {k: v for k, v in dict(concept=concept, row=row, **more).items() if v is not None}
    if columns is not None:
        ref["columns"] = set(columns)
    return ref


def case(id_, question, op, operands=(), unit_kind="money", unit=None, **slots):
    return pytest.param(question, op, list(operands), unit_kind, unit, slots, id=id_)


def check(query: Query, op, operands, unit_kind, unit, slots) -> None:
    assert query.op == op, query
    assert query.leftover == [], query
    if operands is not None:
        assert len(query.operands) == len(operands), query.operands
        for got, want in zip(query.operands, operands):
            for key, value in want.items():
                seen = set(getattr(got, key)) if key == "columns" else getattr(got, key)
                assert seen == value, f"{key}: {seen!r} != {value!r} in {got!r}"
    assert query.unit_kind == unit_kind, query
    assert query.unit == unit, query
    for key, value in slots.items():
        assert getattr(query, key) == value, f"{key}: {getattr(query, key)!r} != {value!r}"


def only(question: str, vocab: Vocabulary | None = None) -> Query:
    plan = parse(question, vocab)
    assert len(plan.queries) == 1, plan.queries
    return plan.queries[0]


# ------------------------------------------------------------------------------------------------
# value: one figure, phrased every which way

VALUE = [
    case("plain-sangong", "三公经费决算数是多少？", "value", [R("三公经费", columns=["决算"])]),
    case("colloquial-sangong-spent", "三公一年花了多少钱", "value", [R("三公经费", columns=[])]),
    case("colloquial-car", "公车费用大概多少", "value", [R("公务用车购置及运行维护费")]),
    case("colloquial-reception", "招待费用了多少？", "value", [R("公务接待费")]),
    case("colloquial-abroad", "出国经费有多少啊", "value", [R("因公出国（境）费")]),
    case("colloquial-personnel", "人头费是多少", "value", [R("人员经费")]),
    case("colloquial-public", "日常公用经费花了多少", "value", [R("公用经费")]),
    case("colloquial-running", "机关运行费一共多少", "value", [R("机关运行经费")]),
    case("colloquial-procurement", "政府采购花了多少钱？", "value", [R("政府采购")]),
    case("colloquial-carry-in", "上年结转有多少？", "value", [R("年初结转和结余")]),
    case("colloquial-carry-out", "年底还剩多少结转结余", "value", [R("年末结转和结余")]),
    case("colloquial-total-income", "总收入多少", "value", [R("收入总计")]),
    case("colloquial-total-spend", "支出总计是多少呢", "value", [R("支出总计")]),
    case("year-income-sum", "本年收入合计有多少", "value", [R("本年收入合计")]),
    case("year-spend-sum", "本年支出合计是多少万元", "value", [R("本年支出合计")], unit="万元"),
    case("basic", "基本支出是多少", "value", [R("基本支出")]),
    case("project", "项目支出有多少", "value", [R("项目支出")]),
    case("fiscal", "财政拨款收入是多少", "value", [R("财政拨款")]),
    case("fiscal-budget", "财拨预算安排多少", "value", [R("财政拨款", columns=["预算"])]),
    case("general-budget", "一般预算支出多少", "value", [R("一般公共预算")]),
    case("fund", "政府性基金预算支出是多少", "value", [R("政府性基金")]),
    case("state-capital", "国有资本经营预算支出多少", "value", [R("国有资本经营")]),
    case("wages", "工资福利支出是多少", "value", [R("工资福利支出")]),
    case("goods-services", "商品和服务支出多少", "value", [R("商品和服务支出")]),
    case("households", "对个人和家庭的补助有多少", "value", [R("对个人和家庭的补助")]),
    case("admin-run", "行政运行花了多少", "value", [R("行政运行")]),
    case("inst-run", "事业运行支出多少", "value", [R("事业运行")]),
    case("biz-income", "事业收入有多少", "value", [R("事业收入")]),
    case("other-income", "其他收入是多少", "value", [R("其他收入")]),
    case("superior", "上级补助收入多少", "value", [R("上级补助收入")]),
    case("car-buy", "公车购置费是多少", "value", [R("公务用车购置费")]),
    case("car-run", "公车运维费花了多少", "value", [R("公务用车运行维护费")]),
    case("car-run-vehicle", "车辆运行维护费多少", "value", [R("公务用车运行维护费")]),
    case("row-raw", "住房公积金是多少", "value", [R(row="住房公积金")]),
    case("row-raw-travel", "差旅费花了多少", "value", [R(row="差旅费")]),
    case("row-with-fund-col", "住房公积金的财政拨款预算是多少", "value",
         [R(row="住房公积金", columns=["财政拨款", "预算"])]),
    case("row-with-basic-col", "培训费的基本支出是多少", "value", [R(concept="培训费", columns=["基本支出"])]),
    case("row-with-project-col", "信息化运维经费的项目支出多少", "value",
         [R(row="信息化运维经费", columns=["项目支出"])]),
    case("row-under-fiscal", "财拨支出里的退休费是多少", "value", [R(row="退休费", columns=["财政拨款"])]),
    case("actual-words", "公务接待费实际支出多少", "value", [R("公务接待费", columns=["决算"])]),
    case("budget-words", "招待费预算数是多少", "value", [R("公务接待费", columns=["预算"])]),
    case("initial-budget", "行政运行的年初预算是多少", "value", [R("行政运行", columns=["年初预算"])]),
    case("adjusted-budget", "一般公共预算调整预算数是多少", "value", [R("一般公共预算", columns=["调整预算"])]),
    case("fullyear-budget", "项目经费全年预算数多少", "value", [R("项目支出", columns=["全年预算"])]),
    case("prior-year-budget", "上一年的公用经费预算是多少", "value",
         [R("公用经费", columns=["预算"], prior_year=True)]),
    case("last-year-bare", "去年的人员经费是多少", "value", [R("人员经费", prior_year=True)]),
    case("bare-budget-prior", "去年预算总共多少", "value", [R(columns=["预算"], prior_year=True)]),
    case("budget-size", "部门预算规模有多大", "value", [R("收支总计")]),
    case("gloss", "人头费（人员经费）花了多少", "value", [R("人员经费")]),
    case("double-name", "保运转的基本支出是多少", "value", [R("基本支出")]),
    case("quoted-row", "“其他一般公共服务支出”安排了多少？", "value",
         [R(row="其他一般公共服务支出", columns=["预算"])]),
    case("score", "这个项目自评得分多少", "value", [R(columns=["得分"])], "score", "分"),
    case("score-total", "整体绩效自评总分是多少分", "value", [R(columns=["得分"], table_kind="部门整体绩效自评表")],
         "score", "分"),
    case("score-project", "垃圾分类宣传项目得了多少分", "value", [R(project="垃圾分类宣传")], "score", "分"),
    case("target-value", "“培训人次”指标的年度目标是多少", "value", [R(row="培训人次", columns=["指标值"])]),
]

# ------------------------------------------------------------------------------------------------
# Tables by number and by title, and subject codes

TABLES = [
    case("table-public-number", "公开02表里的事业收入是多少", "value", [R("事业收入", table_number="公开02表")]),
    case("table-public-number-spaced", "公开表7里政府性基金支出是多少", "value",
         [R("政府性基金", table_number="公开表7")]),
    case("table-budget-number", "预算03表中行政运行安排了多少", "value",
         [R("行政运行", columns=["预算"], table_number="预算03表")]),
    case("table-budget-number-2", "预算表8里的三公经费是多少", "value", [R("三公经费", table_number="预算表8")]),
    case("table-chinese-number", "表三中的项目支出是多少", "value", [R("项目支出", table_number="表3")]),
    case("table-arabic-number", "表5里的公用经费多少", "value", [R("公用经费", table_number="表5")]),
    case("table-income-title", "收入决算表中的财政拨款收入是多少", "value", [R("财政拨款", table_kind="收入决算表")]),
    case("table-spend-title", "支出决算表里基本支出是多少", "value", [R("基本支出", table_kind="支出决算表")]),
    case("table-overview-title", "收入支出决算总表中的年初结转和结余是多少", "value",
         [R("年初结转和结余", table_kind="收入支出决算总表")]),
    case("table-fiscal-title", "财政拨款收支总表里的一般公共预算是多少", "value",
         [R("一般公共预算", table_kind="财政拨款收入支出决算总表")]),
    case("table-detail-row", "基本支出明细表中的邮电费是多少", "value",
         [R(row="邮电费", table_kind="一般公共预算财政拨款基本支出决算明细表")]),
    case("table-general-row", "一般公共预算财政拨款支出决算表里行政运行的基本支出是多少", "value",
         [R("行政运行", columns=["基本支出"], table_kind="一般公共预算财政拨款支出决算表")]),
    case("table-budget-title", "支出预算表里的项目支出是多少", "value", [R("项目支出", table_kind="支出预算表")]),
    case("table-sangong", "三公经费支出决算表里公务接待费是多少", "value",
         [R("公务接待费", table_kind="三公经费支出决算表")]),
    case("table-stats", "相关信息统计表里的机关运行经费是多少", "value",
         [R("机关运行经费", table_kind="相关信息统计表")]),
    case("code-bracket", "[2080505]这个科目支出多少", "value", [R(code="2080505")]),
    case("code-plain", "2130101科目的财政拨款支出是多少", "value", [R(code="2130101", columns=["财政拨款"])]),
    case("code-after-row", "行政单位医疗（2101101）是多少", "value", [R(row="行政单位医疗", code="2101101")]),
    case("code-class", "201类支出合计是多少", "value", [R(code="201")]),
    case("code-economic", "30211的金额是多少", "value", [R(code="30211")]),
    case("code-unit-row", "本级（305001）的收入是多少", "value", [R(row="本级", code="305001")]),
]

# ------------------------------------------------------------------------------------------------
# Units asked

UNITS = [
    case("unit-yi", "项目支出有多少亿元", "value", [R("项目支出")], unit="亿元"),
    case("unit-ge-yi", "本年支出合计有几个亿", "value", [R("本年支出合计")], unit="亿元"),
    case("unit-yi-short", "收入总计大概多少亿", "value", [R("收入总计")], unit="亿元"),
    case("unit-wan", "三公经费合多少万", "value", [R("三公经费")], unit="万元"),
    case("unit-wan-convert", "公用经费换算成万元是多少", "value", [R("公用经费")], unit="万元"),
    case("unit-yuan", "公务接待费是多少元", "value", [R("公务接待费")], unit="元"),
    case("unit-qian", "出国费折合多少千元", "value", [R("因公出国（境）费")], unit="千元"),
    case("unit-count-staff", "行政编制有多少人", "value", [R("编制")], "count", "人"),
    case("unit-count-ming", "核定了多少名事业编制", "value", [R("编制")], "count", "人"),
    case("unit-count-cars", "单位有几辆车", "value", [R("车辆数")], "count", "辆"),
    case("unit-count-cars-2", "车辆数量是多少辆", "value", [R("车辆数")], "count", "辆"),
    case("unit-count-people", "在职人数有多少人", "value", [R("实有人数")], "count", "人"),
    case("unit-count-households", "奖补资金惠及多少户", "value", [R(row="奖补资金惠及")], "count", "家"),
    case("unit-count-times", "“宣讲活动”实际完成多少场", "value", [R(row="宣讲活动", columns=["实际完成值"])],
         "count", "期"),
]

# ------------------------------------------------------------------------------------------------
# share: 占比 / 几成 / 百分之几

SHARE = [
    case("share-of-total", "项目支出占本年支出合计的百分之几", "share", [R("项目支出"), R("本年支出合计")], "percent", "%"),
    case("share-jicheng", "人员经费占基本支出几成", "share", [R("人员经费"), R("基本支出")], "percent", "%"),
    case("share-bizhong", "公用经费占基本支出的比重是多少", "share", [R("公用经费"), R("基本支出")], "percent", "%"),
    case("share-bili", "三公经费占公用经费的比例", "share", [R("三公经费"), R("公用经费")], "percent", "%"),
    case("share-zhanbi", "基本支出占比多少", "share", [R("基本支出")], "percent", "%"),
    case("share-implied-whole", "项目支出占了几成？", "share", [R("项目支出")], "percent", "%"),
    case("share-frame-first", "本年支出合计中基本支出占百分之多少", "share", [R("基本支出"), R("本年支出合计")],
         "percent", "%"),
    case("share-frame-comma", "花的钱里，项目支出占几成", "share", [R("项目支出"), R("本年支出合计")], "percent", "%"),
    case("share-sangong-part", "接待费占三公经费的百分比", "share", [R("公务接待费"), R("三公经费")], "percent", "%"),
    case("share-budget-cols", "出国费占三公预算的百分之几", "share",
         [R("因公出国（境）费", columns=["预算"]), R("三公经费", columns=["预算"])], "percent", "%"),
    case("share-fund", "政府性基金占财政拨款的比重是多少", "share", [R("政府性基金"), R("财政拨款")], "percent", "%"),
    case("share-row", "差旅费占公用经费多少比例", "share", [R(row="差旅费"), R("公用经费")], "percent", "%"),
    case("share-income", "事业收入占收入总计的百分之几", "share", [R("事业收入"), R("收入总计")], "percent", "%"),
    case("share-total-spend", "基本支出占总支出多少", "share", [R("基本支出"), R("本年支出合计")], "percent", "%"),
    case("share-car-run", "公车运行费占三公的几成", "share", [R("公务用车运行维护费"), R("三公经费")], "percent", "%"),
    case("share-procurement", "政府采购占支出总计的比例是多少", "share", [R("政府采购"), R("支出总计")], "percent", "%"),
    case("share-personnel", "人员经费占比是多少？", "share", [R("人员经费")], "percent", "%"),
    case("share-fiscal-col", "一般公共预算财政拨款中公用经费占多少", "share", [R("公用经费"), R("一般公共预算")],
         "percent", "%"),
    case("share-percent-sign", "项目支出占总支出的%是多少", "share", [R("项目支出"), R("本年支出合计")], "percent", "%"),
]

# ------------------------------------------------------------------------------------------------
# rate: 执行率 / 完成率 (actual vs budget of one item)

RATE = [
    case("rate-plain", "公务接待费的预算执行率是多少", "rate",
         [R("公务接待费", columns=["决算"]), R("公务接待费", columns=["预算"])], "percent", "%"),
    case("rate-sangong", "三公经费执行率多少", "rate",
         [R("三公经费", columns=["决算"]), R("三公经费", columns=["预算"])], "percent", "%"),
    case("rate-completion", "项目支出完成率是多少", "rate",
         [R("项目支出", columns=["决算"]), R("项目支出", columns=["预算"])], "percent", "%"),
    case("rate-row", "信息化建设经费执行率是多少", "rate",
         [R(row="信息化建设经费", columns=["决算"]), R(row="信息化建设经费", columns=["预算"])], "percent", "%"),
    case("rate-fullyear", "事业运行全年预算执行了百分之几", "rate",
         [R("事业运行", columns=["执行数"]), R("事业运行", columns=["全年预算"])], "percent", "%"),
    case("rate-adjusted", "一般公共预算支出完成调整预算的百分之几", "rate",
         [R("一般公共预算", columns=["决算"]), R("一般公共预算", columns=["调整预算"])], "percent", "%"),
    case("rate-spent-share", "办公楼维修经费花出去几成", "rate",
         [R(row="办公楼维修经费", columns=["决算"]), R(row="办公楼维修经费", columns=["预算"])], "percent", "%"),
    case("rate-situation", "公车费用的预算执行情况怎么样", "rate",
         [R("公务用车购置及运行维护费", columns=["决算"]), R("公务用车购置及运行维护费", columns=["预算"])],
         "percent", "%"),
    case("rate-progress", "机关运行经费执行进度多少", "rate",
         [R("机关运行经费", columns=["决算"]), R("机关运行经费", columns=["预算"])], "percent", "%"),
    case("rate-initial", "行政运行相对年初预算的执行率", "rate",
         [R("行政运行", columns=["决算"]), R("行政运行", columns=["年初预算"])], "percent", "%"),
    case("rate-fiscal", "财政拨款的执行率是多少", "rate",
         [R("财政拨款", columns=["决算"]), R("财政拨款", columns=["预算"])], "percent", "%"),
    case("rate-used-share", "出国费花了几成", "rate",
         [R("因公出国（境）费", columns=["决算"]), R("因公出国（境）费", columns=["预算"])], "percent", "%"),
]

# ------------------------------------------------------------------------------------------------
# difference: from budget, between two items

DIFFERENCE = [
    case("diff-actual-vs-budget", "三公经费决算比预算少了多少", "difference",
         [R("三公经费", columns=["决算"]), R("三公经费", columns=["预算"])], direction="less"),
    case("diff-more", "招待费决算数比预算数多多少", "difference",
         [R("公务接待费", columns=["决算"]), R("公务接待费", columns=["预算"])], direction="more"),
    case("diff-shorthand", "出国费实际比预算少多少", "difference",
         [R("因公出国（境）费", columns=["决算"]), R("因公出国（境）费", columns=["预算"])], direction="less"),
    case("diff-implicit-left", "公车费用比预算少了多少", "difference",
         [R("公务用车购置及运行维护费", columns=[]), R("公务用车购置及运行维护费", columns=["预算"])],
         direction="less"),
    case("diff-save", "三公经费节约了多少", "difference",
         [R("三公经费", columns=["决算"]), R("三公经费", columns=["预算"])], direction="less"),
    case("diff-overspend", "接待费超支了多少", "difference",
         [R("公务接待费", columns=["决算"]), R("公务接待费", columns=["预算"])], direction="more"),
    case("diff-two-items", "人员经费比公用经费多多少", "difference", [R("人员经费"), R("公用经费")], direction="more"),
    case("diff-xiangcha", "基本支出与项目支出相差多少", "difference", [R("基本支出"), R("项目支出")]),
    case("diff-chae", "收入总计和支出总计的差额是多少", "difference", [R("收入总计"), R("支出总计")]),
    case("diff-spend-income", "本年支出合计比本年收入合计多出多少", "difference",
         [R("本年支出合计"), R("本年收入合计")], direction="more"),
    case("diff-initial-adjusted", "行政运行决算比年初预算少了多少", "difference",
         [R("行政运行", columns=["决算"]), R("行政运行", columns=["年初预算"])], direction="less"),
    case("diff-adjusted-cut", "项目经费全年预算比年初预算调减了多少", "difference",
         [R("项目支出", columns=["全年预算"]), R("项目支出", columns=["年初预算"])], direction="less"),
    case("diff-unexecuted", "专项经费还有多少没有执行", "difference",
         [R(row="专项经费", columns=["执行数"]), R(row="专项经费", columns=["全年预算"])], direction="less"),
    case("diff-xiangbi-after", "与预算相比，公务接待费决算少了多少", "difference",
         [R("公务接待费", columns=["决算"]), R("公务接待费", columns=["预算"])], direction="less"),
    case("diff-more-or-less", "决算和预算比多了还是少了", "difference", [R(columns=["决算"]), R(columns=["预算"])]),
    case("diff-rows", "差旅费比培训费多花了多少", "difference", [R(row="差旅费"), R(concept="培训费")], direction="more"),
    case("diff-fiscal-gap", "财政拨款收入与财政拨款支出差多少", "difference",
         [R("财政拨款"), R("财政拨款")]),
]

# ------------------------------------------------------------------------------------------------
# growth: against the prior year

GROWTH = [
    case("growth-amount", "三公经费比上年增加了多少", "growth", [R("三公经费")], growth_as="amount"),
    case("growth-yoy-percent", "项目支出同比增长百分之几", "growth", [R("项目支出")], "percent", "%",
         growth_as="percent"),
    case("growth-less", "人员经费较上年减少多少", "growth", [R("人员经费")], growth_as="amount"),
    case("growth-colloquial-up", "收入总计同比涨了多少", "growth", [R("收入总计")], growth_as="amount"),
    case("growth-colloquial-down", "公车费用比去年降了多少", "growth", [R("公务用车购置及运行维护费")],
         growth_as="amount"),
    case("growth-change", "基本支出比上年增减多少", "growth", [R("基本支出")], growth_as="amount"),
    case("growth-rate", "事业收入的增长率是多少", "growth", [R("事业收入")], "percent", "%", growth_as="percent"),
    case("growth-fudu", "公用经费比上年下降的幅度", "growth", [R("公用经费")], "percent", "%", growth_as="percent"),
    case("growth-prefix", "与上年相比，机关运行经费增加了多少万元", "growth", [R("机关运行经费")], unit="万元",
         growth_as="amount"),
    case("growth-year-vs-year", "2024年三公比2023年多了多少", "growth", [R("三公经费")], year=2024,
         growth_as="amount"),
    case("growth-short-years", "25年公用经费比24年少了多少", "growth", [R("公用经费")], year=2025, growth_as="amount"),
    case("growth-budget-vs-budget", "当年预算的接待费比上年预算增加了多少", "growth",
         [R("公务接待费", columns=["预算"])], growth_as="amount"),
    case("growth-spent-more", "项目支出比上年多花了多少", "growth", [R("项目支出")], growth_as="amount",
         direction="more"),
    case("growth-bare-change", "政府采购增长了多少", "growth", [R("政府采购")], growth_as="amount"),
    case("growth-percent-yoy", "其他收入同比涨了百分之多少", "growth", [R("其他收入")], "percent", "%",
         growth_as="percent"),
    case("growth-fiscal", "财政拨款收入比上一年减少了多少", "growth", [R("财政拨款")], growth_as="amount"),
    case("growth-row", "差旅费比去年增加了多少", "growth", [R(row="差旅费")], growth_as="amount"),
    case("growth-points", "基本支出增幅是多少", "growth", [R("基本支出")], "percent", "%", growth_as="percent"),
    case("growth-more-or-less", "2022年三公比2021年多了还是少了", "growth", [R("三公经费")], year=2022,
         growth_as="amount"),
]

# ------------------------------------------------------------------------------------------------
# sum: 加 / 一共 / 合计 of named items

SUM = [
    case("sum-jia", "差旅费加培训费一共多少", "sum", [R(row="差旅费"), R(concept="培训费")]),
    case("sum-he-qilai", "办公费和印刷费加起来多少", "sum", [R(row="办公费"), R(row="印刷费")]),
    case("sum-three", "基本工资、津贴补贴、奖金三项合计多少", "sum",
         [R(row="基本工资"), R(row="津贴补贴"), R(row="奖金")]),
    case("sum-concepts", "人员经费加公用经费总共多少", "sum", [R("人员经费"), R("公用经费")]),
    case("sum-zhihe", "出国费和接待费之和是多少", "sum", [R("因公出国（境）费"), R("公务接待费")]),
    case("sum-jiashang", "公车购置费加上公车运行费一共多少", "sum", [R("公务用车购置费"), R("公务用车运行维护费")]),
    case("sum-subject-rows", "节能环保支出和科学技术支出加起来多少", "sum",
         [R(row="节能环保支出"), R(row="科学技术支出")]),
    case("sum-budget-col", "工会经费和福利费预算合计多少", "sum",
         [R(row="工会经费", columns=["预算"]), R(row="福利费", columns=["预算"])]),
    case("sum-single-is-value", "三公总共多少", "value", [R("三公经费")]),
    case("sum-single-yigong", "接待费一共花了多少", "value", [R("公务接待费")]),
    case("sum-two-codes", "2010101和2010102一共多少", "sum", [R(code="2010101"), R(code="2010102")]),
    case("sum-heji", "邮电费、水费、电费合计是多少", "sum", [R(row="邮电费"), R(row="水费"), R(row="电费")]),
]

# ------------------------------------------------------------------------------------------------
# max / min / top

RANK = [
    case("max-function-class", "哪个功能科目支出最多", "max", [R(level="类")]),
    case("max-class-word", "支出最多的是哪一类", "max", [R(level="类")]),
    case("min-class", "哪一类科目支出最少", "min", [R(level="类")]),
    case("max-kuan", "哪一款支出最大", "max", [R(level="款")]),
    case("max-project-rate", "哪个项目的执行率最高", "max", [R(level="项目", columns=["执行率"])]),
    case("min-project-rate", "执行率最低的是哪个项目", "min", [R(level="项目", columns=["执行率"])]),
    case("min-project-score", "哪个项目得分最低", "min", [R(level="项目", columns=["得分"])], "score", "分"),
    case("max-within-row", "商品和服务支出里面哪一项最多", "max", [R("商品和服务支出")]),
    case("max-candidates", "办公费、印刷费、邮电费中哪个最多", "max", [R(row="办公费"), R(row="印刷费"), R(row="邮电费")]),
    case("max-economic", "按经济科目看哪一项花钱最多", "max", [R(level="经济科目")]),
    case("min-unit", "哪个预算单位的当年预算最少", "min", [R(level="单位", columns=["预算"])]),
    case("top-three", "支出前三的功能科目是哪些", "top", [R(level="类")], k=3),
    case("top-five", "公用经费里花钱最多的前五项", "top", [R("公用经费")], k=5),
    case("top-rank-cue", "一般公共预算支出排前三的是哪几类", "top", [R("一般公共预算", level="类")], k=3),
    case("top-arabic", "前3个项目是哪些", "top", [R(level="项目")], k=3),
    case("top-english", "top 3 function classes by spending", "top", [R(level="类")], k=3),
    case("max-english", "which function class had the largest spending", "max", [R(level="类")]),
]

# ------------------------------------------------------------------------------------------------
# each: 分别 / 各

EACH = [
    case("each-two-concepts", "人员经费和公用经费分别是多少", "each", [R("人员经费"), R("公用经费")]),
    case("each-ge", "基本支出和项目支出各是多少", "each", [R("基本支出"), R("项目支出")]),
    case("each-columns", "三公经费的预算数和决算数分别是多少", "each",
         [R("三公经费", columns=["预算"]), R("三公经费", columns=["决算"])]),
    case("each-three-sangong", "出国费、公车费、接待费分别多少", "each",
         [R("因公出国（境）费"), R("公务用车购置及运行维护费"), R("公务接待费")]),
    case("each-rows", "公益性岗位补贴和生活补助分别多少", "each", [R(row="公益性岗位补贴"), R(row="生活补助")]),
    case("each-implicit", "人员经费和公用经费多少", "each", [R("人员经费"), R("公用经费")]),
    case("each-within", "基本支出里人员经费和公用经费各多少", "each", [R("人员经费"), R("公用经费")]),
    case("each-targets", "“满意度”指标的年度目标和实际完成分别是多少", "each",
         [R(row="满意度", columns=["指标值"]), R(row="满意度", columns=["实际完成值"])]),
    case("each-funds", "一般公共预算和政府性基金各安排了多少", "each",
         [R("一般公共预算", columns=["预算"]), R("政府性基金", columns=["预算"])]),
    case("each-carry", "年初结转和结余、年末结转和结余分别是多少", "each",
         [R("年初结转和结余"), R("年末结转和结余")]),
]

# ------------------------------------------------------------------------------------------------
# count: rows counted

COUNT = [
    case("count-projects", "一共有几个项目", "count", [R(level="项目")], "count", "个"),
    case("count-projects-many", "绩效自评了多少个项目", "count", [R(level="项目", table_kind="项目支出绩效自评表")],
         "count", "个"),
    case("count-units", "包括几个预算单位", "count", [R(level="单位")], "count", "个"),
    case("count-classes", "支出涉及几类功能科目", "count", [R(level="类")], "count", "个"),
    case("count-threshold", "超过一百万的项目有几个", "count", [R(level="项目")], "count", "个",
         threshold=100.0, threshold_unit="万元"),
]

# ------------------------------------------------------------------------------------------------
# compare: yes-no with the figure

COMPARE = [
    case("yesno-exceed", "三公经费决算数是否超过预算数", "compare",
         [R("三公经费", columns=["决算"]), R("三公经费", columns=["预算"])], direction="more"),
    case("yesno-over-budget", "接待费有没有超预算", "compare",
         [R("公务接待费", columns=["决算"]), R("公务接待费", columns=["预算"])], direction="more"),
    case("yesno-exists", "有公车吗", "compare", [R("公务用车购置及运行维护费")]),
    case("yesno-fund", "有没有政府性基金预算", "compare", [R("政府性基金")]),
    case("yesno-higher", "人员经费是不是高于公用经费", "compare", [R("人员经费"), R("公用经费")], direction="more"),
    case("yesno-lower", "项目支出是否低于基本支出", "compare", [R("项目支出"), R("基本支出")], direction="less"),
    case("yesno-prior", "三公经费是否比上年减少", "compare", [R("三公经费")]),
    case("yesno-threshold", "公务接待费超过十万元了吗", "compare", [R("公务接待费")], threshold=10.0,
         threshold_unit="万元", direction="more"),
    case("yesno-row-threshold", "信息化经费的项目支出是否超过五十万", "compare",
         [R(row="信息化经费", columns=["项目支出"])], threshold=50.0, threshold_unit="万元", direction="more"),
]

# ------------------------------------------------------------------------------------------------
# English

ENGLISH = [
    case("en-sangong", "How much were the three public expenses?", "value", [R("三公经费")], language="en"),
    case("en-reception", "How much was spent on official receptions?", "value", [R("公务接待费")], language="en"),
    case("en-basic", "What is the basic expenditure?", "value", [R("基本支出")], language="en"),
    case("en-project-share", "What share of total expenditure is project expenditure?", "share",
         [R("项目支出"), R("支出总计")], "percent", "%", language="en"),
    case("en-total-revenue", "What was the total revenue in 2023?", "value", [R("收入总计")], year=2023,
         language="en"),
    case("en-rate", "What is the execution rate of official receptions?", "rate",
         [R("公务接待费", columns=["决算"]), R("公务接待费", columns=["预算"])], "percent", "%", language="en"),
    case("en-growth", "How much did personnel expenses increase compared with last year?", "growth",
         [R("人员经费")], growth_as="amount", language="en"),
    case("en-largest", "Which function class had the largest expenditure?", "max", [R(level="类")], language="en"),
    case("en-vehicles", "How much was budgeted for official vehicles?", "value",
         [R("公务用车购置及运行维护费", columns=["预算"])], language="en"),
    case("en-carryover", "How much money was carried over from previous years?", "value", [R("年初结转和结余")],
         language="en"),
    case("en-department", "How much did the Putuo finance bureau spend on personnel in 2024?", "value",
         [R("人员经费")], department="putuo finance bureau", year=2024, language="en"),
    case("en-gloss", "How much are public expenses (公用经费)?", "value", [R("公用经费")], language="en"),
    case("en-difference", "What is the difference between basic expenditure and project expenditure?", "difference",
         [R("基本支出"), R("项目支出")], language="en"),
    case("en-yes-no", "Did official receptions exceed the budget?", "compare",
         [R("公务接待费", columns=[]), R("公务接待费", columns=["预算"])],
         direction="more", language="en"),
    case("en-fund-share", "What percentage of fiscal appropriations comes from government funds?", "share",
         [R("政府性基金"), R("财政拨款")], "percent", "%", language="en"),
    case("en-procurement", "How much was government procurement?", "value", [R("政府采购")], language="en"),
    case("en-other-income", "How much other income did the bureau receive?", "value", [R("其他收入")],
         language="en"),
    case("en-wan", "How much were overseas trips in ten thousand yuan?", "value", [R("因公出国（境）费")],
         unit="万元", language="en"),
]

# ------------------------------------------------------------------------------------------------
# Departments and years

DEPARTMENTS = [
    case("dept-short-bureau", "州发改委三公经费是多少", "value", [R("三公经费")], department="州发改委"),
    case("dept-short-office", "市府办公用经费花了多少", "value", [R("公用经费")], department="市府办"),
    case("dept-port-office", "口岸办人员经费多少", "value", [R("人员经费")], department="口岸办"),
    case("dept-social-work", "区社工部项目支出多少", "value", [R("项目支出")], department="区社工部"),
    case("dept-data-bureau", "数据局2024年机关运行经费多少", "value", [R("机关运行经费")], department="数据局",
         year=2024),
    case("dept-street", "长风街道三公总共多少", "value", [R("三公经费")], department="长风街道"),
    case("dept-center", "市不动产登记中心招待费多少", "value", [R("公务接待费")], department="市不动产登记中心"),
    case("dept-university", "某某大学事业收入有多少", "value", [R("事业收入")], department="某某大学"),
    case("dept-base", "实训基地人员经费和公用经费分别多少", "each", [R("人员经费"), R("公用经费")],
         department="实训基地"),
    case("dept-region", "浙江2024年一般公共预算支出多少", "value", [R("一般公共预算")], department="浙江", year=2024),
    case("dept-before-year", "省政协2019年三公预算是多少", "value", [R("三公经费", columns=["预算"])],
         department="省政协", year=2019),
    case("dept-after-clause", "与上年相比，县文旅局2023年三公减少了多少", "growth", [R("三公经费")],
         department="县文旅局", year=2023, growth_as="amount"),
    case("dept-with-row", "市城管局环卫作业经费是多少", "value", [R(row="环卫作业经费")], department="市城管局"),
    case("dept-with-he", "市自然资源和规划局三公多少", "value", [R("三公经费")], department="市自然资源和规划局"),
    case("dept-with-yu", "市场监测与技术服务中心上年的预算是多少", "value", [R(columns=["预算"], prior_year=True)],
         department="市场监测与技术服务中心"),
    case("dept-inside-document-name", "江苏省人民检察院三公一共多少", "value", [R("三公经费")],
         department="江苏省人民检察院"),
    case("dept-deictic", "该局的公用经费是多少", "value", [R("公用经费")], department=None),
    case("year-two-digit", "23年项目支出是多少", "value", [R("项目支出")], year=2023),
    case("year-chinese", "二〇二三年三公经费决算数是多少", "value", [R("三公经费", columns=["决算"])], year=2023),
    case("year-nian-du", "2024年度机关运行经费多少", "value", [R("机关运行经费")], year=2024),
    case("year-next", "明年三公准备安排多少", "value", [R("三公经费", columns=["预算"])]),
    case("ledger-final", "部门决算里的三公经费是多少", "value", [R("三公经费")], ledger="决算"),
    case("ledger-budget", "这份预算的项目支出是多少", "value", [R("项目支出")], ledger="预算"),
    case("stated-figure", "接待费预算8.5万，实际花了多少", "value", [R("公务接待费", columns=["决算"])],
         given=["8.5万"]),
]

# ------------------------------------------------------------------------------------------------
# prose / why / audit: statements, not figures

PROSE = [
    case("prose-used-for", "三公经费主要用于哪些方面", "prose", [R("三公经费")], "text"),
    case("prose-what-bought", "政府采购都买了什么", "prose", [R("政府采购")], "text"),
    case("prose-duties", "这个单位的主要职责是什么", "prose", [], "text"),
    case("prose-institutions", "内设机构有哪些", "prose", [], "text"),
    case("why-increase", "为什么公务接待费增加了", "why", [R("公务接待费")], "text"),
    case("why-reason", "项目支出减少的原因是什么", "why", [R("项目支出")], "text"),
    case("why-zero", "基本支出怎么是0", "why", [R("基本支出")], "text"),
    case("why-unspent", "“网络安全等保测评经费”为什么一分钱没花", "why", [R(row="网络安全等保测评经费")], "text"),
    case("audit-consistency", "这份决算有没有前后不一致的地方", "audit", [], "text", ledger="决算"),
    case("audit-contradiction", "表格之间的数字有没有矛盾", "audit", [], "text"),
    case("audit-mismatch", "三公经费的数字对不上吗", "audit", [R("三公经费")], "text"),
    case("audit-english", "Are there any inconsistencies in this report?", "audit", [], "text", language="en"),
]

# ------------------------------------------------------------------------------------------------
# Typed as people type: no punctuation, blanks, full-width forms, filler words

TYPED = [
    case("typed-blanks", "三公 经费 决算数 多少", "value", [R("三公经费", columns=["决算"])]),
    case("typed-fullwidth", "２０２３年公务接待费是多少？", "value", [R("公务接待费")], year=2023),
    case("typed-please", "请问一下招待费一年花多少钱呀", "value", [R("公务接待费")]),
    case("typed-help-me", "帮我查一下公车费用", "value", [R("公务用车购置及运行维护费")]),
    case("typed-want-to-know", "想知道人员经费有多少", "value", [R("人员经费")]),
    case("typed-no-question-mark", "项目支出占比", "share", [R("项目支出")], "percent", "%"),
    case("typed-bare-concept", "机关运行经费", "value", [R("机关运行经费")]),
    case("typed-quotes", "\"三公\"经费预算是多少", "value", [R("三公经费", columns=["预算"])]),
    case("typed-brackets", "因公出国(境)费决算数", "value", [R("因公出国（境）费", columns=["决算"])]),
    case("typed-english-parens", "人员经费(personnel)是多少", "value", [R("人员经费")]),
    case("typed-roughly", "政府采购大约多少万", "value", [R("政府采购")], unit="万元"),
    case("typed-colloquial-yi", "一年下来三公花了几个亿", "value", [R("三公经费")], unit="亿元"),
    case("typed-how-much-money", "工资福利支出多少钱", "value", [R("工资福利支出")]),
    case("typed-ne", "那公用经费呢", "value", [R("公用经费")]),
    case("typed-ba", "财拨收入大概多少吧", "value", [R("财政拨款")]),
    case("typed-spent-out", "接待费花掉了多少", "value", [R("公务接待费")]),
    case("typed-arranged", "今年给公车安排了多少预算", "value", [R("公务用车购置及运行维护费", columns=["预算"])]),
    case("typed-left-over", "年末结余还有多少", "value", [R("年末结转和结余")]),
    case("typed-two-digit-year-share", "24年基本支出占几成", "share", [R("基本支出")], "percent", "%", year=2024),
    case("typed-diff-colloquial", "接待费实际比预算省了多少", "difference",
         [R("公务接待费", columns=["决算"]), R("公务接待费", columns=["预算"])], direction="less"),
]

MORE = [
    case("value-general-fiscal-col", "行政运行的一般公共预算财政拨款是多少", "value",
         [R("行政运行", columns=["一般公共预算"])]),
    case("value-code-with-col", "2150805的财政拨款收入是多少", "value", [R(code="2150805", columns=["财政拨款"])]),
    case("value-row-prior", "上年的印刷费是多少", "value", [R(row="印刷费", prior_year=True)]),
    case("value-weight", "“办结率”指标权重是多少", "value", [R(row="办结率", columns=["权重"])]),
    case("share-table-number", "公开03表里项目支出占本年支出合计几成", "share",
         [R("项目支出", table_number="公开03表"), R("本年支出合计", table_number="公开03表")], "percent", "%"),
    case("share-english-percentage", "What percentage of basic expenditure is personnel?", "share",
         [R("人员经费"), R("基本支出")], "percent", "%", language="en"),
    case("rate-english-completion", "What is the completion rate of project expenditure?", "rate",
         [R("项目支出", columns=["决算"]), R("项目支出", columns=["预算"])], "percent", "%", language="en"),
    case("difference-english-less", "How much less were official receptions than budgeted?", "difference",
         [R("公务接待费"), R("公务接待费", columns=["预算"])], direction="less", language="en"),
    case("growth-english-percent", "What was the year-on-year growth rate of total revenue?", "growth",
         [R("收入总计")], "percent", "%", growth_as="percent", language="en"),
    case("growth-dept-prefix", "市卫健委2025年公用经费同比下降多少", "growth", [R("公用经费")],
         department="市卫健委", year=2025, growth_as="amount"),
    case("sum-english", "What are official receptions plus overseas trips in total?", "sum",
         [R("公务接待费"), R("因公出国（境）费")], language="en"),
    case("min-english", "Which project had the lowest execution rate?", "min",
         [R(level="项目", columns=["执行率"])], language="en"),
    case("each-english", "How much were personnel and public expenses respectively?", "each",
         [R("人员经费"), R("公用经费")], language="en"),
    case("top-ten", "支出排名前十的项目", "top", [R(level="项目")], k=10),
    case("max-kuan-within", "卫生健康支出中哪一款最多", "max", [R(level="款")]),
    case("count-english", "How many projects are there?", "count", [R(level="项目")], "count", "个", language="en"),
    case("compare-english-prior", "Did the three public expenses decrease compared with last year?", "compare",
         [R("三公经费")], language="en"),
    case("why-english", "Why did official receptions increase?", "why", [R("公务接待费")], "text", language="en"),
    case("prose-english-used", "What is project expenditure used for?", "prose", [R("项目支出")], "text",
         language="en"),
    case("dept-english-office", "How much did the county government office spend on receptions?", "value",
         [R("公务接待费")], department="county government office", language="en"),
]

ALL = VALUE + TABLES + UNITS + SHARE + RATE + DIFFERENCE + GROWTH + SUM + RANK + EACH + COUNT + COMPARE + ENGLISH \
    + DEPARTMENTS + PROSE + TYPED + MORE


@pytest.mark.parametrize("question, op, operands, unit_kind, unit, slots", ALL)
def test_single_part_question_parses_to_its_plan(question, op, operands, unit_kind, unit, slots):
    check(only(question), op, operands, unit_kind, unit, slots)


# ------------------------------------------------------------------------------------------------
# Several parts: each answered, later parts inheriting the earlier operand

MULTI = [
    pytest.param("三公经费决算数是多少？比预算少多少？", [
        ("value", [R("三公经费", columns=["决算"])]),
        ("difference", [R("三公经费", columns=["决算"]), R("三公经费", columns=["预算"])]),
    ], id="value-then-difference"),
    pytest.param("行政运行支出多少？占比多少？", [
        ("value", [R("行政运行")]),
        ("share", [R("行政运行")]),
    ], id="value-then-share"),
    pytest.param("机关运行经费是多少？比上年增减多少？", [
        ("value", [R("机关运行经费")]),
        ("growth", [R("机关运行经费")]),
    ], id="value-then-growth"),
    pytest.param("三公总共多少？接待费多少？", [
        ("value", [R("三公经费")]),
        ("value", [R("公务接待费")]),
    ], id="two-values"),
    pytest.param("三公经费多少，比上年少了多少", [
        ("value", [R("三公经费")]),
        ("growth", [R("三公经费")]),
    ], id="comma-split"),
    pytest.param("年末结转和结余是多少？其中财拨多少？", [
        ("value", [R("年末结转和结余")]),
        ("value", [R("年末结转和结余", columns=["财政拨款"])]),
    ], id="of-which-fiscal"),
    pytest.param("事业收入有多少？其中培训收入多少？", [
        ("value", [R("事业收入")]),
        ("value", [R(row="培训收入")]),
    ], id="of-which-row"),
    pytest.param("哪个项目的执行率最低？得分多少？", [
        ("min", [R(level="项目", columns=["执行率"])]),
        ("value", [R(level="项目", columns=["得分"])]),
    ], id="rank-then-score"),
    pytest.param("政府采购花了多少？都买了啥？", [
        ("value", [R("政府采购")]),
        ("prose", [R("政府采购")]),
    ], id="value-then-prose"),
    pytest.param("公务接待费预算多少？实际花了多少？执行率多少？", [
        ("value", [R("公务接待费", columns=["预算"])]),
        ("value", [R("公务接待费", columns=["决算"])]),
        ("rate", [R("公务接待费", columns=["决算"]), R("公务接待费", columns=["预算"])]),
    ], id="three-parts"),
    pytest.param("2024年三公比2023年多了还是少了？差多少万？", [
        ("growth", [R("三公经费")]),
        ("difference", None),
    ], id="more-or-less-then-how-much"),
    pytest.param("基本支出多少？占总支出几成？", [
        ("value", [R("基本支出")]),
        ("share", [R("基本支出"), R("本年支出合计")]),
    ], id="value-then-share-of-whole"),
    pytest.param("是否超过预算，超了多少", [
        ("compare", None),
        ("difference", None),
    ], id="yes-no-then-how-much"),
    pytest.param("How much were the three public expenses, and how much were official receptions?", [
        ("value", [R("三公经费")]),
        ("value", [R("公务接待费")]),
    ], id="english-two-parts"),
]


@pytest.mark.parametrize("question, parts", MULTI)
def test_every_part_of_a_question_is_a_query(question, parts):
    plan = parse(question)
    assert [q.op for q in plan.queries] == [op for op, _ in parts], plan.queries
    for query, (op, operands) in zip(plan.queries, parts):
        assert query.leftover == [], query
        if operands is not None:
            check(query, op, operands, query.unit_kind, query.unit, {})


def test_later_parts_keep_the_department_and_year():
    plan = parse("市水务局2023年三公是多少？比上年少了多少？")
    assert [(q.department, q.year) for q in plan.queries] == [("市水务局", 2023)] * 2


def test_multi_part_percent_part_asks_percent():
    plan = parse("人员经费多少？占基本支出百分之几？")
    assert [q.unit_kind for q in plan.queries] == ["money", "percent"]


# ------------------------------------------------------------------------------------------------
# Follow-ups: the previous turn's plan fills what the question leaves out

FOLLOW = [
    pytest.param("三公经费决算数是多少", "那比上年呢？", "growth", [R("三公经费", columns=["决算"])], id="then-prior"),
    pytest.param("三公经费决算数是多少", "预算呢？", "value", [R("三公经费", columns=["预算"])], id="budget-instead"),
    pytest.param("人员经费决算数是多少", "公用经费呢？", "value", [R("公用经费", columns=["决算"])], id="other-item"),
    pytest.param("公务接待费的执行率是多少", "出国费呢", "rate",
                 [R("因公出国（境）费", columns=["决算"]), R("因公出国（境）费", columns=["预算"])], id="rate-other-item"),
    pytest.param("项目支出是多少", "占比呢？", "share", [R("项目支出")], id="share-of-previous"),
    pytest.param("基本支出是多少", "去年呢", "value", [R("基本支出", prior_year=True)], id="last-year"),
    pytest.param("三公经费预算多少", "那实际花了多少", "value", [R("三公经费", columns=["决算"])], id="actual-instead"),
    pytest.param("机关运行经费是多少", "增长了多少？", "growth", [R("机关运行经费")], id="growth-of-previous"),
    pytest.param("公用经费是多少", "换算成亿元呢", "value", [R("公用经费")], id="unit-change"),
    pytest.param("人员经费和公用经费分别是多少", "预算数呢", "each",
                 [R("人员经费", columns=["预算"]), R("公用经费", columns=["预算"])], id="each-budget"),
    pytest.param("What is the basic expenditure?", "And compared with last year?", "growth", [R("基本支出")],
                 id="english-follow-up"),
]


@pytest.mark.parametrize("first, second, op, operands", FOLLOW)
def test_follow_up_inherits_the_previous_plan(first, second, op, operands):
    previous = only(first)
    plan = parse(second, previous=previous)
    assert plan.follow_up
    (query,) = plan.queries
    check(query, op, operands, query.unit_kind, query.unit, {})


def test_a_question_naming_its_own_figure_is_no_follow_up():
    previous = only("三公经费是多少")
    plan = parse("项目支出占本年支出合计的百分之几", previous=previous)
    assert not plan.follow_up


def test_follow_up_keeps_the_department():
    previous = only("区财政局三公经费是多少")
    (query,) = parse("预算呢？", previous=previous).queries
    assert query.department == "区财政局"


def test_unit_change_follow_up_asks_the_new_unit():
    previous = only("公用经费是多少")
    (query,) = parse("换算成亿元呢", previous=previous).queries
    assert query.unit == "亿元"


# ------------------------------------------------------------------------------------------------
# With the document's own names: jieba keeps them whole, rapidfuzz matches cut names

VOCAB = Vocabulary.from_names(
    rows=[("支持中小企业发展和管理支出", "21508", "款"), ("行政运行", "2150801", "项"),
          ("无线电及信息通信监管", "2150599", "项"), ("工业和信息产业监管", "21505", "款"),
          ("机关事业单位基本养老保险缴费支出", "2080505", "项"), ("社会保障和就业支出", "208", "类"),
          ("其他政府办公厅（室）及相关机构事务支出", "2010399", "项"), ("住房公积金", "30113", None),
          ("彩票公益金安排的支出", None, None)],
    projects=["企业入规奖补资金", "智慧园区平台运维"],
    department="某市工业和信息化局", doc_kind="决算", year=2023,
)

WITH_VOCAB = [
    case("vocab-exact-row", "支持中小企业发展和管理支出是多少", "value",
         [R(row="支持中小企业发展和管理支出", code="21508")]),
    case("vocab-row-under", "支持中小企业发展和管理支出下面哪一项最多", "max",
         [R(row="支持中小企业发展和管理支出", code="21508")]),
    case("vocab-cut-name", "无线电监管的基本支出是多少", "value",
         [R(row="无线电及信息通信监管", code="2150599", columns=["基本支出"])]),
    case("vocab-abbrev", "养老保险缴费支出是多少", "value",
         [R(row="机关事业单位基本养老保险缴费支出", code="2080505")]),
    case("vocab-project", "企业入规奖补资金花了多少", "value", [R(project="企业入规奖补资金")]),
    case("vocab-project-score", "智慧园区平台运维项目自评多少分", "value",
         [R(project="智慧园区平台运维", columns=["得分"])], "score", "分"),
    case("vocab-name-with-and", "社会保障和就业支出占比多少", "share", [R(row="社会保障和就业支出", code="208")],
         "percent", "%"),
    case("vocab-long-name", "其他政府办公厅（室）及相关机构事务支出财拨安排了多少", "value",
         [R(row="其他政府办公厅（室）及相关机构事务支出", columns=["财政拨款", "预算"])]),
    case("vocab-table-ledger", "收入表中的住房公积金是多少", "value", [R(row="住房公积金", table_kind="收入决算表")]),
]


@pytest.mark.parametrize("question, op, operands, unit_kind, unit, slots", WITH_VOCAB)
def test_document_names_resolve_rows(question, op, operands, unit_kind, unit, slots):
    check(only(question, VOCAB), op, operands, unit_kind, unit, slots)


def test_a_department_is_not_cut_by_a_document_name_inside_it():
    vocab = Vocabulary.from_names(rows=[("检察", "20404", "款")])
    query = only("省检察院招待费预算多少", vocab)
    assert query.department == "省检察院"
    assert [r.concept for r in query.operands] == ["公务接待费"]


def test_a_unit_row_of_the_document_is_no_department():
    vocab = Vocabulary.from_names(rows=[("某某州农业技术推广中心", "108003", None), ("行政运行", "2010301", "项")],
                                  department="某某州农业农村局（汇总）")
    query = only("某某州农技推广中心当年预算是多少", vocab)
    assert query.department is None
    assert [(r.row, r.code, r.columns) for r in query.operands] == [("某某州农业技术推广中心", "108003", ["预算"])]
    assert only("某某州农业农村局三公多少", vocab).department == "某某州农业农村局"


def test_parse_with_a_vocabulary_is_fast():
    rows = [(f"测试科目{i}号支出", f"2{i:06d}", "项") for i in range(400)]
    vocab = Vocabulary.from_names(rows=rows + list(VOCAB.names))
    questions = [p.values[0] for p in WITH_VOCAB + ALL[:60]]
    parse(questions[0], vocab)
    t0 = time.perf_counter()
    for q in questions:
        parse(q, vocab)
    assert (time.perf_counter() - t0) / len(questions) < 0.005


def test_a_row_name_the_document_lacks_is_leftover():
    query = only("彩票公益金的财政拨款收入是多少", VOCAB)
    assert query.leftover == [] or "彩票公益金" in "".join(query.leftover + [r.row or "" for r in query.operands])
    query = only("海洋渔业补贴是多少", VOCAB)
    assert query.leftover == ["海洋渔业补贴"]
    assert query.operands == [] or all(r.row is None for r in query.operands)


def test_vocabulary_from_document_collects_rows_projects_and_tables():
    from budgetqa.ingest.models import Document, Row, Table

    detail = Table(title="支出决算表", kind="支出决算表", unit="万元", columns=["合计"], pages=[1], number="公开03表",
                   rows=[Row(name="行政运行", cells={}, code="2150801", level="项")])
    perf = Table(title="项目支出绩效自评表（园区道路养护经费）", kind="项目支出绩效自评表", unit="万元",
                 columns=[], rows=[], pages=[2])
    doc = Document(file="x.txt", sha256="0" * 64, department="某局", year=2023, kind="决算", scope="部门",
                   pages=None, paragraphs=[], tables=[detail, perf])
    vocab = Vocabulary.from_document(doc)
    assert vocab.names["行政运行"].codes == ("2150801",)
    assert vocab.names["园区道路养护经费"].project
    assert ("支出决算表", "支出决算表", "公开03表") in vocab.tables
    assert (vocab.department, vocab.doc_kind, vocab.year) == ("某局", "决算", 2023)


# ------------------------------------------------------------------------------------------------
# Questions that must not parse to a figure, or must leave a leftover that blocks a ✓

FIGURE_OPS = {"value", "difference", "sum", "share", "rate", "growth", "max", "min", "top", "each", "count",
              "compare"}

BLOCKED = [
    pytest.param("你好", id="greeting"),
    pytest.param("谢谢", id="thanks"),
    pytest.param("你们单位的网站地址是多少", id="website"),
    pytest.param("局长是谁", id="who-is-the-head"),
    pytest.param("办公电话多少", id="phone"),
    pytest.param("今天天气怎么样", id="weather"),
    pytest.param("单位领导有几个人", id="leaders"),
    pytest.param("多少？", id="nothing-named"),
    pytest.param("What is the website of the bureau?", id="english-website"),
    pytest.param("Who is the director?", id="english-who"),
]


@pytest.mark.parametrize("question", BLOCKED)
def test_out_of_scope_questions_leave_a_leftover(question):
    for query in parse(question).queries:
        assert query.leftover or query.op not in FIGURE_OPS, query


NOT_FIGURES = [
    pytest.param("这份决算有没有前后不一致的数字", "audit", id="audit"),
    pytest.param("为什么三公经费减少了", "why", id="why"),
    pytest.param("机关运行经费包括哪些", "prose", id="what-it-includes"),
    pytest.param("项目支出主要用于什么", "prose", id="used-for"),
    pytest.param("部门主要职能是什么", "prose", id="duties"),
]


@pytest.mark.parametrize("question, op", NOT_FIGURES)
def test_statements_are_not_figure_ops(question, op):
    (query,) = parse(question).queries
    assert query.op == op and query.unit_kind == "text"


UNDERSTOOD_IN_PART = [
    pytest.param("公务接待费的网站是什么", "网站", id="website-of-an-item"),
    pytest.param("三公经费负责人是谁", "负责人", id="person-of-an-item"),
]


@pytest.mark.parametrize("question, word", UNDERSTOOD_IN_PART)
def test_an_unknown_word_beside_a_known_one_stays_leftover(question, word):
    (query,) = parse(question).queries
    assert word in query.leftover


def test_every_character_is_consumed_or_leftover():
    query = only("州工信局2023年三公经费决算数比预算数少多少万元？")
    text = "".join(query.consumed)
    for word in ("州工信局", "2023", "三公经费", "决算数", "预算数", "少多少", "万元"):
        assert word in text


def test_parse_is_fast():
    questions = [p.values[0] for p in ALL[:100]]
    parse(questions[0])  # jieba loads once
    t0 = time.perf_counter()
    for q in questions:
        parse(q)
    assert (time.perf_counter() - t0) / len(questions) < 0.005


@pytest.mark.parametrize("question", ["", "？？？", "   ", "比", "前三", "“”", "的的的", "三公经费" * 40, "a" * 300, "😀三公😀"],
                         ids=["empty", "marks", "blanks", "comparator", "top-k-only", "quotes", "fillers", "long",
                              "latin", "emoji"])
def test_odd_input_parses_without_error_and_claims_no_figure_it_cannot_name(question):
    plan = parse(question, previous=Query(question="三公经费是多少", op="value"))
    for query in plan.queries:
        assert query.op in FIGURE_OPS | {"prose", "why", "audit"}
