"""Property tests: printed amounts round-trip, blanks are None, labels raise; header paths are complete."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetqa.ingest.numbers import parse_amount, try_amount
from budgetqa.ingest.tables import build_tables, flatten_header
from budgetqa.ingest.models import RawTable

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_amount_with_thousands_separators_round_trips(value):
    assert parse_amount(f"{value:,.2f}") == value


@given(amounts)
def test_amount_without_separators_round_trips(value):
    assert parse_amount(f"{value:.2f}") == value


@given(st.sampled_from(["", " ", "-", "--", "—", "——", "－", "/"]))
def test_blanks_and_dashes_are_none(text):
    assert parse_amount(text) is None


@given(st.text(alphabet="收入支出合计项目科目名称万元", min_size=1, max_size=8))
def test_labels_raise(text):
    with pytest.raises(ValueError):
        parse_amount(text)
    assert try_amount(text) is None


def test_markup_around_an_amount_is_ignored():
    assert parse_amount("<b>1,413.38</b>") == Decimal("1413.38")


labels = st.sampled_from(["合计", "基本支出", "项目支出", "人员经费", "公用经费", "预算数", "决算数", "小计", "本年支出"])


@st.composite
def headers(draw):
    width = draw(st.integers(min_value=1, max_value=8))
    depth = draw(st.integers(min_value=1, max_value=3))
    rows = [[draw(st.one_of(st.just(""), labels)) for _ in range(width)] for _ in range(depth)]
    rows[-1] = [draw(labels) for _ in range(width)]  # the last header row names every column
    return width, rows


@settings(max_examples=60, deadline=None)
@given(headers())
def test_flattened_paths_one_per_column_none_empty(data):
    width, rows = data
    paths = flatten_header(rows, width)
    assert len(paths) == width
    assert all(paths)
    assert all(len(set(p.split("/"))) == len(p.split("/")) for p in paths)  # no repeated segment


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["", "合计", "决算数", "金额"]), min_size=2, max_size=5), amounts)
def test_every_value_column_gets_a_path(header, value):
    width = len(header)
    rows = [["项目", *header], ["合计", *[f"{value:,.2f}"] * width]]
    (t,) = build_tables(RawTable(title="支出决算表", rows=rows, row_pages=[1, 1], raw_lines=["", ""]), 0)
    assert len(t.columns) == width and all(t.columns)
    assert len(set(t.columns)) == width


@pytest.mark.parametrize("cell, value", [
    ("21,118.5\n1", Decimal("21118.51")),  # the last decimal on a line of its own
    ("21,11\n8.51", Decimal("21118.51")),  # cut inside a thousands group
    ("21,118.\n51", Decimal("21118.51")),  # cut at the decimal point
])
def test_a_figure_wrapped_inside_a_narrow_cell_is_one_figure(cell, value):
    assert parse_amount(cell) == value


@pytest.mark.parametrize("cell", ["123\n456.00", "100.00\n200.00"])
def test_two_whole_figures_stacked_in_one_cell_are_not_joined(cell):
    assert try_amount(cell) is None


@settings(max_examples=80, deadline=None)
@given(amounts, st.sampled_from([1, 2, 3]))
def test_a_figure_wrapped_anywhere_in_its_decimals_reads_as_printed(value, cut):
    printed = f"{value:,.2f}"  # cut 1: 「…4.5」「6」; 2: 「…4.」「56」; 3: 「…4」「.56」
    assert parse_amount(f"{printed[:-cut]}\n{printed[-cut:]}") == Decimal(printed.replace(",", ""))
