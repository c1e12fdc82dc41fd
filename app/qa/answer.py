"""Answer a question: grounded mode (no LLM) or the LLM chain, then the checker, then an `Answer`.

Every figure in the returned answer has been through `app.checker.verify`; with
`settings.answer.strict` an answer holding unverified figures is withheld.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from budgetqa.app.checker import verify
from budgetqa.app.qa.cells import Grounded, asked_unit, empty_table_named, years_mismatch
from budgetqa.app.qa.grounded import _PROSE_STRONG, _WHY, answer_from_tables, prose_first
from budgetqa.app.qa.match import bare_name, in_order, norm
from budgetqa.app.models import Answer, Citation
from budgetqa.app.qa.prose import key_figure, rank_sentences
from budgetqa.ingest.models import Document

@dataclass
class QAParts:
    """What the question pipeline needs from the composition root, and nothing more."""

    store: Any
    retriever: Any = None
    llm: Any = None
    strict: bool = False
    top_k: int = 6
    max_retries: int = 2
    settings: Any = None  # interim: the LLM path still reads its section from here


_ASKS_FIGURE = re.compile(r"多少|几[个辆人项家次年]|金额|数额|比例|占比|比重")
NOT_FOUND = "文件未提供：在所选文件的表格和说明中没有找到能回答这个问题的数字。"
PROSE_MIN = 0.3


MAX_DOCS = 3
_ORG_END = set("局办室委部心学厅处院所府道社会")
_PLACE_END = set("省市区县州旗镇乡府")


def department_span(question: str, department: str | None) -> str:
    """The words of the question that name the department (州工信局, 朝阳市工信局), if any."""
    q, d = norm(question), norm(department or "")
    best = ""
    for end, ch in enumerate(q):
        if ch not in _ORG_END or not d:
            continue
        for start in range(max(0, end - 11), end - 1):
            cand = q[start : end + 1]
            if len(cand) > len(best) and cand[0] in d and in_order(cand, d):
                best = cand
                break
    return best


def department_score(question: str, department: str | None) -> int:
    """How many characters of the question name this department, abbreviations included.

    「州工信局」 names 延边朝鲜族自治州工业和信息化局 (its characters in order, ending in 局);
    「襄垣县」 or 「西南大学」 name theirs outright.
    """
    q, d = norm(question), norm(department or "")
    if not d:
        return 0
    best = len(department_span(question, department))
    for n in range(min(len(q), 12), 2, -1):  # a plain shared stretch that starts a name part: 襄垣县, 万里街道
        if n <= best:
            break
        for i in range(len(q) - n + 1):
            at = d.find(q[i : i + n])
            if at == 0 or (at > 0 and d[at - 1] in _PLACE_END):
                best = n
                break
        else:
            continue
        break
    return best


def pick_documents(service, question: str, doc_ids: list[str] | None) -> list[Document]:
    """The documents to answer from: those given; else those whose department the question names,
    narrowed by retrieval to the few whose passages fit the question best."""
    store = service.store
    if doc_ids:
        return [store.document(i) for i in doc_ids]
    summaries = store.documents()
    if len(summaries) <= 1:
        return [store.document(s.id) for s in summaries]
    years = {int(y) for y in re.findall(r"(20\d\d)\s*年", question)}
    if years and any(d.year in years for d in summaries):  # 「2025年…」 means the 2025 documents
        summaries = [d for d in summaries if d.year in years]
    scored = [(department_score(question, d.department), d.id) for d in summaries]
    best = max(s for s, _ in scored)
    candidates = [i for s, i in scored if s == best and best >= 3] or [i for _, i in scored]
    if len(candidates) > MAX_DOCS:
        try:
            hits = service.retriever.search(question, doc_ids=candidates, k=20)
        except Exception:  # no index yet: fall back to the first candidates
            hits = []
        ranked = list(dict.fromkeys(h.doc_id for h in hits))
        candidates = (ranked or candidates)[:MAX_DOCS]
    return [store.document(i) for i in candidates]


def _prose(doc: Document, question: str) -> Grounded | None:
    span = department_span(question, doc.department)
    asked = norm(question).replace(span, "") if len(span) >= 3 else question
    ranked = rank_sentences(doc, asked, limit=2, ignore=doc.department or "", unit=asked_unit(question))
    if not ranked or ranked[0].score < PROSE_MIN:
        return None
    top = ranked[0]
    fig = key_figure(top.text, question)
    if fig is None and top.next:  # 「1. …行政运行（项）。」 names the subject; its figures follow
        top.text = top.text + top.next
        fig = key_figure(top.text, question)
    if fig is None and _ASKS_FIGURE.search(question) and not _WHY.search(question):
        return None  # a figure was asked for and the best sentence gives none for it
    lead = f"{fig}。" if fig else ""
    quotes = [(s.heading, s.page, s.text) for s in ranked if s.score >= PROSE_MIN][:2]
    body = "原文：" + "……".join(f"「{q[2]}」" for q in quotes)
    return Grounded(lead + body, form="prose", quotes=quotes, score=top.score)


def grounded_answer(doc: Document, question: str) -> Grounded | None:
    if years_mismatch(doc, question):
        return Grounded("", not_found_reason=f"文件未提供：本文件为{doc.year}年度{doc.kind or ''}，不含问题所问年度的数据。")
    if _WHY.search(question):  # reasons live in the prose
        prose = _prose(doc, question)
        if prose is not None:
            return prose
    empty = empty_table_named(doc, question)
    if empty is not None:
        return Grounded("", not_found_reason=f"{empty.title}为空表（本表无数据），文件中没有可核验的数字。")
    table = answer_from_tables(doc, question)
    if table is not None and table.not_found_reason:
        prose = _prose(doc, question) if prose_first(question, None) and _PROSE_STRONG.search(question) else None
        return prose or table
    if prose_first(question, table):
        prose = _prose(doc, question)
        if prose is not None:
            return prose
    return table


def answer_question(service, question: str, doc_ids: list[str] | None = None,
                    on_token: Callable[[str], None] | None = None, previous=None) -> Answer:
    docs = pick_documents(service, question, doc_ids)
    if not docs:
        return Answer(question=question, answer="还没有导入任何文件。", status="not_found")
    if service.llm is not None:
        from budgetqa.app.qa.chain import fallback_notice, llm_answer

        answer = llm_answer(service, question, docs, on_token=on_token)
        if isinstance(answer, Answer):
            return _strict(service, answer)
        notice = fallback_notice(answer, service.settings.llm.budget)  # the Fault: its true cause
    else:
        notice = None
    answer = grounded(service, question, docs)
    if notice:
        answer.notices.append(notice)
    return _strict(service, answer)


def grounded(service, question: str, docs: list[Document]) -> Answer:
    found: list[tuple[Grounded, Document]] = []
    reasons = []
    for doc in docs:
        g = grounded_answer(doc, question)
        if g is None:
            continue
        if g.not_found_reason:
            reasons.append(g.not_found_reason)
            continue
        found.append((g, doc))
    if not found:
        return Answer(question=question, answer=reasons[0] if reasons else NOT_FOUND, status="not_found",
                      mode="grounded")
    tables = [(g, d) for g, d in found if g.cells]
    if len(docs) > 1 and len(tables) > 1:
        # the question fits several documents: answer for each, each checked against its own cells
        return merge([finish(service, question, g, d, mode="grounded") for g, d in tables], [d for _, d in tables])
    g, doc = max(found, key=lambda x: x[0].strength)
    return finish(service, question, g, doc, mode="grounded")


def merge(answers: list[Answer], docs: list[Document]) -> Answer:
    """One answer per document, labelled; figures and sources keep their own documents."""
    text = "；\n".join(f"【{d.department or d.file}】{a.answer}" for a, d in zip(answers, docs))
    figures = [f for a in answers for f in a.figures]
    statuses = {a.status for a in answers}
    status = "verified" if statuses == {"verified"} else ("partial" if "verified" in statuses or "partial" in statuses
                                                         else "unverified")
    return Answer(question=answers[0].question, answer=text, status=status, mode="grounded", figures=figures,
                  citations=[c for a in answers for c in a.citations],
                  notices=[f"问题未指明文件，以下按 {len(docs)} 份文件分别作答；可选定文件以缩小范围。"])


def finish(service, question: str, g: Grounded, doc: Document, mode: str) -> Answer:  # interim
    """Run the checker over the answer text and attach sources."""
    fact_ids = {f for c in g.claims for f in c.fact_ids}
    facts = service.store.facts_by_id(fact_ids)
    result = verify(g.text, g.claims, facts)
    citations = [
        Citation(doc=doc.file, page=c.row.page, line=c.row.line, table=c.table.title,
                 row=(f"{c.row.code} " if c.row.code else "") + bare_name(c.row.name), column=c.column,
                 text=f"{c.value}", bbox=c.row.boxes.get(c.column))
        for c in g.cells
    ]
    citations += [Citation(doc=doc.file, page=page, table=heading or None, text=text) for heading, page, text in g.quotes]
    figures = []
    for f in result.figures:
        if f.source is not None:
            f = f.model_copy(update={"source": f.source.model_copy(update={"doc": doc.file})})
        figures.append(f)
    status = result.status
    if not figures and g.quotes:
        status = "unverified"
    return Answer(question=question, answer=g.text, status=status, mode=mode, figures=figures, citations=citations)


def _strict(service, answer: Answer) -> Answer:
    if service.strict and any(not f.verified for f in answer.figures):
        n = sum(not f.verified for f in answer.figures)
        return answer.model_copy(update={
            "answer": f"（严格模式）答案含 {n} 个未能核验的数字，已隐藏。", "figures": [],
            "status": "unverified", "notices": answer.notices + ["strict: unverified figures withheld"]})
    return answer
