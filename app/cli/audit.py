"""`budgetqa audit DOC...`: where a document contradicts itself; exit 1 when an error is found."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from budgetqa.app.cli.common import HomeOpt, console, err, service


def register(app: typer.Typer) -> None:
    @app.command()
    def audit(docs: list[str] = typer.Argument(..., help="Document ids, file names, or paths (parsed on the fly)"),
              as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON"),
              show_rounding: bool = typer.Option(False, "--rounding", help="Also list 尾差 (rounding) findings"),
              confirm: list[str] = typer.Option([], "--confirm", help="Mark a finding (by its id) 已确认; stored documents only"),
              ignore: list[str] = typer.Option([], "--ignore", help="Mark a finding (by its id) 忽略; stored documents only"),
              unmark: list[str] = typer.Option([], "--unmark", help="Clear a finding's mark"),
              home: Optional[Path] = HomeOpt):
        """Consistency audit: tables vs tables, 情况说明 vs tables, stated percentages.

        Like `ingest`, a document that cannot be read or audited is one line on stderr and the
        others are still audited. Exit 2 if any could not be, else 1 if an error was found.
        """
        from budgetqa.ingest.errors import IngestError
        from budgetqa.ingest.pipeline import failure_message

        svc = service(home, dense=False)
        out, errors, unreadable = [], 0, 0
        for ref in docs:
            try:
                doc = svc.load(ref)
                marks = [(i, "已确认") for i in confirm] + [(i, "忽略") for i in ignore] + [(i, None) for i in unmark]
                for finding_id, mark in marks:
                    svc.mark_finding(doc.doc_id, finding_id, mark)
                reviewed = svc.review(doc)
                findings = [f for f, _, _ in reviewed]
                mark_of = {f.id: m for f, m, _ in reviewed}
            except (LookupError, ValueError, IngestError) as exc:
                unreadable += 1
                message = failure_message(Path(ref), exc) if isinstance(exc, IngestError) else str(exc)
                err.print(f"[red]✗[/red] {escape(message)}")
                continue
            except Exception as exc:  # an audit bug must not lose the other documents' findings
                unreadable += 1
                err.print(f"[red]✗[/red] {escape(ref)}: could not audit ({type(exc).__name__}: {escape(str(exc))})")
                continue
            errors += sum(f.severity == "error" for f in findings)
            if as_json:
                out.append({"document": doc.file, "doc_id": doc.doc_id,
                            "findings": [{**f.to_dict(), "mark": mark_of[f.id]} for f in findings]})
                continue
            counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "rounding")}
            console.print(f"[bold]{escape(doc.file)}[/bold]：错误 {counts['error']}，提示 {counts['warning']}，"
                          f"尾差 {counts['rounding']}")
            for f in findings:
                if f.severity == "rounding" and not show_rounding:
                    continue
                mark = {"error": "[red]错误[/red]", "warning": "[yellow]提示[/yellow]", "rounding": "[dim]尾差[/dim]"}[f.severity]
                review = f" [cyan]〔{mark_of[f.id]}〕[/cyan]" if mark_of[f.id] else ""
                console.print(f"  {mark}{review} [dim]{f.id}[/dim] {escape(f.message)}")
        if as_json:
            sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
        if unreadable:
            err.print(f"{unreadable} of {len(docs)} documents could not be audited")
            raise typer.Exit(2)
        if errors:
            raise typer.Exit(1)
