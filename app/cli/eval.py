"""`budgetqa eval`: run a labeled question set (or the checker stress run) and report the figures."""

from __future__ import annotations

import json
import sys
import tempfile
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import TimeElapsedColumn

from budgetqa.app.cli.common import err, progress

# Reports hold brackets such as [全部数字已核验]: printed as they are, not as rich markup.
console = Console(highlight=False, markup=False, soft_wrap=True)


class Mode(StrEnum):
    grounded = "grounded"  # no LLM: the table path only
    llm = "llm"  # the configured model


def eval_command(
    dataset: Path = typer.Argument(..., help="Labeled questions (.jsonl, see eval/DATASET-FORMAT.md)"),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder holding the documents (and its pdf/ subfolder)"),
    mode: Mode = typer.Option(Mode.grounded, "--mode", help="grounded (no LLM) or llm (the configured model)"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object: summary, settings, every item's answer"),
    report: Optional[Path] = typer.Option(None, "--report", help="Write a self-contained HTML report here"),
    previous: Optional[Path] = typer.Option(None, "--compare", help="A previous --json output to compare with"),
    home: Optional[Path] = typer.Option(None, "--home", help="Data directory whose stored documents are used; missing ones are ingested into it "
                                                      "from --corpus (default: a temporary home)"),
    perturb: bool = typer.Option(False, "--perturb", help="Checker stress run: perturbed answers instead of asking"),
):
    """Run a labeled question set: accuracy, checker failures and latency (exit 0: it is a measurement)."""
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.eval.perturb import run_perturb
    from budgetqa.eval.report import compare, compare_text, html_report, perturb_html, perturb_text, text_summary
    from budgetqa.eval.runner import EvalRun, ensure_documents, run_items, run_settings
    from budgetqa.eval.scoring import load_items

    mode = mode.value
    try:
        items = load_items(dataset)
    except (OSError, ValueError) as exc:
        err.print(f"[red]✗[/red] {exc}")
        raise typer.Exit(2)
    prev = None
    if previous is not None:
        try:
            prev = json.loads(previous.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            err.print(f"[red]✗[/red] --compare {previous}: not a readable eval JSON ({exc})")
            raise typer.Exit(2)

    with ExitStack() as stack:
        temp = home is None
        if temp:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="budgetqa-eval-")))
        overrides = {"llm": {"provider": "none"}} if mode == "grounded" else {}
        settings = get_settings(home, **overrides)
        if mode == "llm" and settings.llm.provider == "none":
            err.print("[red]✗[/red] --mode llm needs a model: set BUDGETQA_LLM__PROVIDER and BUDGETQA_LLM__MODEL")
            raise typer.Exit(2)
        svc = Service(settings, dense=mode == "llm")
        stack.callback(svc.close)

        names = list(dict.fromkeys(i.doc for i in items))
        with progress(TimeElapsedColumn()) as bar:
            task = bar.add_task("documents", total=len(names))
            doc_ids, errors = {}, {}
            for name in names:
                bar.update(task, description=f"ingesting {name}")
                ids, errs = ensure_documents(svc, [name], corpus)
                doc_ids.update(ids)
                errors.update(errs)
                bar.advance(task)
        for e in errors.values():
            err.print(f"[yellow]![/yellow] {e}")
        if mode == "llm":
            svc.wait_for_index()
        base = {"dataset": str(dataset), "settings": run_settings(svc, dataset, corpus, mode, temp),
                "documents": {n: doc_ids.get(n) or errors.get(n) for n in names}}

        if perturb:
            with progress(TimeElapsedColumn()) as bar:
                task = bar.add_task("perturbing", total=len(items))
                pr = run_perturb(items, svc.store, doc_ids, on_item=lambda _: bar.advance(task))
            out = {**base, "perturb": pr.to_dict()}
            if report is not None:
                report.write_text(perturb_html(out), encoding="utf-8")
            if as_json:
                sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
            else:
                console.print(perturb_text(out["perturb"]["summary"]))
            return

        with progress(TimeElapsedColumn()) as bar:
            task = bar.add_task("asking", total=len(items))
            results = run_items(svc, items, doc_ids, errors, on_item=lambda r: bar.advance(task))
        run = EvalRun(str(dataset), base["settings"], results, base["documents"]).to_dict()
    comparison = compare(prev, run) if prev is not None else None
    if comparison is not None:
        run["compare"] = comparison
    if report is not None:
        report.write_text(html_report(run, comparison), encoding="utf-8")
    if as_json:
        sys.stdout.write(json.dumps(run, ensure_ascii=False, indent=1) + "\n")
        return
    console.print(text_summary(run))
    if comparison is not None:
        console.print()
        console.print(compare_text(comparison))
    if report is not None:
        console.print(f"\nreport written to {report}")


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
