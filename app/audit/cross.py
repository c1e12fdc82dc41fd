"""Between tables: every standard table states some *measures*; two tables stating one must agree.

A measure is (scope, what): scope 全部 (all funds: 收入支出决算总表, 收入决算表, 支出决算表), 财政拨款
(财政拨款收入支出决算总表), 一般公共预算 (一般公共预算财政拨款支出决算表, 基本支出明细, and the
一般公共预算 column of the 财政拨款 总表). The 预算 set maps onto the same keys. The prose checks
(audit/prose.py) look figures up by the same keys.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from difflib import SequenceMatcher
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, fmt, step_of
from budgetqa.app.measures import own_year_columns
from budgetqa.app.audit.quantities import (CARRY, UNNAMED, Qty, amount_columns, cell_qty, compare, find,
                                           printed_column, side_figures, sum_qty)
from budgetqa.ingest.classify import BASIC_DETAIL, FISCAL_OVERVIEW, GENERAL_SPENDING, INCOME, OVERVIEW, SANGONG, SPENDING
from budgetqa.ingest.models import Document, Row, Table

Key = tuple[str, str]

GENERAL = GENERAL_SPENDING

# Income lines of the 总表 → the 收入决算表 column that holds the same money.
_INCOME_LINES = {
    "上级补助收入": "上级补助收入",
    "事业收入": "事业收入",
    "经营收入": "经营收入",
    "附属单位上缴收入": "附属单位上缴收入",
    "其他收入": "其他收入",
}


def _col(table: Table, *patterns: str) -> str | None:
    """The first amount column whose last header word matches (named columns only)."""
    for p in patterns:
        for c in amount_columns(table):
            if not UNNAMED.search(c) and re.search(p, c.split("/")[-1] if "/" not in p else c):
                return c
    return None


def _total_col(table: Table, year: int | None = None) -> str | None:
    """The first amount column of the document's own year (表五 may print 2025年预算数 before 2026 columns)."""
    cols = own_year_columns(amount_columns(table), table, year)
    if not cols or UNNAMED.search(cols[0]):
        return None
    return cols[0]


# A 支出表 that holds only part of the spending (基本支出预算表, 专项业务经费支出表, 项目支出表): its
# 合计 is not the department's 本年支出合计 and its rows are not the classes of the whole.
_PARTIAL = re.compile(r"基本支出|项目支出|专项|经济分类|机关运行")
# Economic classes (301 工资福利支出, 501 机关工资福利支出) are never compared with function classes.
_ECONOMIC = re.compile(r"^[35]\d\d$")


def _total_row(table: Table) -> Row | None:
    return next((r for r in table.rows if r.is_total), None)


def _class_rows(table: Table) -> list[Row]:
    """Function classes (2xx) of a table: economic classes (3xx, 5xx) belong to another classification."""
    return [r for r in table.rows if r.code and r.code.isdigit() and len(r.code) == 3 and not _ECONOMIC.match(r.code)]


class Measures:
    """Quantities by key, in the order tables appear; `classes` keeps the class rows per table."""

    def __init__(self) -> None:
        self.by_key: dict[Key, list[tuple[Table, Qty]]] = defaultdict(list)
        self.classes: dict[tuple[str, int | str], dict[str, Qty]] = {}

    def add(self, key: Key, table: Table, q: Qty | None) -> None:
        if q is not None:
            self.by_key[key].append((table, q))


def collect(doc: Document, tables: list[Table]) -> Measures:
    m = Measures()
    for t in tables:
        if t.kind in OVERVIEW and t.side:
            _overview_side(doc, t, "全部", m)
        elif t.kind in FISCAL_OVERVIEW and t.side:
            _overview_side(doc, t, "财政拨款", m)
        elif t.kind in INCOME:
            _income_table(doc, t, m)
        elif t.kind in SPENDING or t.kind in GENERAL:
            # 高等学校财政拨款支出决算表 is classified 支出决算表 but holds appropriations only
            scope = "一般公共预算" if t.kind in GENERAL else "财政拨款" if "财政拨款" in t.title else "全部"
            if not _PARTIAL.search(t.title.replace("基本支出和项目支出", "")):
                _spending_table(doc, t, scope, m)
        elif t.kind in BASIC_DETAIL:
            _basic_detail(doc, t, m)
        elif t.kind in SANGONG:
            _sangong(doc, t, m)
        elif t.kind == "项目支出预算表":  # 预算表9 lists the projects whose total is 项目支出
            total, col = _total_row(t), _col(t, r"^合计$")
            m.add(("全部", "项目支出"), t, _row_qty(doc, t, total, col))
    return m


def _row_qty(doc, t: Table, row: Row | None, col: str | None) -> Qty | None:
    """The cell as a measure; an empty total cell states nothing (a lost cell more often than a zero)."""
    if row is None or col is None or row.cells.get(col) is None:
        return None
    return cell_qty(doc, t, row, col)


def _overview_side(doc: Document, t: Table, scope: str, m: Measures) -> None:
    col = _total_col(t, doc.year)
    if col is None:
        return
    total, items, grand, carries = side_figures(t)
    kind = t.side  # 收入 / 支出
    m.add((scope, f"{kind}合计"), t, _row_qty(doc, t, total, _printed(t, total, col)))
    # a side closing on 「合计」 (高等学校: 本年收入合计 + 结转结余 = 合计) states no 总计 a sentence could name:
    # its 情况说明 calls the 本年合计 「收入总计」
    if grand is not None and "总计" in grand.label:
        m.add((scope, f"{kind}总计"), t, _row_qty(doc, t, grand, _printed(t, grand, col)))
    for r in carries:
        n = r.label
        if re.search(r"年初.*结转和结余|上年结转", n):
            m.add((scope, "年初结转和结余"), t, cell_qty(doc, t, r, col))
        elif re.search(r"年末.*结转和结余|结转下年", n):
            m.add((scope, "年末结转和结余"), t, cell_qty(doc, t, r, col))
    if kind == "收入" and scope == "全部":
        fiscal = [r for r in items if "财政拨款" in r.name or re.search(r"一般公共预算|政府性基金|国有资本经营", r.name)]
        if fiscal:
            m.add((scope, "收入:财政拨款收入"), t, sum_qty(doc, t, fiscal, [col], None, col, "各项财政拨款收入之和"))
        for r in items:
            n = r.label
            for line, key in _INCOME_LINES.items():
                if n == line:
                    m.add((scope, f"收入:{key}"), t, cell_qty(doc, t, r, col))
    if kind == "收入" and scope == "财政拨款":
        general = next((r for r in items if re.search(r"一般公共预算", r.name)), None)
        m.add((scope, "收入:一般公共预算"), t, _row_qty(doc, t, general, col))
        # 「一般公共预算财政拨款收入 18,417.70 万元」 may count the 一般公共预算 上年结转 in (重庆: 17,552.65 + 865.06)
        lines = [r for r in t.rows if re.search(r"一般公共预算", r.name) and r.cells.get(col) is not None]
        if general is not None and len(lines) == 2:
            m.add((scope, "收入:一般公共预算含结转"), t, sum_qty(doc, t, lines, [col], None, col, "本年+上年结转"))
    if kind == "支出":
        classes = {r.label: cell_qty(doc, t, r, col) for r in items}
        m.classes[(scope, t.ref)] = {k: q for k, q in classes.items() if k}
        # 财政拨款 总表: the 一般公共预算 column gives the general-budget spending by class
        gcol = _col(t, r"^一般公共预算")
        if scope == "财政拨款" and gcol is not None:
            m.classes[("一般公共预算", t.ref)] = {r.label: cell_qty(doc, t, r, gcol) for r in items}
            m.add(("一般公共预算", "支出合计"), t, _row_qty(doc, t, total, gcol))


def _printed(t: Table, row: Row | None, col: str) -> str:
    return printed_column(t, row, col) or col  # an empty total cell states nothing (_row_qty)


def _income_table(doc: Document, t: Table, m: Measures) -> None:
    total = _total_row(t)
    col = _total_col(t, doc.year)
    if total is None or col is None:
        return
    # a 预算 收入总表 whose 合计 adds 上年结转 (珠海: 7,552.92 = 7,552.81 + 0.11) gives 收入总计, not 本年收入合计
    carried = any(re.search(r"上年结转|结转结余|上年结余", c) for c in amount_columns(t))
    m.add(("全部", "收入总计" if carried and col.split("/")[0] == "合计" else "收入合计"), t, cell_qty(doc, t, total, col))
    fcol = _col(t, r"^财政拨款收入$")
    m.add(("全部", "收入:财政拨款收入"), t, _row_qty(doc, t, total, fcol))
    for key, name in _INCOME_LINES.items():
        m.add(("全部", f"收入:{key}"), t, _row_qty(doc, t, total, _col(t, f"^{name}$")))
    # the 上年结转结余 column (or its 小计) is the 总表's 上年结转 line (珠海 收入总体情况表 0.11)
    carried_col = next((c for c in amount_columns(t) if _CARRIED_COL.match(c)), None)
    m.add(("全部", "年初结转和结余"), t, _row_qty(doc, t, total, carried_col))


_CARRIED_COL = re.compile(r"^(上年结转|上年结余|年初结转)[^/]*(/(小计|合计))?$")


def _spending_table(doc: Document, t: Table, scope: str, m: Measures) -> None:
    col = _total_col(t, doc.year)
    if col is None:
        return
    total = _total_row(t)
    if not _class_rows(t):
        return  # a 支出表 with no function class is another table under a cut title (江苏: the 三公 table)
    m.add((scope, "支出合计"), t, _row_qty(doc, t, total, col))
    m.add((scope, "基本支出"), t, _row_qty(doc, t, total, _col(t, r"^基本支出$", r"基本支出/(小计|合计)$")))
    m.add((scope, "项目支出"), t, _row_qty(doc, t, total, _col(t, r"^项目支出$")))
    m.add((scope, "人员经费"), t, _row_qty(doc, t, total, _col(t, r"^人员经费$")))
    m.add((scope, "公用经费"), t, _row_qty(doc, t, total, _col(t, r"^公用经费$")))
    m.classes[(scope, t.ref)] = {r.label: cell_qty(doc, t, r, col) for r in _class_rows(t)}


def _basic_detail(doc: Document, t: Table, m: Measures) -> None:
    col = _total_col(t, doc.year)
    if col is None or re.match(r"人员|公用", col.split("/")[-1]):
        return  # no total column: the first one is 人员经费支出 (西安 表7), not the 基本支出 total
    staff = find(t.rows, r"^人员经费合计$", r"^人员经费$")
    office = find(t.rows, r"^公用经费合计$", r"^公用经费$")
    m.add(("一般公共预算", "人员经费"), t, _row_qty(doc, t, staff, col))
    m.add(("一般公共预算", "公用经费"), t, _row_qty(doc, t, office, col))
    if staff is not None and office is not None:
        m.add(("一般公共预算", "基本支出"), t, sum_qty(doc, t, [staff, office], [col], None, col, "人员经费合计+公用经费合计"))
    total = _total_row(t)
    if total is not None:  # 预算 form: 合计 row with 合计 / 人员经费 / 公用经费 columns
        m.add(("一般公共预算", "基本支出"), t, cell_qty(doc, t, total, col))
        m.add(("一般公共预算", "人员经费"), t, _row_qty(doc, t, total, _col(t, r"^人员经费$")))
        m.add(("一般公共预算", "公用经费"), t, _row_qty(doc, t, total, _col(t, r"^公用经费$")))
    for code, what in (("30217", "公务接待费"), ("30231", "公务用车运行维护费"), ("30212", "因公出国（境）费")):
        row = next((r for r in t.rows if r.code == code), None)
        m.add(("基本支出明细", what), t, _row_qty(doc, t, row, col))


def _sangong(doc: Document, t: Table, m: Measures) -> None:
    # 西安's 2020年 │ 2021年 │ 增减变化情况 groups: only the document's own year states its 三公
    for col in own_year_columns(amount_columns(t), t, doc.year):
        if UNNAMED.search(col):
            continue
        ledger = "决算数" if "决算" in col else "预算数" if "预算" in col else None
        if ledger is None or not t.rows:
            continue
        leaf = col.split("/")[-1]
        what = ("合计" if leaf == "合计" and col.count("/") == 1 else
                "因公出国（境）费" if leaf.startswith("因公出国") else
                "公务用车购置费" if leaf == "公务用车购置费" else
                "公务用车运行维护费" if leaf.startswith("公务用车运行") else
                "公务接待费" if leaf.startswith("公务接待") else
                "公务用车购置及运行维护费" if leaf == "小计" and "公务用车" in col else
                "合计" if leaf == "小计" and "三公" in col else None)  # 一般公共预算拨款安排的“三公”经费预算/小计
        if what:
            m.add(("三公", f"{ledger}:{what}"), t, cell_qty(doc, t, t.rows[0], col))


# ---------------------------------------------------------------- comparisons

_LABELS = {
    "收入合计": "本年收入合计", "支出合计": "本年支出合计", "收入总计": "收入总计", "支出总计": "支出总计",
    "基本支出": "基本支出", "项目支出": "项目支出", "人员经费": "人员经费", "公用经费": "公用经费",
}


def _scope_label(scope: str) -> str:
    return {"全部": "", "财政拨款": "财政拨款", "一般公共预算": "一般公共预算财政拨款"}.get(scope, scope)


def check_cross(doc: Document, tables: list[Table], result: AuditResult, m: Measures | None = None) -> None:
    """Each measure two tables state, compared; `m`: the measures of `tables` when already collected."""
    m = m if m is not None else collect(doc, tables)
    for (scope, what), entries in m.by_key.items():
        if scope in ("三公", "基本支出明细"):
            continue
        first_t, first = entries[0]
        for t, q in entries[1:]:
            if t.index == first_t.index:
                continue
            label = f"{_scope_label(scope)}{_LABELS.get(what, what.split(':')[-1])}"
            compare(result, "cross.measure", f"{label}（表间）", first, q, f"两表的{label}")
    _compare_classes(m, result)
    _compare_subject_rows(doc, tables, result)
    _sangong_vs_economic(m, result)


def _match_class(name: str, names: list[str]) -> str | None:
    """Class names are cut at the column edge (八、社会保障和就业支) or shortened (一般公共): prefix match."""
    if name in names:
        return name
    for n in names:
        if len(name) >= 4 and len(n) >= 4 and (n.startswith(name) or name.startswith(n)):
            return n
    return None


def _compare_classes(m: Measures, result: AuditResult) -> None:
    by_scope: dict[str, list[dict[str, Qty]]] = defaultdict(list)
    for (scope, _ref), classes in m.classes.items():
        if classes:
            by_scope[scope].append(classes)
    for scope, tables in by_scope.items():
        if len(tables) < 2:
            continue
        base = tables[0]
        for other in tables[1:]:
            matched = sum(_match_class(name, list(other)) is not None for name in base)
            if matched * 2 < min(len(base), len(other)):
                continue  # not the same list (支出用途 lines, unit rows coded 201): nothing to compare
            for name, q in base.items():
                hit = _match_class(name, list(other))
                if hit is None:
                    if q.value != 0:
                        _missing(result, scope, name, q, other)
                    continue
                compare(result, "cross.class", f"{name}（表间）", q, other[hit], f"两表的{_scope_label(scope)}{name}")
            for name, q in other.items():
                if q.value != 0 and _match_class(name, list(base)) is None:
                    _missing(result, scope, name, q, base)


_NOT_SUBJECT = re.compile(r"合计|总计|小计|结转|结余|^其中")


def _joined(sides: list[Table]) -> list[Table]:
    """A side cut at a page break and read as two tables of the same title (湖州 表04: the classes on p22,
    支出总计 alone on p23): the continuation's rows appended to the part that has no total."""
    out: list[Table] = []
    for t in sides:
        prev = out[-1] if out else None
        if (prev is not None and t.title == prev.title and t.kind == prev.kind and t.pages and prev.pages
                and t.pages[0] == prev.pages[-1] + 1 and _no_totals(prev)):
            joined = copy.copy(prev)
            joined.rows, joined.pages = prev.rows + t.rows, prev.pages + t.pages
            out[-1] = joined
        else:
            out.append(t)
    return out


def _no_totals(t: Table) -> bool:
    total, _, grand, _ = side_figures(t)
    return total is None and grand is None


def _same_total(t: Table, col: str, total: Decimal) -> bool:
    """A coded 支出表 totals `total`: its 合计 row prints it, or, where none is marked (深圳 heads the
    classes with a row naming the department), its function classes add up to it within their rounding
    (55,884.68 against the side's 55,884.67)."""
    row = _total_row(t)
    if row is not None:
        return row.cells.get(col) == total
    vals = [v for r in _class_rows(t) if (v := r.cells.get(col)) is not None]
    return bool(vals) and abs(sum(vals, Decimal(0)) - total) <= step_of(total, *vals) / 2 * (len(vals) + 1)


def _compare_subject_rows(doc: Document, tables: list[Table], result: AuditResult) -> None:
    """A 收支总表's 支出 side that lists the function tree by name, without codes, down to its 款 and 项
    (湖州: 社会保障和就业支出, 行政事业单位养老支出, 行政单位离退休 …), against the coded 支出表 of the
    same money (its 合计 equal to the side's 本年支出合计): the rows are aligned by name in order, and
    each 款 and 项 compared (the classes are cross.class's)."""
    sides = _joined([t for t in tables if t.side == "支出" and (t.kind in OVERVIEW or t.kind in FISCAL_OVERVIEW)])
    coded = [t for t in tables if (t.kind in SPENDING or t.kind in GENERAL) and _class_rows(t)]
    for side in sides:
        col = _total_col(side, doc.year)
        total, _, grand, _ = side_figures(side)
        if total is None and grand is not None and not any(CARRY.search(r.label) for r in side.rows):
            total = grand  # no 结转 line: the 支出总计 is the year's spending (湖州: 支出总计 alone on its page)
        if col is None or total is None or total.cells.get(col) is None or any(r.code for r in side.rows):
            continue
        at = side.rows.index(total)
        mine = [r for r in side.rows[:at] if r.cells.get(col) is not None and not _NOT_SUBJECT.search(r.label)
                and not re.match(r"^[一二三四五六七八九十]+、", r.name or "")]
        for t in coded:
            tcol = _total_col(t, doc.year)
            if tcol is None or not _same_total(t, tcol, total.cells[col]):
                continue  # another scope (财政拨款 against all funds): the rows hold other money
            theirs = [r for r in t.rows if r.code and r.code.isdigit() and len(r.code) in (5, 7)
                      or r.code and len(r.code) == 3 and not _ECONOMIC.match(r.code)]
            a_names = [_plain(r.label) for r in mine]
            b_names = [_plain(r.label) for r in theirs]
            blocks = SequenceMatcher(None, a_names, b_names, autojunk=False).get_matching_blocks()
            pairs = [(mine[i + k], theirs[j + k]) for i, j, n in blocks for k in range(n)]
            if len(pairs) < 4 or len(pairs) * 10 < 8 * min(len(mine), len(theirs)):
                continue  # not the same list in the same order
            for a_row, b_row in pairs:
                if len(b_row.code) == 3:
                    continue
                compare(result, "cross.subject", f"{b_row.code} {b_row.name}（表间）", cell_qty(doc, side, a_row, col),
                        cell_qty(doc, t, b_row, tcol), f"两表的{b_row.name}（{b_row.code}）")
            break


def _plain(name: str) -> str:
    """A label compared by name: no blanks, brackets or quotes (因公出国（境） as 因公出国境)."""
    return re.sub(r"[\s（）()“”]", "", name or "")


def _missing(result: AuditResult, scope: str, name: str, q: Qty, other: dict[str, Qty]) -> None:
    some = next(iter(other.values()), None)
    where = some.loc.table if some else "另一表"
    result.findings.append(Finding(
        "error", "cross.class", q.loc, some.loc if some else q.loc, q.value, Decimal(0), q.value, q.half_steps,
        f"{q.loc.label()} 列有{_scope_label(scope)}{name} {fmt(q.value)}，但「{where}」没有这一类，请核对。"))


def _sangong_vs_economic(m: Measures, result: AuditResult) -> None:
    """The 基本支出明细 line (basic spending only) cannot exceed the 三公 决算数 (basic + project)."""
    for what in ("公务接待费", "公务用车运行维护费", "因公出国（境）费"):
        eco = m.by_key.get(("基本支出明细", what))
        sg = m.by_key.get(("三公", f"决算数:{what}"))
        if not eco or not sg:
            continue
        e, s = eco[0][1], sg[0][1]
        tol = e.half_steps + s.half_steps
        if e.value - s.value > tol:
            result.findings.append(Finding(
                "warning", "cross.sangong_economic", e.loc, s.loc, e.value, s.value, e.value - s.value, tol,
                f"基本支出明细中的{what} {fmt(e.value)} 超过「三公」经费表的决算数 {fmt(s.value)}：基本支出部分不应大于全部，请核对。"))
