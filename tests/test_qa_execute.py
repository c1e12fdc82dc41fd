"""The executor and the fit check, over plans built by hand (no parser involved) on real fixtures.

Each op computes one arithmetic over the cells of its roles; an answer is ✓ only when the figures
trace to those cells *and* the plan fits the question (no leftover word, the asked unit kind, no
ambiguous or weak reference).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from budgetqa.app.models import Claim, Figure
from budgetqa.app.qa import fit
from budgetqa.app.qa.execute import execute
from budgetqa.app.qa.pipeline import answer_part
from budgetqa.app.qa.query import Query, Ref
from budgetqa.ingest.pipeline import read_document
from budgetqa.ingest.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = {
    "yanbian": FIXTURES / "yanbian-industry-2023-final.txt",
    "govoffice": FIXTURES / "yanbian-govoffice-2023-budget.txt",
    "socialwork": FIXTURES / "pdf" / "putuo-socialwork-2024-final.pdf",
    "finance": FIXTURES / "pdf" / "putuo-finance-2024-final.pdf",
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("qa") / "facts.sqlite")
    docs = {}
    for name, path in DOCS.items():
        doc = read_document(path)
        store.add(doc)
        docs[name] = doc
    yield store, docs
    store.close()


def q(op: str, *refs: Ref, **kw) -> Query:
    return Query(question=kw.pop("question", op), op=op, operands=list(refs), **kw)


def part(stored, name: str, query: Query):
    store, docs = stored
    return answer_part(store, docs[name], query)


def first(p) -> Figure:
    return p.figures[0]


# ---------------------------------------------------------------- ops


def test_difference_of_one_items_two_measures_is_decision_minus_budget(stored):
    p = part(stored, "yanbian", q("difference", Ref(text="三公经费", concept="三公经费", columns=["决算", "预算"])))
    assert (first(p).value, first(p).verified, p.status) == (Decimal("4.32"), True, "verified")
    assert "少" in p.text


def test_difference_takes_the_same_items_other_measure_not_the_totals(stored):
    # 「公务接待费决算比预算…」: the 预算数 of 公务接待费, never the 合计 预算数 of the 三公 table
    done = execute(stored[1]["yanbian"], q("difference", Ref(text="公务接待费", concept="公务接待费",
                                                             columns=["决算", "预算"])))
    a, b = done.cells
    assert a.column.split("/")[-1] == b.column.split("/")[-1] or "公务接待" in b.column
    assert "合计" not in b.column


def test_share_of_a_spending_column_divides_by_its_rows_total(stored):
    p = part(stored, "socialwork", q("share", Ref(text="项目支出", concept="项目支出"), unit_kind="percent"))
    assert (first(p).value, first(p).unit, first(p).verified) == (Decimal("65.70"), "%", True)


def test_share_with_a_named_whole(stored):
    p = part(stored, "yanbian", q("share", Ref(text="基本支出", concept="基本支出"),
                                  Ref(text="本年支出合计", concept="本年支出合计"), unit_kind="percent"))
    assert (first(p).value, first(p).verified) == (Decimal("63.90"), True)


def test_largest_class_of_spending_is_read_from_the_spending_table(stored):
    p = part(stored, "yanbian", q("max", Ref(text="功能科目", concept="支出", level="类")))
    assert p.text.startswith("资源勘探工业信息等支出最多")
    assert (first(p).value, first(p).verified) == (Decimal("1987.35"), True)


def test_each_lists_every_item_in_order(stored):
    p = part(stored, "yanbian", q("each", Ref(text="人员经费", concept="人员经费"), Ref(text="公用经费", concept="公用经费")))
    assert [f.value for f in p.figures[:2]] == [Decimal("1313.37"), Decimal("103.28")]
    assert p.status == "verified"


def test_budget_document_three_public_expenses_budget(stored):
    p = part(stored, "govoffice", q("value", Ref(text="三公", concept="三公经费", columns=["预算"])))
    assert (first(p).value, first(p).verified) == (Decimal("19.94"), True)


def test_an_empty_measure_counts_as_zero_but_gets_no_tick(stored):
    # putuo-finance prints its 三公 决算 合计 empty: 0 − 0.95, said with ⚠, never ✓
    p = part(stored, "finance", q("difference", Ref(text="三公", concept="三公经费", columns=["决算", "预算"])))
    assert first(p).value == Decimal("0.95")
    assert not any(f.verified for f in p.figures)


def test_actuals_asked_of_a_budget_are_not_found(stored):
    p = part(stored, "govoffice", q("value", Ref(text="三公", concept="三公经费", columns=["决算"])))
    assert p.status == "not_found" and "预算" in p.not_found


def test_another_year_is_not_found(stored):
    p = part(stored, "yanbian", q("value", Ref(text="三公", concept="三公经费"), year=2022))
    assert p.status == "not_found" and "2023" in p.not_found


# ---------------------------------------------------------------- the fit check


def test_a_leftover_word_withholds_the_tick(stored):
    p = part(stored, "yanbian", q("value", Ref(text="三公经费", concept="三公经费"), leftover=["出差"]))
    assert first(p).value == Decimal("8.02")
    assert not first(p).verified and first(p).reason.startswith(fit.PREFIX)


def test_a_question_about_what_no_table_holds_is_not_found(stored):
    p = part(stored, "yanbian", q("value", Ref(text="三公经费", concept="三公经费"), leftover=["网站"]))
    assert p.status == "not_found" and "网站" in p.not_found and p.figures == []


def test_a_count_question_never_gets_a_money_tick(stored):
    p = part(stored, "yanbian", q("value", Ref(text="三公经费", concept="三公经费"), unit_kind="count"))
    assert not first(p).verified and "数量" in first(p).reason


def test_an_ambiguous_reference_shows_both_and_no_tick(stored):
    # 住房公积金 is a function subject (收入决算表) and an economic one (基本支出明细表), with two values
    p = part(stored, "yanbian", q("value", Ref(text="住房公积金", row="住房公积金", columns=["财政拨款"])))
    assert not first(p).verified
    assert "也可能指" in first(p).reason


DIFF = Query(question="", op="difference", operands=[Ref(concept="三公经费", columns=["决算", "预算"])])


def test_an_operand_that_names_nothing_withholds_the_tick():
    head = Claim(value=Decimal("8.02"), unit="万元", fact_ids=["a"])
    fig = Figure(text="8.02万元", value=Decimal("8.02"), unit="万元", verified=True, derivation="cell(a)")
    problems = fit.fit_problems(Query(question="", op="value", operands=[Ref(columns=["决算"])]), head, [fig], [])
    assert problems and "没有识别出来" in problems[0]


def test_fit_requires_the_first_figure_to_be_the_ops_result():
    head = Claim(value=Decimal("-4.32"), unit="万元", fact_ids=["a", "b"], derivation="difference")
    minuend = Figure(text="8.02万元", value=Decimal("8.02"), unit="万元", verified=True, derivation="cell(a)")
    problems = fit.fit_problems(DIFF, head, [minuend], [])
    assert problems and "不是所问之数" in problems[0]


def test_fit_accepts_the_recomputed_result_first():
    head = Claim(value=Decimal("-4.32"), unit="万元", fact_ids=["a", "b"], derivation="difference")
    diff = Figure(text="4.32万元", value=Decimal("4.32"), unit="万元", verified=True, derivation="difference(a, b)")
    assert fit.fit_problems(DIFF, head, [diff], []) == []


def test_a_share_answered_in_money_does_not_fit():
    head = Claim(value=Decimal("202.24"), unit="万元", fact_ids=["a"])
    fig = Figure(text="202.24万元", value=Decimal("202.24"), unit="万元", verified=True, derivation="cell(a)")
    problems = fit.fit_problems(Query(question="", op="share", unit_kind="percent", operands=[Ref(concept="项目支出")]),
                                head, [fig], [])
    assert any("百分比" in p for p in problems)


def test_a_whole_and_its_part_are_told_apart_across_tables():
    from budgetqa.app.qa.execute import _whole_and_part
    from budgetqa.app.qa.match import Cell
    from budgetqa.ingest.models import Row, Table

    # 重庆 表五 prints 基本支出/小计; 表六 prints 基本支出/人员经费 (figures of the 2026 budget)
    t5 = Table("2026年一般公共预算支出情况表", "一般公共预算支出预算表", "万元", ["2026年预算数/基本支出/小计"],
               [Row("合计", {"2026年预算数/基本支出/小计": Decimal("9018.47")})], [15], index=5)
    t6 = Table("2026年一般公共预算基本支出情况表", "一般公共预算基本支出预算表", "万元", ["基本支出/人员经费"],
               [Row("合计", {"基本支出/人员经费": Decimal("7180.92")})], [17], index=6)
    whole, part = Cell(t5, 0, t5.columns[0], 0, (0, 0, 0)), Cell(t6, 0, t6.columns[0], 0, (0, 0, 0))
    assert _whole_and_part([whole, part]) == (whole, part)
    other = Table("x", "支出预算表", "万元", ["项目支出"], [Row("合计", {"项目支出": Decimal("9399.23")})], [9], index=2)
    assert _whole_and_part([whole, Cell(other, 0, "项目支出", 0, (0, 0, 0))]) is None
