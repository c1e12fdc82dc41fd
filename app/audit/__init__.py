"""Consistency audit: where a document contradicts itself (tables vs tables, prose vs tables).

`audit(doc)` runs every check and returns `Finding`s; `identity_checks(doc)` returns the accounting
identities with both sides whether they hold or not (the bulk export writes them to its `checks`
table). Below this module: `model` (findings, locations, rounding), `quantities` (figures taking
part in a comparison), then the checks: `tables` (within a table), `cross` (between tables) and
`prose` (情况说明 against the tables, stated percentages and changes; with `changes` for a stated
change against what the document says of the year before, and `breakdown` for a total or a change
against its parts), `items` (the numbered items of the 情况说明 / 编制说明), `template` (placeholders
and template leftovers), `contents` (the 目录 against the tables), `headers` (a table header's
department against the cover), `projects` (绩效 forms' funds and projects the 说明 names against
the 项目支出 table), `selfeval` (a project's 绩效自评 as the 说明 tells it against its 自评表),
`regions` (a whole-government table's regions adding up to the region above them), `statements`
(a region's 收支总表: the transfers it received and paid adding up), `formulas` (a column the header
writes as A=B+C) and `prior` (against the same department's document of the year before). All are
pure; `memo` lets them share what they read off a table within
one run (its coded rows, amount columns, shown title), never past it.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

from budgetqa.app.audit import contents, cross, derived, headers, memo, prior, projects, prose, selfeval, tables, template
from budgetqa.app.audit.model import SEVERITIES, AuditResult, Check, Finding, Location
from budgetqa.ingest.models import Document

__all__ = ["AuditResult", "Check", "Finding", "Location", "audit", "identity_checks", "run"]


def run(doc: Document, prior_doc: Document | None = None) -> AuditResult:
    """All checks on one document: findings and the identities they were drawn from; `prior_doc`,
    the same department's document of the year before, adds the prior-year checks."""
    with _collector_paused(), memo.scope():
        return _run(doc, prior_doc)


@contextmanager
def _collector_paused():
    """The rules allocate thousands of short-lived objects that form no cycles (a 163-page 总决算 is
    held to ~1,900 identities); the cyclic collector, woken by each few hundred of them, walks the
    parsed document's whole heap every time and cost more than the rules. Reference counting frees
    them all the same; the collector runs again as before once the audit is done."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _run(doc: Document, prior_doc: Document | None) -> AuditResult:
    result = AuditResult()
    checked = tables.check_tables(doc, result)
    measures = cross.collect(doc, checked)  # what each table states, read once for both readers
    cross.check_cross(doc, checked, result, measures)
    derived.check_derived(doc, result)
    prose.check_prose(doc, result, measures)
    tables.check_document(doc, result)
    template.check_template(doc, result)
    template.check_empty_tables(doc, result)
    contents.check_contents(doc, result)
    headers.check_header_departments(doc, result)
    headers.check_header_units(doc, result)
    projects.check_project_funds(doc, result)
    projects.check_prose_projects(doc, result)
    projects.check_perf_coverage(doc, result)
    selfeval.check_self_evaluations(doc, result)
    if prior_doc is not None and prior.is_prior(doc, prior_doc):
        prior.check_prior(doc, prior_doc, result)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    seen: set[str] = set()  # one contradiction reached by two checks is one finding
    result.findings = [f for f in result.findings if not (f.id in seen or seen.add(f.id))]
    result.findings.sort(key=lambda f: (order[f.severity], f.a.page or 0, f.a.line or 0))
    return result


def audit(doc: Document, prior_doc: Document | None = None) -> list[Finding]:
    """Every place the document contradicts itself (or last year's), errors first. Never changes a figure."""
    return run(doc, prior_doc).findings


def identity_checks(doc: Document) -> list[Check]:
    """The accounting identities (两侧平衡, 基本+项目=合计, 人员+公用=基本, 三公合计 …) with both values."""
    return run(doc).checks
