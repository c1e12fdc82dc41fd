"""A small OpenAI-compatible chat endpoint on 127.0.0.1 for fault tests (standard library only).

It answers `POST /v1/chat/completions` from a script: each request takes the next `Reply` (a
completion, a tool call, an HTTP error with headers, a raw body, a delay before answering) and is recorded
with its arrival time. Streaming requests get the content as server-sent events. Nothing here
reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass
class Reply:
    content: str | None = None  # the assistant's message text
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # sent as it is instead of a completion
    delay: float = 0.0  # seconds before answering: past the client's timeout, say
    chunk: int = 4  # characters per streamed event
    tool_args: dict | None = None  # answer with one call of the request's first tool, these arguments


def completion(content: str, delay: float = 0.0) -> Reply:
    return Reply(content=content, delay=delay)


def tool_call(args: dict) -> Reply:
    return Reply(tool_args=args)


def error(status: int, message: str = "scripted error", retry_after: float | None = None) -> Reply:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    body = json.dumps({"error": {"message": message, "type": "scripted", "code": status}}).encode()
    return Reply(status=status, headers=headers, body=body)


class FakeOpenAI:
    """The endpoint, started on a free port; use as a context manager."""

    def __init__(self, *replies: Reply, then: Reply | None = None):
        self.script = list(replies)
        self.then = then  # the reply once the script is spent (default: HTTP 500 naming that)
        self.requests: list[dict] = []
        self.arrivals: list[float] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True  # a handler still sleeping never blocks shutdown
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, request: dict) -> Reply:
        with self._lock:
            self.requests.append(request)
            self.arrivals.append(time.monotonic())
            if self.script:
                return self.script.pop(0)
        return self.then or error(500, "FakeOpenAI: the script has no reply left")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                reply = fake._next(request)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self._send(reply, request)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

            def _send(self, reply: Reply, request: dict) -> None:
                model = request.get("model", "fake")
                if reply.body is not None or reply.status != 200:
                    body = reply.body or b""
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                content = reply.content or ""
                message: dict = {"role": "assistant", "content": content}
                finish = "stop"
                if reply.tool_args is not None:
                    name = request["tools"][0]["function"]["name"]
                    args = json.dumps(reply.tool_args, ensure_ascii=False)
                    message = {"role": "assistant", "content": None, "tool_calls": [
                        {"id": "call_fake", "type": "function", "function": {"name": name, "arguments": args}}]}
                    finish = "tool_calls"
                if request.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for i in range(0, len(content), reply.chunk):
                        delta = {"content": content[i : i + reply.chunk]}
                        if i == 0:
                            delta["role"] = "assistant"
                        self._event(_chunk(model, delta, None))
                    self._event(_chunk(model, {}, "stop"))
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                body = json.dumps({
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
                    "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _event(self, payload: dict) -> None:
                self.wfile.write(b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")
                self.wfile.flush()

        return Handler


def _chunk(model: str, delta: dict, finish: str | None) -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def refused_url() -> str:
    """A 127.0.0.1 URL where nothing listens: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
