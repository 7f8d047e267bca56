"""Crash-safe output files: atomic JSON records and the append-only ``documents.jsonl``.

A record file is written to a temporary file in the same folder, fsynced, then ``os.replace``d over
the target (atomic on POSIX), and the folder is fsynced so the rename itself survives a power cut.
A jsonl line is appended with one ``write`` of the whole line followed by fsync; a crash can still
leave a partial last line, which ``reconcile`` (run at the start of every batch) cuts away.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import OutputError


def line_bytes(record: dict) -> bytes:
    """The jsonl form of a record: compact, UTF-8, no trailing newline."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot open a folder; the rename still happened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_text(path: str, text: str, what: str) -> None:
    """Write ``text`` to ``path`` (UTF-8, in place); an OSError becomes an OutputError that names ``what``."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        raise OutputError(f"cannot write {what} ({error.strerror or error})", path=path) from error


@contextlib.contextmanager
def replacing(path: Path, verb: str) -> Iterator[BinaryIO]:
    """A handle on a temporary file that replaces ``path`` whole when the block ends (fsync, os.replace,
    folder fsync); on any failure the temporary file is removed, and an OSError becomes an OutputError
    that says what to ``verb``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as error:  # whatever stopped the writer (a PDF that failed half-way), no leftover
        with contextlib.suppress(OSError):
            tmp.unlink()
        if not isinstance(error, OSError):
            raise
        raise OutputError(f"cannot {verb} {path.name} ({error.strerror or error})", path=str(path)) from error
    fsync_dir(path.parent)


@dataclass(frozen=True)
class RecordFiles:
    """A record written in full (and fsynced) beside the output: the indented ``<name>.json`` and its
    ``documents.jsonl`` line, waiting to be published by ``write_record`` and ``append_line``."""

    pretty: Path
    line: Path
    words: Path | None = None  # a lean record's words file (``Document.write_record``)

    def discard(self) -> None:
        for path in (self.pretty, self.line, self.words):
            if path is None:
                continue
            with contextlib.suppress(OSError):
                path.unlink()


def write_record_files(
    folder: Path, name: str, write: Callable[..., None], words_file: str | None = None
) -> RecordFiles:
    """Write a record through ``write(pretty, line)`` (``Document.write_record``) into two files of
    ``folder``, which must be on the output's file system (they are renamed into place); a lean record
    through ``write(pretty, line, words)``, its words into a third file, ``words_file``."""
    files = RecordFiles(folder / f"{name}.json", folder / f"{name}.line", folder / words_file if words_file else None)
    try:
        with contextlib.ExitStack() as stack:
            handles = [stack.enter_context(path.open("wb")) for path in (files.pretty, files.line, files.words) if path]
            write(*handles)
            for handle in handles:
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as error:
        files.discard()
        raise OutputError(f"cannot write the record of {name} ({error.strerror or error})", path=str(folder)) from error
    return files


def write_record(path: Path, files: RecordFiles) -> None:
    """Put the record file in place, after its words file when it is a lean record: a reader (or a
    crash) sees the old file or the new, never half, and never a record whose words are not there."""
    try:
        if files.words is not None:
            os.replace(files.words, path.with_name(files.words.name))
        os.replace(files.pretty, path)
    except OSError as error:
        raise OutputError(f"cannot write {path.name} ({error.strerror or error})", path=str(path)) from error
    fsync_dir(path.parent)


def append_line(path: Path, line: Path) -> None:
    """Append the line held in file ``line``, then a newline, durably (fsync). A crash part-way leaves a
    partial last line, which ``reconcile`` cuts away at the next start."""
    try:
        with path.open("ab") as target, line.open("rb") as source:
            shutil.copyfileobj(source, target, 1 << 20)
            target.write(b"\n")
            target.flush()
            os.fsync(target.fileno())
    except OSError as error:
        raise OutputError(
            f"cannot append to {path.name} ({error.strerror or error})", path=str(path)
        ) from error


def line_digests(path: Path) -> tuple[list[str], bool]:
    """Digest of every complete line of a jsonl file (streamed), and whether a partial last line exists."""
    digests: list[str] = []
    partial = False
    if not path.exists():
        return digests, partial
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                partial = True
                break
            line = raw[:-1]
            digests.append(digest(line) if line.strip() else "")
    return digests, partial


def rewrite_lines(path: Path, keep: list[bool]) -> None:
    """Atomically replace a jsonl file by the complete lines whose ``keep`` flag is set (streamed)."""
    with replacing(path, "rewrite") as target, path.open("rb") as source:
        for flag, raw in zip(keep, source, strict=False):
            if flag:
                target.write(raw)


@dataclass
class Reconciled:
    """What ``plan_reconcile`` decided: which lines to keep, and catalog rows to promote or reset."""

    keep: list[bool] = field(default_factory=list)
    promote: list[str] = field(default_factory=list)  # sha256 of 'writing' rows whose line made it
    reset: list[str] = field(default_factory=list)  # sha256 of rows whose line is missing
    dropped: int = 0
    partial: bool = False

    @property
    def needs_rewrite(self) -> bool:
        return self.partial or self.dropped > 0


def plan_reconcile(digests: list[str], partial: bool, entries: list) -> Reconciled:
    """Keep exactly the lines the catalog vouches for (by digest), each once, in file order.

    A line is kept when its digest is the ``line_digest`` of a row that is done, failed or writing
    (a crash after the append, before the status commit: the line is whole, so the row is promoted).
    Anything else is a leftover of a crash or of a document since requeued (retry, --force): dropped.
    A finished or writing row without its line is reset to pending, so the document is done again.
    """
    wanted = {
        e.line_digest: e for e in entries if e.line_digest and e.status in ("done", "failed", "writing")
    }
    out = Reconciled(partial=partial)
    seen: set[str] = set()
    for key in digests:
        entry = wanted.get(key)
        if entry is None or key in seen:
            out.dropped += 1
            out.keep.append(False)
            continue
        seen.add(key)
        out.keep.append(True)
        if entry.status == "writing":
            out.promote.append(entry.sha256)
    out.reset = [e.sha256 for e in wanted.values() if e.line_digest not in seen]
    return out
