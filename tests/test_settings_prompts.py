"""Settings tree and prompt files."""

from __future__ import annotations


import pytest

from budgetqa.app.qa.prompts import check_all, variables
from budgetqa.app.settings import Settings, get_settings


def test_home_comes_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BUDGETQA_HOME", str(tmp_path))
    assert Settings().home == tmp_path


def test_nested_llm_settings_from_environment(monkeypatch):
    monkeypatch.setenv("BUDGETQA_LLM__PROVIDER", "openai")
    monkeypatch.setenv("BUDGETQA_LLM__MODEL", "deepseek-chat")
    s = Settings()
    assert (s.llm.provider, s.llm.model) == ("openai", "deepseek-chat")


def test_unknown_setting_is_refused():
    with pytest.raises(Exception):
        Settings(colour="red")


def test_index_name_changes_with_embedding_settings(tmp_path):
    a = get_settings(tmp_path)
    b = get_settings(tmp_path, embedding={"provider": "ollama", "model": "bge-m3"})
    assert a.index_name() != b.index_name()
    assert a.index_name() == get_settings(tmp_path / "other").index_name()


def test_default_llm_is_none_so_nothing_is_contacted(tmp_path):
    from budgetqa.app.qa.llm import get_llm

    assert get_llm(get_settings(tmp_path).llm) is None


def test_openai_provider_without_endpoint_is_a_clear_error(tmp_path):
    from budgetqa.app.qa.llm import LLMConfigError, get_llm

    with pytest.raises(LLMConfigError, match="BASE_URL"):
        get_llm(get_settings(tmp_path, llm={"provider": "openai", "model": "qwen"}).llm)


def test_prompt_files_have_exactly_their_variables():
    check_all()
    assert variables("{a} {b} {{c}}") == {"a", "b"}
