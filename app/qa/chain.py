"""The LLM path: the model reads the question into the same typed `Plan` the parser fills; the
executor computes every figure; the model may then phrase the sentence around the executed figures.

1. Plan: the model is asked (tool calling on the `QuestionPlan` schema; JSON text with one repair
   for endpoints without tools) to fill a plan, shown the parser's plan as a hint and the document's
   vocabulary with candidate cells by fact id (`llm_plan`). `accept` validates it per document.
2. Execute: the accepted plans run through grounded mode's resolve → execute → fit → assemble, so
   every figure comes from the executor and goes through the figure and fit checks. A plan that
   fails validation, does not fit (anything short of ✓) or does not cite the cells it pinned is
   not used: the caller answers from the parser's plan, with a notice naming why.
3. Phrase (optional): one more request rewords the executed answer; the sentence is kept only when
   the checker traces every figure of it to the executed claims and its first figure is the
   headline (`phrase.rephrased`); else the executor's sentence stands.
Every request of one question shares one time budget (`llm.Deadline`); endpoint trouble is a
`Fault` the caller turns into grounded mode with the cause named. While streaming, only
figure-free text is passed on.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

from budgetqa.app.checker import extract_figures
from budgetqa.app.models import Answer
from budgetqa.app.qa import fit
from budgetqa.app.qa.assemble import status_of
from budgetqa.app.qa.llm import Deadline, Fault, call_model, call_tools, first_line
from budgetqa.app.qa.llm_plan import PlanRejected, QuestionPlan, Shown, accept, prompt_parts, show
from budgetqa.app.qa.match import rank_cells
from budgetqa.app.qa.parse import Vocabulary
from budgetqa.app.qa.phrase import rephrased
from budgetqa.app.qa.pipeline import grounded
from budgetqa.app.qa.prompts import load
from budgetqa.app.qa.query import Plan
from budgetqa.ingest.models import Document
from langchain_core.output_parsers import PydanticOutputParser
from langchain_core.prompts import PromptTemplate
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

TOOL_RULE = "调用工具 QuestionPlan 提交计划（工具参数就是计划本身），不要输出其他文字。"
# a tools request an endpoint refuses as such (no tool support): asked again for JSON text
_NO_TOOLS = {400, 404, 422}


class Phrased(BaseModel):
    answer: str = Field(description="改写后的一句中文回答")


def json_rule(schema: type[BaseModel]) -> str:
    return "只输出一个 JSON 对象，不要输出其他文字，格式如下：\n" + PydanticOutputParser(
        pydantic_object=schema).get_format_instructions()


def plan_prompt(question: str, shown: Shown, hint: Plan, rule: str) -> str:
    return PromptTemplate.from_template(load("plan")).format(
        question=question, format_instructions=rule, **prompt_parts(shown, hint))


_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


def parse_json(raw: str, schema: type[BaseModel]):
    """The reply as `schema`, strictly: a cut-off reply is an error, not a shorter one.

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
    return schema.model_validate(data)


def parse_or_repair(raw: str, call: Callable[[str], str], schema: type[BaseModel]):
    """`schema` from the model's raw output, with one repair request; raises Fault("unreadable")."""
    try:
        return parse_json(raw, schema)
    except (ValueError, TypeError) as exc:  # JSONDecodeError and ValidationError are ValueErrors
        repair = PromptTemplate.from_template(load("repair")).format(
            error=str(exc)[:500], output=raw[:4000], format_instructions=json_rule(schema))
    fixed = call(repair)  # a Fault here (timeout, 429 …) is the true cause and propagates
    try:
        return parse_json(fixed, schema)
    except (ValueError, TypeError) as exc:
        log.warning("model output unparseable after repair: %s", exc)
        raise Fault("unreadable", first_line(exc)) from exc


def ask_plan(model, question: str, shown: Shown, hint: Plan, call: Callable[[str], str],
             call_tool: Callable[[str], object]) -> QuestionPlan:
    """The model's plan: through tool calling when the model has it, else (or when the endpoint
    refuses tools) as JSON text; either way malformed output gets one repair. Raises `Fault`."""
    try:
        message = call_tool(plan_prompt(question, shown, hint, TOOL_RULE))
    except NotImplementedError:  # a chat model without tool calling
        message = None
    except Fault as fault:
        if fault.cause != "refused_request" or fault.status not in _NO_TOOLS:
            raise
        log.info("endpoint refused the tools request (%s); asking for JSON text", fault)
        message = None
    if message is None:
        return parse_or_repair(call(plan_prompt(question, shown, hint, json_rule(QuestionPlan))), call, QuestionPlan)
    for tc in getattr(message, "tool_calls", None) or []:
        return parse_or_repair(json.dumps(tc.get("args") or {}, ensure_ascii=False), call, QuestionPlan)
    for tc in getattr(message, "invalid_tool_calls", None) or []:  # arguments that are not JSON
        return parse_or_repair(str(tc.get("args") or ""), call, QuestionPlan)
    return parse_or_repair(_content(message), call, QuestionPlan)  # the plan written as text instead


def _content(message) -> str:
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


def best_document(docs: list[Document], question: str) -> Document:
    """The document whose cells fit the question best: the one the model is shown."""
    if len(docs) == 1:
        return docs[0]
    return max(docs, key=lambda d: max((c.score for c in rank_cells(d, question, limit=1)), default=0))


def llm_answer(parts, question: str, docs: list[Document], plans: dict[str, Plan],
               vocabulary: Callable[[Document], Vocabulary], chosen: bool = False,
               on_token: Callable[[str], None] | None = None) -> Answer | Fault:
    """An answer from the model's plan, or the `Fault` that sends the question to the parser's plan.

    `plans` are the parser's plans per document (the hint, and what a refused document keeps).
    Everything the model does for one question (plan, repair, phrasing, retries) shares one budget.
    """
    cfg = parts.llm_config
    deadline = Deadline(cfg.budget)
    doc = best_document(docs, question)
    shown = show(doc, question, vocabulary(doc))

    def call(text: str, on_text: Callable[[str], None] | None = None) -> str:
        return call_model(parts.llm, text, deadline, cfg.max_retries + 1, cfg.timeout, on_text)

    def call_tool(text: str):
        return call_tools(parts.llm, [QuestionPlan], text, deadline, cfg.max_retries + 1, cfg.timeout)

    try:
        model_plan = ask_plan(parts.llm, question, shown, plans[doc.doc_id], call, call_tool)
    except Fault as fault:
        log.warning("LLM plan failed after %d attempt(s): %s", fault.attempts, fault)
        return fault
    accepted, refused = {}, []
    for d in docs:
        try:
            accepted[d.doc_id] = accept(model_plan, d, vocabulary(d), plans[d.doc_id], shown)
        except PlanRejected as exc:
            refused.append(str(exc))
    if not accepted:
        return Fault("invalid_plan", refused[0])
    used = {d.doc_id: accepted[d.doc_id].plan if d.doc_id in accepted else plans[d.doc_id] for d in docs}
    agree = all(same_reading(used[d.doc_id], plans[d.doc_id]) for d in docs)
    # the model read the question as the parser did: the parser's plans, whose word accounting is its own
    answer = grounded(parts.store, question, docs, plans if agree else used, chosen=chosen)
    if answer.status != "verified":
        if agree:
            return answer  # the parser's own answer (a quote, 未找到 …): nothing to fall back from
        return disputed(parts, question, docs, plans, used, answer, chosen)
    pinned = [p for a in accepted.values() for p in a.pins]
    cited = " ".join(f.derivation or "" for f in answer.figures)
    if any(p not in cited for p in pinned):
        return Fault("unfit_plan", "所执行的数字不是模型指认的单元格")
    answer = answer.model_copy(update={"mode": "llm"})
    if getattr(cfg, "phrase", False) and len(answer.queries) == 1 and len(docs) == 1:
        answer = phrase(parts, question, answer, deadline, on_token)
    return answer


def disputed(parts, question: str, docs: list[Document], plans: dict[str, Plan], used: dict[str, Plan],
             theirs: Answer, chosen: bool) -> Answer | Fault:
    """The model's plan did not fit: the parser's plans answer (the `Fault` sends the caller there).

    But when the model's plan also accounts for every word of the question and executes to another
    figure, the question has two readings: the parser's figures are shown without ✓, the model's
    figure named in the reason. A wrong ✓ is the one failure not to risk; a withheld ✓ is not one."""
    fault = Fault("unfit_plan", _why(theirs))
    if any(q.leftover for p in used.values() for q in p.queries):
        return fault  # the model's reading leaves words unexplained: it is no rival reading
    base = grounded(parts.store, question, docs, plans, chosen=chosen)
    if not any(f.verified for f in base.figures) or (theirs.figures and base.figures[0].derivation
                                                    in {f.derivation for f in theirs.figures}):
        return fault
    other = theirs.figures[0].text if theirs.figures else "未找到"
    read = (theirs.interpretation or "").removeprefix("理解为：") or "未给出"
    reason = f"对问题的另一种理解（模型理解为：{read}）得出的是 {other}"
    figures = fit.apply(base.figures, [reason])
    notices = base.notices + [fallback_notice(fault, parts.llm_config.budget), fit.PREFIX + reason]
    return base.model_copy(update={"figures": figures, "status": status_of(figures), "notices": notices})


_READING = {"op": True, "operands": {"__all__": {"concept", "row", "code", "columns", "table_kind", "table_number",
                                                  "project", "level", "year", "prior_year"}}, "unit_kind": True,
            "direction": True, "growth_as": True}


def same_reading(a: Plan, b: Plan) -> bool:
    """The two plans ask the same op of the same figures, in any order (spans and word accounting
    aside): the parser's order, read from the question's words (minuend first, part before whole), stands."""
    def key(plan: Plan) -> list:
        out = []
        for q in plan.queries:
            d = q.model_dump(include=_READING)
            d["operands"] = sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in d["operands"])
            out.append(d)
        return out
    return key(a) == key(b)


def _why(answer: Answer) -> str:
    reason = next((f.reason for f in answer.figures if f.reason), None)
    return (reason or answer.answer or answer.status)[:120]


def phrase(parts, question: str, answer: Answer, deadline: Deadline,
           on_token: Callable[[str], None] | None = None) -> Answer:
    """The executed answer reworded by the model when the sentence passes both checks; else as it was.

    One attempt within what is left of the budget: the executed answer is already complete, so a
    slow or failing endpoint costs no retries here."""
    cfg = parts.llm_config
    head = answer.figures[0]
    prompt = PromptTemplate.from_template(load("phrase")).format(
        question=question, answer=answer.answer, interpretation=answer.interpretation or "",
        headline=head.text)
    try:
        raw = call_model(parts.llm, prompt, deadline, 1, cfg.timeout, SafeStream(on_token) if on_token else None)
        sentence = parse_json(raw, Phrased).answer
    except (Fault, ValueError, TypeError) as exc:
        log.info("phrasing skipped: %s", exc)
        return answer
    better, why = rephrased(parts.store, answer, sentence)
    if better is None:
        log.info("phrased sentence dropped (%s): %s", why, sentence[:200])
        return answer
    return better


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
    if fault.cause == "invalid_plan":
        return f"模型对问题的理解无法采用（{fault.detail}），{tail}"
    if fault.cause == "unfit_plan":
        return f"按模型对问题的理解得出的答案未通过核验（{fault.detail}），{tail}"
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
