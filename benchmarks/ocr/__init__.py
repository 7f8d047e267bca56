"""OCR benchmark (``python -m benchmarks.ocr``; see ``__main__``): pages, readers, one module per experiment.

The batch and quality benchmarks use its pages and its bare-Tesseract reader.
"""

from benchmarks.ocr.pages import BenchPage, build_pages
from benchmarks.ocr.readers import run_bare

__all__ = ["BenchPage", "build_pages", "run_bare"]
