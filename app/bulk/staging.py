"""The staging store of a bulk run: finished files in SQLite next to the output, one transaction each."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from budgetqa.app.bulk.schema import DOCUMENT_COLUMNS, FACT_COLUMNS, SUMMARY_COLUMNS, quote_ident
from budgetqa.app.bulk.worker import FileResult


def staging_path(out: Path) -> Path:
    """The staging store lives next to the output: data.parquet → data.parquet.staging.sqlite."""
    return out.with_name(out.name + ".staging.sqlite")


class Staging:
    """Append-friendly SQLite store of finished files; one transaction per document."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        cols = lambda names: ", ".join(quote_ident(c) for c in names)  # noqa: E731
        self.db.executescript(
            f"""
            CREATE TABLE IF NOT EXISTS documents ({cols(DOCUMENT_COLUMNS)}, PRIMARY KEY (path));
            CREATE TABLE IF NOT EXISTS summary ({cols(SUMMARY_COLUMNS)}, PRIMARY KEY (sha256));
            CREATE TABLE IF NOT EXISTS facts ({cols(FACT_COLUMNS)});
            CREATE INDEX IF NOT EXISTS facts_sha ON facts (sha256);
            CREATE TABLE IF NOT EXISTS checks (sha256, seq, data);
            CREATE TABLE IF NOT EXISTS findings (sha256, seq, data);
            -- add() deletes a content's earlier rows by hash, and _forget_path looks hashes up: without
            -- these every add scans the tables, and a run slows down with every file it stages.
            CREATE INDEX IF NOT EXISTS checks_sha ON checks (sha256);
            CREATE INDEX IF NOT EXISTS findings_sha ON findings (sha256);
            CREATE INDEX IF NOT EXISTS documents_sha ON documents (sha256);
            """
        )
        self._add_missing_summary_columns()

    def _add_missing_summary_columns(self) -> None:
        """A staging store from an older rule set gains the new figure columns (NULL for old rows)."""
        have = {r[1] for r in self.db.execute("PRAGMA table_info(summary)")}
        for c in SUMMARY_COLUMNS:
            if c not in have:
                self.db.execute(f"ALTER TABLE summary ADD COLUMN {quote_ident(c)}")
        self.db.commit()

    def done(self) -> dict[str, str]:
        """Content hash → status of every staged file."""
        return dict(self.db.execute("SELECT sha256, status FROM documents WHERE sha256 IS NOT NULL"))

    def paths(self) -> dict[str, str | None]:
        return dict(self.db.execute("SELECT path, sha256 FROM documents"))

    def add(self, result: FileResult) -> None:
        """Write one file's rows and commit (a crash after this loses nothing of it)."""
        with self.db:
            self._forget_path(result.path, keep=result.sha256)
            if result.sha256:
                for table in ("summary", "facts", "checks", "findings"):
                    self.db.execute(f"DELETE FROM {table} WHERE sha256 = ?", (result.sha256,))
            self._put("documents", {c: result.document.get(c) for c in DOCUMENT_COLUMNS})
            if result.summary is not None:
                self._put("summary", {c: result.summary.get(c) for c in SUMMARY_COLUMNS})
            if result.facts:
                marks = ", ".join("?" * len(FACT_COLUMNS))
                self.db.executemany(f"INSERT INTO facts VALUES ({marks})", result.facts)
            for table, items in (("checks", result.checks), ("findings", result.findings)):
                self.db.executemany(
                    f"INSERT INTO {table} VALUES (?, ?, ?)",
                    [(result.sha256, i, json.dumps(d, ensure_ascii=False)) for i, d in enumerate(items)],
                )

    def add_copy(self, path: str, sha256: str, seconds: float = 0.0) -> None:
        """A second file with content already staged: its own documents row, the rows are shared."""
        cur = self.db.execute(
            f"SELECT {', '.join(quote_ident(c) for c in DOCUMENT_COLUMNS)} FROM documents WHERE sha256 = ? LIMIT 1",
            (sha256,),
        ).fetchone()
        if cur is None:
            return
        row = dict(zip(DOCUMENT_COLUMNS, cur))
        if row["path"] == path:
            return
        original = row["path"]
        row.update(path=path, seconds=seconds,
                   reason="; ".join(filter(None, [row["reason"], f"same content as {original}"])))
        with self.db:
            self._forget_path(path, keep=sha256)
            self._put("documents", row)

    def _forget_path(self, path: str, keep: str | None) -> None:
        """A path whose content changed: drop its old row, and the old content's rows if now unreferenced."""
        old = self.db.execute("SELECT sha256 FROM documents WHERE path = ?", (path,)).fetchone()
        self.db.execute("DELETE FROM documents WHERE path = ?", (path,))
        if old and old[0] and old[0] != keep:
            still = self.db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (old[0],)).fetchone()
            if not still:
                for table in ("summary", "facts", "checks", "findings"):
                    self.db.execute(f"DELETE FROM {table} WHERE sha256 = ?", (old[0],))

    def _put(self, table: str, row: dict) -> None:
        names = ", ".join(quote_ident(c) for c in row)
        self.db.execute(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values()))

    def status_of(self, paths: Iterable[str]) -> dict[str, str]:
        wanted = set(paths)
        return {p: s for p, s in self.db.execute("SELECT path, status FROM documents") if p in wanted}

    def close(self) -> None:
        self.db.close()
