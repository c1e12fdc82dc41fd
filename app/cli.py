"""The `budgetqa` command: one CLI over the same services the web page uses."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Verified answers and datasets from Chinese budget / final-account disclosures.")
console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

HomeOpt = typer.Option(None, "--home", help="Data directory (default: $BUDGETQA_HOME or the per-user data dir)")


def _service(home: Optional[Path], **kw):
    from app.service import Service
    from app.settings import get_settings

    return Service(get_settings(home), **kw)


def _print_table(headers: list[str], rows: list[list[str]]) -> None:
    """A rich table on a terminal; tab-separated lines when piped, so the output composes."""
    if console.is_terminal:
        t = RichTable(*headers)
        for r in rows:
            t.add_row(*r)
        console.print(t)
    else:
        sys.stdout.write("\t".join(headers) + "\n")
        for r in rows:
            sys.stdout.write("\t".join(r) + "\n")


def _resolve(svc, ref: str) -> str:
    doc_id = svc.resolve(ref)
    if doc_id is None:
        err.print(f"[red]✗[/red] {ref}: no stored document with this id or file name (see `budgetqa docs`)")
        raise typer.Exit(2)
    return doc_id


@app.command()
def ingest(paths: list[Path] = typer.Argument(..., help="Files or folders (.pdf, .txt, .md)"),
           home: Optional[Path] = HomeOpt,
           dense: bool = typer.Option(False, "--dense/--no-dense",
                                      help="Also embed the prose now (slow on CPU; otherwise `budgetqa index` "
                                           "or `budgetqa serve` fills the dense index behind)")):
    """Parse documents into tables and facts and index them; facts and the lexical index are ready at once."""
    from ingest.pipeline import expand_paths

    svc = _service(home, dense=dense)
    files = expand_paths(paths)
    failed = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("ingesting", total=len(files))
        for path in files:
            progress.update(task, description=f"ingesting {path.name}")
            r = svc.ingest_one(path, background_dense=False)
            progress.advance(task)
            if r.ok:
                kinds = ", ".join(f"{k}×{n}" if n > 1 else k for k, n in r.tables_by_kind.items())
                state = "added" if r.added else "already stored"
                progress.console.print(f"[green]✓[/green] {path}: {r.doc_id} {state}; "
                                       f"{sum(r.tables_by_kind.values())} tables ({kinds})")
            else:
                failed += 1
                progress.console.print(f"[red]✗[/red] {r.error}")
    if dense:
        _fill_dense(svc)
    if failed:
        err.print(f"{failed} of {len(files)} files failed")
        raise typer.Exit(1)


def _fill_dense(svc) -> None:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("embedding prose (dense index)", total=None)

        def step(doc_id, i, n):
            progress.update(task, total=n, completed=i, description=f"embedding {doc_id}")

        done = svc.fill_dense(background=False, progress=step)
    err.print(f"dense index: {len(done)} document(s) embedded")


@app.command()
def index(home: Optional[Path] = HomeOpt):
    """Fill the dense (embedding) index for stored documents that lack it."""
    svc = _service(home)
    if svc.retriever.index.dense is None:
        err.print("dense index is off (embedding.provider = none): nothing to do")
        return
    _fill_dense(svc)


@app.command()
def docs(home: Optional[Path] = HomeOpt, as_json: bool = typer.Option(False, "--json")):
    """List stored documents."""
    svc = _service(home)
    rows = svc.store.documents()
    if as_json:
        console.print_json(json.dumps([r.__dict__ for r in rows], ensure_ascii=False))
        return
    _print_table(["id", "file", "department", "year", "kind", "tables"],
                 [[r.id, r.file, r.department or "", str(r.year or ""), f"{r.scope or ''}{r.kind or ''}", str(r.n_tables)]
                  for r in rows])


@app.command()
def tables(doc: str = typer.Argument(..., help="Document id, file name, or a path"), home: Optional[Path] = HomeOpt):
    """List a document's tables: kind, unit, pages, rows."""
    svc = _service(home)
    try:
        d = svc.load(doc)
    except LookupError as exc:
        err.print(f"[red]✗[/red] {exc}")
        raise typer.Exit(2)
    _print_table(["#", "title", "kind", "unit", "pages", "rows"],
                 [[tb.ref, tb.title, tb.kind, tb.unit or "", ",".join(map(str, tb.pages)), str(len(tb.rows))]
                  for tb in d.tables])


@app.command()
def extract(doc: str = typer.Argument(..., help="Document id, file name, or a path (parsed on the fly)"),
            fmt: str = typer.Option("json", "--format", help="json or csv"),
            home: Optional[Path] = HomeOpt):
    """Print a document's tables as JSON or long-form CSV."""
    from app.export import document_csv, document_json
    from ingest.errors import IngestError

    svc = _service(home)
    try:
        d = svc.load(doc)
    except (LookupError, IngestError) as exc:
        err.print(f"[red]✗[/red] {exc}")
        raise typer.Exit(2)
    if fmt == "csv":
        sys.stdout.write(document_csv(d))
    elif fmt == "json":
        sys.stdout.write(json.dumps(document_json(d), ensure_ascii=False, indent=1) + "\n")
    else:
        err.print(f"[red]✗[/red] unknown format {fmt!r}: use json or csv")
        raise typer.Exit(2)


@app.command()
def remove(doc: str, home: Optional[Path] = HomeOpt):
    """Remove a stored document with its facts and index entries."""
    svc = _service(home)
    doc_id = _resolve(svc, doc)
    svc.remove(doc_id)
    console.print(f"removed {doc_id}")


@app.command()
def ask(question: str = typer.Argument(..., help="问题, e.g. 「三公经费决算数比预算少多少？」"),
        doc: list[str] = typer.Option(None, "--doc", help="Restrict to these documents (id or file name)"),
        as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON"),
        home: Optional[Path] = HomeOpt):
    """Answer a question with verified, cited figures."""
    from app.render import render_answer_text

    svc = _service(home)
    doc_ids = [_resolve(svc, d) for d in doc] if doc else None
    answer = svc.ask(question, doc_ids=doc_ids)
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=1) + "\n")
    else:
        console.print(render_answer_text(answer, svc.store))
    if answer.status == "not_found":
        raise typer.Exit(3)


def _register_optional() -> None:
    """Commands whose modules bring heavier imports register lazily."""
    import importlib

    for mod in ("app.cli_eval", "app.cli_serve", "app.cli_bulk", "app.cli_audit"):
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name == mod:
                continue
            raise
        m.register(app)


def main() -> None:
    _register_optional()
    app()


if __name__ == "__main__":
    main()
