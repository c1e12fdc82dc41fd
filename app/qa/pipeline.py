"""Grounded mode: parse → resolve → execute → check → fit → render, straight from the parsed tables.

Each part of the question's `Plan` is executed on each chosen document; its figures go through the
figure checker and then the fit check, so a ✓ means both "printed in (or recomputed from) these
cells" and "these are the cells the question asks about". What only the prose states is quoted
with ⚠; what nothing states is 未找到, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal

from budgetqa.app.models import Answer, Citation, Figure
from budgetqa.app.qa import fit
from budgetqa.app.qa.assemble import checked_figures, citations_of, merge, overall_status, status_of
from budgetqa.app.qa.cells import Grounded, cell_unit, describe
from budgetqa.app.qa.execute import Executed, claim, execute, interpretation, item_name, round_to, said
from budgetqa.app.qa.lexicon import FUND_CONCEPTS, concepts, load_lexicon, normalize
from budgetqa.app.qa.match import norm
from budgetqa.app.qa.prose import prose_answer, stated_measures, stated_prior
from budgetqa.app.qa.query import Plan, Query, Ref
from budgetqa.ingest.classify import PERFORMANCE_KINDS
from budgetqa.ingest.models import Document
from budgetqa.ingest.store import Store

NOT_FOUND = "文件未提供：在所选文件的表格和说明中没有找到能回答这个问题的数字。"
_ACTUAL_ROLES = {"决算", "执行数"}


@dataclass
class Part:
    """One part of the question answered on one document."""

    query: Query
    text: str = ""
    figures: list[Figure] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    not_found: str | None = None
    interpretation: str = ""
    strength: float = 0.0  # how well the document fits the part, to choose between documents
    winner: object = None  # the cell a max / min part chose: what a later 「得分多少」 part is about

    @property
    def status(self) -> str:
        return "not_found" if self.not_found is not None else status_of(self.figures)


def _outside(doc: Document, query: Query) -> str | None:
    """Why the document cannot answer this part at all (another year; actuals asked of a budget)."""
    if query.year and doc.year and query.year != doc.year:
        return (f"文件未提供：本文件为{doc.year}年度{doc.scope or '部门'}{doc.kind or ''}，"
                f"不含{query.year}年的数据。")
    asks_actual = query.ledger == "决算" or any(_ACTUAL_ROLES & set(r.columns) for r in query.operands)
    if doc.kind == "预算" and asks_actual and query.op not in ("rate",):
        return "文件未提供：本文件为预算，只有预算数，没有实际支出（决算）数。"
    if doc.kind == "预算" and query.op == "rate":
        return "文件未提供：本文件为预算，没有执行数，不能计算执行率。"
    return None


_MEASURE_WORDS = {"年初预算": ("年初预算",), "全年预算": ("全年预算",), "调整预算": ("调整预算", "调整后"),
                  "决算": ("支出决算", "决算"), "执行数": ("执行数", "执行")}
_OP_WORDS = {"growth": "比上年", "rate": "完成预算", "share": "占"}
_WANT = {("growth", "amount"): ("增加", "减少", "增长", "下降", "上升", "降低", "增", "减", "多", "少"),
         ("growth", "percent"): ("增长", "下降", "增加", "减少", "上升", "降低", "增幅", "降幅", "增", "减"),
         ("rate", None): ("完成", "执行率", "完成率"), ("share", None): ("占",)}
_WANT[("growth", None)] = _WANT[("growth", "amount")]


@lru_cache(maxsize=1)
def _scope_words() -> frozenset[str]:
    lex = load_lexicon()
    return frozenset(normalize(w) for w in lex.out_of_scope.zh + lex.out_of_scope.en)


def _out_of_scope(query: Query) -> str | None:
    """A question about what no budget table holds (局长的电话, 网站): nothing to look up, whatever else matched."""
    words = [w for w in query.leftover if normalize(w) in _scope_words()]
    if not words:
        return None
    return f"文件未提供：问题问的是「{'、'.join(words)}」，部门预算、决算文件的表格和说明不含这类信息。"


_MEASURE_SAID = re.compile(r"^(当年|年初|全年|调整)预算数?$")
_ZERO_LEAD = re.compile(r"^0(?:\.0+)?\s*(万元|元|亿元)。")


def wants_zero(text: str) -> bool:
    """The figure the prose gives for the question is zero."""
    return bool(_ZERO_LEAD.match(text))


def _prose(store: Store, doc: Document, query: Query, reason: str | None = None) -> Part:
    """What only the 情况说明 states: the sentence, its figure quoted with ⚠ (no cell stands behind it)."""
    words = "".join(dict.fromkeys(w for r in query.operands for w in (r.concept, r.row, r.text)
                                  if w and not w.isascii()))
    if words and query.operands and (query.operands[0].table_kind or query.op in ("value", "compare")):
        # the words that named the table (部门整体支出绩效) tell one statement from its neighbours
        # (整体支出绩效评价 vs 项目绩效评价), as do the words the plan left over
        said = [w for w in query.consumed if len(w) >= 4 and w != query.department and w not in words]
        words += "".join(dict.fromkeys(said + [w for w in query.leftover if not w.isascii()]))
    elif words and query.op == "growth":  # 当年预算 比上年: the 当年预算 statement, not a part's
        words += "".join(dict.fromkeys(w for w in query.consumed if _MEASURE_SAID.match(w) and w not in words))
    asked = words + _OP_WORDS.get(query.op, "") if words and query.op not in ("prose", "why") else None
    if asked is None and query.department:
        asked = query.question.replace(query.department, "")
    percent = {"share": True, "rate": True}.get(query.op)
    if query.op == "growth":
        percent = query.growth_as == "percent" or query.unit_kind == "percent"
    want = _WANT.get((query.op, query.growth_as), _WANT.get((query.op, None), ()))
    if query.op == "value" and query.operands:  # 年初预算 asked and no cell prints it: the figure after the word
        want = tuple(w for r in query.operands[0].columns if r in _MEASURE_WORDS for w in _MEASURE_WORDS[r])
    g = prose_answer(doc, query.question, asked, unit=query.unit if query.unit_kind == "count" else None,
                     wants_figure=query.op not in ("prose", "why"), want=want, percent=percent)
    if g is None:
        return Part(query, not_found=reason or NOT_FOUND, interpretation=interpretation(doc, query))
    if wants_zero(g.text) and query.op in ("value", "compare"):  # 「机关运行经费 0 万元」: stated as none
        return Part(query, not_found=f"为0：说明中写明「{g.quotes[0][2][:120]}」", interpretation=interpretation(doc, query),
                    citations=citations_of(g, doc), strength=g.score)
    # its figures go through the checker too: no claim stands behind them, so each shows ⚠
    return Part(query, g.text, checked_figures(store, g, doc), citations_of(g, doc),
                interpretation=interpretation(doc, query), strength=g.score)


def _from_stated(store: Store, doc: Document, query: Query) -> Part | None:
    """A rate or budget-vs-actual difference of one item whose two figures only the 情况说明 states:
    computed from the stated figures, quoted, and marked ⚠ (no table cell stands behind them)."""
    if not query.operands:
        return None
    ref = query.operands[0]
    got = stated_measures(doc, ref.concept or ref.row or ref.text)
    if got is None:
        return None
    (b, bu), (a, au), window = got
    budget, actual = Decimal(b.replace(",", "")), Decimal(a.replace(",", ""))
    if bu != au or budget == 0:
        return None
    if query.op == "rate":
        lead = f"{round_to(actual / budget * 100)}%（据情况说明：预算 {b}{bu}，决算 {a}{au}，计算所得，未与表格核验）"
    else:
        diff = actual - budget
        lead = (f"{'多' if diff > 0 else '少'} {abs(diff):,}{au}（据情况说明：决算 {a}{au}，预算 {b}{bu}，"
                "计算所得，未与表格核验）")
    quotes = [(s.heading, s.page, s.text) for s in window]
    g = Grounded(lead + "。原文：" + "".join(f"「{s.text}」" for s in window), form="prose", quotes=quotes)
    return Part(query, g.text, checked_figures(store, g, doc), citations_of(g, doc),
                interpretation=interpretation(doc, query), strength=0.5)


def _prior_stated(store: Store, doc: Document, query: Query, cell) -> Part:
    """The year before's figure of an item no column prints for that year: the table's figure less the
    change the prose states right after it (「656.73 万元…较去年增加 24.17 万元」), quoted and ⚠."""
    unit = cell_unit(cell)
    got = stated_prior(doc, cell.value, unit)
    if got is None:
        year = f"（{doc.year - 1}年）" if doc.year else ""
        return Part(query, not_found=(f"文件未提供：本文件为{doc.year}年度{doc.scope or '部门'}{doc.kind or ''}，"
                                      f"表中没有{describe(cell)}的上年{year}数，说明中也没有写明它比上年的增减。"),
                    interpretation=interpretation(doc, query))
    lead = (f"约 {got.prior:,}{unit}（据情况说明推算：本年 {got.now_text}，{got.delta_text}；"
            f"本年数见{describe(cell)}，上年数未与表格核验）")
    quotes = [(x.heading, x.page, x.text) for x in got.sentences]
    g = Grounded(lead + "。原文：" + "".join(f"「{x.text}」" for x in got.sentences), form="prose", quotes=quotes)
    return Part(query, g.text, checked_figures(store, g, doc), citations_of(g, doc),
                interpretation=interpretation(doc, query), strength=0.5)


def _as_prior(doc: Document, query: Query) -> Query:
    """「上一年（2017年）…」 on a 2018 document asks for the document's prior-year figure, not another year's."""
    if not (query.year and doc.year and query.year == doc.year - 1):
        return query
    operands = [r.model_copy(update={"prior_year": True, "year": None}) for r in query.operands]
    return query.model_copy(update={"year": None, "operands": operands})




_JOINED = re.compile(r"[和与及、加,，]|以及|分别|各|还有|跟|同")


def spending_or_income(query: Query) -> Query:
    """「行政运行的财政拨款支出」: a question that says 支出 and never 收入 asks for spending, so an income
    table's column (收入决算表 · 财政拨款收入) is not its figure, whatever the row's name; and the reverse."""
    q = query.question.replace("收支", "")
    side = "支出" if "支出" in q and "收入" not in q else ("收入" if "收入" in q and "支出" not in q else None)
    if side is None or not query.operands:
        return query
    return query.model_copy(update={"operands": [r.model_copy(update={"side": side}) for r in query.operands]})


def same_row_roles(query: Query) -> Query:
    """「X的项目支出比基本支出少多少」 / 「X里头基本支出占了几成」: a bare spending component (基本支出, 项目支出,
    人员经费, 公用经费) beside a named row is that row's component, not the table's."""
    ops = query.operands
    if query.op not in ("difference", "compare", "share") or len(ops) != 2:
        return query
    bare = [r for r in ops if r.concept in _COMPONENTS and not (r.row or r.code)]
    rows = [r for r in ops if r not in bare and (r.row or r.code or r.concept)
            and r.concept not in FUND_CONCEPTS + _COMPONENTS and not measure_concept(r.concept)]
    if len(rows) != 1 or len(bare) != 1:
        return query
    row, comp = rows[0], bare[0]
    at_row, at_comp = query.question.find(row.text or row.row or ""), query.question.find(comp.text)
    if at_row < 0 or at_comp < 0:
        return query
    if query.op == "share" and ops[0] is row and not row.columns:
        # 「行政运行占基本支出的比重」: the row's own 基本支出 over the whole 基本支出, one column throughout
        part = row.model_copy(update={"columns": [comp.concept]})
        return query.model_copy(update={"operands": [part, comp]})
    if at_row > at_comp:
        return query
    if query.op == "share" and ops[0] is comp:  # part = the row's component, whole = the row
        part = row.model_copy(update={"text": comp.text, "columns": list(dict.fromkeys(row.columns + [comp.concept]))})
        return query.model_copy(update={"operands": [part, row]})
    if query.op != "share" and any(c in _COMPONENTS for c in row.columns):
        other = row.model_copy(update={"text": comp.text,
                                       "columns": [c for c in row.columns if c not in _COMPONENTS] + [comp.concept]})
        return query.model_copy(update={"operands": [other if r is comp else r for r in ops]})
    return query


_COMPONENTS = ("基本支出", "项目支出", "人员经费", "公用经费")


def measure_concept(concept: str | None) -> bool:
    """A standard figure of its own (三公经费, 收入总计), not a subject row (行政运行)."""
    found = concepts().get(concept) if concept else None
    return found is not None and bool(found.measure)


def fold_funds(query: Query) -> Query:
    """「财政拨款收入的政府性基金预算」: 财政拨款 and one fund of it named together, nothing joining them,
    is that fund's 财政拨款 (one figure), not the two figures listed or added."""
    ops = query.operands
    if query.op not in ("each", "sum", "value") or len(ops) != 2:
        return query
    if {r.concept for r in ops} - set(FUND_CONCEPTS) or "财政拨款" not in {r.concept for r in ops}:
        return query
    fund = next((r for r in ops if r.concept != "财政拨款"), None)
    if fund is None or any(r.row or r.code for r in ops):
        return query
    a, b = (query.question.find(r.text) for r in ops)
    if a < 0 or b < 0:
        return query
    lo, hi = sorted((a + len(ops[0].text) if a < b else b + len(ops[1].text), max(a, b)))
    if _JOINED.search(query.question[lo:hi]):
        return query  # 财政拨款和政府性基金: two figures asked
    merged = fund.model_copy(update={"columns": list(dict.fromkeys(ops[0].columns + ops[1].columns))})
    return query.model_copy(update={"operands": [merged], "op": "value"})


def fold_whole_part(query: Query) -> Query:
    """「“三公”经费公务接待费多少」: a whole named right before one of its parts, nothing joining them,
    frames the part (one figure, as 「三公经费里公务接待费」), not two figures listed."""
    ops = query.operands
    if query.op not in ("each", "value") or len(ops) != 2 or any(r.row or r.code for r in ops):
        return query
    whole, part = ops
    found = concepts().get(whole.concept) if whole.concept else None
    if found is None or part.concept not in found.parts:  # the lexicon's wholes and parts
        return query
    text = re.sub(r"[“”\"'‘’]", "", query.question)  # 「“三公”经费」 is said 三公经费
    b = text.find(part.text)
    a = text.rfind(whole.text, 0, max(b, 0))  # the whole said last before the part (a quoted title may say it too)
    if a < 0 or b < a + len(whole.text) or _JOINED.search(text[a + len(whole.text):b]):
        return query  # 三公经费和公务接待费: both asked
    return query.model_copy(update={"operands": [part], "op": "value", "scope": query.scope or whole})


def fold_qualifiers(query: Query) -> Query:
    """「X，财政拨款安排了多少」 asks for X's 财政拨款 figure, not for X and for 财政拨款: a fund named
    beside a row qualifies the row (its column role), it is no operand of its own."""
    if query.op not in ("each", "sum", "value") or len(query.operands) < 2:
        return query
    funds = [r for r in query.operands if r.concept in FUND_CONCEPTS and not (r.row or r.code)]
    rows = [r for r in query.operands if r.row or r.code]
    if not funds or not rows or len(funds) + len(rows) != len(query.operands):
        return query
    roles = [f.concept for f in funds]
    folded = [r.model_copy(update={"columns": list(dict.fromkeys(r.columns + roles))}) for r in rows]
    op = "value" if len(folded) == 1 else query.op
    return query.model_copy(update={"operands": folded, "op": op})


# Roles a header word can refine (当年预算 → 预算); fund roles are the tables' own, not a column's.
_MEASURE_ROLES = ("预算", "决算", "年初预算", "调整预算", "全年预算", "执行数", "本年", "上年")
_PER_OPERAND_MEASURES = ("difference", "compare", "rate", "growth")


def header_segments(tables) -> set[str]:
    """Every header segment the tables print, normalised (2023年债务限额, A=B+C, 一般债务 …)."""
    return {norm(seg) for t in tables for c in t.columns for seg in c.split("/")}


def header_words(doc: Document, query: Query) -> Query:
    """Words of the question that are the document's own column headers (当年预算, 全年执行数) name the
    column more exactly than the role they were read as (预算): every operand's ranking hears them.
    Ops whose operands differ by measure (决算 vs 预算) keep their roles apart instead."""
    if query.op in _PER_OPERAND_MEASURES or not query.operands:
        return query
    headers = header_segments(doc.tables)
    said = [norm(w) for w in query.consumed if len(norm(w)) >= 3 and norm(w) in headers]

    def refined(ref: Ref) -> Ref:  # a header word that says more than a role the operand has: 当年预算 for 预算
        words = [w for w in said if any(r in w and r != w for r in ref.columns if r in _MEASURE_ROLES)
                 and w not in norm(ref.text or "")]
        return ref.model_copy(update={"column_words": words}) if words else ref
    return query.model_copy(update={"operands": [refined(r) for r in query.operands]})


_ROW_NAMES: dict[str, tuple[dict[str, set[str]], tuple[str, ...]]] = {}


def _row_names(doc: Document) -> tuple[dict[str, set[str]], tuple[str, ...]]:
    """The document's row names worth noticing in a question (with their codes), and its table titles."""
    if doc.sha256 not in _ROW_NAMES:
        if len(_ROW_NAMES) > 64:
            _ROW_NAMES.clear()
        names: dict[str, set[str]] = {}
        for t in doc.tables:
            for r in t.rows:
                n = norm(r.label)
                if len(n) >= 4 and not r.is_total and not r.label.endswith(("合计", "总计", "小计")):
                    names.setdefault(n, set()).update({r.code} if r.code else set())
        _ROW_NAMES[doc.sha256] = (names, tuple(norm(t.title) for t in doc.tables))
    return _ROW_NAMES[doc.sha256]


@lru_cache(maxsize=1)
def _lexicon_words() -> tuple[str, ...]:
    """The words the parser knows as concepts, roles and tables: a name made of them was understood."""
    lex = load_lexicon()
    words = {normalize(w) for group in (lex.concept, lex.column, lex.table) for e in group for w in e.zh}
    return tuple(sorted((w for w in words if len(w) >= 2), key=len, reverse=True))


def _without(name: str, words: list[str]) -> str:
    for w in sorted(words, key=len, reverse=True):
        if len(w) >= 2:
            name = name.replace(w, "")
    return name


def unused_names(doc: Document, query: Query, cells=()) -> list[str]:
    """A row the document prints that the question names in full and the plan does not use
    (「收入决算表中耕地占用税的…」 read as 一般公共预算's figure): the answer is about something else.
    A backstop under the parser's own leftover words, which cannot see a name it mistook. A parent
    of a cited row (工业和信息产业监管 下的 行政运行) is used: it said which row."""
    names, titles = _row_names(doc)
    said = norm(query.question)
    if query.department:
        said = said.replace(norm(query.department), "")
    used = [norm(w) for r in query.operands + ([query.scope] if query.scope else [])
            for w in (r.text, r.row, r.concept, r.project, r.code, r.table_kind, *r.column_words, *r.columns) if w]
    codes = [c.row.code for c in cells if c.row.code]
    found = [n for n in names if n in said and not any(n in u for u in used)]
    found = [n for n in found if not any(n in t and t in said for t in titles)  # a table title the question quotes
             and not any(n != m and n in m for m in found)  # the longest name only
             and len(_without(n, used)) >= 2  # 一般公共预算财政拨款 = the roles 一般公共预算 + 财政拨款
             and len(_without(n, [w for w in _lexicon_words() if w in n])) >= 2  # words the parser read
             and not any(code.startswith(k) for k in names[n] for code in codes)]
    found += [w for w in unused_concepts(query) if w not in found]
    return [f"问题中的「{n}」没有用在答案里" for n in found]


@lru_cache(maxsize=1)
def _concept_words() -> dict[str, object]:
    return {w: e.value for w, e in load_lexicon().entries() if e.category == "concept"}


def unused_concepts(query: Query) -> list[str]:
    """A standard concept the parser read (本年支出合计) that no operand, role or frame uses: the plan
    dropped it («X的基本支出在本年支出合计里占多大比重» answered over the 合计 row's 基本支出)."""
    words = _concept_words()
    refs = query.operands + ([query.scope] if query.scope else [])
    out = []
    for w in query.consumed:
        concept = words.get(normalize(w))
        if concept is None or (query.department and w in query.department):
            continue
        if any(r.concept == concept.id or (concept.column and concept.column in r.columns)
               or concept.id in r.columns for r in refs):
            continue
        out.append(w)
    return out


def column_operands(doc: Document, query: Query) -> Query:
    """「…情况表中工资福利支出的总计」: an operand whose words are only a column header of the table the
    question names (总计, 小计, 金额) is that column of the other operands, not a figure of its own."""
    if query.op not in ("value", "each") or len(query.operands) < 2:
        return query
    kinds = {r.table_kind for r in query.operands if r.table_kind}
    tables = [t for t in doc.tables if t.kind in kinds] if kinds else []
    headers = header_segments(tables)
    said = norm(query.question)
    # the operand's row, if any, must be a guess from these words, not a name the question says whole
    columns = [r for r in query.operands if r.text and norm(r.text) in headers and not r.code
               and not (r.row and norm(r.row) != norm(r.text) and norm(r.row) in said)]
    rest = [r for r in query.operands if r not in columns]
    if not columns or not rest:
        return query
    words = [c.text for c in columns]
    rest = [r.model_copy(update={"column_words": list(dict.fromkeys(r.column_words + words))}) for r in rest]
    return query.model_copy(update={"operands": rest, "op": "value" if len(rest) == 1 else query.op})


def other_column_operand(doc: Document, query: Query) -> Query:
    """「…余额多少？离限额还差多少？」: a difference with one operand (carried from the part before) and a
    left-over word the operand's table prints as a column header is that column of the same row, minus
    the operand: 限额 − 余额."""
    if query.op != "difference" or len(query.operands) != 1 or not query.leftover:
        return query
    ref = query.operands[0]
    if not (ref.row or ref.code):
        return query
    segments = header_segments(t for t in doc.tables
                               if any(r.label == ref.row or (ref.code and r.code == ref.code) for r in t.rows))
    placed = [w for w in query.leftover if len(norm(w)) >= 2 and any(norm(w) in seg for seg in segments)]
    if len(placed) != 1:
        return query
    other = ref.model_copy(update={"text": placed[0], "column_words": [placed[0]], "columns": []})
    return query.model_copy(update={"operands": [other, ref], "leftover": [w for w in query.leftover if w not in placed],
                                    "consumed": query.consumed + placed})


def leftover_headers(doc: Document, query: Query) -> Query:
    """A word the parser could not place that the document prints inside a column header
    (基本建设资金 → 项目支出/其中：基本建设资金支出) names that column: the one operand hears it, and
    it is no longer left over. Only for one-operand parts, where whose column it is cannot be in doubt."""
    if len(query.operands) != 1 or not query.leftover or query.op in ("prose", "why", "count"):
        return query
    segments = header_segments(doc.tables)
    placed = [w for w in query.leftover if (len(norm(w)) >= 3 and any(norm(w) in seg for seg in segments))
              or (len(norm(w)) == 2 and norm(w) in segments)]  # 总计 / 小计 said whole: that column
    if not placed:
        return query
    ref = query.operands[0]
    ref = ref.model_copy(update={"column_words": list(dict.fromkeys(ref.column_words + placed))})
    return query.model_copy(update={"operands": [ref], "leftover": [w for w in query.leftover if w not in placed],
                                    "consumed": query.consumed + placed})


def _forms_of(doc: Document, project: str) -> list:
    key = norm(project)
    return [t for t in doc.tables if t.kind in PERFORMANCE_KINDS and key and key in norm(t.title)]


def _subsequence(word: str, name: str) -> bool:
    it = iter(name)
    return all(ch in it for ch in word)


def project_rows(doc: Document, query: Query) -> Query:
    """A 绩效 project and an indicator of its form (「“X大会”项目实际参会多少人次」): the indicator is a row
    of that project's form, not an operand of its own; a word the parser left over that abbreviates
    exactly one indicator of the form (参会 → 参加会议人数) names it."""
    projects = [r for r in query.operands if r.project and not (r.row or r.code or r.concept)]
    if len(projects) != 1 or query.op not in ("value", "each"):
        return query
    proj = projects[0]
    forms = _forms_of(doc, proj.project)
    if not forms:
        return query
    names = {r.label for t in forms for r in t.rows if r.label}
    rows = [r for r in query.operands if r is not proj and r.row and not r.project]
    if rows and len(rows) + 1 == len(query.operands) and all(norm(r.row) in {norm(n) for n in names} for r in rows):
        refs = [r.model_copy(update={"project": proj.project, "columns": list(dict.fromkeys(proj.columns + r.columns))})
                for r in rows]
        return query.model_copy(update={"operands": refs, "op": "value" if len(refs) == 1 else query.op})
    if len(query.operands) == 1 and query.leftover:
        for w in query.leftover:
            hits = [n for n in names if len(w) >= 2 and not w.isascii() and _subsequence(w, n)]
            if len(hits) == 1:
                ref = proj.model_copy(update={"row": hits[0]})
                return query.model_copy(update={"operands": [ref], "leftover": [x for x in query.leftover if x != w],
                                                "consumed": query.consumed + [w]})
    return query


_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,40})[”\"」]")


def quoted_project(doc: Document, query: Query) -> Query:
    """「两个“遗属人员补助”项目…合计」: a quoted name that several 绩效 forms share is the one operand,
    whatever else the words around it were read as; the sum runs over its forms."""
    if query.op != "sum":
        return query
    for name in _QUOTED.findall(query.question):
        forms = [t for t in doc.tables if t.kind in PERFORMANCE_KINDS and f"（{name}）" in t.title.replace("(", "（").replace(")", "）")]
        if len(forms) >= 2:
            roles = list(dict.fromkeys(r for ref in query.operands for r in ref.columns))
            ref = Ref(text=name, project=name, columns=roles, table_kind=forms[0].kind)
            return query.model_copy(update={"operands": [ref], "leftover": []})
    return query


def apply_scope(query: Query) -> Query:
    """「一般公共预算财政拨款支出中，行政运行…」 / 「基本支出里人员经费…」: the frame the operands sit under is
    a column role of each of them (the fund's tables, the 基本支出 column), not an operand of its own."""
    frame = query.scope
    if frame is None or not frame.concept:
        return query
    concept = concepts().get(frame.concept)
    role = concept.column if concept is not None else None
    if role is None:
        return query
    operands = [r if r.concept == frame.concept or role in r.columns else
                r.model_copy(update={"columns": r.columns + [role]}) for r in query.operands]
    return query.model_copy(update={"operands": operands})


def _place_forms(name: str) -> list[str]:
    """湖南全省 → 湖南省; 湖南 → 湖南省 / 湖南市: how a place is said against how a table's 地区 row prints it."""
    n = norm(name)
    forms = [n, re.sub(r"全(省|市|县|区)$", r"\1", n)]
    if not re.search(r"[省市县区州旗]$", n):
        forms += [n + s for s in ("省", "市", "县", "区")]
    return list(dict.fromkeys(forms))


def place_rows(doc: Document, query: Query) -> Query:
    """「长沙市的2023年债务余额」 in a table of one row per region (湖南省 │ 湖南省本级 │ 长沙市 …): the place
    the parser took for a department is that row, and the operand's words name its column. Only where a
    table prints both the place as a row and the words in a column header, and the place is not the
    document's own department."""
    if not query.department or query.op in ("prose", "why", "count"):
        return query
    if doc.department and norm(query.department) in norm(doc.department):
        return query
    forms = _place_forms(query.department)
    said = norm(query.question)
    if not query.operands and query.leftover:
        # the words no row of the document prints (债务余额) were left over: they may be the columns
        words = [w for w in query.leftover if len(norm(w)) >= 2]
        trial = query.model_copy(update={"operands": [Ref(text=w) for w in words],
                                         "leftover": [w for w in query.leftover if w not in words]})
        placed = place_rows(doc, trial) if words else trial
        if placed.operands and all(r.row for r in placed.operands):
            return placed.model_copy(update={"consumed": placed.consumed + words})
        return query
    refs = []
    for r in query.operands:
        words = norm(r.text or "")
        if r.code or r.concept or not words or (r.row and norm(r.row) in said):
            refs.append(r)  # a standard concept (三公经费) keeps its reader; a unit's own row is no region
            continue
        hit = next(((t, row) for t in doc.tables for row in t.rows if norm(row.label) in forms
                    and any(words[-4:] in seg for seg in header_segments([t]))), None)
        if hit is None:
            refs.append(r)
            continue
        refs.append(r.model_copy(update={"row": hit[1].label,
                                         "column_words": list(dict.fromkeys(r.column_words + [r.text]))}))
    if refs == query.operands:
        return query
    whole = re.search(r"全(省|市|县|区)", query.question)
    if query.op == "share" and len(refs) == 1 and refs[0].row and whole:
        # 「长沙市…占全省几成」: the whole is the table's row for the whole 省 (湖南省, not 湖南省本级)
        table = next(t for t in doc.tables if any(r.label == refs[0].row for r in t.rows))
        top = next((r.label for r in table.rows if r.label.endswith(whole.group(1)) and r.label != refs[0].row), None)
        if top is not None:
            refs.append(refs[0].model_copy(update={"row": top, "text": whole.group(0)}))
    return query.model_copy(update={"operands": refs, "department": None})


def _zero_against_prose(store: Store, doc: Document, query: Query, done: Executed) -> Part | None:
    """A table that prints 0 where the 情况说明 states a figure (三公 0 in 表13, 「“三公”经费预算支出 0.27
    万元」 in the prose): both are shown, the table's 0 first, and neither is ✓: the document contradicts
    itself, and which is right is the reader's call."""
    if query.op != "value" or not done.cells or done.cells[0].value != 0:
        return None
    stated = _prose(store, doc, query)
    if stated.not_found is not None or not stated.figures or not stated.figures[0].value:
        return None
    cell = done.cells[0]
    g = Grounded(f"{said(cell, query.unit)}（{describe(cell)}）", [claim(doc, cell)], [cell], form="value")
    figures = fit.apply(checked_figures(store, g, doc), [
        f"表中为 0，说明中却写 {stated.figures[0].text}，两处不一致"])
    text = f"{g.text}；但说明中写：{stated.text}"
    return Part(query, text, figures + stated.figures, citations_of(g, doc) + stated.citations,
                interpretation=interpretation(doc, query, done), strength=5.0)


def answer_part(store: Store, doc: Document, query: Query) -> Part:
    """One part of the question on one document, checked and fitted."""
    query = same_row_roles(fold_qualifiers(fold_whole_part(fold_funds(apply_scope(quoted_project(doc, query))))))
    query = spending_or_income(project_rows(doc, header_words(doc, place_rows(doc, query))))
    query = column_operands(doc, query)
    query = _as_prior(doc, leftover_headers(doc, other_column_operand(doc, query)))
    outside = _outside(doc, query) or _out_of_scope(query)
    if outside:
        return Part(query, not_found=outside, interpretation=interpretation(doc, query))
    if query.op in ("prose", "why", "count"):
        return _prose(store, doc, query)
    done: Executed = execute(doc, query)
    if done.not_found == "prose":
        return _prose(store, doc, query)
    if done.not_found == "prior":
        return _prior_stated(store, doc, query, done.cells[0])
    if done.zero:
        against = _zero_against_prose(store, doc, query, done)
        if against is not None:
            return against
        return Part(query, not_found=done.not_found, interpretation=interpretation(doc, query, done), strength=5.0,
                    citations=citations_of(Grounded("", cells=done.cells), doc))
    if done.not_found or not done.claims:
        stated = _from_stated(store, doc, query) if query.op in ("rate", "difference") else None
        return stated or _prose(store, doc, query, done.not_found)
    g = Grounded(done.text, done.claims, done.cells, form=query.op)
    figures = checked_figures(store, g, doc)
    problems = fit.fit_problems(query, done.headline, figures, done.problems + unused_names(doc, query, done.cells))
    figures = fit.apply(figures, problems)
    strength = min((r.cell.score for r in done.resolved if r.cell is not None), default=0.0)
    return Part(query, done.text, figures, citations_of(g, doc), interpretation=interpretation(doc, query, done),
                strength=strength + (10.0 if not problems else 0.0),
                winner=done.cells[0] if query.op in ("max", "min") and done.cells else None)


def _answer(question: str, doc: Document, parts: list[Part], plan: Plan) -> Answer:
    answered = [p for p in parts if p.not_found is None]
    if not answered:
        reason = next((p.not_found for p in parts if p.not_found), NOT_FOUND)
        return Answer(question=question, answer=reason, status="not_found", mode="grounded",
                      interpretation="\n".join(p.interpretation for p in parts) or None,
                      citations=[c for p in parts for c in p.citations],
                      queries=[p.query.model_dump(mode="json") for p in parts])
    texts = [p.text if p.not_found is None else p.not_found for p in parts]
    # a yes-no part (是否超过预算) asks for no number: the figures of the parts that ask for one lead
    figures = [f for p in sorted(answered, key=lambda p: p.query.op == "compare") for f in p.figures]
    status = overall_status({p.status for p in parts})
    notices = []
    if any(f.reason and f.reason.startswith(fit.PREFIX) for f in figures):
        notices.append(next(f.reason for f in figures if f.reason and f.reason.startswith(fit.PREFIX)))
    return Answer(question=question, answer="；\n".join(texts) if len(texts) > 1 else texts[0], status=status,
                  mode="grounded", figures=figures, citations=[c for p in parts for c in p.citations],
                  notices=notices, interpretation="\n".join(p.interpretation for p in parts),
                  queries=[p.query.model_dump(mode="json") for p in parts])


def _carry(query: Query, before: Part | None) -> Query:
    """「…余额多少？离限额还差多少？」: a part that names nothing of its own is about what the part
    before it was read as, on this document (its repairs included: the region row it found)."""
    if (before is None or not before.query.operands or not query.operands
            or any(r.text or r.row or r.concept or r.code or r.project or r.columns or r.table_kind
                   for r in query.operands)):
        return query
    return query.model_copy(update={"operands": list(before.query.operands), "department": before.query.department})


def _about_winner(query: Query, before: Part | None) -> Query:
    """「哪个项目的执行率最低？得分多少？」: the second part asks about the project the first one found."""
    if before is None or before.winner is None or not query.operands:
        return query
    ref = query.operands[0]
    if ref.project or ref.row or ref.code or ref.concept or ref.level not in ("项目", None):
        return query
    win = before.winner
    named = ref.model_copy(update={"project": item_name(win), "level": None, "table_kind": win.table.kind})
    return query.model_copy(update={"operands": [named] + query.operands[1:]})


def answer_document(store: Store, doc: Document, plan: Plan) -> tuple[Answer, float]:
    parts: list[Part] = []
    for q in plan.queries:
        before = parts[-1] if parts else None
        parts.append(answer_part(store, doc, _carry(_about_winner(q, before), before)))
    strength = sum(p.strength for p in parts) / max(1, len(parts))
    return _answer(plan.question, doc, parts, plan), strength


def grounded(store: Store, question: str, docs: list[Document], plans: dict[str, Plan], chosen: bool = False) -> Answer:
    """Every part on every chosen document; one answer per document when several fit (`chosen`: the
    reviewer picked them, rather than the question's words)."""
    results = [(answer_document(store, d, plans[d.doc_id]), d) for d in docs]
    found = [(a, s, d) for (a, s), d in results if a.status != "not_found"]
    if not found:
        if chosen and len(docs) > 1:  # the reviewer chose them: each says why it has no answer
            return merge([a for (a, _), _ in results], [d for _, d in results], f"已选 {len(docs)} 份文件，以下逐份作答。")
        return min((a for (a, _), _ in results), key=lambda a: a.answer == NOT_FOUND)
    if chosen and len(docs) > 1:  # every chosen document answers, found or not, in the order chosen
        return merge([a for (a, _), _ in results], [d for _, d in results], f"已选 {len(docs)} 份文件，以下逐份作答。")
    if len(docs) > 1 and len(found) > 1:
        notice = f"已选 {len(docs)} 份文件，以下逐份作答。" if chosen else None
        return merge([a for a, _, _ in found], [d for _, _, d in found], notice)
    return max(found, key=lambda x: x[1])[0]
