"""vanban: scanned Vietnamese administrative documents to restored text and structured JSON.

For integrators::

    from pipeline import process, process_batch
    record = process("scan.pdf")                     # one document -> record dict (schema-valid)
    summary = process_batch(["archive/"], "out/")    # a resumable batch, as `vanban process`
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pipeline.config import PipelineConfig


def process(path: str | Path, config: PipelineConfig | None = None) -> dict:
    """Run every stage on one document and return its record; raises InputError if it cannot be opened."""
    from pipeline.config import PipelineConfig, limit_threads
    from pipeline.ingest import open_document
    from pipeline.stages import process_document

    limit_threads()
    config = config or PipelineConfig()
    return process_document(open_document(path, config.ocr), config)


def process_batch(inputs, out_dir: str | Path, config: PipelineConfig | None = None, **options):
    """Process files and folders into ``out_dir`` exactly as `vanban process` does; returns the summary."""
    from pipeline.batch import run_batch
    from pipeline.config import PipelineConfig

    return run_batch(list(inputs), Path(out_dir), config=config or PipelineConfig(), **options)


__all__ = ["process", "process_batch", "__version__"]
