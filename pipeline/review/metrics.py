"""Error rates against ground truth: CER on grapheme clusters, WER, and a reading-order-free CER.

Both sides are NFC-normalised and their whitespace collapsed before comparison. A grapheme cluster
here is a base character with its combining marks (enough for Vietnamese, where a decomposed
"ế" is e + circumflex + acute): a leftover combining mark then costs one error, not two.
The reading-order-free CER compares the words left over after matching words as multisets, so a
two-column page read column by column is not charged for the order its columns came out in.
Edit distances are rapidfuzz's (C++), not hand-written.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFC, whitespace runs to one space, trimmed; the form-feed page separator is whitespace too."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def graphemes(text: str) -> list[str]:
    """Base characters with their combining marks attached."""
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.combining(char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


@dataclass(frozen=True)
class Errors:
    """Edits and reference length; rates are computed from sums so totals weigh long texts more."""

    edits: int
    length: int

    @property
    def rate(self) -> float:
        if not self.length:
            return 0.0 if not self.edits else 1.0
        return self.edits / self.length

    def __add__(self, other: Errors) -> Errors:
        return Errors(self.edits + other.edits, self.length + other.length)


def char_errors(truth: str, output: str) -> Errors:
    ref, hyp = graphemes(normalise(truth)), graphemes(normalise(output))
    return Errors(Levenshtein.distance(ref, hyp), len(ref))


def word_errors(truth: str, output: str) -> Errors:
    ref, hyp = normalise(truth).split(), normalise(output).split()
    return Errors(Levenshtein.distance(ref, hyp), len(ref))


def order_free_char_errors(truth: str, output: str) -> Errors:
    """CER that ignores reading order: the lower of the plain CER and a bag-of-words error.

    Bag-of-words error: words found in both texts (as multisets) cost nothing; the words left on each
    side, each in its own order, are compared by grapheme edit distance, divided by the grapheme length
    of the whole (whitespace-collapsed) truth. Moving a correctly read line costs nothing, so a page read
    in another column order is charged for its recognition errors only. Taking the lower of the two keeps
    it from exceeding the CER when the order is right (matching repeated words can misalign the rest).
    The benchmarks use this same function.
    """
    ref_words, hyp_words = normalise(truth).split(), normalise(output).split()
    common = Counter(ref_words) & Counter(hyp_words)
    left_ref, left_hyp = _leftover(ref_words, common), _leftover(hyp_words, common)
    bag = Levenshtein.distance(graphemes(" ".join(left_ref)), graphemes(" ".join(left_hyp)))
    plain = char_errors(truth, output)
    return Errors(min(bag, plain.edits), plain.length)


def _leftover(words: list[str], common: Counter) -> list[str]:
    """The words not in ``common``, in order (each common word dropped as many times as it is common)."""
    budget = Counter(common)
    kept = []
    for word in words:
        if budget[word] > 0:
            budget[word] -= 1
        else:
            kept.append(word)
    return kept


@dataclass(frozen=True)
class Scores:
    cer: Errors
    wer: Errors
    order_free_cer: Errors

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.cer + other.cer, self.wer + other.wer, self.order_free_cer + other.order_free_cer)

    def as_dict(self) -> dict:
        return {
            "cer": round(self.cer.rate, 5),
            "wer": round(self.wer.rate, 5),
            "order_free_cer": round(self.order_free_cer.rate, 5),
            "chars": self.cer.length,
            "words": self.wer.length,
        }


def score(truth: str, output: str) -> Scores:
    return Scores(
        char_errors(truth, output), word_errors(truth, output), order_free_char_errors(truth, output)
    )
