"""The prior year: a document checked against the same department's document of the year before.

When the store holds the previous year's disclosure (same department name, year − 1, same kind),
what this year's document says about last year can be checked against what last year's said:
- prior.change: 「本年支出合计 1266.26 万元，比上年减少 215.2 万元，下降 14.5%」 — the change and
  the percentage against this year's figure and last year's document's figure (standard figures
  read by `app/measures.py`, the one reader of them);
- prior.column: a 上年 column of a table (2025年预算数 in a 2026 budget) against the same subject in
  last year's document's table of the same kind.
Pure: the caller (`Service`) finds the prior document.
"""

from __future__ import annotations

import re
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, cell_location, fmt
from budgetqa.app.audit.quantities import SKIP_KINDS, amount_columns, scale
from budgetqa.app.audit.written import N, dec, half_unit, sentence_loc
from budgetqa.app.measures import RULES, headline, own_year_columns
from budgetqa.ingest.models import Document

# The words before 「比上年」 that name a standard figure, in the order they are tried (longest first).
_NAMED: list[tuple[re.Pattern, str]] = [
    (re.compile(r"本年收入合计|收入合计|收入预算|收入决算|本年收入"), "本年收入合计"),
    (re.compile(r"本年支出合计|支出合计|支出预算|支出决算|本年支出"), "本年支出合计"),
    (re.compile(r"收入总计|收支总计|收支总预算|收、支总计"), "收入总计"),
    (re.compile(r"(?<!一般公共预算)财政拨款收入"), "财政拨款收入"),
    (re.compile(r"基本支出"), "基本支出"),
    (re.compile(r"项目支出"), "项目支出"),
    (re.compile(r"人员经费"), "人员经费"),
    (re.compile(r"公用经费"), "公用经费"),
    (re.compile(r"三公[”\"]?经费"), "三公经费"),
]
_CHANGE = re.compile(r"(?:比|较)(?:上年|去年|上一年度?|(20\d\d)\s*年度?)[^，。；;]{0,8}?(增加|减少|增长|下降)\s*" + N +
                     r"(?:[，,]?\s*(增长|下降|增加|减少)\s*(\d+(?:\.\d+)?)\s*[%％])?")


def is_prior(doc: Document, other: Document) -> bool:
    """`other` is the same department's disclosure of the year before, of the same kind."""
    return (doc.department is not None and other.department == doc.department and doc.year is not None
            and other.year == doc.year - 1 and other.kind == doc.kind and other.sha256 != doc.sha256)


def _figure(doc: Document, name: str) -> Decimal | None:
    if name == "三公经费":
        name = f"三公经费_{'决算数' if doc.kind == '决算' else '预算数'}"
    rules = RULES.get(name)
    if not rules:
        return None
    h = headline(doc).get(name)
    return h.value if h else None


def check_prior(doc: Document, prior: Document, result: AuditResult) -> None:
    """This year's statements about last year against last year's document."""
    _changes(doc, lambda name: _figure(prior, name), prior.year, "prior.change", "上年文件", result)
    _columns(doc, prior, result)


def _changes(doc: Document, previous, prior_year: int | None, check: str, source: str, result: AuditResult) -> None:
    for para in doc.paragraphs:
        text = " ".join(para.text.split())
        for hit in _CHANGE.finditer(text):
            if hit.group(1) and int(hit.group(1)) != prior_year:
                continue
            before = text[max(0, hit.start() - 40): hit.start()]
            named = None
            for rx, name in _NAMED:
                found = list(rx.finditer(before))
                if found and (named is None or found[-1].end() > named[0]):
                    named = (found[-1].end(), name)
            if named is None or re.search(r"[；;。]", before[named[0]:]):
                continue
            name = named[1]
            now, then = _figure(doc, name), previous(name)
            if now is None or then is None:
                continue
            stated = dec(hit.group(3))
            gap = now - then
            tol = half_unit(hit.group(3)) + Decimal("0.01")
            up = hit.group(2) in ("增加", "增长")
            sentence = text[max(0, hit.start() - 40): hit.end()]
            loc = sentence_loc(doc, para, sentence)
            if gap != 0 and (gap > 0) != up:
                result.findings.append(Finding(
                    "error", check, loc, loc, stated, gap, None, None,
                    f"说明称{name}比上年{hit.group(2)} {hit.group(3)} 万元，但本年 {fmt(now)} 万元、{source}为 {fmt(then)} 万元，"
                    f"实际{'增加' if gap > 0 else '减少'} {fmt(abs(gap))} 万元，请核对。"))
            elif abs(abs(gap) - stated) > tol:
                result.findings.append(Finding(
                    "error", check, loc, loc, stated, abs(gap), stated - abs(gap), tol,
                    f"说明称{name}比上年{hit.group(2)} {hit.group(3)} 万元，但本年 {fmt(now)} 万元与{source}的 {fmt(then)} 万元"
                    f"相差 {fmt(abs(gap))} 万元，请核对。"))
            elif hit.group(5) and then > 0:
                pct = dec(hit.group(5))
                real = abs(gap) / then * 100
                if abs(real - pct) > half_unit(hit.group(5)) * 2 + Decimal("0.05"):
                    result.findings.append(Finding(
                        "error", check, loc, loc, pct, real.quantize(Decimal("0.01")), pct - real, None,
                        f"说明称{name}比上年{hit.group(4)} {hit.group(5)}%，按{source}的 {fmt(then)} 万元计算为 {real:.2f}%，请核对。"))


_YEAR = re.compile(r"(20\d\d)\s*年")


def _columns(doc: Document, prior: Document, result: AuditResult) -> None:
    """Each 上年 column (its header names year − 1) against last year's table of the same kind."""
    if doc.year is None:
        return
    for t in doc.tables:
        if t.kind in SKIP_KINDS:
            continue
        last = [c for c in amount_columns(t) if (m := _YEAR.search(c)) and int(m.group(1)) == doc.year - 1]
        if not last:
            continue
        other = next((p for p in prior.tables if p.kind == t.kind and p.side == t.side), None)
        if other is None:
            continue
        own = own_year_columns(amount_columns(other), other, prior.year)
        if not own:
            continue
        by_code = {r.code: r for r in other.rows if r.code}
        for r in t.rows:
            then = by_code.get(r.code) if r.code else None
            v = r.cells.get(last[0])
            if then is None or v is None or then.cells.get(own[0]) is None:
                continue
            a, b = v * scale(t), then.cells[own[0]] * scale(other)
            if abs(a - b) > Decimal("0.015"):
                la, lb = cell_location(doc, t, r, last[0]), cell_location(prior, other, then, own[0])
                result.findings.append(Finding(
                    "error", "prior.column", la, lb, a, b, a - b, Decimal("0.015"),
                    f"{la.label()} 的上年数 {fmt(a)} 万元，与上年文件{lb.label()} 的 {fmt(b)} 万元不一致，请核对。"))
