"""The sample documents `budgetqa serve --demo` preloads into the page's library."""

from __future__ import annotations

import time
from pathlib import Path

from budgetqa.app.ui.upload import accept_upload


def sample_files() -> list[Path]:
    """The sample documents shipped in the `budgetqa.samples` package (the budgetqa_samples folder)."""
    import budgetqa.samples as budgetqa_samples

    folder = Path(budgetqa_samples.__file__).parent
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".pdf", ".txt", ".md"))


def preload_samples(service, page=None, log=print) -> None:
    """Ingest the samples not yet stored (text first: they parse fastest, so asking can start at once)."""
    files = sorted(sample_files(), key=lambda p: (p.suffix.lower() == ".pdf", p.name))
    if page is not None:
        page.loading.set()
    try:
        t0 = time.perf_counter()
        for path in files:
            out = accept_upload(service, path, path.name)
            log(f"{'✓' if out.ok else '✗'} {out.message} ({time.perf_counter() - t0:.1f} s)")
    finally:
        if page is not None:
            page.loading.clear()
