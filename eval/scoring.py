"""Scoring one answer against one labeled item, exactly as eval/DATASET-FORMAT.md says. Pure functions.

- numeric kinds: the answer's figure (the FIRST of `answer.figures`) equals the gold value within
  `tolerance`, in the gold unit (money converts 元 ↔ 万元 ↔ 亿元; any other unit must be the same;
  gold unit null → value only);
- `text`: the answer contains the gold's key phrase (`key_phrase`);
- `unanswerable`: status `not_found` and no verified figure.
A verified figure that is wrong is a checker failure (numeric: the first figure; unanswerable: any).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from budgetqa.app.models import Answer
from budgetqa.ingest.grams import bigrams
from budgetqa.ingest.units import convert, norm_unit

NUMERIC_KINDS = ("lookup", "narrative", "arithmetic", "compare", "performance")
KINDS = (*NUMERIC_KINDS, "text", "unanswerable")

# How many 元 one unit is worth: the only conversions scoring makes (never guessed for other units).
# Spellings of one unit: the fact store counts 人次 as 人 (ingest/facts.py promote_counts) and so do we.

KEY_SPLIT = re.compile(r"[，。；（]")
BIGRAM_SHARE = 0.7


class Gold(BaseModel):
    value: float | int | None = None
    unit: str | None = None
    text: str = ""


class EvalItem(BaseModel):
    """One labeled question (one line of a dataset .jsonl)."""

    id: str
    doc: str
    question: str
    kind: str
    answer: Gold
    evidence: dict[str, Any] = Field(default_factory=dict)
    computation: str | None = None
    tolerance: float | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS and self.answer.value is not None


def load_items(path: Path) -> list[EvalItem]:
    """Items of a .jsonl dataset; a bad line raises ValueError naming the file and line."""
    items: list[EvalItem] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(EvalItem.model_validate(json.loads(line)))
        except ValueError as exc:
            raise ValueError(f"{path}:{n}: not a dataset item ({exc}); see eval/DATASET-FORMAT.md") from exc
    return items


@dataclass
class Score:
    right: bool
    checker_failure: bool = False
    right_unverified: bool = False
    detail: str = ""  # why it is right or wrong, for people
    figure: str | None = None  # the figure that was scored (numeric items)

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- units and values


def to_unit(value: Decimal, unit: str | None, target: str | None) -> Decimal | None:
    """`value` in `unit` expressed in `target`: money converts, anything else must be the same unit.

    `target` None means the gold has no unit: the value is compared as written."""
    unit, target = norm_unit(unit), norm_unit(target)
    if target is None:
        return value
    converted = convert(value, unit, target)
    if converted is not None:
        return converted
    return value if unit == target else None


def _dec(x: float | int | str | Decimal) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(str(x))


# ---------------------------------------------------------------- text


def normalize_text(text: str) -> str:
    """Full-width folded, no spaces, no punctuation except the decimal point."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text
                   if not ch.isspace() and (ch == "." or not unicodedata.category(ch).startswith("P")))


def key_phrase(gold_text: str) -> str:
    """The gold's key phrase: its first clause, cut at ，。；（ ("4辆，全部为机要通信用车" → "4辆")."""
    return normalize_text(KEY_SPLIT.split(gold_text.strip(), maxsplit=1)[0])


def contains_phrase(answer_text: str, phrase: str) -> bool:
    """The phrase stands in the answer (after normalising), or ≥ 70% of its character bigrams do.

    A phrase starting with a digit must not continue a longer number (4辆 is not in 14辆)."""
    text, phrase = normalize_text(answer_text), normalize_text(phrase)
    if not phrase:
        return False
    lead = r"(?<![0-9.])" if phrase[0].isdigit() else ""
    if re.search(lead + re.escape(phrase), text):
        return True
    grams = bigrams(phrase)
    if not grams or phrase[0].isdigit():  # a number is there or not; bigram overlap would guess
        return False
    return len(grams & bigrams(text)) / len(grams) >= BIGRAM_SHARE


# ---------------------------------------------------------------- scoring


def score(item: EvalItem, answer: Answer) -> Score:
    """Score one answer against one item (see module docstring)."""
    if item.kind == "unanswerable":
        return _score_unanswerable(answer)
    if item.numeric:
        return _score_numeric(item, answer)
    return _score_text(item, answer)


def _score_unanswerable(answer: Answer) -> Score:
    verified = [f.text for f in answer.figures if f.verified]
    if verified:
        return Score(False, checker_failure=True, detail=f"verified figure on an unanswerable item: {', '.join(verified)}")
    if answer.status != "not_found":
        return Score(False, detail=f"answered ({answer.status}) instead of not_found")
    return Score(True, detail="not_found, no verified figure")


def _score_numeric(item: EvalItem, answer: Answer) -> Score:
    gold, gold_unit = item.answer.value, norm_unit(item.answer.unit)
    if answer.status == "not_found":
        return Score(False, detail="not_found")
    if not answer.figures:
        return Score(False, detail="answer has no figure")
    fig = answer.figures[0]
    shown = f"{fig.text}{' ✓' if fig.verified else ' ⚠'}"
    converted = to_unit(fig.value, fig.unit, gold_unit)
    if converted is None:
        detail = f"unit {fig.unit or 'none'} ≠ gold {gold_unit}"
        right = False
    else:
        right = abs(converted - _dec(gold)) <= _dec(item.tolerance or 0)
        detail = (f"{fig.text} = gold {gold}{gold_unit or ''}" if right
                  else f"{fig.text} ≠ gold {gold}{gold_unit or ''} (±{item.tolerance or 0})")
    return Score(right, checker_failure=fig.verified and not right, right_unverified=right and not fig.verified,
                 detail=detail, figure=shown)


def _score_text(item: EvalItem, answer: Answer) -> Score:
    phrase = key_phrase(item.answer.text)
    if answer.status == "not_found":
        return Score(False, detail="not_found")
    right = contains_phrase(answer.answer, phrase)
    return Score(right, detail=f"key phrase 「{phrase}」 {'found' if right else 'missing'}")
