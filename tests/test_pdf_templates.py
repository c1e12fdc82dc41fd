"""Other provinces' templates, one mechanism each, on real pages cut out of their PDFs.

The pages come from `shared/corpus/pdf-more/` (cut with pypdf to keep the fixtures small); the
expected figures are the printed ones.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from budgetqa.ingest.balance import identities
from budgetqa.ingest.facts import document_facts
from budgetqa.ingest.pdf import read_pdf

MORE = Path(__file__).parent / "fixtures" / "pdf-more"


@pytest.fixture(scope="module")
def docs():
    cache: dict = {}

    def read(name: str):
        if name not in cache:
            cache[name] = read_pdf(MORE / name)
        return cache[name]

    return read


def _row(table, name=None, code=None):
    return next(r for r in table.rows if (code is None or r.code == code) and (name is None or r.name == name))


def test_caption_drawn_inside_the_frame_is_title_number_and_unit(docs):
    # Jiangsu 2017: 「收支预算总表\n部门：江苏省政协办公厅 单位：万元」 is the grid's first cell, 「表一」 above it.
    doc = docs("d07-p1-caption-in-frame.pdf")
    income, spending = doc.tables
    assert (income.title, income.number, income.unit, income.kind) == ("收支预算总表/收入", "表一", "万元", "收支预算总表")
    assert _row(income, "一、财政拨款").cells == {"金额": Decimal("9066.79")}
    assert _row(spending, "三、单位预留机动经费").cells["支出用途/金额"] == Decimal("106.84")


def test_number_title_and_department_rows_inside_the_grid_leave_the_header(docs):
    # Wuxi: 公开02表 / 收入总表 / 部门：无锡市信访局 单位：万元 are three rows of the ruled grid.
    (table,) = docs("d05-p11-caption-rows.pdf").tables
    assert (table.number, table.title, table.unit, table.kind) == ("公开02表", "收入总表", "万元", "收入预算表")
    assert table.columns[:3] == ["合计", "本年收入/小计", "本年收入/一般公共预算"]
    assert _row(table, code="113002").cells["合计"] == Decimal("563.15")


def test_caption_at_a_grids_foot_belongs_to_the_next_table(docs):
    # Jiangsu 2018 (Word): 「公开 04 表：财政拨款收支预算总表」 is drawn inside 公开03表's frame.
    doc = docs("d06-p15-captions-at-foot.pdf")
    assert [(t.number, t.title) for t in doc.tables] == [
        ("公开03表", "支出预算总表"),
        ("公开04表", "财政拨款收支预算总表/收入"),
        ("公开04表", "财政拨款收支预算总表/支出"),
        ("公开05表", "财政拨款支出预算表"),
    ]
    assert _row(doc.tables[2], "一、基本支出").cells == {"金额": Decimal("13979.92")}


def test_six_decimal_amounts_are_kept_exactly(docs):
    # Beijing prints 万元 to the yuan: 32,365.090089.
    income = docs("d01-p1-six-decimals.pdf").tables[0]
    assert income.number == "预算01表" and income.unit == "万元"
    assert _row(income, "一、一般公共预算拨款收入").cells["预算数"] == Decimal("32365.090089")
    assert _row(income, "上年结转结余").cells["预算数"] == Decimal("471.963743")


def test_bracketed_codes_are_split_from_their_names(docs):
    # Zhuhai: [212]城乡社区支出 / [21201]城乡社区管理事务 / [2120106]工程建设管理
    (table,) = docs("d03-p10-bracket-codes.pdf").tables
    assert [(r.code, r.level, r.name) for r in table.rows[1:]] == [
        ("212", "类", "城乡社区支出"), ("21201", "款", "城乡社区管理事务"), ("2120106", "项", "工程建设管理"),
    ]
    assert _row(table, code="2120106").cells["一般公共预算支出/小计"] == Decimal("736.81")


def test_short_codes_in_split_columns_are_completed_under_their_parent(docs):
    # Yantai: 201 │ │ ; │ 08 │ ; │ │ 04 in 类 / 款 / 项 columns.
    (table,) = docs("d13-p9-split-codes.pdf").tables
    assert [r.code for r in table.rows[1:7]] == ["201", "20108", "2010801", "2010804", "2010850", "2010899"]
    assert _row(table, code="2010804").name == "审计业务"
    assert _row(table, code="2010804").cells["合计"] == Decimal("592.50")
    assert _row(table, code="2080505").cells["合计"] == Decimal("221.01")


def test_completed_codes_make_the_parents_add_up(docs):
    (table,) = docs("d13-p9-split-codes.pdf").tables
    held = [i for i in identities(table) if i.code in ("201", "20108", "208", "20805")]
    assert held and all(i.holds for i in held)


def test_same_title_over_the_same_header_continues_the_table(docs):
    # Changsha prints the 基本支出 table over two pages with its title and header again, no （续）.
    (table,) = docs("d09-p18-19-continued.pdf").tables
    assert table.pages == [1, 2]
    assert _row(table, code="301").cells["总计"] == Decimal("330.93")
    assert _row(table, code="30227").cells["总计"] == Decimal("6.98")


def test_whole_government_tables_are_a_kind_of_their_own(docs):
    (table,) = docs("d14-p25-government.pdf").tables
    assert (table.number, table.kind, table.unit) == ("2.3", "一般公共预算收入决算表", "万元")
    assert _row(table, "一、税收收入").cells["决算数"] == Decimal("8718311")
    assert _row(table, "耕地占用税").cells["完成调整预算数的%"] == Decimal("158.7")


def test_every_figure_keeps_its_box_on_the_page(docs):
    path = MORE / "d13-p9-split-codes.pdf"
    fact = next(f for f in document_facts(docs(path.name)) if f.row_code == "2010804" and f.column == "合计")
    assert fact.page == 1 and fact.bbox is not None
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[0].crop(fact.bbox).extract_text().strip() == "592.50"
    assert fact.citation()["bbox"] == list(fact.bbox)


@pytest.mark.slow
def test_an_image_only_page_is_read_by_ocr_and_its_figures_marked(docs):
    # The d03 page rendered to a 144 dpi grey image, no text layer: RapidOCR reads it, and the
    # columns come from the rules drawn in the image.
    doc = docs("d03-p10-scanned.pdf")
    (table,) = doc.tables
    assert doc.ocr_pages == [1]
    assert (table.number, table.unit) == ("表5", "万元")
    assert [(r.code, r.name) for r in table.rows] == [
        (None, "合计"), ("212", "城乡社区支出"), ("21201", "城乡社区管理事务"), ("2120106", "工程建设管理"),
    ]
    row = _row(table, code="2120106")
    assert [v for v in row.cells.values()] == [Decimal("736.81"), Decimal("0.00"), Decimal("736.81")]
    facts = [f for f in document_facts(doc) if f.row_code == "2120106"]
    assert facts and all(f.ocr and f.bbox for f in facts)


def test_one_printed_row_under_year_groups_is_a_row_per_year(docs):
    # Chongqing 三公: 2025年预算数 │ 2026年预算数 groups over a single unnamed row.
    (table,) = docs("d02-p20-sangong-years.pdf").tables
    assert [r.name for r in table.rows] == ["2025年预算数", "2026年预算数"]
    assert table.columns[0] == "合计"
    assert _row(table, "2026年预算数").cells["合计"] == Decimal("394.49")
    assert _row(table, "2025年预算数").cells["因公出国（境）费"] == Decimal("184.49")


def test_one_printed_row_without_a_name_is_the_tables_total(docs):
    (table,) = docs("d05-p21-sangong-one-row.pdf").tables
    assert [r.name for r in table.rows] == ["合计"]
    assert table.rows[0].cells["培训费"] == Decimal("16.20")
    assert table.rows[0].cells["“三公”经费合计"] == Decimal("1.50")


def _line(*texts: str):
    from budgetqa.ingest.pdf_layout import Line

    words = [{"text": t, "x0": 60.0 * i, "x1": 60.0 * i + 50, "top": 40.0, "bottom": 52.0} for i, t in enumerate(texts)]
    return Line(words, 1).finish()


def test_a_page_heading_whose_only_figure_is_a_year_is_no_table_row():
    from budgetqa.ingest.pdf_layout import is_data_line

    assert not is_data_line(_line("中共上海市普陀区委社会工作部", "2024", "年度部门决算"))
    assert is_data_line(_line("一、一般公共服务支出", "2,024.00"))


def test_a_regions_two_sided_statement_is_read_as_its_two_sides(docs):
    # 黑龙江 2.2 一般公共预算收支总表 heads both sides 「预算科目 │ 决算数 │ 预算科目 │ 决算数」: the 支出 side keeps
    # its own names (上解上级支出 349,676) instead of hanging its figures on the 收入 side's rows
    income, spending = docs("d14-p23-24-two-sides.pdf").tables
    assert (income.side, spending.side) == ("收入", "支出")
    assert income.kind == spending.kind == "一般公共预算收支决算表"
    assert _row(income, "一般公共预算收入").cells == {"决算数": Decimal("14523421")}
    assert _row(spending, "一般公共预算支出").cells == {"决算数": Decimal("64545393")}
    assert _row(spending, "上解上级支出").cells["决算数"] == Decimal("349676")
    assert _row(income, "收入总计").cells["决算数"] == _row(spending, "支出总计").cells["决算数"] == Decimal("89477148")


def test_a_name_run_into_its_figures_cell_is_given_back(docs):
    # 「巩固脱贫攻坚成果衔接乡村振兴转移支付收 │ 入302788」: the name's last character printed in the figure's cell
    income = docs("d14-p23-24-two-sides.pdf").tables[0]
    assert _row(income, "巩固脱贫攻坚成果衔接乡村振兴转移支付收入").cells["决算数"] == Decimal("302788")
