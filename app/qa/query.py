"""The typed plan of a question: what is asked (`op`), of which figures (`Ref`s), in which unit kind.

A question is parsed once into a `Plan` (one `Query` per part of a multi-part question); the
resolver turns each `Ref` into cells, the executor computes the op over them, and the fit check
compares what was executed with what was asked. Nothing below the parser re-reads the question.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Op = Literal[
    "value",       # one figure: 三公经费决算数是多少
    "difference",  # operands[0] − operands[1]: 决算比预算少多少; 与…相差多少
    "sum",         # Σ operands: 津贴补贴加奖金一共多少
    "share",       # operands[0] / operands[1] × 100: 项目支出占本年支出合计的百分之几 (whole may be implied)
    "rate",        # actual / budget × 100 of one item: 公务接待费的预算执行率; operands = [actual, budget]
    "growth",      # against the prior year: 比上年增长多少 / 同比; `growth_as` says amount or percent
    "max",         # the largest row at a level: 哪个功能科目支出最多
    "min",         # the smallest
    "top",         # the first k rows: 支出前三的科目 (`k`)
    "each",        # several figures, listed: 人员经费和公用经费分别是多少
    "count",       # how many rows / items: 有几个项目
    "compare",     # yes-no with the figures: 决算数是否超过预算数
    "prose",       # a statement only the 情况说明 gives (what / which / 主要用于)
    "why",         # the reason the prose gives: 为什么增加
    "audit",       # a consistency check of the whole document: 这份决算有没有前后不一致
]

UnitKind = Literal["money", "percent", "count", "score", "text"]

# Column roles a reference may name; the resolver maps each to header words of the document's tables.
ColumnRole = Literal[
    "预算", "决算", "年初预算", "调整预算", "全年预算", "执行数", "执行率",
    "基本支出", "项目支出", "人员经费", "公用经费",
    "财政拨款", "一般公共预算", "政府性基金", "国有资本经营",
    "上年", "本年", "合计", "增减", "得分", "权重", "指标值", "实际完成值",
]

# 类 / 款 / 项 of function subjects; 项目 (绩效 projects), 经济科目 (301 …), 单位 (预算单位 rows of 收入总表)
Level = Literal["类", "款", "项", "项目", "经济科目", "单位"]


class Ref(BaseModel):
    """One figure the question refers to, by the words it uses for it.

    `concept` is a standard concept id from the lexicon (三公经费, 公务接待费, 基本支出 …) when the
    words name one; otherwise `row` holds the words naming a row (or `code` its subject code).
    `text` is the exact span of the question this reference was read from.
    """

    text: str = ""
    concept: str | None = None
    row: str | None = None
    code: str | None = None
    columns: list[ColumnRole] = Field(default_factory=list)
    table_kind: str | None = None    # a standard kind (ingest/classify.py), when the question names a table
    table_number: str | None = None  # 公开01表 / 预算05表 / 表三, when the table is named by number only
    project: str | None = None       # a 绩效 project's name
    level: Level | None = None       # for max / min / top / count over subjects
    side: Literal["收入", "支出"] | None = None  # the question speaks of income only or of spending only
    column_words: list[str] = Field(default_factory=list)  # the document's own header words the question says (当年预算)
    year: int | None = None          # when this operand's year differs from the question's (上年 / 2022年)
    prior_year: bool = False         # the operand is the previous year's figure (上年 / 去年)


class Query(BaseModel):
    """One question (or one part of a multi-part question), fully typed."""

    question: str                    # the part of the question this query was parsed from
    op: Op
    operands: list[Ref] = Field(default_factory=list)
    unit_kind: UnitKind = "money"
    unit: str | None = None          # the unit asked for (万元 / 元 / 亿元 / 人 / 辆 / 个 / 分 / %), None = as printed
    k: int | None = None             # for top
    growth_as: Literal["amount", "percent"] | None = None
    direction: Literal["more", "less"] | None = None  # 多/超 vs 少/节约, when the question says which
    department: str | None = None    # the words naming the department (州工信局), if any
    year: int | None = None          # the document year the question names
    ledger: Literal["预算", "决算"] | None = None  # which kind of document the question presumes
    language: Literal["zh", "en"] = "zh"
    consumed: list[str] = Field(default_factory=list)  # question spans the plan accounts for
    leftover: list[str] = Field(default_factory=list)  # content words nothing in the plan accounts for
    scope: Ref | None = None         # the row or total the operands sit under (公用经费里…最多的前三项; 占…的 whole's frame)
    threshold: float | None = None   # 超过一百万: the figure a compare / count is against, in `threshold_unit`
    threshold_unit: str | None = None
    given: list[str] = Field(default_factory=list)  # amounts the question itself states (预算6.46万，实际花了多少)
    total: bool = False  # 一共 / 合计 said of one subject: its rows are summed when a table prints it on several


class Plan(BaseModel):
    """Every part of a question, in the order asked."""

    question: str
    queries: list[Query] = Field(default_factory=list)
    follow_up: bool = False  # the question leans on the previous turn (那比上年呢？ / 预算呢)
