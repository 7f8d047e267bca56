"""Batch: many documents through the pipeline, pages in parallel (local pool or Dask), resumable,
each finished record written once to ``DIR/<name>.json`` and ``DIR/documents.jsonl``."""

from pipeline.batch.runner import BatchSummary, run_batch

__all__ = ["BatchSummary", "run_batch"]
