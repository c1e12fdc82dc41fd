"""A chat model for tests: replies from a queue, records every prompt it got. No network.

A reply is a string (the message text), a dict (with `tools=True`: the arguments of one tool call;
without: the dict as JSON text), or an exception to raise. With `tools=False` the model has no
tool calling at all, like a plain completion endpoint.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field


class ScriptedChatModel(BaseChatModel):
    replies: list = Field(default_factory=list)  # str / dict replies, or exceptions to raise
    prompts: list[str] = Field(default_factory=list)
    tools: bool = False  # whether the model has tool calling
    tool_requests: list = Field(default_factory=list)  # per request: the tools bound (None: none)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):
        if not self.tools:
            raise NotImplementedError("ScriptedChatModel: no tool calling")
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], tool_choice=tool_choice, **kwargs)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        self.prompts.append("\n".join(str(m.content) for m in messages))
        bound = kwargs.get("tools")
        self.tool_requests.append(bound)
        if not self.replies:
            raise RuntimeError("ScriptedChatModel: no reply left in the script")
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):  # scripted endpoint trouble
            raise reply
        if isinstance(reply, dict) and bound:
            name = bound[0]["function"]["name"]
            message = AIMessage(content="", tool_calls=[{"name": name, "args": reply, "id": "call_1"}])
        else:
            message = AIMessage(content=reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False))
        return ChatResult(generations=[ChatGeneration(message=message)])
