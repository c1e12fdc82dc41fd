"""The LLM path: retrieve → context with fact ids → structured answer → checker.

The model sees candidate table facts with ids and prose passages; it must return
`{answer, claims: [{value, unit, fact_ids, derivation}]}`. Malformed output gets one repair
attempt; after that, or when the endpoint fails or the question's time budget runs out, the caller
falls back to grounded mode with a notice naming the cause. The model's own claims are never
trusted: the checker compares the answer text's figures with the cited facts, and only facts shown
to the model for this document count. While streaming, only figure-free text is passed on.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

from budgetqa.app.checker import extract_figures
from budgetqa.app.models import Answer, Claim
from budgetqa.app.qa.assemble import finish
from budgetqa.app.qa.cells import Grounded, cell_fact_id, cell_unit
from budgetqa.app.qa.llm import Deadline, Fault, call_model, first_line
from budgetqa.app.qa.match import bare_name, rank_cells
from budgetqa.app.qa.prompts import load
from budgetqa.ingest.models import Document
from langchain_core.output_parsers import PydanticOutputParser
from langchain_core.prompts import PromptTemplate
from pydantic import BaseModel, Field

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
        hits = service.retriever.search(question, doc_ids=[doc.doc_id], k=service.top_k)
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


_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


def parse_answer(raw: str) -> ModelAnswer:
    """The reply as a `ModelAnswer`, strictly: a cut-off reply is an error, not a shorter answer.

    (langchain's JSON parser completes truncated JSON, so 「{"answer": "基本支出为」 would pass.)
    """
    text = _FENCE.sub("", raw.strip())
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise
        data = json.loads(text[start : end + 1])  # prose around the object: the object alone
    return ModelAnswer.model_validate(data)


def parse_or_repair(model, raw: str, call: Callable[[str], str]) -> ModelAnswer:
    """The model's answer from its raw output, with one repair request; raises Fault("unreadable")."""
    try:
        return parse_answer(raw)
    except (ValueError, TypeError) as exc:  # JSONDecodeError and ValidationError are ValueErrors
        instructions = PydanticOutputParser(pydantic_object=ModelAnswer).get_format_instructions()
        repair = PromptTemplate.from_template(load("repair")).format(
            error=str(exc)[:500], output=raw[:4000], format_instructions=instructions)
    fixed = call(repair)  # a Fault here (timeout, 429 …) is the true cause and propagates
    try:
        return parse_answer(fixed)
    except (ValueError, TypeError) as exc:
        log.warning("model output unparseable after repair: %s", exc)
        raise Fault("unreadable", first_line(exc)) from exc


# 「文件未提供」 and the like with no claims: the model found nothing, but the tables may still answer
_DECLINES = re.compile(r"文件未提供|未提供|没有提供|未找到|没有找到|无法(?:回答|确定|找到|判断)|不包含|没有相关")


def llm_answer(service, question: str, docs: list[Document],
               on_token: Callable[[str], None] | None = None) -> Answer | Fault:
    """Answer with the configured chat model, or the `Fault` that sends the question to grounded mode.

    Everything the model does for one question (answer, repair, retries) shares one time budget.
    Fact ids count only when they were among the candidates shown for this document.
    """
    cfg = service.llm_config
    deadline = Deadline(cfg.budget)
    doc = docs[0]
    if len(docs) > 1:  # answer from the document whose cells fit the question best
        doc = max(docs, key=lambda d: max((c.score for c in rank_cells(d, question, limit=1)), default=0))
    prompt, cells, _ = build_prompt(service, doc, question)

    def call(text: str, on_text: Callable[[str], None] | None = None) -> str:
        return call_model(service.llm, text, deadline, cfg.max_retries + 1, cfg.timeout, on_text)

    try:
        raw = call(prompt, SafeStream(on_token) if on_token else None)
        parsed = parse_or_repair(service.llm, raw, call)
    except Fault as fault:
        log.warning("LLM answer failed after %d attempt(s): %s", fault.attempts, fault)
        return fault
    if not parsed.claims and not extract_figures(parsed.answer) and _DECLINES.search(parsed.answer):
        return Fault("declined", parsed.answer.strip()[:60])
    used = {f: cells[f] for c in parsed.claims for f in c.fact_ids if f in cells}
    g = Grounded(parsed.answer, claims=parsed.claims, cells=list(used.values()), form="llm", quotes=[])
    return finish(service.store, question, g, doc, mode="llm", scope=set(cells))


def fallback_notice(fault: Fault, budget: float) -> str:
    """The notice shown above a grounded answer: why the model's answer is not the one shown."""
    tail = "已改用基于表格的核验模式回答。"
    tries = f"（共尝试 {fault.attempts} 次）" if fault.attempts > 1 else ""
    if fault.cause == "timeout":
        return f"模型服务超时：在本题 {budget:g} 秒的时间预算内没有给出完整回答{tries}，{tail}"
    if fault.cause == "rate_limit":
        wait = f"，要求 {fault.retry_after:g} 秒后重试" if fault.retry_after is not None else ""
        return f"模型服务限流（HTTP 429{wait}），超出本题 {budget:g} 秒的时间预算{tries}，{tail}"
    if fault.cause == "server_error":
        code = f"HTTP {fault.status}" if fault.status else "5xx"
        return f"模型服务出错（{code}）{tries}，{tail}"
    if fault.cause == "connection":
        why = "连接被拒绝" if fault.detail == "connection refused" else fault.detail
        return f"无法连接模型服务（{why}）{tries}，{tail}"
    if fault.cause == "refused_request":
        code = f"HTTP {fault.status}：" if fault.status else ""
        return f"模型服务拒绝了请求（{code}{fault.detail}），请检查模型名、地址和密钥；{tail}"
    if fault.cause == "bad_reply":
        return f"模型服务的回复无法读取（不是 OpenAI 兼容的对话补全格式），请检查服务地址；{tail}"
    if fault.cause == "unreadable":
        return f"模型输出无法解析（修复一次后仍不是所需的 JSON），{tail}"
    if fault.cause == "declined":
        return f"模型未能从所给资料中作答（「{fault.detail}」），{tail}"
    return f"调用模型失败（{fault.detail}），{tail}"


# ---------------------------------------------------------------- streaming without figures

# Characters a figure may still grow from: held back at the end of the streamed text until the
# next characters show whether they are a figure (共三 → 共三辆; 1,1 → 1,184.83万元; 百分 → 百分之十).
_HOLD = set("0123456789０１２３４５６７８９.,+-−－%％ \t\n\u3000点百分之") | set("零〇一二两三四五六七八九十千万亿几数多余")
_ANSWER_KEY = re.compile(r'"answer"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class SafeStream:
    """Streams the model's answer text only up to its first figure: nothing unchecked is shown.

    Fed the raw reply so far (JSON, possibly fenced); passes on to `on_token` only the new part of
    the answer's figure-free prefix. A retried request starts again; only what extends the text
    already shown is passed on.
    """

    def __init__(self, on_token: Callable[[str], None]):
        self.on_token = on_token
        self.shown = ""

    def __call__(self, raw: str) -> None:
        safe = figure_free_prefix(partial_answer(raw))
        if len(safe) > len(self.shown) and safe.startswith(self.shown):
            self.on_token(safe[len(self.shown):])
            self.shown = safe


def partial_answer(raw: str) -> str:
    """The value of the "answer" field in a JSON reply that may still be arriving."""
    m = _ANSWER_KEY.search(raw)
    if not m:
        return ""
    out, i = [], m.end()
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            break
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        if nxt == "u":
            code = raw[i + 2 : i + 6]
            if len(code) < 4:
                break  # the escape is still arriving
            try:
                out.append(chr(int(code, 16)))
            except ValueError:
                break
            i += 6
            continue
        if not nxt:
            break
        out.append(_ESCAPES.get(nxt, nxt))
        i += 2
    return "".join(out)


def figure_free_prefix(text: str) -> str:
    """`text` up to its first figure, less a tail that could still become one."""
    figures = extract_figures(text)
    if figures:
        text = text[: figures[0].start]
    end = len(text)
    while end and text[end - 1] in _HOLD:
        end -= 1
    return text[:end]
