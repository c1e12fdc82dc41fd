"""A project's 绩效自评 as the 说明 tells it, against the project's 项目支出绩效自评表.

A 决算's 说明 sums up each project it evaluated: 「社会信用体系建设购买第三方服务经费项目绩效自评情况：…
项目绩效自评得分为 86.92 分。项目全年预算数为 35 万元，执行数为 23.94 万元，完成预算的 68.4%。」 The form
titled with the same project prints those figures on its 年度资金总额 row (全年预算数, 全年执行数, 执行率)
and its 总分 row. They must agree.

A form is only used when its own figures hold together (执行率 = 全年执行数 / 全年预算数, to the form's
precision): a form whose columns were read shifted would otherwise turn a right 说明 into an error. The
说明 names the project its own way (「市工信局推进结构调整…专项工作经费」 for the form's 「推进结构调整…专项
工作经费」, 「中央无线电管理经费」 for 「2023年中央无线电管理经费」): one name inside the other, years, quotes
and 项目 left out, or else names nearly alike (「中小微企业」 for 「中小企业」), and only when one form answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, fmt, half_digit
from budgetqa.app.audit.projects import project_of
from budgetqa.app.audit.quantities import Qty, cell_qty
from budgetqa.app.audit.written import NUM, agrees, dec, half_unit, report, sentence_loc
from budgetqa.ingest.grams import bigrams
from budgetqa.ingest.models import Document, Row, Table

# where the 说明 starts telling one project's evaluation: 「…经费项目绩效自评情况：」, 「…经费项目自评综述：」
_OPENS = re.compile(r"(?:项目)?(?:绩效)?自评(?:综述|情况)")
_NOISE = re.compile(r"20\d\d\s*年度?|[\s\u3000“”\"'‘’《》、，,·:：\-—_（）()]|项目$")
_LEAD_STOP = re.compile(r"[。；;：:]")
_NUMBERING = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*)+")

_AMOUNT = rf"({NUM})\s*(万元|元)"
_BUDGET = re.compile(rf"全年预算(?:数)?(?:为|是)?\s*{_AMOUNT}|{_AMOUNT}\s*[，,]\s*(?:本年|全年)?执行(?!率)")
_SPENT = re.compile(rf"(?:全年|本年)?执行(?:数)?(?:为|是)?\s*{_AMOUNT}")
# 「完成预算的 68.4%」, 「预算执行率 80%」, 「资金执行率 100%」; not an indicator's target (执行率 ≥ 100%), not
# 「执行率未达到 100%」, not 绩效目标's own rate
_RATE = re.compile(rf"完成(?:年初|全年)?预算(?:数)?的\s*({NUM})\s*[%％]|(?<!目标)(?:预算|资金)(?:全年)?执行率\s*(?:为|达到|达|=)?\s*({NUM})\s*[%％]")
_SCORE = re.compile(rf"自评得分(?:为|是)?\s*({NUM})\s*分")

_FUNDS_ROW = re.compile(r"^(?:年度)?资金总[额和计]$|^年度资金总和$")
_SCORE_ROW = re.compile(r"^(?:总分|汇总得分|合计得分|总计)$")


@dataclass
class _Form:
    table: Table
    name: str  # the project, normalised
    funds: Row
    budget: str | None
    spent: str | None
    rate: str | None
    fraction: bool  # 执行率 printed as a fraction (1.00 for 100%)
    score: tuple[Row, str] | None
    holds: bool = True  # 执行率 = 全年执行数 / 全年预算数 on the form itself

    @property
    def figures(self) -> tuple:
        return tuple(self.funds.cells.get(c) for c in (self.budget, self.spent, self.rate) if c)


def check_self_evaluations(doc: Document, result: AuditResult) -> None:
    told = [(para, opens) for para in doc.paragraphs if (opens := list(_OPENS.finditer(para.text)))]
    if not told:
        return  # no project's evaluation told: the forms need not be read
    forms = [f for t in doc.tables if t.kind == "项目支出绩效自评表" and (f := _form(t)) is not None]
    if not forms:
        return
    for para, opens in told:
        text = para.text
        for k, hit in enumerate(opens):
            lead = _NUMBERING.sub("", _LEAD_STOP.split(text[: hit.start()])[-1]).strip()
            form = _bound(forms, _norm(lead))
            if form is None:
                continue
            end = opens[k + 1].start() if k + 1 < len(opens) else len(text)
            _check(doc, para, text[hit.end(): end], form, lead, result)


def _norm(name: str) -> str:
    # twice: a trailing 项目 shows only once the quotes and blanks after it are gone (「…经费项目” 」)
    return _NOISE.sub("", _NOISE.sub("", name))


def _bound(forms: list[_Form], lead: str) -> _Form | None:
    """The one form whose project the lead names (one name inside the other); None for none or several."""
    if len(lead) < 4:
        return None
    hits = [f for f in forms if f.name in lead or (len(lead) >= 6 and lead in f.name)]
    if len({f.figures for f in hits}) == 1:
        return hits[0]  # one project's form printed more than once (per unit, per page): the same figures
    if len({id(f.table) for f in hits}) > 1:
        # several forms: the longest name inside the lead, if it alone is the longest (…大会 / …大会专项工作经费)
        inside = sorted((f for f in hits if f.name in lead), key=lambda f: len(f.name), reverse=True)
        if len(inside) >= 2 and len(inside[0].name) > len(inside[1].name):
            return inside[0]
        return None
    if hits:
        return hits[0]
    # a name written a little differently (「中小微企业」 for the form's 「中小企业」): the one form nearly alike
    near = [f for f in forms if _alike(lead, f.name)]
    return near[0] if len({f.figures for f in near}) == 1 else None


def _alike(a: str, b: str) -> bool:
    """Dice on character bigrams at least 0.85, both names of eight characters or more."""
    if min(len(a), len(b)) < 8:
        return False
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) >= 0.85 * (len(x) + len(y))


def _form(t: Table) -> _Form | None:
    project = project_of(t)
    funds = next((r for r in t.rows if _FUNDS_ROW.match(r.label)), None)
    if project is None or funds is None or len(_norm(project)) < 4:
        return None
    budget = _column(t, funds, r"^全年预算数$|^全年预算$")
    spent = _column(t, funds, r"^全年执行数$|^全年执行$|^执行数$")
    rate = _column(t, funds, r"^执行率")
    fraction, holds = False, True
    if budget and spent and rate:
        b, s, r = funds.cells[budget], funds.cells[spent], funds.cells[rate]
        if b:  # the form holds together, in percent or as a fraction, or it was printed or read wrongly
            exact = s / b * 100  # type: ignore[operator]
            slack = half_digit(r) + exact * (half_digit(s) / s + half_digit(b) / b if s else 0)  # type: ignore[operator]
            if abs(exact - r) > slack:  # type: ignore[operator]
                fraction = abs(exact - r * 100) <= slack + half_digit(r) * 100  # type: ignore[operator]
                holds = fraction
    score_row = next((r for r in reversed(t.rows) if _SCORE_ROW.match(r.label)), None)
    score_col = _column(t, score_row, r"自评得分$|^得分$") if score_row is not None else None
    return _Form(t, _norm(project), funds, budget, spent, rate, fraction,
                 (score_row, score_col) if score_row is not None and score_col else None, holds)


def _fund_rows(t: Table, col: str) -> list[Row]:
    """The funds a form breaks its total into (当年财政拨款, 上年结转资金, 其他资金, 其中：…) that print `col`."""
    return [r for r in t.rows if _FUND.search(r.label) and r.cells.get(col) is not None]


_FUND = re.compile(r"资金|拨款|结转|结余")


def _column(t: Table, row: Row, pattern: str) -> str | None:
    cols = [c for c in t.columns if re.search(pattern, c.split("/")[-1]) and row.cells.get(c) is not None]
    return cols[0] if len(cols) == 1 else None


def _check(doc: Document, para, told: str, form: _Form, lead: str, result: AuditResult) -> None:
    t, funds = form.table, form.funds
    project = f"项目「{lead or form.name}」"
    start = len(result.findings)
    for pattern, col, what in ((_BUDGET, form.budget, "全年预算数"), (_SPENT, form.spent, "全年执行数")):
        hit = pattern.search(told)
        if hit is None or col is None:
            continue
        figure, unit = (hit.group(1), hit.group(2)) if hit.group(1) else (hit.group(3), hit.group(4))
        q = cell_qty(doc, t, funds, col)
        written = figure if unit == "万元" else _in_wan(figure, q.step)
        if any(agrees(written, cell_qty(doc, t, r, col)) for r in _fund_rows(t, col) if r is not funds):
            continue  # the 说明 tells one fund of the project (当年财政拨款 without 上年结转 …)
        early = _column(t, funds, r"^年初预算数$|^预算编制数$") if col == form.budget and hit.group(3) else None
        if early and agrees(written, cell_qty(doc, t, funds, early)):
            continue  # 「项目资金 46 万元，本年执行 …」 without 全年: the budget as it stood at the start of the year
        report(result, "prose.self_eval", doc, para, _sentence(told, hit), written, q, f"{project}{what}")
    hit = next((h for h in _RATE.finditer(told) if h.group(1) or not _in_indicators(told, h.start())), None)
    if hit is not None and form.rate is not None:
        rate = hit.group(1) or hit.group(2)
        printed = funds.cells[form.rate] * (100 if form.fraction else 1)  # type: ignore[operator]
        q = cell_qty(doc, t, funds, form.rate)
        _differs(result, doc, para, _sentence(told, hit), rate, printed,
                 half_digit(funds.cells[form.rate]) * (100 if form.fraction else 1), q, f"{project}执行率", "%")  # type: ignore[arg-type]
    hit = _SCORE.search(told)
    if hit is not None and form.score is not None:
        row, col = form.score
        q = cell_qty(doc, t, row, col)
        _differs(result, doc, para, _sentence(told, hit), hit.group(1), row.cells[col], half_digit(row.cells[col]), q,  # type: ignore[arg-type]
                 f"{project}自评得分", " 分")
    if not form.holds:
        for f in result.findings[start:]:
            if f.severity == "error":  # the form is wrong in itself: which of its figures is, the reader decides
                f.severity = "warning"
                f.message += "（该自评表本身的执行率与执行数、预算数也不相符。）"


# the indicators the project was held to, one sentence (「项目绩效目标完成情况：…；预算执行率 100%；…。」)
_INDICATORS = re.compile(r"目标完成情况[^。]*|绩效指标[^。]*")


def _in_indicators(told: str, at: int) -> bool:
    """Whether a 执行率 sits in the list of the project's indicators: an indicator's value there may be its
    target, not the rate the funds reached."""
    return any(m.start() <= at < m.end() for m in _INDICATORS.finditer(told))


def _in_wan(yuan: str, step: Decimal) -> str:
    """A figure the 说明 writes in 元 (「资金 21909 元」), in 万元 to the cell's precision (2.19) or its own,
    whichever is coarser: 21909 元 is the form's 2.19 万元, not a cent off it."""
    return f"{(dec(yuan) / 10000).quantize(max(step, half_unit(yuan) * 2 / 10000))}"


def _sentence(told: str, hit: re.Match) -> str:
    start = max((told.rfind(c, 0, hit.start()) for c in "。；;"), default=-1) + 1
    stops = [i for c in "。；;" if (i := told.find(c, hit.end())) >= 0]
    return told[start: min(stops) + 1 if stops else len(told)]


def _differs(result: AuditResult, doc: Document, para, sentence: str, written: str, printed: Decimal, half: Decimal,
             q: Qty, what: str, sign: str) -> None:
    """A rate or a score the 说明 writes against the form's, each within half its last digit."""
    value = dec(written)
    if abs(value - printed) <= half_unit(written) + half:
        return
    loc = sentence_loc(doc, para, sentence)
    result.findings.append(Finding(
        "error", "prose.self_eval", loc, q.loc, value, printed, value - printed, half_unit(written) + half,
        f"情况说明写{what} {written}{sign}，但{q.loc.label()} 为 {fmt(printed)}{sign}，请核对说明或绩效自评表。"))
