"""A sentence the model wrote around executed figures, checked like any answer: or dropped.

The executor's answer stays the reference. The model's sentence is run through the figure checker
against the claims behind the executed figures (rebuilt from their derivation labels, so only the
cells the executor cited can back anything), and through the fit check's figure rule: its first
figure must be the executed headline, and every figure one of the executed ones. A sentence that
fails either keeps the executor's own sentence.
"""

from __future__ import annotations

import re
from decimal import Decimal

from budgetqa.app.checker import verify
from budgetqa.app.models import Answer, Claim, Figure
from budgetqa.ingest.store import Store

_LABEL = re.compile(r"^(\w+)\((.*)\)$")
MAX_LENGTH = 400


def claims_of(figures: list[Figure]) -> list[Claim] | None:
    """The claims behind verified figures, from their labels (cell(f1), difference(f1, f2) …)."""
    claims = []
    for f in figures:
        m = _LABEL.match(f.derivation or "")
        if not f.verified or m is None:
            return None
        ids = [i.strip() for i in m.group(2).split(",") if i.strip()]
        claims.append(Claim(value=Decimal(f.value), unit=f.unit, fact_ids=ids, derivation=m.group(1)))
    return claims


def rephrased(store: Store, answer: Answer, sentence: str) -> tuple[Answer | None, str | None]:
    """`answer` with the model's `sentence` in place of its text, or (None, why the sentence is dropped)."""
    sentence = sentence.strip()
    if not sentence or len(sentence) > MAX_LENGTH:
        return None, "改写为空或过长"
    claims = claims_of(answer.figures)
    if not claims:
        return None, "原回答没有可核验的数字"
    ids = {i for c in claims for i in c.fact_ids}
    result = verify(sentence, claims, store.facts_by_id(ids), scope=ids)
    if not result.figures:
        return None, "改写去掉了所有数字"
    bad = [f.text for f in result.figures if not f.verified]
    if bad:
        return None, f"改写中的数字未通过核验：{'、'.join(bad)}"
    executed = [f.derivation for f in answer.figures]
    if result.figures[0].derivation != executed[0]:
        return None, f"改写的第一个数字 {result.figures[0].text} 不是所问之数"
    if any(f.derivation not in executed for f in result.figures):
        return None, "改写中有不属于执行结果的数字"
    sources = {f.derivation: f.source for f in answer.figures}
    figures = [f.model_copy(update={"source": sources.get(f.derivation, f.source)}) for f in result.figures]
    return answer.model_copy(update={"answer": sentence, "figures": figures, "mode": "llm"}), None
