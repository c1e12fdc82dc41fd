"""A total or a change and the parts the 情况说明 breaks it into.

A total whose parts make up a whole set of the templates (基本支出 + 项目支出, 人员经费 + 公用经费,
货物 + 工程 + 服务, 当年预算 + 上年结转) adds up: 「政府采购预算 5.8 万元，其中：货物预算 3.8 万元，工程预算
0 万元，服务预算 2 万元」. A list naming anything else (or a set half named) may leave parts out, so its
sum says nothing.

A change: 「支出比 2025 年增加 2,784.38 万元，主要是基本支出增加 362.10 万元，项目支出增加 2,422.28 万元」.

The parts of a change add up to it with their signs (增加 +, 减少 −). Whether a list names every part
is not written anywhere, so a sum that falls short says nothing; but when the signed parts miss the
change and turning exactly one direction word around makes them add up to the cent, that word is
the slip (「项目支出减少 2,422.28 万元」 in the sentence above), and when the parts add up to the change
with its sign turned, the change's own word is. Parts that make up a whole set (基本支出 + 项目支出 …)
must add up to the change. A list runs on past a full stop while the next sentence goes on naming
parts, and a part may be described at length before its change (「项目支出 9,399.23 万元，主要用于…，比
2025 年增加 2,419.80 万元」).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, fmt
from budgetqa.app.audit.shares import LEAD
from budgetqa.app.audit.written import NUM as _NUM
from budgetqa.app.audit.written import dec, half_unit, sentence_loc, unit

_UP = ("增加", "增长", "上升", "提高")
_LEAD = re.compile(
    rf"(?P<dir>增加|减少|增长|下降)\s*(?P<amt>{_NUM})\s*万元"
    r"(?:\s*[，,]\s*(?:增长|下降|降低|增加|减少|上升)\s*\d+(?:\.\d+)?\s*[%％])?"
    r"\s*[，,。；;]?\s*(?:其中|主要是|主要原因(?:是|为)?|主要包括|具体是|具体为)\s*[：:，,]?")
# a part's change: 「基本支出增加 362.10 万元」, 「项目支出 9,399.23 万元，主要用于…，比 2025 年增加 2,419.80 万元」
_PART = re.compile(r"(?:(?:比|较|与)\s*(?:上年|去年|20\d\d\s*年?)\s*(?:年初)?(?:预算数?|执行数?)?(?:相比)?\s*[，,]?\s*|同比)?"
                   rf"(?P<dir>增加|减少|增长|下降)(?:[\u4e00-\u9fff]{{1,12}}?)?\s*(?P<amt>{_NUM})\s*万元")  # 「增加专项业务经费36.95万元」
# a sentence that goes on with the list: 「…其中基本支出减少 19.11 万元，主要是减少在职人员 1 名。专项业务经费增加 425.5 万元」
_GOES_ON = re.compile(rf"\s*[\u4e00-\u9fff“”（）()]{{2,24}}?(?:比上年|较上年|同比)?(?:增加|减少|增长|下降)\s*{_NUM}\s*万元")


@dataclass
class _Part:
    name: str
    word: str
    amount: str
    span: tuple[int, int]

    @property
    def signed(self) -> Decimal:
        return dec(self.amount) if self.word in _UP else -dec(self.amount)


def _name(chunk: str) -> str:
    """The part a change belongs to: the name that opens its stretch of the list (「；项目支出 9,399.23 万元，
    主要用于…，比 2025 年」 → 项目支出)."""
    chunk = re.split(r"[。；;]", chunk)[-1]  # 「…主要是减少在职人员 1 名。专项业务经费增加…」: the last clause names it
    chunk = re.sub(r"^[\s，,、；;：:。]*(?:其中|主要是|主要包括|具体是|具体为|包括)?[\s：:，,]*", "", chunk)
    return re.split(r"[\d，,；;。（(]", chunk, maxsplit=1)[0].strip()


def _segment(text: str, start: int) -> str:
    """The list after a change: to the full stop, and on through sentences that go on naming parts."""
    stop = text.find("。", start)
    while stop >= 0 and _GOES_ON.match(text, stop + 1):
        nxt = text.find("。", stop + 1)
        stop = nxt if nxt >= 0 else len(text)
        if nxt < 0:
            break
    return text[start: stop if stop >= 0 else len(text)]


def check_breakdowns(doc, para, text: str, result: AuditResult) -> None:
    if "万元" not in text:
        return  # every change read here is written in 万元
    for lead in _LEAD.finditer(text):
        seg = _segment(text, lead.end())
        nxt = next((m for m in _LEAD.finditer(seg) if re.search(r"其中|具体", m.group(0))), None)
        if nxt is not None:
            seg = seg[: nxt.start()]  # a part broken down in turn: its own list (a part's reason is not)
        parts: list[_Part] = []
        last = 0
        for h in _PART.finditer(seg):
            parts.append(_Part(_name(seg[last: h.start()]), h.group("dir"), h.group("amt"),
                               (lead.end() + h.start(), lead.end() + h.end())))
            last = h.end()
        named = [p for p in parts if dec(p.amount) != 0]
        if len(named) < 2:
            continue
        total = dec(lead.group("amt")) * (1 if lead.group("dir") in _UP else -1)
        got = sum((p.signed for p in named), Decimal(0))
        tol = half_unit(lead.group("amt")) + sum((half_unit(p.amount) for p in named), Decimal(0))
        if abs(got - total) <= tol:
            continue
        end = lead.end() + len(seg)
        sentence = text[lead.start() - min(lead.start(), 40): end].lstrip("，,。；;")
        loc = sentence_loc(doc, para, sentence)
        if abs(-got - total) <= tol:
            result.findings.append(Finding(
                "error", "prose.change_parts", loc, loc, dec(lead.group("amt")), abs(got), None, tol,
                f"说明写{lead.group('dir')} {lead.group('amt')} 万元，但其后所列各项合计为"
                f"{'增加' if got > 0 else '减少'} {fmt(abs(got))} 万元，方向相反，请核对。"))
            continue
        flips = [p for p in named if abs(got - 2 * p.signed - total) <= tol]
        if len(flips) == 1:
            p = flips[0]
            right = "减少" if p.word in _UP else "增加"
            result.findings.append(Finding(
                "error", "prose.change_parts", loc, loc, dec(p.amount), dec(lead.group("amt")), None, tol,
                f"说明写总额{lead.group('dir')} {lead.group('amt')} 万元，所列各项只有把「{p.name}{p.word} "
                f"{p.amount} 万元」读作{right}才相加相符，该项增减方向疑有误，请核对。"))
            continue
        kinds = [_kind(p.name) for p in parts]
        if None in kinds or len(set(kinds)) != len(kinds) or set(kinds) not in _WHOLE_SETS:
            continue  # a list that may leave parts out: a sum falling short says nothing
        if set(kinds) == {"基本支出", "项目支出"} and _other_spending(doc):
            continue
        listed = "、".join(f"{p.name}{p.word} {p.amount} 万元" for p in parts)
        result.findings.append(Finding(
            "error", "prose.change_parts", loc, loc, total, got, total - got, tol,
            f"说明写{lead.group('dir')} {lead.group('amt')} 万元，其中 {listed}，各项增减合计为"
            f"{'增加' if got > 0 else '减少' if got < 0 else '持平'} {fmt(abs(got))} 万元，相差 "
            f"{fmt(abs(total - got))} 万元，请核对。"))


# ---------------------------------------------------------------- a total and its parts

_KINDS: dict[str, re.Pattern] = {
    "基本支出": re.compile(r"基本支出"),
    "项目支出": re.compile(r"项目支出|专项业务经费|项目经费"),
    "人员经费": re.compile(r"人员经费|人员支出"),
    "公用经费": re.compile(r"公用经费|日常公用|公用支出"),
    "货物": re.compile(r"货物"),
    "工程": re.compile(r"工程"),
    "服务": re.compile(r"服务"),
    "当年": re.compile(r"当年(?:预算|拨款|收入)|本年(?:预算|收入)"),
    "上年结转": re.compile(r"上年结转"),
    # the 三公 items (a change of the whole 三公经费 broken into them)
    "出国": re.compile(r"因公出国"),
    "车辆": re.compile(r"公务用车购置(?:及|和)运行"),
    "购置": re.compile(r"公务用车购置费|车辆购置费"),
    "运行": re.compile(r"公务用车运行|车辆运行"),
    "接待": re.compile(r"公务接待"),
}
# the templates' whole sets: a total listing exactly one of these is the sum of its parts
_WHOLE_SETS = [{"基本支出", "项目支出"}, {"人员经费", "公用经费"}, {"人员经费", "公用经费", "项目支出"},
               {"货物", "工程", "服务"}, {"当年", "上年结转"},
               {"出国", "车辆", "接待"}, {"出国", "购置", "运行", "接待"}, {"购置", "运行"}]
_ITEM = re.compile(rf"(?P<name>[^，,、；;：:。\d]{{1,24}}?)\s*(?:为|是)?\s*(?P<fig>{_NUM})\s*万元")
_CHANGE_WORDS = re.compile(r"增加|减少|增长|下降|比|较|上年同期|占")


def _kind(name: str) -> str | None:
    hits = [k for k, rx in _KINDS.items() if rx.search(name)]
    return hits[0] if len(hits) == 1 else None


# 「政府采购预算总额 4,542.69 万元，均为一般公共预算拨款，其中：…」: a clause between the total and its list
_LEAD_AFTER_CLAUSE = re.compile(rf"(?P<fig>{_NUM})\s*万元\s*[，,]\s*[^，,。；;\d]{{1,16}}[，,]\s*其中\s*[：:，,]?")


def check_totals(doc, para, text: str, result: AuditResult) -> None:
    """「X 万元，其中：A 万元，B 万元」 where A, B … are a whole set: X = A + B + …."""
    if "万元" not in text:
        return  # a total and its parts are written in 万元
    leads = sorted([*LEAD.finditer(text), *_LEAD_AFTER_CLAUSE.finditer(text)], key=lambda m: m.start())
    for lead in leads:
        if re.search(r"(?:增加|减少|增长|下降|降低)\s*(?:了)?\s*$", text[max(0, lead.start() - 6): lead.start()]):
            continue  # 「比 2025 年增加 2,781.90 万元。其中：基本支出…」: a change, not the total of the list
        stop = text.find("。", lead.end())
        seg = text[lead.end(): stop if stop >= 0 else len(text)]
        parts = [(h.group("name"), h.group("fig")) for h in _ITEM.finditer(seg)
                 if not _CHANGE_WORDS.search(h.group("name"))]
        kinds = [_kind(name) for name, _ in parts]
        if len(parts) < 2 or None in kinds or len(set(kinds)) != len(kinds):
            continue
        # half a whole set (货物 and 服务, 工程 left out as nothing) may leave a part out: it can only fall short
        half = set(kinds) not in _WHOLE_SETS
        if half and not any(set(kinds) < whole for whole in _WHOLE_SETS):
            continue
        if set(kinds) == {"基本支出", "项目支出"} and _other_spending(doc):
            continue  # 经营支出 / 上缴上级支出 / 对附属单位补助支出 are spent too: 基本 + 项目 need not be the total
        total = dec(lead.group("fig"))
        got = sum((dec(f) for _, f in parts), Decimal(0))
        figures = [lead.group("fig"), *(f for _, f in parts)]
        tol = sum((_list_half(f, figures) for f in figures), Decimal(0))
        if abs(got - total) <= tol or half and got < total:
            continue
        sentence = text[max(0, lead.start() - 40): stop if stop >= 0 else len(text)].lstrip("，,。；;")
        loc = sentence_loc(doc, para, sentence)
        listed = "、".join(f"{name.strip()} {f}" for name, f in parts)
        result.findings.append(Finding(
            "error", "prose.parts_sum", loc, loc, total, got, total - got, tol,
            f"说明写合计 {lead.group('fig')} 万元，其中所列 {listed} 万元相加为 {fmt(got)} 万元，"
            f"{'已超过合计' if half else '相差'} {fmt(abs(total - got))} 万元，请核对。"))


def _list_half(fig: str, figures: list[str]) -> Decimal:
    """How far a figure of a list may be from its amount: nothing for 0 (工程预算 0 万元 is none); a whole
    figure beside figures written to the decimal is written as short as it goes (「货物预算3.8万元，服务预算2万
    元」: 2 is 2.0), so it owes the list's finest precision; otherwise half its own last digit."""
    if dec(fig) == 0:
        return Decimal(0)
    finest = min(unit(f) for f in figures)
    return finest / 2 if "." not in fig and finest < 1 else half_unit(fig)


_OTHER_SPENDING = re.compile(r"经营支出|上缴上级|对附属单位补助")


def _other_spending(doc) -> bool:
    """Whether the document's 支出 table spends on anything besides 基本支出 and 项目支出."""
    for t in doc.tables:
        if not t.kind.startswith("支出"):
            continue
        for r in t.rows:
            if r.is_total and any(v for c, v in r.cells.items() if _OTHER_SPENDING.search(c)):
                return True
    return False
