"""(d) of the restoration benchmark: Tesseract `vie` on degraded synthetic scans, WER before/after.

Pages come from pipeline.synth (render + clean/mild/heavy/lowres/stamp damage) of held-out test text; the
pipeline's OCR stage reads them and its words (confidences, per-character choices) are passed to the
restorer as `ocr_words`, as `vanban process` does.
"""

from __future__ import annotations

import os

import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.orthography import canonical


def _words(text: str) -> list[str]:
    return [canonical(w) for w in text.split()]


def word_tokens(text: str) -> list[str]:
    """Word tokens only (letters kept, punctuation dropped, lowercased): what restoration can change;
    Tesseract's capitals in the middle of words and sentences are left as they came, so not counted."""
    out = []
    for w in text.split():
        core = "".join(c for c in w if c.isalnum())
        if any(c.isalpha() for c in core):
            out.append(canonical(core.lower()))
    return out


def _ocr(image) -> tuple[str, list[dict]]:
    """The pipeline's own OCR stage on one page (preprocessing, Tesseract `vie`, per-character choices):
    its text and word dicts with offsets, confidences and choices, exactly as `vanban process` passes them."""
    import tempfile

    from pipeline.config import limit_threads
    from pipeline.document import restoration_words
    from pipeline.ocr.page import read_page
    from pipeline.record import OcrOptions, PageContext

    limit_threads()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "page.png")
        image.save(path)
        page = read_page(PageContext(path, "image", 1, 0, OcrOptions(char_choices="always")))
    return page.text or "", restoration_words([page], [0])


CONDITIONS = ("clean", "mild", "heavy", "lowres", "stamp")


def mark_only_errors(hyp: list[str], ref: list[str]) -> int:
    """Substituted tokens whose letters are right and only the marks differ: the part of the OCR error a
    mark restorer can reach (split, merged, dropped words and wrong letters are not)."""
    from difflib import SequenceMatcher

    from pipeline.orthography import skeleton

    n = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, hyp, ref, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            n += sum(skeleton(h.lower()) == skeleton(r.lower()) for h, r in zip(hyp[i1:i2], ref[j1:j2], strict=True))
    return n


def ocr_pages(restorer, lines: list[str], pages: int) -> dict[str, tuple] | None:
    """{condition: (WER before, after, word-only WER before, after, pages, share of the errors before that
    are mark-only)} for each damage condition."""
    try:
        from pipeline.synth import render_document_with_truth
        from pipeline.synth.damage import apply_condition
    except ImportError:
        return None
    text = "\n".join(lines[:400])
    rendered = render_document_with_truth(text)[:pages]
    out: dict[str, tuple[float, float, float, float, int]] = {}
    for cond in CONDITIONS:
        rng = np.random.default_rng(11)
        before = after = total = 0
        sb = sa = st = marks = 0
        for image, truth in rendered:
            damaged, _ = apply_condition(image, cond, rng)
            ocr_text, words = _ocr(damaged)
            restored = restorer.restore(ocr_text, ocr_words=words).text
            ref = _words(truth)
            before += Levenshtein.distance(_words(ocr_text), ref)
            after += Levenshtein.distance(_words(restored), ref)
            total += len(ref)
            marks += mark_only_errors(_words(ocr_text), ref)
            sref = word_tokens(truth)
            sb += Levenshtein.distance(word_tokens(ocr_text), sref)
            sa += Levenshtein.distance(word_tokens(restored), sref)
            st += len(sref)
        out[cond] = (before / max(1, total), after / max(1, total), sb / max(1, st), sa / max(1, st), len(rendered),
                     marks / max(1, before))
    return out
