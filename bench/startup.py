"""Startup to usable page with `budgetqa serve --demo`: page served, first verified answer, all samples in.

    /work/venv/bin/python bench/startup.py [--home DIR] [--dense] [--runs 2]

Spawns the real command in a fresh data directory (first run: cold, samples parsed; later runs
reuse it: warm) and polls it from outside like a browser would. Target: usable in < 20 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "2023年“三公”经费决算数是多少？"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(cond, timeout: float, step: float = 0.2):
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        try:
            value = cond()
            if value:
                return value
        except Exception:
            pass
        time.sleep(step)
    raise TimeoutError("gave up waiting")


def run_once(home: Path, dense: bool, n_samples: int) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    if not dense:
        env["BUDGETQA_EMBEDDING__PROVIDER"] = "none"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "budgetqa.app.cli.main", "serve", "--demo", "--home", str(home),
                             "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    out: dict[str, float] = {}
    try:
        wait(lambda: urllib.request.urlopen(url, timeout=2).status == 200, 120)
        out["page_served_s"] = time.perf_counter() - t0
        from gradio_client import Client

        client = Client(url, verbose=False)

        def answered():
            docs = client.predict(api_name="/documents")
            return docs and client.predict(QUESTION, ",".join(d["id"] for d in docs), api_name="/ask")["status"] == "verified"

        wait(answered, 120, 0.5)
        out["first_verified_answer_s"] = time.perf_counter() - t0
        wait(lambda: len(client.predict(api_name="/documents")) >= n_samples, 300, 0.5)
        out["all_samples_ready_s"] = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=None, help="data directory (default: a fresh temp dir)")
    ap.add_argument("--dense", action="store_true", help="keep the dense (embedding) index on during preload")
    ap.add_argument("--runs", type=int, default=2, help="first run cold, the others warm")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from budgetqa.app.ui.samples import sample_files

    home = args.home or Path(tempfile.mkdtemp(prefix="budgetqa-bench-"))
    n = len(sample_files())
    print(f"budgetqa serve --demo ({n} sample documents, dense index {'on' if args.dense else 'off'}), home {home}")
    for i in range(args.runs):
        r = run_once(home, args.dense, n)
        label = "cold" if i == 0 else "warm"
        print(f"{label}: " + ", ".join(f"{k} {v:.1f}" for k, v in r.items())
              + f"  [{'OK' if r['first_verified_answer_s'] < 20 else 'SLOW'}: usable < 20 s]")


if __name__ == "__main__":
    main()
