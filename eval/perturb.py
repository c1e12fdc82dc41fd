"""Checker stress run: faithful and deliberately wrong model answers citing the gold cell(s).

For each numeric item the gold cell is found among the document's facts (for arithmetic items, one
fact per operand of `computation`). A faithful answer states it and cites it; perturbed answers cite
the same facts but state a wrong figure: a changed digit, a shifted decimal point, 元↔万元 without
converting, the neighbouring row's / column's value, the same row of another table, and (arithmetic)
the result of a wrong derivation. Each goes through `app.checker.verify` as if a model wrote it.
Three more go through the fit check as well (`app.qa.fit`), because each figure in them is a cited
cell and only the fit catches them: a figure equal to another cited cell (an arithmetic answer that
states its first operand), the right cell answering a different op (the operand where a difference
or share was asked), and a count question answered in money.
The checker and the fit check together should flag every perturbation and no faithful answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from budgetqa.app.checker import verify
from budgetqa.app.models import Claim, Figure
from budgetqa.app.qa import fit
from budgetqa.app.qa.query import Query, Ref
from budgetqa.eval.scoring import EvalItem, normalize_text, to_unit
from budgetqa.ingest.grams import bigrams
from budgetqa.ingest.units import MONEY_SCALE as MONEY, norm_unit
from budgetqa.ingest.models import Fact

PERTURBATIONS = ("digit", "decimal_shift", "unit_swap", "neighbour_row", "neighbour_column", "other_table",
                 "wrong_derivation", "other_cited_cell", "different_op", "count_in_money")
# The op a gold derivation answers, and the unit kind it is asked in.
_OP_OF = {"cell": "value", "difference": "difference", "sum": "sum", "share": "share", "ratio": "share"}
_OPS = re.compile(r"^\s*([\d.,]+)\s*(([-+])\s*[\d.,]+(?:\s*\3\s*[\d.,]+)*|/\s*[\d.,]+(?:\s*\*\s*100)?)\s*=")
_NUM = re.compile(r"[\d.,]+")
_COL = re.compile(r"-c(-?\d+)$")
_WRONG = {"difference": "sum", "sum": "difference", "share": "inverse share", "ratio": "inverse ratio"}


@dataclass
class GoldSpec:
    """What the faithful answer states: a cell, or a derivation over cells, and its written value."""

    facts: list[Fact]
    derivation: str  # cell | difference | sum | share | ratio
    value: Decimal
    unit: str | None


@dataclass
class Case:
    item_id: str
    type: str  # "faithful" or one of PERTURBATIONS
    text: str
    claims: list[dict]
    flagged: bool
    status: str
    figures: list[dict] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class PerturbRun:
    cases: list[Case] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # item id → why it was not perturbed

    def summary(self) -> dict:
        faithful = [c for c in self.cases if c.type == "faithful"]
        by_type = {}
        for t in PERTURBATIONS:
            cs = [c for c in self.cases if c.type == t]
            if cs:
                n = sum(c.flagged for c in cs)
                by_type[t] = {"n": len(cs), "flagged": n, "share": round(n / len(cs), 4)}
        pert = [c for c in self.cases if c.type != "faithful"]
        wrong = [c for c in faithful if c.flagged]
        return {
            "items": len(faithful),
            "perturbations": len(pert),
            "flagged": sum(c.flagged for c in pert),
            "flagged_share": round(sum(c.flagged for c in pert) / len(pert), 4) if pert else None,
            "by_type": by_type,
            "faithful": len(faithful),
            "faithful_flagged": len(wrong),
            "faithful_flagged_share": round(len(wrong) / len(faithful), 4) if faithful else None,
            "got_through": [c.to_dict() for c in pert if not c.flagged],
            "faithful_wrongly_flagged": [c.to_dict() for c in wrong],
            "skipped": self.skipped,
        }

    def to_dict(self) -> dict:
        return {"summary": self.summary(), "cases": [c.to_dict() for c in self.cases]}


# ---------------------------------------------------------------- finding the gold


def _cov(a: str | None, b: str) -> float:
    """Share of a's character bigrams found in b (1.0 when a is contained in b)."""
    a, b = normalize_text(a or ""), normalize_text(b)
    if not a:
        return 0.0
    if a in b:
        return 1.0
    g = bigrams(a)
    return len(g & bigrams(b)) / len(g) if g else 0.0


def evidence_score(f: Fact, table: str | None, row: str | None, column: str | None) -> float:
    """How well a fact's table / row / column fit the item's evidence (0 … 4)."""
    s = _cov(table, f.table_title) + _cov(row, f"{f.row_code or ''}{f.row_name}") + _cov(column, f.column)
    if f.row_code and row and re.search(rf"(?<!\d){f.row_code}(?!\d)", row):
        s += 1
    return s


def _evidence_part(text: str | None, i: int, n: int) -> str | None:
    """The i-th of n parts of an evidence field written "A / B", or the whole field."""
    if not text:
        return None
    parts = [p.strip() for p in re.split(r"\s*/\s*", text)]
    return parts[i] if len(parts) == n else text


def best_fact(facts: Iterable[Fact], value: Decimal, unit: str | None, tolerance: Decimal,
              table: str | None, row: str | None, column: str | None) -> Fact | None:
    """The fact equal to `value` (in `unit`, within tolerance) that best fits the evidence."""
    hits = []
    for f in facts:
        v = to_unit(f.value, f.unit, unit)
        if v is not None and abs(v - value) <= tolerance:
            hits.append(f)
    if not hits:
        return None
    return max(hits, key=lambda f: (evidence_score(f, table, row, column), -f.table_index, -f.row_index))


def parse_computation(text: str | None) -> tuple[str, list[Decimal]] | None:
    """"2222.76-2199.25 = 23.51" → ("difference", [2222.76, 2199.25]); a/b*100 → share; a+b → sum."""
    m = _OPS.match(text or "")
    if not m:
        return None
    nums = [Decimal(n.replace(",", "")) for n in _NUM.findall(text.split("=")[0]) if n.strip(".,")]
    expr = m.group(2)
    if expr.startswith("/"):
        nums = nums[:2]
        return ("share" if "*" in expr else "ratio"), nums
    if m.group(3) == "+":
        return "sum", nums
    return ("difference", nums) if len(nums) == 2 else None


def _derive(kind: str, vals: list[Decimal]) -> Decimal:
    if kind == "sum":
        return sum(vals, Decimal(0))
    a, b = vals
    if kind == "difference":
        return a - b
    if kind == "share":
        return (a / b * 100).quantize(Decimal("0.01"))
    return (a / b).quantize(Decimal("0.01"))  # ratio


def _common(facts: list[Fact]) -> list[Decimal]:
    """Operand values in the first fact's unit (money converts), as the checker recomputes them."""
    to = facts[0].unit
    return [to_unit(f.value, f.unit, to) if to in MONEY and f.unit in MONEY else f.value for f in facts]


def gold_spec(item: EvalItem, facts: list[Fact]) -> GoldSpec | str:
    """The cell (or the operand cells and derivation) behind a numeric item; a reason string if none."""
    ev = item.evidence
    tol = Decimal(str(item.tolerance or 0))
    gold = Decimal(str(item.answer.value))
    if item.kind == "arithmetic":
        parsed = parse_computation(item.computation)
        if parsed is None:
            return f"computation not understood: {item.computation!r}"
        kind, operands = parsed
        found = []
        for i, v in enumerate(operands):
            parts = [_evidence_part(ev.get(k), i, len(operands)) for k in ("table", "row", "column")]
            f = best_fact(facts, v, None, Decimal(0), *parts)
            if f is None:
                return f"no fact equals operand {v}"
            found.append(f)
        value = _derive(kind, _common(found))
        unit = "%" if kind == "share" else "倍" if kind == "ratio" else found[0].unit
        return GoldSpec(found, kind, value, unit)
    f = best_fact(facts, gold, norm_unit(item.answer.unit), tol, ev.get("table"), ev.get("row"), ev.get("column"))
    if f is None:
        return "no fact equals the gold value (stated only in prose?)"
    return GoldSpec([f], "cell", f.value, f.unit)


# ---------------------------------------------------------------- writing answers


def fmt(v: Decimal) -> str:
    """Fixed-point with thousands separators, never an exponent: 7.00E+3 → 7,000."""
    return f"{v:,f}"


def _decimals(v: Decimal) -> int:
    return max(0, -v.as_tuple().exponent)  # type: ignore[operator]


def _distinct(written: Decimal, gold: Decimal) -> bool:
    """`written` differs from `gold` by more than the rounding its precision allows."""
    return abs(written - gold) > Decimal(5).scaleb(-_decimals(written) - 1)


def _subject(spec: GoldSpec) -> str:
    name = re.sub(r"</?b>|\s", "", spec.facts[0].row_name)
    name = re.sub(r"^[一二三四五六七八九十]+、|^（[一二三四五六七八九十]+）", "", name)
    if spec.derivation != "cell" or not name or re.search(r"\d", name):
        return "所问数额"  # digits in a subject would be read as figures themselves
    return name


def sentence(spec: GoldSpec, value: Decimal, unit: str | None) -> str:
    return f"{_subject(spec)}为{fmt(value)}{unit or ''}。"


def claims_for(spec: GoldSpec) -> list[Claim]:
    return [Claim(value=spec.value, unit=spec.unit, fact_ids=[f.fact_id for f in spec.facts],
                  derivation=spec.derivation)]  # type: ignore[arg-type]


def _col(f: Fact) -> int:
    m = _COL.search(f.fact_id)
    return int(m.group(1)) if m else -1


def neighbour_row(gold: Fact, facts: Iterable[Fact]) -> Fact | None:
    """The nearest row of the same table side and column whose value differs."""
    same = [f for f in facts if f.table_index == gold.table_index and f.side == gold.side
            and f.column == gold.column and f.row_index != gold.row_index and _distinct(f.value, gold.value)]
    return min(same, key=lambda f: (abs(f.row_index - gold.row_index), f.row_index), default=None)


def neighbour_column(gold: Fact, facts: Iterable[Fact]) -> Fact | None:
    """The nearest column of the same row whose value differs."""
    c = _col(gold)
    same = [f for f in facts if f.table_index == gold.table_index and f.side == gold.side
            and f.row_index == gold.row_index and f.fact_id != gold.fact_id and _distinct(f.value, gold.value)]
    return min(same, key=lambda f: (abs(_col(f) - c), _col(f)), default=None)


def other_table(gold: Fact, facts: Iterable[Fact]) -> Fact | None:
    """The same row (same code, else same name) in another table, with a different value."""
    key = (lambda f: f.row_code == gold.row_code) if gold.row_code else (lambda f: f.row_name == gold.row_name)
    same = [f for f in facts if f.table_index != gold.table_index and key(f) and _distinct(f.value, gold.value)]
    return min(same, key=lambda f: (f.column != gold.column, f.table_index), default=None)


def _changed_digit(v: Decimal) -> Decimal:
    digits = list(fmt(v).replace(",", ""))
    i = max(i for i, ch in enumerate(digits) if ch.isdigit())
    d = int(digits[i])
    digits[i] = str(d + 1 if d < 9 else d - 1)
    return Decimal("".join(digits))


def perturbed(spec: GoldSpec, facts: list[Fact]) -> list[tuple[str, Decimal, str | None, str]]:
    """(type, written value, written unit, note) for each perturbation that applies to the spec."""
    out: list[tuple[str, Decimal, str | None, str]] = []
    v, unit = spec.value, spec.unit
    out.append(("digit", _changed_digit(v), unit, f"last digit of {fmt(v)} changed"))
    if v != 0:  # 0 ×10 and 0元 = 0万元 are still right: not perturbations
        out.append(("decimal_shift", v.scaleb(1), unit, f"{fmt(v)} ×10"))
    if unit in ("万元", "元") and v != 0:
        other = "元" if unit == "万元" else "万元"
        out.append(("unit_swap", v, other, f"{fmt(v)}{unit} written as {other}"))
    first = spec.facts[0]
    for kind, find in (("neighbour_row", neighbour_row), ("neighbour_column", neighbour_column),
                       ("other_table", other_table)):
        n = find(first, facts)
        if n is None:
            continue
        where = f"{n.table_title} / {n.row_code or ''}{n.row_name} / {n.column} = {fmt(n.value)}"
        if spec.derivation == "cell":
            out.append((kind, n.value, n.unit, where))
        else:  # the model read the wrong cell for the first operand, then derived correctly
            vals = _common([n, *spec.facts[1:]]) if n.unit == first.unit else None
            if vals is not None:
                w = _derive(spec.derivation, vals)
                if _distinct(w, v):
                    out.append((kind, w, unit, f"first operand read from {where}"))
    if spec.derivation in _WRONG:
        vals = _common(spec.facts)
        if spec.derivation == "difference":
            w = vals[0] + vals[1]
        elif spec.derivation == "sum":
            w = vals[0] - sum(vals[1:], Decimal(0))
        else:
            w = _derive(spec.derivation, list(reversed(vals)))
        if _distinct(w, v):
            out.append(("wrong_derivation", w, unit, f"{_WRONG[spec.derivation]} instead of {spec.derivation}"))
    return out


# ---------------------------------------------------------------- running


def asked(item: EvalItem, spec: GoldSpec) -> Query:
    """The plan a faithful answer executes: the gold's op over the gold's cells, in the gold's unit kind."""
    return Query(question=item.question, op=_OP_OF.get(spec.derivation, "value"),  # type: ignore[arg-type]
                 unit_kind=fit.unit_kind(norm_unit(item.answer.unit) or spec.unit),  # type: ignore[arg-type]
                 # the ideal plan: each operand the gold cell's row (or, in a one-row table, its column),
                 # read from the whole question, so no word of it is left over
                 operands=[Ref(text=item.question, row=f.row_name or f.column, code=f.row_code) for f in spec.facts])


def _case(item: EvalItem, kind: str, text: str, claims: list[Claim], facts: Mapping[str, Fact], note: str,
          faithful: bool, query: Query | None = None, headline: Claim | None = None) -> Case:
    result = verify(text, claims, facts)
    figures = result.figures
    if query is not None:  # the fit check: the figure must be the one the question asks for
        figures = fit.apply(figures, fit.fit_problems(query, headline or claims[0], figures, []))
    verified = bool(figures) and all(f.verified for f in figures)
    # Faithful answers are flagged when any figure is not verified; a perturbation is caught when its
    # (only) figure is not verified — a perturbation whose text yields no figure counts as caught.
    flagged = not verified if faithful else not any(f.verified for f in figures)
    status = "verified" if verified else ("partial" if any(f.verified for f in figures) else "unverified")
    return Case(item.id, kind, text, [c.model_dump(mode="json") for c in claims], flagged, status,
                [_figure(f) for f in figures], note)


def fit_perturbed(item: EvalItem, spec: GoldSpec, facts: list[Fact]) -> list[tuple[str, str, list[Claim], Claim, str]]:
    """(type, text, claims cited, headline, note) of the answers only the fit check can catch."""
    out = []
    if spec.derivation != "cell":
        first = spec.facts[0]
        cell = Claim(value=first.value, unit=first.unit, fact_ids=[first.fact_id])
        # states the first operand but cites the whole derivation: equal to another cited cell
        out.append(("other_cited_cell", sentence(spec, first.value, first.unit), claims_for(spec) + [cell],
                    claims_for(spec)[0], f"states operand {fmt(first.value)} instead of the {spec.derivation}"))
        # answers with the operand's cell alone: the right cell for a different op
        out.append(("different_op", sentence(spec, first.value, first.unit), [cell], cell,
                    f"a lookup of {fmt(first.value)} where a {spec.derivation} was asked"))
    if fit.unit_kind(norm_unit(item.answer.unit) or spec.unit) == "count":
        money = next((f for f in facts if f.unit in MONEY and f.table_index == spec.facts[0].table_index), None) \
            or next((f for f in facts if f.unit in MONEY), None)
        if money is not None:
            cell = Claim(value=money.value, unit=money.unit, fact_ids=[money.fact_id])
            out.append(("count_in_money", sentence(spec, money.value, money.unit), [cell], cell,
                        f"a count answered with {fmt(money.value)}{money.unit}"))
    return out


def _figure(f: Figure) -> dict:
    return f.model_dump(mode="json", include={"text", "verified", "derivation", "reason"})


def perturb_item(item: EvalItem, facts: list[Fact]) -> list[Case] | str:
    """The faithful case and every perturbed case for one numeric item; a reason string if skipped."""
    spec = gold_spec(item, facts)
    if isinstance(spec, str):
        return spec
    claims = claims_for(spec)
    cited = {f.fact_id: f for f in spec.facts}
    query = asked(item, spec)
    cases = [_case(item, "faithful", sentence(spec, spec.value, spec.unit), claims, cited,
                   f"cites {', '.join(cited)}", faithful=True, query=query)]
    for kind, value, unit, note in perturbed(spec, facts):
        cases.append(_case(item, kind, sentence(spec, value, unit), claims, cited, note, faithful=False, query=query))
    by_id = {f.fact_id: f for f in facts}
    for kind, text, cl, head, note in fit_perturbed(item, spec, facts):
        refs = {i: by_id[i] for c in cl for i in c.fact_ids if i in by_id}
        cases.append(_case(item, kind, text, cl, refs, note, faithful=False, query=query, headline=head))
    return cases


def run_perturb(items: Iterable[EvalItem], store, doc_ids: Mapping[str, str], on_item=None) -> PerturbRun:
    """Perturb every numeric item whose document is stored."""
    run = PerturbRun()
    facts_of: dict[str, list[Fact]] = {}
    for item in items:
        if not item.numeric:
            continue
        doc_id = doc_ids.get(item.doc)
        if doc_id is None:
            run.skipped[item.id] = f"{item.doc}: document not available"
        else:
            if doc_id not in facts_of:
                facts_of[doc_id] = store.facts([doc_id])
            got = perturb_item(item, facts_of[doc_id])
            if isinstance(got, str):
                run.skipped[item.id] = got
            else:
                run.cases += got
        if on_item is not None:
            on_item(item)
    return run
