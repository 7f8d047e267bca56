"""Options of a run, in one frozen value that workers receive whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.record import OcrOptions

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODELS_DIR = REPO_ROOT / "models"


@dataclass(frozen=True)
class PipelineConfig:
    ocr: OcrOptions = field(default_factory=OcrOptions)
    restore: bool = True
    extract: bool = True
    tone_style: str = "old"  # hòa, ủy, hóa: the placement dominant in legal texts; "new" gives hoà, uỷ, hoá
    models_dir: str | None = None
    keep_words: bool = True
