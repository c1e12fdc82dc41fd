"""What every `budgetqa` command shares: consoles, the --home option, the service, tables and progress."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable

from budgetqa.app.service import Service
from budgetqa.app.settings import get_settings

console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

HomeOpt = typer.Option(None, "--home", help="Data directory (default: $BUDGETQA_HOME or the per-user data dir)")


def service(home: Optional[Path], **kw):
    return Service(get_settings(home), **kw)


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """A rich table on a terminal; tab-separated lines when piped, so the output composes."""
    if console.is_terminal:
        t = RichTable(*headers)
        for r in rows:
            t.add_row(*(escape(c) for c in r))  # a file name like "[b]x.pdf" is text, not markup
        console.print(t)
    else:
        sys.stdout.write("\t".join(map(tsv_cell, headers)) + "\n")
        for r in rows:
            sys.stdout.write("\t".join(map(tsv_cell, r)) + "\n")


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def tsv_cell(value: str) -> str:
    """A cell of tab-separated output: a tab or newline in a file name would otherwise split the
    row, so they are written as \\t and \\n (and a backslash as \\\\), as in PostgreSQL's text format."""
    return value.translate(_TSV_ESCAPES)


def resolve_doc(svc, ref: str) -> str:
    doc_id = svc.resolve(ref)
    if doc_id is None:
        err.print(f"[red]✗[/red] {ref}: no stored document with this id or file name (see `budgetqa docs`)")
        raise typer.Exit(2)
    return doc_id




def progress(*extra: ProgressColumn) -> Progress:
    """The one progress bar of the CLI: on stderr, gone when done, so stdout stays clean for pipes."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), *extra,
                    TimeRemainingColumn(), console=err, transient=True)
