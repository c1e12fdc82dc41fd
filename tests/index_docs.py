"""Small Documents copied by hand from tests/fixtures/yanbian-industry-2023-final.txt, for index tests
that must not depend on the readers: 支出决算表 (公开03表), 一般公共预算财政拨款支出决算表 (公开05表)
and two sections of 情况说明."""

from __future__ import annotations

from decimal import Decimal

from budgetqa.ingest.models import Document, Paragraph, Row, Table

DEPARTMENT = "延边州工业和信息化局"

# (code, name, values by column); None = empty cell
SPENDING_COLUMNS = ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]
SPENDING_ROWS = [
    (None, "合计", ["2,222.76", "1,420.25", "802.51"]),
    ("208", "社会保障和就业支出", ["101.65", "101.65", None]),
    ("20805", "行政事业单位养老支出", ["101.65", "101.65", None]),
    ("2080505", "机关事业单位基本养老保险缴费支出", ["101.65", "101.65", None]),
    ("210", "卫生健康支出", ["57.49", "57.49", None]),
    ("215", "资源勘探工业信息等支出", ["1,987.35", "1,184.83", "802.51"]),
    ("21505", "工业和信息产业监管", ["1,987.35", "1,184.83", "802.51"]),
    ("2150501", "行政运行", ["1,114.87", "1,114.87", None]),
    ("2150508", "无线电及信息通信监管", ["163.08", "69.97", "93.12"]),
    ("2150599", "其他工业和信息产业监管支出", ["709.40", None, "709.40"]),
]
GENERAL_COLUMNS = ["本年支出/合计", "本年支出/基本支出", "本年支出/项目支出"]
GENERAL_ROWS = [
    (None, "合计", ["2,212.66", "1,416.65", "796.01"]),
    ("215", "资源勘探工业信息等支出", ["1,977.24", "1,181.23", "796.01"]),
    ("2150501", "行政运行", ["1,111.27", "1,111.27", None]),
    ("2150508", "无线电及信息通信监管", ["160.58", "69.97", "90.61"]),
]

PROSE = [
    (
        ["第三部分 2023 年度部门决算情况说明", "三、支出决算情况说明"],
        45,
        "本年支出合计 2222.76 万元，其中：基本支出 1420.25万元，比上年增加 48.00 万元，增长 3.50%，"
        "主要是本年度事业编制发放绩效奖金；项目支出 802.51 万元，比上年增加 113.73 万元，增长 16.51%，"
        "主要是项目数量及资金规模较上年有所增加；上缴上级支出 0.00 万元，比上年增加 0.00 万元，增长 0%，"
        "主要是本单位不涉及此项；经营支出 0.00 万元，比上年增加 0.00 万元，增长 0%，主要是本单位不涉及此项；"
        "对附属单位补助支出 0.00 万元，比上年增加 0.00 万元，增长 0%，主要是本单位不涉及此项。",
    ),
    (
        ["第三部分 2023 年度部门决算情况说明", "五、一般公共预算财政拨款支出决算情况说明", "（三）一般公共预算财政拨款支出决算具体情况"],
        47,
        "6. 资源勘探工业信息等支出(类)工业和信息产业监管(款)行政运行(项)年初预算为 792.38 万元，"
        "支出决算为 1,099.61 万元，完成年初预算的 138.8%。决算数大于预算数的主要原因是年内追加了人员经费。",
    ),
    (
        ["第三部分 2023 年度部门决算情况说明", "九、财政拨款“三公”经费支出决算情况说明"],
        49,
        "2023 年度“三公”经费支出决算中，公务接待费支出决算为零。主要原因是厉行节约。",
    ),
]


def _table(index: int, title: str, number: str, kind: str, columns: list[str], rows, page: int) -> Table:
    built = []
    for code, name, values in rows:
        values = values + [None] * (len(columns) - len(values))
        cells = {c: (Decimal(v.replace(",", "")) if v else None) for c, v in zip(columns, values, strict=True)}
        level = {3: "类", 5: "款", 7: "项"}.get(len(code)) if code else None
        built.append(Row(name=name, cells=cells, code=code, level=level, page=page))
    return Table(title=title, kind=kind, unit="万元", columns=columns, rows=built, pages=[page], number=number,
                 norm_title=title, index=index)


def yanbian_industry(sha: str = "a1" * 32, department: str = DEPARTMENT) -> Document:
    """延边州工业和信息化局 2023 决算, two tables and three prose paragraphs."""
    return Document(
        file="yanbian-industry-2023-final.txt",
        sha256=sha,
        department=department,
        year=2023,
        kind="决算",
        scope="部门",
        pages=None,
        paragraphs=[Paragraph(text=t, page=p, heading_path=h) for h, p, t in PROSE],
        tables=[
            _table(2, "支出决算表", "公开03表", "支出决算表", SPENDING_COLUMNS, SPENDING_ROWS, 9),
            _table(4, "一般公共预算财政拨款支出决算表", "公开05表", "一般公共预算财政拨款支出决算表",
                   GENERAL_COLUMNS, GENERAL_ROWS, 11),
        ],
    )
