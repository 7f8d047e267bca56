"""Options of a run, in one frozen value that workers receive whole; each option is defaulted and
checked here once (the CLIs take their defaults and choices from these classes)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.record import OcrOptions

REPO_ROOT = Path(__file__).resolve().parent.parent
TONE_STYLES = ("old", "new")


@dataclass(frozen=True)
class PipelineConfig:
    ocr: OcrOptions = field(default_factory=OcrOptions)
    restore: bool = True
    extract: bool = True
    tone_style: str = "old"  # hòa, ủy, hóa: the placement dominant in legal texts; "new" gives hoà, uỷ, hoá
    models_dir: str | None = None  # None: the models/ folder of this repository
    keep_words: bool = True
    # the batch writes each page's OCR words to <name>.words.jsonl beside the record, not into it
    lean_records: bool = False

    def __post_init__(self) -> None:
        if self.tone_style not in TONE_STYLES:
            raise ValueError(f"tone_style must be old or new, not {self.tone_style!r}")


def limit_threads() -> None:
    """One thread each for Tesseract and OpenCV in this process and the programs it starts: vanban reads
    pages in parallel, and measured here Tesseract's own threads made each page 5-7x slower on 2 cores.
    Called by ``main``, the API and each batch worker; never at import."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import cv2

    cv2.setNumThreads(1)
