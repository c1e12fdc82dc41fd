"""The audit's own speed: milliseconds per document for the rules, over the corpus (by hand).

    python bench/audit.py [--repeat 5] [FILE ...]

Default files: the text conversions and PDFs of ../shared/corpus (pdf/, pdf-more/) when it is
there, else tests/fixtures. Each document is parsed once (not timed), then `audit.run` is timed
--repeat times as CPU time: the least of the runs (what the rules cost; the target, as timeit
reads its runs: the rules do the same work each time, so what the other runs add is the shared
machine's other processes), the median beside it, and the median wall time. Prints ms per document
with its findings by severity, then the mean and the slowest against the target (≤ 50 ms per
document). On a machine whose speed swings, count instructions instead (callgrind: the same count
run after run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.app.audit import run  # noqa: E402
from budgetqa.ingest.pipeline import read_document  # noqa: E402

TARGET_MS = 50.0


def corpus() -> list[Path]:
    shared = ROOT.parent / "shared" / "corpus"
    base = shared if shared.is_dir() else ROOT / "tests" / "fixtures"
    return (sorted(base.glob("*.txt")) + sorted((base / "pdf").glob("*.pdf"))
            + sorted((base / "pdf-more").glob("*.pdf")))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    paths = args.files or corpus()
    print(f"{'file':46} {'cpu ms':>7} {'cpu med':>8} {'wall med':>9} {'error':>6} {'warning':>8} {'rounding':>9} "
          f"{'checks':>7}")
    times = []
    for path in paths:
        doc = read_document(path)
        cpu, wall = [], []
        for _ in range(args.repeat):
            c, t = time.process_time(), time.perf_counter()
            result = run(doc)
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - t) * 1000)
        ms = min(cpu)
        times.append((ms, path.name))
        by = {s: sum(f.severity == s for f in result.findings) for s in ("error", "warning", "rounding")}
        print(f"{path.name:46} {ms:7.1f} {statistics.median(cpu):8.1f} {statistics.median(wall):9.1f} "
              f"{by['error']:6d} {by['warning']:8d} {by['rounding']:9d} {len(result.checks):7d}")
    if times:
        mean = statistics.mean(t for t, _ in times)
        worst, name = max(times)
        verdict = "ok" if worst <= TARGET_MS else "over"
        print(f"{len(times)} documents: mean {mean:.1f} ms CPU, slowest {worst:.1f} ms ({name}); "
              f"target ≤ {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
