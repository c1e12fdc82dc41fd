"""The tables a 情况说明 item may describe: every spending table's subject rows, by scope.

A numbered item names a subject by codes (（221类）（02款）（01项）) or names (住房保障支出（类）住房改革支出
（款）…), the 类 and 款 sometimes left to the heading or the item before; `Subjects.find` turns the path
into a code, `Subjects.for_scope` gives the tables of the paragraph's scope (一般公共预算 / 财政拨款 /
all funds) whose row for that code the item's figure is compared with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from budgetqa.app.audit.quantities import amount_columns
from budgetqa.app.measures import own_year_columns
from budgetqa.ingest.classify import GENERAL_SPENDING, SPENDING
from budgetqa.ingest.labels import clean_label
from budgetqa.ingest.models import Document, Row, Table

# a lead-in left before a subject's name (主要用于…, 其中：)
LEAD_IN = re.compile(r"^.*?(?:主要用于以下方面|主要用于|其中|包括|具体|支出主要是|分别是|分别为)[：:]?")


@dataclass
class Source:
    table: Table
    col: str
    rows: dict[str, Row]  # code → first row with it
    scope: str  # 一般公共预算 / 财政拨款 / 全部


@dataclass
class Subjects:
    """Subject rows of every spending table, by scope: what a numbered item's figure may be read from."""

    sources: list[Source] = field(default_factory=list)

    @classmethod
    def of(cls, doc: Document, tables: list[Table]) -> Subjects:
        out = cls()
        for t in tables:
            # 财政拨款支出决算表: the university template's all-appropriations table by subject
            if t.kind not in GENERAL_SPENDING and t.kind not in SPENDING and t.kind != "财政拨款支出决算表":
                continue
            if re.search(r"基本支出|项目支出|专项|经济分类|机关运行", t.title.replace("基本支出和项目支出", "")):
                continue
            cols = own_year_columns(amount_columns(t), t, doc.year)
            rows: dict[str, Row] = {}
            for r in t.rows:
                if r.code and r.code.isdigit() and len(r.code) in (3, 5, 7) and r.code[0] == "2":
                    rows.setdefault(r.code, r)
            if not cols or not rows:
                continue
            scope = ("一般公共预算" if t.kind in GENERAL_SPENDING else
                     "财政拨款" if "财政拨款" in t.title or t.kind == "财政拨款支出决算表" else "全部")
            out.sources.append(Source(t, cols[0], rows, scope))
        return out

    def for_scope(self, scopes: list[str]) -> list[Source]:
        return [s for sc in scopes for s in self.sources if s.scope == sc]

    def find(self, names: list[str | None], codes: list[str | None], context: list[Row | None],
             sources: list[Source]) -> str | None:
        """The code a path names: by its codes, else by its names under the context's class/款."""
        full = _full_code(codes)
        if full and any(full in s.rows for s in sources):
            return full
        for s in sources:
            code = _by_names(s, names, context)
            if code:
                return code
        return None


def _full_code(codes: list[str | None]) -> str | None:
    """（221类）（02款）（01项） → 2210201; a full 5- or 7-digit code stands alone."""
    c, k, x = codes
    if x and len(x) == 7:
        return x
    if k and len(k) == 5:
        return k + x if x and len(x) == 2 else k if not x else None
    if c and len(c) == 3:
        code = c
        if k:
            code += k
            if x:
                code += x
        elif x:
            return None
        return code
    return None


def _same(a: str, b: str) -> bool:
    """Names match exactly, or one is the other cut short (一般公共服务 for 一般公共服务支出)."""
    return a == b or (len(b) >= 4 and a.startswith(b)) or (len(a) >= 4 and b.startswith(a))


def pick(rows: list[Row], name: str) -> Row | None:
    n = clean_label(LEAD_IN.sub("", name))
    # exact; cut short at a column edge; a lead-in left before the name; the name cut at a 、 (公诉、审判…支出)
    for test in (lambda lab: lab == n, lambda lab: _same(lab, n), lambda lab: len(lab) >= 2 and n.endswith(lab),
                 lambda lab: len(n) >= 4 and lab.endswith(n)):
        hits = [r for r in rows if test(r.label)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            longest = max(len(r.label) for r in hits)
            best = [r for r in hits if len(r.label) == longest]
            return best[0] if len(best) == 1 else None
    return None


def _by_names(s: Source, names: list[str | None], context: list[Row | None]) -> str | None:
    c_name, k_name, x_name = names
    ctx_c, ctx_k = context
    rows = list(s.rows.values())
    parent: Row | None = None
    if c_name:
        parent = pick([r for r in rows if len(r.code or "") == 3], c_name)
        if parent is None:
            return None
    elif ctx_c is not None and (k_name or x_name):
        parent = s.rows.get(ctx_c.code or "")
    if k_name:
        kids = [r for r in rows if len(r.code or "") == 5 and (parent is None or r.code.startswith(parent.code))]
        parent = pick(kids, k_name)
        if parent is None:
            return None
    elif x_name and ctx_k is not None and (parent is None or (ctx_k.code or "").startswith(parent.code or "")):
        parent = s.rows.get(ctx_k.code or "") or parent
    if x_name:
        kids = [r for r in rows if len(r.code or "") == 7 and (parent is None or r.code.startswith(parent.code))]
        got = pick(kids, x_name)
        return got.code if got else None
    return parent.code if parent else None
