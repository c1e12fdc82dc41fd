"""Subject codes in every printed form normalise to the full code with its level."""

from __future__ import annotations

import pytest

from budgetqa.ingest.tables.codes import CodeCompleter, code_digits, level_of, split_joined


@pytest.mark.parametrize(
    "text, code, name",
    [
        ("[2120106]工程建设管理", "2120106", "工程建设管理"),
        ("[212]城乡社区支出", "212", "城乡社区支出"),
        ("2010801-行政运行", "2010801", "行政运行"),
        ("50101-工资奖金津补贴", "50101", "工资奖金津补贴"),
        ("30101 基本工资", "30101", "基本工资"),
        ("【301】工资福利支出", "301", "工资福利支出"),
    ],
)
def test_a_code_joined_to_its_name_is_split_off(text, code, name):
    assert split_joined(text) == (code, name)


@pytest.mark.parametrize("text", ["300万元以上", "2024年预算", "1.一般公共预算", "一、基本支出", "100%"])
def test_leading_digits_that_are_no_code_stay_in_the_name(text):
    assert split_joined(text) == (None, text)


@pytest.mark.parametrize("text, digits", [("2010801", "2010801"), ("08", "08"), ("205 03 99", "2050399"), ("行政运行", None)])
def test_code_cells_give_their_digits(text, digits):
    assert code_digits(text) == digits


def test_short_parts_in_kuan_and_xiang_columns_join_their_parent():
    c = CodeCompleter()
    assert [c.complete(p) for p in ([(0, "201")], [(1, "08")], [(2, "01")], [(2, "04")], [(0, "208")], [(1, "05")], [(2, "05")])] == [
        "201", "20108", "2010801", "2010804", "208", "20805", "2080505",
    ]


def test_short_parts_in_one_code_column_follow_the_last_parent():
    c = CodeCompleter()
    assert [c.complete([(None, d)]) for d in ("201", "08", "04", "50", "208", "05", "01")] == [
        "201", "20108", "2010804", "2010850", "208", "20805", "2080501",
    ]


def test_parts_on_one_row_are_joined_in_column_order():
    assert CodeCompleter().complete([(0, "205"), (1, "03"), (2, "99")]) == "2050399"


@pytest.mark.parametrize("code, level", [("201", "类"), ("20103", "款"), ("2010301", "项"), ("113002", None), (None, None)])
def test_level_follows_the_code_length(code, level):
    assert level_of(code) == level
