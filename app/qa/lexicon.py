"""The question parser's words, loaded from `lexicon.toml` and validated once.

Cue words, synonyms, column roles and table titles are data reviewed like code; this module only
reads them, checks that every word means one thing, and indexes them by normalized surface form.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from budgetqa.app.qa.query import ColumnRole, Level, Op, UnitKind
from budgetqa.ingest.classify import STANDARD_KINDS

LEXICON_PATH = Path(__file__).with_name("lexicon.toml")

# Quotes and blanks carry no meaning in a question; full-width forms are folded by NFKC.
_DROP = re.compile(r"[\s\u3000“”\"‘’'「」『』《》〈〉]")
_LATIN_GAP = re.compile(r"(?<=[a-z0-9])\s+(?=[a-z0-9])")


def normalize(text: str) -> str:
    """NFKC, lower case, no quotes; blanks kept only between Latin words (`total revenue`)."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    t = t.replace("‘", "'").replace("’", "'")
    t = re.sub(r"(?<=[a-z])'(?=[a-z])", "", t)  # bureau's → bureaus: an apostrophe joins
    t = re.sub(r"['\"]", " ", t)  # any other ASCII quote separates ('other income')
    t = _LATIN_GAP.sub("\x00", t)  # protect blanks between Latin words from the blank removal
    t = _DROP.sub("", t)
    return t.replace("\x00", " ")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Concept(_Strict):
    id: str
    zh: list[str]
    en: list[str] = Field(default_factory=list)
    measure: str | None = None  # the figure's name in budgetqa.app.measures.RULES
    column: ColumnRole | None = None  # the column the concept names when it qualifies a row
    parts: list[str] = Field(default_factory=list)  # the concepts it is the whole of (三公经费 → 公务接待费 …)
    unit_kind: UnitKind = "money"
    unit: str | None = None


class Column(_Strict):
    role: ColumnRole
    zh: list[str]
    en: list[str] = Field(default_factory=list)


Signal = Literal[
    "comparator", "share", "percent", "change", "prior", "rank", "how_many", "yes_no", "exceed",
    "scope", "separator", "which",
]
OpOrAudit = Op


class Cue(_Strict):
    op: OpOrAudit
    zh: list[str]
    en: list[str] = Field(default_factory=list)
    signal: Signal | None = None
    direction: Literal["more", "less"] | None = None
    growth_as: Literal["amount", "percent"] | None = None
    columns: list[ColumnRole] = Field(default_factory=list)


class LevelWords(_Strict):
    level: Level
    zh: list[str]
    en: list[str] = Field(default_factory=list)


class TableWords(_Strict):
    final: str
    budget: str
    zh: list[str]
    en: list[str] = Field(default_factory=list)

    @field_validator("final", "budget")
    @classmethod
    def _standard(cls, kind: str) -> str:
        known = {k for kinds in STANDARD_KINDS.values() for k in kinds} | {"财政拨款支出决算表"}
        if kind not in known:
            raise ValueError(f"{kind!r} is not a standard table kind of ingest/classify.py")
        return kind


class UnitWords(_Strict):
    unit: str
    kind: UnitKind
    zh: list[str]
    en: list[str] = Field(default_factory=list)


class Words(_Strict):
    zh: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class Years(_Strict):
    prior: list[str]
    current: list[str]
    next: list[str]
    prior_en: list[str] = Field(default_factory=list)
    current_en: list[str] = Field(default_factory=list)
    next_en: list[str] = Field(default_factory=list)


class Departments(_Strict):
    suffixes: list[str]
    not_department: list[str]
    regions: list[str]
    regions_en: list[str]
    suffixes_en: list[str]


class Ledger(_Strict):
    final: list[str]
    budget: list[str]
    final_en: list[str] = Field(default_factory=list)
    budget_en: list[str] = Field(default_factory=list)


class Patterns(_Strict):
    year: list[str]
    year_en: list[str]
    code: list[str]
    table_number: list[str]
    top_k: list[str]
    amount: list[str]
    items: list[str]
    level_mark: list[str]

    @field_validator("*")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            re.compile(p)
        return patterns


class Names(_Strict):
    tails: list[str]


class Units(_Strict):
    askers: list[str]


class Questions(_Strict):
    askers: list[str]


@dataclass(frozen=True)
class Entry:
    """What one surface word means: its category and the entry it belongs to."""

    category: str  # concept / column / cue / level / table / unit / ignorable / out_of_scope / year / ledger
    value: object  # the Concept, Column, Cue … model, or a plain string for word lists
    english: bool


class Lexicon(_Strict):
    version: int
    ignorable: Words
    out_of_scope: Words
    concept: list[Concept]
    column: list[Column]
    cue: list[Cue]
    level: list[LevelWords]
    table: list[TableWords]
    units: Units
    unit: list[UnitWords]
    questions: Questions
    years: Years
    department: Departments
    ledger: Ledger
    count_rows: Words
    names: Names
    patterns: Patterns

    def entries(self) -> list[tuple[str, Entry]]:
        """Every (normalized surface, meaning) pair, in file order."""
        out: list[tuple[str, Entry]] = []

        def add(words: list[str], category: str, value: object, english: bool) -> None:
            out.extend((normalize(w), Entry(category, value, english)) for w in words)

        for group, category in ((self.concept, "concept"), (self.column, "column"), (self.cue, "cue"),
                                (self.level, "level"), (self.table, "table"), (self.unit, "unit")):
            for item in group:
                add(item.zh, category, item, False)
                add(item.en, category, item, True)
        add(self.ignorable.zh, "ignorable", "", False)
        add(self.ignorable.en, "ignorable", "", True)
        add(self.out_of_scope.zh, "out_of_scope", "", False)
        add(self.out_of_scope.en, "out_of_scope", "", True)
        for rel in ("prior", "current", "next"):
            add(getattr(self.years, rel), "year", rel, False)
            add(getattr(self.years, f"{rel}_en"), "year", rel, True)
        add(self.ledger.final, "ledger", "决算", False)
        add(self.ledger.budget, "ledger", "预算", False)
        add(self.ledger.final_en, "ledger", "决算", True)
        add(self.ledger.budget_en, "ledger", "预算", True)
        return out

    @model_validator(mode="after")
    def _one_meaning_per_word(self) -> Lexicon:
        seen: dict[str, str] = {}
        for surface, entry in self.entries():
            if not surface:
                raise ValueError(f"an empty word in the {entry.category} list")
            name = f"{entry.category}:{_entry_name(entry.value)}"
            if surface in seen and seen[surface] != name:
                raise ValueError(f"{surface!r} is listed both as {seen[surface]} and as {name}")
            seen[surface] = name
        ids = [c.id for c in self.concept]
        if len(ids) != len(set(ids)):
            raise ValueError("two concepts share an id")
        return self

    def index(self) -> dict[str, Entry]:
        """Normalized surface → its one meaning."""
        return dict(self.entries())


def _entry_name(value: object) -> str:
    if isinstance(value, Cue):
        return f"{value.op}/{value.signal}/{value.direction}"
    for attr in ("id", "role", "level", "final", "unit"):
        if hasattr(value, attr):
            return str(getattr(value, attr))
    return str(value)


COLUMN_ROLES: frozenset[str] = frozenset(get_args(ColumnRole))


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read and validate the lexicon; a word with two meanings or an unknown role raises."""
    with path.open("rb") as f:
        return Lexicon.model_validate(tomllib.load(f))


# The fund concepts: each names the money of one fund (or all fiscal money), a column role of its own.
FUND_CONCEPTS = ("财政拨款", "一般公共预算", "政府性基金", "国有资本经营")


@lru_cache(maxsize=1)
def concepts() -> dict[str, Concept]:
    """The lexicon's concepts by id."""
    return {c.id: c for c in load_lexicon().concept}
