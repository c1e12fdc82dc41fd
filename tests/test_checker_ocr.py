"""The checker's OCR rule: a cell read by OCR backs a figure only with a second source.

The facts are the cells RapidOCR reads from `pdf-more/d03-p10-scanned.pdf` (珠海 表5 rendered to an
image, no text layer); the first test checks them against the same page's text layer
(`d03-p10-bracket-codes.pdf`), so the figures are real.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from budgetqa.app.checker import corroboration, verify
from budgetqa.app.models import Claim
from budgetqa.ingest.models import Fact

FIXTURES = Path(__file__).parent / "fixtures" / "pdf-more"
TITLE = "一般公共预算支出情况表（按功能分类科目）"
COLUMNS = ("小计", "其中：基本支出", "项目支出")
# row (code, name) → the three printed figures, as the image shows them
ROWS = {
    (None, "合计"): ("736.81", "0.00", "736.81"),
    ("212", "城乡社区支出"): ("736.81", "0.00", "736.81"),
    ("21201", "城乡社区管理事务"): ("736.81", "0.00", "736.81"),
    ("2120106", "工程建设管理"): ("736.81", "0.00", "736.81"),
}


def _facts() -> dict[str, Fact]:
    out = {}
    for ri, ((code, name), values) in enumerate(ROWS.items()):
        for ci, (column, value) in enumerate(zip(COLUMNS, values)):
            fid = f"scan-t0-r{ri}-c{ci}"
            out[fid] = Fact(doc_id="scan", table_index=0, table_kind="", table_title=TITLE, side=None, row_index=ri,
                            row_code=code, row_name=name, column=column, value=Decimal(value), unit="万元", page=1,
                            fact_id=fid, ocr=True)
    return out


FACTS = _facts()
PROJECT_2120106 = "scan-t0-r3-c2"


def _cite(fid: str) -> list[Claim]:
    return [Claim(value=Decimal(0), fact_ids=[fid])]


def test_the_ocr_cells_are_the_pages_printed_figures():
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(FIXTURES / "d03-p10-bracket-codes.pdf") as pdf:
        lines = pdf.pages[0].extract_text().splitlines()
    for (code, name), values in ROWS.items():
        assert f"{f'[{code}]' if code else ''}{name} {' '.join(values)}" in lines


def test_an_ocr_cell_alone_is_never_verified_and_the_answer_says_why():
    alone = {PROJECT_2120106: FACTS[PROJECT_2120106]}
    result = verify("工程建设管理的项目支出为736.81万元。", _cite(PROJECT_2120106), alone)
    (fig,) = result.figures
    assert result.status == "unverified" and not fig.verified
    assert "OCR" in fig.reason and "第二来源" in fig.reason


def test_an_ocr_cell_in_a_column_total_that_adds_up_is_verified():
    # 小计 736.81 = 其中：基本支出 0.00 + 项目支出 736.81 in the same printed row
    row = [f for f in FACTS.values() if f.row_index == 3]
    alone = {PROJECT_2120106: FACTS[PROJECT_2120106]}
    result = verify("工程建设管理的项目支出为736.81万元。", _cite(PROJECT_2120106), alone, witnesses=row)
    (fig,) = result.figures
    assert fig.verified
    assert "OCR 识别" in fig.source.text and "合计与各栏之和相符" in fig.source.text


def test_an_ocr_parent_code_whose_children_add_up_is_corroborated():
    column = [f for f in FACTS.values() if f.column == "项目支出" and f.row_code in ("212", "21201")]
    assert corroboration(column[0], column) == "合计与各项之和相符"  # 212 = Σ 21201


def test_a_misread_digit_breaks_the_sum_and_loses_the_second_source():
    misread = replace(FACTS[PROJECT_2120106], value=Decimal("786.81"))
    row = [f for f in FACTS.values() if f.row_index == 3 and f.fact_id != PROJECT_2120106]
    only_row = {f.fact_id: f for f in row} | {PROJECT_2120106: misread}
    assert corroboration(misread, only_row.values()) is None
    assert not verify("项目支出为786.81万元。", _cite(PROJECT_2120106), only_row).figures[0].verified


def test_the_same_figure_in_the_text_layer_is_a_second_source():
    alone = {PROJECT_2120106: FACTS[PROJECT_2120106]}
    printed = replace(FACTS["scan-t0-r0-c2"], ocr=False, table_index=5, fact_id="text-t5-r0-c2", page=3)
    result = verify("工程建设管理的项目支出为736.81万元。", _cite(PROJECT_2120106), alone, witnesses=[printed])
    assert result.figures[0].verified
    assert "文字层第3页印有同一数字" in result.figures[0].source.text


def test_a_derivation_over_an_ocr_cell_needs_its_second_source_too():
    alone = {PROJECT_2120106: FACTS[PROJECT_2120106], "scan-t0-r3-c0": FACTS["scan-t0-r3-c0"]}
    claim = [Claim(value=Decimal(0), fact_ids=["scan-t0-r3-c0", PROJECT_2120106], derivation="share")]
    assert not verify("项目支出占100%。", claim, alone).figures[0].verified  # 小计 = 项目支出 alone is no sum
    assert verify("项目支出占100%。", claim, alone, witnesses=FACTS.values()).figures[0].verified


@pytest.mark.slow
def test_an_answer_from_a_scanned_page_is_verified_by_the_totals_of_its_document(tmp_path):
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings

    svc = Service(get_settings(tmp_path / "home"), dense=False)
    doc = svc.ingest_one(FIXTURES / "d03-p10-scanned.pdf", background_dense=False).doc_id
    answer = svc.ask("工程建设管理的项目支出是多少", doc_ids=[doc])
    f = answer.figures[0]
    # OCR alone backs nothing; its parent 21201 and the 合计 printing the same 736.81 are the second source
    assert (f.value, f.verified, f.source.row) == (Decimal("736.81"), True, "2120106 工程建设管理")
    svc.close()
