"""The fact store: documents, tables and facts in one embedded SQLite database (or PostgreSQL).

`Store(path)` opens the SQLite file (the default); `Store("postgresql://…")` keeps the same tables
in PostgreSQL through `ingest/pg.py`, which runs this module's SQLite statements there, so
several processes on several machines can share one store.

A document is keyed by its content hash, so ingesting it again changes nothing; one document is
written in one transaction, so a failure leaves nothing half-written. A second key, the
document's identity (its table figures, with department, year and kind agreeing), catches the same document in
other bytes (GBK vs UTF-8, CRLF, the text and its PDF): such a copy is recorded in `copies`,
pointing at the stored document, and never stored twice.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from budgetqa.ingest.facts import document_facts
from budgetqa.ingest.models import Document, Fact
from budgetqa.ingest.serialize import document_from_dict, document_to_dict

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    sha256 TEXT UNIQUE NOT NULL,
    file TEXT NOT NULL,
    department TEXT,
    year INTEGER,
    kind TEXT,
    scope TEXT,
    pages INTEGER,
    source_format TEXT,
    n_tables INTEGER,
    ingested_at TEXT DEFAULT (datetime('now')),
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tables (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    side TEXT,
    title TEXT,
    kind TEXT,
    unit TEXT,
    number TEXT,
    pages TEXT,
    n_rows INTEGER,
    department TEXT,
    PRIMARY KEY (doc_id, idx, side)
);
CREATE TABLE IF NOT EXISTS facts (
    fact_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    table_index INTEGER,
    table_kind TEXT,
    table_title TEXT,
    side TEXT,
    row_index INTEGER,
    row_code TEXT,
    row_name TEXT,
    col TEXT,
    value TEXT,
    unit TEXT,
    page INTEGER,
    line INTEGER,
    bbox TEXT,
    ocr INTEGER DEFAULT 0
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id, table_kind);
CREATE TABLE IF NOT EXISTS copies (
    sha256 TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    file TEXT NOT NULL,
    added_at TEXT DEFAULT (datetime('now'))
);
-- a reviewer's mark on an audit finding (Finding.id, stable across re-audits): 已确认 / 忽略
CREATE TABLE IF NOT EXISTS finding_marks (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    finding_id TEXT NOT NULL,
    mark TEXT NOT NULL,
    note TEXT,
    marked_at TEXT DEFAULT (datetime('now')),
    PRIMARY KEY (doc_id, finding_id)
);
-- the web page's conversations, per browser session (app/ui/conversations.py); times set by the caller
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_session ON conversations(session, updated_at);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    doc_ids TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (conversation_id, n)
);
"""

# Derived data of a document, rebuilt from it when lost (indexes): kept here when several processes
# share the store, so that every one of them reads the same index.
DERIVED_SCHEMA = """
CREATE TABLE IF NOT EXISTS derived (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (doc_id, kind)
)"""

# An identity needs enough figures to be one: two near-empty documents of one department and year
# (a cover letter, a notice) must not be taken for copies of each other.
MIN_IDENTITY_FIGURES = 10


def document_identity(doc: Document, facts: list[Fact]) -> str | None:
    """Fingerprint of the standard tables' figures; None when too few figures to tell documents apart.

    Figures only, by table kind, side, row code and value: a PDF and its text conversion agree on
    these while titles, names broken at column edges and page numbers differ, and a PDF without
    a cover may not name its department. `_write` also requires department, year and kind to
    agree wherever both documents state them.
    """
    return _fingerprint((f.table_kind, f.side, f.row_code, f.value) for f in facts)


def _fingerprint(figures: Iterable[tuple[str, str | None, str | None, Decimal]]) -> str | None:
    """(table kind, side, row code, value) of every fact → the identity hash (see document_identity)."""
    key = sorted(
        (kind, side or "", code or "", format(value.normalize(), "f"))
        for kind, side, code, value in figures
        if kind != "other" and value != 0
    )
    if len(key) < MIN_IDENTITY_FIGURES:
        return None
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


def _compatible(a, b) -> bool:
    return a is None or b is None or a == b


@dataclass
class Stored:
    """What `Store.put` did: `doc_id` is the stored document (the earlier one for a copy)."""

    doc_id: str
    added: bool
    same_as: str | None = None  # the stored document's file name, when these bytes are a copy



@dataclass
class DocSummary:
    id: str
    file: str
    department: str | None
    year: int | None
    kind: str | None
    scope: str | None
    pages: int | None
    n_tables: int
    source_format: str | None


class Store:
    """SQLite-backed store. Cheap to open; safe to share across threads of one process."""

    def __init__(self, path: Path | str):
        self.path = path
        if isinstance(path, str) and path.startswith(("postgresql://", "postgres://")):
            from budgetqa.ingest.pg import PgConnection  # psycopg loads only for a PostgreSQL store

            self.conn = PgConnection(path)
        else:
            path = self.path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            # timeout: another process's write (a large document) holds the lock for a while; wait
            # for it rather than fail with "database is locked".
            self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=60)
        self.conn.execute("PRAGMA foreign_keys=ON")
        self._wal()
        self.conn.executescript(SCHEMA)
        self._add_column("documents", "identity", "TEXT")  # a store written before identities existed
        self.conn.execute("CREATE INDEX IF NOT EXISTS documents_identity ON documents(identity)")
        self._backfill_identities()
        self._add_column("facts", "bbox", "TEXT")  # facts stored before boxes
        self._add_column("facts", "ocr", "INTEGER DEFAULT 0")  # facts stored before OCR
        # tables stored before header departments were read: NULL, as for a header naming none
        self._add_column("tables", "department", "TEXT")
        # Which schemas have opened this store, and when: a later migration that is not idempotent
        # looks here before it runs. The schema text's hash is the version.
        self.conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version TEXT PRIMARY KEY,"
                          " applied_at TEXT DEFAULT (datetime('now')))")
        self.conn.execute("INSERT OR IGNORE INTO schema_version (version) VALUES (?)",
                          (hashlib.sha256(SCHEMA.encode()).hexdigest()[:16],))
        self.conn.execute(DERIVED_SCHEMA)
        self._doc_cache: dict[str, Document] = {}
        # one connection shared by the web page's threads: writes and multi-statement reads take turns
        self._lock = threading.RLock()

    def _add_column(self, table: str, column: str, kind: str) -> None:
        """A column an older store lacks, added once: another process opening the store at the same
        moment may add it first, and that is no error."""
        if column in {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}:
            return
        try:
            self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):
                raise

    def _wal(self) -> None:
        """Switch a new store to WAL. Two processes opening one new store at once race for the switch,
        and SQLite does not wait on that lock (the connect timeout is not used): the loser retries."""
        deadline = time.monotonic() + 60
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _backfill_identities(self) -> None:
        """Identities of documents stored before they existed, from their facts ('' = too few
        figures to have one), so that copies ingested later are still recognised."""
        todo = [r[0] for r in self.conn.execute("SELECT id FROM documents WHERE identity IS NULL")]
        for doc_id in todo:
            rows = self.conn.execute("SELECT table_kind, side, row_code, value FROM facts WHERE doc_id=?", (doc_id,))
            identity = _fingerprint((k, sd, c, Decimal(v)) for k, sd, c, v in rows)
            self.conn.execute("UPDATE documents SET identity=? WHERE id=? AND identity IS NULL", (identity or "", doc_id))

    def close(self) -> None:
        self.conn.close()

    # --- writing -------------------------------------------------------------------------
    def _q(self, sql: str, args=()) -> list:
        """Reads take the lock too: the connection is shared by threads and may be mid-write."""
        with self._lock:
            return self.conn.execute(sql, args).fetchall()

    def has(self, sha256: str) -> bool:
        """These bytes are stored, as a document or as a recorded copy of one."""
        return self.stored_id(sha256) is not None

    def stored_id(self, sha256: str) -> str | None:
        """The id of the document stored for these bytes (itself, or the one they are a copy of)."""
        rows = self._q("SELECT id FROM documents WHERE sha256=? UNION ALL SELECT doc_id FROM copies WHERE sha256=?",
                       (sha256, sha256))
        return rows[0][0] if rows else None

    def add(self, doc: Document) -> bool:
        """Store a document with its tables and facts in one transaction. False if already stored."""
        return self.put(doc).added

    def put(self, doc: Document) -> Stored:
        """Store a document, or record it as a copy of the stored document with its identity."""
        known = self.stored_id(doc.sha256)
        if known is not None:
            return self._stored(known, doc)
        facts = document_facts(doc)
        identity = document_identity(doc, facts)
        body = zlib.compress(json.dumps(document_to_dict(doc), ensure_ascii=False).encode())
        with self._lock:
            return self._write(doc, facts, body, identity)

    def _stored(self, doc_id: str, doc: Document) -> Stored:
        if doc_id == doc.doc_id:
            return Stored(doc_id, False)
        rows = self._q("SELECT file FROM documents WHERE id=?", (doc_id,))
        return Stored(doc_id, False, rows[0][0] if rows else doc_id)

    def _write(self, doc: Document, facts: list[Fact], body: bytes, identity: str | None) -> Stored:
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            # Checked again inside the write lock: another process (a second `ingest` of the same
            # file) may have committed it since the check above.
            known = cur.execute("SELECT id FROM documents WHERE sha256=? UNION ALL SELECT doc_id FROM copies"
                                " WHERE sha256=?", (doc.sha256, doc.sha256)).fetchone()
            same = None
            if known is None and identity is not None:
                same = next((r for r in cur.execute(
                    "SELECT id, department, year, kind FROM documents WHERE identity=? ORDER BY ingested_at",
                    (identity,)).fetchall()
                    if all(map(_compatible, r[1:], (doc.department, doc.year, doc.kind)))), None)
                if same is not None:
                    cur.execute("INSERT INTO copies (sha256, doc_id, file) VALUES (?,?,?)",
                                (doc.sha256, same[0], doc.file))
            if known is not None or same is not None:
                cur.execute("COMMIT")
                return self._stored((known or same)[0], doc)
            cur.execute(
                "INSERT INTO documents (id, sha256, file, department, year, kind, scope, pages, source_format,"
                " n_tables, body, identity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc.doc_id, doc.sha256, doc.file, doc.department, doc.year, doc.kind, doc.scope, doc.pages,
                 doc.source_format, len({t.index for t in doc.tables}), body, identity or ""),
            )
            cur.executemany(
                "INSERT INTO tables (doc_id, idx, side, title, kind, unit, number, pages, n_rows, department)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(doc.doc_id, t.index, t.side or "", t.title, t.kind, t.unit, t.number, json.dumps(t.pages),
                  len(t.rows), t.department) for t in doc.tables],
            )
            cur.executemany(
                "INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(f.fact_id, f.doc_id, f.table_index, f.table_kind, f.table_title, f.side, f.row_index, f.row_code,
                  f.row_name, f.column, str(f.value), f.unit, f.page, f.line,
                  json.dumps(f.bbox) if f.bbox else None, int(f.ocr)) for f in facts],
            )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return Stored(doc.doc_id, True)

    def remove(self, doc_id: str) -> bool:
        with self._lock:
            cur = self.conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                n = cur.execute("DELETE FROM documents WHERE id=?", (doc_id,)).rowcount
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        self._doc_cache.pop(doc_id, None)
        return n > 0

    # --- reading -------------------------------------------------------------------------
    def ids(self) -> set[str]:
        return {r[0] for r in self._q("SELECT id FROM documents")}

    def copies(self, doc_id: str) -> list[str]:
        """File names of the other copies (other bytes, same document) recorded for a document."""
        return [r[0] for r in self._q("SELECT file FROM copies WHERE doc_id=? ORDER BY added_at", (doc_id,))]

    def documents(self) -> list[DocSummary]:
        rows = self._q(
            "SELECT id, file, department, year, kind, scope, pages, n_tables, source_format FROM documents"
            " ORDER BY ingested_at, file"
        )
        return [DocSummary(*r) for r in rows]

    def resolve(self, ref: str) -> str | None:
        """A document id from an id, id prefix, file name or path."""
        ref = ref.strip()
        rows = self._q("SELECT id FROM documents WHERE id=? OR sha256=? UNION ALL SELECT doc_id FROM copies"
                       " WHERE sha256=?", (ref, ref, ref))
        if rows:
            return rows[0][0]
        name = Path(ref).name
        rows = self._q("SELECT id FROM documents WHERE file=?", (name,))
        if len(rows) == 1:
            return rows[0][0]
        if len(ref) >= 4:
            rows = self._q("SELECT id FROM documents WHERE id LIKE ?", (ref + "%",))
            if len(rows) == 1:
                return rows[0][0]
        return None

    def document(self, doc_id: str) -> Document:
        if doc_id not in self._doc_cache:
            rows = self._q("SELECT body FROM documents WHERE id=?", (doc_id,))
            if not rows:
                raise KeyError(doc_id)
            self._doc_cache[doc_id] = document_from_dict(json.loads(zlib.decompress(rows[0][0])))
        return self._doc_cache[doc_id]

    def summary(self, doc_id: str) -> DocSummary | None:
        rows = self._q(
            "SELECT id, file, department, year, kind, scope, pages, n_tables, source_format FROM documents WHERE id=?",
            (doc_id,),
        )
        return DocSummary(*rows[0]) if rows else None

    def facts(self, doc_ids: Iterable[str] | None = None, table_kind: str | None = None) -> list[Fact]:
        q = "SELECT * FROM facts WHERE 1=1"
        args: list = []
        if doc_ids is not None:
            ids = list(doc_ids)
            q += f" AND doc_id IN ({','.join('?' * len(ids))})"
            args += ids
        if table_kind:
            q += " AND table_kind=?"
            args.append(table_kind)
        return [_fact(r) for r in self._q(q, args)]

    def sql(self, statement: str, args: Iterable = ()) -> list:
        """One statement on a feature's own tables (conversations), `?` placeholders; rows for a SELECT."""
        return self._q(statement, tuple(args))

    def facts_by_id(self, fact_ids: Iterable[str]) -> dict[str, Fact]:
        ids = list(fact_ids)
        if not ids:
            return {}
        rows = self._q(f"SELECT * FROM facts WHERE fact_id IN ({','.join('?' * len(ids))})", ids)
        return {r[0]: _fact(r) for r in rows}

    # --- derived data kept with a document (an index built from it, shared by every process) -----
    def put_derived(self, doc_id: str, kind: str, body: bytes) -> None:
        """Keep `body` as the document's `kind` (e.g. its lexical index); replaces an earlier one."""
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO derived (doc_id, kind, body) VALUES (?,?,?)",
                              (doc_id, kind, body))

    def derived(self, doc_id: str, kind: str) -> bytes | None:
        rows = self._q("SELECT body FROM derived WHERE doc_id=? AND kind=?", (doc_id, kind))
        return bytes(rows[0][0]) if rows else None

    def derived_ids(self, kind: str) -> set[str]:
        """Documents that have a `kind` kept (removing a document removes its derived data)."""
        return {r[0] for r in self._q("SELECT doc_id FROM derived WHERE kind=?", (kind,))}

    def remove_derived(self, doc_id: str, kind: str) -> None:
        with self._lock:
            self.conn.execute("DELETE FROM derived WHERE doc_id=? AND kind=?", (doc_id, kind))

    # --- reviewers' marks on audit findings -------------------------------------------------
    def mark_finding(self, doc_id: str, finding_id: str, mark: str | None, note: str | None = None) -> None:
        """Keep a reviewer's mark on one finding of a document; None clears it."""
        with self._lock:
            if mark is None:
                self.conn.execute("DELETE FROM finding_marks WHERE doc_id=? AND finding_id=?", (doc_id, finding_id))
            else:
                self.conn.execute("INSERT OR REPLACE INTO finding_marks (doc_id, finding_id, mark, note) VALUES (?,?,?,?)",
                                  (doc_id, finding_id, mark, note))

    def finding_marks(self, doc_id: str) -> dict[str, tuple[str, str | None]]:
        """finding id → (mark, note) for one document."""
        return {r[0]: (r[1], r[2]) for r in
                self._q("SELECT finding_id, mark, note FROM finding_marks WHERE doc_id=?", (doc_id,))}


def _fact(r) -> Fact:
    return Fact(
        fact_id=r[0], doc_id=r[1], table_index=r[2], table_kind=r[3], table_title=r[4], side=r[5] or None,
        row_index=r[6], row_code=r[7], row_name=r[8], column=r[9], value=Decimal(r[10]), unit=r[11], page=r[12],
        line=r[13], bbox=tuple(json.loads(r[14])) if len(r) > 14 and r[14] else None,
        ocr=bool(r[15]) if len(r) > 15 else False,
    )
