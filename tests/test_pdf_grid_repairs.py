"""Grids as Word and Excel exports draw them, mended back into the printed table: one mechanism per
test, on real pages cut out of `shared/corpus/pdf-more/` (see its README); figures are the printed ones.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from budgetqa.ingest.balance import code_identities, identities, total_row_identities
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


def _table(doc, word: str, side=None):
    return next(t for t in doc.tables if word in t.title and t.side == side)


def _row(table, name=None, code=None):
    return [r for r in table.rows if (code is None or r.code == code) and (name is None or r.name == name)]


def test_a_numbered_title_wrapped_over_two_lines_is_one_title(docs):
    # Jiangsu 2018: 「公开 09 表：一般公共预算“三公”经费、会议费、培训费」 over 「支出预算表」.
    sangong = _table(docs("d06-p19-sangong-wrapped.pdf"), "三公")
    assert (sangong.number, sangong.title) == ("公开09表", "一般公共预算“三公”经费、会议费、培训费支出预算表")
    assert sangong.kind == "三公经费支出预算表"


def test_a_title_wrapped_inside_its_bracket_is_one_title_and_starts_its_own_table(docs):
    # Xi'an 2021 表5: 「…支出明细表（按支出功能分类科」 over 「目-不含上年结转）」.
    (table,) = docs("d12-p24-wrapped-title.pdf").tables
    assert (table.number, table.title) == ("表5", "2021年部门综合预算一般公共预算支出明细表（按支出功能分类科目-不含上年结转）")
    assert _row(table, code="2013301")[0].cells["合计"] == Decimal("17651794.92")


def test_a_number_cut_in_two_by_the_ruling_is_one_cell(docs):
    # The page prints 267.80 as one word; the grid cuts it into 267.8 │ 0.
    sangong = _table(docs("d06-p19-sangong-wrapped.pdf"), "三公")
    (row,) = sangong.rows
    assert row.cells["公务用车运行维护费"] == Decimal("267.80")
    assert not any(c.startswith("列") for c in sangong.columns)


def test_a_label_wrapped_over_grid_rows_is_one_label(docs):
    # 单位预留机动经 │ 费, 公务接 │ 待费, 会议 │ 费: one printed cell each, split by the ruling.
    spending = _table(docs("d06-p15-captions-at-foot.pdf"), "支出预算总表")
    assert spending.rows[0].cells["单位预留机动经费"] == Decimal("2388.04")
    sangong = _table(docs("d06-p19-sangong-wrapped.pdf"), "三公")
    assert (sangong.rows[0].cells["公务接待费"], sangong.rows[0].cells["会议费"]) == (Decimal("116.50"), Decimal("200.44"))
    # 因公出国 │ （境）费: a bracketed tail is never a sub-label, whatever blank cells stand beside its head
    assert sangong.rows[0].cells["因公出国（境）费"] == Decimal("100.00")
    # 公务用车 │ 购置费 beside 公务用车 │ 运行维护 │ 费, whose label starts a row higher: two labels, not a group
    assert "公务用车购置费" in sangong.columns and sangong.rows[0].cells["公务用车运行维护费"] == Decimal("267.80")


def test_a_label_one_grid_column_off_its_figures_heads_them(docs):
    # 金额 stands over an empty grid column, the figures in the one beside it; 小计 likewise under “三公”经费.
    (function,) = [t for t in docs("d06-p15-captions-at-foot.pdf").tables if t.number == "公开05表"]
    assert function.columns == ["金额"]
    assert _row(function, code="204")[0].cells["金额"] == Decimal("16444.36")
    sangong = _table(docs("d06-p19-sangong-wrapped.pdf"), "三公")
    assert sangong.rows[0].cells["“三公”经费/小计"] == Decimal("484.30")
    assert sangong.rows[0].cells["合计"] == Decimal("1384.74")


def test_figures_one_grid_row_off_their_code_and_name_are_that_rows(docs):
    # 公开06表: 301 工资福利支出 on one grid row, its 10,204.52 on the next; 合计's figure above its label.
    basic = _table(docs("d06-p16-split-rows.pdf"), "基本支出")
    assert basic.columns == ["金额"]
    assert _row(basic, code="301")[0].cells == {"金额": Decimal("10204.52")}
    assert _row(basic, "合计")[0].cells == {"金额": Decimal("13979.92")}
    assert all(r.name or r.code for r in basic.rows)
    (wages,) = [i for i in identities(basic) if i.code == "301"]
    assert wages.holds and wages.n_parts == 9  # 301 = Σ 30101 … 30199


def test_label_text_running_into_the_figure_cell_goes_back_to_the_label(docs):
    # Excel prints long labels over their neighbour: the cell reads 「算0的.0项0目」 for 0.00.
    doc = docs("d11-p18-overflow-groups.pdf")
    income = _table(doc, "收支总表", "收入")
    assert _row(income, "其中：专项资金列入部门预算的项目")[0].cells == {"预算数": Decimal("0.00")}
    spending = _table(doc, "收支总表", "支出")
    assert _row(spending, "(5)资本性支出(基本建设)")
    assert not any(t for r in spending.rows for t in r.texts.values())


def test_name_and_figure_groups_side_by_side_on_one_side_are_rows_of_their_own(docs):
    # Xi'an 收支总表: 支出 in three groups (功能分类 │ 部门经济分类 │ 政府经济分类), each name beside its figure.
    spending = _table(docs("d11-p18-overflow-groups.pdf"), "收支总表", "支出")
    (project,) = _row(spending, "2、专项业务经费支出")
    assert project.cells == {"预算数#2": Decimal("17159700.00")}
    (weather,) = _row(spending, "19、自然资源海洋气象等支出")
    assert weather.cells == {"预算数": Decimal("18803323.32")}
    assert len(_row(spending, "一、部门预算")) == 3


def test_whole_yuan_figures_are_not_codes_and_a_counting_first_column_numbers_the_rows(docs):
    # Xi'an 三公 in 元 without decimals: 12240 is a figure under 2021年/合计, 1 2 3 4 are row numbers.
    (table,) = docs("d11-p30-yuan-sangong.pdf").tables
    assert [(r.code, r.name) for r in table.rows] == [
        (None, "合计"), ("234", "西安市气象局"), ("234001", "西安市气象局"), ("234002", "西安市人工影响天气服务保障中心"),
    ]
    assert table.rows[0].cells["2021年/合计"] == Decimal("12240")
    assert table.rows[0].cells["2021年/会议费"] == Decimal("2380")
    assert not any(v in (1, 2, 3, 4) and c.startswith("列") for r in table.rows for c, v in r.cells.items())


def test_two_economic_classifications_side_by_side_code_the_row_by_the_first(docs):
    # Yantai 公开表6: 部门经济分类 301 01 基本工资 beside 政府经济分类 505 01 工资福利支出; 30101 twice.
    (table,) = docs("d13-p17-two-classifications.pdf").tables
    rows = _row(table, code="30101")
    assert [(r.name, r.cells["基本支出预算/小计"]) for r in rows] == [("基本工资", Decimal("442.38")),
                                                                    ("基本工资", Decimal("128.46"))]
    assert [r.texts["政府预算支出经济分类科目名称"] for r in rows] == ["501 01 工资奖金津补贴", "505 01 工资福利支出"]


def test_a_ruled_header_over_a_body_of_vertical_rules_is_read_by_those_rules(docs):
    # Hunan debt 表4-1: only the header is boxed; the body has vertical rules and no frame.
    (table,) = docs("d15-p1-ruled-header.pdf").tables
    # each group label is centred over its own columns: 余额 heads D=E+F, and 专项债务 stays over C
    assert table.columns == [
        "2023年债务限额/A=B+C", "2023年债务限额/一般债务/B", "2023年债务限额/专项债务/C",
        "2023年债务余额（决算数）/D=E+F", "2023年债务余额（决算数）/一般债务/E", "2023年债务余额（决算数）/专项债务/F",
    ]
    (hunan,) = _row(table, "湖南省")
    assert hunan.cells["2023年债务限额/A=B+C"] == Decimal("18428.31")
    (changsha,) = _row(table, "长沙市")
    assert changsha.cells["2023年债务余额（决算数）/一般债务/E"] == Decimal("739.13")
    facts = [f for f in document_facts(docs("d15-p1-ruled-header.pdf")) if f.row_name == "长沙市"]
    assert len(facts) == 6 and all(f.bbox for f in facts)


def test_a_page_number_printed_on_the_title_line_is_not_part_of_the_title(docs):
    # Hunan 2023 debt: 「43 湖南省2023年地方政府债务限额及余额决算情况表」, with 「表4-1」 on the line above.
    (table,) = docs("d15-p1-ruled-header.pdf").tables
    assert (table.number, table.title) == ("表4-1", "湖南省2023年地方政府债务限额及余额决算情况表")


def test_a_running_header_does_not_stop_a_tables_last_row_on_the_next_page(docs):
    # Wuxi: 2210203 购房补贴 is alone on p13, under the header 「无锡市信访局2025年度部门预算公开」.
    (spending,) = [t for t in docs("d05-p12-13-running-header.pdf").tables if t.title == "支出总表"]
    assert _row(spending, code="2210203")[0].cells["基本支出"] == Decimal("130.02")
    (housing,) = [i for i in identities(spending) if i.code == "22102" and i.column == "基本支出"]
    assert housing.holds and housing.total == Decimal("361.22")


def test_the_column_numbering_row_repeated_on_a_continuation_page_is_no_row(docs):
    # Huzhou prints 「** ** 1 2 3 4 5」 under the header on every page of a table.
    (table,) = docs("d08-p24-25-numbering-row.pdf").tables
    assert table.pages == [1, 2]
    assert all(r.name or r.code for r in table.rows)
    assert all(i.holds for i in identities(table))


def test_a_subject_split_over_rows_and_a_block_per_classification_both_balance(docs):
    # Yantai: 301 工资福利支出 printed once under 501 and again under 505; each block adds up.
    (table,) = docs("d13-p17-two-classifications.pdf").tables
    wages = [i for i in code_identities(table) if i.code == "301" and i.column == "基本支出预算/小计"]
    assert [(i.total, i.holds) for i in wages] == [(Decimal("1812.81"), True), (Decimal("509.37"), True)]
    # 合计 counts the 类 rows of both blocks (the page holds 301 twice and 302 once; 303 is on p18)
    (total,) = [i for i in total_row_identities(table) if i.column == "基本支出预算/小计"]
    assert (total.n_parts, total.parts) == (3, Decimal("1812.81") + Decimal("509.37") + Decimal("205.72"))


def test_a_printed_formula_row_is_an_identity_the_table_must_keep(docs):
    # Hunan 表4-1 heads its columns A=B+C │ B │ C │ D=E+F │ E │ F; 长沙市's 余额 3,050.13 is
    # 739.13 + 2,310.99 = 3,050.12 printed with its 尾数 (0.01 off, within rounding).
    from budgetqa.ingest.balance import formula_identities

    (table,) = docs("d15-p1-ruled-header.pdf").tables
    found = list(formula_identities(table))
    assert len(found) == 2 * len(table.rows) and all(i.holds for i in found)
    (changsha,) = [i for i in found if i.code == "长沙市" and i.column.endswith("D=E+F")]
    assert (changsha.total, changsha.parts) == (Decimal("3050.13"), Decimal("3050.12"))


@pytest.mark.slow
def test_a_group_label_centred_over_its_columns_heads_each_of_them(docs):
    # The d03 表5 page as an image (OCR, no ruling in the text layer): 一般公共预算支出 is centred over
    # 小计 │ 其中：基本支出 │ 项目支出, so it heads all three, not only the middle one it stands in.
    (table,) = docs("d03-p10-scanned.pdf").tables
    assert table.columns == ["一般公共预算支出/小计", "一般公共预算支出/其中：基本支出", "一般公共预算支出/项目支出"]


def test_a_row_label_wrapped_over_grid_rows_is_one_row_with_its_figure(docs):
    # Jiangsu 2018 公开01表 (Word): 「1.一般公共预」, its 21,940.96 a grid row lower, then 「算」;
    # the 支出 side's rows on the same grid rows stay their own.
    income, spending = docs("d06-p13-14-wrapped-rows.pdf").tables[:2]
    assert [(r.name, r.cells["金额"]) for r in income.rows[:5]] == [
        ("一、财政拨款", Decimal("21940.96")), ("1.一般公共预算", Decimal("21940.96")), ("2.政府性基金预算", None),
        ("二、财政专户管理资金", None), ("三、其他资金", Decimal("14.39")),
    ]
    names = [r.name for r in spending.rows]
    assert {"九、医疗卫生与计划生育支出", "十四、资源勘探信息等支出", "三、单位预留机动经费"} <= set(names)
    assert not [n for n in names if len(n) <= 2]


def test_a_group_labelled_in_a_grid_column_of_its_own_heads_its_columns(docs):
    # 支出 │ 功能分类 (功能科目名称 │ 金额) │ 支出用途 (项目名称 │ 金额): each group's label stands one grid column
    # left of its names, Word's empty grid columns between.
    spending = docs("d06-p13-14-wrapped-rows.pdf").tables[1]
    assert spending.columns == ["功能分类/金额", "支出用途/金额"]
    assert _row(spending, "四、公共安全支出")[0].cells == {"功能分类/金额": Decimal("16458.75")}
    assert _row(spending, "一、基本支出")[0].cells == {"支出用途/金额": Decimal("13994.31")}


def test_a_sides_total_named_under_one_group_takes_its_figure_from_the_other(docs):
    # 当年支出小计 is written under 功能分类's names; its 21,955.35 under 支出用途's 金额.
    spending = docs("d06-p13-14-wrapped-rows.pdf").tables[1]
    assert _row(spending, "当年支出小计")[0].cells == {"支出用途/金额": Decimal("21955.35")}
    assert _row(spending, "支出合计")[0].cells == {"支出用途/金额": Decimal("21955.35")}
    function = [r.cells.get("功能分类/金额") for r in spending.rows if r.cells.get("功能分类/金额") is not None]
    assert sum(function) == Decimal("21955.35")
