"""The batch catalog: one SQLite file per output folder, one row per document, keyed by content hash.

SQLite in WAL mode with ``synchronous=FULL``: every status change is one committed transaction, so a
crash (kill -9 included) leaves the catalog at the last committed state, never half-way. Only the
batch's main process writes to it.

Statuses: ``pending`` (to do), ``writing`` (its JSON is written and its jsonl line is being appended;
``line_digest`` says which line), ``done`` / ``failed`` (finished; failed = the record has errors).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import OutputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending',
    final_status TEXT,
    line_digest TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    webhook_status TEXT,
    webhook_attempts INTEGER NOT NULL DEFAULT 0,
    webhook_error TEXT,
    updated REAL
);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);
"""


@dataclass(frozen=True)
class Entry:
    sha256: str
    name: str
    path: str
    status: str
    final_status: str | None
    line_digest: str | None
    webhook_status: str | None


def catalog_error(error: sqlite3.Error, path: Path) -> OutputError:
    """The one-line error for a catalog SQLite cannot write. Its advice never discards the catalog when
    the fault is the disk's: the catalog is what lets the rerun resume."""
    text = str(error)
    if "disk is full" in text or "disk I/O error" in text:
        return OutputError(
            f"the disk holding the batch catalog is full ({text}); free some space and rerun the same "
            "command: the batch resumes where it stopped",
            path=str(path),
        )
    if "readonly" in text or "unable to open" in text:
        return OutputError(f"cannot write the batch catalog ({text}); check the output folder's permissions",
                           path=str(path))
    if isinstance(error, sqlite3.OperationalError):
        return OutputError(f"cannot write the batch catalog ({text}); rerun the same command", path=str(path))
    return OutputError(
        f"the batch catalog is damaged ({text}); move {path.name} aside to start afresh "
        "(every document is then processed again)",
        path=str(path),
    )


class Catalog:
    """Thin typed access to the catalog; every method that changes state commits before returning.

    SQLite's operational faults (a full disk, a read-only folder) are the batch's, not a document's:
    they come out as OutputError (exit 6)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as error:
            raise catalog_error(error, path) from error

    def close(self) -> None:
        self.db.close()

    def _exec(self, sql: str, params: tuple = ()) -> None:
        try:
            self.db.execute(sql, params)
        except sqlite3.OperationalError as error:
            raise catalog_error(error, self.path) from error

    def get(self, sha256: str) -> Entry | None:
        row = self.db.execute(
            "SELECT sha256, name, path, status, final_status, line_digest, webhook_status "
            "FROM documents WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        return Entry(*row) if row else None

    def entries(self, *statuses: str) -> list[Entry]:
        query = "SELECT sha256, name, path, status, final_status, line_digest, webhook_status FROM documents"
        params: tuple = ()
        if statuses:
            query += f" WHERE status IN ({','.join('?' * len(statuses))})"
            params = statuses
        return [Entry(*row) for row in self.db.execute(query + " ORDER BY rowid", params)]

    def name_taken(self, name: str, sha256: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM documents WHERE name = ? AND sha256 != ?", (name, sha256)
        ).fetchone()
        return row is not None

    def register(self, sha256: str, name: str, path: str, pages: int) -> None:
        """Add a newly seen document as pending (its output name is fixed from now on)."""
        self._exec(
            "INSERT INTO documents (sha256, name, path, pages, status, updated) VALUES (?, ?, ?, ?, 'pending', ?)",
            (sha256, name, path, pages, time.time()),
        )

    def set_pending(self, sha256: str, path: str | None = None, pages: int | None = None) -> None:
        """Queue a document for (re)processing; its old jsonl line stops being valid."""
        self._exec(
            "UPDATE documents SET status='pending', final_status=NULL, line_digest=NULL, "
            "path=COALESCE(?, path), pages=COALESCE(?, pages), updated=? WHERE sha256=?",
            (path, pages, time.time(), sha256),
        )

    def set_writing(
        self, sha256: str, final_status: str, line_digest: str, error: str | None, webhook: bool
    ) -> None:
        """The record file is in place and its line is about to be appended; with a webhook, the
        delivery is due from now on (it is sent once the row is finished)."""
        self._exec(
            "UPDATE documents SET status='writing', final_status=?, line_digest=?, error=?, "
            "attempts=attempts+1, updated=?, "
            "webhook_status=CASE WHEN ? THEN 'pending' ELSE webhook_status END, "
            "webhook_attempts=CASE WHEN ? THEN 0 ELSE webhook_attempts END WHERE sha256=?",
            (final_status, line_digest, error, time.time(), int(webhook), int(webhook), sha256),
        )

    def set_finished(self, sha256: str) -> None:
        """``writing`` -> its final status (done or failed)."""
        self._exec(
            "UPDATE documents SET status=final_status, updated=? WHERE sha256=? AND status='writing'",
            (time.time(), sha256),
        )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Many changes, one commit (registering thousands of documents one fsync each is slow)."""
        self._exec("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # SQLite rolls back by itself on a full disk
                self.db.execute("ROLLBACK")
            raise
        self._exec("COMMIT")

    def set_delivery(self, sha256: str, status: str, attempts: int, error: str | None) -> None:
        self._exec(
            "UPDATE documents SET webhook_status=?, webhook_attempts=webhook_attempts+?, webhook_error=?, "
            "updated=? WHERE sha256=?",
            (status, attempts, error, time.time(), sha256),
        )

    def deliveries_due(self) -> list[Entry]:
        """Finished documents whose record has not reached the webhook yet."""
        return [e for e in self.entries("done", "failed") if e.webhook_status in ("pending", "failed")]

    def counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())
