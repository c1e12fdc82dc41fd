"""A row's clean label and whether it totals its table, computed once when the row is built."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgetqa.ingest.labels import clean_label, strip_numbering
from budgetqa.ingest.models import Row
from budgetqa.ingest.serialize import document_from_dict, document_to_dict
from budgetqa.ingest.text import read_text
from tests.conftest import FIXTURES


@pytest.mark.parametrize(("printed", "label"), [
    ("十四、资源勘探工业信息等支出（类）", "资源勘探工业信息等支出"),
    ("（一）基本支出", "基本支出"),
    ("1．人员经费", "人员经费"),
    ("其中：行政运行", "行政运行"),
    ("①公务接待费", "公务接待费"),
    ("<b>合 计</b>", "合计"),
    ("**总计**", "总计"),
    ("行政运行", "行政运行"),
])
def test_clean_label_drops_numbering_markup_blanks_and_level_marks(printed, label):
    assert clean_label(printed) == label


def test_strip_numbering_keeps_the_brackets_of_a_name():
    assert strip_numbering("（二）因公出国（境）费") == "因公出国（境）费"


@pytest.mark.parametrize(("name", "code", "total"), [
    ("合计", None, True),
    ("总 计", None, True),
    ("支出合计", None, True),
    ("年度资金总额", None, True),
    ("人员经费合计", None, False),  # a subtotal of one kind of spending, not the table's total
    ("小计", None, False),
    ("合计", "201", False),  # a coded row is a subject, whatever it is called
])
def test_row_is_total_when_named_as_the_tables_total_without_a_code(name, code, total):
    assert Row(name=name, cells={}, code=code).is_total is total


def test_a_row_renamed_after_it_was_built_is_labelled_by_its_new_name():
    row = Row(name="", cells={"合计": Decimal("3.5")})
    assert not row.is_total
    row.name = "合计"  # the general builder names a lone unnamed data row so
    assert (row.label, row.is_total) == ("合计", True)


def test_label_and_is_total_survive_the_store_round_trip():
    doc = read_text(FIXTURES / "yanbian-industry-2023-final.txt")
    again = document_from_dict(document_to_dict(doc))
    assert again == doc
    assert any(r.is_total for t in again.tables for r in t.rows)


def test_every_spending_table_of_a_real_document_has_one_total_row():
    doc = read_text(FIXTURES / "yanbian-industry-2023-final.txt")
    spending = [t for t in doc.tables if t.kind == "支出决算表"]
    assert spending and all(sum(r.is_total for r in t.rows) == 1 for t in spending)
    total = next(r for r in spending[0].rows if r.is_total)
    assert total.label == "合计" and total.cells  # the row the audit and the compare tab read
    assert isinstance(next(iter(total.cells.values())), (Decimal, type(None)))
