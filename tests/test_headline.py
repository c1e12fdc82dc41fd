"""Headline figures: which printed cell gives each figure, converted to 万元, NULL when not printed.

The figures of all ten corpus documents are checked end to end in tests/test_bulk.py (through the
dataset); here the resolution rules, on small tables shaped like the real layouts and on one text
fixture where two tables disagree.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from budgetqa.app.measures import FIGURES, RULES, headline, norm, summary_row
from budgetqa.ingest.models import Document, Row, Table

FIXTURES = Path(__file__).parent / "fixtures"


def _doc(*tables: Table, kind: str = "决算") -> Document:
    for i, t in enumerate(tables):
        t.index = i
    return Document(file="x", sha256="0" * 64, department="d", year=2025, kind=kind, scope="部门", pages=1,
                    paragraphs=[], tables=list(tables))


def _row(name: str, page: int = 3, texts: dict | None = None, **cells: str | None) -> Row:
    return Row(name=name, cells={k: (Decimal(v) if v is not None else None) for k, v in cells.items()}, page=page,
               texts=texts or {})


def _spending(unit: str) -> Table:
    return Table(title="2025年部门支出预算总表", kind="支出预算表", unit=unit, columns=["合计", "基本支出", "项目支出"],
                 rows=[_row("合计", 合计="189767551", 基本支出="101341746", 项目支出="88425805")], pages=[18])


def test_yuan_table_is_converted_to_wan_yuan_exactly():
    h = headline(_doc(_spending("元"), kind="预算"))
    assert h["项目支出"].value == Decimal("8842.5805")
    assert h["本年支出合计"].value == Decimal("18976.7551")
    assert "元 ÷ 10000" in h["项目支出"].source


def test_wan_yuan_table_is_taken_as_printed():
    assert headline(_doc(_spending("万元"), kind="预算"))["基本支出"].value == Decimal("101341746")


def test_source_names_table_row_column_and_page():
    source = headline(_doc(_spending("元"), kind="预算"))["基本支出"].source
    assert source.startswith("2025年部门支出预算总表 [支出预算表] · 合计 · 基本支出 · p3")


def test_printed_empty_cell_is_zero_but_figure_not_printed_is_none():
    overview = Table(title="收入支出决算总表/收入", kind="收入支出决算总表", unit="万元", columns=["决算数"], side="收入",
                     rows=[_row("五、事业收入", 决算数=None), _row("总计", 决算数="307.82")], pages=[5])
    h = headline(_doc(overview))
    assert h["事业收入"].value == 0 and "printed empty" in h["事业收入"].source
    assert h["收入总计"].value == Decimal("307.82")
    assert h["其他收入"] is None  # no such row: the document does not give it
    assert summary_row(_doc(overview))["其他收入"] is None


def test_three_public_wide_layout_reads_header_segments_in_either_order():
    columns = ["财政拨款“三公”经费/合计/预算数", "财政拨款“三公”经费/合计/决算数",
               "财政拨款“三公”经费/公务接待费/预算数", "财政拨款“三公”经费/公务接待费/决算数"]
    wide = Table(title="财政拨款“三公”经费支出决算表", kind="三公经费支出决算表", unit="万元", columns=columns,
                 rows=[Row(name="", cells={columns[0]: Decimal("0.95"), columns[2]: Decimal("0.95")}, page=18)],
                 pages=[18])
    h = headline(_doc(wide))
    assert h["三公经费_预算数"].value == Decimal("0.95")
    assert h["公务接待费_预算数"].value == Decimal("0.95")
    assert h["三公经费_决算数"].value == 0  # printed empty in the data row
    assert h["因公出国(境)费_预算数"] is None  # no such column


def test_three_public_long_layout_reads_rows_and_does_not_take_the_car_subtotal_for_purchases():
    long_ = Table(title="财政拨款“三公”经费支出决算表", kind="三公经费支出决算表", unit="万元", columns=["预算数", "决算数"],
                  rows=[_row("合计", 预算数="9.06", 决算数="10.59"),
                        _row("3、公务用车购置及运行费", 预算数="9.06", 决算数="10.59"),
                        _row("其中：（1）公务用车运行维护费", 预算数="9.06", 决算数="10.59"),
                        _row("（2）公务用车购置费", 预算数=None, 决算数=None)], pages=[9])
    h = headline(_doc(long_))
    assert h["三公经费_决算数"].value == Decimal("10.59")
    assert h["公务用车运行维护费_决算数"].value == Decimal("10.59")
    assert h["公务用车购置费_决算数"].value == 0


def test_income_side_label_of_a_two_sided_table_read_as_one():
    # Shanghai prints income and spending side by side; read as one table, the income labels are texts.
    t = Table(title="2025年部门财务收支预算总表", kind="收支预算总表", unit="元", columns=["本年收入/预算数", "本年支出/预算数"],
              rows=[_row("一、一般公共服务支出", texts={"本年收入/项目": "一、财政拨款收入"},
                         **{"本年收入/预算数": "189767551", "本年支出/预算数": "3296600"}),
                    _row("支出总计", texts={"本年收入/项目": "收入总计"},
                         **{"本年收入/预算数": "189767551", "本年支出/预算数": "189767551"})], pages=[9])
    h = headline(_doc(t, kind="预算"))
    assert h["财政拨款收入"].value == Decimal("18976.7551")
    assert h["收入总计"].value == Decimal("18976.7551")


def test_section_heading_row_is_not_a_printed_figure():
    stats = Table(title="部门决算公开相关信息统计表", kind="相关信息统计表", unit="万元", columns=["统计数"],
                  rows=[_row("二、机关运行经费", 统计数=None), _row("(一)行政单位", 统计数="48.62")], pages=[20])
    assert headline(_doc(stats))["机关运行经费"] is None


def test_norm_drops_numbering_blanks_and_qizhong():
    assert norm("其中：（1）公务用车运行维护费") == "公务用车运行维护费"
    assert norm("一、 一般公共预算财政拨款收入") == "一般公共预算财政拨款收入"


def test_every_figure_has_rules():
    assert FIGURES == list(RULES) and all(RULES[f] for f in FIGURES)


def test_personnel_cost_comes_from_the_basic_spending_table_when_two_tables_disagree():
    # yanbian-govoffice prints 人员经费 1,263.21 in 预算表5 but 1,266.96 in 预算表6 (the 基本支出 table).
    from budgetqa.ingest.pipeline import read_document

    doc = read_document(FIXTURES / "yanbian-govoffice-2023-budget.txt")
    h = headline(doc)
    assert h["人员经费"].value == Decimal("1266.96")
    assert "预算表6" in h["人员经费"].source
