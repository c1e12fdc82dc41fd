"""Answer a question: pick the documents, parse the question once per document, then grounded mode
(no LLM) or the LLM chain, and return a checked `Answer`.

Every figure of the returned answer has been through the figure checker and the fit check; with
strict mode on, an answer holding unverified figures is withheld.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from budgetqa.app.models import Answer
from budgetqa.app.settings import LLMSettings
from budgetqa.app.qa.assemble import strict
from budgetqa.app.qa.documents import GROUNDED_DOCS, MAX_DOCS, Searcher, pick_documents
from budgetqa.app.qa.pipeline import grounded
from budgetqa.app.qa.parse import Vocabulary, parse
from budgetqa.app.qa.query import Plan, Query
from budgetqa.ingest.models import Document
from budgetqa.ingest.store import Store


@dataclass
class QAParts:
    """What the question pipeline needs from the composition root, and nothing more."""

    store: Store
    retriever: Searcher | None = None
    llm: Any = None  # a langchain chat model, or None for grounded mode
    strict: bool = False
    top_k: int = 6
    max_retries: int = 2
    llm_config: LLMSettings | None = None  # budget, timeout and retries of the LLM path


_VOCAB: dict[str, Vocabulary] = {}


def vocabulary(doc: Document) -> Vocabulary:
    """The document's own names for the parser, built once per document content."""
    if doc.sha256 not in _VOCAB:
        if len(_VOCAB) > 256:
            _VOCAB.clear()
        _VOCAB[doc.sha256] = Vocabulary.from_document(doc)
    return _VOCAB[doc.sha256]


def plans_for(question: str, docs: list[Document], previous: Query | None = None) -> dict[str, Plan]:
    return {d.doc_id: parse(question, vocabulary(d), previous) for d in docs}


def answer_question(parts: QAParts, question: str, doc_ids: list[str] | None = None,
                    on_token: Callable[[str], None] | None = None, previous: Query | None = None) -> Answer:
    docs = pick_documents(parts.store, parts.retriever, question, doc_ids,
                          limit=MAX_DOCS if parts.llm is not None else GROUNDED_DOCS)
    if not docs:
        return Answer(question=question, answer="还没有导入任何文件。", status="not_found")
    plans = plans_for(question, docs, previous)
    chosen = bool(doc_ids) and len(doc_ids) > 1
    notice = None
    # ---- the LLM path: the model fills the same plans (the parser's are its hint); a Fault or a
    # plan that is refused or does not fit answers from the parser's plans below, the cause named
    if parts.llm is not None:
        from budgetqa.app.qa.chain import fallback_notice, llm_answer

        answer = llm_answer(parts, question, docs, plans, vocabulary, chosen=chosen, on_token=on_token)
        if isinstance(answer, Answer):
            return strict(answer, parts.strict)
        notice = fallback_notice(answer, parts.llm_config.budget)  # the Fault: its true cause
    # ---- end of the LLM path
    answer = grounded(parts.store, question, docs, plans, chosen=chosen)
    if notice:
        answer.notices.append(notice)
    return strict(answer, parts.strict)
