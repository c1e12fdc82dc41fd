"""Latency of `ask` in grounded mode: the corpus indexed, then with N synthetic documents added.

Run by hand:  python bench/query.py [--synthetic 500] [--questions 50]
Synthetic documents are perturbed copies of the corpus text conversions (figures and the
department name changed, so each has its own content hash). Prints p50 / p95 (target p95 < 300 ms).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.app.service import Service  # noqa: E402
from budgetqa.app.settings import get_settings  # noqa: E402

FIX = ROOT / "tests/fixtures"


def perturb(text: str, i: int, rng: random.Random) -> str:
    def digit(m: re.Match) -> str:
        s = m.group(0)
        k = rng.randrange(len(s))
        return s[:k] + str(rng.randrange(10)) + s[k + 1:] if s[k].isdigit() else s

    text = re.sub(r"\d+\.\d\d", digit, text)
    return text.replace("局", f"局第{i}分局", 1)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))]


def run(svc: Service, items: list[dict], ids: dict[str, str], scoped: bool) -> list[float]:
    times = []
    for it in items:
        doc_ids = [ids[it["doc"]]] if scoped else None
        t = time.perf_counter()
        svc.ask(it["question"], doc_ids=doc_ids)
        times.append((time.perf_counter() - t) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    print(f"{label:48} n={len(times):4d}  p50 {statistics.median(times):7.1f} ms  p95 {pct(times, 95):7.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic", type=int, default=500)
    ap.add_argument("--questions", type=int, default=50)
    a = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bq-bench-"))
    svc = Service(get_settings(home, embedding={"provider": "none"}), dense=False)
    ids = {}
    t = time.perf_counter()
    for p in sorted(FIX.glob("*.txt")) + sorted((FIX / "pdf").glob("*.pdf")):
        ids[p.name] = svc.ingest_one(p).doc_id
    print(f"corpus ingested (facts + lexical index) in {time.perf_counter() - t:.1f} s")
    items = [json.loads(x) for x in (ROOT / "eval/dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    items = (items * 10)[: a.questions]
    svc.ask("预热", doc_ids=None)
    report("corpus, question scoped to its document", run(svc, items, ids, True))
    report("corpus, no document given", run(svc, items, ids, False))
    if a.synthetic:
        rng = random.Random(7)
        src = sorted(FIX.glob("*.txt"))
        tmp = home / "synthetic"
        tmp.mkdir()
        t = time.perf_counter()
        for i in range(a.synthetic):
            s = src[i % len(src)]
            f = tmp / f"{s.stem}-{i}.txt"
            f.write_text(perturb(s.read_text(encoding="utf-8"), i, rng), encoding="utf-8")
            svc.ingest_one(f)
        print(f"{a.synthetic} synthetic documents ingested in {time.perf_counter() - t:.1f} s")
        svc2 = Service(get_settings(home, embedding={"provider": "none"}), dense=False)  # cold caches
        svc2.ask("预热", doc_ids=None)
        report(f"+{a.synthetic} synthetic, scoped", run(svc2, items, ids, True))
        report(f"+{a.synthetic} synthetic, no document given", run(svc2, items, ids, False))


if __name__ == "__main__":
    main()
