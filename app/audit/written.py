"""Figures as the 情况说明 writes them: parsing, precision, and the findings that compare them.

A figure is written with its own precision (705.4, 17,192): it is compared within half its last
digit plus the cell's own rounding. A percentage is recomputed as a range from the written figures'
precision, so a share printed to 0.1% is never held to 0.01%. Shared by `prose` and `items`.
"""

from __future__ import annotations

import re
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, Location, fmt
from budgetqa.app.audit.quantities import Qty
from budgetqa.ingest.models import Document

NUM = r"\d[\d,]*(?:\.\d+)?"  # a written figure: 2,247.14 / 705.4 / 17,192
N = rf"({NUM})\s*万元"


def dec(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


def unit(s: str) -> Decimal:
    """The last written digit's place: 0.01 for 2,247.14, 1 for 17,192."""
    d = len(s.split(".")[1]) if "." in s else 0
    return Decimal(1).scaleb(-d)


def half_unit(s: str) -> Decimal:
    return unit(s) / 2


def sentence_loc(doc: Document, para, sentence: str) -> Location:
    return Location(document=doc.file, page=para.page, sentence=sentence.strip(),
                    table=" > ".join(para.heading_path[-2:]) or None)


def agrees(written: str, q: Qty) -> bool:
    """The written figure is the cell, at the writer's precision (17,192 for 17,191.52)."""
    value = dec(written)
    return value == q.value or value == q.value.quantize(unit(written))


def report(result: AuditResult, check: str, doc, para, sentence: str, written: str, q: Qty, what: str,
           hint: str = "") -> None:
    """A written figure against the cell it describes: nothing, rounding, or an error."""
    value = dec(written)
    diff = value - q.value
    tol = half_unit(written) + q.step / 2 * q.n_cells
    if agrees(written, q):
        return  # 18,976.76 for a 元 cell of 189,767,612.34; 17,192 for 17,191.52 written in whole 万元
    loc = sentence_loc(doc, para, sentence)
    # a cell printed finer than the sentence (41,651.4 元 = 4.16514 万元 written 4.16) may be cut, not rounded
    cut = q.step < unit(written) and 0 <= -diff < unit(written)
    if abs(diff) <= tol or cut:
        msg = f"情况说明写{what} {written} 万元，{q.loc.label()} 为 {fmt(q.value)}，差 {fmt(abs(diff))} 在尾差范围内。"
        sev = "rounding"
    else:
        msg = f"情况说明写{what} {written} 万元，但{q.loc.label()} 为 {fmt(q.value)}，相差 {fmt(abs(diff))} 万元{hint}；请核对说明或表格。"
        sev = "error"
    result.findings.append(Finding(sev, check, loc, q.loc, value, q.value, diff, tol, msg))  # type: ignore[arg-type]


def ratio_range(num: str, den: str) -> tuple[Decimal, Decimal] | None:
    """num / den × 100 as the range the written precision allows; None for a zero denominator."""
    n, d = dec(num), dec(den)
    hn, hd = half_unit(num), half_unit(den)
    if d - hd <= 0:
        return None
    return (max(n - hn, Decimal(0)) / (d + hd) * 100, (n + hn) / (d - hd) * 100)


def pct_finding(result, check, doc, para, sentence, written: str, rng, what: str, severity: str = "error",
                other: Location | None = None, note: str | None = None) -> None:
    """A written percentage outside the range its figures allow: rounding when within two of its last digits."""
    p = dec(written)
    half = half_unit(written)
    lo, hi = rng
    if lo - half <= p <= hi + half:
        return
    gap = min(abs(p - lo), abs(p - hi))
    mid = (lo + hi) / 2
    sev = "rounding" if gap <= 2 * half else severity
    # 4.0% for 4.48%, 9.0% for 9.26%: a whole percent (cut or rounded) printed with idle zeros
    # (cut: the floor of the low end; rounded: the high end rounded; 51% for 50.00% is neither)
    whole = p == p.to_integral_value() and lo.to_integral_value(rounding="ROUND_FLOOR") <= p <= hi.to_integral_value(rounding="ROUND_HALF_UP")
    if whole and sev != "rounding":
        sev = "rounding"
    loc = sentence_loc(doc, para, sentence)
    msg = (f"情况说明写{what} {written}%，按文中数字计算为 {mid:.2f}%"
           + (f"，{note}。" if note and sev != "rounding" else "，按整数百分比取舍。" if whole else "，差在进位误差内。" if sev == "rounding"
              else "，请核对百分比或其依据的数字。"))
    result.findings.append(Finding(sev, check, loc, other or loc, p, mid.quantize(Decimal("0.01")), p - mid, half, msg))  # type: ignore[arg-type]


def share(doc, para, sentence, part: str, whole: str, written: str, result: AuditResult,
          check: str = "prose.share", other: Location | None = None) -> None:
    rng = ratio_range(part, whole)
    if rng:
        pct_finding(result, check, doc, para, sentence, written, rng, f"占比（{part}/{whole}）", other=other)


def completion(doc, para, sentence: str, seg: str, budget: str | None, final: str | None,
               bases: tuple[str | None, str | None] | None, result: AuditResult) -> None:
    """完成(年初|全年)?预算的 Z%: recomputed from the budget figure it names."""
    hit = re.search(r"完成(年初|全年)?预算(?:数)?的?\s*(\d+(?:\.\d+)?)\s*[%％]", seg)
    if hit is None or final is None:
        return
    plan, full = bases or (None, None)
    base = {"年初": plan, "全年": full}.get(hit.group(1) or "", None) or budget or (plan if hit.group(1) is None else None)
    if base is None and hit.group(1) is None:
        base = full
    named = f"完成{hit.group(1) or ''}预算"
    if base is None:
        if dec(final) == 0 and dec(hit.group(2)) > 0:  # nothing spent is 0% of any budget (or no rate at all)
            loc = sentence_loc(doc, para, sentence)
            result.findings.append(Finding(
                "error", "prose.completion", loc, loc, dec(hit.group(2)), Decimal(0), dec(hit.group(2)), None,
                f"情况说明写支出 {final} 万元，却称{named}的 {hit.group(2)}%，支出为 0 时完成比例只能是 0%，请核对。"))
        return
    if dec(base) == 0 and dec(hit.group(2)) == 0:
        return  # 0% of a zero budget: the template's way of saying "not applicable"
    if dec(final) == 0 and dec(hit.group(2)) > 0 and dec(base) > 0:
        loc = sentence_loc(doc, para, sentence)  # 「执行数为 0 万元」: nothing spent, whatever the rounding of 0
        result.findings.append(Finding(
            "error", "prose.completion", loc, loc, dec(hit.group(2)), Decimal(0), dec(hit.group(2)), None,
            f"情况说明写支出 {final} 万元，却称{named}的 {hit.group(2)}%，支出为 0 时完成比例只能是 0%，请核对。"))
        return
    if dec(base) == 0:
        other = full if hit.group(1) == "年初" else None
        loc = sentence_loc(doc, para, sentence)
        note = f"；按全年预算 {other} 万元计算正好是 {hit.group(2)}%" if other and dec(other) and \
            abs(dec(final) / dec(other) * 100 - dec(hit.group(2))) <= half_unit(hit.group(2)) * 2 else ""
        result.findings.append(Finding(
            "error", "prose.completion", loc, loc, dec(hit.group(2)), None, None, None,
            f"情况说明称{named}的 {hit.group(2)}%，但{hit.group(1) or ''}预算为 {base} 万元，无法算出该比例{note}。"))
        return
    rng = ratio_range(final, base)
    if rng and dec(final) == dec(base):
        # 「全年预算数为15万元，执行数为15万元，完成预算的95%」: the same amount written twice is 100%, whatever
        # rounding each may hide (a warning where that rounding could allow the rate)
        p, half = dec(hit.group(2)), half_unit(hit.group(2))
        severity = "warning" if rng[0] - half <= p <= rng[1] + half else "error"
        pct_finding(result, "prose.completion", doc, para, sentence, hit.group(2), (Decimal(100), Decimal(100)),
                    f"{named}比例（{final}/{base}）", severity)
    elif rng:
        pct_finding(result, "prose.completion", doc, para, sentence, hit.group(2), rng, f"{named}比例（{final}/{base}）")


_RATE_OF = re.compile(r"([\u4e00-\u9fff“”\"]+?)\s*完成(年初|全年)?预算(?:数)?的?\s*(\d+(?:\.\d+)?)\s*[%％]")


def _spent(text: str, name: str) -> str | None:
    """The figure written for `name` (or the longest tail of it written with one): 「基本支出 1163.03 万元」."""
    for i in range(len(name) - 1):
        hit = re.search(re.escape(name[i:]) + r"\s*(?:决算)?(?:数)?(?:为|是)?\s*" + N, text)
        if hit:
            return hit.group(1)
    return None


def _budget_range(spent: str, rate: str) -> tuple[Decimal, Decimal]:
    """The budget a spent figure and its completion rate imply, as the range their precision allows."""
    s, hs, r, hr = dec(spent), half_unit(spent), dec(rate), half_unit(rate)
    return max(s - hs, Decimal(0)) / (r + hr) * 100, (s + hs) / (r - hr) * 100


def completion_parts(doc, para, text: str, result: AuditResult) -> None:
    """「财政拨款支出完成年初预算的 139.47%，其中：基本支出完成年初预算的 114.76%，项目支出…的 0.00%」: each
    rate and the figure written for its subject imply a budget; the parts' budgets cannot exceed the whole's
    (and add up to it when every part has one and the parts' figures add up to the whole's)."""
    if text.count("完成") < 2:
        return  # a rate and a part's rate at least, each written 完成…
    for sentence in re.findall(r"[^。]+", text):
        if sentence.count("完成") < 2:
            continue
        hits = list(_RATE_OF.finditer(sentence))
        if len(hits) < 2 or "其中" not in sentence[hits[0].end(): hits[1].start()]:
            continue
        if len({h.group(2) for h in hits}) > 1:
            continue  # 年初 for one, 全年 for another: two different budgets
        spent = [_spent(text, h.group(1)) for h in hits]
        if any(s is None for s in spent) or dec(hits[0].group(3)) == 0:
            continue
        whole_lo, whole_hi = _budget_range(spent[0], hits[0].group(3))
        parts = [(h, s) for h, s in zip(hits[1:], spent[1:]) if dec(h.group(3)) > 0]  # 0%: a budget of 0, no ratio
        if not parts:
            continue
        lo = sum((_budget_range(s, h.group(3))[0] for h, s in parts), Decimal(0))
        hi = sum((_budget_range(s, h.group(3))[1] for h, s in parts), Decimal(0))
        complete = len(parts) == len(hits) - 1 and abs(sum(dec(s) for s in spent[1:]) - dec(spent[0])) <= sum(
            half_unit(s) for s in spent)
        if lo <= whole_hi and (not complete or hi >= whole_lo):
            continue
        loc = sentence_loc(doc, para, sentence)
        whole_mid, mid = (whole_lo + whole_hi) / 2, (lo + hi) / 2
        subject = re.sub(r"^年度?", "", hits[0].group(1))
        named = "、".join(f"{h.group(1)} {s}/{h.group(3)}%" for h, s in parts)
        result.findings.append(Finding(
            "error", "prose.completion", loc, loc, mid.quantize(Decimal("0.01")), whole_mid.quantize(Decimal("0.01")),
            (mid - whole_mid).quantize(Decimal("0.01")), None,
            f"情况说明写{subject}完成{hits[0].group(2) or ''}预算的 {hits[0].group(3)}%（预算约 {fmt(whole_mid.quantize(Decimal('0.01')))} 万元），"
            f"其中{named}，推得预算约 {fmt(mid.quantize(Decimal('0.01')))} 万元，"
            f"{'超过' if lo > whole_hi else '少于'}总数的预算，各比例不能同时成立，请核对。"))
