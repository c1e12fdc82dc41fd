"""Answer a question: grounded mode (no LLM) or the LLM chain, then the checker, then an `Answer`.

Every figure in the returned answer has been through `app.checker.verify`; with
`settings.answer.strict` an answer holding unverified figures is withheld.
"""

from __future__ import annotations

from collections.abc import Callable

from app.checker import verify
from app.grounded import _WHY, Grounded, _years_mismatch, answer_from_tables, empty_table_named, prose_first
from app.match import bare_name, bigrams, norm
from app.models import Answer, Citation, Figure
from app.prose import key_figure, rank_sentences
from ingest.models import Document

NOT_FOUND = "文件未提供：在所选文件的表格和说明中没有找到能回答这个问题的数字。"
PROSE_MIN = 0.3


MAX_DOCS = 3


def pick_documents(service, question: str, doc_ids: list[str] | None) -> list[Document]:
    """The documents to answer from: those given; else those whose department the question names,
    narrowed by retrieval to the few whose passages fit the question best."""
    store = service.store
    if doc_ids:
        return [store.document(i) for i in doc_ids]
    summaries = store.documents()
    if len(summaries) <= 1:
        return [store.document(s.id) for s in summaries]
    qg = bigrams(norm(question))
    scored = []
    for d in summaries:
        name = bigrams(norm(d.department or ""))
        scored.append((len(name & qg) / max(1, len(name)) if name else 0.0, d.id))
    best = max(s for s, _ in scored)
    candidates = [i for s, i in scored if s == best and best > 0.3] or [i for _, i in scored]
    if len(candidates) > MAX_DOCS:
        try:
            hits = service.retriever.search(question, doc_ids=candidates, k=20)
        except Exception:  # no index yet: fall back to the first candidates
            hits = []
        ranked = list(dict.fromkeys(h.doc_id for h in hits))
        candidates = (ranked or candidates)[:MAX_DOCS]
    return [store.document(i) for i in candidates]


def _prose(doc: Document, question: str) -> Grounded | None:
    ranked = rank_sentences(doc, question, limit=2, ignore=doc.department or "")
    if not ranked or ranked[0].score < PROSE_MIN:
        return None
    top = ranked[0]
    fig = key_figure(top.text, question)
    if fig is None and top.next:  # 「1. …行政运行（项）。」 names the subject; its figures follow
        top.text = top.text + top.next
        fig = key_figure(top.text, question)
    lead = f"{fig}。" if fig else ""
    quotes = [(s.heading, s.page, s.text) for s in ranked if s.score >= PROSE_MIN][:2]
    body = "原文：" + "……".join(f"「{q[2]}」" for q in quotes)
    g = Grounded(lead + body, form="prose", quotes=quotes)
    g.score = top.score  # type: ignore[attr-defined]
    return g


def grounded_answer(doc: Document, question: str) -> Grounded | None:
    if _years_mismatch(doc, question):
        return Grounded("", not_found_reason=f"文件未提供：本文件为{doc.year}年度{doc.kind or ''}，不含问题所问年度的数据。")
    if _WHY.search(question):  # reasons live in the prose
        prose = _prose(doc, question)
        if prose is not None:
            return prose
    empty = empty_table_named(doc, question)
    if empty is not None:
        return Grounded("", not_found_reason=f"{empty.title}为空表（本表无数据），文件中没有可核验的数字。")
    table = answer_from_tables(doc, question)
    if prose_first(question, table):
        prose = _prose(doc, question)
        if prose is not None:
            return prose
    return table


def answer_question(service, question: str, doc_ids: list[str] | None = None,
                    on_token: Callable[[str], None] | None = None) -> Answer:
    docs = pick_documents(service, question, doc_ids)
    if not docs:
        return Answer(question=question, answer="还没有导入任何文件。", status="not_found")
    if service.llm is not None:
        from app.chain import llm_answer

        answer = llm_answer(service, question, docs, on_token=on_token)
        if answer is not None:
            return _strict(service, answer)
        notice = "模型输出无法解析，已改用基于表格的核验模式回答。"
    else:
        notice = None
    answer = grounded(service, question, docs)
    if notice:
        answer.notices.append(notice)
    return _strict(service, answer)


def grounded(service, question: str, docs: list[Document]) -> Answer:
    best: tuple[Grounded, Document] | None = None
    reasons = []
    for doc in docs:
        g = grounded_answer(doc, question)
        if g is None:
            continue
        if g.not_found_reason:
            reasons.append(g.not_found_reason)
            continue
        score = max((c.score for c in g.cells), default=getattr(g, "score", 0))
        if best is None or score > max((c.score for c in best[0].cells), default=getattr(best[0], "score", 0)):
            best = (g, doc)
    if best is None:
        return Answer(question=question, answer=reasons[0] if reasons else NOT_FOUND, status="not_found",
                      mode="grounded")
    g, doc = best
    return finish(service, question, g, doc, mode="grounded")


def finish(service, question: str, g: Grounded, doc: Document, mode: str) -> Answer:
    """Run the checker over the answer text and attach sources."""
    fact_ids = {f for c in g.claims for f in c.fact_ids}
    facts = service.store.facts_by_id(fact_ids)
    result = verify(g.text, g.claims, facts)
    citations = [
        Citation(doc=doc.file, page=c.row.page, table=c.table.title,
                 row=(f"{c.row.code} " if c.row.code else "") + bare_name(c.row.name), column=c.column,
                 text=f"{c.value}")
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
    if service.settings.answer.strict and any(not f.verified for f in answer.figures):
        n = sum(not f.verified for f in answer.figures)
        return answer.model_copy(update={
            "answer": f"（严格模式）答案含 {n} 个未能核验的数字，已隐藏。", "figures": [],
            "status": "unverified", "notices": answer.notices + ["strict: unverified figures withheld"]})
    return answer
