"""A 绩效目标表's project funds against the project's row in the 项目支出 table.

Each 项目支出绩效目标表 prints its project's 年度资金总额; the 项目支出表 lists the same project, by
name, with its total. They must agree. A project may sit on several rows (本年拨款 and 上年结转
apart, or one row per unit: 审计业务经费 three times in 烟台): the form agrees when its figure is one
row's total, any printed cell of those rows (a form counting one fund) or their sum. Only a project
on one row is an `error` when it disagrees; several same-named rows none of which fits is a warning.
"""

from __future__ import annotations

import re
from decimal import Decimal

from budgetqa.app.audit.model import AuditResult, Finding, step_of
from budgetqa.app.audit.quantities import SKIP_KINDS, Qty, amount_columns, cell_qty, compare, scale, sum_qty
from budgetqa.app.audit.written import NUM, dec, half_unit, report, sentence_loc
from budgetqa.ingest.models import Document, Row, Table

_FUNDS = re.compile(r"^(?:项目)?(?:年度)?(?:预算)?资金总额|^项目总金额|^年度资金总额")
_NAME_NOISE = re.compile(r"[\s\u3000“”\"'‘’《》、，,·:：\-—_]")


def _norm(name: str) -> str:
    return _NAME_NOISE.sub("", name)


def project_of(t: Table) -> str | None:
    """The project a 绩效 form is titled with: 项目支出绩效目标表（X）, a colliding title's （单位） dropped."""
    rest = t.title[len(t.kind):] if t.title.startswith(t.kind) else ""
    if t.qualifier and rest.endswith(f"（{t.qualifier}）"):
        rest = rest[: -len(t.qualifier) - 2]
    m = re.fullmatch(r"[（(](.+)[)）]", rest)
    return m.group(1) if m else None


def _funds(t: Table) -> tuple[Row, str] | None:
    for r in t.rows:
        if _FUNDS.search(r.label):
            col = next((c for c in t.columns if r.cells.get(c) is not None), None)
            return (r, col) if col else None
    return None


def check_project_funds(doc: Document, result: AuditResult) -> None:
    forms = [t for t in doc.tables if t.kind == "项目支出绩效目标表"]
    lists = [t for t in doc.tables if t.kind == "项目支出预算表"]
    if not forms or not lists:
        return
    by_name: dict[str, list[tuple[Table, Row]]] = {}
    for t in lists:
        for r in t.rows:
            if r.label and not r.is_total:
                by_name.setdefault(_norm(r.label), []).append((t, r))
    for form in forms:
        project = project_of(form)
        funds = _funds(form)
        same = by_name.get(_norm(project or ""), []) if project else []
        if funds is None or not same:
            continue
        a = cell_qty(doc, form, *funds)
        candidates = [_total(doc, t, r) for t, r in same]
        candidates = [c for c in candidates if c is not None]
        if not candidates:
            continue
        if len(same) > 1 and len({id(t) for t, _ in same}) == 1:
            t0 = same[0][0]
            total_col = amount_columns(t0)[0]
            candidates.append(sum_qty(doc, t0, [r for _, r in same], [total_col], None, total_col,
                                      f"同名项目 {len(same)} 行之和"))
        best = min(candidates, key=lambda b: abs(a.value - b.value))
        what = f"项目「{project}」的绩效目标表资金与项目支出表"
        if _fits(a, best):
            compare(result, "perf.project_funds", "绩效资金=项目支出", a, best, what)  # holds, or within rounding
            continue
        if _any_cell_fits(a, same) or _other_unit(form, a, candidates):
            continue
        compare(result, "perf.project_funds", "绩效资金=项目支出", a, best,
                what, severity="error" if len(same) == 1 else "warning",
                note="" if len(same) == 1 else f"（项目支出表中同名项目有 {len(same)} 行）")


def _total(doc: Document, t: Table, r: Row) -> Qty | None:
    cols = amount_columns(t)
    col = next((c for c in cols if r.cells.get(c) is not None), None)
    return cell_qty(doc, t, r, col) if col else None


def _fits(a: Qty, b: Qty) -> bool:
    return abs(a.value - b.value) <= a.half_steps + b.half_steps


def _any_cell_fits(a: Qty, same: list[tuple[Table, Row]]) -> bool:
    """The form's figure is one fund of the project (本年财政拨款 without 上年结转 …)."""
    for t, r in same:
        f = scale(t)
        for v in r.cells.values():
            if v is not None and v != 0 and abs(v * f - a.value) <= a.half_steps + a.step / 2:
                return True
    return False


def _other_unit(form: Table, a: Qty, candidates: list[Qty]) -> bool:
    """A form with no unit line printing 元 where the list prints 万元 (or the reverse): not a contradiction."""
    if form.unit is not None:
        return False
    k = Decimal(10000)
    return any(abs(a.value / k - b.value) <= b.half_steps + Decimal("0.005") or abs(a.value * k - b.value) <= b.half_steps
               for b in candidates)


# 「安全生产和应急管理专项经费 40.00 万元」: a project the 说明 names with its figure
_PROJECT_NAME = re.compile(r"(?:经费|项目|工程|补助|补贴|资金|专项|[^机]费)$")
_FIGURE_AFTER = r"\s*(?:项目)?(?:预算)?(?:为|是|安排)?\s*(\d[\d,]*(?:\.\d+)?)\s*万元"


def check_prose_projects(doc: Document, result: AuditResult) -> None:
    """A project the 说明 names, on one row of the 项目支出表, with a figure right after its name: the
    figure is that row's total (names under six characters, or on several rows, are not bound)."""
    lists = [t for t in doc.tables if t.kind == "项目支出预算表"]
    if not lists:
        return
    rows: dict[str, list[tuple[Table, Row]]] = {}
    for t in lists:
        for r in t.rows:
            if r.label and not r.is_total and not r.code:
                rows.setdefault(r.label, []).append((t, r))
    # a project's name says what is paid for (…专项经费, …项目, …补助); a unit's row (深圳市人民政府口岸办公室)
    # is the unit's whole budget, which the 说明 states under other words
    names = {n: tr[0] for n, tr in rows.items() if len(tr) == 1 and len(_norm(n)) >= 6 and _PROJECT_NAME.search(n)}
    if not names:
        return
    rx = re.compile("(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + ")" + _FIGURE_AFTER)
    for para, sentence in _sentences(doc):
        for hit in rx.finditer(sentence):
            if re.search(r"(?:比|较|增加|减少|上年结转)\s*$", sentence[: hit.start()]):
                continue
            t, r = names[hit.group(1)]
            q = _total(doc, t, r)
            if q is not None:
                report(result, "prose.project", doc, para, sentence, hit.group(2), q, f"项目「{hit.group(1)}」")


# 「2026 年项目支出均实行了绩效目标管理，涉及一般公共预算财政拨款 9,399.23 万元」: every project (or the
# whole budget) under 绩效目标 management, so the funds it names are a total the tables print
_COVERAGE = re.compile(r"绩效目标|绩效管理")
_WHOLE_WORDS = re.compile(r"均|所有|全部|全面|全覆盖|整体")
_COVERED = re.compile(r"涉及[^。；;]*")
_COVERED_FIGURE = re.compile(rf"({NUM})\s*万元")
_TOTAL_WORDS = re.compile(r"合计|总计|小计|项目支出|本年收入|本年支出")


def _printed_totals(doc: Document) -> list[tuple[Decimal, Decimal]]:
    """(value in 万元, half its printed step) of every total and 项目支出 cell of the standard tables, and
    of every line less its 其中 line (西安宣传部: 一般公共预算拨款 25,859.60 less 其中：专项资金列入部门
    预算的项目 20,000.00 is the 5,859.6 its 绩效 sentence names)."""
    out = []
    for t in doc.tables:
        if t.kind in SKIP_KINDS:
            continue
        f = scale(t)
        above: Row | None = None
        for r in t.rows:
            row_total = r.is_total or bool(_TOTAL_WORDS.search(r.label or ""))
            for c, v in r.cells.items():
                if v is not None and v != 0 and (row_total or _TOTAL_WORDS.search(c)):
                    out.append((v * f, step_of(v) * f / 2))
            if not (r.name or "").startswith("其中"):
                above = r
                continue
            for c, v in r.cells.items():
                a = above.cells.get(c) if above is not None else None
                if v and a is not None and a != v:
                    out.append(((a - v) * f, step_of(a, v) * f))
    return out


def check_perf_coverage(doc: Document, result: AuditResult) -> None:
    """A budget's 说明 putting all its projects (or its whole spending) under 绩效目标 management names
    funds that are a total of its tables: 项目支出 or a 合计 of some scope. A figure no total of any
    table prints is a warning (the tables may be cut, the scope unusual), never an error."""
    if doc.kind == "决算" or any("决算" in t.kind for t in doc.tables):
        return  # a 决算's 绩效 sentences name the year's budgets, which its tables do not print
    totals: list[tuple[Decimal, Decimal]] | None = None
    for para, sentence in _sentences(doc, "绩效"):
        covered = _COVERED.search(sentence)
        if not covered or not _COVERAGE.search(sentence[: covered.start()]) or not _WHOLE_WORDS.search(sentence[: covered.start()]):
            continue
        for fig in _COVERED_FIGURE.findall(covered.group(0)):
            value = dec(fig)
            if value == 0:
                continue
            if totals is None:
                totals = _printed_totals(doc)
            if not totals:
                return
            if any(abs(value - v) <= half + half_unit(fig) for v, half in totals):
                continue
            loc = sentence_loc(doc, para, sentence)
            result.findings.append(Finding(
                "warning", "prose.perf_coverage", loc, loc, value, None, None, half_unit(fig),
                f"说明写绩效目标管理覆盖全部项目（或整体支出），涉及资金 {fig} 万元，但各表的项目支出及各合计中"
                f"均无此数，请核对所涉资金与预算表是否一致。"))


_SPACED = re.compile(r"\s+(?=\d)|(?<=\d)\s+(?=[万%％])")
_SENTENCE = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")


def _sentences(doc: Document, word: str = ""):
    """(paragraph, sentence) of the 说明, spaces around figures closed (「1,899.9 万元」); only paragraphs
    naming `word` when one is given."""
    for para in doc.paragraphs:
        if word in para.text:
            yield from ((para, sentence) for sentence in _SENTENCE.findall(_SPACED.sub(" ", para.text)))
