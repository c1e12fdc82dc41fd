"""Resolve the words of a question to cells: which table, which row, which column.

Pure scoring over a document's tables. Names are compared by character bigrams (robust to the
cut and broken names of real documents); codes, when the question gives one, decide outright.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal

from budgetqa.ingest.models import Document, Row, Table

_PUNCT = re.compile(r"[\s“”「」『』‘’\"'、，,。？?！!：:；;（）()\[\]【】《》<>/|·…—\-]+")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十\d]+）|\([一二三四五六七八九十\d]+\)|\d+[.、]\s*|其中[:：]?)")
# Years carry no matching signal: a document has one year.
_YEAR = re.compile(r"20\d\d\s*年?度?")
_CODE = re.compile(r"(?<!\d)(\d{3}(?:\d{2}){0,2}|\d{6})(?!\d)")

# Words naming tables that the printed titles do not always contain.
TABLE_ALIASES: dict[str, list[str]] = {
    "一般公共预算财政拨款基本支出决算明细表": ["基本支出明细表", "基本支出决算明细表", "基本支出明细"],
    "一般公共预算基本支出预算表": ["基本支出表", "基本支出预算表"],
    "三公经费支出决算表": ["三公经费", "三公"],
    "三公经费支出预算表": ["三公经费", "三公"],
    "收入预算表": ["收入总表"],
    "支出预算表": ["支出总表"],
    "收支预算总表": ["收支总表"],
    "财政拨款收支预算总表": ["财政拨款收支总表"],
    "项目支出预算表": ["项目支出表"],
    "项目支出绩效自评表": ["绩效自评", "自评"],
    "项目支出绩效目标表": ["绩效目标"],
}

TOTAL_NAMES = ("合计", "总计", "小计")
# Column words that name no particular figure by themselves (「金额是多少」 asks nothing).
GENERIC_COLUMNS = {"金额", "决算数", "预算数", "合计", "小计", "数额", "本年", "当年预算", "统计数"}
_FUND_WORDS = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|预算单位|预算表|部门预算|单位预算|预算管理|决算表|部门决算")

# When the question names no table, the general tables are what people mean (a small prior only).
KIND_PRIOR = {"收入支出决算总表": 0.3, "收支预算总表": 0.3, "收入决算表": 0.2, "支出决算表": 0.25,
              "收入预算表": 0.2, "支出预算表": 0.25}


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """Question/name normal form: no punctuation, no spaces, no markup, no years."""
    text = re.sub(r"</?b>", "", text or "")
    text = _YEAR.sub("", text)
    return _PUNCT.sub("", text)


@lru_cache(maxsize=1 << 16)
def bare_name(name: str) -> str:
    """A row name without its list marker (八、社会保障和就业支出 → 社会保障和就业支出)."""
    name = re.sub(r"</?b>", "", name or "").strip()
    while True:
        new = _ORDINAL.sub("", name).strip()
        if new == name:
            break
        name = new
    return norm(name)


@lru_cache(maxsize=1 << 16)
def bigrams(s: str) -> frozenset[str]:
    return frozenset(s[i : i + 2] for i in range(len(s) - 1)) if len(s) > 1 else frozenset({s} if s else ())


def coverage(name: str, q: str, qgrams: set[str] | None = None) -> float:
    """Share of the name's bigrams that occur in the question (1.0 when the name is contained)."""
    if not name:
        return 0.0
    if name in q:
        return 1.0
    g = bigrams(name)
    qg = qgrams if qgrams is not None else bigrams(q)
    return len(g & qg) / len(g)


def table_score(table: Table, q: str, qgrams: set[str]) -> float:
    """How strongly the question names this table: length of the best-covered name, scaled."""
    printed = table.title.split("/")[0]
    title = norm(re.sub(r"[（(][^）)]*[表][^）)]*[）)]", "", printed))
    names = {title, norm(table.kind)} | {norm(a) for a in TABLE_ALIASES.get(table.kind, [])}
    # 「收入预算总表」 names 2025年部门收入预算总表: the 部门/单位/本年 prefix is not said
    names.add(re.sub(r"^(预算单位|部门|单位|本年|本级)+", "", title))
    # a project's name in its 绩效 table title: 项目支出绩效自评表（延吉纺织厂护厂经费）
    names |= {norm(m) for m in re.findall(r"[（(]([^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]", printed)
              if "表" not in m}
    scores = []
    for n in names:
        if len(n) < 2:
            continue
        c = coverage(n, q, qgrams)
        if c >= 0.999:
            scores.append(1.0 + len(n) / 10)
        elif c >= 0.6:
            scores.append(c * len(n) / 10)
    scores.sort(reverse=True)
    # the best name counts fully, further names (a project's unit beside its name) add a little
    best = (scores[0] + 0.3 * sum(scores[1:3])) if scores else 0.0
    if table.number and norm(table.number) and norm(table.number) in q:
        best += 2.0
    return best


def is_total(row: Row) -> bool:
    """合计 / 总计 rows, and a 绩效 table's 年度资金总额 (the project's total money)."""
    n = bare_name(row.name)
    return row.code is None and (n in TOTAL_NAMES or n.endswith("合计") or n.endswith("总计")
                                 or "资金总额" in n or "资金总和" in n)


def row_score(row: Row, q: str, qgrams: set[str], codes_in_q: set[str]) -> float:
    if row.code and row.code in codes_in_q:
        return 3.0
    n = bare_name(row.name)
    if not n:
        return 0.0
    c = coverage(n, q, qgrams)
    if c >= 0.999:
        return 1.0 + min(len(n), 20) / 20
    short = re.sub(r"(合计|小计|总计)$", "", n)  # 公用经费合计 answers 「公用经费是多少」
    if short != n and len(short) >= 4 and short in q:
        return 0.9 + min(len(short), 20) / 20
    if c >= 0.75 and len(n) >= 4:
        return c
    if len(n) >= 6 and n[-2:] in q and abbreviated(n, q):
        return 0.9  # 延边州发展研究中心 for 延边朝鲜族自治州发展研究中心
    if len(n) >= 10 and any(n[-k:] in q and n[-k - 1] in _NAME_PREFIX_END for k in range(5, len(n))):
        return 0.9  # 驻北京联络处 for 延边朝鲜族自治州人民政府驻北京联络处 (not 财政拨款收入 for 一般公共预算财政拨款收入)
    return 0.0


_NAME_PREFIX_END = set("省市县区州旗府局委厅")


def abbreviated(name: str, q: str) -> bool:
    """The question names `name` by a shortened form: ≥ 60% of its characters, in order, ending as it ends."""
    end = q.find(name[-2:])
    while end >= 0:
        stop = end + 2
        for start in range(max(0, stop - len(name)), stop - 3):
            cand = q[start:stop]
            if len(cand) >= 0.6 * len(name) and cand[0] == name[0] and in_order(cand, name):
                return True
        end = q.find(name[-2:], end + 1)
    return False


def in_order(short: str, long: str) -> bool:
    """The characters of `short` occur in `long` in the same order (an abbreviation's test)."""
    it = iter(long)
    return all(ch in it for ch in short)


def column_score(column: str, q: str, qgrams: set[str], shadowed: frozenset[str] = frozenset()) -> float:
    score = 0.0
    for seg in column.split("/"):
        s = norm(seg)
        if len(s) < 2 or s in shadowed:  # 合计 inside 「本年支出合计」 names a row, not this column
            continue
        if s.endswith("数") and len(s) >= 3 and s[:-1] in q:  # 全年预算数 named as 全年预算
            s = s[:-1]
        c = coverage(s, q, qgrams)
        if c >= 0.999:
            score += 0.5 + len(s) / 10
        elif c >= 0.7 and len(s) >= 4:
            score += c * 0.5
    return score


@dataclass
class Cell:
    table: Table
    row_index: int
    column: str
    score: float
    parts: tuple[float, float, float]
    specific: bool = False  # a column word other than 金额/合计/预算数… was named

    @property
    def row(self) -> Row:
        return self.table.rows[self.row_index]

    @property
    def value(self) -> Decimal | None:
        return self.row.cells.get(self.column)


def ancestors_named(table: Table, row: Row, q: str) -> float:
    """Bonus when the question names the row's parent subject (…下的行政运行)."""
    if not row.code or len(row.code) <= 3:
        return 0.0
    bonus = 0.0
    for other in table.rows:
        if other.code and other.code != row.code and row.code.startswith(other.code):
            n = bare_name(other.name)
            if len(n) >= 2 and n in q:
                bonus = max(bonus, 0.6)
    return bonus


def codes_in(question: str) -> set[str]:
    return set(_CODE.findall(re.sub(r"20\d\d\s*年", "", question)))


def _names_of(table: Table) -> str:
    return norm(table.title) + norm(table.kind) + "".join(norm(a) for a in TABLE_ALIASES.get(table.kind, []))


def _occurrences(name: str, q: str) -> list[tuple[int, int]]:
    out, i = [], q.find(name)
    while i >= 0:
        out.append((i, i + len(name)))
        i = q.find(name, i + 1)
    return out


def dominated_names(doc: Document, q: str, tables: list[Table]) -> set[str]:
    """Row names whose every occurrence in the question lies inside a longer name's occurrence.

    「一般公共预算…」 contains the short row name 一般公共 (预算表5 prints cut names), but the
    question means 一般公共预算: the longest name that fits a span is the one the question says.
    """
    names: set[str] = set()
    for t in tables:
        names.add(norm(t.kind))
        names |= {norm(p) for p in re.findall(r"[（(]([^（）()]{4,})", t.title) if "表" not in p}
        names |= {norm(a) for a in TABLE_ALIASES.get(t.kind, [])}
        names |= {norm(seg) for c in t.columns for seg in c.split("/")}
        names |= {bare_name(r.name) for r in t.rows}
    spans = {n: _occurrences(n, q) for n in names if len(n) >= 2}
    spans = {n: occ for n, occ in spans.items() if occ}
    dominated = set()
    for n, occ in spans.items():
        if all(any(o != n and len(o) > len(n) and any(a <= i and j <= b for a, b in spans[o]) for o in spans)
               for i, j in occ):
            dominated.add(n)
    return dominated


_SHADOW_CACHE: dict[tuple[str, str], frozenset[str]] = {}


def _shadowed(doc: Document, q: str) -> frozenset[str]:
    """dominated_names, once per document and question: the forms rank cells many times per question."""
    key = (doc.sha256, q)
    if key not in _SHADOW_CACHE:
        if len(_SHADOW_CACHE) > 512:
            _SHADOW_CACHE.clear()
        _SHADOW_CACHE[key] = frozenset(dominated_names(doc, q, doc.tables))
    return _SHADOW_CACHE[key]


def rank_cells(
    doc: Document,
    question: str,
    tables: list[Table] | None = None,
    want_row: bool = True,
    limit: int = 10,
    include_empty: bool = False,
) -> list[Cell]:
    """Cells ranked by how well the question names their table, row and column.

    `include_empty`: printed-empty cells compete too (an empty cell is an answer: zero or not applicable).
    """
    q = norm(question)
    qg = bigrams(q)
    codes = codes_in(question)
    out: list[Cell] = []
    scope = tables if tables is not None else doc.tables
    shadowed = _shadowed(doc, q)
    # unsaid, a 决算 document's figure is its 决算数 (the 三公 table prints 预算数 first)
    ledger_word = "决算" if doc.kind == "决算" and "预算" not in q and "决算" not in q else None
    # said, it must be kept: 「培训费预算」 is not the 培训费 决算数 (fund names such as 一般公共预算 aside)
    asked = _FUND_WORDS.sub("", q)
    conflict = ("决算" if "预算" in asked and "决算" not in asked else
                "预算" if "决算" in asked and "预算" not in asked else None)
    for t in scope:
        if not t.rows or not t.columns:
            continue
        ts = table_score(t, q, qg)
        col_scores = [column_score(c, q, qg, shadowed) for c in t.columns]
        t_cover = qg & bigrams(_names_of(t))
        col_cover = [qg & bigrams(norm(c)) for c in t.columns]
        specific_cols = [any(column_score(seg, q, qg, shadowed) > 0 for seg in c.split("/")
                             if norm(seg) not in GENERIC_COLUMNS) for c in t.columns]
        single = len([r for r in t.rows if any(v is not None for v in r.cells.values())]) == 1
        # words that name this table's project (…办公区域调整项目…) cannot name one of its rows as well
        q_rows = q
        for name in re.findall(r"[（(]([^（）()]{4,})", t.title):
            if "表" not in name and norm(name) in q_rows:
                q_rows = q_rows.replace(norm(name), "|")
        qg_rows = qg if q_rows == q else bigrams(q_rows)
        for ri, row in enumerate(t.rows):
            rs = row_score(row, q_rows, qg_rows, codes) if bare_name(row.name) not in shadowed else 0.0
            if rs > 0:
                rs += ancestors_named(t, row, q)
            elif want_row and not (single or is_total(row)):
                continue
            if not want_row and rs == 0 and is_total(row):
                rs = 0.2  # "the whole" defaults to the total row
            for ci, col in enumerate(t.columns):
                if conflict and conflict in col and (conflict == "预算" or "预算" not in col):
                    continue
                if row.cells.get(col) is None and not (
                    include_empty and rs >= 1.0 and (col_scores[ci] > 0 or not any(row.cells.values()))
                ):
                    continue  # an empty cell is the answer only when its row and column are both asked for
                cs = col_scores[ci]
                if rs == 0 and cs == 0:
                    continue
                # how much of the question the table, row and column names explain together
                joint = len(t_cover | col_cover[ci] | (qg & bigrams(bare_name(row.name)))) / max(1, len(qg))
                score = 2.0 * ts + 3.0 * rs + 2.0 * cs + 4.0 * joint - 0.01 * ci + KIND_PRIOR.get(t.kind, 0.0)
                if ledger_word and ledger_word in col:
                    score += 0.2
                out.append(Cell(t, ri, col, score, (ts, rs, cs), specific_cols[ci]))
    out.sort(key=lambda c: -c.score)
    return out[:limit]
