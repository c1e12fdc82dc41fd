"""The LLM path against a real HTTP endpoint on 127.0.0.1 that misbehaves on cue (tests/fake_openai.py).

Whatever the endpoint does (a plan by tool call or as text, refusing tools, wrong ids, another
document's ids, malformed JSON, sleeping past the timeout, 429 with Retry-After, 500, refusing
connections), a question ends inside its time budget, the figures are the executor's, fact ids
count only from this document's candidates, and a fallback names its true cause.
"""

from __future__ import annotations

import json
import time

import pytest
from budgetqa.app.service import Service
from budgetqa.app.settings import get_settings

from tests.conftest import FIXTURES
from tests.fake_openai import FakeOpenAI, Reply, completion, error, refused_url, tool_call

Q = "支出决算表中，资源勘探工业信息等支出的基本支出是多少万元？"
BUDGET = 2.0
SLACK = 1.0  # the grounded answer after the fallback, and thread scheduling on a busy machine
GROUNDED = "已改用基于表格的核验模式回答。"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    home = tmp_path_factory.mktemp("faults")
    svc = Service(get_settings(home), dense=False)
    mine = svc.ingest_one(FIXTURES / "yanbian-industry-2023-final.txt", background_dense=False)
    other = svc.ingest_one(FIXTURES / "xiangyuan-industry-2023-final.txt", background_dense=False)
    assert mine.ok and other.ok
    basic = next(f for f in svc.store.facts([mine.doc_id])
                 if f.table_kind == "支出决算表" and f.row_code == "215" and f.column == "基本支出")
    foreign = next(f for f in svc.store.facts([other.doc_id]) if f.unit == "万元" and f.value > 100)
    svc.close()
    stored = home, mine.doc_id, basic, foreign
    # one answer through the endpoint first: the OpenAI client and the parser's dictionaries load once
    # per process, so each test below times only its own question
    with FakeOpenAI(completion(reply())) as api:
        assert ask(stored, api.url)[0].status == "verified"
    return stored


def ask(stored, url: str, on_token=None, **llm):
    """One question through the configured endpoint; the answer and the seconds it took."""
    home, doc_id, _, _ = stored
    cfg = {"provider": "openai", "model": "fake-model", "base_url": url, "api_key": "test", "budget": BUDGET,
           "phrase": False} | llm
    svc = Service(get_settings(home, llm=cfg), dense=False)
    t0 = time.monotonic()
    answer = svc.ask(Q, doc_ids=[doc_id], on_token=on_token)
    elapsed = time.monotonic() - t0
    svc.close()
    return answer, elapsed


ROW = {"text": "资源勘探工业信息等支出", "row": "资源勘探工业信息等支出", "code": "215", "columns": ["基本支出"],
       "table_kind": "支出决算表"}
GROUNDED_TEXT = "1,184.83万元（支出决算表「资源勘探工业信息等支出」基本支出）"


def plan(**ref) -> dict:
    return {"queries": [{"question": Q, "op": "value", "operands": [ref or ROW]}]}


def reply(**ref) -> str:
    """The model's plan written as JSON text (what an endpoint that ignores the tools sends)."""
    return json.dumps(plan(**ref), ensure_ascii=False)


def assert_grounded_fallback(answer, cause: str) -> None:
    """The tables still answer (verified), and the one notice names the cause."""
    assert answer.mode == "grounded" and answer.status == "verified"
    assert str(answer.figures[0].value) == "1184.83"
    assert len(answer.notices) == 1 and cause in answer.notices[0] and answer.notices[0].endswith(GROUNDED)


# ------------------------------------------------------------------ what the model writes


def test_plan_as_text_over_http_is_executed_and_verified(stored):
    _, _, basic, _ = stored
    with FakeOpenAI(completion(reply())) as api:
        answer, _ = ask(stored, api.url)
    assert answer.mode == "llm" and answer.status == "verified" and answer.answer == GROUNDED_TEXT
    (req,) = api.requests
    assert req["model"] == "fake-model" and not req.get("stream")
    assert req["tools"][0]["function"]["name"] == "QuestionPlan"
    assert req["tool_choice"] == {"type": "function", "function": {"name": "QuestionPlan"}}
    assert f"{basic.fact_id} | 支出决算表 | 215 资源勘探工业信息等支出 | 基本支出 | 1184.83万元" in req["messages"][0]["content"]


def test_plan_by_tool_call_over_http_is_executed_and_verified(stored):
    with FakeOpenAI(tool_call(plan())) as api:
        answer, _ = ask(stored, api.url)
    assert len(api.requests) == 1
    assert answer.mode == "llm" and answer.status == "verified" and answer.answer == GROUNDED_TEXT


def test_endpoint_refusing_tools_is_asked_for_the_plan_as_json_text(stored):
    with FakeOpenAI(error(400, "tools are not supported by this model"), completion(reply())) as api:
        answer, _ = ask(stored, api.url)
    assert len(api.requests) == 2 and "tools" not in api.requests[1]
    assert "只输出一个 JSON 对象" in api.requests[1]["messages"][0]["content"]
    assert answer.mode == "llm" and answer.status == "verified"


def test_phrased_sentence_over_http_is_kept_when_its_figure_is_the_executed_one(stored):
    text = "资源勘探工业信息等支出的基本支出为1,184.83万元。"
    with FakeOpenAI(tool_call(plan()), completion(json.dumps({"answer": text}, ensure_ascii=False))) as api:
        answer, _ = ask(stored, api.url, phrase=True)
    assert len(api.requests) == 2 and "tools" not in api.requests[1]
    assert answer.mode == "llm" and answer.answer == text and answer.figures[0].verified


def test_made_up_fact_id_is_refused(stored):
    with FakeOpenAI(completion(reply(text="基本支出", fact_id="no-such-fact"))) as api:
        answer, _ = ask(stored, api.url)
    assert_grounded_fallback(answer, "模型对问题的理解无法采用（引用了未向模型列出的事实编号 no-such-fact）")


def test_another_documents_fact_id_is_refused_and_its_value_never_shown(stored):
    # before: the other document's cell was looked up store-wide and the figure got ✓ under its source
    _, _, _, foreign = stored
    with FakeOpenAI(completion(reply(text="基本支出", fact_id=foreign.fact_id))) as api:
        answer, _ = ask(stored, api.url)
    assert_grounded_fallback(answer, f"引用了未向模型列出的事实编号 {foreign.fact_id}")
    assert all(f.source.doc == "yanbian-industry-2023-final.txt" for f in answer.figures)


def test_malformed_json_is_repaired_once(stored):
    with FakeOpenAI(completion("基本支出是1184.83万元"), completion(reply())) as api:
        answer, _ = ask(stored, api.url)
    assert len(api.requests) == 2 and "无法解析" in api.requests[1]["messages"][0]["content"]
    assert answer.mode == "llm" and answer.status == "verified"


def test_malformed_json_after_the_repair_falls_back_and_says_so(stored):
    with FakeOpenAI(completion("not json"), completion('{"queries": [{"op": "val')) as api:
        answer, _ = ask(stored, api.url)
    assert len(api.requests) == 2
    assert_grounded_fallback(answer, "模型输出无法解析")


def test_unparseable_http_body_is_named_and_falls_back(stored):
    # 200 with a body that is not a completion at all (a proxy's HTML page, say)
    with FakeOpenAI(Reply(body=b"<html>bad gateway</html>"), then=Reply(body=b"<html>bad gateway</html>")) as api:
        answer, elapsed = ask(stored, api.url)
    assert len(api.requests) == 1 and elapsed < BUDGET + SLACK
    assert_grounded_fallback(answer, "模型服务的回复无法读取（不是 OpenAI 兼容的对话补全格式）")


# ------------------------------------------------------------------ what the endpoint does


def test_endpoint_sleeping_past_the_budget_ends_inside_it(stored):
    with FakeOpenAI(completion(reply(), delay=30), then=completion(reply(), delay=30)) as api:
        answer, elapsed = ask(stored, api.url)  # timeout 60 s per request, but only 2 s per question
    assert elapsed < BUDGET + SLACK
    assert len(api.requests) == 1  # the one attempt used the whole budget; no retry past it
    assert_grounded_fallback(answer, f"模型服务超时：在本题 {BUDGET:g} 秒的时间预算内没有给出完整回答")


def test_slow_attempts_are_retried_while_the_budget_lasts(stored):
    slow = completion(reply(), delay=30)
    with FakeOpenAI(slow, completion(reply())) as api:
        answer, elapsed = ask(stored, api.url, timeout=0.5)
    assert len(api.requests) == 2 and answer.mode == "llm" and answer.status == "verified"
    assert elapsed < BUDGET + SLACK


def test_every_attempt_timing_out_ends_inside_the_budget(stored):
    slow = completion(reply(), delay=30)
    with FakeOpenAI(then=slow) as api:
        answer, elapsed = ask(stored, api.url, timeout=0.6, max_retries=10)
    assert elapsed < BUDGET + SLACK
    assert 2 <= len(api.requests) <= 4  # as many 0.6 s attempts as fit in 2 s, not 11
    assert_grounded_fallback(answer, "模型服务超时")


def test_rate_limit_with_a_retry_after_beyond_the_budget_gives_up_at_once(stored):
    with FakeOpenAI(error(429, "slow down", retry_after=30)) as api:
        answer, elapsed = ask(stored, api.url)
    assert len(api.requests) == 1 and elapsed < SLACK
    assert_grounded_fallback(answer, "模型服务限流（HTTP 429，要求 30 秒后重试）")


def test_rate_limit_with_a_short_retry_after_is_waited_out(stored):
    with FakeOpenAI(error(429, retry_after=1), completion(reply())) as api:
        answer, elapsed = ask(stored, api.url)
    assert len(api.requests) == 2 and api.arrivals[1] - api.arrivals[0] >= 1.0
    assert answer.mode == "llm" and answer.status == "verified"
    assert elapsed < BUDGET + SLACK


def test_server_error_is_retried_by_one_layer_only(stored):
    # before: ChatOpenAI's own 3 retries inside with_retry's 4 attempts made 16 requests
    with FakeOpenAI(then=error(500, "internal error")) as api:
        answer, elapsed = ask(stored, api.url, max_retries=3)
    assert len(api.requests) == 4
    assert elapsed < BUDGET + SLACK
    assert_grounded_fallback(answer, "模型服务出错（HTTP 500）（共尝试 4 次）")


def test_server_error_then_success_answers_from_the_model(stored):
    with FakeOpenAI(error(503), completion(reply())) as api:
        answer, _ = ask(stored, api.url)
    assert len(api.requests) == 2 and answer.mode == "llm" and answer.status == "verified"


def test_client_error_is_not_retried_and_is_named(stored):
    with FakeOpenAI(then=error(401, "invalid api key")) as api:
        answer, _ = ask(stored, api.url)
    assert len(api.requests) == 1
    assert_grounded_fallback(answer, "模型服务拒绝了请求（HTTP 401：")


def test_connection_refused_is_named_and_ends_inside_the_budget(stored):
    answer, elapsed = ask(stored, refused_url())
    assert elapsed < BUDGET + SLACK
    assert_grounded_fallback(answer, "无法连接模型服务（连接被拒绝）")


# ------------------------------------------------------------------ streaming


def test_stream_never_shows_an_unchecked_figure(stored):
    text = "支出决算表中资源勘探工业信息等支出的基本支出为1,184.83万元，约占三成以上。"
    phrased = Reply(content=json.dumps({"answer": text}, ensure_ascii=False), chunk=3)
    with FakeOpenAI(tool_call(plan()), phrased) as api:
        tokens: list[str] = []
        answer, _ = ask(stored, api.url, on_token=tokens.append, phrase=True)
    assert api.requests[1]["stream"] is True
    assert len(tokens) > 1 and "".join(tokens) == "支出决算表中资源勘探工业信息等支出的基本支出为"
    # 三成 is no executed figure: the sentence is dropped and the executor's stands
    assert answer.mode == "llm" and answer.answer == GROUNDED_TEXT and answer.figures[0].verified


def test_stream_of_a_slow_endpoint_also_ends_inside_the_budget(stored):
    with FakeOpenAI(then=completion(reply(), delay=30)) as api:
        answer, elapsed = ask(stored, api.url, on_token=lambda _: None)
    assert elapsed < BUDGET + SLACK
    assert_grounded_fallback(answer, "模型服务超时")
