"""Helpers shared by the benchmarks: text normalisation, error rates, result files (the corpus split lives in pipeline.corpus_split).

Error rates compare NFC text with whitespace collapsed. Characters are grapheme clusters (a base letter
with any combining marks that follow it), so a decomposed "ế" counts as one character, as a reader
would count it. Edit distances are rapidfuzz's Levenshtein on sequences.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from pipeline.review.metrics import char_errors, order_free_char_errors, word_errors

REPO_ROOT = Path(__file__).resolve().parent.parent
VLC_DEFAULT = REPO_ROOT.parent / "shared" / "corpora" / "vlc-2022"


# -- text and error rates --------------------------------------------------------------------------------
def cer(truth: str, hypothesis: str) -> float:
    """Character error rate: grapheme edit distance / grapheme count of the truth (NFC, spaces collapsed)."""
    return char_errors(truth, hypothesis).rate


def wer(truth: str, hypothesis: str) -> float:
    """Word error rate: word edit distance / word count of the truth."""
    return word_errors(truth, hypothesis).rate


def order_free_cer(truth: str, hypothesis: str) -> float:
    """CER that ignores reading order (``pipeline.review.metrics.order_free_char_errors``, as `vanban eval`)."""
    return order_free_char_errors(truth, hypothesis).rate


# -- run facts and result files ----------------------------------------------------------------------------
def today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


def tesseract_version() -> str:
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return "tesseract not found"
    return out.splitlines()[0] if out else "tesseract ?"


def run_header(name: str, command: str) -> str:
    """The lines every results file starts with: what ran, where, when."""
    return "\n".join(
        [
            f"# Benchmark: {name}",
            "",
            f"- command: `{command}`",
            f"- date: {today()} (UTC)",
            f"- machine: 2 cores ({platform.machine()}, Python {sys.version.split()[0]}, {tesseract_version()})",
            "",
        ]
    )


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    """A GitHub Markdown table; floats are printed as given (format them before)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_result(name: str, text: str) -> Path:
    """Write ``benchmarks/results/NAME.md`` atomically and return its path."""
    path = REPO_ROOT / "benchmarks" / "results" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def publish(name: str, lines: list[str]) -> Path:
    """Print the report made of ``lines`` and write it to ``benchmarks/results/NAME.md``."""
    text = "\n".join(lines) + "\n"
    print(text)
    return write_result(name, text)
