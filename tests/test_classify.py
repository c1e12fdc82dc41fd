"""Standard table kinds are decided by title and header words, never by printed number."""

from __future__ import annotations

import pytest

from budgetqa.ingest.classify import STANDARD_KINDS, classify


@pytest.mark.parametrize(
    "title, doc_kind, kind",
    [
        ("收入支出决算总表", "决算", "收入支出决算总表"),
        ("二、收入决算表（公开02表）", "决算", "收入决算表"),
        ("# 支出决算表", "决算", "支出决算表"),
        ("财政拨款收入支出决算总表", "决算", "财政拨款收入支出决算总表"),
        ("一般公共预算财政拨款支出决算表", "决算", "一般公共预算财政拨款支出决算表"),
        ("一般公共预算财政拨款基本支出决算表", "决算", "一般公共预算财政拨款基本支出决算明细表"),
        ("政府性基金预算财政拨款收入支出决算表", "决算", "政府性基金预算财政拨款收入支出决算表"),
        ("国有资本经营预算财政拨款收入支出决算表", "决算", "国有资本经营预算财政拨款支出决算表"),
        ("财政拨款“三公”经费支出决算表", "决算", "三公经费支出决算表"),
        ("部门决算公开相关信息统计表", "决算", "相关信息统计表"),
        ("部门（单位）整体绩效自评表", "决算", "部门整体绩效自评表"),
        ("拆除城联社华丽港购物广场收益补偿项目支出绩", "决算", "项目支出绩效自评表"),
        ("表1 高等学校收支决算总表", "决算", "收入支出决算总表"),
        ("收支总表(预算表1)", "预算", "收支预算总表"),
        ("收入总表(预算表2)", "预算", "收入预算表"),
        ("支出总表（预算表3）", "预算", "支出预算表"),
        ("财政拨款收支总表(预算表4)", "预算", "财政拨款收支预算总表"),
        ("本年一般公共预算支出表（预算表5）", "预算", "一般公共预算支出预算表"),
        ("本年一般公共预算基本支出表(预算表6)", "预算", "一般公共预算基本支出预算表"),
        ("一般公共预算“三公”经费支出表", "预算", "三公经费支出预算表"),
        ("政府性基金预算支出表", "预算", "政府性基金预算支出预算表"),
        ("国有资本经营预算支出表", "预算", "国有资本经营预算支出预算表"),
        ("项目支出表(预算表9)", "预算", "项目支出预算表"),
        ("项目支出绩效目标表", "预算", "项目支出绩效目标表"),
        ("部门财务收支预算总表", None, "收支预算总表"),
        ("部门收入预算总表", None, "收入预算表"),
        ("一般公共预算支出功能分类预算表", None, "一般公共预算支出预算表"),
        ("一般公共预算基本支出部门预算经济分类预算表", None, "一般公共预算基本支出预算表"),
        ("“三公”经费和机关运行经费预算表", None, "三公经费支出预算表"),
        ("会议纪要", "决算", "other"),
    ],
)
def test_kind_from_title(title, doc_kind, kind):
    assert classify(title, "", doc_kind) == kind


def test_every_rule_lands_on_a_standard_kind():
    kinds = {k for ks in STANDARD_KINDS.values() for k in ks}
    assert len(kinds) == 23


def test_misprinted_income_title_over_a_spending_header_is_the_spending_table():
    header = "科目代码 科目名称 本年支出 合计 基本支出 项目支出 类 款 项 栏次"
    assert classify("一般公共预算财政拨款收入支出决算表", header, "决算") == "一般公共预算财政拨款支出决算表"


def test_titleless_performance_form_is_told_by_its_rows():
    header = "项目名称 主管部门及代码 绩效指标 一级指标 二级指标 三级指标 年初指标值 实际完成值 分值 得分"
    assert classify("2023年困难群众“爱心消费券”(县)发放资金项目", header, "决算") == "项目支出绩效自评表"


def test_number_alone_does_not_decide():
    assert classify("公开05表", "", "决算") == "other"
