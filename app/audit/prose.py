"""Prose checks of the audit: 情况说明 figures linked to the table cell they describe, stated
percentages recomputed, 增加/减少 wording against the change it reports.

Linking is by what a sentence names: a measure (本年收入合计, 基本支出 …, scoped to 一般公共预算 when the
sentence or its heading says so), a subject path (卫生健康支出(类)行政事业单位医疗(款)…(项)), a
subject in a 结构 list (其他行政事业单位医疗支出 1.56 万元，占 0.1%), or a 三公 item. A figure is
written with its own precision (705.4): it is compared within half its last digit plus the cell's.
"""

from __future__ import annotations

import re

from budgetqa.app import measures
from budgetqa.app.audit import breakdown, changes, items, lastyear, shares
from budgetqa.app.audit.cross import Measures, collect
from budgetqa.app.audit.model import AuditResult, Finding
from budgetqa.app.audit.quantities import SKIP_KINDS, amount_columns, cell_qty
from budgetqa.app.measures import own_year_columns
from budgetqa.app.audit.written import completion as _completion
from budgetqa.app.audit.written import completion_parts
from budgetqa.app.audit.written import dec as _dec
from budgetqa.app.audit.written import report as _report
from budgetqa.app.audit.written import sentence_loc
from budgetqa.ingest.classify import OVERVIEW, SANGONG
from budgetqa.ingest.models import Document, Paragraph

_N = r"(\d[\d,]*(?:\.\d+)?)\s*万元"
_GAP = r"\s*(?:均为|各为|为|是|共计|合计|总计|：|:)?\s*"
_SENT = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")
_SKIP_HEADINGS = re.compile(r"绩效|名词解释|机关运行经费|政府采购|国有资产|资产占用|目录")

# (pattern, scope rule, key) — scope "auto": 一般公共预算 when the sentence or heading names it.
# 「2026 年本单位收入预算」, 「2023年度收入合计」, 「本部门当年…」: who and which year, before the measure
_WHO = r"(?:^|年度?\s*(?:本部门|本单位|部门|单位)?\s*(?:当年)?\s*)"
# 「基本支出预算数为」, 「收入预算」: the ledger word between the measure and its figure
_LEDGER = r"(?:预算|决算)?(?:数)?"

# (pattern, scope rule, key) — scope "auto": 一般公共预算 when the sentence or heading names it.
_MEASURES: list[tuple[re.Pattern, str, str]] = [
    (re.compile(r"(?:财政拨款)?收、?支总计" + _GAP + _N), "fiscal?", "收入总计"),
    (re.compile(r"(?:财政拨款)?收入支出总计" + _GAP + _N), "fiscal?", "收入总计"),
    (re.compile(r"收、?支总预算" + _GAP + _N), "fiscal?", "收入总计"),
    (re.compile(r"(?<!财政拨款)收入总计" + _GAP + _N), "fiscal?", "收入总计"),
    (re.compile(r"(?<!财政拨款)支出总计" + _GAP + _N), "fiscal?", "支出总计"),
    (re.compile(r"(?:本年|" + _WHO + r")收入合计" + _GAP + _N), "全部", "收入合计"),
    (re.compile(r"(?:本年|" + _WHO + r")支出合计" + _GAP + _N), "全部", "支出合计"),
    (re.compile(r"(?<![一般公共预算])财政拨款收入" + _GAP + _N), "全部", "收入:财政拨款收入"),
    # 2023 年支出预算 2030.72 万元 / a paragraph opening 支出预算…; not 三公经费支出预算为, 拨款支出预算
    # 「收入预算 7,552.92 万元」 may count 上年结转 in (珠海: 收入总计 = 本年收入 7,552.81 + 0.11)
    (re.compile(_WHO + r"(?:支出预算|预算支出)" + _GAP + _N), "全部", "支出合计|支出总计"),
    (re.compile(_WHO + r"(?:收入预算|预算收入)" + _GAP + _N), "全部", "收入合计|收入总计"),
    (re.compile(r"一般公共预算(?:财政)?(?:拨款)?支出" + _LEDGER + _GAP + _N), "一般公共预算", "支出合计"),
    (re.compile(r"一般公共预算(?:当年)?拨款" + _GAP + _N), "一般公共预算", "支出合计"),
    (re.compile(r"基本支出" + _LEDGER + _GAP + _N), "auto", "基本支出"),
    (re.compile(r"项目支出" + _LEDGER + _GAP + _N), "auto", "项目支出"),
    # the 收支总表's income lines (「其中：一般公共预算收入 2,776.75 万元，其他收入 781.6 万元」)
    (re.compile(r"(?<!事业单位)(?<!财政专户管理)事业收入" + _GAP + _N), "全部", "收入:事业收入"),
    (re.compile(r"(?<!结转结余的)其他收入" + _GAP + _N), "全部", "收入:其他收入"),
    (re.compile(r"上级补助收入" + _GAP + _N), "全部", "收入:上级补助收入"),
    (re.compile(r"附属单位上缴收入" + _GAP + _N), "全部", "收入:附属单位上缴收入"),
    (re.compile(r"(?<!结转结余的)一般公共预算(?:当年)?(?:财政)?(?:拨款)?收入" + _GAP + _N), "财政拨款",
     "收入:一般公共预算|收入:一般公共预算含结转"),
    (re.compile(r"人员经费" + _GAP + _N), "一般公共预算", "人员经费"),
    (re.compile(r"公用经费" + _GAP + _N), "一般公共预算", "公用经费"),
    # the 支出表's own column words (「按支出用途分类，包括人员支出 1487.48 万元…日常公用支出 116.93 万元」)
    (re.compile(r"(?<!机关)人员支出" + _GAP + _N), "auto", "人员经费"),
    (re.compile(r"(?<!机关)(?:日常)?公用支出" + _GAP + _N), "auto", "公用经费"),
]
_SANGONG_ITEMS = [
    ("合计", re.compile(r"三公[”\"]?经费")),
    ("因公出国（境）费", re.compile(r"因公出国[（(]境[)）]费")),
    ("公务用车购置及运行维护费", re.compile(r"公务用车购置及运行(?:维护)?费")),
    ("公务用车购置费", re.compile(r"公务用车购置费")),
    ("公务用车运行维护费", re.compile(r"公务用车运行(?:维护)?费")),
    ("公务接待费", re.compile(r"公务接待费")),
]


# a paragraph opening with an amount continues the line before it
_RUNS_ON = re.compile(r"\s*\d[\d,]*(?:\.\d+)?\s*万元")


def _paragraphs(doc: Document, skipped: bool = False):
    """Paragraphs worth reading, a paragraph cut mid-sentence by a page or line break joined to the next;
    `skipped`: those under headings whose figures no table holds (绩效, 机关运行经费 …) instead."""
    pending = None
    for p in doc.paragraphs:
        heading = " ".join(p.heading_path)
        if bool(_SKIP_HEADINGS.search(heading) or p.text.startswith("注")) != skipped:
            continue
        if p.heading_path and _RUNS_ON.match(p.text) and not re.search(r"[。；;！？!?：:]\s*$", p.heading_path[-1]):
            # a sentence the layout cut into a heading and its body (「（二）支出预算：…其中：基本支出」 /
            # 「2,776.85万元，项目支出781.5万元。」): the body alone names no measure
            p = Paragraph(p.heading_path[-1] + p.text, p.page, p.heading_path)
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


def check_prose(doc: Document, result: AuditResult, m: Measures | None = None) -> None:
    """The 说明 against the tables and against itself; `m`: the tables' measures when already collected."""
    tables = [t for t in doc.tables if t.kind not in SKIP_KINDS]
    m = m if m is not None else collect(doc, tables)
    subjects = items.Subjects.of(doc, tables)
    ctx = items.Context()
    q = _sangong_total(doc, m)
    sangong = shares.Whole(q.value, q.half_steps, f"{q.loc.label()} {q.value}", q.loc) if q is not None else None
    run = _Run(doc, m, result, sangong)
    sangong_cells: dict = {}
    prev = ("", "")  # the paragraph before: (heading, text)
    for para, heading in _paragraphs(doc):
        text = re.sub(r"\s+(?=\d)|(?<=\d)\s+(?=[万%％])", " ", para.text)
        text = re.sub(r"(?<=[\u4e00-\u9fff（）()])\s+(?=[\u4e00-\u9fff（）()])", "", text)  # 其他社会工作 事务支出
        about_subject = bool(re.search(r"[类款项]\s*[)）]", text)) and items.check_paragraph(
            doc, para, heading, text, subjects, ctx, result)
        about_subject = about_subject or items.check_code_items(doc, para, heading, text, subjects, result)
        context = ""
        # a 三公 item standing alone as a sentence, or as the paragraph's heading (「（二）公务接待费」 over
        # 「2026 年预算安排 2.00 万元…」): it names the next sentence's figure
        title = para.heading_path[-1] if para.heading_path else ""
        heading_item = title.strip() + "。" if _SANGONG_TITLE.match(title) else ""
        sentences = _SENT.findall(text)
        for k, sentence in enumerate(sentences):
            if not about_subject:
                _measures(doc, para, heading, sentence, m, result, context)
                if "三公" not in sentence:
                    _completion_sentence(doc, para, sentence, result)
            context += sentence
            sentence_3g = heading_item + sentence  # the two sentences as printed
            heading_item = sentence if _SANGONG_HEADING.match(sentence) else ""
            _sangong(doc, para, sentence_3g, m, result, sangong_cells, sentences[k + 1] if k + 1 < len(sentences) else "")
            _meetings(doc, para, sentence, result, sangong_cells)
            _total_row_lines(doc, para, sentence, result, sangong_cells)
            _changes(doc, para, sentence, result)
            if not about_subject:
                items.clause_changes(doc, para, sentence, result)
                _compared_year(doc, para, sentence, result)
        table_wholes = items.check_list(doc, para, text, subjects, heading, result)
        items.check_economic_list(doc, para, text, heading, result)
        run.add(heading, shares.Piece(para, text, table_wholes))
        _paragraph_words(doc, para, text, result, prev[1] if prev[0] == heading else "")
        completion_parts(doc, para, text, result)
        prev = (heading, text)
    run.flush()
    # Under headings no table describes, a sentence still answers to itself: 「增加 2.55 万元，下降 1.40%」,
    # 「执行数为 50 万元，完成预算的 95%」, 「完成预算的 116.89%，决算数小于预算数」.
    prev = ("", "")
    for para, _heading in _paragraphs(doc, skipped=True):
        text = re.sub(r"\s+(?=\d)|(?<=\d)\s+(?=[万%％])", " ", para.text)
        for sentence in _SENT.findall(text):
            _changes(doc, para, sentence, result)
            _total_row_lines(doc, para, sentence, result, sangong_cells)
            if "三公" not in sentence:
                _completion_sentence(doc, para, sentence, result)
        run.add(_heading, shares.Piece(para, text))
        _paragraph_words(doc, para, text, result, prev[1] if prev[0] == _heading else "")
        prev = (_heading, text)
    run.flush()
    changes.check_document(doc, result)


def _paragraph_words(doc, para, text: str, result: AuditResult, before: str) -> None:
    """What a paragraph says of its own figures, under any heading: totals and changes against their
    parts, 决算数大于/小于预算数 against the rate and the reason, a change against its reason. `before`:
    the paragraph before under the same heading."""
    breakdown.check_breakdowns(doc, para, text, result)
    breakdown.check_totals(doc, para, text, result)
    items.rate_words(doc, para, text, result, before)
    items.reason_words(doc, para, text, result)
    changes.check_reason_direction(doc, para, text, result)


def _total_row_lines(doc, para, sentence: str, result: AuditResult, cells: dict) -> None:
    """Figures a table prints on its total row, read under any heading: 机关运行经费, 政府采购预算."""
    _running_costs(doc, para, sentence, result, cells)
    _procurement(doc, para, sentence, result, cells)


# a paragraph that is one item of a list: 「卫生健康支出（类）支出 73.85 万元，占 3.6%，…」
_ITEM_SHARE = re.compile(r"\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*)?[\u4e00-\u9fff（）()“”]{2,30}?\s*"
                         r"\d[\d,]*(?:\.\d+)?\s*万元\s*[，,]\s*占")


class _Run:
    """Paragraphs of one heading read together for shares while a list runs on past a paragraph's
    end (「…占 4.6%；」 then 「事业单位医疗 3.61 万元，占 0.2%…」); a full stop ends it."""

    def __init__(self, doc, m: Measures, result: AuditResult, sangong) -> None:
        self.doc, self.m, self.result, self.sangong = doc, m, result, sangong
        self.heading: str | None = None
        self.pieces: list[shares.Piece] = []
        self.closed = False  # the last paragraph ended on a full stop

    def add(self, heading: str, piece: shares.Piece) -> None:
        if heading != self.heading:
            self.flush()
            self.heading = heading
        if self.closed:
            # one item per paragraph (「一般公共服务（类）支出 1690.82 万元，占 83.3%，…。」, then the next class):
            # the items make one list; anything else after a full stop starts afresh
            if _ITEM_SHARE.match(piece.text) and self.pieces and _ITEM_SHARE.match(self.pieces[-1].text):
                piece.continues = True
            else:
                self.flush()
        self.closed = False
        self.pieces.append(piece)
        if re.search(r"[。！？!?]\s*$", piece.text):
            self.closed = True

    def flush(self) -> None:
        if self.pieces:
            shares.check_shares(self.doc, self.pieces, self.m, self.result, self.sangong)
        self.pieces = []
        self.closed = False


# ---------------------------------------------------------------- measures


def _measures(doc, para, heading: str, sentence: str, m: Measures, result: AuditResult, context: str = "") -> None:
    if "万元" not in sentence:
        return  # every measure is written in 万元
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
            if re.search(r"(主要包括|包括|发生)[^，。；]{0,4}$", before) and not (
                    what.startswith("收入:") and re.search(r"收入(?:主要)?包括[：:]?\s*$", before)):
                continue  # a component listed under another measure, or spending on one project (not the
                # income lines 「收入包括：一般公共预算当年拨款收入 5973.01 万元」 list)
            if re.search(r"政府性基金|国有资本经营", before):
                continue  # a fund no measure key is kept for
            scope = scope_rule
            if scope_rule == "fiscal?":
                scope = "财政拨款" if "财政拨款" in sentence else "全部"
            elif scope_rule == "auto":
                scope = ("一般公共预算" if ("一般公共预算" in lead or "一般公共预算" in heading) else
                         "财政拨款" if "财政拨款" in lead else "全部")
            if re.match(r"(?:人员|公用)经费", hit.group(0)) and "基本支出" not in heading + sentence and "一般公共预算" not in heading + sentence:
                continue
            entries = [e for w in what.split("|") for e in m.by_key.get((scope, w), [])]
            entries = entries or _headline_entries(doc, scope, what)
            if not entries:
                continue
            label = {"全部": "", "财政拨款": "财政拨款", "一般公共预算": "一般公共预算财政拨款"}[scope] + what.split("|")[0].split(":")[-1]
            # two tables may state the measure differently (a cross-table finding already says so):
            # the sentence is checked against the one it agrees with best
            written = _dec(hit.group(1))
            best = min((q for _, q in entries), key=lambda q: abs(q.value - written))
            _report(result, "prose.measure", doc, para, sentence, hit.group(1), best, label)
            lastyear.check_change(doc, para, sentence, sentence[hit.end():],
                                  [q for _, q in entries if q.value == best.value], label, result)


# the 收支总表's 支出 side listing spending by use (一、基本支出 │ 二、项目支出), beside or below the classes
def _spending_line(name: str) -> measures.Rule:
    return measures.Rule(OVERVIEW, rf"^{name}$", r"^(支出用途/)?(金额|预算数|决算数)$", side="支出")


# measures no cross-table key holds in some templates, read where the headline figures are
_HEADLINE_MEASURES: dict[tuple[str, str], list[measures.Rule]] = {
    ("全部", "基本支出"): [*measures.RULES["基本支出"], _spending_line("基本支出")],
    ("全部", "项目支出"): [*measures.RULES["项目支出"], _spending_line("项目支出")],
    ("财政拨款", "收入:一般公共预算"): measures.RULES["一般公共预算财政拨款收入"],
}


def _headline_entries(doc, scope: str, what: str) -> list:
    """The measure's row found by the headline reader, when the cross-table keys hold none: each amount
    cell it prints (a 总表 may print 当年预算 │ 上年结转 beside the year's total, and a sentence any one)."""
    for w in what.split("|"):
        rules = _HEADLINE_MEASURES.get((scope, w))
        at = measures.locate(doc, rules) if rules else None
        if at is None or at.value is None:
            continue
        row = at.table.rows[at.row_index]
        cols = [at.column] + [c for c in measures.own_year_columns(amount_columns(at.table), at.table, doc.year)
                              if c != at.column and row.cells.get(c) is not None]
        return [(at.table, cell_qty(doc, at.table, row, c)) for c in cols]
    return []


def _sangong_total(doc, m: Measures):
    """The 三公 合计 of the document's own ledger: a one-row table's 合计 column, or the 合计 row of a
    table printing one row per item (预算数 │ 决算数)."""
    ledger = "决算" if doc.kind == "决算" else "预算"
    entries = m.by_key.get(("三公", f"{ledger}数:合计"))
    if entries:
        return entries[0][1]
    for t in doc.tables:
        if not t.kind.startswith("三公"):
            continue
        cols = [c for c in t.columns if ledger in c.split("/")[-1] and (ledger == "预算" or "预算" not in c.split("/")[-1])]
        if not cols and not any("预算" in c or "决算" in c for c in t.columns) and t.kind.endswith(f"{ledger}表"):
            # one ledger, the table's own (无锡: 「“三公”经费合计 │ 因公出国（境）费 │ … │ 会议费 │ 培训费」 on one row)
            cols = [c for c in t.columns if _SANGONG_TOTAL_COLUMN.match(c.split("/")[-1])]
        total = next((r for r in t.rows if r.label in ("合计", "三公经费合计") or (r.is_total and "三公" in r.label)), None)
        if len(cols) == 1 and total is not None and total.cells.get(cols[0]) is not None:
            return cell_qty(doc, t, total, cols[0])
    return None


_SANGONG_TOTAL_COLUMN = re.compile(r"^[“\"]?三公[”\"]?经费(?:合计|小计)?$")


# figures of the 说明 that a table prints on its total row, by column: 「会议费预算支出 0.44 万元」 against
# the 会议费 column of 江苏's 「“三公”经费、会议费、培训费支出表」; 「机关运行经费预算为 2,517.78 万元」 against
# 上海's 三公 and 机关运行经费 table (机关运行经费预算数) or 江苏's 机关运行经费支出预算表 (合计)
_MEETING = re.compile(r"(会议费|培训费)(?:预算|决算)?(?:数)?(?:支出)?(?:预算|决算)?(?:数)?(?:为|是|：|:)?\s*" + _N)
_RUNNING = re.compile(r"(机关运行经费)(?:财政拨款)?(?:预算|决算)?(?:数)?(?:支出)?(?:为|是|安排)?\s*" + _N)
_RUNNING_COLUMN = re.compile(r"^机关运行经费(?:预算数|决算数|支出)?$")


# 「2026年政府采购预算5.8万元，其中：…」 against the 政府采购预算表's 合计 (a table of one kind of purchase,
# 「政府采购（资产配置、购买服务）预算表」, totals something else)
_PROCUREMENT = re.compile(r"(政府采购(?:支出)?预算(?:总额)?)(?:为|是|共计|共|合计|总计)?\s*" + _N)
_PROCUREMENT_COLUMN = re.compile(r"^(?:总计|合计|金额)$")


def _procurement(doc, para, sentence: str, result: AuditResult, cells: dict) -> None:
    _total_row_figures(doc, para, sentence, result, cells, _PROCUREMENT, "prose.procurement",
                       lambda t: t.kind == "政府采购预算表" and not re.search(r"[（(]", t.title),
                       lambda _item: _PROCUREMENT_COLUMN.match)


def _meetings(doc, para, sentence: str, result: AuditResult, cells: dict) -> None:
    _total_row_figures(doc, para, sentence, result, cells, _MEETING, "prose.meetings",
                       lambda t: t.kind in SANGONG, lambda item: (lambda last: last == item))


def _running_costs(doc, para, sentence: str, result: AuditResult, cells: dict) -> None:
    _total_row_figures(doc, para, sentence, result, cells, _RUNNING, "prose.running_costs",
                       lambda t: t.kind in SANGONG or "机关运行经费" in t.kind, lambda _item: _RUNNING_COLUMN.match)


def _total_row_figures(doc, para, sentence: str, result: AuditResult, cells: dict, pattern: re.Pattern, check: str,
                       holds, column_for) -> None:
    """Each figure `pattern` finds (group 1 the item, group 2 the figure) against the item's cell of the
    total row; `cells` keeps the cell each item was read from, found once per document."""
    for hit in pattern.finditer(sentence):
        item = hit.group(1)
        if (check, item) not in cells:
            cells[check, item] = _total_row_cell(doc, holds, column_for(item))
        q = cells[check, item]
        if q is not None:
            _report(result, check, doc, para, sentence, hit.group(2), q, item)


def _total_row_cell(doc, holds, column):
    """The total row's cell (a one-row table's only row) of the one own-year column whose last header
    segment `column` accepts, in the first table `holds` accepts that prints it."""
    for t in doc.tables:
        if not holds(t):
            continue
        cols = [c for c in own_year_columns(amount_columns(t), t, doc.year) if column(c.split("/")[-1])]
        total = next((r for r in t.rows if r.is_total), t.rows[0] if len(t.rows) == 1 else None)
        if len(cols) == 1 and total is not None and total.cells.get(cols[0]) is not None:
            return cell_qty(doc, t, total, cols[0])
    return None


def _sangong(doc, para, sentence: str, m: Measures, result: AuditResult, cells: dict, follow: str = "") -> None:
    """Each 三公 item the sentence names, its figures against the 三公 table; `cells` keeps the cell each
    (item, ledger) was read from, found once per document. `follow`: the next sentence, whose completion
    rate is the last item's when it names none (「公务用车购置及运行费 10.59 万元，占…。完成预算的 116.89%」)."""
    if not _names_sangong(sentence):
        return
    if _names_sangong(follow) or not _RATE.search(follow):
        follow = ""
    spans = []
    for item, p in _SANGONG_ITEMS:
        for hit in p.finditer(sentence):
            spans.append((hit.start(), hit.end(), item))
    spans.sort()
    reads = []  # (item, clause, written figure per ledger)
    # drop an item found inside a longer one (公务用车购置费 inside 公务用车购置及运行费 is impossible, but 三公 inside names is)
    for i, (start, end, item) in enumerate(spans):
        stop = spans[i + 1][0] if i + 1 < len(spans) else len(sentence)
        clause = sentence[end:stop]
        # 预算为 X / 预算数为 X, and 「“三公”经费预算支出 0.27 万元」 (the 西安 form)
        budget = re.search(r"^[^，。；]*?预算(?:数)?(?:为|支出|安排)\s*" + _N, clause)
        final = re.search(r"决算(?:数)?为\s*" + _N, clause)
        # the figure right after the item (「公务接待费 1.35 万元」, 「“三公”经费预算 394.49 万元」, 「…费支出 100 万元」)
        # is the document's own ledger unless its words name the other
        # …or an item heading its own sentence (「2.公务接待费。2026 年预算数 1.65 万元」)
        bare = re.match(r"\s*(?:用)?\s*(?:[”\"]?经费)?\s*(?:[：:。.．]\s*(?:(20\d\d)\s*年度?)?)?\s*(?:财政拨款)?(?:支出)?\s*"
                        r"(预算|决算)?(?:数)?(?:支出|安排)?(?:为|是|：|:)?\s*" + _N, clause)
        if bare is not None and bare.group(1) and doc.year is not None and int(bare.group(1)) != doc.year:
            bare = None  # the year before's figure
        if bare is not None and not _other_year(doc, sentence[:start]):
            if (bare.group(2) or doc.kind) == "决算":
                final = final or bare
            else:
                budget = budget or bare
        for ledger, hit in (("预算数", budget), ("决算数", final)):
            if hit is None:
                continue
            if (item, ledger) not in cells:
                cells[item, ledger] = _sangong_cell(doc, m, item, ledger)
            whole = cells[item, ledger]
            if whole is not None:
                name = "“三公”经费" if item == "合计" else item
                _report(result, "prose.sangong", doc, para, sentence, hit.group(hit.lastindex), whole, f"{name}{ledger}")
                if ledger[:2] == (doc.kind or "预算"):
                    lastyear.check_change(doc, para, sentence, clause[hit.end():], whole, name, result)
        reads.append((item, clause, {"预算数": budget.group(budget.lastindex) if budget else None,
                                     "决算数": final.group(final.lastindex) if final else None}))
    # the next sentence's rate is the last item's that states a figure (not 「占“三公”经费支出的 100.00%」's)
    owner = max((j for j, (_, _, w) in enumerate(reads) if any(w.values())), default=None)
    for j, (item, clause, written) in enumerate(reads):
        seg = clause + (follow if j == owner else "")
        missing = [ledger for ledger, w in written.items() if w is None]
        if doc.kind == "决算" and len(missing) == 1 and _RATE.search(seg):
            # one ledger written: the rate is recomputed with the 三公 table's other cell
            if (item, missing[0]) not in cells:
                cells[item, missing[0]] = _sangong_cell(doc, m, item, missing[0])
            if cells[item, missing[0]] is not None:
                written[missing[0]] = str(cells[item, missing[0]].value)
        _completion(doc, para, sentence + (follow if seg != clause else ""), seg, written["预算数"], written["决算数"],
                    None, result)


_RATE = re.compile(r"完成(?:年初|全年)?预算(?:数)?的?\s*\d")


def _names_sangong(sentence: str) -> bool:
    """Whether the sentence names the 三公 or one of its items (the words tried before the patterns)."""
    if "三公" in sentence:
        return True
    return ("因公出国" in sentence or "公务用车" in sentence or "公务接待费" in sentence) and any(
        p.search(sentence) for _, p in _SANGONG_ITEMS[1:])


# the audit's 三公 item → the headline figure of app/measures.py, which reads every 三公 layout
_HEADLINE = {"合计": "三公经费", "因公出国（境）费": "因公出国(境)费", "公务用车购置费": "公务用车购置费",
             "公务用车运行维护费": "公务用车运行维护费", "公务接待费": "公务接待费"}


_CAR_BOTH = r"公务用车购置及运行(维护)?费"  # no headline figure of its own: the two car items together


def _sangong_cell(doc, m: Measures, item: str, ledger: str):
    """The 三公 table's cell for an item in one ledger (预算数 / 决算数), in whatever layout it is printed:
    the columns the cross-table checks read, else the headline reader's (one wide row of item columns,
    one row per year, one row per item)."""
    entries = m.by_key.get(("三公", f"{ledger}:{item}"))
    if entries:
        return entries[0][1]
    if item == "合计" and ledger[:2] == doc.kind:
        total = _sangong_total(doc, m)
        if total is not None:
            return total
    name = _HEADLINE.get(item)
    rules = (measures.RULES[f"{name}_{ledger}"] if name else
             measures.sangong_rules(ledger, _CAR_BOTH) if item == "公务用车购置及运行维护费" else None)
    at = measures.locate(doc, rules) if rules else None
    if at is None or at.value is None:
        return None
    return cell_qty(doc, at.table, at.table.rows[at.row_index], at.column)


_VS_YEAR = re.compile(r"(?:比|较|与)\s*(20\d\d)\s*年(?:度)?(?:年初|全年)?(?:预算|决算|执行|同期|相比|增加|减少|增长|下降|持平)")


def _compared_year(doc, para, sentence: str, result: AuditResult) -> None:
    """「比 2022 年预算增加…」 in a 2024 document: the year before is 2023 (a template not updated)."""
    for hit in _VS_YEAR.finditer(sentence):
        if items.wrong_year(doc, para, sentence, int(hit.group(1)), result):
            return


# a 三公 item standing alone as a sentence (「2.公务接待费。」), numbered or not
_SANGONG_HEADING = re.compile(
    r"^\s*(?:\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）])?\s*(?:"
    + "|".join(p.pattern for _, p in _SANGONG_ITEMS[1:]) + r")用?\s*[。.．]\s*$")


_SANGONG_TITLE = re.compile(_SANGONG_HEADING.pattern.replace(r"[。.．]\s*$", r"[。.．]?\s*$"))


def _other_year(doc, before: str) -> bool:
    """「2024 年公务接待费…」 in a 2025 document: the figure is last year's."""
    years = re.findall(r"(20\d\d)\s*年", before[-16:])
    return bool(years) and doc.year is not None and int(years[-1]) != doc.year


# ---------------------------------------------------------------- percentages and changes


def _completion_sentence(doc, para, sentence: str, result: AuditResult) -> None:
    """年初预算为 X，(全年预算为 F，)支出决算为 Y，完成年初预算的 Z% outside a subject paragraph."""
    final = re.search(r"(?:决算|执行)(?:数)?(?:为|是)?\s*" + _N, sentence)
    if final is None:
        return
    plan = re.search(r"年初预算(?:数)?(?:为|是)?\s*" + _N, sentence)
    full = re.search(r"全年预算(?:数)?(?:为|是)?\s*" + _N, sentence)
    budget = re.search(r"(?<![年初全])预算(?:数)?为\s*" + _N, sentence)
    _completion(doc, para, sentence, sentence, budget.group(1) if budget else None, final.group(1),
                (plan.group(1) if plan else None, full.group(1) if full else None), result)
    figures = {k: h.group(1) for k, h in (("final", final), ("plan", plan), ("full", full), ("budget", budget)) if h}
    items.final_word(doc, para, sentence, sentence, figures, result)


_CHANGE = re.compile(
    r"(增加|减少|增长|下降)\s*" + _N + r"[，,]?\s*(?:，)?\s*(增长|下降|增加|减少|降低|上升|提高|降幅|增幅|减幅)\s*(?:了|为)?\s*"
    r"(\d+(?:\.\d+)?)\s*[%％]"
)
_UP = ("增加", "增长", "上升", "提高", "增幅")


# 「较上年增加 9.49 万元，减少的主要原因是…」: the change and the reason given for it point opposite ways
_REASON = re.compile(r"(增加|增长|减少|下降)\s*" + _N + r"\s*[，,]\s*(增加|增长|减少|下降)的主要原因")


def _changes(doc, para, sentence: str, result: AuditResult) -> None:
    """增加 X 万元，下降 Y%: the two words must agree in direction (a zero change says nothing)."""
    for hit in _REASON.finditer(sentence):
        if (hit.group(1) in ("增加", "增长")) != (hit.group(3) in ("增加", "增长")) and _dec(hit.group(2)) != 0:
            loc = sentence_loc(doc, para, sentence)
            result.findings.append(Finding(
                "error", "prose.change_direction", loc, loc, _dec(hit.group(2)), None, None, None,
                f"情况说明写「{hit.group(1)} {hit.group(2)} 万元」，紧接着解释「{hit.group(3)}的主要原因」，方向矛盾，请核对。"))
    for hit in _CHANGE.finditer(sentence):
        up_amount = hit.group(1) in _UP
        up_pct = hit.group(3) in _UP
        if up_amount == up_pct or _dec(hit.group(2)) == 0 or _dec(hit.group(4)) == 0:
            continue
        loc = sentence_loc(doc, para, sentence)
        result.findings.append(Finding(
            "error", "prose.change_direction", loc, loc, _dec(hit.group(2)), _dec(hit.group(4)), None, None,
            f"情况说明同一处写「{hit.group(1)} {hit.group(2)} 万元」又写「{hit.group(3)} {hit.group(4)}%」，方向矛盾，请核对。"))
