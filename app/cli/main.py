"""The `budgetqa` command: one CLI over the same services the web page uses."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.markup import escape  # noqa: E402

from budgetqa.app.cli import audit as _audit, bulk as _bulk, eval as _eval, serve as _serve  # noqa: E402  (after the switches)
from budgetqa.app.cli.common import HomeOpt, console, err, print_table, progress, resolve_doc, service  # noqa: E402

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Verified answers and datasets from Chinese budget / final-account disclosures.")


@app.command()
def ingest(paths: list[Path] = typer.Argument(..., help="Files or folders (.pdf, .txt, .md)"),
           home: Optional[Path] = HomeOpt,
           dense: bool = typer.Option(False, "--dense/--no-dense",
                                      help="Also embed the prose now (slow on CPU; otherwise `budgetqa index` "
                                           "or `budgetqa serve` fills the dense index behind)")):
    """Parse documents into tables and facts and index them; facts and the lexical index are ready at once."""
    from budgetqa.ingest.pipeline import expand_paths

    svc = service(home, dense=dense)
    files = expand_paths(paths)
    failed = 0
    with progress() as bar:
        task = bar.add_task("ingesting", total=len(files))
        for path in files:
            bar.update(task, description=f"ingesting {path.name}")
            r = svc.ingest_one(path, background_dense=False)
            bar.advance(task)
            if r.ok:
                kinds = ", ".join(f"{k}×{n}" if n > 1 else k for k, n in r.tables_by_kind.items())
                if r.same_as:
                    state = f"same document as {r.same_as} ({r.doc_id}), not stored again"
                else:
                    state = f"{r.doc_id} " + ("added" if r.added else "already stored")
                bar.console.print(f"[green]✓[/green] {escape(str(path))}: {state}; "
                                  f"{sum(r.tables_by_kind.values())} tables ({kinds})")
            else:
                failed += 1
                bar.console.print(f"[red]✗[/red] {escape(r.error or '')}")
    if dense:
        _fill_dense(svc)
    if failed:
        err.print(f"{failed} of {len(files)} files failed")
        raise typer.Exit(1)


def _fill_dense(svc) -> None:
    with progress() as bar:
        task = bar.add_task("embedding prose (dense index)", total=None)

        def step(doc_id, i, n):
            bar.update(task, total=n, completed=i, description=f"embedding {doc_id}")

        done = svc.fill_dense(background=False, progress=step)
    err.print(f"dense index: {len(done)} document(s) embedded")


@app.command()
def index(home: Optional[Path] = HomeOpt):
    """Make the indexes agree with the store: rebuild lost keyword indexes, drop entries of removed
    documents, fill the dense (embedding) index for documents that lack it or have it in part."""
    svc = service(home)
    fixed = svc.retriever.index.repair(svc.store.ids(), svc.store.document, dense=svc.has_dense)
    err.print(f"keyword index: {len(fixed.rebuilt)} rebuilt, {len(fixed.removed)} stale entries removed")
    for line in fixed.failed:
        err.print(f"[red]✗[/red] {escape(line)}")
    if not svc.has_dense:
        err.print("dense index is off (embedding.provider = none): nothing more to do")
    else:
        _fill_dense(svc)
    if fixed.failed:
        raise typer.Exit(1)


@app.command()
def docs(home: Optional[Path] = HomeOpt, as_json: bool = typer.Option(False, "--json")):
    """List stored documents."""
    svc = service(home)
    rows = svc.store.documents()
    if as_json:
        console.print_json(json.dumps([r.__dict__ for r in rows], ensure_ascii=False))
        return
    print_table(["id", "file", "department", "year", "kind", "tables"],
                 [[r.id, r.file, r.department or "", str(r.year or ""), f"{r.scope or ''}{r.kind or ''}", str(r.n_tables)]
                  for r in rows])


def _fail(ref: str, exc: Exception):
    """A document that cannot be loaded: one line naming it as given, exit 2."""
    from budgetqa.ingest.errors import IngestError
    from budgetqa.ingest.pipeline import failure_message

    message = failure_message(Path(ref), exc) if isinstance(exc, IngestError) else str(exc)
    err.print(f"[red]✗[/red] {escape(message)}")
    raise typer.Exit(2)


@app.command()
def tables(doc: str = typer.Argument(..., help="Document id, file name, or a path"), home: Optional[Path] = HomeOpt):
    """List a document's tables: kind, unit, pages, rows."""
    from budgetqa.ingest.errors import IngestError

    svc = service(home)
    try:
        d = svc.load(doc)
    except (LookupError, IngestError) as exc:
        _fail(doc, exc)
    print_table(["#", "title", "kind", "unit", "pages", "rows"],
                 [[tb.ref, tb.title, f"{tb.kind}（{tb.note}）" if tb.note else tb.kind, tb.unit or "",
                   ",".join(map(str, tb.pages)), str(len(tb.rows))]
                  for tb in d.tables])


@app.command()
def extract(doc: str = typer.Argument(..., help="Document id, file name, or a path (parsed on the fly)"),
            fmt: str = typer.Option("json", "--format", help="json or csv"),
            home: Optional[Path] = HomeOpt):
    """Print a document's tables as JSON or long-form CSV."""
    from budgetqa.app.export import document_csv, document_json
    from budgetqa.ingest.errors import IngestError

    svc = service(home)
    try:
        d = svc.load(doc)
    except (LookupError, IngestError) as exc:
        _fail(doc, exc)
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
    svc = service(home)
    doc_id = resolve_doc(svc, doc)
    svc.remove(doc_id)
    console.print(f"removed {doc_id}")


@app.command()
def ask(question: str = typer.Argument(..., help="问题, e.g. 「三公经费决算数比预算少多少？」"),
        doc: list[str] = typer.Option(None, "--doc", help="Restrict to these documents (id or file name)"),
        as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON"),
        home: Optional[Path] = HomeOpt):
    """Answer a question with verified, cited figures."""
    from budgetqa.app.render import render_answer_text

    svc = service(home)
    doc_ids = [resolve_doc(svc, d) for d in doc] if doc else None
    answer = svc.ask(question, doc_ids=doc_ids)
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=1) + "\n")
    else:
        console.print(render_answer_text(answer, svc.store))
    if answer.status == "not_found":
        raise typer.Exit(3)


for _command in (_eval, _serve, _bulk, _audit):
    _command.register(app)


def main() -> None:
    from pydantic import ValidationError

    try:
        app()
    except ValidationError as exc:  # a bad BUDGETQA_* value: say which and how, not a traceback
        for e in exc.errors():
            name = "BUDGETQA_" + "__".join(str(p) for p in e["loc"]).upper()
            err.print(f"[red]✗[/red] setting {escape(name)}: {escape(e['msg'])}", highlight=False)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
