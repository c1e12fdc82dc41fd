"""Questions about the prose (情况说明): find the sentence that states it and the figure it asks for."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from budgetqa.app.qa.match import bigrams, norm
from budgetqa.ingest.models import Document

_SENT_END = re.compile(r"(?<=[。；;！？!?])")
# Bigrams that every budget sentence shares: they carry no signal.
_STOP = {"多少", "是多", "少万", "万元", "年度", "本年", "部门", "单位", "情况", "什么", "哪些", "为什", "么一", "分别"}
_ASKING = set("什么哪几吗呢谁")
_FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万元|亿元|元|%|个|辆|人次|人|项|家|次|期|天)")
# What the question asks about → words that precede the wanted figure in the sentence.
_CUES = [
    ("增加了多少", ("增加", "增长")), ("增加多少", ("增加",)), ("减少了多少", ("减少", "下降")), ("减少多少", ("减少",)),
    ("增长", ("增长",)), ("下降", ("下降",)), ("年初预算", ("年初预算", "预算为", "预算")), ("完成", ("完成",)),
    ("涉及", ("涉及", "金额")),
]
# Questions that ask for a count name its unit: the figure in that unit is the one.
_UNIT_CUES = [("几辆", "辆"), ("多少辆", "辆"), ("几个", "个"), ("多少个", "个"), ("多少人", "人"), ("几人", "人"),
              ("多少项", "项"), ("几项", "项"), ("多少家", "家"), ("几家", "家")]


@dataclass
class Sentence:
    text: str
    heading: str
    page: int | None
    score: float = 0.0
    next: str = ""  # the sentence after it in the same paragraph (a heading-like sentence's figures are there)


def _is_contents(text: str) -> bool:
    """A table of contents run together (一、收入支出决算总表二、收入决算表…): not a statement."""
    if _FIGURE.search(text):
        return False
    return text.count("表") >= 3 or len(re.findall(r"[一二三四五六七八九十]+、", text)) >= 3


def sentences(doc: Document) -> list[Sentence]:
    out = []
    for p in doc.paragraphs:
        heading = " > ".join(p.heading_path)
        parts = [s.strip() for s in _SENT_END.split(p.text) if len(s.strip()) >= 6 and not _is_contents(s)]
        for i, s in enumerate(parts):
            out.append(Sentence(s, heading, p.page, next=parts[i + 1] if i + 1 < len(parts) else ""))
    return out


def _pnorm(text: str) -> str:
    """Prose normal form: 预算数 and 预算 say the same (as do 决算数 / 决算)."""
    text = re.sub(r"(?<=[预决]算)数", "", norm(text))
    # 「比上年增加」 is written 「比2023年度增加」 in the prose (the year itself is gone already)
    return re.sub(r"上一?年度?(?!结转|结余)|去年", "", text)


def _grams(text: str) -> set[str]:
    """Bigrams with their characters in order of code point: 「几辆车」 meets 「车辆 4 辆」."""
    return {"".join(sorted(g)) for g in bigrams(_pnorm(text))}


_INDEXED: dict[str, tuple[list[Sentence], list[tuple[set[str], set[str]]]]] = {}


def _indexed(doc: Document) -> tuple[list[Sentence], list[tuple[set[str], set[str]]]]:
    """A document's sentences and their bigrams, computed once per document content."""
    if doc.sha256 not in _INDEXED:
        if len(_INDEXED) > 64:
            _INDEXED.clear()
        sents = sentences(doc)
        _INDEXED[doc.sha256] = (sents, [(_grams(s.text), _grams(s.heading)) for s in sents])
    return _INDEXED[doc.sha256]


def rank_sentences(doc: Document, question: str, limit: int = 3, ignore: str = "",
                   unit: str | None = None) -> list[Sentence]:
    """Sentences by the share of the question's bigrams they hold, rare bigrams weighing more (idf).

    `ignore`: words that name the document rather than the subject (the department), left out.
    """
    stop = {"".join(sorted(g)) for g in _STOP}
    # question words (什么 / 哪个 / 几辆 / 属于) say what is asked, not where it stands
    qg = {g for g in _grams(question) - stop - _grams(ignore) if not (set(g) & _ASKING) and g != "于属"}
    if not qg:
        return []
    sents, grams = _indexed(doc)
    n = len(sents) + 1
    idf = {g: math.log(n / (1 + sum(1 for sg, _ in grams if g in sg))) + 0.5 for g in qg}
    total = sum(idf.values())
    ranked = []
    for s, (sg, hg) in zip(sents, grams):
        in_text = qg & sg
        if not in_text:
            continue
        score = (sum(idf[g] for g in in_text) + 0.8 * sum(idf[g] for g in (qg & hg) - sg)) / total
        if unit and any(m.group(2) == unit for m in _FIGURE.finditer(s.text)):
            score += 0.1  # the sentence gives a figure in the unit the question asks for (几辆 → 辆)
        ranked.append(Sentence(s.text, s.heading, s.page, score, s.next))
    ranked.sort(key=lambda s: -s.score)
    return ranked[:limit]


def key_figure(sentence: str, question: str, want: tuple[str, ...] = ()) -> str | None:
    """The figure in the sentence that the question asks for (e.g. the one after 增加).

    `want`: the words that precede the wanted figure, when the caller knows them (a growth plan's 增加 / 减少).
    """
    figures = list(_FIGURE.finditer(sentence))
    if not figures:
        return None
    q = norm(question)
    wanted: tuple[str, ...] = want
    for cue, words in _CUES if not want else ():
        if cue in q:
            wanted = words
            break
    # the subject the question names: prefer figures after it in the sentence
    anchor = 0
    for n in range(min(len(q), 12), 1, -1):
        hit = next((q[i : i + n] for i in range(len(q) - n + 1) if q[i : i + n] in sentence), None)
        if hit:
            anchor = sentence.find(hit)
            break
    unit = next((u for cue, u in _UNIT_CUES if cue in q), None)
    if anchor > 0 and all(m.start() < anchor for m in figures):
        return None  # the subject is named after every figure: none of them is its figure
    best, best_score = None, -1e9
    for m in figures:
        before = sentence[max(0, m.start() - 8) : m.start()]
        score = 0.0
        if wanted and any(w in before for w in wanted):
            score += 3
        if unit and m.group(2) == unit:
            score += 3
        if m.start() >= anchor:
            score += 1 - (m.start() - anchor) / 400
        asks_share = any(w in question for w in ("%", "百分", "率", "比例", "比重", "占比"))
        if "%" in m.group(2):
            score += 2 if asks_share else -1
        if score > best_score:
            best, best_score = m, score
    return best.group(0) if best else None


PROSE_MIN = 0.3
_ASKS_FIGURE = re.compile(r"多少|几[个辆人项家次年成]|金额|数额|比例|占比|比重|百分")
_WHY = re.compile(r"为什么|什么原因|原因是|为何|怎么回事")


def _after_cue(text: str, want: tuple[str, ...]) -> bool:
    return any(any(w in text[max(0, m.start() - 8) : m.start()] for w in want) for m in _FIGURE.finditer(text))


def prose_answer(doc: Document, question: str, asked: str | None = None, unit: str | None = None,
                 wants_figure: bool = True, want: tuple[str, ...] = (), percent: bool | None = None):
    """The 情况说明 sentence that best states what the question asks, with the figure it asks for.

    `asked`: the words to look for (the plan's operands and op words), the question itself when None.
    Its figure is quoted, never verified (no table cell stands behind it). None when no sentence fits,
    or when a figure is asked for and the best sentence gives none.
    """
    from budgetqa.app.qa.cells import Grounded

    ranked = rank_sentences(doc, asked or question, limit=30 if want else 3, ignore=doc.department or "", unit=unit)
    if not ranked or ranked[0].score < PROSE_MIN:
        return None
    top = ranked[0]
    cue_q = question + ("百分比" if percent else "")
    if want:  # the sentence that states the change: its figure follows 增加 / 减少 …, not just the subject
        stating = [s for s in ranked if s.score >= PROSE_MIN and _after_cue(s.text, want)]
        # 「…行政运行（项）。」 names the subject and the next sentence states the figures
        led = [s for s in ranked if s.score >= PROSE_MIN and _after_cue(s.next, want)]
        if not stating and not led and wants_figure:
            return None  # no sentence states the change (or the rate): its subject's other figures are not it
        if stating:
            top = stating[0]
        else:
            top = led[0]
            top.text = top.text + top.next
        ranked = [top] + [s for s in ranked[:2] if s is not top]
    fig = key_figure(top.text, cue_q, want)
    if fig is None and top.next:  # 「1. …行政运行（项）。」 names the subject; its figures follow
        top.text = top.text + top.next
        fig = key_figure(top.text, cue_q, want)
    if fig is None and wants_figure:  # an equally good sentence that states a figure (ties are common)
        for other in ranked[1:]:
            if other.score >= top.score - 0.1 and (f := key_figure(other.text, cue_q, want)) is not None:
                top, fig = other, f
                ranked = [top] + [s for s in ranked if s is not top]
                break
    if fig is not None and percent is not None and fig.endswith(("%", "％")) != percent:
        fig = None  # a share or growth rate was asked and the sentence gives an amount, or the reverse
    if fig is None and wants_figure and _ASKS_FIGURE.search(question) and not _WHY.search(question):
        return None
    lead = f"{fig}。" if fig else ""
    quotes = [(s.heading, s.page, s.text) for s in ranked if s.score >= PROSE_MIN][:2]
    body = "原文：" + "……".join(f"「{q[2]}」" for q in quotes)
    return Grounded(lead + body, form="prose", quotes=quotes, score=top.score)


_BUDGET_SAID = re.compile(r"(年初预算|全年预算|调整预算|预算)数?(?:为|是)?\s*(\d[\d,]*(?:\.\d+)?)\s*(万元|元)")
_ACTUAL_SAID = re.compile(r"(支出决算|决算|执行数|实际支出|支出)数?(?:为|是)?\s*(\d[\d,]*(?:\.\d+)?)\s*(万元|元)")


def stated_measures(doc: Document, subject: str) -> tuple[tuple[str, str], tuple[str, str], list[Sentence]] | None:
    """The budget and actual figures the 情况说明 states for one subject (「信息化建设（项）。年初预算为
    135.90万元，支出决算为135.25万元」): ((budget, unit), (actual, unit), the sentences), or None."""
    ranked = rank_sentences(doc, subject, limit=3, ignore=doc.department or "")
    if not ranked or ranked[0].score < 0.5:
        return None
    sents = sentences(doc)
    at = next((i for i, s in enumerate(sents) if s.text == ranked[0].text), None)
    if at is None:
        return None
    window = [s for s in sents[at : at + 4] if s.heading == sents[at].heading]
    text = "".join(s.text for s in window)
    b, a = _BUDGET_SAID.search(text), None
    for m in _ACTUAL_SAID.finditer(text):
        if b is None or m.start() != b.start():
            a = m
            break
    if b is None or a is None:
        return None
    return (b.group(2), b.group(3)), (a.group(2), a.group(3)), window


_DELTA = re.compile(
    r"(?:(?:比|较|同比)(?:上一?年|去年|20\d\d\s*年)度?(?:预算数?|决算数?|执行数|同期)?[^，。；\d]{0,6}?(增加|减少|增长|下降|多|少)"
    r"|(小于|大于|低于|高于|少于|多于)(?:上一?年|去年|20\d\d\s*年)度?(?:预算数?|决算数?|执行数)?)"
    r"\s*(\d[\d,]*(?:\.\d+)?)\s*(万元|元|亿元)")
_UP = ("增加", "增长", "多", "大于", "高于", "多于")


@dataclass
class StatedChange:
    """A figure of the prose with its stated change against the year before (X 万元，比上年增加 D 万元)."""

    prior: Decimal
    now_text: str
    delta_text: str
    up: bool
    sentences: list[Sentence]


def stated_prior(doc: Document, value: Decimal, unit: str | None) -> StatedChange | None:
    """The prior year's figure the prose implies for `value` (a table figure): a sentence printing the
    same figure followed, with no other figure between, by 「比上年增加 / 减少 D」 (in the same sentence or
    the next one). None when no sentence states such a change."""
    if not value:
        return None
    for s in _indexed(doc)[0]:  # the sentences split once per document
        text = s.text + s.next
        figures = list(_FIGURE.finditer(text))
        for i, m in enumerate(figures):
            if m.group(2) != unit or m.start() >= len(s.text):
                continue
            try:
                if Decimal(m.group(1).replace(",", "")) != value:
                    continue
            except ArithmeticError:
                continue
            d = _DELTA.search(text, m.end())
            if d is None or (i + 1 < len(figures) and figures[i + 1].start() < d.start(3)):
                continue  # another figure stands between: the change is of something else
            if d.group(4) != unit:
                continue
            up = (d.group(1) or d.group(2)) in _UP
            delta = Decimal(d.group(3).replace(",", ""))
            used = [s] if d.start() < len(s.text) else [s, Sentence(s.next, s.heading, s.page)]
            return StatedChange(value - delta if up else value + delta, m.group(0), d.group(0), up, used)
    return None
