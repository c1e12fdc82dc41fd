"""Run a labeled question set through the service: find and ingest its documents, ask, score, time."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from budgetqa.app.models import Answer
from budgetqa.eval.scoring import KINDS, EvalItem, Score, score


@dataclass
class ItemResult:
    item: EvalItem
    score: Score
    answer: Answer | None = None
    seconds: float | None = None
    error: str | None = None  # the document could not be found or ingested

    def to_dict(self) -> dict:
        return {
            "id": self.item.id,
            "doc": self.item.doc,
            "kind": self.item.kind,
            "question": self.item.question,
            "gold": self.item.answer.model_dump(mode="json"),
            "evidence": self.item.evidence,
            "computation": self.item.computation,
            "tolerance": self.item.tolerance,
            "score": self.score.to_dict(),
            "seconds": None if self.seconds is None else round(self.seconds, 4),
            "error": self.error,
            "answer": self.answer.model_dump(mode="json") if self.answer is not None else None,
        }


@dataclass
class EvalRun:
    dataset: str
    settings: dict
    results: list[ItemResult] = field(default_factory=list)
    documents: dict[str, str] = field(default_factory=dict)  # file name → doc id or error

    def summary(self) -> dict:
        return summarize(self.results)

    def to_dict(self) -> dict:
        return {"dataset": self.dataset, "settings": self.settings, "summary": self.summary(),
                "documents": self.documents, "items": [r.to_dict() for r in self.results]}


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100): the smallest value with at least p% of values ≤ it."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def _accuracy(results: list[ItemResult]) -> dict:
    n = len(results)
    right = sum(r.score.right for r in results)
    return {"n": n, "right": right, "accuracy": round(right / n, 4) if n else None}


def summarize(results: list[ItemResult]) -> dict:
    """Accuracy overall / per kind / per document, checker failures, right-but-unverified, latency."""
    kinds = [k for k in KINDS if any(r.item.kind == k for r in results)]
    kinds += sorted({r.item.kind for r in results} - set(kinds))
    docs = sorted({r.item.doc for r in results})
    secs = [r.seconds for r in results if r.seconds is not None]
    p50, p95 = percentile(secs, 50), percentile(secs, 95)
    return {
        **_accuracy(results),
        "by_kind": {k: _accuracy([r for r in results if r.item.kind == k]) for k in kinds},
        "by_doc": {d: _accuracy([r for r in results if r.item.doc == d]) for d in docs},
        "checker_failures": sum(r.score.checker_failure for r in results),
        "checker_failure_ids": [r.item.id for r in results if r.score.checker_failure],
        "right_unverified": sum(r.score.right_unverified for r in results),
        "errors": sum(r.error is not None for r in results),
        "latency": {"p50": None if p50 is None else round(p50, 4), "p95": None if p95 is None else round(p95, 4),
                    "n": len(secs)},
    }


def locate(corpus: Path, name: str) -> Path | None:
    """A document file by name in the corpus folder, else anywhere below it (pdf/, pdf-more/ …)."""
    p = corpus / name
    if p.is_file():
        return p
    return next((q for q in sorted(corpus.rglob(name)) if q.is_file()), None)


def ensure_documents(service, names: Iterable[str], corpus: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    """(doc id per file name, error per file name): stored in the service's home, else ingested from the corpus."""
    ids: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in dict.fromkeys(names):
        doc_id = service.store.resolve(name)
        if doc_id is not None:
            ids[name] = doc_id
            continue
        path = locate(corpus, name) if corpus is not None else None
        if path is None:
            errors[name] = f"{name}: not stored in the home and not found in --corpus or below it"
            continue
        r = service.ingest_one(path, background_dense=False)
        if r.ok and r.doc_id:
            ids[name] = r.doc_id
        else:
            errors[name] = r.error or f"{path}: could not ingest"
    return ids, errors


def run_items(service, items: list[EvalItem], doc_ids: dict[str, str], errors: dict[str, str] | None = None,
              on_item: Callable[[ItemResult], None] | None = None) -> list[ItemResult]:
    """Ask every item about its own document, score it and time it."""
    results = []
    for item in items:
        doc_id = doc_ids.get(item.doc)
        if doc_id is None:
            r = ItemResult(item, Score(False, detail="document not available"),
                           error=(errors or {}).get(item.doc, f"{item.doc}: document not available"))
        else:
            t0 = time.perf_counter()
            try:
                answer = service.ask(item.question, doc_ids=[doc_id])
            except Exception as exc:  # one crashing question is a wrong answer, not the end of the run
                r = ItemResult(item, Score(False, detail="ask raised"), seconds=time.perf_counter() - t0,
                               error=f"{type(exc).__name__}: {exc}")
            else:
                r = ItemResult(item, score(item, answer), answer=answer, seconds=time.perf_counter() - t0)
        results.append(r)
        if on_item is not None:
            on_item(r)
    return results


def run_settings(service, dataset: Path, corpus: Path | None, mode: str, temp_home: bool) -> dict:
    """What the run was made with (secrets left out), for the JSON and the report."""
    s = service.settings.model_dump(mode="json", exclude={"llm": {"api_key"}, "embedding": {"api_key"}, "auth": True})
    return {"dataset": str(dataset), "corpus": str(corpus) if corpus else None, "mode": mode,
            "temporary_home": temp_home, "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "settings": s}
