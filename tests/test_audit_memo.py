"""What several rules read off one table is read once per audit run, and never outlives the run: a
document edited after an audit is audited as it now is."""

from __future__ import annotations

import copy
from decimal import Decimal

from budgetqa.app.audit import memo, run
from tests.conftest import fixture_doc

D = Decimal

OMITTED = "d14-p32-33-omitted-subjects.pdf"  # 黑龙江 2.5 功能分类决算表: 204 公共安全支出 … 206


def _counted():
    calls: list[int] = []

    @memo.per_table
    def read(table) -> int:
        calls.append(id(table))
        return len(table.rows)

    return read, calls


def test_a_table_is_read_once_within_a_run():
    read, calls = _counted()
    table = fixture_doc(OMITTED).tables[0]
    with memo.scope():
        assert read(table) == read(table) == len(table.rows)
    assert len(calls) == 1


def test_each_table_is_read_on_its_own():
    read, calls = _counted()
    first = fixture_doc(OMITTED).tables[0]
    second = copy.deepcopy(first)  # the same printed table, another object: another table
    with memo.scope():
        read(first), read(second), read(first)
    assert calls == [id(first), id(second)]


def test_outside_a_run_a_table_is_read_as_it_is_now():
    read, _ = _counted()
    table = copy.deepcopy(fixture_doc(OMITTED).tables[0])
    before = read(table)
    table.rows.pop()
    assert read(table) == before - 1


def test_a_reaudit_sees_a_row_removed_after_the_first_audit():
    # 2050103 机关服务 (120) dropped after a first, clean audit: 20501 教育管理事务 138,855 is no longer
    # 行政运行 72,240 + 一般行政管理事务 19,580 + 其他 46,915 = 138,735 (a run that kept the rows it first
    # read would still count it)
    doc = copy.deepcopy(fixture_doc(OMITTED))

    def education(doc):
        return [f for f in run(doc).findings if f.check == "table.parent_sum" and f.a.row.startswith("205")]

    assert not education(doc)
    rows = doc.tables[0].rows
    rows.remove(next(r for r in rows if r.code == "2050103"))
    (f,) = education(doc)
    assert (f.a.row, f.a_value, f.b_value) == ("20501 教育管理事务", D("138855"), D("138735"))


def test_a_checks_places_read_after_the_run_are_the_cells_it_compared():
    # places are built when first read, not while the rules run: read afterwards they still name the cells
    (check,) = [c for c in run(fixture_doc(OMITTED)).checks if c.name == "20501=Σ下级"]
    where = {"document": OMITTED, "page": 1, "table": "2024年黑龙江省一般公共预算支出功能分类决算表（2.5）",
             "table_ref": "0", "row": "20501 教育管理事务", "column": "决算数"}
    assert check.left.to_dict() == where
    assert check.right.to_dict() == {**where, "derived": "下级 4 行之和"}
    assert (check.left_value, check.right_value, check.status) == (D("138855"), D("138855"), "ok")
