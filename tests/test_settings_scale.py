"""The settings that move budgetqa past one machine: a PostgreSQL store URL, a Chroma server URL."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from budgetqa.app.retrieval.dense import open_client
from budgetqa.app.settings import Settings


def test_the_store_url_is_read_from_budgetqa_store_url(monkeypatch, tmp_path):
    monkeypatch.setenv("BUDGETQA_STORE_URL", "postgresql://budgetqa@db.example:5432/budgetqa")
    monkeypatch.setenv("BUDGETQA_CHROMA_URL", "http://chroma.example:8000")
    s = Settings(home=tmp_path)
    assert (s.store_url, s.chroma_url) == ("postgresql://budgetqa@db.example:5432/budgetqa", "http://chroma.example:8000")


def test_a_store_url_that_is_not_postgresql_is_refused_with_the_form_to_use(tmp_path):
    with pytest.raises(ValidationError, match="must be a postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL"):
        Settings(home=tmp_path, store_url="mysql://db.example/budgetqa")


def test_a_chroma_url_without_http_is_refused_before_any_connection(tmp_path):
    with pytest.raises(ValueError, match="a Chroma server URL is http://HOST:PORT"):
        open_client(tmp_path, "chroma.example:8000")
