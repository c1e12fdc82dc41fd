"""Which stored documents a question is about: those chosen, else those whose department it names."""

from __future__ import annotations

import re
from typing import Protocol

from budgetqa.app.qa.match import in_order, norm
from budgetqa.ingest.models import Document
from budgetqa.ingest.store import Store


class Searcher(Protocol):
    def search(self, query: str, doc_ids: list[str] | None = None, k: int = 10) -> list: ...


MAX_DOCS = 3  # an LLM reads each document's context: a few
GROUNDED_DOCS = 8  # grounded mode answers a document in milliseconds: every likely one, each answer labelled
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


def pick_documents(store: Store, retriever: Searcher | None, question: str, doc_ids: list[str] | None,
                   limit: int = MAX_DOCS) -> list[Document]:
    """The documents to answer from: those given; else those whose department the question names,
    narrowed by retrieval to the few whose passages fit the question best."""
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
    if len(candidates) > limit:
        try:
            hits = retriever.search(question, doc_ids=candidates, k=20) if retriever is not None else []
        except Exception:  # no index yet: fall back to the first candidates
            hits = []
        ranked = list(dict.fromkeys(h.doc_id for h in hits))
        candidates = (ranked or candidates)[:limit]
    return [store.document(i) for i in candidates]


