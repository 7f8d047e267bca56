"""Extraction stage: document header, references, dates and tasks from restored text."""

from .core import extract

__all__ = ["extract"]
