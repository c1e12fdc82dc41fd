"""The LLM path: retrieve → context with fact ids → structured answer → checker.

The model sees candidate table facts with ids and prose passages; it must return
`{answer, claims: [{value, unit, fact_ids, derivation}]}`. Malformed output gets one repair
attempt; after that the caller falls back to grounded mode. The model's own claims are never
trusted: the checker compares the answer text's figures with the cited facts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from langchain_core.output_parsers import PydanticOutputParser, StrOutputParser
from langchain_core.prompts import PromptTemplate
from pydantic import BaseModel, Field

from budgetqa.app.qa.cells import Grounded, cell_fact_id, cell_unit
from budgetqa.app.qa.match import bare_name, rank_cells
from budgetqa.app.models import Answer, Claim
from budgetqa.app.qa.prompts import load
from budgetqa.ingest.models import Document

log = logging.getLogger(__name__)

MAX_FACTS = 40


class ModelAnswer(BaseModel):
    answer: str = Field(description="给用户的中文回答，数字写明单位")
    claims: list[Claim] = Field(default_factory=list, description="回答中每个数字的来源：fact_ids 与 derivation")


def fact_lines(doc: Document, question: str) -> tuple[str, dict]:
    """Candidate cells for the question, one line each with its fact id."""
    cells = rank_cells(doc, question, limit=MAX_FACTS) + rank_cells(doc, question, want_row=False, limit=10)
    lines, seen = [], {}
    for c in cells:
        fid = cell_fact_id(doc, c)
        if fid in seen:
            continue
        seen[fid] = c
        row = (f"{c.row.code} " if c.row.code else "") + bare_name(c.row.name)
        lines.append(f"{fid} | {c.table.title} | {row} | {c.column} | {c.value}{cell_unit(c) or ''}")
    return "\n".join(lines) or "（无）", seen


def passage_lines(service, doc: Document, question: str) -> list[tuple[str, int | None, str]]:
    try:
        hits = service.retriever.search(question, doc_ids=[doc.doc_id], k=service.settings.answer.top_k)
    except Exception as exc:  # retrieval trouble must not block an answer from the facts
        log.warning("retrieval failed: %s", exc)
        return []
    return [(" > ".join(h.heading_path or []) or (h.table_title or ""), h.page, h.text) for h in hits
            if getattr(h, "kind", "prose") != "row"]


def build_prompt(service, doc: Document, question: str) -> tuple[str, dict, list]:
    parser = PydanticOutputParser(pydantic_object=ModelAnswer)
    facts, cells = fact_lines(doc, question)
    passages = passage_lines(service, doc, question)
    ptext = "\n".join(f"[P{i + 1}] {h}（第{p}页）：{t}" if p else f"[P{i + 1}] {h}：{t}"
                      for i, (h, p, t) in enumerate(passages)) or "（无）"
    prompt = PromptTemplate.from_template(load("answer")).format(
        facts=facts, passages=ptext, question=question, format_instructions=parser.get_format_instructions())
    return prompt, cells, passages


# Transient trouble at the endpoint (timeouts, dropped connections, rate limits) is retried with backoff.
RETRY_ON: tuple[type[BaseException], ...] = (TimeoutError, ConnectionError)
try:  # the OpenAI client's own errors, when it is installed
    import openai

    RETRY_ON += (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)
except ImportError:  # pragma: no cover
    pass


def _call(model, prompt: str, on_token: Callable[[str], None] | None, attempts: int = 3) -> str:
    if on_token is None:
        chain = model.with_retry(retry_if_exception_type=RETRY_ON, stop_after_attempt=attempts,
                                 wait_exponential_jitter=True) | StrOutputParser()
        return chain.invoke(prompt)
    chain = model | StrOutputParser()  # a stream already shown cannot be replayed, so it is not retried
    parts = []
    for chunk in chain.stream(prompt):
        parts.append(chunk)
        on_token(chunk)
    return "".join(parts)


def parse_or_repair(model, raw: str) -> ModelAnswer | None:
    parser = PydanticOutputParser(pydantic_object=ModelAnswer)
    try:
        return parser.parse(raw)
    except Exception as exc:
        repair = PromptTemplate.from_template(load("repair")).format(
            error=str(exc)[:500], output=raw[:4000], format_instructions=parser.get_format_instructions())
        try:
            return parser.parse(_call(model, repair, None))
        except Exception as exc2:
            log.warning("model output unparseable after repair: %s", exc2)
            return None


def llm_answer(service, question: str, docs: list[Document],
               on_token: Callable[[str], None] | None = None) -> Answer | None:
    """Answer with the configured chat model; None when its output cannot be used."""
    from budgetqa.app.qa.answer import finish

    doc = docs[0]
    if len(docs) > 1:  # answer from the document whose cells fit the question best
        doc = max(docs, key=lambda d: max((c.score for c in rank_cells(d, question, limit=1)), default=0))
    prompt, cells, passages = build_prompt(service, doc, question)
    try:
        raw = _call(service.llm, prompt, on_token, attempts=service.settings.llm.max_retries + 1)
    except Exception as exc:
        log.warning("LLM call failed: %s", exc)
        return None
    parsed = parse_or_repair(service.llm, raw)
    if parsed is None:
        return None
    used = {f: cells[f] for c in parsed.claims for f in c.fact_ids if f in cells}
    g = Grounded(parsed.answer, claims=parsed.claims, cells=list(used.values()), form="llm", quotes=[])
    answer = finish(service, question, g, doc, mode="llm")
    if not parsed.claims and "文件未提供" in parsed.answer:
        answer = answer.model_copy(update={"status": "not_found"})
    return answer
