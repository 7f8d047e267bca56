"""Where page tasks run: a local process pool, or a Dask distributed cluster.

Both are driven through the ``concurrent.futures.Executor`` interface (Dask's
``Client.get_executor``), so the runner has one code path and the two engines run the very same
task functions on the same inputs: the outputs can only differ in timings.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil

from pipeline.batch.output import RecordFiles, write_record_files
from pipeline.batch.spill import read_spill
from pipeline.config import PipelineConfig, limit_threads
from pipeline.errors import MissingDependencyError, VanbanError
from pipeline.record import DocumentSource, PageContext, PageResult


def _start_worker(batch_pid: int, batch_started: float) -> None:
    """Set up a pool worker, and end it when the batch process is gone.

    A worker blocks on its task queue, whose write end it holds itself, so it does not notice a batch
    killed with SIGKILL (or by the OOM killer): without this watch it and its Tesseract helper lived
    on forever. The watch wakes every 2 s and compares the start time too, in case the pid is reused.
    """
    limit_threads()

    def watch() -> None:
        while True:
            time.sleep(2)
            try:
                alive = psutil.Process(batch_pid).create_time() == batch_started
            except psutil.NoSuchProcess:
                alive = False
            if not alive:
                os._exit(1)  # the helper ends by itself when this process's pipe to it closes

    threading.Thread(target=watch, name="vanban-batch-watch", daemon=True).start()


def page_task(ctx: PageContext) -> PageResult:
    """Read one page (render + OCR happen here, in the worker: pixels never travel). Threads are limited
    again here for Dask's workers, which have no initializer of ours."""
    limit_threads()
    from pipeline.ocr import read_page

    return read_page(ctx)


@dataclass(frozen=True)
class Finished:
    """What the main process learns of a finished document: where its record is, and its errors."""

    files: RecordFiles
    errors: list[dict]
    pages: int


def finish_task(source: DocumentSource, spill: str, config: PipelineConfig, name: str, work: str) -> Finished:
    """Restore, extract and assess a document whose pages are all read (from its spill file), and write its
    record page by page into ``work``: a long document's record never travels back whole."""
    limit_threads()
    from pipeline.document import Document, has_words, words_file_name
    from pipeline.stages import run_stages

    pages = [page.packed() for page in read_spill(spill)]  # one page unpacked at a time
    document = Document.of(source, pages, keep_words=config.keep_words)
    document.source["name"] = name
    if config.lean_records and config.keep_words and has_words(pages):
        document.words_file = words_file_name(name)  # text files and PDF text layers have no words
    run_stages(document, config)
    files = write_record_files(Path(work), name, document.write_record, document.words_file)
    return Finished(files, document.errors, len(document.pages))


@dataclass
class Engine:
    executor: Executor
    slots: int
    close: Callable[[], None]
    name: str


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def local_engine(workers: int | None) -> Engine:
    workers = workers or default_workers()
    # forkserver: workers start from a clean interpreter, not a fork of a process holding threads
    # (the webhook sender) and an open SQLite connection.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(os.getpid(), psutil.Process().create_time()),
    )
    return Engine(
        pool, workers, lambda: pool.shutdown(wait=True, cancel_futures=True), f"{workers} local workers"
    )


def dask_engine(address: str) -> Engine:
    """Connect to an existing Dask scheduler; every worker thread is one slot."""
    try:
        from distributed import Client
    except ImportError as error:  # pragma: no cover - distributed is a dependency
        raise MissingDependencyError("dask.distributed is not installed; pip install distributed") from error
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise VanbanError(f"cannot reach the Dask scheduler at {address} ({error})") from error
    threads = sum(client.nthreads().values()) or 1
    executor = client.get_executor(pure=False)

    def close() -> None:
        client.close()

    return Engine(executor, threads, close, f"Dask cluster at {address} ({threads} threads)")
