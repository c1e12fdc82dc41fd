"""The audit's recall on injected contradictions: mutate real documents, count what it catches (by hand).

    nice python bench/audit_recall.py [--kinds prose.figure,table.leaf] [--limit 5] [--seed 0]
                                      [--verbose] [--cache DIR] [FILE ...]

The hidden labeled set cannot be seen, so recall is estimated the way documents contradict
themselves: each document (default: the corpus of bench/audit.py) is parsed and audited once
(the baseline), then one mutation at a time is applied to a copy and audited again. A mutation is
caught when a new finding (id not in the baseline), error or warning, has a location at the
mutated place (the mutated sentence, or the mutated table's row; a baseline finding there whose
severity or figures changed counts too); a new finding elsewhere is
counted apart; a mutation that makes a baseline error at its place go away (it undid a real slip)
is not counted. Kinds (the printed form of a number kept: decimals, thousands separators):

  prose.figure      a 万元/元 figure in prose equal to a table cell, +7% (≥ 2 of its last digit);
                    not a threshold (「100 万元以上的设备」)
  prose.direction   增加↔减少, 增长↔下降, 上升↔下降 in a sentence stating a nonzero figure
  prose.share       「占…X%」 / 「占比X%」: X + 3 points
  prose.final_word  大于↔小于, 高于↔低于, 超过↔未达到 where 决算数/执行数 meets 预算数
  prose.completion  「完成…预算的X%」 / 「执行率X%」: X + 5 points
  table.leaf        a leaf row's non-zero amount cell +10% (≥ 2 printed steps)
  table.total       a 合计/总计 row's cell, the same
  items.figure      a numbered 说明 item's 上年数 A, 预算安排 B or change P%

Mutations are a seeded sample, --limit per kind per document. Prints recall by kind and by
document, then the baseline's error findings per document (false alarms if the figures agree);
--verbose lists each miss with its before → after text. A miss of a prose figure that equals a
cell some baseline check or finding already reads is marked 「bound」 (the rule saw the cell but
not this sentence's figure); --cache keeps parsed documents (pickles) between runs.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import pickle
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.app.audit import run  # noqa: E402
from budgetqa.ingest.classify import PERFORMANCE_KINDS  # noqa: E402
from budgetqa.ingest.models import Document, Table  # noqa: E402
from budgetqa.ingest.pipeline import read_document  # noqa: E402

KINDS = ("prose.figure", "prose.direction", "prose.share", "prose.final_word", "prose.completion",
         "table.leaf", "table.total", "items.figure")
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
SENTENCE_END = "。；;\n"


@dataclass
class Mutation:
    kind: str
    page: int | None
    before: str  # the text (or cell) before, clipped around the change
    after: str
    para: int | None = None  # paragraph index (prose)
    pos: int = 0  # where the change starts in the mutated paragraph text
    new_text: str = ""  # the paragraph's mutated text
    table: int | None = None  # table position in doc.tables
    row: int | None = None
    column: str | None = None
    value: Decimal | None = None  # the prose figure's value (for the 「bound」 column)


def corpus() -> list[Path]:
    shared = ROOT.parent / "shared" / "corpus"
    base = shared if shared.is_dir() else ROOT / "tests" / "fixtures"
    return (sorted(base.glob("*.txt")) + sorted((base / "pdf").glob("*.pdf"))
            + sorted((base / "pdf-more").glob("*.pdf")))


# ---------------------------------------------------------------- printed numbers


def parse_num(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


def printed(value: Decimal, like: str) -> str:
    """`value` in the printed form of `like`: same decimals, thousands separators if it had them."""
    decimals = len(like.split(".")[1]) if "." in like else 0
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{q:,.{decimals}f}" if "," in like else f"{q:.{decimals}f}"


def bumped(like: str, factor: Decimal, min_steps: int = 2) -> str:
    """`like` times `factor`, but at least `min_steps` of its last printed digit away."""
    value = parse_num(like)
    decimals = len(like.split(".")[1]) if "." in like else 0
    step = Decimal(1).scaleb(-decimals)
    new = value * factor
    if abs(new - value) < step * min_steps:
        new = value + step * min_steps
    return printed(new, like)


def shifted(like: str, points: int) -> str:
    """A percentage moved by `points` (down when up would pass 100)."""
    value = parse_num(like)
    new = value + points if value + points <= 100 or value - points < 0 else value - points
    return printed(new, like)


def clip(text: str, pos: int, width: int = 80) -> str:
    start = max(0, pos - width // 2)
    return text[start:start + width].replace("\n", " ")


def sentence_at(text: str, pos: int) -> tuple[int, int]:
    start = max(text.rfind(c, 0, pos) for c in SENTENCE_END) + 1
    ends = [i for i in (text.find(c, pos) for c in SENTENCE_END) if i >= 0]
    return start, min(ends) if ends else len(text)


# ---------------------------------------------------------------- finding candidates


def cell_values(doc: Document) -> set[Decimal]:
    return {v.normalize() for t in doc.tables for r in t.rows for v in r.cells.values() if v}


def prose_candidates(doc: Document, kind: str, cells: set[Decimal]) -> list[Mutation]:
    out: list[Mutation] = []
    for pi, para in enumerate(doc.paragraphs):
        text = para.text
        for start, end, new in _prose_edits(text, kind, cells):
            new_text = text[:start] + new + text[end:]
            value = parse_num(text[start:end]) if kind == "prose.figure" else None
            out.append(Mutation(kind, para.page, clip(text, start), clip(new_text, start), para=pi, pos=start,
                                new_text=new_text, value=value))
    return out


FLIPS = {
    "prose.direction": {"增加": "减少", "减少": "增加", "增长": "下降", "上升": "下降", "下降": "增长"},
    "prose.final_word": {"大于": "小于", "小于": "大于", "高于": "低于", "低于": "高于", "超过": "未达到",
                         "未达到": "超过"},
}


def _prose_edits(text: str, kind: str, cells: set[Decimal]):
    """(start, end, replacement) of each place `kind` can change in one paragraph."""
    if kind == "prose.figure":
        for m in re.finditer(rf"({NUM})(?=\s*万?元)", text):
            if re.match(r"\s*万?元\s*(?:以上|以下|及以上)", text[m.end(1):]):
                continue  # 「单位价值 100 万元以上的设备」: a threshold, not an amount the document accounts for
            if parse_num(m.group(1)).normalize() in cells and parse_num(m.group(1)) != 0:
                yield m.start(1), m.end(1), bumped(m.group(1), Decimal("1.07"))
    elif kind in FLIPS:
        words = FLIPS[kind]
        for m in re.finditer("|".join(sorted(words, key=len, reverse=True)), text):
            s, e = sentence_at(text, m.start())
            sentence = text[s:e]
            # a direction word stating a figure (增加 4.98 万元), not one inside a reason (人员经费增加)
            stated = re.match(rf"\s*(?:了)?\s*({NUM})\s*(?:%|万元|元)", text[m.end():])
            if kind == "prose.direction" and (not stated or parse_num(stated.group(1)) == 0):
                continue  # 「增加 0.00 万元」 read 「减少 0.00 万元」 says the same
            if kind == "prose.final_word" and not (re.search("决算数|执行数", sentence) and "预算" in sentence):
                continue
            if "未达到" in text[m.start() - 1:m.end()] and m.group() == "达到":
                continue
            yield m.start(), m.end(), words[m.group()]
    elif kind == "prose.share":
        for m in re.finditer(rf"占(?:比|[^。；，,]{{0,30}}?(?:的|比重|比例)?)\s*(?:为)?\s*({NUM})\s*%", text):
            if parse_num(m.group(1)) == 0:
                continue  # a share of a 0.00 item: 3% of nothing is no contradiction a document makes
            yield m.start(1), m.end(1), shifted(m.group(1), 3)
    elif kind == "prose.completion":
        for m in re.finditer(rf"(?:完成[^。；]{{0,30}}?预算的?|执行率(?:为|达)?)\s*({NUM})\s*%", text):
            yield m.start(1), m.end(1), shifted(m.group(1), 5)
    elif kind == "items.figure":
        if not re.search("（[类款项]）", text):
            return
        patterns = (rf"上年(?:执行|决算|预算)?数?(?:为|是)?\s*({NUM})\s*万?元",
                    rf"(?:预算安排|本年预算数?|预算数)(?:为|是)?\s*({NUM})\s*万?元",
                    rf"(?:增加|减少|增长|下降)\s*({NUM})\s*%")
        for i, pattern in enumerate(patterns):
            for m in re.finditer(pattern, text):
                new = shifted(m.group(1), 5) if i == 2 else bumped(m.group(1), Decimal("1.07"))
                yield m.start(1), m.end(1), new


AMOUNT_COLUMN = re.compile(r"率|%|比例|占|增减|变动|幅度|人数|编号|代码|科目|序号|年份|分值|得分|权重|度量|程度|指标|完成值")


def table_candidates(doc: Document, kind: str) -> list[Mutation]:
    out: list[Mutation] = []
    for ti, table in enumerate(doc.tables):
        if table.kind in PERFORMANCE_KINDS or table.kind == "other":
            continue  # 绩效 forms' cells are indicator values and scores, not amounts that add up
        codes = [r.code for r in table.rows if r.code]
        for ri, row in enumerate(table.rows):
            if kind == "table.total" and not row.is_total:
                continue
            if kind == "table.leaf":
                if row.is_total or (row.code and any(c != row.code and c.startswith(row.code) for c in codes)):
                    continue
                if not row.code and row.level:
                    continue
            for column, value in row.cells.items():
                if not value or AMOUNT_COLUMN.search(column) or column in row.units:
                    continue
                new = bumped_cell(value)
                out.append(Mutation(kind, row.page, f"{table.title} / {row.name} / {column} = {value}",
                                    f"{new}", table=ti, row=ri, column=column))
    return out


def bumped_cell(value: Decimal) -> Decimal:
    exp = value.as_tuple().exponent
    step = Decimal(1).scaleb(exp if isinstance(exp, int) else -2)
    new = (value * Decimal("1.1")).quantize(step, rounding=ROUND_HALF_UP)
    return new if abs(new - value) >= 2 * step else value + 2 * step * (1 if value > 0 else -1)


# ---------------------------------------------------------------- applying and judging


def mutated(doc: Document, mut: Mutation) -> Document:
    """A copy of `doc` with the mutation applied: only the changed paragraph or table is copied."""
    new = copy.copy(doc)
    if mut.para is not None:
        new.paragraphs = list(doc.paragraphs)
        para = copy.copy(doc.paragraphs[mut.para])
        para.text = mut.new_text
        new.paragraphs[mut.para] = para
    else:
        new.tables = list(doc.tables)
        table = copy.copy(doc.tables[mut.table])
        table.rows = list(table.rows)
        row = copy.copy(table.rows[mut.row])
        row.cells = dict(row.cells)
        row.cells[mut.column] = Decimal(mut.after)
        table.rows[mut.row] = row
        new.tables[mut.table] = table
    return new


def norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def at_place(loc, mut: Mutation, doc: Document) -> bool:
    if mut.para is not None:
        if not loc.sentence:
            return False
        text, sentence = norm(mut.new_text), norm(loc.sentence)
        pos = len(norm(mut.new_text[:mut.pos]))
        idx = text.find(sentence)
        while idx >= 0:
            if idx <= pos < idx + len(sentence):
                return True
            idx = text.find(sentence, idx + 1)
        # a sentence the rule rebuilt (joined lines, trimmed): it holds the changed text
        s, e = sentence_at(mut.new_text, mut.pos)
        return norm(mut.new_text[s:e]) in sentence or (len(sentence) > 10 and sentence in norm(mut.new_text[s:e]))
    table: Table = doc.tables[mut.table]
    if loc.table_ref != table.ref and loc.table != table.title:
        return False
    if loc.derived:
        return True
    row = table.rows[mut.row]
    return bool(loc.row) and (row.name in loc.row or (row.label and row.label in loc.row)
                              or bool(row.code and row.code in loc.row))


def bound_values(result) -> set[Decimal]:
    """Values the baseline's checks and findings already read (a prose figure there has a rule)."""
    out: set[Decimal] = set()
    for c in result.checks:
        out.update(v.normalize() for v in (c.left_value, c.right_value) if v is not None)
    for f in result.findings:
        out.update(v.normalize() for v in (f.a_value, f.b_value) if v is not None)
    return out


def load(path: Path, cache: Path | None) -> Document:
    if cache is None:
        return read_document(path)
    key = hashlib.sha1(f"{path.resolve()}:{path.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    file = cache / f"{key}.pickle"
    if file.exists():
        return pickle.loads(file.read_bytes())
    doc = read_document(path)
    cache.mkdir(parents=True, exist_ok=True)
    file.write_bytes(pickle.dumps(doc))
    return doc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--limit", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--cache", type=Path)
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        ap.error(f"unknown kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    by_kind: dict[str, Counter] = defaultdict(Counter)
    by_doc: dict[str, Counter] = defaultdict(Counter)
    baseline_errors: dict[str, Counter] = {}
    misses: list[tuple[str, Mutation, bool]] = []
    for path in args.files or corpus():
        doc = load(path, args.cache)
        base = run(doc)
        # a finding that was there already counts again when its severity or figures changed
        # (302 商品和服务支出 rounding at 76.97/76.98 turning error at 76.97/77.08 keeps its id)
        base_ids = {(f.id, f.severity, f.a_value, f.b_value) for f in base.findings}
        baseline_errors[path.name] = Counter(f.check for f in base.findings if f.severity == "error")
        cells, bound = cell_values(doc), bound_values(base)
        for kind in kinds:
            pool = table_candidates(doc, kind) if kind.startswith("table.") else prose_candidates(doc, kind, cells)
            rng = random.Random(f"{args.seed}:{path.name}:{kind}")
            for mut in rng.sample(pool, min(args.limit, len(pool))):
                found = run(mutated(doc, mut)).findings
                new = [f for f in found
                       if (f.id, f.severity, f.a_value, f.b_value) not in base_ids and f.severity in ("error", "warning")]
                now = {f.id for f in found}
                # the baseline finding's sentence is the text before the mutation
                was = replace(mut, new_text=doc.paragraphs[mut.para].text) if mut.para is not None else mut
                repaired = [f for f in base.findings if f.severity == "error" and f.id not in now
                            and (at_place(f.a, was, doc) or at_place(f.b, was, doc))]
                if repaired and not new:
                    by_kind[kind]["repaired"] += 1  # the mutation undid a real slip (决算数大于预算数 → 小于)
                    continue
                if any(at_place(f.a, mut, doc) or at_place(f.b, mut, doc) for f in new):
                    outcome = "caught"
                elif new:
                    outcome = "elsewhere"
                else:
                    outcome = "missed"
                is_bound = outcome == "missed" and mut.value is not None and mut.value.normalize() in bound
                for counter in (by_kind[kind], by_doc[path.name]):
                    counter[outcome] += 1
                    counter["bound"] += is_bound
                if outcome != "caught":
                    misses.append((path.name, mut, is_bound) if outcome == "missed" else (path.name, mut, False))
                    mut.before = ("[elsewhere] " if outcome == "elsewhere" else "") + mut.before
    report("kind", by_kind, kinds)
    repaired = sum(c["repaired"] for c in by_kind.values())
    if repaired:
        print(f"(not counted: {repaired} mutations that undid a slip the baseline already reports)")
    report("document", by_doc, list(by_doc))
    print("\nbaseline error findings (unmutated documents):")
    for name, counter in baseline_errors.items():
        detail = ", ".join(f"{c} {n}" for c, n in counter.most_common())
        print(f"  {name:46} {sum(counter.values()):4d}  {detail}")
    if args.verbose:
        print("\nnot caught at the mutated place:")
        for name, mut, is_bound in misses:
            mark = " [bound]" if is_bound else ""
            print(f"- {name} {mut.kind} p{mut.page}{mark}\n    {mut.before[:80]}\n  → {mut.after[:80]}")


def report(label: str, rows: dict[str, Counter], order: list[str]) -> None:
    print(f"\n{label:46} {'muts':>5} {'caught':>7} {'elsewh':>7} {'missed':>7} {'bound':>6} {'recall':>7}")
    total = Counter()
    for key in order:
        c = rows.get(key, Counter())
        total.update(c)
        _line(key, c)
    _line("all", total)


def _line(key: str, c: Counter) -> None:
    n = c["caught"] + c["elsewhere"] + c["missed"]
    recall = f"{100 * c['caught'] / n:6.1f}%" if n else "      -"
    print(f"{key:46} {n:5d} {c['caught']:7d} {c['elsewhere']:7d} {c['missed']:7d} {c['bound']:6d} {recall:>7}")


if __name__ == "__main__":
    main()
