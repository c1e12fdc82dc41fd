"""「比上年增加 X 万元」 against the year before printed in the same table.

Many budget templates print the year before beside the figure: a 2021年 group beside the 2022年
one (西安 三公), a 2025年预算数 row above the 2026年预算数 row (重庆, 烟台 三公), a 2025年预算数 column
(重庆 一般公共预算支出情况表). When the 情况说明 binds a figure to such a cell and says how it changed,
the change is recomputed from the two cells: the direction word (增加 / 减少 / 持平) against the sign,
the amount against the difference, the percentage against the difference over the year before, and
the year it compares with against the report year's predecessor. A table without the year before
says nothing here (the prior-year document, when stored, is checked by audit/prior.py).
"""

from __future__ import annotations

import re
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, cell_location, fmt
from budgetqa.app.audit.quantities import Qty, cell_qty
from budgetqa.app.audit.written import NUM as _NUM
from budgetqa.app.audit.written import dec, half_unit, pct_finding, sentence_loc
from budgetqa.ingest.models import Document

_VS = r"(?:比|较|与)\s*(?:上年|去年|上一年度?|(?P<year>20\d\d)\s*年?\s*度?)\s*(?:年初)?(?:预算数?|决算数?|执行数?)?(?:相比)?\s*[，,]?\s*"
_MOVED = re.compile(_VS + rf"(?P<word>增加|减少|增长|下降)\s*(?:了)?\s*(?P<amt>{_NUM})\s*万元"
                    r"(?:\s*[，,]\s*(?:增长|下降|增幅|降幅|减少|增加)\s*(?:了|为)?\s*(?P<pct>\d+(?:\.\d+)?)\s*[%％])?")
_FLAT = re.compile(_VS + r"(?:基本)?(?P<word>持平|相同|一致|无变化|未发生变化)")
_UP = ("增加", "增长")


def prior_of(doc: Document, q: Qty) -> Qty | None:
    """The same cell one year earlier in the same table: the column or the row whose year is one less."""
    if doc.year is None or q.loc.table_ref is None or q.loc.column is None:
        return None
    table = next((t for t in doc.tables if t.ref == q.loc.table_ref), None)
    if table is None:
        return None
    row = next((r for r in table.rows if cell_location(doc, table, r, q.loc.column).row == q.loc.row), None)
    if row is None:
        return None
    this, last = f"{doc.year}年", f"{doc.year - 1}年"
    if this in q.loc.column:
        column = q.loc.column.replace(this, last)
        head, _, tail = column.partition("/")
        if column not in table.columns and tail in ("合计", "总计", "小计"):
            column = head  # 「2025年预算数」 printed whole beside 「2026年预算数/总计 │ 基本支出 │ …」
        if column in table.columns and row.cells.get(column) is not None:
            return cell_qty(doc, table, row, column)
    if row.name.startswith(this):
        before = next((r for r in table.rows if r.name == row.name.replace(this, last, 1)), None)
        if before is not None and before.cells.get(q.loc.column) is not None:
            return cell_qty(doc, table, before, q.loc.column)
    return None


def check_change(doc: Document, para, sentence: str, clause: str, q: Qty | list[Qty], what: str,
                 result: AuditResult) -> None:
    """The change `clause` states for the figure bound to `q`, against the year before in q's table
    (of several tables stating the figure, the first that prints the year before)."""
    # the change must follow the figure (「10 万元，与 2025 持平」), not sit further on about something else
    start = re.match(r"\s*[，,]?\s*(?:20\d\d\s*年)?\s*", clause).end()
    moved = _MOVED.match(clause, start)
    flat = _FLAT.match(clause, start) if moved is None else None
    hit = moved or flat
    if hit is None:
        return
    if hit.group("year") and int(hit.group("year")) != (doc.year or 0) - 1:
        return  # compared with another year (audit/items.py reports a wrong year)
    pairs = ((x, prior_of(doc, x)) for x in (q if isinstance(q, list) else [q]))
    q, before = next(((x, b) for x, b in pairs if b is not None), (None, None))
    if before is None:
        return
    said_ledger = "执行" if re.search(r"执行|决算", hit.group(0)) else "预算" if "预算" in hit.group(0) else None
    printed = f"{before.loc.row or ''}{before.loc.column or ''}"
    if said_ledger == "执行" and "预算" in printed and not re.search(r"执行|决算", printed):
        return  # 「比上年执行数增加」 against a 2025年预算数 column: another figure than the one compared with
    gap = q.value - before.value
    tol = q.half_steps + before.half_steps
    loc = sentence_loc(doc, para, sentence)

    def add(a, b, msg: str) -> None:
        result.findings.append(Finding("error", "prose.change_prior", loc, before.loc, a, b, None, None, msg))

    said = "持平" if flat else hit.group("word")
    real = "持平" if abs(gap) <= tol else ("增加" if gap > 0 else "减少")
    table_says = f"表中{what}本年 {fmt(q.value)} 万元、上年 {fmt(before.value)} 万元"
    if flat:
        if real != "持平":
            add(Decimal(0), gap, f"说明写{what}「{hit.group('word')}」，但{table_says}，{real} {fmt(abs(gap))} 万元，请核对。")
        return
    if dec(hit.group("amt")) == 0:
        return
    stated = dec(hit.group("amt")) * (1 if said in _UP else -1)  # findings carry the changes signed: stated, real
    if real != "持平" and (said in _UP) != (real == "增加"):
        add(stated, gap, f"说明写{what}{said} {hit.group('amt')} 万元，但{table_says}，实为{real}，请核对。")
        return
    amount = dec(hit.group("amt"))
    if abs(amount - abs(gap)) > tol + half_unit(hit.group("amt")):
        add(stated, gap, f"说明写{what}{said} {hit.group('amt')} 万元，但{table_says}，相差 {fmt(abs(gap))} 万元，请核对。")
        return
    if hit.group("pct") and before.value > 0:
        h = tol
        rng = (max(abs(gap) - h, Decimal(0)) / (before.value + before.half_steps) * 100,
               (abs(gap) + h) / (before.value - before.half_steps) * 100)
        pct_finding(result, "prose.change_prior", doc, para, sentence, hit.group("pct"), rng,
                    f"{what}增减比例（{fmt(abs(gap))}/{fmt(before.value)}）", other=before.loc)
