"""Document metadata read from covers and table headers, for all ten corpus documents."""

from __future__ import annotations

import pytest

from budgetqa.ingest.classify import classify
from budgetqa.ingest.meta import detect_meta
from budgetqa.ingest.pipeline import read_document
from tests.conftest import FIXTURES, PDFS


@pytest.mark.parametrize("path, expected", [
    (FIXTURES / "chaoyang-industry-2023-final.txt", ("辽宁省朝阳市工业和信息化局", 2023, "决算", "部门")),
    (FIXTURES / "xiangyuan-industry-2023-final.txt", ("襄垣县工业和信息化局", 2023, "决算", "部门")),
    (FIXTURES / "yanbian-govoffice-2023-budget.txt", ("延边朝鲜族自治州人民政府办公室（汇总）", 2023, "预算", "部门")),
    (FIXTURES / "yanbian-govservice-2023-final.txt", ("延边朝鲜族自治州政务服务和数字化建设管理局（汇总）", 2023, "决算", "部门")),
    (FIXTURES / "yanbian-industry-2023-final.txt", ("延边朝鲜族自治州工业和信息化局（汇总）", 2023, "决算", "部门")),
    (PDFS / "putuo-finance-2024-final.pdf", ("上海市普陀区财政局", 2024, "决算", "部门")),
    (PDFS / "putuo-socialwork-2024-final.pdf", ("中共上海市普陀区委社会工作部", 2024, "决算", "部门")),
    (PDFS / "putuo-wanli-2025-budget.pdf", ("上海市普陀区人民政府万里街道办事处", 2025, "预算", "部门")),
    (PDFS / "shanghai-finance-2025-unit-budget.pdf", ("上海市财政局", 2025, "预算", "单位")),
    (PDFS / "swu-university-2023-final.pdf", ("西南大学", 2023, "决算", "部门")),
    # 「湖州市退役军人事务局 2026 年 / 部门预算」: a cover year without 度
    (FIXTURES / "pdf-more" / "d08-p28-sangong-total-column.pdf", ("湖州市退役军人事务局", 2026, "预算", "部门")),
    # 「第三部分 2018 年度部门预算情况说明」 opens the cut: a part heading, no department
    (FIXTURES / "pdf-more" / "d06-p23-26-item-percentages.pdf", (None, 2018, "预算", "部门")),
])
def test_department_year_kind_scope(path, expected):
    doc = read_document(path)
    assert (doc.department, doc.year, doc.kind, doc.scope) == expected


def test_cover_title_wrapped_over_lines_gives_the_whole_department():
    meta = detect_meta(["中共上海市普陀区委", "社会工作部 2024 年度", "部门决算", "部门：中共上海市普陀区委"], "x.pdf")
    assert meta.department == "中共上海市普陀区委社会工作部"


def test_university_appropriation_spending_table_is_not_the_all_funds_table():
    assert classify("表 4：高等学校财政拨款支出决算表", doc_kind="决算") == "财政拨款支出决算表"
    assert classify("表 3：高等学校支出决算表", doc_kind="决算") == "支出决算表"
