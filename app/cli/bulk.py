"""`budgetqa bulk`: a folder of documents → one standard dataset (thin layer over budgetqa.app.bulk)."""

from __future__ import annotations

import signal
from enum import StrEnum
from pathlib import Path
from typing import Optional

import typer
from rich.progress import TextColumn, TimeElapsedColumn

from budgetqa.app.cli.common import err, progress


class Format(StrEnum):
    """The dataset formats (`budgetqa.app.bulk.writers.FORMATS`)."""

    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"
    sqlite = "sqlite"

def bulk(
    sources: list[str] = typer.Argument(..., help="Files, folders or globs (.pdf, .txt, .md)"),
    out: Path = typer.Option(..., "--out", help="Output: a folder (csv) or data.xlsx / data.parquet / data.sqlite"),
    fmt: Optional[Format] = typer.Option(None, "--format", help="Dataset format (default: from --out)"),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes parsing in parallel"),
    resume: bool = typer.Option(False, "--resume", help="Skip files whose content is already in the output"),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="With --resume: parse failed files again"),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="A Dask scheduler (tcp://HOST:8786): its workers parse, this process writes"),
    shared_path: bool = typer.Option(
        False, "--shared-path", help="With --scheduler: workers read the files at their paths (a shared mount) "
        "instead of receiving their bytes"),
):
    """Extract many documents into one dataset: documents, summary (headline figures in 万元), facts, checks,
    findings (with each finding's review mark and note when the store keeps one)."""
    from budgetqa.app import audit
    from budgetqa.app.bulk.cluster import ClusterUnavailable
    from budgetqa.app.bulk.run import run_bulk
    from budgetqa.app.bulk.writers import format_of
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings

    fmt = fmt.value if fmt else format_of(out)
    settings = get_settings()
    # reviewers' marks live in the store: read them when there is one, never create one for this
    service = Service(settings, dense=False) if settings.store_url or settings.db_path.exists() else None

    with progress(TextColumn("{task.fields[state]}"), TimeElapsedColumn()) as bar:
        task = bar.add_task("extracting", total=None, state="")

        def on_event(kind, result, report):
            if kind == "start":
                bar.update(task, total=report.files)
                return
            if kind in ("done", "skip"):
                bar.advance(task)
            if kind == "done" and result.status == "failed":
                bar.console.print(f"[red]✗[/red] {result.reason}")
            bar.update(task, state=f"ok {report.ok} · partial {report.partial} · failed {report.failed} · "
                                        f"skipped {report.skipped}")

        previous = signal.signal(signal.SIGTERM, _terminate_as_interrupt)
        try:
            report = run_bulk(sources, out, workers=workers, resume=resume, retry_failed=retry_failed,
                              on_event=on_event, fmt=fmt, audit=audit.run,
                              max_pages=settings.max_pages or None, scheduler=scheduler,
                              shared_path=shared_path, marks=service.marks_of if service else None)
        except ClusterUnavailable as exc:
            err.print(f"[red]✗[/red] {exc}")
            raise typer.Exit(2) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
            if service is not None:
                service.close()

    rate = f"{report.docs_per_minute:.0f} documents/min" if report.processed else "nothing to parse"
    err.print(
        f"{report.files} files: {report.ok} ok, {report.partial} partial, {report.failed} failed, "
        f"{report.skipped} skipped (already in the output) — {report.seconds:.1f} s, {rate}"
    )
    err.print(f"dataset ({fmt}): {out}")
    if report.interrupted:
        err.print("[yellow]interrupted[/yellow]: finished files are in the dataset; run again with --resume")
        raise typer.Exit(130)
    if report.failed_total:
        err.print(f"[red]{report.failed_total} file(s) failed[/red]: see the documents table for the reasons")
        raise typer.Exit(1)


def _terminate_as_interrupt(signum, frame):
    # `kill` gets the same ending as Ctrl-C: finished files stay and the dataset is written.
    raise KeyboardInterrupt


def register(app: typer.Typer) -> None:
    app.command("bulk")(bulk)
