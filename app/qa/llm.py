"""Chat models behind one factory (none, an OpenAI-compatible endpoint, Ollama), and the one place
they are called: one retry layer inside a total time budget per question, every failure named.

The client's own retries are switched off (`max_retries=0`): nested retry layers multiply, and at
the old defaults a dead endpoint held a question for about 16 minutes. Here each attempt gets what
is left of the budget as its timeout, a 429's Retry-After is honoured only when it fits, and the
caller learns the true cause (timeout, rate limit, server error, refused connection …) as a `Fault`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from budgetqa.app.settings import LLMSettings
from langchain_core import exceptions as lc

log = logging.getLogger(__name__)

Cause = Literal["timeout", "rate_limit", "server_error", "connection", "refused_request", "bad_reply",
                "unreadable", "invalid_plan", "unfit_plan", "error"]
RETRYABLE: frozenset[str] = frozenset({"timeout", "rate_limit", "server_error", "connection"})
BACKOFF = 0.25  # seconds before the first retry; doubled each time, with jitter


class LLMConfigError(ValueError):
    pass


def get_llm(cfg: LLMSettings):
    """A langchain chat model from the `llm` settings section, or None for grounded mode. Nothing is contacted here."""
    if cfg.provider == "none":
        return None
    if not cfg.model:
        raise LLMConfigError(f"llm.provider={cfg.provider} needs a model name: set BUDGETQA_LLM__MODEL")
    if cfg.provider == "openai":
        if not cfg.base_url and not cfg.api_key:
            raise LLMConfigError("llm.provider=openai needs BUDGETQA_LLM__BASE_URL (and usually BUDGETQA_LLM__API_KEY)")
        from langchain_openai import ChatOpenAI

        # max_retries=0: `call_model` is the only retry layer (see the module docstring)
        return ChatOpenAI(model=cfg.model, base_url=cfg.base_url, api_key=cfg.api_key or "not-needed",
                          temperature=cfg.temperature, timeout=cfg.timeout, max_retries=0)
    if cfg.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(model=cfg.model, base_url=cfg.base_url or "http://127.0.0.1:11434",
                          temperature=cfg.temperature, client_kwargs={"timeout": cfg.timeout})
    raise LLMConfigError(f"unknown llm.provider {cfg.provider!r}: use none, openai or ollama")


# ---------------------------------------------------------------- faults


@dataclass(eq=False)  # an exception compares and hashes by identity
class Fault(Exception):
    """Why the model gave no usable answer: what the fallback notice names."""

    cause: Cause
    detail: str = ""
    status: int | None = None  # the HTTP status, when the endpoint answered with one
    retry_after: float | None = None  # seconds the endpoint asked us to wait (429, 503)
    attempts: int = 1

    def __str__(self) -> str:
        return f"{self.cause}: {self.detail}" if self.detail else self.cause

    @property
    def retryable(self) -> bool:
        return self.cause in RETRYABLE


def classify(exc: BaseException) -> Fault:
    """The cause of a failed model call, whichever layer (langchain, openai, httpx, socket) raised it."""
    if isinstance(exc, Fault):
        return exc
    status = getattr(getattr(exc, "response", None), "status_code", None) or getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    detail = first_line(exc)
    if isinstance(exc, lc.ModelTimeoutError | TimeoutError) or _named(exc, "Timeout"):
        return Fault("timeout", detail)
    if isinstance(exc, lc.ModelRateLimitError) or status == 429:
        return Fault("rate_limit", detail, 429, _retry_after(exc))
    if isinstance(exc, lc.ModelAPIError) or (status is not None and status >= 500):
        return Fault("server_error", detail, status, _retry_after(exc))
    if isinstance(exc, lc.ModelConnectionError | ConnectionError) or _named(exc, "ConnectError", "ConnectionError"):
        return Fault("connection", _connection_detail(exc))
    if status is not None and 400 <= status < 500 or isinstance(exc, lc.ModelError):
        return Fault("refused_request", detail, status)
    if isinstance(exc, json.JSONDecodeError) or "Unexpected response type" in detail:
        return Fault("bad_reply", detail)  # 200, but an HTML page or other body, not a completion
    return Fault("error", f"{type(exc).__name__}: {detail}")


def _named(exc: BaseException, *names: str) -> bool:
    """httpx / ollama errors, matched by class name so neither must be imported here."""
    return any(n in cls.__name__ for cls in type(exc).__mro__ for n in names)


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _connection_detail(exc: BaseException) -> str:
    """The socket's own words (连接被拒绝 / name not resolved) from under the client's 'Connection error.'"""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or "refused" in str(seen).lower():
            return "connection refused"
        seen = seen.__cause__ or seen.__context__
    return first_line(exc)


def _retry_after(exc: BaseException) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header: delta-seconds or an HTTP date."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if not headers:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, when.timestamp() - time.time()) if when else None


# ---------------------------------------------------------------- the budgeted call


class Deadline:
    """The time budget of one question, shared by every request it makes (answer, repair, retries)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())


def call_model(model, prompt: str, deadline: Deadline, attempts: int, timeout: float,
               on_text: Callable[[str], None] | None = None) -> str:
    """The model's reply to `prompt`, retried on transient trouble while the budget lasts.

    Each attempt may take `timeout` seconds, never more than the budget left. `on_text` gets the
    reply as it grows (the whole text so far, per chunk), for callers that stream. Raises `Fault`.
    """
    return _with_retries(lambda t: _request(model, prompt, t, on_text), deadline, attempts, timeout)


def call_tools(model, tools: list, prompt: str, deadline: Deadline, attempts: int, timeout: float):
    """The model's reply message (`.tool_calls`, `.content`) to `prompt` with `tools` bound and one
    of them required; the same retries and budget as `call_model`. Raises `Fault`, or
    `NotImplementedError` when the model has no tool calling at all (the caller asks for JSON text)."""
    name = getattr(tools[0], "__name__", None) if len(tools) == 1 else None
    bound = model.bind_tools(tools, tool_choice=name or "any")
    openai = _takes_timeout(model)

    def one(t: float):
        kwargs = {"timeout": t} if openai else {}
        return _in_worker(lambda: bound.invoke(prompt, **kwargs), t)
    return _with_retries(one, deadline, attempts, timeout)


def _with_retries(one: Callable[[float], object], deadline: Deadline, attempts: int, timeout: float):
    """Run `one(timeout_of_this_attempt)` until it succeeds, a fault is final, or the budget is spent."""
    last: Fault | None = None
    for attempt in range(1, max(1, attempts) + 1):
        left = deadline.remaining()
        if left <= 0:
            break
        try:
            return one(min(timeout, left))
        except Exception as exc:  # noqa: BLE001 - every failure is classified; none escapes unnamed
            last = classify(exc)
            last.attempts = attempt
            log.warning("LLM attempt %d/%d failed: %s", attempt, attempts, last)
        if not last.retryable or attempt == attempts:
            break
        wait = last.retry_after if last.retry_after is not None else _backoff(attempt, last.cause)
        if wait >= deadline.remaining():  # waiting would spend the budget: fail now, cause named
            break
        time.sleep(wait)
    if last is None:
        raise Fault("timeout", f"no time left in the {deadline.seconds:g} s budget", attempts=0)
    raise last


def _backoff(attempt: int, cause: str) -> float:
    if cause == "timeout":  # the attempt itself already waited
        return 0.0
    return BACKOFF * 2 ** (attempt - 1) * (0.5 + random.random() / 2)


def _in_worker(work: Callable[[], object], timeout: float):
    """`work()` in a daemon thread, waited for at most `timeout` seconds: no provider holds the caller."""
    out: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            out.put(("done", work()))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, which classifies it
            out.put(("error", exc))

    threading.Thread(target=run, name="budgetqa-llm", daemon=True).start()
    try:
        kind, value = out.get(timeout=max(0.0, timeout))
    except queue.Empty:
        raise Fault("timeout", f"no complete reply within {timeout:.1f} s") from None
    if kind == "error":
        raise value
    return value


def _request(model, prompt: str, timeout: float, on_text: Callable[[str], None] | None) -> str:
    """One request, run in a worker so that no provider can hold the caller past `timeout`.

    The OpenAI client also gets `timeout`, so its socket is closed about when we stop waiting; a
    provider that ignores it leaves only a daemon thread behind, never a stalled question.
    """
    kwargs = {"timeout": timeout} if _takes_timeout(model) else {}
    if on_text is None:
        return _in_worker(lambda: _text(model.invoke(prompt, **kwargs).content), timeout)
    out: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            for chunk in model.stream(prompt, **kwargs):
                out.put(("chunk", _text(chunk.content)))
            out.put(("done", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, which classifies it
            out.put(("error", exc))

    threading.Thread(target=work, name="budgetqa-llm", daemon=True).start()
    end = time.monotonic() + timeout
    parts: list[str] = []
    while True:
        try:
            kind, value = out.get(timeout=max(0.0, end - time.monotonic()))
        except queue.Empty:
            raise Fault("timeout", f"no complete reply within {timeout:.1f} s") from None
        if kind == "error":
            raise value
        if kind == "done":
            return "".join(parts)
        parts.append(value)
        on_text("".join(parts))


def _takes_timeout(model) -> bool:
    try:
        from langchain_openai.chat_models.base import BaseChatOpenAI
    except ImportError:  # pragma: no cover - langchain-openai is a dependency
        return False
    return isinstance(model, BaseChatOpenAI)


def _text(content) -> str:
    """Message content as text (some providers send a list of parts)."""
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
