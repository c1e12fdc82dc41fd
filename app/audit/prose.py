"""Prose checks of the audit: 情况说明 figures linked to the table cell they describe, stated
percentages recomputed, 增加/减少 wording against the change it reports.

Linking is by what a sentence names: a measure (本年收入合计, 基本支出 …, scoped to 一般公共预算 when the
sentence or its heading says so), a subject path (卫生健康支出(类)行政事业单位医疗(款)…(项)), a
subject in a 结构 list (其他行政事业单位医疗支出 1.56 万元，占 0.1%), or a 三公 item. A figure is
written with its own precision (705.4): it is compared within half its last digit plus the cell's.
"""

from __future__ import annotations

import re
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, Location, fmt
from budgetqa.app.audit.cross import GENERAL, SPENDING, Measures, collect
from budgetqa.app.audit.quantities import SKIP_KINDS, Qty, amount_columns, cell_qty
from budgetqa.ingest.labels import clean_label
from budgetqa.ingest.models import Document, Paragraph, Row, Table

_N = r"(\d[\d,]*(?:\.\d+)?)\s*万元"
_GAP = r"\s*(?:均为|各为|为|是|共计|合计|总计|：|:)?\s*"
_SENT = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")
_SKIP_HEADINGS = re.compile(r"绩效|名词解释|机关运行经费|政府采购|国有资产|资产占用|目录")
_CJK = r"[\u4e00-\u9fff]"
_NAME = rf"{_CJK}+(?:[（(]{_CJK}{{1,2}}[)）]{_CJK}*)*"
_PATH = re.compile(
    rf"({_CJK}+?)\s*[（(]类[)）]\s*(?:({_NAME}?)\s*[（(]款[)）])?\s*(?:({_NAME}?)\s*[（(]项[)）])?"
)
_LIST_ITEM = re.compile(rf"({_NAME}?(?:[（(]类[)）])?)\s*(?:支出)?\s*{_N}\s*[，,]\s*占\s*(\d+(?:\.\d+)?)\s*[%％]")

# (pattern, scope rule, key) — scope "auto": 一般公共预算 when the sentence or heading names it.
_MEASURES: list[tuple[re.Pattern, str, str]] = [
    (re.compile(r"(?:财政拨款)?收、?支总计" + _GAP + _N), "fiscal?", "收入总计"),
    (re.compile(r"(?:财政拨款)?收入支出总计" + _GAP + _N), "fiscal?", "收入总计"),
    (re.compile(r"收支总预算" + _GAP + _N), "fiscal?", "收入总计"),
    (re.compile(r"本年收入合计" + _GAP + _N), "全部", "收入合计"),
    (re.compile(r"本年支出合计" + _GAP + _N), "全部", "支出合计"),
    (re.compile(r"(?<![一般公共预算])财政拨款收入" + _GAP + _N), "全部", "收入:财政拨款收入"),
    # 2023 年支出预算 2030.72 万元 / a paragraph opening 支出预算…; not 三公经费支出预算为, 拨款支出预算
    (re.compile(r"(?:^|年度?\s*)支出预算" + _GAP + _N), "全部", "支出合计"),
    (re.compile(r"(?:^|年度?\s*)收入预算" + _GAP + _N), "全部", "收入合计"),
    (re.compile(r"一般公共预算(?:财政)?拨款支出" + _GAP + _N), "一般公共预算", "支出合计"),
    (re.compile(r"一般公共预算拨款" + _GAP + _N), "一般公共预算", "支出合计"),
    (re.compile(r"基本支出" + _GAP + _N), "auto", "基本支出"),
    (re.compile(r"项目支出" + _GAP + _N), "auto", "项目支出"),
    (re.compile(r"人员经费" + _GAP + _N), "一般公共预算", "人员经费"),
    (re.compile(r"公用经费" + _GAP + _N), "一般公共预算", "公用经费"),
]
_SANGONG_ITEMS = [
    ("合计", re.compile(r"三公[”\"]?经费")),
    ("因公出国（境）费", re.compile(r"因公出国[（(]境[)）]费")),
    ("公务用车购置及运行维护费", re.compile(r"公务用车购置及运行(?:维护)?费")),
    ("公务用车购置费", re.compile(r"公务用车购置费")),
    ("公务用车运行维护费", re.compile(r"公务用车运行(?:维护)?费")),
    ("公务接待费", re.compile(r"公务接待费")),
]


def _dec(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


def _unit(s: str) -> Decimal:
    """The last written digit's place: 0.01 for 2,247.14, 1 for 17,192."""
    d = len(s.split(".")[1]) if "." in s else 0
    return Decimal(1).scaleb(-d)


def _half_unit(s: str) -> Decimal:
    return _unit(s) / 2


def _sentence_loc(doc: Document, para, sentence: str) -> Location:
    return Location(document=doc.file, page=para.page, sentence=sentence.strip(),
                    table=" > ".join(para.heading_path[-2:]) or None)


def _report(result: AuditResult, check: str, doc, para, sentence: str, written: str, q: Qty, what: str,
            hint: str = "") -> None:
    value = _dec(written)
    diff = value - q.value
    tol = _half_unit(written) + q.step / 2 * q.n_cells
    if diff == 0 or value == q.value.quantize(_unit(written)):
        return  # 18,976.76 for a 元 cell of 189,767,612.34; 17,192 for 17,191.52 written in whole 万元
    loc = _sentence_loc(doc, para, sentence)
    if abs(diff) <= tol:
        msg = f"情况说明写{what} {written} 万元，{q.loc.label()} 为 {fmt(q.value)}，差 {fmt(abs(diff))} 在尾差范围内。"
        sev = "rounding"
    else:
        msg = f"情况说明写{what} {written} 万元，但{q.loc.label()} 为 {fmt(q.value)}，相差 {fmt(abs(diff))} 万元{hint}；请核对说明或表格。"
        sev = "error"
    result.findings.append(Finding(sev, check, loc, q.loc, value, q.value, diff, tol, msg))  # type: ignore[arg-type]


def _paragraphs(doc: Document):
    """Paragraphs worth reading, a paragraph cut mid-sentence by a page or line break joined to the next."""
    pending = None
    for p in doc.paragraphs:
        heading = " ".join(p.heading_path)
        if _SKIP_HEADINGS.search(heading) or p.text.startswith("注"):
            continue
        if pending is not None and pending[1] == heading:
            p = Paragraph(pending[0].text + p.text, pending[0].page, p.heading_path)
        elif pending is not None:
            yield pending
        pending = None
        if not re.search(r"[。；;！？!?：:]\s*$", p.text):
            pending = (p, heading)
            continue
        yield p, heading
    if pending is not None:
        yield pending


def check_prose(doc: Document, result: AuditResult) -> None:
    tables = [t for t in doc.tables if t.kind not in SKIP_KINDS]
    m = collect(doc, tables)
    subjects = _subject_table(tables)
    current: dict = {"path": None, "heading": None}
    for para, heading in _paragraphs(doc):
        text = re.sub(r"\s+(?=\d)|(?<=\d)\s+(?=[万%％])", " ", para.text)
        text = re.sub(r"(?<=[\u4e00-\u9fff（）()])\s+(?=[\u4e00-\u9fff（）()])", "", text)  # 其他社会工作 事务支出
        about_subject = _PATH.search(text) is not None
        context = ""
        for sentence in _SENT.findall(text):
            if not about_subject:
                _measures(doc, para, heading, sentence, m, result, context)
                if "三公" not in sentence:
                    _completion_sentence(doc, para, sentence, result)
            context += sentence
            _sangong(doc, para, sentence, m, result)
            _changes(doc, para, sentence, result)
        if subjects is not None:
            _subjects(doc, para, heading, text, subjects, tables, current, result)
            _list_items(doc, para, text, subjects, result)


# ---------------------------------------------------------------- measures


def _measures(doc, para, heading: str, sentence: str, m: Measures, result: AuditResult, context: str = "") -> None:
    taken: list[tuple[int, int]] = []
    for pattern, scope_rule, what in _MEASURES:
        for hit in pattern.finditer(sentence):
            if any(a <= hit.start() < b for a, b in taken):
                continue  # 一般公共预算财政拨款支出 already read this figure
            taken.append(hit.span())
            before = sentence[: hit.start()]
            lead = context + before  # scope words may sit in an earlier sentence of the paragraph
            if re.search(r"(比|较)[^，。]*$", before) or re.search(r"(增加|减少|增长|下降)\s*$", before):
                continue
            if re.search(r"(主要包括|包括|发生)[^，。；]{0,4}$", before):
                continue  # a component listed under another measure, or spending on one project
            scope = scope_rule
            if scope_rule == "fiscal?":
                scope = "财政拨款" if "财政拨款" in sentence else "全部"
            elif scope_rule == "auto":
                scope = ("一般公共预算" if ("一般公共预算" in lead or "一般公共预算" in heading) else
                         "财政拨款" if "财政拨款" in lead else "全部")
            if what in ("人员经费", "公用经费") and "基本支出" not in heading + sentence and "一般公共预算" not in heading + sentence:
                continue
            entries = m.by_key.get((scope, what))
            if not entries:
                continue
            label = {"全部": "", "财政拨款": "财政拨款", "一般公共预算": "一般公共预算财政拨款"}[scope] + what.split(":")[-1]
            # two tables may state the measure differently (a cross-table finding already says so):
            # the sentence is checked against the one it agrees with best
            written = _dec(hit.group(1))
            best = min((q for _, q in entries), key=lambda q: abs(q.value - written))
            _report(result, "prose.measure", doc, para, sentence, hit.group(1), best, label)


def _sangong(doc, para, sentence: str, m: Measures, result: AuditResult) -> None:
    if "三公" not in sentence and not any(p.search(sentence) for _, p in _SANGONG_ITEMS[1:]):
        return
    spans = []
    for item, p in _SANGONG_ITEMS:
        for hit in p.finditer(sentence):
            spans.append((hit.start(), hit.end(), item))
    spans.sort()
    # drop an item found inside a longer one (公务用车购置费 inside 公务用车购置及运行费 is impossible, but 三公 inside names is)
    for i, (start, end, item) in enumerate(spans):
        stop = spans[i + 1][0] if i + 1 < len(spans) else len(sentence)
        clause = sentence[end:stop]
        budget = re.search(r"^[^，。；]*?预算(?:数)?为\s*" + _N, clause)
        final = re.search(r"决算(?:数)?为\s*" + _N, clause) or re.match(r"\s*(?:财政拨款)?支出\s*" + _N, clause)
        for ledger, hit in (("预算数", budget), ("决算数", final)):
            if hit is None:
                continue
            entries = m.by_key.get(("三公", f"{ledger}:{item}"))
            if entries:
                name = "“三公”经费" if item == "合计" else item
                _report(result, "prose.sangong", doc, para, sentence, hit.group(1), entries[0][1], f"{name}{ledger}")
        _completion(doc, para, sentence, clause, budget.group(1) if budget else None, final.group(1) if final else None,
                    None, result)


# ---------------------------------------------------------------- subjects


class _Subjects:
    """Rows of the table the 情况说明 describes subject by subject (一般公共预算 spending first)."""

    def __init__(self, table: Table):
        self.table = table
        self.col = amount_columns(table)[0]
        self.rows = [r for r in table.rows if r.code and r.code.isdigit() and len(r.code) in (3, 5, 7)]

    def children(self, code: str | None, length: int) -> list[Row]:
        return [r for r in self.rows if len(r.code) == length and (code is None or r.code.startswith(code))]  # type: ignore[arg-type]

    def find(self, names: list[str | None]) -> Row | None:
        row = None
        for length, name in zip((3, 5, 7), names):
            if not name:
                break
            n = clean_label(name)
            cands = [r for r in self.children(row.code if row else None, length) if _same(r.label, n)]
            if len(cands) != 1:
                return None
            row = cands[0]
        return row

    def by_name(self, name: str) -> Row | None:
        n = clean_label(name)
        cands = [r for r in self.rows if r.label == n]
        if "类" in name:
            cands = [r for r in self.rows if len(r.code or "") == 3 and _same(r.label, n)]
        vals = {r.cells.get(self.col) for r in cands}
        return cands[0] if cands and len(vals) == 1 else None


def _same(a: str, b: str) -> bool:
    """Names match exactly, or one is the other cut short (一般公共服务 for 一般公共服务支出)."""
    return a == b or (len(b) >= 4 and a.startswith(b)) or (len(a) >= 4 and b.startswith(a))


def _subject_table(tables: list[Table]) -> _Subjects | None:
    for kinds in (GENERAL, SPENDING):
        for t in tables:
            if t.kind in kinds and amount_columns(t) and any(r.code for r in t.rows):
                return _Subjects(t)
    return None


def _hint(tables: list[Table], code: str | None, value: Decimal, own: Table) -> str:
    """Where else the written figure appears for the same subject: the likely source of the slip."""
    for t in tables:
        if t is own:
            continue
        for r in t.rows:
            if r.code == code:
                for c, v in r.cells.items():
                    if v is not None and v == value:
                        return f"（该数与「{t.title}」{c}列相同）"
    return ""


def _subjects(doc, para, heading: str, text: str, subj: _Subjects, tables, current: dict, result: AuditResult) -> None:
    if current["heading"] != heading:
        current.update(path=None, heading=heading)
    hits = list(_PATH.finditer(text))
    segments: list[tuple[Row | None, str]] = []
    if hits and hits[0].start() > 0 and current["path"] is not None:
        segments.append((current["path"], text[: hits[0].start()]))
    elif not hits and current["path"] is not None:
        segments.append((current["path"], text))
    for i, h in enumerate(hits):
        row = subj.find([h.group(1), h.group(2), h.group(3)])
        end = hits[i + 1].start() if i + 1 < len(hits) else len(text)
        segments.append((row, text[h.end() : end]))
        current["path"] = row
    for row, seg in segments:
        if row is None:
            continue
        final = re.search(r"(?:支出)?决算(?:数)?为\s*" + _N, seg) or re.match(r"[”\"]?\s*(?:科目|支出)\s*" + _N, seg)
        plan = re.search(r"年初预算(?:数)?为\s*" + _N, seg)
        full = re.search(r"全年预算(?:数)?为\s*" + _N, seg)
        budget = re.search(r"(?<![年初全])预算(?:数)?为\s*" + _N, seg)
        if final:
            q = cell_qty(doc, subj.table, row, subj.col)
            hint = _hint(tables, row.code, _dec(final.group(1)), subj.table)
            _report(result, "prose.subject", doc, para, seg if len(seg) < 200 else seg[:200], final.group(1), q,
                    f"{row.code} {row.name}", hint)
        _completion(doc, para, seg, seg, budget.group(1) if budget else None, final.group(1) if final else None,
                    (plan.group(1) if plan else None, full.group(1) if full else None), result)


def _list_items(doc, para, text: str, subj: _Subjects, result: AuditResult) -> None:
    """结构 lists: 「name X 万元，占 P%」 — each figure against its row, each share against the lead figure."""
    if "占" not in text:
        return
    lead = re.search(r"(?:支出|拨款)\s*" + _N + r"[，,]?\s*(?:主要用于|其中)", text)
    for hit in _LIST_ITEM.finditer(text):
        name = re.sub(r"^(?:主要用于以下方面|其中|包括)[：:]?", "", hit.group(1))
        if not name or re.search(r"基本支出|项目支出|人员经费|公用经费|收入|合计|结转", name):
            continue
        row = subj.by_name(name)
        if row is None:
            continue
        q = cell_qty(doc, subj.table, row, subj.col)
        _report(result, "prose.subject", doc, para, hit.group(0), hit.group(2), q, f"{row.code} {row.name}")
        if lead:
            _share(doc, para, hit.group(0), hit.group(2), lead.group(1), hit.group(3), result)


# ---------------------------------------------------------------- percentages and changes


def _ratio_range(num: str, den: str) -> tuple[Decimal, Decimal] | None:
    n, d = _dec(num), _dec(den)
    hn, hd = _half_unit(num), _half_unit(den)
    if d - hd <= 0:
        return None
    return (max(n - hn, Decimal(0)) / (d + hd) * 100, (n + hn) / (d - hd) * 100)


def _pct_finding(result, check, doc, para, sentence, written: str, rng, what: str, severity: str = "error") -> None:
    p = _dec(written)
    half = _half_unit(written)
    lo, hi = rng
    if lo - half <= p <= hi + half:
        return
    gap = min(abs(p - lo), abs(p - hi))
    mid = (lo + hi) / 2
    sev = "rounding" if gap <= 2 * half else severity
    loc = _sentence_loc(doc, para, sentence)
    msg = (f"情况说明写{what} {written}%，按文中数字计算为 {mid:.2f}%"
           + ("，差在进位误差内。" if sev == "rounding" else "，请核对百分比或其依据的数字。"))
    result.findings.append(Finding(sev, check, loc, loc, p, mid.quantize(Decimal("0.01")), p - mid, half, msg))  # type: ignore[arg-type]


def _share(doc, para, sentence, part: str, whole: str, written: str, result: AuditResult) -> None:
    rng = _ratio_range(part, whole)
    if rng:
        _pct_finding(result, "prose.share", doc, para, sentence, written, rng, f"占比（{part}/{whole}）")


def _completion(doc, para, sentence: str, seg: str, budget: str | None, final: str | None,
                bases: tuple[str | None, str | None] | None, result: AuditResult) -> None:
    """完成(年初|全年)?预算的 Z%: recomputed from the budget figure it names."""
    hit = re.search(r"完成(年初|全年)?预算(?:数)?的\s*(\d+(?:\.\d+)?)\s*[%％]", seg)
    if hit is None or final is None or _dec(final) == 0:
        return
    plan, full = bases or (None, None)
    base = {"年初": plan, "全年": full}.get(hit.group(1) or "", None) or budget or (plan if hit.group(1) is None else None)
    named = f"完成{hit.group(1) or ''}预算"
    if base is None:
        return
    if _dec(base) == 0 and _dec(hit.group(2)) == 0:
        return  # 0% of a zero budget: the template's way of saying "not applicable"
    if _dec(base) == 0:
        other = full if hit.group(1) == "年初" else None
        loc = _sentence_loc(doc, para, sentence)
        note = f"；按全年预算 {other} 万元计算正好是 {hit.group(2)}%" if other and _dec(other) and \
            abs(_dec(final) / _dec(other) * 100 - _dec(hit.group(2))) <= _half_unit(hit.group(2)) * 2 else ""
        result.findings.append(Finding(
            "error", "prose.completion", loc, loc, _dec(hit.group(2)), None, None, None,
            f"情况说明称{named}的 {hit.group(2)}%，但{hit.group(1) or ''}预算为 {base} 万元，无法算出该比例{note}。"))
        return
    rng = _ratio_range(final, base)
    if rng:
        _pct_finding(result, "prose.completion", doc, para, sentence, hit.group(2), rng, f"{named}比例（{final}/{base}）")


def _completion_sentence(doc, para, sentence: str, result: AuditResult) -> None:
    """年初预算为 X，(全年预算为 F，)支出决算为 Y，完成年初预算的 Z% outside a subject paragraph."""
    final = re.search(r"决算(?:数)?为\s*" + _N, sentence)
    if final is None:
        return
    plan = re.search(r"年初预算(?:数)?为\s*" + _N, sentence)
    full = re.search(r"全年预算(?:数)?为\s*" + _N, sentence)
    budget = re.search(r"(?<![年初全])预算(?:数)?为\s*" + _N, sentence)
    _completion(doc, para, sentence, sentence, budget.group(1) if budget else None, final.group(1),
                (plan.group(1) if plan else None, full.group(1) if full else None), result)


_CHANGE = re.compile(
    r"(增加|减少|增长|下降)\s*" + _N + r"[，,]?\s*(?:，)?\s*(增长|下降|增加|减少)\s*(\d+(?:\.\d+)?)\s*[%％]"
)


def _changes(doc, para, sentence: str, result: AuditResult) -> None:
    """增加 X 万元，下降 Y%: the two words must agree in direction (a zero change says nothing)."""
    for hit in _CHANGE.finditer(sentence):
        up_amount = hit.group(1) in ("增加", "增长")
        up_pct = hit.group(3) in ("增长", "增加")
        if up_amount == up_pct or _dec(hit.group(2)) == 0 or _dec(hit.group(4)) == 0:
            continue
        loc = _sentence_loc(doc, para, sentence)
        result.findings.append(Finding(
            "error", "prose.change_direction", loc, loc, _dec(hit.group(2)), _dec(hit.group(4)), None, None,
            f"情况说明同一处写「{hit.group(1)} {hit.group(2)} 万元」又写「{hit.group(3)} {hit.group(4)}%」，方向矛盾，请核对。"))
