"""「比上年增加 X 万元」 against what the document itself says of the year before.

Most documents print no column for the year before, so a stated change can seldom be recomputed
from a table (audit/lastyear.py does where one is printed). The document still binds it three ways:

- **the base it names**: 「委托业务费 3.83 万元，比上年增加 3.83 万元（基数为 0）」, 「支出 307.15 万元，与上年
  相比增加 307.15 万元（去年预算数为 0 万元）」, 「20000 万元，较上年增加 20000 万元，原因是 2020 年预算无此
  内容」: this year's figure less the base it names is the change (`prose.change_base`);
- **the same change stated twice**: 「财政拨款收入 18,976.76 万元，比 2024 年预算增加 3,355.65 万元」 and
  「财政拨款支出预算 18,976.76 万元，比 2024 年预算减少 3,355.65 万元」 cannot both hold: the same figure
  cannot have grown and shrunk by the same amount against the same year (`prose.change_agree`);
- **the 三公 items**: 三公经费 is 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费 (and the vehicles
  购置 + 运行), so the changes stated for the items add up to the change stated for the whole, item by
  item through the 三公 section, across sentences and paragraphs (`prose.sangong_changes`).

Each is compared within half the last written digit of every figure involved.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, fmt
from budgetqa.app.audit.written import NUM, dec, half_unit, pct_finding, sentence_loc, unit
from budgetqa.ingest.models import Document

_UP = ("增加", "增长", "上升", "提高", "增幅")
_YEAR = r"(?:上年|去年|上一年度?|(?P<year>20\d\d)\s*年?\s*度?)"
_VS = (rf"(?:比|较|与)\s*{_YEAR}\s*(?:年初)?(?:当年)?(?P<ledger>预算数?|决算数?|执行数?)?(?:相比|对比)?\s*[，,]?\s*")
_MOVED = re.compile(_VS + rf"(?P<word>增加|减少|增长|下降|上升|降低|提高)\s*(?:了)?\s*(?P<amt>{NUM})\s*万元")
_FLAT = re.compile(_VS + r"(?:基本)?(?P<word>持平|相同|一致|相等|无变化|未发生变化|没有变化)")
_FIGURE = re.compile(rf"({NUM})\s*万元")
_VS_WORD = re.compile(r"[比较与]")
# what may stand between a figure and the change that follows it: 「X 万元，比上年…」, 「X 万元（含…），…」,
# 「X 万元，主要用于…，比上年…」 — never a subject (「事业收入 812.48 万元，收入比 2025 年增加…」)
_BOUND = re.compile(r"\s*(?:[（(][^）)]*[）)])?\s*[，,]?\s*(?:主要用于[^，,。；;]*[，,])?\s*")
_SENT = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")
_SAYS = re.compile(r"万元|[%％]|持平|相等|相同|一致|变化")

# the base the sentence names: nothing (「基数为 0」「2020 年预算无此内容」) or a figure (「去年预算数为 0 万元」)
_NO_BASE = re.compile(rf"基数为\s*(?:0(?:\.0+)?|零)(?![.\d])|{_YEAR}\s*(?:年初)?(?:预算|决算|执行)?(?:数)?\s*"
                      r"(?:无此|无该|无内容|未安排|没有安排|未列支|无预算)")
_STATED_BASE = re.compile(rf"{_YEAR}\s*(?:年初)?(?P<ledger>预算|决算|执行)?(?:数)?\s*(?:为|是)\s*(?P<base>{NUM})\s*万元")


_SPACE_NUM = re.compile(r"\s+(?=\d)|(?<=\d)\s+(?=[万%％年])")
_SPACE_CJK = re.compile(r"(?<=[\u4e00-\u9fff（）()“”])\s+(?=[\u4e00-\u9fff（）()“”])")
_CLOSED = re.compile(r"[。；;！？!?：:]\s*$")
_OPENS_FIGURE = re.compile(r"\s*[\d（(]")
_OPENS_ITEM = re.compile(r"\s*[（(][一二三四五六七八九十\d]+[）)]")
_DIGIT = re.compile(r"\d")
_YEAR_WORD = re.compile(r"20\d\d\s*年")
_LIST_STOP = re.compile(r"[；;]\s*$")
_WS = re.compile(r"\s")


def _norm(text: str) -> str:
    if not _WS.search(text):
        return text
    return _SPACE_CJK.sub("", _SPACE_NUM.sub(" ", text))


@dataclass
class Change:
    """One stated change: the figure it follows (if any), its signed amount, and against what."""

    figure: str | None
    word: str
    amount: str  # "0" for 持平
    year: int | None  # the year compared with (None: 上年 / 去年)
    ledger: str | None  # 预算 / 决算 / 执行, when named
    start: int  # where the change starts in its sentence
    sentence: str
    para: object

    @property
    def signed(self) -> Decimal:
        return dec(self.amount) if self.word in _UP else -dec(self.amount) if self.word not in _FLAT_WORDS else Decimal(0)

    @property
    def half(self) -> Decimal:
        """Half the last written digit of the amount (持平 written as a word: none)."""
        return Decimal(0) if self.word in _FLAT_WORDS else half_unit(self.amount)

    def against(self, doc_year: int | None) -> tuple[int | None, str | None]:
        year = self.year if self.year is not None else (doc_year - 1 if doc_year else None)
        return year, self.ledger


_FLAT_WORDS = ("持平", "相同", "一致", "相等", "无变化", "未发生变化", "没有变化")


def _changes_in(sentence: str, para, previous: str) -> list[Change]:
    return [Change(*found, sentence, para) for found in _parse_changes(sentence, previous)]


@lru_cache(maxsize=8192)
def _parse_changes(sentence: str, previous: str) -> tuple[tuple, ...]:
    """The changes a sentence states, as (figure, word, amount, year, ledger, start): read once per
    sentence, whichever rule asks (the agreement, the 三公 sums, the base)."""
    if not _VS_WORD.search(sentence):
        return ()
    out: list[tuple] = []
    hits = sorted([*_MOVED.finditer(sentence), *_FLAT.finditer(sentence)], key=lambda h: h.start())
    for hit in hits:
        before = sentence[: hit.start()]
        figs = list(_FIGURE.finditer(before))
        figure = None
        if figs and _BOUND.fullmatch(before[figs[-1].end():]):
            figure = figs[-1].group(1)
        elif not figs and not _DIGIT.search(_YEAR_WORD.sub("", before)):
            prev = list(_FIGURE.finditer(previous))  # 「…收入 1899.9 万元。较上年增加 406.39 万元」
            if prev and previous.rstrip().endswith("。") and not _DIGIT.search(previous[prev[-1].end():]):
                figure = prev[-1].group(1)
        ledger = hit.group("ledger")
        ledger = ledger[:2] if ledger else None
        amount = hit.group("amt") if "amt" in hit.re.groupindex else "0"
        out.append((figure, hit.group("word"), amount, int(hit.group("year")) if hit.group("year") else None,
                    ledger, hit.start()))
    return tuple(out)


def _sentences(doc: Document) -> list[tuple]:
    """(paragraph, sentence, the sentence before it, heading, index in its paragraph), a paragraph cut
    by a page break joined to the next one (「…其中：因公出国（境）费用」 / 「184.49 万元，与 2025 持平」)."""
    return list(_iter_sentences(doc))


def _iter_sentences(doc: Document):
    joined: list[tuple[object, str, str | None]] = []
    for para in doc.paragraphs:
        text = _norm(para.text)
        heading = para.heading_path[-1] if para.heading_path else None
        if joined and not _CLOSED.search(joined[-1][1]) and _OPENS_FIGURE.match(text) and not _OPENS_ITEM.match(text):
            p, t, h = joined[-1]
            joined[-1] = (p, t + text, h)
        else:
            joined.append((para, text, heading))
    for para, text, heading in joined:
        # the sentence before, whole: from the full stop before it (a list's 「；」 does not end one)
        previous, current = "", ""
        for i, sentence in enumerate(_SENT.findall(text)):
            yield para, sentence, previous, heading, i
            current += sentence
            if not _LIST_STOP.search(sentence):
                previous, current = current, ""


# ---------------------------------------------------------------- the base the sentence names


_PCT = re.compile(_VS + rf"(?:(?P<dir>增加|减少)\s*(?P<amt>{NUM})\s*万元\s*[，,]\s*)?"
                  r"(?P<word>增长|下降|上升|降低|增加|减少|增幅|降幅|减幅)(?:了|为)?\s*(?P<pct>\d+(?:\.\d+)?)\s*[%％]")


def check_base(doc: Document, para, sentence: str, result: AuditResult, previous: str = "") -> None:
    """「X 万元，比上年增加 Y 万元（基数为 0 / 去年预算数为 Z 万元）」: X − Z is the change; with no base
    named, the year before is X − Y, never below zero, and a percentage is Y over it."""
    _check_pct(doc, para, sentence, result, previous)
    for c in _changes_in(sentence, para, ""):
        if c.figure is None:
            continue
        tail = sentence[c.start:]
        nxt = re.search(r"(?:比|较|与)\s*(?:上年|去年|20\d\d)", tail[2:])
        tail = tail[: nxt.start() + 2] if nxt else tail  # the base named for this change, not the next one's
        stated = _STATED_BASE.search(tail)
        none = _NO_BASE.search(tail) if stated is None else None
        hit = stated or none
        if hit is None:
            if c.word in _UP and dec(c.amount) > dec(c.figure) + half_unit(c.figure) + c.half:
                loc = sentence_loc(doc, para, sentence)
                result.findings.append(Finding(
                    "error", "prose.change_base", loc, loc, dec(c.amount), dec(c.figure), None, None,
                    f"说明写本年 {c.figure} 万元，比上年{c.word} {c.amount} 万元，增加额大于本年数（上年数将为负），请核对。"))
            continue
        if stated and stated.group("ledger") and c.ledger and stated.group("ledger") != c.ledger:
            continue  # 「比上年预算增加…（上年决算数为…）」: another figure than the one compared with
        year = int(hit.group("year")) if hit.group("year") else None
        compared = c.year if c.year is not None else (doc.year - 1 if doc.year else None)
        if year is not None and compared is not None and year != compared:
            continue  # the base of another year than the one compared with
        base = hit.group("base") if stated else "0"
        x = dec(c.figure)
        real = x - dec(base)
        tol = half_unit(c.figure) + (half_unit(base) if stated else Decimal(0)) + c.half
        if abs(real - c.signed) <= tol:
            continue
        named = f"上年为 {base} 万元" if stated else f"「{none.group(0)}」"
        said = c.word if c.word in _FLAT_WORDS else f"{c.word} {c.amount} 万元"
        real_word = "持平" if abs(real) <= tol else ("增加" if real > 0 else "减少")
        loc = sentence_loc(doc, para, sentence)
        result.findings.append(Finding(
            "error", "prose.change_base", loc, loc, c.signed, real, c.signed - real, tol,
            f"说明写本年 {c.figure} 万元、{named}，则应{real_word} {fmt(abs(real))} 万元，却写{said}，请核对。"))


def _check_pct(doc: Document, para, sentence: str, result: AuditResult, previous: str = "") -> None:
    """「X 万元，比上年增加 Y 万元，增长 P%」: P is Y over X − Y; 「X 万元，比上年下降 P%」 with X = 0 is a
    fall of 100%, and only X = 0 falls by 100%. X may close the sentence before (「…支出 616.88 万元，主要是
    离退休人员经费。较 2025 年年初预算增加 60.01 万元，增幅 10.8%」)."""
    for hit in _PCT.finditer(sentence):
        figs = list(_FIGURE.finditer(sentence[: hit.start()]))
        if figs and _BOUND.fullmatch(sentence[figs[-1].end(): hit.start()]):
            figure = figs[-1].group(1)
        elif not figs and hit.group("amt") and not re.search(r"\d", re.sub(r"20\d\d\s*年", "", sentence[: hit.start()])) \
                and (prev := list(_FIGURE.finditer(previous))) and previous.rstrip().endswith("。") \
                and not re.search(r"\d", previous[prev[-1].end():]) and len(prev) == 1:
            figure = prev[-1].group(1)  # the sentence before states one figure: the change is of it
        else:
            continue
        x, p = dec(figure), dec(hit.group("pct"))
        up = hit.group("word") in _UP
        loc = sentence_loc(doc, para, sentence)
        if hit.group("amt") is None:
            if x == 0 and p != 0 and (up or p != 100) or x > 0 and not up and p == 100:
                result.findings.append(Finding(
                    "error", "prose.change_base", loc, loc, p * (1 if up else -1), x, None, None,
                    f"说明写本年 {figure} 万元，比上年{hit.group('word')} {hit.group('pct')}%，"
                    + ("本年为 0 只能是下降 100%" if x == 0 else "下降 100% 则本年应为 0") + "，请核对。"))
            continue
        y = dec(hit.group("amt"))
        if y == 0 or (hit.group("dir") in _UP) != up:
            continue  # a direction mismatch is prose.change_direction's
        hx, hy = half_unit(figure), half_unit(hit.group("amt"))
        prior = x - y if up else x + y
        if prior - hx - hy <= 0:
            continue
        rng = (max(y - hy, Decimal(0)) / (prior + hx + hy) * 100, (y + hy) / (prior - hx - hy) * 100)
        pct_finding(result, "prose.change_pct", doc, para, sentence, hit.group("pct"), rng,
                    f"增减比例（{hit.group('amt')}/（{figure}{'−' if up else '+'}{hit.group('amt')}））")


# ---------------------------------------------------------------- the same change stated twice


def _significant(s: str) -> int:
    return len(s.replace(",", "").replace(".", "").lstrip("0"))


def check_agreement(doc: Document, result: AuditResult, sentences: list[tuple] | None = None) -> None:
    """The same figure's change, stated in two places against the same year, is one change: grown in
    one place and shrunk by the same amount (to a last digit) in another is an error; two amounts, a
    warning (「住房公积金（2210201）192.99 万元，较上年增加 15.96 万元」 and, a page on, 「增加 15.95 万元」)."""
    groups: dict[tuple, list[Change]] = defaultdict(list)
    for para, sentence, previous, _heading, _i in sentences if sentences is not None else _sentences(doc):
        for c in _changes_in(sentence, para, previous):
            if c.figure is None or c.word in _FLAT_WORDS or dec(c.amount) == 0 or dec(c.figure) == dec(c.amount):
                continue
            if _significant(c.figure) < 3 or _significant(c.amount) < 2:
                continue  # 「0.5 万元，减少 0.1 万元」 may well be two different items
            groups[(dec(c.figure), c.against(doc.year))].append(c)
    for said in groups.values():
        up = [c for c in said if c.signed > 0]
        down = [c for c in said if c.signed < 0]
        flipped = [(u, d) for u in up for d in down if _close(u, d)]
        if flipped:
            ups = {id(u) for u, _ in flipped}
            downs = {id(d) for _, d in flipped}
            odd_up = len(ups) < len(downs) or len(ups) == len(downs) and said.index(flipped[0][0]) > said.index(flipped[0][1])
            seen: set[int] = set()
            for u, d in flipped:
                c, other = (u, d) if odd_up else (d, u)
                if id(c) in seen:
                    continue
                seen.add(id(c))
                a, b = sentence_loc(doc, c.para, c.sentence), sentence_loc(doc, other.para, other.sentence)
                result.findings.append(Finding(
                    "error", "prose.change_agree", a, b, c.signed, other.signed, None, None,
                    f"同一数字 {c.figure} 万元，此处写比上年{c.word} {c.amount} 万元，另一处（{b.label()}）写"
                    f"{other.word} {other.amount} 万元，方向相反，请核对。"))
            continue
        for group in (up, down):
            first = group[0] if group else None
            for c in group[1:]:
                if _close(first, c) or dec(c.amount) == dec(first.amount):
                    continue
                a, b = sentence_loc(doc, c.para, c.sentence), sentence_loc(doc, first.para, first.sentence)
                result.findings.append(Finding(
                    "warning", "prose.change_agree", a, b, c.signed, first.signed, c.signed - first.signed, None,
                    f"同一数字 {c.figure} 万元，此处写比上年{c.word} {c.amount} 万元，另一处（{b.label()}）写"
                    f"{first.word} {first.amount} 万元，增减额不一致，请核对。"))


def _close(a: Change, b: Change) -> bool:
    """The same amount to within the last digit either is written to (15.96 and 15.95; 16.627 and 16.63)."""
    return abs(dec(a.amount) - dec(b.amount)) <= max(unit(a.amount), unit(b.amount))


# ---------------------------------------------------------------- the 三公 items


_ITEMS = [  # longest names first: 公务用车购置及运行费 before 公务用车购置费
    ("车辆", re.compile(r"公务用车购置(?:及|和)运行(?:维护)?费")),
    ("购置", re.compile(r"公务用车购置费")),
    ("运行", re.compile(r"公务用车运行(?:维护)?费|公务用车运维费")),
    ("出国", re.compile(r"因公出国[（(]境[）)]费?")),
    ("接待", re.compile(r"公务接待费")),
    ("总额", re.compile(r"[“”\"‘’']?三公[“”\"‘’']?经费")),
]


@lru_cache(maxsize=8192)
def _items_named(text: str) -> tuple[tuple[int, str], ...]:
    """(position, item) of each 三公 item named, but not as the whole of a share (「占“三公”经费的 37%」)."""
    if not _ANY_ITEM.search(text):
        return ()
    taken: list[tuple[int, int]] = []
    out: list[tuple[int, str]] = []
    for item, rx in _ITEMS:
        for m in rx.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            if re.search(r"占\s*(?:全部|本年)?\s*$", text[max(0, m.start() - 4): m.start()]):
                continue
            out.append((m.start(), item))
    return tuple(sorted(out))


_ANY_ITEM = re.compile(r"三公|公务|出国")


@dataclass
class _Said:
    item: str
    change: Change


def check_sangong(doc: Document, result: AuditResult, sentences: list[tuple] | None = None) -> None:
    """The changes stated for the 三公 items add up to the one stated for the whole."""
    said: dict[str, list[_Said]] = defaultdict(list)
    for para, sentence, _previous, heading, index in sentences if sentences is not None else _sentences(doc):
        if index == 0:
            named = _items_named(heading or "")
            current = named[-1][1] if named and not _items_named(sentence) else None
        if re.search(r"指|是指|反映|包括|主要用于", sentence) and not _MOVED.search(sentence) and not _FLAT.search(sentence):
            continue  # 名词解释
        named = _items_named(sentence)
        for c in _changes_in(sentence, para, ""):
            before = [item for pos, item in named if pos < c.start]
            item = before[-1] if before else current
            if item is not None:
                said[item].append(_Said(item, c))
        if named:
            current = named[-1][1]
    values: dict[str, _Said] = {}
    for item, lst in said.items():
        if len({(s.change.signed, s.change.against(doc.year)) for s in lst}) == 1:
            values[item] = lst[0]
    if "总额" not in values:
        return
    vs = values["总额"].change.against(doc.year)
    if any(s.change.against(doc.year)[0] != vs[0] for s in values.values()):
        return  # compared with different years: not one sum
    parts = ["出国", "车辆", "接待"] if "车辆" in values else ["出国", "购置", "运行", "接待"]
    total_holds = _sum(doc, values, "总额", parts, result)
    if {"购置", "运行"} <= values.keys():
        # the total adding up with the vehicles' change as stated vouches for that change
        _sum(doc, values, "车辆", ["购置", "运行"], result, whole_holds=total_holds and "车辆" in parts)


_NAMES = {"总额": "“三公”经费", "车辆": "公务用车购置及运行费", "购置": "公务用车购置费", "运行": "公务用车运行维护费",
          "出国": "因公出国（境）费", "接待": "公务接待费"}


def _sum(doc, values: dict[str, _Said], whole: str, parts: list[str], result: AuditResult,
         whole_holds: bool = False) -> bool:
    """Whether the parts' changes add up to the whole's (a finding where they do not)."""
    if whole not in values or not all(p in values for p in parts):
        return False
    w = values[whole].change
    ps = [values[p].change for p in parts]
    got = sum((c.signed for c in ps), Decimal(0))
    tol = w.half + sum((c.half for c in ps), Decimal(0))
    if abs(got - w.signed) <= tol:
        return True
    listed = "、".join(f"{_NAMES[p]}{_word(c)}" for p, c in zip(parts, ps))
    flips = [(p, c) for p, c in zip(parts, ps) if c.signed != 0 and abs(got - 2 * c.signed - w.signed) <= tol]
    if abs(-got - w.signed) <= tol and w.signed != 0 and not (whole_holds and flips):
        at, other, msg = w, ps[0], (f"说明写{_NAMES[whole]}{_word(w)}，但所列 {listed}，合计"
                                    f"{'增加' if got > 0 else '减少'} {fmt(abs(got))} 万元，方向相反，请核对。")
    elif len(flips) == 1:
        p, at = flips[0]
        other = w
        msg = (f"说明写{_NAMES[whole]}{_word(w)}，所列 {listed}，只有把{_NAMES[p]}读作"
               f"{'减少' if at.signed > 0 else '增加'}才相加相符，该项增减方向疑有误，请核对。")
    else:
        at, other = w, ps[0]
        msg = (f"说明写{_NAMES[whole]}{_word(w)}，但所列 {listed}，合计{'增加' if got > 0 else '减少' if got < 0 else '持平'}"
               f" {fmt(abs(got))} 万元，相差 {fmt(abs(got - w.signed))} 万元，请核对。")
    a = sentence_loc(doc, at.para, at.sentence)
    b = sentence_loc(doc, other.para, other.sentence)
    result.findings.append(Finding("error", "prose.sangong_changes", a, b, w.signed, got, w.signed - got, tol, msg))
    return False


def _word(c: Change) -> str:
    return "持平" if c.signed == 0 and c.word in _FLAT_WORDS else f"{c.word} {c.amount} 万元"


def check_document(doc: Document, result: AuditResult) -> None:
    for cached in (_parse_changes, _items_named, _numbers):
        cached.cache_clear()  # read once per document, by whichever rule asks; kept for no other document
    # a sentence whose change another rule already found wrong (against the table, the 说明 item's
    # figures, its own reason) is not reported a second time
    taken = [_numbers(f.a.sentence) for f in result.findings
             if f.a.sentence and re.search(r"change|direction", f.check) and f.severity != "warning"]

    taken = [t for t in taken if len(t) >= 2]

    def fresh(sentence: str) -> bool:
        if not taken:
            return True
        mine = _numbers(sentence)
        return not (len(mine) >= 2 and any(mine <= t or t <= mine for t in taken))

    found = AuditResult()
    # a sentence with no figure, no word for no change and no 三公 item states no change and names no item
    sentences = [s for s in _sentences(doc) if s[4] == 0 or _SAYS.search(s[1]) or _items_named(s[1])]
    check_agreement(doc, found, sentences)
    check_sangong(doc, found, sentences)
    for para, sentence, previous, _heading, _i in sentences:
        if fresh(sentence):
            check_base(doc, para, sentence, found, previous)
    result.findings.extend(f for f in found.findings if fresh(f.a.sentence or ""))


@lru_cache(maxsize=8192)
def _numbers(sentence: str) -> frozenset[Decimal]:
    """The figures a sentence states, to know one sentence however it was cut and spaced."""
    return frozenset(dec(m.group(0)) for m in re.finditer(NUM, re.sub(r"(?<=\d)\s+(?=[\d.])", "", sentence))
                     if not re.fullmatch(r"20\d\d", m.group(0)))


# 「比 2025 年增加 21.99 万元，主要原因为在职人员较去年有所增加」: the reason given for a change, when every
# direction word in it points one way, points the change's way. Reasons may run the other way (支出减少，主要
# 原因是退休人员增加), so a reason pointing only against the change is a warning to read, never an error.
_REASONED = re.compile(
    rf"(?P<word>增加|减少|增长|下降)\s*(?:了)?\s*(?P<amt>{NUM})\s*万元(?:\s*[，,]\s*(?:增长|下降|增幅|降幅)\s*\d+(?:\.\d+)?\s*[%％])?"
    r"(?:\s*[（(]\s*\d+(?:\.\d+)?\s*[%％]\s*[)）])?"
    r"\s*[，,。；;]?\s*(?:其|这)?(?:主要(?:原因)?|原因)(?:是|为|系|在于)?\s*[：:，,]?(?P<why>[^。；;]*)")
# a change written as a percentage only (「比上年1.43万元，增加0.68%。主要原因是人员增加」)
_REASONED_PCT = re.compile(
    rf"(?P<word>增加|减少|增长|下降)\s*(?:了)?\s*(?P<pct>{NUM})\s*[%％]"
    r"\s*[，,。；;]?\s*(?:其|这)?(?:主要(?:原因)?|原因)(?:是|为|系|在于)?\s*[：:，,]?(?P<why>[^。；;]*)")
_REASON_UP = re.compile(r"增加|增长|提高|上升|增多|增资|扩大")
_REASON_DOWN = re.compile(r"减少|下降|降低|压减|缩减|压缩|节约|减员|取消|严格控制|杜绝")
_WEIGHED = re.compile(r"但|虽|尽管|抵|同时")


def check_reason_direction(doc: Document, para, text: str, result: AuditResult) -> None:
    if "原因" not in text and "主要" not in text:
        return  # no reason given
    amounts = list(_REASONED.finditer(text))
    # a percentage the amount's pattern already read with it (「减少 5 万元，下降 3%，主要原因…」) is that change
    alone = [h for h in _REASONED_PCT.finditer(text) if not any(a.start() <= h.start() < a.end() for a in amounts)]
    for hit in [*amounts, *alone]:
        figure, unit = (hit.group("amt"), " 万元") if "amt" in hit.re.groupindex else (hit.group("pct"), "%")
        if dec(figure) == 0:
            continue
        why = hit.group("why")
        if _WEIGHED.search(why):
            continue  # a reason weighing two things (新增 1 辆车，但车型不同) says no one direction
        up, down = bool(_REASON_UP.search(why)), bool(_REASON_DOWN.search(why))
        if up == down or up == (hit.group("word") in ("增加", "增长")):
            continue
        loc = sentence_loc(doc, para, text[hit.start(): hit.end() + 1])
        said = (_REASON_UP if up else _REASON_DOWN).search(why).group(0)
        result.findings.append(Finding(
            "warning", "prose.reason_direction", loc, loc, dec(figure), None, None, None,
            f"说明写「{hit.group('word')} {figure}{unit}」，所给主要原因却说「{said}」，方向相反，请核对增减方向。"))
