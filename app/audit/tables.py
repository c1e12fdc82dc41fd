"""Table checks of the audit: identities within one table, the same figure across tables.

Within a table: a parent subject equals the sum of its children (类 = Σ款, 款 = Σ项; 301 = Σ301xx),
the 合计 row equals the sum of the 类 rows, a 合计/小计 column equals the sum of its sibling columns
(read off the header paths: 本年支出/小计 = 本年支出/基本支出 + 本年支出/项目支出), both sides of a
two-sided table balance, 本年收入合计 = the numbered income lines, 总计 = 本年合计 + 结转结余 lines.

Across tables, each standard table contributes *measures* — (scope, what) keys such as
("全部", "支出合计") or ("一般公共预算", "类:卫生健康支出") — and every two tables that state the same
measure are compared. Scope matters: 支出决算表 is all funds, 一般公共预算财政拨款支出决算表 only the
general budget, so the same subject legitimately differs between them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from functools import partial

from budgetqa.app.audit.formulas import check_formulas
from budgetqa.app.audit.memo import per_table
from budgetqa.app.audit.model import AuditResult, Finding, Location, cell_location
from budgetqa.app.audit.regions import check_regions
from budgetqa.app.audit.statements import check_transfers
from budgetqa.app.audit.template import says_none
from budgetqa.app.audit.quantities import (
    CARRY, SKIP_KINDS, UNNAMED, Qty, amount_columns, cell_qty, compare, gap_tolerance, is_amount_column,
    numbering_level, printed_column, side_figures, sum_qty,
)
from budgetqa.ingest.classify import GOVERNMENT_ONLY, PERFORMANCE_KINDS, STANDARD_KINDS
from budgetqa.ingest.models import Document, Row, Table

_TOTAL_COL = re.compile(r"(合计|小计|总计|总数|总额)$|^\d{4}年预算数$")
# Children that are a subset or a memo of their siblings, never a part: 其中：教育收费, 扣除基建项目后预算数,
# the 政府采购 columns some 支出总表 print beside the spending (深圳).
_NOT_PART = re.compile(r"^其中|^扣除|政府采购")
_MEETINGS = re.compile(r"会议费|培训费")
# A last column that totals the ones before it (a first one is _TOTAL_COL's business).
_LAST_TOTAL = re.compile(r"^(合计|总计)$")


@per_table
def _code_tree(table: Table) -> dict[str, list[Row]]:
    """The children of each coded row of a table."""
    return _tree(_code_rows(table))


def _tree(rows: dict[str, Row]) -> dict[str, list[Row]]:
    """Children per code."""
    kids: dict[str, list[Row]] = {}
    for c, r in rows.items():
        if len(c) > 3 and c[:-2] in rows:
            kids.setdefault(c[:-2], []).append(r)
    return kids


def printed_leaves(children: dict[str, list[Row]], row: Row, col: str, memo: dict) -> int:
    """Printed cells a subject's amount in one column may have been added up from: its deepest
    descendants that print an amount there. Departments often print a 类 as the sum of its
    already-rounded 项, so the 尾差 of a 类 grows with the 项 under it (xiangyuan: 合计 vs Σ类 off by
    0.03); an empty cell carries no rounding (a 302 of 27 children, 14 printed, is owed 15 half-cents)."""
    key = (row.code, col)
    if key not in memo:
        kids = children.get(row.code or "")
        n = sum(printed_leaves(children, k, col, memo) for k in kids) if kids else 0
        memo[key] = n if n else int(row.cells.get(col) is not None)
    return memo[key]


def zero_leaves(children: dict[str, list[Row]], row: Row, col: str, memo: dict) -> int:
    """Of a subject's printed_leaves, those printing 0 (amounts rounded down only, see gap_tolerance)."""
    key = (row.code, col, 0)
    if key not in memo:
        kids = children.get(row.code or "")
        if kids and sum(printed_leaves(children, k, col, memo) for k in kids):
            memo[key] = sum(zero_leaves(children, k, col, memo) for k in kids)
        else:  # the subject itself is the leaf
            v = row.cells.get(col)
            memo[key] = int(v is not None and v == 0)
    return memo[key]


def _no_negative(rows: list[Row], col: str) -> bool:
    return not any(v is not None and (v < 0 or v.is_signed()) for r in rows if (v := r.cells.get(col)) is not None)


# ---------------------------------------------------------------- within one table


def column_groups(columns: list[str]) -> list[tuple[str, list[list[str]]]]:
    """(total column, parts) pairs read off header paths; a part is a list of columns summed.

    A group (a header path prefix) whose children include a 合计/小计 leaf gets total = Σ other children,
    each child group standing for its own 小计, or for the sum of its leaves when it has none. At the
    top level only a first column named like a total (本年支出合计, 2023年预算数) is a total.
    """
    cols = [c for c in columns if is_amount_column(c)]
    out: list[tuple[str, list[list[str]]]] = []

    def children(prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        seen: list[tuple[str, ...]] = []
        for c in cols:
            parts = tuple(c.split("/"))
            if parts[: len(prefix)] == prefix and len(parts) > len(prefix):
                child = parts[: len(prefix) + 1]
                if _NOT_PART.search(child[-1]):  # 其中：教育收费 is a subset of its sibling, not a part
                    continue
                if child not in seen:
                    seen.append(child)
        return seen

    def stand_in(node: tuple[str, ...]) -> list[str] | None:
        """The columns that give a child's amount: itself, its 小计, or all its leaves."""
        path = "/".join(node)
        if path in cols:
            return [path]
        kids = children(node)
        for k in kids:
            if "/".join(k) in cols and (_TOTAL_COL.search(k[-1]) or k[-1] == "金额"):
                return ["/".join(k)]
        leaves = [c for c in cols if tuple(c.split("/"))[: len(node)] == node and not _NOT_PART.search(c.split("/")[-1])]
        return leaves or None

    def visit(prefix: tuple[str, ...]) -> None:
        kids = children(prefix)
        if not kids:
            return
        total = None
        if prefix:
            total = next((k for k in kids if "/".join(k) in cols and _TOTAL_COL.search(k[-1])), None)
        elif len(kids) > 2 and "/".join(kids[0]) in cols and _TOTAL_COL.search(kids[0][-1]):
            total = kids[0]  # a top-level total needs two parts at least: 预算数 | 决算数 is no sum
        elif len(kids) > 2 and "/".join(kids[-1]) in cols and _LAST_TOTAL.search(kids[-1][-1]):
            total = kids[-1]  # 无锡 政府采购支出表: 一般公共预算资金 │ 政府性基金 │ 其他资金 │ 上年结转 │ 总计
        if total is not None and len(kids) > 1:
            # the 三公 total of a 三公、会议费、培训费 table leaves 会议费 and 培训费 out
            sangong = "三公" in total[-1]
            parts = [stand_in(k) for k in kids if k != total and not (sangong and _MEETINGS.search(k[-1]))]
            names = [c for p in parts if p for c in p] + ["/".join(total)]
            if all(p for p in parts) and not any(UNNAMED.search(c) for c in names):
                out.append(("/".join(total), [p for p in parts if p]))
        if total is None:
            crossed(prefix, kids)
        for k in kids:
            if "/".join(k) not in cols:
                visit(k)

    def crossed(prefix: tuple[str, ...], kids: list[tuple[str, ...]]) -> None:
        """A total over items each printed in the same ledgers (三公 决算表: 合计 │ 因公出国（境）费 │ 公务用车
        购置及运行费 │ 公务接待费, each split into 预算数 │ 决算数): per ledger, 合计/预算数 = Σ item/预算数, an
        item standing for its 小计/预算数 or the sum of its leaves ending in 预算数."""
        head = next((k for k in kids if "/".join(k) not in cols and _TOTAL_COL.search(k[-1])), None)
        if head is None or len(kids) < 2 or (not prefix and head != kids[0]):
            return
        ledgers = children(head)
        if len(ledgers) < 2 or not all("/".join(g) in cols for g in ledgers):
            return
        sangong = "三公" in head[-1] or bool(prefix and "三公" in prefix[-1])
        for g in ledgers:
            leaf = g[-1]
            parts = [ledger_part(k, leaf) for k in kids if k != head and not (sangong and _MEETINGS.search(k[-1]))]
            names = [c for p in parts if p for c in p] + ["/".join(g)]
            if parts and all(parts) and not any(UNNAMED.search(c) for c in names):
                out.append(("/".join(g), parts))  # type: ignore[arg-type]

    def ledger_part(node: tuple[str, ...], leaf: str) -> list[str] | None:
        """An item's amount in one ledger: item/预算数, item/小计/预算数, or its leaves ending in 预算数."""
        path = "/".join(node + (leaf,))
        if path in cols:
            return [path]
        for k in children(node):
            sub = "/".join(k + (leaf,))
            if _TOTAL_COL.search(k[-1]) and sub in cols:
                return [sub]
        leaves = [c for c in cols if tuple(c.split("/"))[: len(node)] == node and c.split("/")[-1] == leaf
                  and not any(_NOT_PART.search(x) for x in c.split("/")[len(node):])]
        return leaves or None

    visit(())
    return out


def _part_label(part: list[str]) -> str:
    segs = part[0].split("/")
    if len(segs) > 1 and (len(part) > 1 or _TOTAL_COL.search(segs[-1])):
        return segs[-2] + ("小计" if len(part) == 1 else "")
    return segs[-1]


def check_columns(doc: Document, table: Table, result: AuditResult) -> None:
    for total, parts in column_groups(table.columns):
        flat = [c for p in parts for c in p]
        filled = [r for r in table.rows if r.cells.get(total) is not None]
        if sum(any(r.cells.get(c) is not None for c in flat) for r in filled) * 2 < len(filled):
            continue  # parts empty beside most totals are text columns read as amounts (经济科目 │ 名称 │ 总计)
        labels = [_part_label(p) for p in parts]
        if len(set(labels)) < len(labels):  # one ledger of crossed items (预算数+预算数+…): name the items
            labels = [_part_label(["/".join(c.split("/")[:-1]) for c in p]) + p[0].split("/")[-1] for p in parts]
        label = "+".join(labels)
        subtotals = [total] + [p[0] for p in parts if len(p) == 1 and _TOTAL_COL.search(p[0].split("/")[-1])]
        for row in table.rows:
            if row.cells.get(total) is None and all(row.cells.get(c) is None for c in flat):
                continue
            if _column_numbers(row):
                continue  # the 栏次 row (1 2 3 …) read as data
            a = cell_qty(doc, table, row, total)
            b = sum_qty(doc, table, [row], flat, row, label, label)
            if a.value != b.value and _nested_parts(row, parts, a.value - b.value, a.half_steps + b.half_steps):
                continue  # a wrapped header put a 小计 beside its own members: the sum holds without them
            # An empty 合计/小计 cell beside filled parts is a layout problem (a shifted row) more
            # often than a wrong figure: a warning, not an error.
            blank = [c for c in subtotals if row.cells.get(c) is None]
            compare(result, "table.column_sum", f"{total.split('/')[-1]}={label}", a, b,
                    lambda: f"「{a.loc.table}」{a.loc.row} 的{total}应等于{label}",
                    severity="warning" if blank else "error",
                    note=f"（{'、'.join(blank)} 为空，可能是列错位）" if blank else "")


def _nested_parts(row: Row, parts: list[list[str]], gap: Decimal, tol: Decimal) -> bool:
    """The parts hold a 小计 and, right after it, the members it sums (a header cell wrapped over two
    lines read as siblings: 「“三公”经费/小计 │ 因公出国/（境）费 │ …」): the total is exceeded by
    exactly the columns that follow the 小计 (江苏 公开09表: 2,136.84 = 1,384.74 + 752.10)."""
    vals = [sum((row.cells.get(c) or Decimal(0) for c in p), Decimal(0)) for p in parts]
    for i, p in enumerate(parts):
        if len(p) != 1 or not p[0].endswith("小计"):
            continue
        run = Decimal(0)
        for j in range(i + 1, len(parts)):
            run += vals[j]
            if abs(gap + run) <= tol:  # the excess is exactly the columns after the 小计 (nested again or not)
                return True
    return False


def _column_numbers(row: Row) -> bool:
    """A row whose figures are 1, 2, 3 … in order: the column-number line of the header, not amounts."""
    vals = [v for v in row.cells.values() if v is not None]
    return len(vals) >= 3 and vals[0] == 1 and vals == [Decimal(i) for i in range(1, len(vals) + 1)]


def _layout_doubt(table: Table, col: str, total: Row, members: list[Row]) -> str:
    """Why an identity failure here may be the reading, not the document: an unnamed column, or an
    empty total beside filled parts (a shifted cell). '' when there is no such doubt."""
    unnamed = next((c for c in table.columns if UNNAMED.search(c) and any(r.cells.get(c) is not None for r in table.rows)), None)
    if unnamed:  # a column the reader could not name holds figures: the others may be shifted too
        return f"（{unnamed} 列名未识别，可能是列错位）"
    if total.cells.get(col) is None and any(m.cells.get(col) is not None for m in members):
        return f"（{total.name or '合计'} 的 {col.split('/')[-1]} 为空，可能是列错位）"
    first = next(iter(table.columns), None)
    if col == first and total.cells.get(col) is not None:
        blank = next((m for m in members if m.cells.get(col) is None and any(v is not None for v in m.cells.values())), None)
        if blank is not None:  # a row printing its parts but not its total was shifted, not left out
            return f"（{blank.code or ''} {blank.name} 的 {col.split('/')[-1]} 为空，可能是列错位）"
    return ""


def _odd_coded(table: Table, parent: Row) -> list[Row]:
    """Rows inside a subject's block (before the next subject of its level) whose code is no
    standard 3/5/7-digit one: a short printed code or two codes run together."""
    i = next(k for k, r in enumerate(table.rows) if r is parent)
    out = []
    for r in table.rows[i + 1:]:
        code = r.code or ""
        if code.isdigit() and len(code) in (3, 5, 7):
            if len(code) <= len(parent.code or "") or not code.startswith(parent.code or ""):
                break
            continue
        if r.is_total:
            break
        if code.isdigit():
            out.append(r)
    return out


def _cut_at_table_end(table: Table, parent: Row, total: Decimal, parts: Decimal) -> str:
    """A subject whose children run to the last row read, and add up to less than it: the rest of
    them most likely sit on a continuation page the reader lost (无锡 公开03表: 购房补贴 alone on p13)."""
    last = table.rows[-1]
    if parts < total and (last is parent or (last.code or "").startswith(parent.code or "-")):
        return "（下级科目排到表末，其余行可能在续页未读入）"
    return ""


# A row coded like a subject but naming a unit (234 西安市气象局, 201 中共西安市委宣传部): unit codes
# share the digits of function classes in 部门综合预算 tables.
_UNIT_NAME = re.compile(r"(局|部|厅|委|办|院|中心|站|所|队|处|室|馆|校|会)(（本级）|本级)?$")
# ...but subjects end so too (2050501 广播电视学校, 2012604 档案馆, 20405 法院): a unit is a class-length
# code or names its place (西安市…, 中共…).
_UNIT_PLACE = re.compile(r"[省市县区州盟旗]|^中共")


def _unit_row(r: Row) -> bool:
    return bool(_UNIT_NAME.search(r.label)) and (len(r.code or "") == 3 or bool(_UNIT_PLACE.search(r.label)))


@per_table
def _code_rows(table: Table) -> dict[str, Row]:
    out: dict[str, Row] = {}
    for r in table.rows:
        if r.code and r.code.isdigit() and len(r.code) in (3, 5, 7) and r.code not in out and not _unit_row(r):
            out[r.code] = r
    return out


def _repeated_codes(table: Table) -> str:
    """A code printed on two rows with different figures (per unit, or under two economic
    classifications side by side): sums over codes cannot be checked row by row."""
    seen: dict[str, Row] = {}
    for r in table.rows:
        if r.code and r.code.isdigit() and len(r.code) in (3, 5, 7):
            if r.code in seen and seen[r.code].cells != r.cells:
                return f"（科目 {r.code} 在表中出现多次，可能按单位或两种经济分类重复列示）"
            seen.setdefault(r.code, r)
    return ""


def check_hierarchy(doc: Document, table: Table, result: AuditResult, undisclosed: bool = False) -> None:
    """类 = Σ款, 款 = Σ项 (function and economic codes alike), per amount column. `undisclosed`: the
    table may leave subjects out (a whole-government 功能分类 table omits undisclosed 款), so a parent
    above its printed children is a warning, not a wrong figure."""
    rows = _code_rows(table)
    cols = amount_columns(table)
    children = _code_tree(table)
    if not children:
        return
    memo: dict = {}
    repeated: str | None = None  # computed on the first failure only
    positive = {col: _no_negative(table.rows, col) for col in cols}
    for code, parent in rows.items():
        kids = children.get(code)
        if not kids:
            continue
        odd: list[Row] | None = None
        for col in cols:
            if parent.cells.get(col) is None and all(k.cells.get(col) is None for k in kids):
                continue
            a = cell_qty(doc, table, parent, col)
            n = max(1, sum(printed_leaves(children, k, col, memo) for k in kids))
            b = sum_qty(doc, table, kids, [col], parent, col, f"下级 {len(kids)} 行之和", n,
                        sum(zero_leaves(children, k, col, memo) for k in kids) if positive[col] else 0)
            what = lambda: f"「{a.loc.table}」{parent.code} {parent.name} 应等于其下级科目之和"  # noqa: E731
            if abs(a.value - b.value) <= gap_tolerance(a, b, a.value - b.value):
                compare(result, "table.parent_sum", f"{code}=Σ下级", a, b, what)  # holds: no doubt to look for
                continue
            if odd is None:
                odd = _odd_coded(table, parent)
            if odd and a.value != b.value:
                # rows printed with a short or run-together code (「2」, 3010150501) are children too:
                # when they complete the sum there is nothing to report
                c = sum_qty(doc, table, kids + odd, [col], parent, col, f"下级 {len(kids) + len(odd)} 行之和")
                if abs(a.value - c.value) <= gap_tolerance(a, c, a.value - c.value):
                    continue
            if repeated is None:
                repeated = _repeated_codes(table)
            doubt = (_layout_doubt(table, col, parent, kids) or _cut_at_table_end(table, parent, a.value, b.value)
                     or ("（下级行的科目编码不完整，未能逐行核对）" if odd else "") or repeated
                     or ("（政府决算表可能未列示部分下级科目）" if undisclosed and a.value > b.value else ""))
            compare(result, "table.parent_sum", f"{code}=Σ下级", a, b, what,
                    severity="warning" if doubt else "error", note=doubt)


def check_total_row(doc: Document, table: Table, result: AuditResult) -> None:
    """The 合计 row equals the sum of the 类 rows; in the economic table 人员/公用经费合计 by their 类."""
    rows = _code_rows(table)
    classes = [r for c, r in rows.items() if len(c) == 3]
    # a table listing function classes with economic ones below them (西安 表7): the total is the
    # sum of one classification, the function one
    if any(c.startswith("2") for c in rows) and any(c[0] in "35" for c in rows):
        classes = [r for r in classes if (r.code or "").startswith("2")]
    if not classes:
        return
    cols = amount_columns(table)
    children = _code_tree(table)
    memo: dict = {}
    economic = all(c.startswith("3") for c in rows) and table.kind in ("一般公共预算财政拨款基本支出决算明细表", "一般公共预算基本支出预算表")
    for row in table.rows:
        name = row.label
        if row.is_total:
            members = classes
        elif economic and name == "人员经费合计":
            members = [r for r in classes if r.code in ("301", "303")]
        elif economic and name == "公用经费合计":
            members = [r for r in classes if r.code not in ("301", "303")]
        else:
            continue
        for col in cols:
            if row.cells.get(col) is None and all(m.cells.get(col) is None for m in members):
                continue
            a = cell_qty(doc, table, row, col)
            b = sum_qty(doc, table, members, [col], None, col, "、".join(m.code or "" for m in members) + " 类之和",
                        max(1, sum(printed_leaves(children, m, col, memo) for m in members)),
                        sum(zero_leaves(children, m, col, memo) for m in members) if _no_negative(table.rows, col) else 0)
            held = abs(a.value - b.value) <= gap_tolerance(a, b, a.value - b.value)
            last = members[-1] if members else None
            doubt = "" if held else (_layout_doubt(table, col, row, members) or _repeated_codes(table)
                                     or (_cut_at_table_end(table, last, a.value, b.value) if last is not None else ""))
            compare(result, "table.total_row", f"{name}=Σ类", a, b, lambda: f"「{a.loc.table}」{row.name}应等于各类科目之和",
                    severity="warning" if doubt else "error", note=doubt)


_FIELD_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?%?$")


def _raw_level(row: Row) -> int:
    """How far right a row's label sits in its printed line: the last text field before its first
    amount (政府采购表: 一、货物 │ 项目 │ 经济科目 │ 品目, each level one field further right). 0 when
    the line was not kept."""
    fields = [f.strip() for f in (row.raw or "").split("\t")]
    last = 0
    for i, f in enumerate(fields):
        if not f:
            continue
        if _FIELD_NUMBER.match(f):
            if last or i > 0 and any(fields[:i]):
                break
            continue  # a leading row number (1 │ 一、财政拨款收入 …)
        last = i
    return last


def _row_tree(rows: list[Row]) -> tuple[list[Row], dict[int, list[Row]]]:
    """(top rows, children by row id) from the label positions: a row owns the rows after it that
    sit further right, up to the next one at its position or left of it."""
    roots: list[Row] = []
    kids: dict[int, list[Row]] = {}
    stack: list[tuple[int, Row]] = []
    for r in rows:
        lv = _raw_level(r)
        while stack and stack[-1][0] >= lv:
            stack.pop()
        (kids.setdefault(id(stack[-1][1]), []) if stack else roots).append(r)
        stack.append((lv, r))
    return roots, kids


def _subtotal_run(rows: list[Row], col: str) -> bool:
    """Whether some row equals the sum of the rows right after it (two or more): a subtotal the
    layout does not show, so the rows are no flat list."""
    vals = [r.cells.get(col) for r in rows]
    for i, v in enumerate(vals):
        if not v or v <= 0:
            continue
        run, n = Decimal(0), 0
        for w in vals[i + 1:]:
            run += w or 0
            n += 1
            if n >= 2 and run == v:
                return True
            if run > v:
                break
    return False


def check_row_tree(doc: Document, table: Table, result: AuditResult) -> None:
    """Tables without subject codes (政府采购, 政府购买服务, an economic table printing 50101-… on each
    line): the 合计 row is the sum of the top rows, each row with rows set further right under it the
    sum of those. The layout is read, not printed, so a table is held to it only when it mostly
    holds: failures beside at least twice as many identities that hold (another column, another
    group), or a flat list (every label at one position, no row the sum of those after it)."""
    if table.side or table.kind.startswith("三公"):
        return
    coded = _code_rows(table)
    if _code_tree(table) or any(len(c) == 3 for c in coded):
        return  # subject codes give the tree (check_hierarchy, check_total_row)
    if not any(r.is_total for r in table.rows):
        return  # no 合计 row to hold the rows to
    data = [r for r in table.rows if any(v is not None for v in r.cells.values()) and not _column_numbers(r)]
    totals = [r for r in data if r.is_total]
    if len(totals) != 1 or totals[0] not in (data[0], data[-1]) or len(data) < 3:
        return
    total = totals[0]
    rows = [r for r in data if r is not total and not r.label.startswith("其中") and not r.name.startswith("其中")]
    roots, kids = _row_tree(rows)
    flat = not kids
    groups = [(total, roots, "所列各行之和" if flat else "各项之和")]
    groups += [(r, kids[id(r)], f"其下 {len(kids[id(r)])} 行之和") for r in rows if id(r) in kids]
    cols = [c for c in amount_columns(table) if not UNNAMED.search(c)]
    held, failed, ok = 0, [], []
    for col in cols:
        if flat and _subtotal_run(rows, col):
            return  # a hierarchy the label positions do not show: no sum can be drawn
        for parent, members, what in groups:
            if parent.cells.get(col) is None:
                continue  # an empty parent beside printed members: the layout, not the sum, is in doubt
            a = cell_qty(doc, table, parent, col)
            b = sum_qty(doc, table, members, [col], None, col, what)
            if abs(a.value - b.value) <= gap_tolerance(a, b, a.value - b.value):
                held += any(m.cells.get(col) for m in members)
                ok.append((parent, members, col, a, b))
            else:
                failed.append((parent, members, col, a, b))
    if len(failed) > 2 or (failed and held < 2 * len(failed) and not (flat and len(failed) == 1)):
        return
    last = rows[-1]
    for parent, members, col, a, b in ok + failed:
        name = "合计" if parent is total else (parent.name or "")
        # a group running to the table's last row, short of its head: the rest sit on a page not read
        cut = (members[-1] is last and b.value < a.value and parent is not total)
        compare(result, "table.row_sum", f"{name}=Σ行", a, b, lambda: f"「{a.loc.table}」{name}应等于{b.loc.derived}",
                severity="warning" if cut else "error", note="（下级行排到表末，其余行可能在续页未读入）" if cut else "")


_TOP = re.compile(r"(收入|支出)?(总计|合计)")


def check_subtotals(doc: Document, table: Table, result: AuditResult) -> None:
    """A table opening on its 总计 and broken into groups each closed by a 小计 row (江苏's 收入预算总表:
    财政拨款资金 小计, 财政专户管理资金 小计, 其他资金 小计, 债务资金 小计): the 总计 is the sum of the 小计s."""
    subs = [r for r in table.rows if (r.name or "").startswith("小计")]
    if len(subs) < 2:
        return
    data = [r for r in table.rows if any(v is not None for v in r.cells.values())]
    if not data or not _TOP.fullmatch(data[0].name or "") or data[0] in subs:
        return
    if any(r.is_total for r in table.rows if r is not data[0]):
        return  # another total row: the groups are not the only parts
    for col in amount_columns(table):
        if data[0].cells.get(col) is None or not any(r.cells.get(col) for r in subs):
            continue
        a = cell_qty(doc, table, data[0], col)
        b = sum_qty(doc, table, subs, [col], None, col, f"{len(subs)} 个小计之和")
        compare(result, "table.subtotals", f"{data[0].name}=Σ小计", a, b, lambda: f"「{a.loc.table}」{data[0].name}应等于各小计之和")


def check_sides(doc: Document, tables: list[Table], result: AuditResult) -> None:
    """Each side: 本年合计 = Σ numbered lines, 总计 = 本年合计 + 结转结余; then 总计 收入 = 总计 支出."""
    by_index: dict[int, dict[str, Table]] = {}
    for t in tables:
        if t.side:
            by_index.setdefault(t.index, {})[t.side] = t
    for sides in by_index.values():
        grands: dict[str, Qty] = {}
        lines: dict[str, list] = {}  # per side, over all its classifications
        for side, t in [(side, block) for side, whole in sides.items() for block in classification_blocks(whole)]:
            cols = amount_columns(t)
            if not cols:
                continue
            col = cols[0]  # the first amount column of a side is its total (金额 / 合计 / 2023年预算数)
            total, items, grand, carries = side_figures(t)
            # a 本年支出 heading row followed by its own numbered classes (预算表4) is the total itself
            if total is not None and items and total.cells.get(col) is not None:
                a = cell_qty(doc, t, total, col)
                b = sum_qty(doc, t, items, [col], None, col, f"{len(items)} 个项目之和")
                compare(result, "table.side_total", f"{total.label}=Σ", a, b, lambda: f"「{a.loc.table}」{total.name}应等于所列各项之和")
            if total is not None and grand is not None and grand is not total and grand.cells.get(col) is not None:
                a = cell_qty(doc, t, grand, col)
                b = sum_qty(doc, t, [total, *carries], [col], None, col, "本年合计+结转结余")
                compare(result, "table.side_grand_total", "总计=本年合计+结转结余", a, b, lambda: f"「{a.loc.table}」总计应等于本年合计加结转结余")
            _classifications(doc, t, total, grand, carries, result)
            lines.setdefault(side, []).extend(_side_lines(doc, t, col))
            # a side closing on its 合计, with no 结转结余 line, balances on it (重庆: 合计 │ 合计)
            closing = grand if grand is not None else total if not carries else None
            # a two-classification side prints its closing total in the second column only
            if (closing_col := printed_column(t, closing, col)) is not None and side not in grands:
                grands[side] = cell_qty(doc, t, closing, closing_col)  # the first classification balances
        for found in lines.values():
            _report_side_lines(found, result)
        if "收入" in grands and "支出" in grands:
            a, b = grands["收入"], grands["支出"]
            compare(result, "table.balance", "收入总计=支出总计", a, b, lambda: f"「{a.loc.table.rsplit('·', 1)[0]}」收入总计与支出总计")


def _side_lines(doc: Document, t: Table, col: str) -> list[tuple[Row, Qty, Qty, bool]]:
    """A numbered line of a side with lines numbered one level deeper under it adds them up (1、财政拨款 =
    (1)一般公共预算拨款 + (2)政府性基金拨款 + (3)国有资本经营预算收入; 其中 lines are no parts):
    (line, its figure, the sum, whether the lines run to the side's end and fall short)."""
    rows = [(r, numbering_level(r.name)) for r in t.rows if r.cells.get(col) is not None]
    last = rows[-1][0] if rows else None
    out = []
    for i, (head, level) in enumerate(rows):
        if level is None:
            continue
        kids: list[Row] = []
        depth = None
        for r, lv in rows[i + 1:]:
            if (r.name or "").startswith("其中") or r.label.startswith("其中"):
                continue
            if lv is None or lv <= level:
                break
            depth = depth or lv
            if lv == depth:
                kids.append(r)
        if len(kids) >= 2:
            a = cell_qty(doc, t, head, col)
            b = sum_qty(doc, t, kids, [col], None, col, f"其下 {len(kids)} 项之和")
            out.append((head, a, b, kids[-1] is last and b.value < a.value))
    return out


def _report_side_lines(lines: list[tuple[Row, Qty, Qty, bool]], result: AuditResult) -> None:
    """Held to only where it mostly holds: a side whose nesting is not a sum (lines of another
    classification set deeper) fails more often than it holds, and says nothing."""
    failing = sum(abs(a.value - b.value) > gap_tolerance(a, b, a.value - b.value) for _, a, b, _ in lines)
    if failing > 2 and failing * 2 > len(lines):
        return
    for head, a, b, cut in lines:
        compare(result, "table.side_lines", f"{head.name}=Σ下级", a, b, lambda: f"「{a.loc.table}」{head.name}应等于其下所列各项之和",
                severity="warning" if cut else "error", note="（下级行排到表末，其余行可能在续页未读入）" if cut else "")


def classification_blocks(t: Table) -> list[Table]:
    """A side printing its spending classified several times, one block after another, each opening
    with the same total line and printing its figures in a column of its own (西安 部门综合预算收支总表:
    by function under 预算数, by kind under 预算数#2, by 部门经济分类 under 预算数#3): one side per block,
    each read under the first column's name. Any other side is itself."""
    rows = t.rows
    starts = [i for i, r in enumerate(rows) if r.name == rows[0].name]
    cols = amount_columns(t)
    if len(starts) < 2 or not cols:
        return [t]
    base = cols[0]
    blocks, used = [], set()
    for k, start in enumerate(starts):
        block = rows[start: starts[k + 1] if k + 1 < len(starts) else len(rows)]
        printed = {c for r in block for c, v in r.cells.items() if v is not None}
        if len(printed) != 1:
            return [t]
        col = printed.pop()
        if col in used or (col != base and not (UNNAMED.search(col) and col.split("#")[0] == base)):
            return [t]  # a line repeated within one classification (财政拨款 under 本年 and under 结转)
        used.add(col)
        blocks.append(replace(t, rows=[replace(r, cells={base: r.cells[col]} if col in r.cells else {}) for r in block]))
    return blocks


def _classifications(doc: Document, t: Table, total: Row | None, grand: Row | None, carries: list[Row],
                     result: AuditResult) -> None:
    """A 支出 side printing two classifications side by side (江苏: 功能分类 │ 金额 │ 支出用途 │ 金额) whose
    one 当年支出小计 sits in the second's column: each classification's numbered lines add up to it."""
    cols = amount_columns(t)
    if total is None or len(cols) < 2 or total.cells.get(cols[0]) is not None:
        return  # one classification (or the first column holds the total): check_sides has it
    tcol = printed_column(t, total, cols[0])
    if tcol is None:
        return
    for col in cols:
        lines = [r for r in t.rows if r is not total and not r.is_total
                 and re.match(r"^\s*[一二三四五六七八九十]+、", r.name or "") and r.cells.get(col) is not None
                 and not CARRY.search(r.name or "")]
        if len(lines) < 2:
            continue
        a = cell_qty(doc, t, total, tcol)
        b = sum_qty(doc, t, lines, [col], None, col, f"{len(lines)} 个项目之和")
        compare(result, "table.side_total", f"{total.label}=Σ{col.split('/')[0]}", a, b,
                lambda: f"「{a.loc.table}」{total.name}应等于{col.split('/')[0]}各项之和")
    if grand is not None and grand is not total and grand.cells.get(tcol) is not None:
        carried = [(r, c) for r in carries for c in cols if r.cells.get(c) is not None]
        a = cell_qty(doc, t, grand, tcol)
        b = sum_qty(doc, t, [total, *(r for r, _ in carried)], [tcol, *{c for _, c in carried}], None, tcol,
                    "本年合计+结转结余")
        compare(result, "table.side_grand_total", "总计=本年合计+结转结余", a, b, lambda: f"「{a.loc.table}」总计应等于本年合计加结转结余")


def check_sangong(doc: Document, table: Table, result: AuditResult) -> None:
    """三公 tables printed as rows (合计 / 因公出国 / 公务用车… / 购置费 / 运行费 / 公务接待费)."""
    names = {r.label: r for r in table.rows}
    total = next((r for n, r in names.items() if n in ("合计", "三公经费合计") or "三公" in n), None)
    cars = next((r for n, r in names.items() if n.startswith("公务用车购置及运行")), None)
    trip = next((r for n, r in names.items() if n.startswith("因公出国")), None)
    host = next((r for n, r in names.items() if n.startswith("公务接待")), None)
    buy = next((r for n, r in names.items() if n.startswith("公务用车购置") and not n.startswith("公务用车购置及")), None)
    run = next((r for n, r in names.items() if n.startswith("公务用车运行")), None)
    for col in amount_columns(table):
        if total is not None and trip is not None and cars is not None and host is not None:
            a = cell_qty(doc, table, total, col)
            b = sum_qty(doc, table, [trip, cars, host], [col], None, col, "三项之和")
            compare(result, "table.sangong_total", "三公合计=三项之和", a, b, lambda: f"「{a.loc.table}」三公经费合计应等于三项之和")
        if cars is not None and buy is not None and run is not None:
            a = cell_qty(doc, table, cars, col)
            b = sum_qty(doc, table, [buy, run], [col], None, col, "购置费+运行维护费")
            compare(result, "table.sangong_cars", "公务用车=购置+运行", a, b, lambda: f"「{a.loc.table}」公务用车购置及运行维护费应等于购置费与运行维护费之和")


def check_tables(doc: Document, result: AuditResult) -> list[Table]:
    """Identities within each table and between the sides of a two-sided table; returns the tables checked."""
    tables = [t for t in doc.tables if t.kind not in SKIP_KINDS]
    government = (check_columns, partial(check_hierarchy, undisclosed=True), check_total_row, check_row_tree,
                  check_regions, check_formulas, check_transfers)
    for t in [t for t in doc.tables if t.kind in GOVERNMENT_ONLY]:
        for check in government:
            _where_it_fits(result, check, doc, t)
    for t in tables:
        start, checks = len(result.findings), len(result.checks)
        check_columns(doc, t, result)
        check_hierarchy(doc, t, result)
        check_total_row(doc, t, result)
        check_row_tree(doc, t, result)
        check_subtotals(doc, t, result)
        check_formulas(doc, t, result)
        if t.kind.startswith("三公"):
            check_sangong(doc, t, result)
        _doubt_mass_failures(result, start, len(result.checks) - checks)
    check_sides(doc, tables, result)
    # a region's 收支总表 printed 收入 │ 支出 side by side balances as a department's does
    two_sided = [t for t in doc.tables if t.kind in GOVERNMENT_ONLY and t.side]
    if two_sided:
        _where_it_fits(result, lambda d, _t, r: check_sides(d, two_sided, r), doc, two_sided[0])
    return tables


def _where_it_fits(result: AuditResult, check, doc: Document, table: Table) -> None:
    """A whole-government table is held to an identity only where the identity fits it: such tables
    list a selection (专项转移支付 by region prints its main items beside a 总计 of all; 功能分类 tables
    leave out undisclosed 款), so a rule failing on more than a few rows is the table's shape, not a
    slip, and its findings are dropped."""
    start, checks = len(result.findings), len(result.checks)
    check(doc, table, result)
    # their figures are rounded one by one (亿元 to the cent, 万元 to the unit): a gap within rounding is the norm
    new = [f for f in result.findings[start:] if f.severity != "rounding"]
    del result.findings[start:]
    if sum(f.severity == "error" for f in new) > max(2, (len(result.checks) - checks) // 20):
        return
    result.findings.extend(new)


def _doubt_mass_failures(result: AuditResult, start: int, n_checks: int) -> None:
    """A table where most identities fail was read wrongly (columns shifted, headers merged), not
    printed wrongly: real slips are a cell or two. Its failures become warnings that say so."""
    found = [f for f in result.findings[start:] if f.severity == "error"]
    if len(found) >= 3 and len(found) * 10 > n_checks * 3:
        for f in found:
            f.severity = "warning"
            f.message += f"（本表 {len(found)}/{n_checks} 项勾稽不符，更可能是表格未正确识别，请对照原表。）"


# ---------------------------------------------------------------- document level


def check_document(doc: Document, result: AuditResult) -> None:
    """Standard tables missing; a table header naming another department or year."""
    kinds = {t.kind for t in doc.tables}
    if doc.kind in STANDARD_KINDS:
        # 绩效 forms and the 统计表 are not in every disclosure; the core tables are.
        core = [k for k in STANDARD_KINDS[doc.kind] if k not in PERFORMANCE_KINDS and k != "相关信息统计表" and k != "项目支出预算表"]
        if doc.scope == "单位" or _university(doc) or _government(doc):
            core = []  # unit budgets, university forms and a region's 总决算 have their own sets
        # 「本部门无国有资本经营预算」: a fund's table left out rightly
        missing = [k for k in core if k not in kinds and not says_none(doc, k)]
        if len(missing) * 2 > len(core):  # most of the set absent: an extract of pages, one finding says so
            loc = Location(document=doc.file, table="、".join(missing))
            result.findings.append(Finding(
                "warning", "document.missing_table", loc, loc, None, None, None, None,
                f"未找到 {len(missing)}/{len(core)} 张标准表（{'、'.join(missing)}）：文件可能只是节选，请确认是否为完整公开文件。"))
            missing = []
        for k in missing:
            loc = Location(document=doc.file, table=k)  # the kind missing: each its own finding (id)
            result.findings.append(Finding(
                "warning", "document.missing_table", loc, loc, None, None, None, None,
                f"未找到标准表「{k}」：请确认文件是否缺表，或表名是否印错。"))
    _check_headers(doc, result)


def _government(doc: Document) -> bool:
    """A region's 总预算 / 总决算 (黑龙江省2024年决算): most of its tables are whole-government kinds, and
    a department's standard set is not expected of it."""
    return sum(t.kind in GOVERNMENT_ONLY for t in doc.tables) * 2 > len(doc.tables)


def _university(doc: Document) -> bool:
    """The universities' 4-table template (收支决算总表, 收入决算表, 支出决算表, 财政拨款支出决算表):
    named by 高等学校 in a title, by a department that is a 大学/学院/学校, or by its 收支决算总表."""
    titles = " ".join(t.title for t in doc.tables)
    return ("高等学校" in titles or bool(re.search(r"(大学|学院|学校)(（汇总）)?$", doc.department or ""))
            or (bool(re.search(r"(?<!财政)收支决算总表", titles)) and len({t.index for t in doc.tables}) <= 5))


_YEAR = re.compile(r"(20\d\d)\s*年")


def _check_headers(doc: Document, result: AuditResult) -> None:
    if doc.year is None:
        return
    for t in doc.tables:
        if t.kind in SKIP_KINDS or (t.side == "支出"):
            continue
        m = _YEAR.search(t.title or "")
        if m and int(m.group(1)) != doc.year:
            loc = cell_location(doc, t, None, None)
            result.findings.append(Finding(
                "warning", "document.header_year", loc, Location(document=doc.file), Decimal(m.group(1)), Decimal(doc.year), None, None,
                f"表头年份 {m.group(1)} 与文件年度 {doc.year} 不一致：{loc.label()}。"))
