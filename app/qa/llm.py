"""Chat models behind one factory: none (grounded mode), an OpenAI-compatible endpoint, or Ollama."""

from __future__ import annotations

from budgetqa.app.settings import Settings


class LLMConfigError(ValueError):
    pass


def get_llm(settings: Settings):
    """A langchain chat model from settings, or None for grounded mode. Nothing is contacted here."""
    cfg = settings.llm
    if cfg.provider == "none":
        return None
    if not cfg.model:
        raise LLMConfigError(f"llm.provider={cfg.provider} needs a model name: set BUDGETQA_LLM__MODEL")
    if cfg.provider == "openai":
        if not cfg.base_url and not cfg.api_key:
            raise LLMConfigError("llm.provider=openai needs BUDGETQA_LLM__BASE_URL (and usually BUDGETQA_LLM__API_KEY)")
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=cfg.model, base_url=cfg.base_url, api_key=cfg.api_key or "not-needed",
                          temperature=cfg.temperature, timeout=cfg.timeout, max_retries=cfg.max_retries)
    if cfg.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(model=cfg.model, base_url=cfg.base_url or "http://127.0.0.1:11434",
                          temperature=cfg.temperature, client_kwargs={"timeout": cfg.timeout})
    raise LLMConfigError(f"unknown llm.provider {cfg.provider!r}: use none, openai or ollama")
