"""An answer's text and claims → a checked `Answer`: the figure check, sources, merging, strict mode.

Shared by the grounded pipeline and the LLM path, so both go through the same checker.
"""

from __future__ import annotations

from budgetqa.app.checker import verify
from budgetqa.app.models import Answer, Citation, Figure
from budgetqa.app.qa.cells import Grounded
from budgetqa.app.qa.match import bare_name
from budgetqa.ingest.models import Document
from budgetqa.ingest.store import Store


def citations_of(g: Grounded, doc: Document) -> list[Citation]:
    out = [
        Citation(doc=doc.file, doc_id=doc.doc_id, page=c.row.page, line=c.row.line, table=c.table.title,
                 row=(f"{c.row.code} " if c.row.code else "") + bare_name(c.row.name), column=c.column,
                 text=f"{c.value}", bbox=c.row.boxes.get(c.column))
        for c in g.cells
    ]
    return out + [Citation(doc=doc.file, doc_id=doc.doc_id, page=page, table=heading or None, text=text)
                  for heading, page, text in g.quotes]


def checked_figures(store: Store, g: Grounded, doc: Document, scope: set[str] | None = None) -> list[Figure]:
    """Every figure of the text through the checker, against the facts the claims cite.

    `scope`: the fact ids the answer may cite (an LLM's candidates for `doc`); others back nothing.
    """
    fact_ids = {f for c in g.claims for f in c.fact_ids}
    if scope is not None:  # another document's id is never even looked up
        fact_ids &= scope
    facts = store.facts_by_id(fact_ids)
    # an OCR'd figure needs a second source: the document's other facts are its witnesses
    witnesses = store.facts([doc.doc_id]) if any(f.ocr for f in facts.values()) else None
    result = verify(g.text, g.claims, facts, scope=scope, witnesses=witnesses)
    figures = []
    for f in result.figures:
        if f.source is not None:
            f = f.model_copy(update={"source": f.source.model_copy(update={"doc": doc.file, "doc_id": doc.doc_id})})
        figures.append(f)
    return figures


def status_of(figures: list[Figure]) -> str:
    """verified when every figure is, partial when some are, else unverified."""
    n = sum(f.verified for f in figures)
    if figures and n == len(figures):
        return "verified"
    return "partial" if n else "unverified"


def overall_status(statuses: set[str]) -> str:
    """The status of an answer made of parts (per document or per part of the question)."""
    if statuses == {"verified"}:
        return "verified"
    if statuses == {"not_found"}:
        return "not_found"
    return "partial" if statuses & {"verified", "partial"} else "unverified"


def finish(store: Store, question: str, g: Grounded, doc: Document, mode: str,
           scope: set[str] | None = None) -> Answer:
    """Run the checker over the answer text and attach sources."""
    figures = checked_figures(store, g, doc, scope)
    return Answer(question=question, answer=g.text, status=status_of(figures), mode=mode, figures=figures,
                  citations=citations_of(g, doc))


def merge(answers: list[Answer], docs: list[Document], notice: str | None = None) -> Answer:
    """One answer per document, labelled; figures and sources keep their own documents."""
    text = "；\n".join(f"【{d.department or d.file}】{a.answer}" for a, d in zip(answers, docs))
    figures = [f for a in answers for f in a.figures]
    status = overall_status({a.status for a in answers})
    notices = [notice or f"问题未指明文件，以下按 {len(docs)} 份文件分别作答；可选定文件以缩小范围。"]
    notices += [n for a in answers for n in a.notices if n not in notices]
    interp = "\n".join(f"【{d.department or d.file}】{a.interpretation}" for a, d in zip(answers, docs) if a.interpretation)
    return Answer(question=answers[0].question, answer=text, status=status, mode=answers[0].mode, figures=figures,
                  citations=[c for a in answers for c in a.citations], notices=notices,
                  interpretation=interp or None, queries=answers[0].queries)


def strict(answer: Answer, enabled: bool) -> Answer:
    """With strict mode on, an answer holding unverified figures is withheld."""
    if enabled and any(not f.verified for f in answer.figures):
        n = sum(not f.verified for f in answer.figures)
        return answer.model_copy(update={
            "answer": f"（严格模式）答案含 {n} 个未能核验的数字，已隐藏。", "figures": [],
            "status": "unverified", "notices": answer.notices + ["strict: unverified figures withheld"]})
    return answer
