"""Diacritic restoration and OCR post-correction of Vietnamese text (issue 3)."""

from pipeline.restore.core import Restorer, RestoreResult, TokenChange

__all__ = ["Restorer", "RestoreResult", "TokenChange"]
