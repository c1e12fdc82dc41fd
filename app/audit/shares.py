"""Every 「X 万元，占 P%」 share of the 情况说明, recomputed from the whole it is a share of.

A share names its whole or leaves it to the list it stands in:
- 「基本支出 1163.03 万元，占支出总计的 82.29%」: the whole is named, and read from the tables (every
  table stating that measure, in the scope the words give);
- 「本年支出合计 2940.05 万元，其中：基本支出 2336.91 万元，占 79.49%；项目支出…」: the list's lead
  figure, or 「基本支出中，人员经费…」 the figure the paragraph gave 基本支出 earlier;
- 「人员支出 1487.48 万元，占 23.8%；日常公用支出 116.93 万元，占 1.9%；项目支出 4651.90 万元，占 74.4%」:
  no lead at all, so the sum of the list's parts, when every other part's share agrees with it
  (which is what tells a complete list from a partial one);
- a subject of a 结构 list (卫生健康支出（类）) also has its table's 合计 as a whole.

A share agreeing with any whole it may mean is no contradiction. One that agrees with none is
reported against the whole that best accounts for the list, at the precision the figures are
written with (a whole printed 0.1% is never held to 0.01%). A whole whose words no table measure
matches (占政府采购支出总额的) is not guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from budgetqa.app.audit.cross import Measures
from budgetqa.app.audit.model import AuditResult, Location
from budgetqa.app.audit.written import NUM as _NUM
from budgetqa.app.audit.written import dec, half_unit, pct_finding

_SHARE = re.compile(
    rf"(?P<part>{_NUM})\s*万元\s*[，,、]?\s*占(?:比)?\s*(?P<words>[^，,。；;%％\d（(]{{0,24}}?)\s*(?:的)?\s*"
    rf"(?:比例|比重)?\s*(?:为|是)?\s*(?P<pct>\d+(?:\.\d+)?)\s*[%％]")
# a list's lead: 「本年支出合计 2940.05 万元，其中：」, 「…收入 6,184.34万元。其中」, 「…拨款 2030.75 万元，主要用于」
LEAD = re.compile(rf"(?P<fig>{_NUM})\s*万元\s*[，,。；;]?\s*(?:其中|主要用于|主要包括|包括|具体(?:包括|如下|为|是)?|按[^，,。；]{{1,10}}分类)")
# 「基本支出中，人员经费…」: a new list whose whole the paragraph named before
_OF = re.compile(r"(?:^|[。；;，,])\s*(?P<name>[\u4e00-\u9fff“”\"]{2,14}?)(?:预算|决算)?中\s*[，,：:]")
_BREAK = re.compile(r"[。]|其中|主要包括|包括")

_SCOPE_WORDS = re.compile(r"一般公共预算(?:财政)?(?:拨款)?|财政拨款|本年度?|部门|单位|[“”\"]")
# the named whole, once scope words are stripped → the measures it may be (table keys of audit/cross.py)
_WHOLES: list[tuple[re.Pattern, tuple[str, ...]]] = [
    (re.compile(r"^(?:支出总计|总支出|支出总额|支出总数)$"), ("支出总计", "支出合计")),
    (re.compile(r"^(?:支出合计|支出)$"), ("支出合计",)),
    (re.compile(r"^(?:收入总计|总收入|收入总额|收入总数)$"), ("收入总计", "收入合计")),
    (re.compile(r"^(?:收入合计|收入)$"), ("收入合计",)),
    (re.compile(r"^基本支出(?:总额|合计)?$"), ("基本支出",)),
    (re.compile(r"^项目支出(?:总额|合计)?$"), ("项目支出",)),
]


@dataclass
class Whole:
    value: Decimal
    half: Decimal  # how far the true whole may sit from `value`, from the precision it is written with
    what: str  # for the message: 「2940.05」, 「各项之和 6256.31」
    loc: Location | None = None  # a table cell, when the whole is read from one
    check: str = "prose.share"


@dataclass
class Share:
    start: int
    end: int
    part: str
    pct: str
    words: str
    wholes: list[Whole] = field(default_factory=list)
    unknown: bool = False  # its words name a whole no table measure is


def _range(part: str, whole: Whole) -> tuple[Decimal, Decimal] | None:
    n, h = dec(part), half_unit(part)
    if whole.value - whole.half <= 0:
        return None
    return max(n - h, Decimal(0)) / (whole.value + whole.half) * 100, (n + h) / (whole.value - whole.half) * 100


def _agrees(s: Share, whole: Whole) -> bool:
    rng = _range(s.part, whole)
    if rng is None:
        return False
    p, half = dec(s.pct), half_unit(s.pct)
    return rng[0] - half <= p <= rng[1] + half


def named_wholes(words: str, m: Measures) -> list[Whole] | None:
    """The table figures a share's named whole may be; None when the words name no measure."""
    scope = "一般公共预算" if "一般公共预算" in words else "财政拨款" if "财政拨款" in words else None
    core = _SCOPE_WORDS.sub("", words).strip()
    for pattern, keys in _WHOLES:
        if pattern.match(core):
            out = []
            # unscoped (占本年支出合计的) is the all-funds figure: never the 财政拨款 one the part may itself be
            for sc in ([scope] if scope else ["全部"]):
                for key in keys:
                    for _table, q in m.by_key.get((sc, key), []):
                        out.append(Whole(q.value, q.half_steps, f"{q.loc.label()} {q.value}", q.loc))
            return out
    return None


def _lists(text: str, shares: list[Share]) -> list[list[Share]]:
    """Consecutive shares with no full stop or new lead between them."""
    out: list[list[Share]] = []
    for s in shares:
        if out and not _BREAK.search(text[out[-1][-1].end: s.start]):
            out[-1].append(s)
        else:
            out.append([s])
    return out


def _lead(text: str, start: int, parts: list[Share]) -> Whole | None:
    """The figure the list's first part hangs from: 「…合计 X 万元，其中：」 right before it, or
    「基本支出中，」 naming a figure given earlier."""
    lo = max(0, start - 60)
    window = text[lo: start]
    # searched from the paragraph's start so that a figure the window would cut (2030.75 → 30.75) stays whole
    leads = [m for m in LEAD.finditer(text[:start]) if m.end() >= lo]
    if leads:
        hit = leads[-1]
        between = text[hit.end(): start]
        if not re.search(r"\d\s*万元", between):
            fig = hit.group("fig")
            if all(dec(fig) >= dec(p.part) for p in parts):
                return Whole(dec(fig), half_unit(fig), fig)
    of = [h for h in _OF.finditer(window)]
    if of and not re.search(r"\d\s*万元", window[of[-1].end():]):
        name = of[-1].group("name").strip("“”\"")
        earlier = text[: max(0, start - 60) + of[-1].start()]
        given = list(re.finditer(re.escape(name) + rf"[^，,。；;\d]{{0,8}}?(?:为|是)?\s*({_NUM})\s*万元", earlier))
        if given:
            fig = given[-1].group(1)
            if all(dec(fig) >= dec(p.part) for p in parts):
                return Whole(dec(fig), half_unit(fig), fig)
    return None


def _sum(parts: list[Share]) -> Whole | None:
    if len(parts) < 2:
        return None
    total = sum((dec(p.part) for p in parts), Decimal(0))
    # a part written 0 is nothing at all (「因公出国（境）费支出 0 万元」), not anything under half a 万元
    half = sum((half_unit(p.part) for p in parts if dec(p.part)), Decimal(0))
    return Whole(total, half, f"各项之和 {total}")


@dataclass
class Piece:
    """One paragraph of a run a list may continue across (「…占 4.6%；」 / 「事业单位医疗 3.61 万元…」)."""

    para: object
    text: str
    table_whole: Callable[[int], list[Whole]] | None = None  # figure position → its subject table's 合计
    continues: bool = False  # an item paragraph after another (「社会保障和就业（类）支出 148.23 万元，占 7.3%…。」)


def check_shares(doc, pieces: list[Piece], m: Measures, result: AuditResult, sangong: Whole | None = None) -> None:
    """Recompute each share of a run of paragraphs; `sangong`: the 三公 table's 合计, the whole of
    「占“三公”经费的 X%」."""
    text, starts = "", []
    for piece in pieces:
        starts.append(len(text))
        text += piece.text
    def piece_at(pos: int) -> int:
        return max(i for i, st in enumerate(starts) if st <= pos)
    shares = []
    for hit in _SHARE.finditer(text):
        words = hit.group("words").strip()
        shares.append(Share(hit.start(), hit.end(), hit.group("part"), hit.group("pct"), words))
    # the full stop closing an item paragraph that the next item paragraph continues does not end the list
    listed = text
    for st, piece in zip(starts, pieces):
        if piece.continues and st > 0 and listed[st - 1] == "。":
            listed = listed[: st - 1] + "；" + listed[st:]
    for parts in _lists(listed, shares):
        lead = _lead(text, parts[0].start, parts)
        total = _sum(parts)
        for s in parts:
            if "三公" in s.words:
                named = [sangong] if sangong is not None else []
            else:
                named = named_wholes(s.words, m) if s.words else []
            if named is None:
                s.unknown = True  # a whole no table measure is (占政府采购支出总额的): not guessed
                continue
            s.wholes = list(named)
            if lead is not None:
                s.wholes.append(lead)
            k = piece_at(s.start)
            if pieces[k].table_whole is not None:
                s.wholes.extend(pieces[k].table_whole(s.start - starts[k]))
        for s in parts:
            if s.unknown:
                continue
            if any(_agrees(s, w) for w in s.wholes) or (total is not None and _agrees(s, total)):
                continue
            whole = _blame(s, parts, total, lead) or (_vouched(s, parts, _measure_wholes(m)) if not s.wholes else None)
            if whole is None:
                continue
            rng = _range(s.part, whole)
            if rng is None:
                continue
            k = piece_at(s.start)
            sentence = _sentence(pieces[k].text, s, starts[k])
            # shares printed to add to exactly 100% had a last digit moved to get there: still a wrong
            # share (the reviewer asks for each to be its own quotient), said so in the message
            forced = len(parts) > 1 and sum((dec(o.pct) for o in parts), Decimal(0)) == 100
            pct_finding(result, whole.check, doc, pieces[k].para, sentence, s.pct, rng, f"占比（{s.part}/{whole.what}）",
                        other=whole.loc, note="各项占比被凑成合计 100%，此项与其数字不符，请核对" if forced else None)


def _blame(s: Share, parts: list[Share], total: Whole | None, lead: Whole | None) -> Whole | None:
    """The whole to report a disagreeing share against: the one most of the list's other shares agree
    with (those read from a table first, then the lead); the list's own sum only when
    every other share agrees with it (a complete list with one slip)."""
    others = [o for o in parts if o is not s]
    # a table's 合计 first: the finding then gives both figures' sources
    cands = sorted(s.wholes, key=lambda w: w.loc is None)
    # a zero part agrees with any whole: a nonzero one must vouch for the sum
    if total is not None and all(_agrees(o, total) for o in others) and any(dec(o.part) for o in others):
        cands.append(total)
    if not cands:
        return None
    return max(cands, key=lambda w: sum(_agrees(o, w) for o in others))


def _measure_wholes(m: Measures) -> list[Whole]:
    """Every table figure a share's whole may be (支出合计, 收入总计, 基本支出 … in any scope)."""
    keys = dict.fromkeys(k for _, ks in _WHOLES for k in ks)  # spending first, as _WHOLES lists them
    return [Whole(q.value, q.half_steps, f"{q.loc.label()} {q.value}", q.loc)
            for scope in ("全部", "财政拨款", "一般公共预算") for key in keys
            for _t, q in m.by_key.get((scope, key), [])]


def _vouched(s: Share, parts: list[Share], wholes: list[Whole]) -> Whole | None:
    """A list naming no whole, with no lead, whose sum a slip moved (「人员支出 1487.48 万元，占23.8%；日常公用
    支出 125.12 万元，占 1.9%；…」): the table figure every other nonzero share of the list agrees with."""
    others = [o for o in parts if o is not s and dec(o.part) and not o.unknown]
    if not others:
        return None
    fits = [w for w in wholes if all(_agrees(o, w) for o in others) and w.value >= max(dec(p.part) for p in parts)]
    return fits[0] if fits else None


def _sentence(text: str, s: Share, offset: int = 0) -> str:
    """The clause of the share (from the previous stop to the share's end) in its own paragraph."""
    a, b = s.start - offset, s.end - offset
    start = max(text.rfind(c, 0, a) for c in "。；;") + 1
    stop = min((i for i in (text.find(c, b) for c in "。；;") if i >= 0), default=len(text))
    return text[start: stop + 1].strip()
