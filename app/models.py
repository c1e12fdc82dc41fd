"""Answer-side models: claims a model (or grounded mode) makes, figures the checker found."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Derivation = Literal["cell", "sum", "difference", "ratio", "share", "growth", "execution_rate"]
Status = Literal["verified", "partial", "unverified", "not_found"]


class Citation(BaseModel):
    doc: str  # the document's file name, as people know it
    # the stored document's id: file names need not be unique (two uploads named 决算.pdf), ids are
    doc_id: str | None = None
    page: int | None = None
    line: int | None = None  # for text conversions, which have no pages
    table: str | None = None
    row: str | None = None
    column: str | None = None
    text: str = ""
    bbox: list[float] | None = None  # the cited cell's box on `page`: x0, top, x1, bottom in PDF points


class Claim(BaseModel):
    """A figure the answer asserts, with the facts it rests on and how it was derived.

    For difference / ratio / share / growth / execution_rate, `fact_ids` are ordered:
    difference = f0 - f1; ratio = f0 / f1; share = f0 / f1 * 100; growth = (f0 - f1) / f1 * 100;
    execution_rate = f0 / f1 * 100. sum = Σ fact_ids. cell = the single fact.
    """

    value: Decimal
    unit: str | None = None
    fact_ids: list[str] = Field(default_factory=list)
    derivation: Derivation = "cell"
    # The role of each cited cell in the op (minuend / subtrahend, part / whole, actual / budget …),
    # parallel to fact_ids: the fit check reads which cell a figure stands for, not just that it is cited.
    roles: list[str] = Field(default_factory=list)


class Figure(BaseModel):
    """A number found in the answer text and what the checker made of it."""

    text: str
    value: Decimal
    unit: str | None = None
    verified: bool = False
    source: Citation | None = None
    derivation: str | None = None
    reason: str | None = None  # why it was not verified


class Answer(BaseModel):
    question: str
    answer: str
    status: Status
    mode: Literal["grounded", "llm"] = "grounded"
    figures: list[Figure] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
    # How the question was read, one line per part (理解为：三公经费 · 决算数 · 差额（2024年度部门决算）).
    interpretation: str | None = None
    # The typed plan that was executed (one query per part), for follow-up questions and the JSON.
    queries: list[dict] = Field(default_factory=list)
