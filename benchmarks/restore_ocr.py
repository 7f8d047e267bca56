"""(d) of the restoration benchmark: Tesseract `vie` on degraded synthetic scans, WER before/after.

Pages come from pipeline.synth (render + mild/heavy damage) of held-out test text; the OCR words and
their confidences are passed to the restorer as `ocr_words`, as the pipeline's OCR stage does.
"""

from __future__ import annotations

import os

import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.restore.viet import canonical


def _words(text: str) -> list[str]:
    return [canonical(w) for w in text.split()]


def _syllables(text: str) -> list[str]:
    """Word tokens only (letters kept, punctuation dropped, lowercased): what restoration can change;
    Tesseract's capitals in the middle of words and sentences are left as they came, so not counted."""
    out = []
    for w in text.split():
        core = "".join(c for c in w if c.isalnum())
        if any(c.isalpha() for c in core):
            out.append(canonical(core.lower()))
    return out


def _ocr(image) -> tuple[str, list[dict]]:
    """Text (one line per Tesseract line) and word dicts with offsets and confidences."""
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    data = pytesseract.image_to_data(image, lang="vie", config="--psm 4", output_type=pytesseract.Output.DICT)
    lines: list[str] = []
    words: list[dict] = []
    key = None
    cur: list[str] = []
    offset = 0
    for i, w in enumerate(data["text"]):
        if not w or not w.strip():
            continue
        k = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if k != key and cur:
            lines.append(" ".join(cur))
            offset += len(lines[-1]) + 1
            cur = []
        key = k
        start = offset + sum(len(c) + 1 for c in cur)
        cur.append(w)
        words.append({"text": w, "start": start, "end": start + len(w), "confidence": float(data["conf"][i])})
    if cur:
        lines.append(" ".join(cur))
    return "\n".join(lines), words


def ocr_pages(restorer, lines: list[str], pages: int) -> dict[str, tuple[float, float, float, float, int]] | None:
    """{condition: (WER before, after, word-only WER before, after, pages)} for mild and heavy damage."""
    try:
        from pipeline.synth import render_document_with_truth
        from pipeline.synth.damage import apply_condition
    except ImportError:
        return None
    text = "\n".join(lines[:400])
    rendered = render_document_with_truth(text)[:pages]
    out: dict[str, tuple[float, float, float, float, int]] = {}
    for cond in ("mild", "heavy"):
        rng = np.random.default_rng(11)
        before = after = total = 0
        sb = sa = st = 0
        for image, truth in rendered:
            damaged, _ = apply_condition(image, cond, rng)
            ocr_text, words = _ocr(damaged)
            restored = restorer.restore(ocr_text, ocr_words=words).text
            ref = _words(truth)
            before += Levenshtein.distance(_words(ocr_text), ref)
            after += Levenshtein.distance(_words(restored), ref)
            total += len(ref)
            sref = _syllables(truth)
            sb += Levenshtein.distance(_syllables(ocr_text), sref)
            sa += Levenshtein.distance(_syllables(restored), sref)
            st += len(sref)
        out[cond] = (before / max(1, total), after / max(1, total), sb / max(1, st), sa / max(1, st), len(rendered))
    return out
