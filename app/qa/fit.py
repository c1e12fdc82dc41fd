"""The fit check: is the executed plan the question that was asked? Pure and deterministic.

The figure check (`budgetqa.app.checker`) proves a figure is printed in, or recomputed from, cited
cells. That is not enough for a ✓: 12.34万元 is printed in the 三公 table whether or not the
question asked for the budget. An answer is ✓ only when, beside every figure tracing to its cells,
  (a) the answer's first figure is the headline claim of the op (the difference, not its minuend);
  (b) every content word of the question is consumed by the plan (no leftover);
  (c) the answer's unit kind is the asked one (a count never gets 万元; a share or rate gets %);
  (d) every reference resolved confidently, unambiguously and with the roles it asked for.
Otherwise each figure keeps its ⚠ with the reason 「数字出自表格，但可能不是所问：…」.
"""

from __future__ import annotations

import re

from budgetqa.app.models import Claim, Figure
from budgetqa.app.qa.query import Query
from budgetqa.ingest.units import MONEY_SCALE

PREFIX = "数字出自表格，但可能不是所问："
_COUNT_UNITS = {"人", "名", "辆", "个", "台", "套", "家", "项", "次", "人次", "期", "户", "所", "处"}
# The derivations whose result answers each op.
_DERIVATIONS = {"value": ("cell",), "difference": ("difference",), "sum": ("sum",), "share": ("share", "ratio"),
                "rate": ("execution_rate",), "growth": ("growth", "difference"), "each": ("cell",),
                "max": ("cell",), "min": ("cell",), "top": ("cell",), "compare": ("cell", "difference")}
_OP_WORDS = {"value": "一个单元格的数", "difference": "差额", "sum": "合计", "share": "占比", "rate": "执行率",
             "growth": "比上年的变化", "each": "各项的数", "max": "最大的一项", "min": "最小的一项", "top": "前几项",
             "compare": "比较"}
_KIND_NAMES = {"money": "金额", "percent": "百分比", "count": "数量", "score": "分数", "text": "文字"}


def unit_kind(unit: str | None) -> str:
    if unit in MONEY_SCALE or unit is None:
        return "money"
    if unit in ("%", "百分点"):
        return "percent"
    if unit == "分":
        return "score"
    if unit in _COUNT_UNITS:
        return "count"
    return "text"


def derivation_label(claim: Claim) -> str:
    """The label the figure checker gives a figure it traced to this claim."""
    return f"{claim.derivation}({', '.join(claim.fact_ids)})"


def fit_problems(query: Query, headline: Claim | None, figures: list[Figure], found: list[str]) -> list[str]:
    """Why the executed answer might not be the one asked ([] when it fits).

    `found` are the problems the resolver and executor met (weak or ambiguous references, roles no
    cell carries); `figures` are the checker's figures of the answer text, in order.
    """
    problems = list(found)
    vague = [r.text or "、".join(r.columns) for r in query.operands
             if not (r.concept or r.row or r.code or r.project or r.level)]
    if vague or (not query.operands and query.op not in ("prose", "why")):
        problems.append("问题中的指标没有识别出来" + (f"（只识别出「{'、'.join(v for v in vague if v)}」）"
                                                      if any(vague) else ""))
    if query.op == "value" and len(query.operands) > 1:
        problems.append("问题要一个数，却识别出多项：" + "、".join(r.text or r.row or r.concept or "" for r in query.operands))
    unread = [n for n in _QUOTED.findall(query.question) if not _consumed(n, query)]
    if unread:
        problems.append("问题中的「" + "、".join(unread) + "」没有对应到所用的表格数字")
    if query.leftover:
        problems.append("问题中的「" + "、".join(query.leftover) + "」没有对应到所用的表格数字")
    if headline is None:
        return problems or ["没有可核验的答案数字"]
    allowed = _DERIVATIONS.get(query.op, (headline.derivation,)) + (("sum",) if query.total else ())
    if headline.derivation not in allowed:
        problems.append(f"问的是{_OP_WORDS.get(query.op, query.op)}，答案却是{_describe(headline)}")
    got = unit_kind(headline.unit)
    asked = query.unit_kind
    if asked == "money" and query.unit is None:  # the parser's default: the measure asked for may say more
        roles = {r for ref in query.operands for r in ref.columns}
        asked = "percent" if roles & {"执行率"} else "score" if roles & {"得分"} else asked
    # a question that named no unit may get a count or score as printed, never a share for an amount
    defaulted = asked == "money" and query.unit is None and got in ("count", "score")
    if got != asked and not defaulted:
        problems.append(f"问的是{_KIND_NAMES[asked]}，答案却是{_KIND_NAMES[got]}")
    first = figures[0] if figures else None
    if first is None:
        problems.append("答案中没有数字")
    elif first.verified:
        label = derivation_label(headline)
        cell_label = f"cell({headline.fact_ids[0]})" if headline.derivation == "cell" and headline.fact_ids else None
        # a rate the table prints (完成调整预算数的% 158.7) that the computation rounds to is the asked number
        printed_rate = (headline.unit == "%" and first.value == headline.value
                        and (first.derivation or "").startswith("cell("))
        if first.derivation not in (label, cell_label) and not printed_rate:
            problems.append(f"答案的第一个数字 {first.text} 不是所问之数（应为{_describe(headline)}）")
    return problems


# A name the reviewer quotes is the one thing the answer must be about.
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,40})[”\"」』]")


def _consumed(name: str, query: Query) -> bool:
    n = re.sub(r"\s", "", name)
    refs = query.operands + ([query.scope] if query.scope else [])  # the frame (三公经费里…) is read too
    said = "".join(w for r in refs for w in (r.text, r.row, r.concept, r.project, r.code) if w)
    return n in said or any(n in w or w in n for w in query.consumed if len(w) >= 2 and w in said)


def _describe(claim: Claim) -> str:
    return {"difference": "差额", "sum": "合计", "share": "占比", "execution_rate": "执行率", "growth": "增长率",
            "cell": "所问单元格", "ratio": "比值"}.get(claim.derivation, claim.derivation)


def apply(figures: list[Figure], problems: list[str]) -> list[Figure]:
    """Figures with ✓ withdrawn (and the reason given) when the plan does not fit the question."""
    if not problems:
        return figures
    reason = PREFIX + "；".join(problems)
    return [f.model_copy(update={"verified": False, "reason": reason if f.verified else (f.reason or reason)})
            for f in figures]
