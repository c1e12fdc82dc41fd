"""Derived question forms over cells: difference, share, execution rate, unspent money, sums,
the largest / smallest of named rows or projects, and several named items at once.

Each form reads its cue words, resolves its operands to cells (`budgetqa.app.qa.cells`) and returns a `Grounded`
answer whose claims declare the derivation the checker recomputes; None when the form does not fit.
"""

from __future__ import annotations

import re
from decimal import Decimal

from budgetqa.app.qa.cells import (Grounded, _YEARS, best_cell, best_named, cell_fact_id, cell_unit, confident, describe,
                       fmt_amount, fmt_unit, round2, value_text)
from budgetqa.app.qa.match import Cell, bare_name, is_total, norm, rank_cells
from budgetqa.app.models import Claim
from budgetqa.ingest.models import Document, Table

_DIFF = re.compile(r"(.+?)比(.+?)(多出|多了|多|少了|少|高出|高|低|增加了|增加|减少了|减少|调减了|调减|调增了|调增|相差|差)(多少|了多少|几)")
# 「A与B相差多少」: the distance between two cells, without saying which is larger
_APART = re.compile(r"(.+?)[与和跟同](.+?)(?:之间)?(相差|差额|之差|差距|差)(?:是|为)?(多少|几)")
_SHARE = re.compile(r"占(.+?)的?(比重|比例|占比|百分比)|(.+?)占比|(.+?)所占比")
_RATE = re.compile(r"执行率|完成率|预算执行")
_UNSPENT = re.compile(r"没有执行|未执行|没执行|未使用|结余多少|没花")
_SUPERLATIVE = re.compile(r"(哪[项个一类种笔家]|哪些?).{0,12}?(最多|最高|最大|最少|最低|最小)|(最多|最高|最大|最少|最低|最小)的是")
_SUM = re.compile(r"合计|总共|一共|共计|之和|加起来|总和")
_LIST_SPLIT = re.compile(r"[、和与及]|以及")


def difference(doc: Document, question: str) -> Grounded | None:
    m = _DIFF.search(question) or _APART.search(question)
    if not m:
        return None
    left, right, verb = m.group(1), m.group(2), m.group(3)
    context = question[: m.start()]
    if m.re is _APART:  # 「A与B」: A is what comes after the last comma
        head = re.split(r"[，,：:]", left)
        left, context = head[-1], context + "".join(h + "，" for h in head[:-1])
    if doc.year and any(int(y) != doc.year for y in _YEARS.findall(left + right)):
        return None  # another year's figure is not in this document's tables
    paired = _same_row_pair(doc, context, left, right)
    if paired is not None:
        a, b = paired
        return _difference_answer(doc, a, b, verb)
    a = best_cell(doc, context + left)
    if not confident(a):
        return None
    # the other side of the comparison: same table first (本年支出合计 vs 本年收入合计)
    b = best_cell(doc, context + right, tables=[t for t in doc.tables if t.index == a.table.index])
    named = b is not None and (b.parts[1] >= 1.0 or b.parts[2] >= 0.35)
    if not named or (b.table is a.table and b.row_index == a.row_index and b.column == a.column):
        b = best_cell(doc, context + right)
        if not confident(b):
            return None
    if b.table is a.table and b.row_index == a.row_index and b.column == a.column:
        return None
    return _difference_answer(doc, a, b, verb)


_MEASURE = re.compile(r"年初预算数|全年预算数|预算数|决算数|执行数|预算|决算")


def _same_row_pair(doc: Document, context: str, left: str, right: str) -> tuple[Cell, Cell] | None:
    """「公务用车运行维护费决算数比预算数少多少」: one item, two measures — two columns of one row."""
    if not (_MEASURE.search(left) and _MEASURE.search(right)):
        return None
    item = _MEASURE.sub("", left)
    for a in rank_cells(doc, context + left, limit=8):
        if not confident(a):
            continue
        for b in rank_cells(doc, context + right + item, tables=[a.table], limit=8):
            if b.row_index == a.row_index and b.column != a.column and b.parts[2] > 0:
                return a, b
    return None


def _difference_answer(doc: Document, a: Cell, b: Cell, verb: str) -> Grounded | None:
    if cell_unit(a) != cell_unit(b):
        return None
    diff = a.value - b.value
    word = "多" if diff > 0 else ("少" if diff < 0 else "相同，差额")
    if verb.startswith(("增加", "减少", "调减", "调增")):
        word = "增加" if diff >= 0 else "减少"
    elif verb.startswith(("相差", "差")):  # 「A与B相差多少」 asks the distance, not a direction
        word = "相差"
    unit = fmt_unit(cell_unit(a))
    text = (
        f"{word} {fmt_amount(abs(diff))}{unit}"
        f"（{describe(a)} {value_text(a)}，{describe(b)} {value_text(b)}）"
    )
    fa, fb = cell_fact_id(doc, a), cell_fact_id(doc, b)
    claims = [
        Claim(value=diff, unit=cell_unit(a), fact_ids=[fa, fb], derivation="difference"),
        Claim(value=a.value, unit=cell_unit(a), fact_ids=[fa]),
        Claim(value=b.value, unit=cell_unit(b), fact_ids=[fb]),
    ]
    return Grounded(text, claims, [a, b], form="difference")


def project_money(doc: Document, text: str) -> tuple[Table, int] | None:
    """The 绩效 table whose project the text names, and its 资金总额 row."""
    from budgetqa.app.qa.match import bigrams, table_score

    q = norm(text)
    qg = bigrams(q)
    best, score = None, 0.0
    for t in doc.tables:
        if not any("执行数" in c for c in t.columns):
            continue
        s = table_score(t, q, qg)
        if s > score:
            best, score = t, s
    if best is None or score < 1.0:
        return None
    for ri, r in enumerate(best.rows):
        if is_total(r):
            return best, ri
    return None


def unspent(doc: Document, question: str) -> Grounded | None:
    """还有多少没有执行: 全年预算数 − 全年执行数 of the named project."""
    if not _UNSPENT.search(question):
        return None
    found = project_money(doc, question)
    if found is None:
        return None
    table, ri = found
    budget = next((c for c in table.columns if "全年预算" in c), None)
    spent = next((c for c in table.columns if "执行数" in c), None)
    row = table.rows[ri]
    if not budget or not spent or row.cells.get(budget) is None or row.cells.get(spent) is None:
        return None
    ca = Cell(table, ri, budget, 0, (0, 0, 0))
    cb = Cell(table, ri, spent, 0, (0, 0, 0))
    diff = ca.value - cb.value
    unit = cell_unit(ca)
    text = f"{fmt_amount(diff)}{fmt_unit(unit)}（{describe(ca)} {value_text(ca)} − {cb.column} {value_text(cb)}）"
    fa, fb = cell_fact_id(doc, ca), cell_fact_id(doc, cb)
    claims = [Claim(value=diff, unit=unit, fact_ids=[fa, fb], derivation="difference"),
              Claim(value=ca.value, unit=unit, fact_ids=[fa]), Claim(value=cb.value, unit=unit, fact_ids=[fb])]
    return Grounded(text, claims, [ca, cb], form="difference")


def share(doc: Document, question: str) -> Grounded | None:
    m = _SHARE.search(question)
    if not m:
        return None
    if m.group(1):  # X占W的比重
        part_text, whole_text = question[: m.start()], m.group(1)
    else:  # W中X占比 / W里X所占比
        head = question[: m.start()] + (m.group(3) or m.group(4) or "")
        split = re.split(r"[中里内]", head, maxsplit=1)
        if len(split) == 2 and split[1]:
            whole_text, part_text = split[0], split[1]
        else:
            part_text, whole_text = head, ""
    part = best_cell(doc, part_text)
    if whole_text:
        # the whole often names the table the part sits in (占“三公”经费预算的比重): when the part's
        # words framed by the whole land in the whole's table, that reading of the part wins
        whole0 = _named_whole(doc, whole_text, None, None)
        framed = best_cell(doc, part_text + whole_text)
        if (whole0 is not None and confident(framed) and framed.table is whole0.table
                and not _same_cell(framed, whole0)):
            part = framed
        elif not confident(part) and confident(framed):
            part = framed
    if not confident(part):
        return None
    same = [t for t in doc.tables if t.index == part.table.index]
    whole = None
    if whole_text:
        whole = _named_whole(doc, whole_text, part, same)
        if whole is None:
            whole = _named_whole(doc, whole_text, part, None)
    if whole_text and whole is None:
        return None  # the whole the question names is not a cell here: never divide by another one
    if whole is None or not whole.value or _same_cell(whole, part):
        whole = _parent_total(part)
    if whole is None or not whole.value or cell_unit(whole) != cell_unit(part):
        return None
    pct = round2(part.value / whole.value * 100)
    fa, fb = cell_fact_id(doc, part), cell_fact_id(doc, whole)
    text = f"{pct}%（{describe(part)} {value_text(part)} ÷ {describe(whole)} {value_text(whole)}）"
    claims = [Claim(value=pct, unit="%", fact_ids=[fa, fb], derivation="share"),
              Claim(value=part.value, unit=cell_unit(part), fact_ids=[fa]),
              Claim(value=whole.value, unit=cell_unit(whole), fact_ids=[fb])]
    return Grounded(text, claims, [part, whole], form="share")


def _same_cell(a: Cell, b: Cell) -> bool:
    return a.table is b.table and a.row_index == b.row_index and a.column == b.column


def _named_whole(doc: Document, text: str, part: Cell | None, tables: list[Table] | None) -> Cell | None:
    """The cell the words of the whole name: its row or its column must be named, not just its table."""
    from budgetqa.app.qa.match import GENERIC_COLUMNS
    from budgetqa.app.qa.match import coverage

    q = norm(text)
    for c in rank_cells(doc, text, tables=tables, want_row=False, limit=5):
        if part is not None and _same_cell(c, part):
            continue
        last = norm(c.column.split("/")[-1])
        if c.parts[1] < 1.0 and last not in GENERIC_COLUMNS and coverage(last, q) < 0.75:
            continue  # 「基本支出」 does not name 基本支出/公用经费
        if c.parts[1] >= 1.0 or c.parts[2] >= 0.5:
            return c
    return None


def _parent_total(cell: Cell) -> Cell | None:
    """The whole a cell is part of: its parent code's row, else the table's total row, same column."""
    t, row = cell.table, cell.row
    if row.code and len(row.code) > 3:
        for ri, r in enumerate(t.rows):
            if r.code and row.code.startswith(r.code) and len(r.code) == len(row.code) - 2:
                if r.cells.get(cell.column) is not None:
                    return Cell(t, ri, cell.column, 0, (0, 0, 0))
    for ri, r in enumerate(t.rows):
        if is_total(r) and r.cells.get(cell.column) is not None and ri != cell.row_index:
            return Cell(t, ri, cell.column, 0, (0, 0, 0))
    # single-row tables (三公): the first column of the same group is the total
    group = cell.column.split("/")[0]
    for c in t.columns:
        if c != cell.column and c.split("/")[0] == group and ("合计" in c or "小计" in c or c == group):
            if row.cells.get(c) is not None:
                return Cell(t, cell.row_index, c, 0, (0, 0, 0))
    first = t.columns[0]
    if first != cell.column and row.cells.get(first) is not None:
        return Cell(t, cell.row_index, first, 0, (0, 0, 0))
    return None


def execution_rate(doc: Document, question: str) -> Grounded | None:
    if not _RATE.search(question):
        return None
    a = best_cell(doc, question)
    if a is None:
        return None
    cols = a.table.columns
    rate_col = next((c for c in cols if "执行率" in c), None)
    budget = next((c for c in cols if "全年预算" in c), None)
    spent = next((c for c in cols if "执行数" in c), None)
    row = a.row
    if budget and spent and row.cells.get(budget) and row.cells.get(spent) is not None:
        cb = Cell(a.table, a.row_index, budget, 0, (0, 0, 0))
        cs = Cell(a.table, a.row_index, spent, 0, (0, 0, 0))
        pct = round2(cs.value / cb.value * 100)
        fids = [cell_fact_id(doc, cs), cell_fact_id(doc, cb)]
        text = f"{pct}%（{describe(cs)} {value_text(cs)} ÷ {cb.column} {value_text(cb)}）"
        claims = [Claim(value=pct, unit="%", fact_ids=fids, derivation="execution_rate")]
        printed = row.cells.get(rate_col) if rate_col else None
        if printed is not None and abs(printed - pct) <= Decimal("0.5"):  # a 1.00 meaning 100% is not repeated as 1%
            cr = Cell(a.table, a.row_index, rate_col, 0, (0, 0, 0))
            text += f"；表列执行率 {row.cells[rate_col]}%"
            claims.append(Claim(value=row.cells[rate_col], unit="%", fact_ids=[cell_fact_id(doc, cr)]))
        return Grounded(text, claims, [cs, cb], form="execution_rate")
    return None


def superlative(doc: Document, question: str) -> Grounded | None:
    m = _SUPERLATIVE.search(question)
    if not m:
        return None
    want_max = any(w in m.group(0) for w in ("最多", "最高", "最大"))
    head = question[: m.start()].rstrip("，,：:；; ")
    # named candidates: 办公费、差旅费、邮电费、工会经费四项中
    raw_seg = re.split(r"[，,：:]", head)[-1]
    context = head[: len(head) - len(raw_seg)]
    seg = re.sub(r"(四|三|两|二|五|六|几|各)?(项|个|类)?(中|里|之中|当中)?$", "", raw_seg)
    names = [s for s in _LIST_SPLIT.split(seg) if len(norm(s)) >= 2]
    if len(names) < 2:
        context = head
    cells: list[Cell] = []
    if len(names) >= 2:
        first = best_named(doc, context, names[0])
        if first is None:
            return None
        for n in names:
            c = best_named(doc, context, n, tables=[first.table]) or best_named(doc, context, n)
            if c is None:
                return None
            if first.column in c.table.columns and c.table is first.table:
                c = Cell(c.table, c.row_index, first.column, c.score, c.parts) if c.row.cells.get(first.column) is not None else c
            cells.append(c)
    else:
        # every row of the best-matching table, excluding totals and parents
        # 「哪类支出最多」 ranks spending: a two-sided table's income side is not what is compared
        target = m.group(0)
        avoid = "收入" if "支出" in target and "收入" not in target else "支出" if "收入" in target else None
        anchor = [c for c in rank_cells(doc, question, want_row=False, limit=10) if not avoid or c.table.side != avoid][:1]
        if not anchor:
            return None
        t, col = anchor[0].table, anchor[0].column
        codes = [r.code for r in t.rows if r.code]
        # 「哪类支出最多」 compares 类 rows, 「哪款」 款 rows; otherwise the leaves (rows without children)
        level = 3 if re.search(r"哪[一]?类", question) else 5 if re.search(r"哪[一]?款", question) else None
        for ri, r in enumerate(t.rows):
            if is_total(r) or r.cells.get(col) is None:
                continue
            if level is not None:
                # 类 rows: a 3-digit code, or (总表 sides print no codes) a name numbered 一、二、…
                by_name = level == 3 and not r.code and re.match(r"^[一二三四五六七八九十]+、", r.name.strip())
                if not (r.code and len(r.code) == level) and not by_name:
                    continue
            elif r.code and any(o != r.code and o.startswith(r.code) for o in codes):
                continue
            cells.append(Cell(t, ri, col, 0, (0, 0, 0)))
    cells = [c for c in cells if c.value is not None]
    if len(cells) < 2:
        return None
    best = max(cells, key=lambda c: c.value) if want_max else min(cells, key=lambda c: c.value)
    word = "最多" if want_max else "最少"
    others = "；".join(f"{bare_name(c.row.name)} {value_text(c)}" for c in cells if c is not best)
    text = f"{bare_name(best.row.name)}{word}，{value_text(best)}（{describe(best)}；其余：{others}）"
    claims = [Claim(value=c.value, unit=cell_unit(c), fact_ids=[cell_fact_id(doc, c)]) for c in [best] + [
        c for c in cells if c is not best]]
    return Grounded(text, claims, [best] + [c for c in cells if c is not best], form="compare")


def _split_list(text: str, protect: set[str]) -> list[str]:
    """Split 「A、B和C」 into items, never inside a name that itself holds 和/与/及 (社会保障和就业支出)."""
    masked = text
    keep = {}
    for i, name in enumerate(sorted((n for n in protect if n in text), key=len, reverse=True)):
        token = chr(0xE000 + i)
        keep[token] = name
        masked = masked.replace(name, token)
    items = []
    for p in _LIST_SPLIT.split(masked):
        for token, name in keep.items():
            p = p.replace(token, name)
        if len(norm(p)) >= 2:
            items.append(p)
    return items


def list_names(doc: Document | None) -> set[str]:
    """Names in the document that contain a list word: they must not be split."""
    if doc is None:
        return set()
    names = {r.name.strip() for t in doc.tables for r in t.rows} | {t.title for t in doc.tables}
    names |= {bare_name(n) for n in names}
    return {n for n in names if n and _LIST_SPLIT.search(n)}


def sum_items(question: str, doc: Document | None = None) -> tuple[list[str], str] | None:
    """The named things a 合计 question adds up, and the rest of the question (the measure).

    「两个项目（A和B）全年执行数合计」 or 「A和B的全年执行数合计」.
    """
    if not (_SUM.search(question) or _SUM_INTENT.search(question)):
        return None
    protect = list_names(doc)
    inner = re.findall(r"[（(]([^）)]+)[）)]", question)
    parts = [p for seg in inner for p in _split_list(seg, protect)]
    if len(parts) >= 2:
        return parts, re.sub(r"[（(][^）)]+[）)]", "", question)
    head, sep, measure = question.rpartition("的")
    if sep:
        parts = _split_list(re.split(r"[，,：:]", head)[-1], protect)
        if len(parts) >= 2:
            return parts, measure
    m = _SUM.search(question)  # 「基本支出和项目支出合计是多少」
    if m:
        head = re.split(r"[，,：:]", question[: m.start()])
        parts = _split_list(head[-1], protect)
        if len(parts) >= 2:
            return parts, "".join(head[:-1]) + question[m.start():]
    return None


def _names_item(cell: Cell, item: str) -> bool:
    """The cell's row or table is the thing the item names (not just a cell in a named column)."""
    from budgetqa.app.qa.match import bigrams, coverage

    n = norm(item)
    row = bare_name(cell.row.name)
    if row and (row in n or coverage(row, n) >= 0.75):
        return True
    column = norm(cell.column.split("/")[-1])
    if is_total(cell.row) and len(column) >= 2 and (column in n or n in column):
        return True  # 「基本支出和项目支出合计」: the items are columns of the total row
    title = norm(cell.table.title)
    return len(bigrams(n) & bigrams(title)) >= max(2, len(bigrams(n)) // 2)


def total_of(doc: Document, question: str) -> Grounded | None:
    """合计 of several named rows or projects."""
    found = sum_items(question, doc)
    if found is None:
        return None
    parts, base = found
    cells = []
    for p in parts:
        c = best_cell(doc, p + base)
        if c is not None and not _names_item(c, p):
            c = None
        money = project_money(doc, p + base)
        if money is not None:
            table, ri = money
            q = norm(base)
            col = next((c for c in table.columns if norm(c.split("/")[-1]) in q and table.rows[ri].cells.get(c) is not None), None)
            if col is not None:
                c = Cell(table, ri, col, 10.0, (1.0, 1.0, 1.0))
        if not confident(c):
            return None
        cells.append(c)
    if len({(c.table.index, c.row_index, c.column) for c in cells}) < len(cells):
        return None
    units = {cell_unit(c) for c in cells}
    if len(units) != 1:
        return None
    total = sum((c.value for c in cells), Decimal(0))
    unit = units.pop()
    detail = " + ".join(f"{describe(c)} {value_text(c)}" for c in cells)
    fids = [cell_fact_id(doc, c) for c in cells]
    text = f"{fmt_amount(total)}{fmt_unit(unit)}（{detail}）"
    claims = [Claim(value=total, unit=unit, fact_ids=fids, derivation="sum")] + [
        Claim(value=c.value, unit=cell_unit(c), fact_ids=[f]) for c, f in zip(cells, fids)]
    return Grounded(text, claims, cells, form="sum")


_EACH = re.compile(r"各是多少|分别是多少|各为多少|分别为多少|各多少|分别多少|分别是|各是")


def each_of(doc: Document, question: str) -> Grounded | None:
    """「基本支出里人员经费和公用经费各是多少？」: one cell per named item, each cited."""
    m = _EACH.search(question)
    if not m:
        return None
    head = question[: m.start()]
    raw_seg = re.split(r"[，,：:。]", head)[-1]
    context = head[: len(head) - len(raw_seg)]
    # 「基本支出里人员经费和公用经费」: what comes before 里/中 frames the items
    frame, _, items_text = raw_seg.rpartition("里") if "里" in raw_seg else raw_seg.rpartition("中")
    items = _split_list(items_text or raw_seg, list_names(doc))
    if len(items) < 2:
        return None
    cells = [best_named(doc, context + frame, item) for item in items]
    by_column = False
    if any(c is None for c in cells):
        # 「“用餐人员”指标年度目标和实际完成分别是多少」: one row, the items are its columns
        cells, by_column = _columns_of_named_row(doc, head, items), True
        if not cells:
            return None
    if by_column:  # the realised value leads (实际完成值 before 年度指标值, 决算数 before 预算数)
        cells.sort(key=lambda c: 0 if re.search(r"实际|完成值|决算数|执行数", c.column) else 1)
    label = _column_label if by_column else (lambda c: bare_name(c.row.name))
    text = "；".join(f"{label(c)} {value_text(c)}" for c in cells)
    text += "（" + "；".join(describe(c) for c in cells) + "）"
    claims = [Claim(value=c.value, unit=cell_unit(c), fact_ids=[cell_fact_id(doc, c)]) for c in cells]
    return Grounded(text, claims, cells, form="each")


def _column_label(c: Cell) -> str:
    """项目支出/小计 reads as 项目支出: a generic last segment names nothing by itself."""
    from budgetqa.app.qa.match import GENERIC_COLUMNS

    parts = c.column.split("/")
    while len(parts) > 1 and norm(parts[-1]) in GENERIC_COLUMNS:
        parts.pop()
    return parts[-1]


def _columns_of_named_row(doc: Document, frame: str, items: list[str]) -> list[Cell]:
    from budgetqa.app.qa.match import KIND_PRIOR

    row_cell = best_cell(doc, frame)
    if row_cell is not None and row_cell.parts[1] < 1.0:
        # 「三公经费预算数和决算数分别是多少」: the named table's total row
        if not (row_cell.parts[0] >= 1.0 and (is_total(row_cell.row) or not bare_name(row_cell.row.name))):
            row_cell = None
    if row_cell is not None:
        return _item_columns(row_cell, items)
    # 「基本支出和项目支出各是多少」: the total row of the general table that has all the items as columns
    for c in rank_cells(doc, frame, want_row=False, limit=30):
        if is_total(c.row) and KIND_PRIOR.get(c.table.kind, 0) > 0:
            found = _item_columns(c, items, named_only=True)
            if found:
                return found
    return []


def _item_columns(row_cell: Cell, items: list[str], named_only: bool = False) -> list[Cell]:
    """One column of `row_cell`'s row per item, by the words they share (all different, or none)."""
    from budgetqa.app.qa.match import bigrams, coverage

    t, ri = row_cell.table, row_cell.row_index
    out = []
    for item in items:
        ig = bigrams(norm(item))
        scored = [(len(ig & bigrams(norm(c))), c) for c in t.columns if t.rows[ri].cells.get(c) is not None]
        scored = [x for x in scored if x[0] > 0]
        if not scored:
            return []
        col = max(scored, key=lambda x: x[0])[1]
        if named_only and coverage(norm(_column_label(Cell(t, ri, col, 0, (0, 0, 0)))), norm(item)) < 1.0:
            return []  # without a named row, each item must name its column outright
        out.append(Cell(t, ri, col, row_cell.score, row_cell.parts))
    return out if len({c.column for c in out}) == len(out) else []


_PROJECT_RANK = re.compile(r"哪[个一项]{0,2}项目|哪些项目")


def project_superlative(doc: Document, question: str) -> Grounded | None:
    """「哪个项目的执行率最低？得分多少？」 across the 绩效 forms, one per project."""
    from budgetqa.app.qa.match import bigrams, column_score

    m = _SUPERLATIVE.search(question)
    if not m or not _PROJECT_RANK.search(question):
        return None
    want_max = any(w in m.group(0) for w in ("最多", "最高", "最大"))
    forms = [t for t in doc.tables if "绩效" in t.kind and any(is_total(r) for r in t.rows)]
    if len(forms) < 2:
        return None
    q = norm(question[: m.end()])
    qg = bigrams(q)
    cells = []
    for t in forms:
        col = max(t.columns, key=lambda c: column_score(c, q, qg))
        if column_score(col, q, qg) <= 0:
            continue
        ri = next(i for i, r in enumerate(t.rows) if is_total(r))
        if t.rows[ri].cells.get(col) is not None:
            cells.append(Cell(t, ri, col, 0.0, (1.0, 1.0, 1.0)))
    if len(cells) < 2:
        return None
    best = max(cells, key=lambda c: c.value) if want_max else min(cells, key=lambda c: c.value)
    word = "最高" if want_max else "最低"
    name = re.sub(r"^[^（(]*[（(]|[）)]$", "", best.table.title.split("）（")[0]) or best.table.title
    picked = [best]
    text = f"{name}{best.column.split('/')[-1]}{word}，{value_text(best)}"
    tail = question[m.end():]
    if "得分" in tail or "分数" in tail:  # 「…得分多少？」 the same project's score
        score_row = next((i for i, r in enumerate(best.table.rows)
                          if re.search(r"总分|汇总得分|总得分|合计得分", bare_name(r.name))), None)
        if score_row is not None:
            row = best.table.rows[score_row]
            col = next((c for c in best.table.columns if "得分" in c and row.cells.get(c) is not None), None)
            if col:
                sc = Cell(best.table, score_row, col, 0.0, (1.0, 1.0, 1.0))
                picked.append(sc)
                text += f"，得分 {value_text(sc)}"
    text += f"（{best.table.title}；在各项目的绩效自评表中比较）"  # no digits: every number must be a checked figure
    claims = [Claim(value=c.value, unit=cell_unit(c), fact_ids=[cell_fact_id(doc, c)]) for c in picked]
    return Grounded(text, claims, picked, form="compare")



TABLE_FORMS = (unspent, project_superlative, execution_rate, difference, share, superlative, total_of, each_of)


_SUM_INTENT = re.compile(r"两个|两项|三个|三项|几个项目|之和|加起来|总和|一共|共计")


def derived_intent(question: str, doc: Document | None = None) -> bool:
    """The question asks for a computed figure: a single cell would answer something else."""
    return bool(_DIFF.search(question) or _APART.search(question) or _SHARE.search(question) or _SUPERLATIVE.search(question) or _EACH.search(question)
                or _UNSPENT.search(question) or _SUM_INTENT.search(question) or sum_items(question, doc))


