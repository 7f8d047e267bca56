"""The batch runner: many documents, pages in parallel, resumable, each document recorded exactly once.

Exactly-once design (kill -9 at any moment, then rerun):

* ``DIR/catalog.sqlite`` (WAL, synchronous=FULL) holds one row per document keyed by the sha256 of
  its content, with its status and the sha256 (``line_digest``) of the one ``documents.jsonl`` line
  that belongs to it. The catalog is the truth; the jsonl is made to agree with it.
* Finishing a document is four steps, each durable before the next:
  1. write ``DIR/<name>.json`` atomically (temp file, fsync, os.replace, fsync of the folder);
  2. commit ``status='writing'`` with the digest of the line about to be appended;
  3. append the line to ``documents.jsonl`` (one write, fsync);
  4. commit ``status='done'`` (or ``'failed'`` when the record has errors).
* Every run starts by reconciling: a partial last line is cut; a line is kept only if its digest is
  the ``line_digest`` of a done/failed/writing row, and only once; a ``writing`` row whose line is
  there is promoted (the crash came between steps 3 and 4); a row whose line is missing goes back to
  ``pending`` (the crash came before step 3 completed) and is processed again. A crash before
  step 2 leaves the row pending: the JSON is simply rewritten.
* A rerun skips done rows, requeues failed rows (and all rows with ``--force``), whose old lines are
  dropped from the jsonl before any work starts, and registers new inputs.

Output names are fixed when a document is first registered: ``<stem>``, or ``<stem>-<8 hex of its
sha256>`` when another document already holds that name, so two inputs never overwrite each other.
An input that cannot be opened is keyed by the hash of its path and content, so each bad file gets
its own failed record. Two inputs with identical content are one document (the first path wins).

Parallelism: pages of all documents are submitted as tasks (render + OCR run in the worker; a task
is a pointer, never pixels) with at most two tasks per worker in flight, so a 500-page PDF is never
rendered all at once. Each page result is appended to its document's spill file in DIR/.vanban-work as
it arrives (``pipeline.batch.spill``), so the main process holds no pages; when a document's pages
are in, its finish task (restore, extract, quality) goes to the same workers, reads the spill and
writes the record page by page into DIR/.vanban-work; the main process renames it into place and
copies its line to documents.jsonl, so a record never travels whole between processes. (With --dask
the workers must see DIR: on one machine, or a shared file system.)
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from pipeline.batch.archive import TEXT_ONLY_NOTE, ArchiveOptions, backfill, write_archive
from pipeline.batch.catalog import Catalog
from pipeline.batch.engine import Engine, Finished, dask_engine, finish_task, local_engine, page_task
from pipeline.batch.output import (
    RecordFiles,
    append_line,
    line_bytes,
    line_digests,
    plan_reconcile,
    rewrite_lines,
    write_record,
    write_record_files,
)
from pipeline.batch.progress import Progress
from pipeline.batch.spill import PageSpill
from pipeline.batch.webhook import Webhook, check_webhook_url
from pipeline.config import PipelineConfig
from pipeline.document import failed_record, with_words
from pipeline.errors import ExitCode, OutputError, VanbanError, error_record, printable
from pipeline.ingest.discover import discover_documents, sha256_file
from pipeline.record import DocumentSource, PageResult

CATALOG_NAME = "catalog.sqlite"
JSONL_NAME = "documents.jsonl"
LOCK_NAME = ".vanban.lock"
WORK_NAME = ".vanban-work"


@dataclass
class BatchSummary:
    """What a run did. ``processed`` counts documents finished without errors in this run."""

    out_dir: str
    processed: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    seconds: float = 0.0
    repaired_lines: int = 0
    deliveries_sent: int = 0
    deliveries_failed: int = 0
    deliveries_waiting: int = 0
    delivery_seconds_lost: float = 0.0
    failed_names: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """Non-zero when a document failed or a record did not reach the webhook."""
        if self.failed or self.deliveries_failed:
            return int(ExitCode.SOME_DOCUMENTS_FAILED)
        return int(ExitCode.OK)

    def line(self) -> str:
        text = (
            f"{self.processed} processed, {self.skipped} skipped, {self.failed} failed "
            f"({self.pages} pages in {self.seconds:.1f} s); records in {self.out_dir}/{JSONL_NAME}"
        )
        if self.deliveries_sent or self.deliveries_failed:
            text += f"; webhook: {self.deliveries_sent} sent, {self.deliveries_failed} failed"
            if self.deliveries_failed:
                text += f" (re-sent next run; {self.delivery_seconds_lost:.1f} s lost to the receiver)"
        if self.deliveries_waiting:
            text += f"; {self.deliveries_waiting} webhook deliveries due: rerun with --webhook URL"
        return text


@dataclass
class Job:
    sha256: str
    name: str
    path: str
    source: DocumentSource | None
    error: VanbanError | None = None
    spill: PageSpill | None = None  # the pages read so far, on disk until the document is finished
    archive_only: bool = False  # finished earlier; only its archive files (--pdf, --alto, --hocr) are due


def input_key(path: str) -> str:
    """Catalog key of an input that could not be opened: its path and (when readable) its content."""
    digest_ = hashlib.sha256(b"unreadable:" + os.fsencode(Path(path).resolve()))
    with contextlib.suppress(OSError):
        if Path(path).is_file():
            digest_.update(sha256_file(Path(path)).encode())
    return digest_.hexdigest()


# File names are at most 255 bytes; Vietnamese letters take 2-3 bytes in UTF-8, and the record's
# temporary file adds "." and ".json.<pid>.tmp" to a name that may carry "-<64 hex>": 150 bytes fit.
MAX_NAME_BYTES = 150


def unique_name(catalog: Catalog, stem: str, sha256: str) -> str:
    """The stem (cut to MAX_NAME_BYTES), or the stem with a growing part of the hash when another
    document holds it."""
    stem = stem.replace("/", "_").replace("\0", "")
    stem = stem.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").strip() or "document"
    for candidate in (stem, f"{stem}-{sha256[:8]}", f"{stem}-{sha256[:16]}", f"{stem}-{sha256}"):
        if not catalog.name_taken(candidate, sha256):
            return candidate
    raise OutputError(f"cannot find a free output name for {stem}")  # pragma: no cover - needs a hash clash


def reconcile(out: Path, catalog: Catalog) -> int:
    """Make documents.jsonl and the catalog agree after whatever happened last time; lines dropped."""
    path = out / JSONL_NAME
    digests, partial = line_digests(path)
    plan = plan_reconcile(digests, partial, catalog.entries())
    if plan.needs_rewrite:
        rewrite_lines(path, plan.keep)
    with catalog.transaction():
        for sha in plan.promote:
            catalog.set_finished(sha)
        for sha in plan.reset:
            catalog.set_pending(sha)
    return plan.dropped + int(plan.partial)


def _lock(out: Path):
    handle = (out / LOCK_NAME).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        raise OutputError(
            f"another vanban batch is writing to {out}; wait for it or use another --out"
        ) from error
    return handle


def _plan(
    inputs: Iterable[str | Path],
    catalog: Catalog,
    config: PipelineConfig,
    document_per_folder: bool,
    force: bool,
    archive: tuple[ArchiveOptions, Path] | None = None,
) -> tuple[list[Job], int]:
    """Discover the inputs and decide what to do with each; one catalog transaction for all.
    Finished documents that lack a wanted archive file are listed in ``archive_only`` of each Job."""
    jobs: list[Job] = []
    skipped = 0
    seen: set[str] = set()
    with catalog.transaction():
        for item in discover_documents(inputs, document_per_folder=document_per_folder, options=config.ocr):
            if isinstance(item, DocumentSource):
                source, error = item, None
                sha, path, stem, pages = item.sha256, item.path, item.name, len(item.pages)
            else:
                path, error = item
                source, sha, pages = None, input_key(path), 0
                stem = Path(path).stem or Path(path).name
            path, stem = printable(path), printable(stem)
            if sha in seen:
                skipped += 1  # the same content under a second path: one document
                continue
            seen.add(sha)
            entry = catalog.get(sha)
            if entry is None:
                name = unique_name(catalog, stem, sha)
                catalog.register(sha, name, path, pages)
            elif entry.status == "done" and not force:
                skipped += 1
                if archive and source is not None and archive[0].wanted and archive[0].missing(archive[1], entry.name):
                    jobs.append(Job(sha, entry.name, path, source, archive_only=True))
                continue
            else:
                name = entry.name
                catalog.set_pending(sha, path, pages)
            jobs.append(Job(sha, name, path, source, error))
    return jobs, skipped


def _record_writer(record: dict) -> Callable[[BinaryIO, BinaryIO], None]:
    """How a record made in the main process is written into its two files (``write_record_files``)."""

    def write(pretty: BinaryIO, line: BinaryIO) -> None:
        pretty.write((json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        line.write(line_bytes(record))

    return write


class _Run:
    """State of one run; ``finalize`` is the four-step commit described in the module docstring."""

    def __init__(
        self,
        out: Path,
        catalog: Catalog,
        summary: BatchSummary,
        progress: Progress,
        hook: Webhook | None,
        archive: ArchiveOptions | None = None,
    ):
        self.archive = archive or ArchiveOptions()
        self.text_only = 0
        self.out = out
        self.catalog = catalog
        self.summary = summary
        self.progress = progress
        self.hook = hook
        self.appended = False
        # Page spills and records being written, on the output's file system so records are renamed into place.
        self.work = out / WORK_NAME
        shutil.rmtree(self.work, ignore_errors=True)  # what an interrupted run left (this run holds the lock)
        try:
            self.work.mkdir()
        except OSError as error:
            raise OutputError(f"cannot create {WORK_NAME} ({error.strerror or error})", path=str(out)) from error

    def finalize_record(self, job: Job, record: dict, *, guarded: bool = True) -> None:
        """Finish a document from a record made here (one that could not be opened or finished)."""
        record["source"]["name"] = job.name
        record["source"]["path"] = printable(record["source"]["path"])
        if not record["source"].get("sha256"):
            record["source"]["sha256"] = job.sha256
        files = write_record_files(self.work, job.name, _record_writer(record))
        self.finalize(job, Finished(files, record["errors"], record["source"].get("pages", 0)), guarded=guarded)

    def finalize(self, job: Job, finished: Finished, *, guarded: bool = True) -> None:
        """Commit a document's record files; a fault on this document alone (a record the writer or the
        catalog cannot take) commits its failed record instead. A fault of the output disk or the
        catalog (OutputError) stops the batch: every document would meet it."""
        if job.spill is not None:
            job.spill.discard()
        try:
            if guarded:
                finished = self._with_archive(job, finished)
            self._commit(job, finished)
        except OutputError:
            raise
        except Exception as error:  # noqa: BLE001 - one document's fault, recorded in its place
            if not guarded:
                raise
            finished.files.discard()
            if self.appended:
                # Its line is whole in documents.jsonl: the next run's reconcile finishes the row.
                self.progress.message(f"{job.name}: catalog not updated ({error}); the next run completes it")
            else:
                failed = failed_record(job.path, error, sha256=job.sha256)
                failed["errors"][-1]["stage"] = "output"
                self.finalize_record(job, failed, guarded=False)  # a second fault is the machinery's: it stops the batch
                return
        self._count(job, finished)

    def _with_archive(self, job: Job, finished: Finished) -> Finished:
        """Write the document's PDF, ALTO and hOCR before the record that vouches for them. The worker
        wrote the record to disk; it is read back here once, only when archive files are wanted. A file
        that could not be made adds an error to the record, which is then written again."""
        if not self._archive_due(job):
            return finished
        record = json.loads(finished.files.pretty.read_text(encoding="utf-8"))
        errors_before = len(record["errors"])
        self._write_archive_files(job, with_words(record, self.work))  # a lean record's words are beside it
        if len(record["errors"]) == errors_before:
            return finished
        files = write_record_files(self.work, job.name, _record_writer(record))  # over the files of the worker
        return Finished(replace(files, words=finished.files.words), record["errors"], finished.pages)

    def _commit(self, job: Job, finished: Finished) -> None:
        """The four durable steps of the module docstring; ``self.appended`` says whether step 3 is done."""
        self.appended = False
        status = "failed" if finished.errors else "done"
        files: RecordFiles = finished.files
        write_record(self.out / f"{job.name}.json", files)
        first_error = finished.errors[0]["message"] if finished.errors else None
        line_digest = sha256_file(files.line)
        self.catalog.set_writing(job.sha256, status, line_digest, first_error, webhook=self.hook is not None)
        append_line(self.out / JSONL_NAME, files.line)
        self.appended = True
        self.catalog.set_finished(job.sha256)
        if self.hook is not None:
            self.hook.send(job.sha256, files.line.read_bytes())
        files.discard()

    def _count(self, job: Job, finished: Finished) -> None:
        first_error = finished.errors[0]["message"] if finished.errors else None
        if first_error is not None:
            self.summary.failed += 1
            self.summary.failed_names.append(job.name)
        else:
            self.summary.processed += 1
        self.progress.document_done(
            job.name, "done" if first_error is None else f"failed: {first_error}", finished.pages
        )

    def _archive_due(self, job: Job) -> bool:
        """Whether the document gets archive files; a text document is counted instead (said once per batch)."""
        if not self.archive.wanted or job.source is None:
            return False
        if job.source.kind == "text":
            self.text_only += 1
            return False
        return True

    def write_archive(self, job: Job, record: dict) -> None:
        """The document's PDF, ALTO and hOCR, before its record (see pipeline.batch.archive)."""
        if not self._archive_due(job):
            return
        self._write_archive_files(job, record)

    def _write_archive_files(self, job: Job, record: dict) -> None:
        notes = (
            backfill(self.out, job.name, job.source, self.archive)
            if job.archive_only
            else write_archive(self.out, job.name, record, job.source, self.archive)
        )
        for note in notes:
            self.progress.message(f"{job.name}: {note}")

    def collect_deliveries(self, block: bool) -> None:
        """Record in the catalog what the webhook thread delivered; ``block``: wait for the rest (at
        most the hook's ``worst_case_s`` of failures)."""
        if self.hook is None:
            return
        gave_up = self.summary.delivery_seconds_lost >= self.hook.give_up_after_s
        for result in self.hook.finish() if block else self.hook.ready():
            if result.ok:
                self.catalog.set_delivery(result.sha256, "sent", 1, None)
                self.summary.deliveries_sent += 1
                continue
            self.catalog.set_delivery(result.sha256, "failed", 1, result.error)
            self.summary.deliveries_failed += 1
            if not gave_up:
                self.progress.message(f"webhook delivery failed ({result.error}); it will be re-sent next run")
            self.summary.delivery_seconds_lost = round(self.hook.failed_seconds, 1)
            if not gave_up and self.summary.delivery_seconds_lost >= self.hook.give_up_after_s:
                gave_up = True
                self.progress.message(
                    f"webhook: the receiver failed for {self.summary.delivery_seconds_lost:.0f} s; "
                    "no more deliveries this run, they are re-sent next run"
                )

    def resend_due(self) -> None:
        """Deliveries left over by earlier runs (failed, or interrupted) go first."""
        for entry in self.catalog.deliveries_due():
            path = self.out / f"{entry.name}.json"
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                # Someone removed or damaged the record file: say so; --force remakes it.
                self.catalog.set_delivery(entry.sha256, "failed", 0, f"cannot read {path.name}: {error}")
                self.summary.deliveries_failed += 1
                continue
            if self.hook is None:
                self.summary.deliveries_waiting += 1
            else:
                self.hook.send(entry.sha256, line_bytes(record))


def run_batch(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    *,
    config: PipelineConfig,
    workers: int | None = None,
    document_per_folder: bool = False,
    force: bool = False,
    dask_address: str | None = None,
    webhook: str | None = None,
    progress: bool = True,
    webhook_options: dict | None = None,
    archive: ArchiveOptions | None = None,
) -> BatchSummary:
    """Process every document among ``inputs`` into ``out_dir``; see the module docstring for the guarantees."""
    started = time.monotonic()
    if webhook:
        check_webhook_url(webhook)  # one line now, not a failed delivery per document later
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create the output folder ({error.strerror or error})", path=str(out)
        ) from error
    lock = _lock(out)
    catalog = Catalog(out / CATALOG_NAME)
    hook = Webhook(webhook, **(webhook_options or {})) if webhook else None
    summary = BatchSummary(out_dir=str(out))
    engine: Engine | None = None
    try:
        summary.repaired_lines = reconcile(out, catalog)
        jobs, summary.skipped = _plan(
            inputs, catalog, config, document_per_folder, force, (archive, out) if archive else None
        )
        backfills = [j for j in jobs if j.archive_only]
        jobs = [j for j in jobs if not j.archive_only]
        reconcile(out, catalog)  # drops the old lines of requeued documents before any new line
        total_pages = sum(len(j.source.pages) for j in jobs if j.source)
        bar = Progress(len(jobs), total_pages, enabled=progress)
        run = _Run(out, catalog, summary, bar, hook, archive)
        if hook is not None:
            bar.message(
                f"webhook: a receiver that fails costs this run at most {hook.worst_case_s:.0f} s; "
                "what it misses is re-sent next run"
            )
        run.resend_due()
        for job in backfills:
            run.write_archive(job, {})
        for job in jobs:
            if job.source is None:
                run.finalize_record(job, failed_record(job.path, job.error, sha256=job.sha256))
        page_jobs = [j for j in jobs if j.source is not None]
        if page_jobs:
            if not dask_address and any(c.kind != "text" for j in page_jobs for c in j.source.pages):
                from pipeline.ocr.discovery import check_language

                check_language(config.ocr)  # one clear error now, not one failed record per page
            engine = dask_engine(dask_address) if dask_address else local_engine(workers)
            bar.message(f"{len(page_jobs)} documents, {total_pages} pages on {engine.name}")
            engine = _drive(engine, page_jobs, config, run, workers, dask_address)
        run.collect_deliveries(block=True)
        if run.text_only:
            bar.message(f"{run.text_only} text documents: {TEXT_ONLY_NOTE}")
        bar.close()
    finally:
        if engine is not None:
            engine.close()
        shutil.rmtree(out / WORK_NAME, ignore_errors=True)
        if hook is not None:
            hook.close()
        catalog.close()
        lock.close()
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


def _drive(
    engine: Engine, jobs: list[Job], config: PipelineConfig, run: _Run, workers, dask_address
) -> Engine:
    """Feed page tasks through a bounded window and finish documents as their pages come in."""
    window = max(2, engine.slots * 2)
    pages = ((job, ctx) for job in jobs for ctx in job.source.pages)
    inflight: dict[Future, tuple[str, Job, object]] = {}
    page_count = 0

    def fill() -> None:
        nonlocal page_count
        while page_count < window:
            item = next(pages, None)
            if item is None:
                return
            job, ctx = item
            if job.spill is None:
                job.spill = PageSpill(run.work / f"{job.sha256}.pages")
            inflight[engine.executor.submit(page_task, ctx)] = ("page", job, ctx)
            page_count += 1

    fill()
    while inflight:
        done, _ = wait(list(inflight), timeout=1.0, return_when=FIRST_COMPLETED)
        for future in done:
            entry = inflight.pop(future, None)
            if entry is None:
                continue  # resubmitted to a fresh pool after a worker died
            kind, job, ctx = entry
            if kind == "page":
                page_count -= 1
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - a dead worker costs a page, not the batch
                    result = PageResult(
                        number=ctx.number, error=error_record(error, stage="ocr", page=ctx.number)
                    )
                    if isinstance(error, BrokenProcessPool):
                        engine = _restart(engine, inflight, config, workers, dask_address)
                job.spill.add(result)
                run.summary.pages += 1
                run.progress.page_done()
                if job.spill.count == len(job.source.pages):
                    inflight[_submit_finish(engine, job, config)] = ("finish", job, None)
            else:
                try:
                    finished = future.result()
                except Exception as error:  # noqa: BLE001 - the document gets a failed record, the batch goes on
                    record = failed_record(job.path, error, sha256=job.sha256, kind=job.source.kind)
                    record["errors"][-1]["stage"] = "batch"
                    if isinstance(error, BrokenProcessPool):
                        engine = _restart(engine, inflight, config, workers, dask_address)
                    run.finalize_record(job, record)
                else:
                    run.finalize(job, finished)
        fill()
        run.collect_deliveries(block=False)
    return engine


def _restart(engine: Engine, inflight: dict, config: PipelineConfig, workers, dask_address) -> Engine:
    """A worker died (out of memory, killed): its pool is unusable; start a new one, resubmit the rest."""
    engine.close()
    fresh = dask_engine(dask_address) if dask_address else local_engine(workers)
    for future, (kind, job, ctx) in list(inflight.items()):
        del inflight[future]
        if kind == "page":
            inflight[fresh.executor.submit(page_task, ctx)] = (kind, job, ctx)
        else:
            inflight[_submit_finish(fresh, job, config)] = (kind, job, ctx)
    return fresh


def _submit_finish(engine: Engine, job: Job, config: PipelineConfig) -> Future:
    """The finish task of a document whose pages are all in its spill file; its record is written beside it."""
    spill = job.spill.path
    return engine.executor.submit(finish_task, job.source, str(spill), config, job.name, str(spill.parent))
