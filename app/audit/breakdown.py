"""A change and the parts the 情况说明 breaks it into: 「支出比 2025 年增加 2,784.38 万元，主要是基本支出
增加 362.10 万元，项目支出增加 2,422.28 万元」.

The parts of a change add up to it with their signs (增加 +, 减少 −). Whether a list names every part
is not written anywhere, so a sum that falls short says nothing; but when the signed parts miss the
change and turning exactly one direction word around makes them add up to the cent, that word is
the slip (「项目支出减少 2,422.28 万元」 in the sentence above), and when the parts add up to the change
with its sign turned, the change's own word is. Nothing else is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, fmt
from budgetqa.app.audit.written import dec, half_unit, sentence_loc

_NUM = r"\d[\d,]*(?:\.\d+)?"
_UP = ("增加", "增长", "上升", "提高")
_LEAD = re.compile(
    rf"(?P<dir>增加|减少|增长|下降)\s*(?P<amt>{_NUM})\s*万元"
    r"(?:\s*[，,]\s*(?:增长|下降|降低|增加|减少|上升)\s*\d+(?:\.\d+)?\s*[%％])?"
    r"\s*[，,。；;]?\s*(?:其中|主要是|主要原因是|主要包括|具体是|具体为)\s*[：:，,]?")
_PART = re.compile(rf"(?P<name>[\u4e00-\u9fff“”（）()]{{2,24}}?)(?:比上年|较上年|同比)?(?P<dir>增加|减少|增长|下降)\s*(?P<amt>{_NUM})\s*万元")


@dataclass
class _Part:
    name: str
    word: str
    amount: str
    span: tuple[int, int]

    @property
    def signed(self) -> Decimal:
        return dec(self.amount) if self.word in _UP else -dec(self.amount)


def check_breakdowns(doc, para, text: str, result: AuditResult) -> None:
    for lead in _LEAD.finditer(text):
        stop = text.find("。", lead.end())
        seg = text[lead.end(): stop if stop >= 0 else len(text)]
        nxt = _LEAD.search(seg)
        if nxt is not None:
            seg = seg[: nxt.start()]
        parts = [_Part(h.group("name"), h.group("dir"), h.group("amt"), (lead.end() + h.start(), lead.end() + h.end()))
                 for h in _PART.finditer(seg)]
        parts = [p for p in parts if dec(p.amount) != 0]
        if len(parts) < 2:
            continue
        total = dec(lead.group("amt")) * (1 if lead.group("dir") in _UP else -1)
        got = sum((p.signed for p in parts), Decimal(0))
        tol = half_unit(lead.group("amt")) + sum((half_unit(p.amount) for p in parts), Decimal(0))
        if abs(got - total) <= tol:
            continue
        sentence = text[lead.start() - min(lead.start(), 40): stop if stop >= 0 else len(text)].lstrip("，,。；;")
        loc = sentence_loc(doc, para, sentence)
        if abs(-got - total) <= tol:
            result.findings.append(Finding(
                "error", "prose.change_parts", loc, loc, dec(lead.group("amt")), abs(got), None, tol,
                f"说明写{lead.group('dir')} {lead.group('amt')} 万元，但其后所列各项合计为"
                f"{'增加' if got > 0 else '减少'} {fmt(abs(got))} 万元，方向相反，请核对。"))
            continue
        flips = [p for p in parts if abs(got - 2 * p.signed - total) <= tol]
        if len(flips) == 1:
            p = flips[0]
            right = "减少" if p.word in _UP else "增加"
            result.findings.append(Finding(
                "error", "prose.change_parts", loc, loc, dec(p.amount), dec(lead.group("amt")), None, tol,
                f"说明写总额{lead.group('dir')} {lead.group('amt')} 万元，所列各项只有把「{p.name}{p.word} "
                f"{p.amount} 万元」读作{right}才相加相符，该项增减方向疑有误，请核对。"))
