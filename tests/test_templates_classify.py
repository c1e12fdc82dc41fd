"""Table kinds of other provinces' templates and of whole-government documents, by title and header."""

from __future__ import annotations

import pytest

from budgetqa.ingest.classify import GOVERNMENT_KINDS, classify


@pytest.mark.parametrize(
    "title, header, doc_kind, kind",
    [
        ("2026年部门收支总体情况表", "", "预算", "收支预算总表"),
        ("收支总体情况表", "", "预算", "收支预算总表"),
        ("2022年部门综合预算收支总表", "", "预算", "收支预算总表"),
        ("表十 一般公共预算机关运行经费支出预算表", "", "预算", "机关运行经费预算表"),
        ("2017年政府采购预算表", "", "预算", "政府采购预算表"),
        ("财政拨款政府购买服务明细表", "", "预算", "政府购买服务预算表"),
        ("收支总表", "项目 预算数 项目 预算数", None, "收支预算总表"),
        ("2024年黑龙江省财政收支决算总表", "", "决算", "财政收支决算表"),
        ("2024年黑龙江省一般公共预算收入决算表", "", "决算", "一般公共预算收入决算表"),
        ("2024年黑龙江省一般公共预算支出决算表", "", "决算", "一般公共预算支出决算表"),
        ("2024年黑龙江省政府性基金收入决算表", "", "决算", "政府性基金收支决算表"),
        ("2024年黑龙江省社会保险基金收入决算表", "", "决算", "社会保险基金收支决算表"),
        ("湖南省2023年地方政府债务限额及余额决算情况表", "", "决算", "政府债务决算表"),
        ("2024年黑龙江省共同财政事权转移支付分项目分地区情况表", "", "决算", "转移支付决算表"),
        ("功能分类决算表", "项目 预算数 调整预算数 决算数", "决算", "一般公共预算支出决算表"),
    ],
)
def test_template_titles_get_their_kind(title, header, doc_kind, kind):
    assert classify(title, header, doc_kind) == kind


def test_government_kinds_are_not_department_kinds():
    assert classify("2024年黑龙江省一般公共预算支出决算表", "", "决算") in GOVERNMENT_KINDS["决算"]
    assert classify("一般公共预算财政拨款支出决算表", "", "决算") == "一般公共预算财政拨款支出决算表"


def test_a_region_three_gong_table_stays_a_three_gong_table():
    assert classify("2024年黑龙江省本级“三公”经费情况表", "", "决算") == "三公经费支出决算表"
