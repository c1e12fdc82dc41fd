"""The audit's cost in instructions per run, the same count run after run (by hand; needs valgrind).

    python bench/audit_instructions.py FILE [--runs 3]

Time on a shared machine swings by half from one minute to the next; an instruction count does not.
The document is parsed once and kept in a temporary pickle; valgrind's callgrind then counts a
process that loads it and audits it once (to warm up), and one that audits it --runs more times: the
difference over --runs is one audit. Compare two checkouts by running each one's copy of this file.
"""

from __future__ import annotations

import argparse
import pickle
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.ingest.pipeline import read_document  # noqa: E402

_AUDIT = """
import pickle, sys
from budgetqa.app.audit import run
doc = pickle.loads(open(sys.argv[1], "rb").read())
for _ in range(1 + int(sys.argv[2])):
    run(doc)
"""


def _instructions(pickled: Path, runs: int) -> int:
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                          "-c", _AUDIT, str(pickled), str(runs)], capture_output=True, text=True, check=True)
    return int(re.search(r"refs:\s+([\d,]+)", out.stderr).group(1).replace(",", ""))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pickled = Path(tmp) / "doc.pkl"
        pickled.write_bytes(pickle.dumps(read_document(args.file)))
        base, more = _instructions(pickled, 0), _instructions(pickled, args.runs)
    print(f"{args.file.name}: {(more - base) / args.runs / 1e6:.0f} M instructions per audit run")


if __name__ == "__main__":
    main()
