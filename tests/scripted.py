"""A chat model for tests: replies from a queue, records every prompt it got. No network."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field


class ScriptedChatModel(BaseChatModel):
    replies: list = Field(default_factory=list)  # str replies, or exceptions to raise
    prompts: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        self.prompts.append("\n".join(str(m.content) for m in messages))
        if not self.replies:
            raise RuntimeError("ScriptedChatModel: no reply left in the script")
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):  # scripted endpoint trouble
            raise reply
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])
