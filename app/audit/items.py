"""The numbered items of a 情况说明 / 编制说明, read the way a reviewer reads them.

An item names a subject path and states its figures in any order:
「（1）住房保障支出（221类）住房改革支出（02款）住房公积金（01项）”738.66万元，上年执行数 700.00 万元，
预算安排 738.66 万元，比上年增加 38.66 万元，增长 5.5%」. The path may carry codes inside the brackets
(221类 / 02款 / 01项), sit in quotes, or leave its 类 (and 款) to the heading or the item before
(「（一）公共安全支出（类）」 … 「检察（款）」 … 「1．行政运行（项）支出 10,883.36 万元」).

Checks, each a rule id of its own:
- items.row: the item's figure against its row, in the tables the paragraph's scope allows
  (一般公共预算 / 财政拨款 / all funds); a figure agreeing with any of them is not a contradiction.
- items.budget: the heading figure against the item's own 预算安排 / 预算数 figure.
- items.change / items.change_pct / items.direction: the stated change against 本年 − 上年, the
  growth percentage against the two figures (or against the figure and the change), 增加/减少/持平
  against the sign.
- items.year: the year compared against (比2024年) against the report year.
- items.final_word: 决算数大于/小于预算数 against the item's 决算 and 预算 figures.
- items.share: 「占 X%」 of a 结构 list's subject, recomputed from the table's total (audit/shares.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from budgetqa.app.audit import lastyear
from budgetqa.app.audit.model import AuditResult, Check, Finding, fmt
from budgetqa.app.audit.quantities import Qty, cell_qty
from budgetqa.app.audit.shares import LEAD, Whole
from budgetqa.app.audit.subjects import LEAD_IN, Source, Subjects, pick
from budgetqa.app.audit.written import N, agrees, completion, dec, half_unit, pct_finding, ratio_range, report, sentence_loc
from budgetqa.app.audit.quantities import amount_columns
from budgetqa.app.measures import own_year_columns
from budgetqa.ingest.classify import BASIC_DETAIL
from budgetqa.ingest.labels import clean_label
from budgetqa.ingest.models import Document, Row

_CJK = r"[\u4e00-\u9fff]"
# a bracket inside a name (政府办公厅（室）), never a level mark
_INNER = rf"[（(](?![类款项][)）]|\d){_CJK}{{1,2}}[)）]"
_NAME = rf"(?:{_CJK}|{_INNER})+?"
_QUOTE = r"[“”\"「」‘’]?"


def _mark(level: str, digits: str) -> str:
    return rf"[（(]\s*(\d{{{digits}}})?\s*{level}\s*[)）]"


PATH = re.compile(  # the lookahead skips, cheaply, every position with no level mark near
    rf"(?=[^。；;]{{0,40}}?[类款项]\s*[)）]){_QUOTE}(?:({_NAME})\s*{_mark('类', '3')})?\s*(?:({_NAME})\s*{_mark('款', '2,5')})?"
    rf"\s*(?:({_NAME})\s*{_mark('项', '2,7')})?"
)
# words before a figure that make it something other than the item's own amount
_NOT_HEADING = re.compile(r"上年|去年|比|较|增|减|下降|年初|全年|决算|执行|调整|[，,。；;]")
_ALL_FUNDS = re.compile(r"支出预算总计|支出总表|支出总计|收支预算总体|收支总体|部门支出|支出决算总体|总支出")


# ---------------------------------------------------------------- reading one item


@dataclass
class Item:
    code: str
    text: str  # the path and what follows it, up to the next path
    after: str  # what follows the path
    heading: str | None = None  # the figure right after the path (its amount)
    figures: dict[str, str] = field(default_factory=dict)  # role → written figure


_ROLES: list[tuple[str, re.Pattern]] = [
    ("prior", re.compile(r"(?:上年|去年|上一年度?)(?:同期)?(?:预算)?(?:执行数|预算数|决算数|预计执行数|预算|执行|支出)"
                         r"(?:为|是|：|:)?\s*" + N)),
    ("plan", re.compile(r"年初预算(?:数)?(?:为|是|：|:)?\s*" + N)),
    ("full", re.compile(r"(?:全年|调整)预算(?:数)?(?:为|是|：|:)?\s*" + N)),
    ("final", re.compile(r"(?:支出)?决算(?:数)?(?:为|是|：|:)?\s*" + N)),
    ("budget", re.compile(r"(?<![上去初年全整])(?:预算安排|安排预算|预算(?:数)?(?:为|是))\s*" + N)),
]
_CHANGE_AMOUNT = re.compile(r"(增加|减少|增长|下降|减)\s*(?:了)?\s*" + N)
_CHANGE_PCT = re.compile(r"(增长|下降|增加|减少|降幅|增幅|减幅|下降了|增长了|降低|上升|提高)(?:率|幅度)?\s*(?:为|了|是)?\s*(\d+(?:\.\d+)?)\s*[%％]")
_FLAT = re.compile(r"持平|相同|一致|无变化|未发生变化")
_VS_YEAR = re.compile(r"(?:比|较|与)\s*(20\d\d)\s*年")
_FINAL_WORD = re.compile(r"决算数?(?:与)?(大于|小于|高于|低于|超过|等于)(年初|全年)?预算数?")


# 「2024年执行数 350.00 万元，2025年预算数 384.67 万元」: the years name the roles
_YEAR_FIGURE = re.compile(r"(20\d\d)\s*年度?(?:预算)?(执行数|预计执行数|决算数|预算数|预算)(?:为|是|：|:)?\s*" + N)


def read_item(code: str, text: str, after: str, year: int | None = None) -> Item:
    item = Item(code, text, after)
    first = re.search(N, after)
    if first and len(after[: first.start()]) <= 16 and not _NOT_HEADING.search(
            re.sub(r"20\d\d\s*年度?", "", after[: first.start()])):
        item.heading = first.group(1)
    for role, rx in _ROLES:
        hit = rx.search(after)
        if hit:
            item.figures[role] = hit.group(1)
    if year is not None:
        for hit in _YEAR_FIGURE.finditer(after):
            y, what = int(hit.group(1)), hit.group(2)
            if y == year - 1:
                item.figures.setdefault("prior", hit.group(3))
            elif y == year and what.startswith("预算"):
                item.figures.setdefault("budget", hit.group(3))
    return item


# ---------------------------------------------------------------- checks


def _scopes(words: str) -> list[str]:
    if "一般公共预算" in words:
        return ["一般公共预算", "财政拨款"]
    if "财政拨款" in words:
        return ["财政拨款", "一般公共预算"]
    if _ALL_FUNDS.search(words):
        return ["全部"]
    return ["一般公共预算", "财政拨款", "全部"]


def _hint(doc: Document, code: str, written: str, sources: list[Source]) -> str:
    """Where else the written figure appears for the same subject: the likely source of the slip."""
    value = dec(written)
    used = {s.table.index for s in sources}
    for t in doc.tables:
        if t.index in used:
            continue
        for r in t.rows:
            if r.code == code:
                for c, v in r.cells.items():
                    if v is not None and v == value:
                        return f"（该数与「{t.title}」{c}列相同）"
    return ""


def check_row(doc, para, item: Item, written: str, sources: list[Source], result: AuditResult) -> None:
    """The item's figure against its row: silent when any table of the scope prints it."""
    held = [(s, s.rows[item.code]) for s in sources if item.code in s.rows]
    if not held:
        return
    qs = [cell_qty(doc, s.table, row, s.col) for s, row in held]
    best = next((q for q in qs if agrees(written, q)), None) or min(qs, key=lambda q: abs(q.value - dec(written)))
    value = dec(written)
    ok = agrees(written, best)
    result.checks.append(Check(  # the bulk `checks` table lists items that agree as well
        "说明数=表中数", "items.row", sentence_loc(doc, para, _clip(item.text, 80)), best.loc, value, best.value,
        value - best.value, half_unit(written) + best.half_steps, "ok" if ok else "error", 1 + best.n_cells))
    if "prior" not in item.figures:  # no 上年 figure written: the table's own year before may tell the change
        at = item.after.find(written)
        if at >= 0:
            tail = re.sub(r"^\s*万元", "", item.after[at + len(written):])
            lastyear.check_change(doc, para, _clip(item.text), tail, best, held[qs.index(best)][1].name, result)
    if ok:
        return
    row = held[qs.index(best)][1]
    report(result, "items.row", doc, para, _clip(item.text), written, best, f"{row.code} {row.name}",
           _hint(doc, item.code, written, [s for s, _ in held]))


def _add(result: AuditResult, sev: str, check: str, doc, para, item: Item, a, b, msg: str) -> None:
    loc = sentence_loc(doc, para, _clip(item.text))
    a_v = dec(a) if isinstance(a, str) else a
    b_v = dec(b) if isinstance(b, str) else b
    diff = a_v - b_v if a_v is not None and b_v is not None else None
    result.findings.append(Finding(sev, check, loc, loc, a_v, b_v, diff, None, msg))  # type: ignore[arg-type]


def check_item(doc: Document, para, item: Item, sources: list[Source], result: AuditResult) -> None:
    f = item.figures
    own = item.heading or (f.get("final") if doc.kind == "决算" else f.get("budget")) or f.get("final") or f.get("budget")
    if own and item.code:
        check_row(doc, para, item, own, sources, result)
    # the heading figure and the item's own 预算安排 figure
    if item.heading and "budget" in f and abs(dec(item.heading) - dec(f["budget"])) > half_unit(item.heading) + half_unit(f["budget"]):
        _add(result, "error", "items.budget", doc, para, item, item.heading, f["budget"],
             f"同一条目先写 {item.heading} 万元，又写预算安排 {f['budget']} 万元，两数不一致，请核对。")
    current = f.get("budget") or item.heading or f.get("final")
    _changes(doc, para, item, current, f.get("prior"), result)
    year = _VS_YEAR.search(item.after)
    if year:
        wrong_year(doc, para, _clip(item.text), int(year.group(1)), result, "条目")
    final_word(doc, para, item.text, item.after, f, result, item)
    completion(doc, para, _clip(item.text), item.after, f.get("budget"), f.get("final"), (f.get("plan"), f.get("full")),
               result)


def wrong_year(doc: Document, para, sentence: str, year: int, result: AuditResult, who: str = "说明") -> bool:
    """A comparison with another year than the report year's predecessor (a template not brought forward):
    a warning; True when given."""
    if doc.year is None or year in (doc.year - 1, doc.year):
        return False
    loc = sentence_loc(doc, para, sentence)
    result.findings.append(Finding(
        "warning", "items.year", loc, loc, Decimal(year), Decimal(doc.year - 1), Decimal(year - doc.year + 1), None,
        f"{who}与 {year} 年比较，但本文件是 {doc.year} 年度，上年应为 {doc.year - 1} 年，请核对比较年份。"))
    return True


def _changes(doc, para, item: Item, current: str | None, prior: str | None, result: AuditResult) -> None:
    after = item.after
    if prior is not None:  # the change is only about 上年 when a 上年 figure or word is there
        tail = after[after.find(prior):]
    else:
        m = re.search(r"上年|去年|比|较", after)
        if m is None:
            return
        tail = after[m.start():]
    amount = _CHANGE_AMOUNT.search(tail)
    pct = _CHANGE_PCT.search(tail)
    flat = _FLAT.search(tail[:40])
    if current is None:
        return
    cur = dec(current)
    tol_cur = half_unit(current)
    if prior is not None:
        p = dec(prior)
        gap = cur - p
        tol = tol_cur + half_unit(prior)
        up = gap > tol
        down = gap < -tol
        word = (amount.group(1) if amount else pct.group(1) if pct else None)
        if word is not None:
            said_up = word in ("增加", "增长", "增幅", "增长了", "上升", "提高")
            if (said_up and down) or (not said_up and up):
                _add(result, "error", "items.direction", doc, para, item, current, prior,
                     f"条目写「{word}」，但本年 {current} 万元比上年 {prior} 万元{'少' if down else '多'} {fmt(abs(gap))} 万元，方向相反，请核对。")
                return
        elif flat and (up or down):
            _add(result, "error", "items.direction", doc, para, item, current, prior,
                 f"条目写「{flat.group(0)}」，但本年 {current} 万元与上年 {prior} 万元相差 {fmt(abs(gap))} 万元，请核对。")
            return
        if amount and abs(abs(gap) - dec(amount.group(2))) > tol + half_unit(amount.group(2)):
            _add(result, "error", "items.change", doc, para, item, amount.group(2), abs(gap),
                 f"条目写{amount.group(1)} {amount.group(2)} 万元，但本年 {current} 万元与上年 {prior} 万元相差 {fmt(abs(gap))} 万元，请核对。")
        if pct and p > 0:
            diff = f"{abs(gap)}"
            rng = ratio_range(diff if "." in diff else diff, prior)
            if rng:
                pct_finding(result, "items.change_pct", doc, para, _clip(item.text), pct.group(2), rng,
                            f"{pct.group(1)}比例（{fmt(abs(gap))}/{prior}）")
        return
    if amount is None:
        return
    said_up = amount.group(1) in ("增加", "增长")
    x = dec(amount.group(2))
    if pct is not None:
        pct_up = pct.group(1) in ("增长", "增加", "增幅", "增长了", "上升", "提高")
        if pct_up != said_up:
            return  # prose.change_direction already reports the two words pointing opposite ways
        base = cur - x if said_up else cur + x
        if base <= 0:
            return
        # the base is derived from two written figures: its precision is theirs together
        h = half_unit(current) + half_unit(amount.group(2))
        hx = half_unit(amount.group(2))
        lo, hi = max(x - hx, Decimal(0)) / (base + h) * 100, (x + hx) / (base - h) * 100
        pct_finding(result, "items.change_pct", doc, para, _clip(item.text), pct.group(2), (lo, hi),
                    f"{pct.group(1)}比例（{amount.group(2)}/{fmt(base)}）")


_CLAUSE = re.compile(N + r"[^。；;]{0,12}?(?=(?:比|较|与)(?:上年|去年|上一年度?|20\d\d\s*年))")


def clause_changes(doc: Document, para, sentence: str, result: AuditResult) -> None:
    """「X 万元，比上年减少 A 万元，下降 P%」 anywhere in the prose: P against A / (X ± A)."""
    for hit in _CLAUSE.finditer(sentence):
        rest = sentence[hit.end():]
        stop = re.search(r"[；;。]|主要", rest)
        tail = rest[: stop.start()] if stop else rest
        item = Item("", hit.group(0) + tail, tail)
        _changes(doc, para, item, hit.group(1), None, result)


def final_word(doc, para, sentence: str, seg: str, f: dict[str, str], result: AuditResult, item: Item | None = None) -> None:
    """决算数大于/小于(年初|全年)预算数 against the two figures it compares."""
    hit = _FINAL_WORD.search(seg)
    final = f.get("final")
    if hit is None:
        _final_flat(doc, para, sentence, seg, f, result)
        return
    base = {"年初": f.get("plan"), "全年": f.get("full")}.get(hit.group(2) or "") or f.get("full") or f.get("plan") or f.get("budget")
    if final is None or base is None:
        _word_against_rate(doc, para, sentence, seg, hit, result)
        return
    if dec(final) == 0 and dec(base) == 0:
        return  # 「本单位不涉及此项。决算数小于预算数的主要原因是本单位不涉及此项」: template filler, no figure
    gap = dec(final) - dec(base)
    tol = half_unit(final) + half_unit(base)
    word = hit.group(1)
    said = 1 if word in ("大于", "高于", "超过") else -1 if word in ("小于", "低于") else 0
    # both figures are written ones: 2.22 against 2.23 is smaller, whatever the rounding; but 1.7
    # written for 1.73 may be the same amount, so the gap must exceed the coarser figure's half unit
    coarse = max(half_unit(final), half_unit(base))
    real = 1 if gap > coarse else -1 if gap < -coarse else 0 if gap == 0 else None
    done = re.search(r"完成(?:年初|全年)?预算(?:数)?的?\s*(\d+(?:\.\d+)?)\s*[%％]", seg)
    if real is None and done:  # the completion rate the item prints tells which way (98.3% of 1.73 is less)
        rate = dec(done.group(1))
        real = 1 if rate > 100 else -1 if rate < 100 else 0
        coarse = None  # decided by the rate, not by a gap beyond rounding
    if real is None:
        return
    if said == real:
        return
    loc = sentence_loc(doc, para, _clip(sentence))
    result.findings.append(Finding(
        "error", "items.final_word", loc, loc, dec(final), dec(base), gap, coarse,
        f"说明写「决算数{word}{hit.group(2) or ''}预算数」，但决算 {final} 万元、预算 {base} 万元"
        f"{'相等' if real == 0 else ('多' if real > 0 else '少') + ' ' + fmt(abs(gap)) + ' 万元'}，请核对。"))


# 「决算数与预算数基本持平」 / 「决算数与年初预算数一致」 / 「决算数与年初预算数存在差异的主要原因是无差异」
_FINAL_FLAT = re.compile(r"决算数?与(年初|全年)?预算数?(?:(基本)?(持平|一致|相同|相等|相符)|"
                         r"存在差异的主要原因(?:是|为|：|:)?\s*(无差异))")
_NEARLY = Decimal("0.05")  # 基本持平: within 5% of the budget


def _final_flat(doc, para, sentence: str, seg: str, f: dict[str, str], result: AuditResult) -> None:
    """决算数与预算数(基本)持平 against the item's two figures: equal (within their rounding), or for
    基本持平 within 5% of the budget; with a figure missing, against the completion rate written."""
    hit = _FINAL_FLAT.search(seg)
    final = f.get("final")
    base = ({"年初": f.get("plan"), "全年": f.get("full")}.get(hit.group(1) or "") or f.get("full") or f.get("plan")
            or f.get("budget")) if hit else None
    if hit is None:
        return
    if final is None or base is None:
        _flat_against_rate(doc, para, sentence, seg, hit, result)
        return
    gap = dec(final) - dec(base)
    nearly = hit.group(2) is not None
    allowed = abs(dec(base)) * _NEARLY if nearly else max(half_unit(final), half_unit(base))
    if abs(gap) <= allowed:
        return
    loc = sentence_loc(doc, para, _clip(sentence))
    word = (hit.group(2) or "") + (hit.group(3) or hit.group(4))
    result.findings.append(Finding(
        "warning" if nearly else "error", "items.final_word", loc, loc, dec(final), dec(base), gap, allowed,
        f"说明写「决算数与{hit.group(1) or ''}预算数{word}」，但决算 {final} 万元、预算 {base} 万元"
        f"{'多' if gap > 0 else '少'} {fmt(abs(gap))} 万元（{fmt(abs(gap) / dec(base) * 100) if dec(base) else '—'}%），请核对。"))


def _flat_against_rate(doc, para, sentence: str, seg: str, hit: re.Match, result: AuditResult) -> None:
    """「完成年初预算的 95%，决算数与年初预算数存在差异的主要原因是无差异」: no difference is 100%
    (基本持平 within 5 points); a rate of 0 is the template's 「not applicable」."""
    done = _DONE_RATE.search(seg)
    if done is None or dec(done.group(1)) == 0:
        return
    rate = dec(done.group(1))
    nearly = hit.group(2) is not None
    allowed = _NEARLY * 100 if nearly else half_unit(done.group(1))
    if abs(rate - 100) <= allowed:
        return
    word = (hit.group(2) or "") + (hit.group(3) or hit.group(4))
    loc = sentence_loc(doc, para, _clip(sentence))
    result.findings.append(Finding(
        "warning" if nearly else "error", "items.final_word", loc, loc, rate, Decimal(100), rate - 100, allowed,
        f"说明写完成{hit.group(1) or ''}预算的 {done.group(1)}%，又写决算数与{hit.group(1) or ''}预算数「{word}」"
        f"（即完成 100%），两者不一致，请核对。"))


def _word_against_rate(doc, para, sentence: str, seg: str, hit: re.Match, result: AuditResult) -> None:
    """「完成预算的 116.89%，决算数大于预算数」 with one figure or none written: the rate tells which way."""
    done = _DONE_RATE.search(seg)
    if done is None:
        return
    rate, word = dec(done.group(1)), hit.group(1)
    said = 1 if word in ("大于", "高于", "超过") else -1 if word in ("小于", "低于") else 0
    real = 1 if rate > 100 else -1 if rate < 100 else 0
    if said == real:
        return
    loc = sentence_loc(doc, para, _clip(sentence))
    result.findings.append(Finding(
        "error", "items.final_word", loc, loc, rate, Decimal(100), rate - 100, None,
        f"说明写完成预算的 {done.group(1)}%，又写「决算数{word}{hit.group(2) or ''}预算数」，"
        f"两者方向{'不一致' if real else '不符（完成 100% 即相等）'}，请核对。"))


def rate_words(doc, para, text: str, result: AuditResult, prev: str = "") -> None:
    """「完成全年预算数的 98.69%。决算数大于全年预算数的主要原因…」: the word against the rate just
    before it, in the same or the next sentence, when no figures of the item told it already. `prev`:
    the paragraph before under the same heading, whose figures a paragraph opening with the word
    (「决算数小于预算数的主要原因：…」, nothing written before it) is about."""
    if "决算" not in text:
        return  # the words are 决算数大于/小于…: none in this paragraph
    own = text
    first = _FINAL_WORD.search(text)
    if prev and first and not re.search(r"\d|[类款项]\s*[)）]", text[: first.start()]):
        text = prev + text
    off = len(text) - len(own)
    for hit in _FINAL_WORD.finditer(text, off):
        before = text[max(0, hit.start() - 80): hit.start()]
        rates = list(_DONE_RATE.finditer(before))
        if not rates or _FINAL_WORD.search(before[rates[-1].end():]):
            continue
        start = max(0, hit.start() - 80) + rates[-1].start()
        seg = text[start: hit.end()]
        lead = text[max(0, start - 120): start]
        if any(f.check == "items.final_word" and f.a.sentence and hit.group(0) in f.a.sentence
               and rates[-1].group(0) in f.a.sentence for f in result.findings):
            continue  # told by the item's figures already
        where = None  # the rate in the paragraph before: reported at the word's own sentence
        if start < off:
            stop = re.search(r"[。；;]", own[hit.end() - off:])
            where = own[: hit.end() - off + (stop.end() if stop else len(own))]
        final = re.search(r"(?:决算|执行)(?:数)?为\s*" + N, lead)
        if re.search(r"预算(?:数)?为\s*" + N, lead) and final:
            # the item's own figures decide (年初预算为 0 万元 prints 完成 0%), the word a sentence after them
            figures = {role: h.group(1) for role, rx in _ROLES if role != "prior" and (h := rx.search(lead))}
            figures["final"] = final.group(1)
            final_word(doc, para, where or lead[lead.rfind("。", 0, final.start()) + 1:] + seg, seg, figures, result)
            continue
        _word_against_rate(doc, para, where or seg, seg, hit, result)


_DONE_RATE = re.compile(r"完成(?:年初|全年)?预算(?:数)?的?\s*(\d+(?:\.\d+)?)\s*[%％]")

# 「决算数小于预算数的主要原因：人员经费支出数大于预算数」: the reason says the opposite way
_REASON = re.compile(r"的主要原因(?:是|为)?\s*[：:，,]?\s*(?P<why>[^。；;]*)")
_REASON_WORD = re.compile(r"(?:支出|经费|费用|决算|执行)数?(大于|小于|高于|低于|超过|少于|超出)(?:了)?(?:年初|全年)?预算")
_MORE = ("大于", "高于", "超过", "超出")


def reason_words(doc, para, text: str, result: AuditResult) -> None:
    """决算数大于/小于预算数的主要原因 given as a part falling the other way, and no part the same way."""
    if "原因" not in text:
        return
    for hit in _FINAL_WORD.finditer(text):
        head = hit.group(1)
        if head == "等于":
            continue
        why = _REASON.match(text, hit.end())
        if why is None:
            continue
        ways = {w in _MORE for w in _REASON_WORD.findall(why.group("why"))}
        if len(ways) != 1 or ways.pop() == (head in _MORE):
            continue
        stop = text.find("。", why.end())
        sentence = text[hit.start(): stop + 1 if stop >= 0 else len(text)]
        loc = sentence_loc(doc, para, _clip(sentence))
        word = _REASON_WORD.search(why.group("why")).group(1)
        result.findings.append(Finding(
            "warning", "items.reason_word", loc, loc, None, None, None, None,
            f"说明写「决算数{head}{hit.group(2) or ''}预算数」，所列主要原因却是支出数{word}预算数，"
            f"方向相反，请核对。"))


def _clip(s: str, n: int = 200) -> str:
    return s if len(s) <= n else s[:n]


# ---------------------------------------------------------------- a paragraph


@dataclass
class Context:
    """What earlier text left in force: the heading, the 类 and 款 named last."""

    heading: str | None = None
    cls: Row | None = None
    kuan: Row | None = None
    code: str | None = None  # the last item's subject, for a paragraph that continues it


def _heading_class(subjects: Subjects, heading_path: list[str], sources: list[Source]) -> Row | None:
    for h in reversed(heading_path):
        m = re.search(rf"({_NAME})\s*{_mark('类', '3')}", h)
        if m:
            name = re.sub(r"^[（(][一二三四五六七八九十\d]+[)）]|^[一二三四五六七八九十\d]+[、.．]", "", m.group(1))
            code = subjects.find([name, None, None], [m.group(2), None, None], [None, None], sources)
            for s in sources:
                if code in s.rows:
                    return s.rows[code]
    return None


def check_paragraph(doc: Document, para, heading: str, text: str, subjects: Subjects, ctx: Context,
                    result: AuditResult) -> bool:
    """Read the numbered items of one paragraph; True when it named a subject path."""
    if ctx.heading != heading:
        ctx.heading, ctx.kuan, ctx.code = heading, None, None
        ctx.cls = None
    scope_words = heading + text[:80]
    sources = subjects.for_scope(_scopes(scope_words))  # none: the item's own figures are still checked
    if ctx.cls is None and sources:
        ctx.cls = _heading_class(subjects, para.heading_path, sources)
    hits = [h for h in PATH.finditer(text) if any(h.group(i) is not None for i in (1, 3, 5)) or
            re.search(r"[类款项]\s*[)）]", h.group(0))]
    if not hits:
        return False
    for i, h in enumerate(hits):
        names = [h.group(1), h.group(3), h.group(5)]
        codes = [h.group(2), h.group(4), h.group(6)]
        if not any(names) and not any(codes):
            continue
        code = subjects.find(names, codes, [ctx.cls, ctx.kuan], sources) if sources else None
        end = hits[i + 1].start() if i + 1 < len(hits) else len(text)
        after = text[h.end(): end]
        if code is not None:
            row = next(s.rows[code] for s in sources if code in s.rows)
            if len(code) == 3:
                ctx.cls, ctx.kuan = row, None
            elif len(code) == 5:
                ctx.kuan = row
                ctx.cls = next((s.rows[code[:3]] for s in sources if code[:3] in s.rows), ctx.cls)
        # an item whose subject no table gives is still checked against its own figures
        item = read_item(code or "", text[h.start(): end], after, doc.year)
        check_item(doc, para, item, sources, result)
    return True


# ---------------------------------------------------------------- items named by a full code

# 「（七）2210202-提租补贴 27.29万元」, 「其他留学教育支出（2050699），2023 年度决算数为738.86 万元」
CODE_ITEM = re.compile(
    rf"(?:(?P<c1>2\d{{6}})\s*[-－—–]\s*(?P<n1>{_CJK}[^\d，,。；;（(]{{0,30}}?)|"
    rf"(?P<n2>{_CJK}[^\d，,。；;（(]{{0,30}}?)\s*[（(](?P<c2>2\d{{6}})[)）])")


def check_code_items(doc: Document, para, heading: str, text: str, subjects: Subjects, result: AuditResult) -> bool:
    """Items naming their subject by its 7-digit code: checked as a 类/款/项 path is; True when any."""
    if not re.search(r"(?<!\d)2\d{6}(?!\d)", text):
        return False  # most paragraphs name no code: skip the costly pattern
    hits = list(CODE_ITEM.finditer(text))
    if not hits:
        return False
    sources = subjects.for_scope(_scopes(heading + text[:80]))
    for i, h in enumerate(hits):
        code = h.group("c1") or h.group("c2")
        end = hits[i + 1].start() if i + 1 < len(hits) else len(text)
        stop = re.search(r"[。；;]", text[h.end(): end])
        end = h.end() + stop.start() + 1 if stop else end
        # 「（2）公用经费：①行政运行（2013201）124.00 万元」: a part of the row, by its economic kind
        part = re.search(r"(?:人员经费|公用经费|专项业务经费|项目支出|基本支出)(?:支出)?\s*[：:]", text[: h.start()])
        held = code if any(code in s.rows for s in sources) and part is None else ""
        check_item(doc, para, read_item(held, text[h.start(): end], text[h.end(): end], doc.year), sources, result)
    return True


# ---------------------------------------------------------------- 结构 lists


_LIST_ITEM = re.compile(
    rf"((?:{_CJK}|{_INNER})+?(?:[（(]\d*类[)）])?)\s*(?:支出)?\s*{N}\s*[，,]\s*占\s*(?:[^，,。；\d]{{0,12}}的)?\s*(\d+(?:\.\d+)?)\s*[%％]")


def _list_rows(doc: Document, text: str, subjects: Subjects, heading: str):
    """The subjects a 结构 list names, each with its figure: (hit, code, sources)."""
    if "占" not in text:
        return
    sources = subjects.for_scope(_scopes(heading + text[:80]))
    if not sources:
        return
    for hit in _LIST_ITEM.finditer(text):
        name = LEAD_IN.sub("", hit.group(1))
        name = re.sub(r"^(?:\d+|[一二三四五六七八九十]+)[、.．]|[（(]\d*类[)）]$", "", name)
        if not name or re.search(r"基本支出|项目支出|人员经费|公用经费|收入|合计|结转|三公|经费", name):
            continue
        code = None
        for s in sources:
            row = pick([r for r in s.rows.values() if len(r.code or "") == 3], name) if "类" in hit.group(1) else None
            for n in (name, name + "支出"):  # 「…医疗支出 1.56 万元」: the pattern's optional 支出 took the name's own
                if row is None:
                    cands = [r for r in s.rows.values() if r.label == clean_label(n)]
                    row = cands[0] if len({c.cells.get(s.col) for c in cands}) == 1 and cands else None
            if row is not None:
                code = row.code
                break
        if code is not None:
            yield hit, code, sources


# 「支出包括：社会保障和就业支出 5756.51 万元、卫生健康支出 71.42 万元、住房保障支出 145.08 万元」
_CLASS_ITEM = re.compile(rf"(?:^|[：:，,、；;]|[.．、)）])\s*((?:{_CJK}){{2,14}}?支出)\s*(?:[（(]\d*类[)）])?\s*{N}")


def check_list(doc: Document, para, text: str, subjects: Subjects, heading: str, result: AuditResult):
    """结构 lists: 「name X 万元，占 P%」 — each figure against its row; lists of function classes without
    shares, each figure against its class row. Returns, for audit/shares.py, figure position → the 合计
    of the table holding the subject named there."""
    done: dict[int, list[Whole]] = {}
    for hit, code, sources in _list_rows(doc, text, subjects, heading):
        check_row(doc, para, Item(code, hit.group(0), hit.group(0)), hit.group(2), sources, result)
        whole = _table_total(doc, sources, code)
        done[hit.start(2)] = [Whole(whole.value, whole.half_steps, f"{whole.loc.label()} {fmt(whole.value)}",
                                    whole.loc, "items.share")] if whole is not None and whole.value > 0 else []
    _check_classes(doc, para, text, subjects, heading, set(done), result)
    return lambda start: done.get(start, [])


def _check_classes(doc: Document, para, text: str, subjects: Subjects, heading: str, done: set[int],
                   result: AuditResult) -> None:
    """「支出包括：社会保障和就业支出 5756.51 万元、卫生健康支出…」: each class figure against its class row."""
    hits = [h for h in _CLASS_ITEM.finditer(text) if h.start(2) not in done]
    numbered = re.match(r"\s*(?:\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*", text)
    lead = [m for m in LEAD.finditer(text[: hits[0].start() + 1]) if m.end() >= hits[0].start() - 60] if hits else []
    # one class figure is a sentence about it, unless it heads a numbered item (「4. 住房保障支出88.55万元」)
    # or is the whole of a list (「支出预算 656.73 万元，其中：教育支出 656.73 万元」)
    alone = bool(hits) and (numbered is not None and hits[0].start(1) == numbered.end()
                            or bool(lead) and re.fullmatch(r"[\s：:，,]*", text[lead[-1].end(): hits[0].start(1)]) is not None)
    if len(hits) < 2 and not alone:
        return
    scopes = _scopes(heading + text[:80])
    sources = subjects.for_scope(scopes)
    if len(scopes) == 3 and not subjects.for_scope(["全部"]):
        return  # a list naming no scope, and no all-funds table to read it against: which table is not known
    if lead:  # 「年初预算数 19,230.18 万元，其中：」: the list is of the table whose total that is
        whole = dec(lead[-1].group("fig"))
        sources = [s for s in sources if (t := _source_total(doc, s)) is not None
                   and abs(t.value - whole) <= half_unit(lead[-1].group("fig")) + t.half_steps]
    for h in hits:
        name = clean_label(h.group(1))
        for s in sources:
            row = pick([r for r in s.rows.values() if len(r.code or "") == 3], name)  # a name cut at a column edge too
            if row is not None:
                check_row(doc, para, Item(row.code, h.group(0).lstrip("：:，,、；;.．)）"), h.group(0)), h.group(2),
                          sources, result)
                break


# 「公用经费77.80万元，主要包括办公费12.89万元、印刷费4.44万元…」: economic items of the 基本支出 明细 table
_ECONOMIC_ITEM = re.compile(rf"(?:^|[：:，,、；;]|包括|其中)\s*((?:{_CJK}|[（(][\u4e00-\u9fff]{{1,3}}[)）]){{2,16}}?)\s*{N}")


def check_economic_list(doc: Document, para, text: str, heading: str, result: AuditResult) -> None:
    """Economic items (基本工资, 办公费 …) listed under 人员经费 / 公用经费, against the 基本支出 明细 table's rows."""
    if not re.search(r"基本支出", heading) or not re.match(r"\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]?)?\s*(?:人员经费|公用经费)", text):
        return
    sources = []
    for t in doc.tables:
        if t.kind not in BASIC_DETAIL:
            continue
        cols = own_year_columns(amount_columns(t), t, doc.year)
        rows = {r.code: r for r in t.rows if r.code and r.code.isdigit() and r.code[0] == "3" and len(r.code) in (3, 5)}
        if cols and rows:
            sources.append(Source(t, cols[0], rows, "一般公共预算"))
    if not sources:
        return
    for h in _ECONOMIC_ITEM.finditer(text):
        name = clean_label(LEAD_IN.sub("", h.group(1)))
        for s in sources:
            rows = [r for r in s.rows.values() if r.label == name]
            if len(rows) == 1:
                check_row(doc, para, Item(rows[0].code, h.group(0).lstrip("：:，,、；;"), h.group(0)), h.group(2),
                          sources, result)
                break


def _source_total(doc: Document, s: Source) -> Qty | None:
    total = next((r for r in s.table.rows if r.is_total and r.cells.get(s.col) is not None), None)
    return cell_qty(doc, s.table, total, s.col) if total is not None else None


def _table_total(doc: Document, sources: list[Source], code: str) -> Qty | None:
    for s in sources:
        if code in s.rows and (total := _source_total(doc, s)) is not None:
            return total
    return None
