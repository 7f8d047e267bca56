"""Helpers shared by the benchmarks: text normalisation, error rates, the data split, result files.

Error rates compare NFC text with whitespace collapsed. Characters are grapheme clusters (a base letter
with any combining marks that follow it), so a decomposed "ế" counts as one character, as a reader
would count it. Edit distances are rapidfuzz's Levenshtein on sequences.
"""

from __future__ import annotations

import hashlib
import platform
import resource
import subprocess
import sys
import unicodedata
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from pipeline.quality.metrics import graphemes

REPO_ROOT = Path(__file__).resolve().parent.parent
VLC_DEFAULT = REPO_ROOT.parent / "shared" / "corpora" / "vlc-2022"


# -- the corpus split (agreed across the project: OCR benchmark, restoration training) -------------------
def split_of(filename: str) -> str:
    """TEST iff sha1(file name) % 10 == 0, DEV iff == 1, else TRAIN; decided by the name alone."""
    bucket = int(hashlib.sha1(filename.encode()).hexdigest(), 16) % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


# -- text and error rates --------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """NFC, whitespace collapsed to single spaces, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(truth: str, hypothesis: str) -> float:
    """Character error rate: grapheme edit distance / grapheme count of the truth."""
    ref, hyp = graphemes(normalise(truth)), graphemes(normalise(hypothesis))
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def wer(truth: str, hypothesis: str) -> float:
    """Word error rate: word edit distance / word count of the truth."""
    ref, hyp = normalise(truth).split(), normalise(hypothesis).split()
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def order_free_cer(truth: str, hypothesis: str) -> float:
    """CER that ignores reading order: the lower of the CER and a bag-of-words error.

    Bag-of-words error: words found in both texts (as multisets) cost nothing; the words left on each
    side, each in its own order, are compared by grapheme edit distance, divided by the grapheme count
    of the whole truth (spaces collapsed). Moving a correctly read line costs nothing, so a page read
    in another column order scores its recognition errors only. Taking the lower of the two keeps it
    from exceeding the CER when the order is right (matching repeated words can misalign the rest)."""
    ref_words, hyp_words = normalise(truth).split(), normalise(hypothesis).split()
    total = len(graphemes(" ".join(ref_words)))
    if not total:
        return 0.0 if not hyp_words else 1.0
    common = Counter(ref_words) & Counter(hyp_words)
    left_ref = _drop(ref_words, common)
    left_hyp = _drop(hyp_words, common)
    bag = Levenshtein.distance(graphemes(" ".join(left_ref)), graphemes(" ".join(left_hyp))) / total
    return min(bag, cer(truth, hypothesis))


def _drop(words: list[str], common: Counter) -> list[str]:
    """The words not in ``common``, in order (each common word removed as many times as it is common)."""
    budget = Counter(common)
    kept = []
    for word in words:
        if budget[word] > 0:
            budget[word] -= 1
        else:
            kept.append(word)
    return kept


# -- run facts and result files ----------------------------------------------------------------------------
def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its finished children) in MB (Linux: ru_maxrss is KiB)."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024.0


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
