"""The model's reading of a question, as the same typed `Plan` the parser fills, and its validation.

The model is shown the question, the parser's own plan as a hint and the document's vocabulary
(ops, concepts, column roles, table kinds, and the projects and cells that rank for the question,
each cell with a fact id). It returns a `QuestionPlan`, never a figure. `accept` turns that plan
into `Query`s that resolve → execute → fit → assemble run exactly as they run the parser's, or
refuses it (`PlanRejected`) when it names a concept, row, code, project or table this document
does not have, or a fact id that was not among the candidates shown for this document.

The model may only rearrange what the question says, in both directions, decided here and never
taken from the model:
- every name of the plan (row, project, concept, column role, level) must be said by the question
  or by the parser's reading of it (`_Said`): a plan that asks for 某行的基本支出 when the question
  says only 基本支出 is refused; a code or table the question does not name is dropped, so the
  model cannot settle an ambiguity the resolver would report (two rows or tables printing it);
- every word of the question must be said by the plan's op, roles, concepts, levels, tables or
  names (`_explained`); the rest stays `leftover`, so the fit check refuses a plan that reads
  「执行率」 as a plain value or drops half the question.
A fact id the model cites only checks the plan: the executed answer must cite that cell.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from budgetqa.app.qa.cells import cell_fact_id, cell_unit
from budgetqa.app.qa.lexicon import COLUMN_ROLES, Cue, Entry, concepts, load_lexicon, normalize
from budgetqa.app.qa.match import Cell, bare_name, rank_cells
from budgetqa.app.qa.parse import Vocabulary
from budgetqa.app.qa.query import ColumnRole, Level, Op, Plan, Query, Ref, UnitKind
from budgetqa.ingest.models import Document

MAX_FACTS = 40
MAX_PROJECTS = 8
NAME_MATCH = 80  # rapidfuzz partial ratio at which a word of the question is said by a name of the plan

# ---------------------------------------------------------------- what the model fills


class PlanRef(BaseModel):
    """一个运算对象：问题所指的一个数（只写它是什么，不写它的数值）。"""

    text: str = Field("", description="问题中指这个数的原文片段")
    concept: str | None = Field(None, description="标准概念名，只能取【概念】中的名称")
    row: str | None = Field(None, description="文件中的行名，只能取【候选单元格】中出现的行名")
    code: str | None = Field(None, description="科目编码，如 2010101，只能取【候选单元格】中出现的")
    project: str | None = Field(None, description="绩效表的项目名，只能取【项目】中的名称")
    columns: list[ColumnRole] = Field(default_factory=list, description="列角色，只能取【列角色】中的")
    table_kind: str | None = Field(None, description="问题点名的表，只能取【本文件的表】中的名称")
    table_number: str | None = Field(None, description="问题只用编号点名的表（公开01表、预算05表），照原文")
    level: Level | None = Field(None, description="排名或计数所在的层级")
    prior_year: bool = Field(False, description="这个数是上年的数")
    year: int | None = Field(None, description="这个数的年份与问题所问年份不同时（比2022年），写该年份")
    fact_id: str | None = Field(None, description="若【候选单元格】中某一格正是这个数，填它的编号")


class PlanQuery(BaseModel):
    """问题的一个部分：一个运算和它的运算对象。"""

    question: str = Field("", description="这一部分问题的原文")
    op: Op = Field(description="运算，见【操作】")
    operands: list[PlanRef] = Field(default_factory=list, description="运算对象，按运算的顺序（被减数在前、部分在前、实际在前）")
    unit_kind: UnitKind = Field("money", description="所问的数的种类")
    unit: str | None = Field(None, description="问题要求的单位（万元、元、亿元、%、人、辆、个、分），没说则留空")
    k: int | None = Field(None, description="前几名（op=top 时）")
    growth_as: Literal["amount", "percent"] | None = Field(None, description="op=growth 时问增减额还是增减百分比")
    direction: Literal["more", "less"] | None = Field(None, description="问题说了多/超（more）还是少/节约（less）")
    scope: PlanRef | None = Field(None, description="运算对象所在的范围（如「基本支出中」），没有则留空")


class QuestionPlan(BaseModel):
    """对问题的理解：每个部分一个查询，按提问顺序。只写运算和运算对象，不写任何数字结果。"""

    queries: list[PlanQuery] = Field(min_length=1, description="每个部分一个查询")


class PlanRejected(ValueError):
    """The model's plan names what this document does not have; the parser's plan is used instead."""


# ---------------------------------------------------------------- what the model is shown


@dataclass
class Shown:
    """What the model was shown for one document: the candidate cells by fact id, and the prompt parts."""

    doc: Document
    cells: dict[str, Cell] = field(default_factory=dict)
    facts: str = "（无）"
    projects: list[str] = field(default_factory=list)


def show(doc: Document, question: str, vocab: Vocabulary) -> Shown:
    """The candidate cells (one line each, with its fact id) and the projects that rank for the question."""
    cells = rank_cells(doc, question, limit=MAX_FACTS) + rank_cells(doc, question, want_row=False, limit=10)
    lines, seen = [], {}
    for c in cells:
        fid = cell_fact_id(doc, c)
        if fid in seen:
            continue
        seen[fid] = c
        row = (f"{c.row.code} " if c.row.code else "") + bare_name(c.row.name)
        lines.append(f"{fid} | {c.table.title} | {row} | {c.column} | {c.value}{cell_unit(c) or ''}")
    q = normalize(question)
    projects = sorted((v.name for v in vocab.names.values() if v.project),
                      key=lambda n: -fuzz.partial_ratio(normalize(n), q))[:MAX_PROJECTS]
    return Shown(doc, seen, "\n".join(lines) or "（无）", projects)


_OPS = {
    "value": "取一个数", "difference": "两数之差（被减数在前）", "sum": "几个数之和", "share": "占比（部分在前、整体在后）",
    "rate": "预算执行率（决算在前、预算在后）", "growth": "比上年增减（本年在前、上年在后）", "max": "某层级中最大的一项",
    "min": "某层级中最小的一项", "top": "前 k 项", "each": "分别列出几个数", "count": "有几项（个数）",
    "compare": "是否超过/高于（带数字的是非题）", "prose": "只有情况说明文字才回答的问题", "why": "原因",
    "audit": "整份文件前后是否一致",
}


def prompt_parts(shown: Shown, hint: Plan) -> dict[str, str]:
    """The prompt's variables besides the question and the format instructions."""
    lex = load_lexicon()
    doc = shown.doc
    tables = list(dict.fromkeys(t.kind for t in doc.tables if t.kind))
    return {
        "document": f"{doc.department or doc.file}，{doc.year or ''}年度{doc.scope or '部门'}{doc.kind or ''}",
        "ops": "\n".join(f"{op}：{what}" for op, what in _OPS.items()),
        "concepts": "、".join(c.id + (f"（{'、'.join(c.zh[1:3])}）" if len(c.zh) > 1 else "") for c in lex.concept),
        "columns": "、".join(sorted(COLUMN_ROLES)),
        "tables": "、".join(tables) or "（无）",
        "projects": "、".join(shown.projects) or "（无）",
        "facts": shown.facts,
        "hint": hint_text(hint),
    }


_HINT_FIELDS = {"question", "op", "operands", "unit_kind", "unit", "k", "growth_as", "direction", "scope", "leftover"}


def hint_text(hint: Plan) -> str:
    """The parser's plan, compact: what the model may copy when it is right."""
    queries = [q.model_dump(mode="json", include=_HINT_FIELDS, exclude_defaults=True) for q in hint.queries]
    return json.dumps({"queries": queries}, ensure_ascii=False)


# ---------------------------------------------------------------- validation


@dataclass
class Accepted:
    """The model's plan as this document's `Plan`, and the fact ids it pinned (cells the answer must cite)."""

    plan: Plan
    pins: list[str] = field(default_factory=list)


def accept(model: QuestionPlan, doc: Document, vocab: Vocabulary, hint: Plan, shown: Shown) -> Accepted:
    """The model's plan as a `Plan` for `doc`, or `PlanRejected` naming what the document does not have
    or the question does not say.

    Fact ids count only from `shown.cells` (the candidates the model was shown); on the shown
    document itself such a cell is pinned (the answer must cite it), elsewhere it stands for its row.
    """
    # one query per asked part, as the parser split them at 「？」 and the like: a plan with more invents
    # a part; one with fewer drops one, and the dropped part's words would leak into another's reading
    if len(model.queries) != max(1, len(hint.queries)):
        raise PlanRejected(f"模型把问题分成了 {len(model.queries)} 部分，问题本身有 {max(1, len(hint.queries))} 部分")
    names = _Names.of(doc, vocab)
    said = _Said.of(hint)
    pins: list[str] = []
    assigned = _assign(model.queries, hint.queries)
    queries = []
    for mq, parts in zip(model.queries, assigned, strict=True):
        operands = [_ref(r, names, said, shown, doc, pins) for r in mq.operands]
        scope = _ref(mq.scope, names, said, shown, doc, pins) if mq.scope is not None else None
        queries.append(_query(mq, operands, scope, parts, hint))
    return Accepted(Plan(question=hint.question, queries=queries, follow_up=hint.follow_up), pins)


@dataclass
class _Names:
    """The document's names, normalized: what a model's reference may name."""

    rows: set[str]
    codes: set[str]
    projects: set[str]
    kinds: set[str]

    @classmethod
    def of(cls, doc: Document, vocab: Vocabulary) -> _Names:
        rows = {normalize(k) for k in vocab.names} | {normalize(v.name) for v in vocab.names.values()}
        rows |= {normalize(bare_name(r.name)) for t in doc.tables for r in t.rows}
        codes = {c for v in vocab.names.values() for c in v.codes} | {r.code for t in doc.tables for r in t.rows if r.code}
        projects = {normalize(v.name) for v in vocab.names.values() if v.project}
        return cls(rows, codes, projects, {t.kind for t in doc.tables if t.kind})


@lru_cache(maxsize=1)
def _concept_ids() -> dict[str, str]:
    """Every id and synonym of a lexicon concept (normalized) → the concept's id."""
    out: dict[str, str] = {}
    for c in load_lexicon().concept:
        for w in [c.id, *c.zh, *c.en]:
            out.setdefault(normalize(w), c.id)
    return out


@dataclass
class _Said:
    """What the question says: its words, and what the parser read from them (names, roles, codes …)."""

    question: str
    rows: set[str]
    concepts: set[str]
    roles: set[str]
    codes: set[str]
    kinds: set[str]
    levels: set[str]
    prior: bool
    years: set[int]
    numbers: set[str]

    @classmethod
    def of(cls, hint: Plan) -> _Said:
        refs = [r for q in hint.queries for r in q.operands + ([q.scope] if q.scope else [])]
        rows = {normalize(n) for r in refs for n in (r.row, r.project, r.text) if n}
        q = normalize(hint.question)
        prior = any(r.prior_year for r in refs) or any(normalize(w) in q for w in load_lexicon().years.prior)
        return cls(q, rows, {r.concept for r in refs if r.concept}, {c for r in refs for c in r.columns},
                   {r.code for r in refs if r.code}, {r.table_kind for r in refs if r.table_kind},
                   {r.level for r in refs if r.level}, prior, {r.year for r in refs if r.year},
                   {r.table_number for r in refs if r.table_number})

    def words(self, words: list[str]) -> bool:
        """One of `words` is in the question (names of three characters or more: nearly)."""
        for w in map(normalize, words):
            if w and (w in self.question or len(w) >= 3 and fuzz.partial_ratio(w, self.question) >= NAME_MATCH):
                return True
        return False

    def row(self, name: str) -> bool:
        return normalize(name) in self.rows or self.words([name, bare_name(name)])

    def concept(self, cid: str) -> bool:
        c = _concepts()[cid]
        return cid in self.concepts or self.words([c.id, *c.zh, *c.en])

    def role(self, role: str) -> bool:
        if role in self.roles or role in ("合计", "本年"):
            return True
        lex = load_lexicon()
        words = [role] + [w for c in lex.column if c.role == role for w in c.zh + c.en]
        words += [w for c in lex.concept if c.column == role for w in c.zh + c.en]
        return self.words(words)

    def level(self, level: str) -> bool:
        return level in self.levels or self.words([w for lw in load_lexicon().level if lw.level == level
                                                   for w in lw.zh + lw.en])

    def kind(self, kind: str) -> bool:
        return kind in self.kinds or self.words([w for t in load_lexicon().table if kind in (t.final, t.budget)
                                                 for w in t.zh + t.en])


_concepts = concepts


def _ref(r: PlanRef, names: _Names, said: _Said, shown: Shown, doc: Document, pins: list[str]) -> Ref:
    row, code, kind = r.row, r.code, r.table_kind
    if r.fact_id is not None:
        cell = shown.cells.get(r.fact_id)
        if cell is None:
            raise PlanRejected(f"引用了未向模型列出的事实编号 {r.fact_id}")
        row, code, kind = bare_name(cell.row.name) or row, cell.row.code or code, cell.table.kind or kind
        if shown.doc.doc_id == doc.doc_id:
            pins.append(r.fact_id)
    concept = None
    if r.concept:
        concept = _concept_ids().get(normalize(r.concept))
        if concept is None:
            raise PlanRejected(f"概念「{r.concept}」不在词表中")
        if not said.concept(concept):
            raise PlanRejected(f"问题没有说到「{concept}」")
    # what the parser read from the question stands, even where this document's names differ
    if row and not {normalize(bare_name(row)), normalize(row)} & (names.rows | said.rows):
        raise PlanRejected(f"本文件没有名为「{row}」的行")
    if row and not said.row(row) and not (concept and normalize(row) == normalize(concept)):
        raise PlanRejected(f"问题没有说到「{row}」")
    if code and code not in names.codes | said.codes:
        raise PlanRejected(f"本文件没有科目编码 {code}")
    if r.project and normalize(r.project) not in names.projects | names.rows | said.rows:
        raise PlanRejected(f"本文件没有名为「{r.project}」的项目")
    if r.project and not said.row(r.project):
        raise PlanRejected(f"问题没有说到「{r.project}」")
    if kind and kind not in names.kinds | said.kinds:
        raise PlanRejected(f"本文件没有「{kind}」")
    unsaid = [c for c in r.columns if not said.role(c)]
    if unsaid:
        raise PlanRejected(f"问题没有说到「{'、'.join(unsaid)}」")
    if r.level and not said.level(r.level):
        raise PlanRejected(f"问题没有说到「{r.level}」这一层级")
    if r.prior_year and not said.prior:
        raise PlanRejected("问题没有说到上年")
    if r.year is not None and str(r.year) not in said.question and r.year not in said.years:
        raise PlanRejected(f"问题没有说到 {r.year} 年")
    if r.table_number and normalize(r.table_number) not in said.question and r.table_number not in said.numbers:
        raise PlanRejected(f"问题没有说到「{r.table_number}」")
    # a code or table the question does not name would settle what the resolver must report as ambiguous
    code = code if code and (code in said.codes or code in said.question) else None
    kind = kind if kind and said.kind(kind) else None
    return Ref(text=r.text, concept=concept, row=row, code=code, columns=list(dict.fromkeys(r.columns)),
               table_kind=kind, table_number=r.table_number, project=r.project, level=r.level,
               prior_year=r.prior_year, year=r.year)


def _assign(model: list[PlanQuery], hint: list[Query]) -> list[list[Query]]:
    """The parser's part each model query answers: the same parts, in the order asked."""
    return [[h] for h in hint] if hint else [[Query(question="", op="value")] for _ in model]


def _query(mq: PlanQuery, operands: list[Ref], scope: Ref | None, parts: list[Query], hint: Plan) -> Query:
    """One model query with the slots the question itself fixes (department, year, ledger, amounts)
    taken from the parser, and the question's words accounted for by what the plan says."""
    first = parts[0]
    # a table the parser read from the question and the model left unsaid is still the question's table
    kinds = {r.table_kind for h in parts for r in h.operands if r.table_kind}
    if len(kinds) == 1:
        operands = [r if r.table_kind else r.model_copy(update={"table_kind": next(iter(kinds))}) for r in operands]
    q = Query(question="".join(h.question for h in parts), op=mq.op, operands=operands,
              unit_kind=_unit_kind(mq, first),
              unit=first.unit or _known_unit(mq.unit), k=mq.k if mq.k and 0 < mq.k <= 50 else first.k,
              growth_as=mq.growth_as or first.growth_as, direction=mq.direction or first.direction,
              department=first.department, year=first.year,
              ledger=first.ledger, language=first.language, scope=scope, threshold=first.threshold,
              threshold_unit=first.threshold_unit, given=[g for h in parts for g in h.given])
    consumed, leftover = [], []
    for h in parts:
        hint_names = [normalize(n) for r in h.operands + ([h.scope] if h.scope else [])
                      for n in (r.row, r.project, r.text) if n]
        for w in h.consumed + h.leftover:
            # the parser's reading of a word carries over only for the same op, one part for one part,
            # and never for a name (the model's own row must say a name the question says): words of a
            # part the model merged away (其中教育收费多少) must be said by the model's plan itself
            name = any(normalize(w) in n or n in normalize(w) for n in hint_names if n)
            carry = len(parts) == 1 and h.op == q.op and w in h.consumed and not name
            (consumed if _explained(w, q, h, carry) else leftover).append(w)
    q.consumed, q.leftover = consumed, list(dict.fromkeys(leftover))
    return q


def _unit_kind(mq: PlanQuery, first: Query) -> str:
    """The asked unit kind as the question's words give it (多少人, 百分之几); the model's only when they are silent."""
    if first.unit is not None or first.unit_kind != "money":
        return first.unit_kind
    if mq.op in ("share", "rate") or (mq.op == "growth" and mq.growth_as == "percent"):
        return "percent"
    return mq.unit_kind


def _known_unit(unit: str | None) -> str | None:
    known = {u.unit for u in load_lexicon().unit} | {"%"}
    return unit if unit in known else None


_CODE = re.compile(r"^\d{3,7}$")
_DIGIT = re.compile(r"\d")
_NEUTRAL = {"ignorable", "year", "ledger", "unit"}
# Which ops a cue's signal is said by, besides its own op.
_SIGNAL_OPS = {
    "comparator": {"difference", "compare", "growth", "rate"}, "change": {"growth", "difference", "compare"},
    "prior": {"growth"}, "percent": {"share", "rate", "growth"}, "how_many": {"count"},
    "yes_no": {"compare"}, "exceed": {"compare", "count"}, "rank": {"top", "max", "min"}, "share": {"share"},
}
_STRUCTURAL = {"scope", "separator", "which"}


@lru_cache(maxsize=1)
def _index() -> dict[str, Entry]:
    return load_lexicon().index()


def _explained(word: str, q: Query, part: Query, carry: bool) -> bool:
    """Does the plan `q` say this word of the question? `carry`: the parser consumed it for the same op."""
    w = normalize(word)
    if not w:
        return True
    if part.department and (w in normalize(part.department) or normalize(part.department) in w):
        return True
    if _CODE.match(w):
        return any(r.code == w for r in _refs(q)) or carry
    if _DIGIT.search(w):
        return True  # years, amounts, 前3: slots taken from the parser's reading
    entry = _index().get(w)
    if entry is None:
        return carry or _named(w, q)
    kind, value = entry.category, entry.value
    if kind in _NEUTRAL:
        return True
    if kind == "cue":
        return _cue_said(value, q)
    if kind == "column":
        return value.role in {c for r in _refs(q) for c in r.columns}
    if kind == "concept":  # named as an operand, or as the column role it qualifies a row with (基本支出)
        roles = {c for r in _refs(q) for c in r.columns}
        return value.id in {r.concept for r in _refs(q)} or value.column in roles or _named(w, q)
    if kind == "level":
        return value.level in {r.level for r in _refs(q)}
    if kind == "table":
        return bool({value.final, value.budget} & {r.table_kind for r in _refs(q)})
    return False  # out of scope (网站, 电话): nothing in a budget table says it


def _cue_said(cue: Cue, q: Query) -> bool:
    # 低于 is not said by a plan asking whether it is higher, nor 增长百分之几 by one asking the amount
    if cue.direction and q.direction and cue.direction != q.direction:
        return False
    if cue.growth_as and q.growth_as and cue.growth_as != q.growth_as:
        return False
    if cue.op == q.op or cue.signal in _STRUCTURAL:
        return True
    if cue.signal == "prior" and any(r.prior_year or "上年" in r.columns for r in q.operands):
        return True
    return q.op in _SIGNAL_OPS.get(cue.signal or "", set())


def _refs(q: Query) -> list[Ref]:
    return q.operands + ([q.scope] if q.scope is not None else [])


def _named(w: str, q: Query) -> bool:
    """A content word said by a name the plan resolves through (a row, project, concept or its synonyms)."""
    if len(w) < 2:
        return False
    concepts = _concepts()
    names: list[str] = []
    for r in _refs(q):
        names += [n for n in (r.row, r.project, r.concept) if n]
        if r.concept in concepts:
            names += concepts[r.concept].zh + concepts[r.concept].en
    return any(w in normalize(n) or fuzz.partial_ratio(w, normalize(n)) >= NAME_MATCH for n in names if n)
