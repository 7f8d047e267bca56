"""Synthetic damage for benchmarks and tests: stripped marks and old-OCR garble (every damage class).

The garble draws from the same confusion table the restorer inverts (`garble.JUNK_BY_BASE`), plus
letter confusions, lost spaces, broken dates and codes, so benchmark (b) exercises each class of
docs/ocr-damage.md. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
import unicodedata

from pipeline.restore.garble import JUNK_BY_BASE
from pipeline.restore.viet import VIET_CHARS, skeleton

_LETTER_SWAPS = (("m", "rn"), ("rn", "m"), ("d", "cl"), ("h", "li"), ("c", "e"), ("nư", "mr"))
_CODE_DAMAGE = {"UBND": "VBND", "HĐND": "HDND", "QĐ": "QD"}
_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")


def strip_marks(text: str) -> str:
    """Remove every Vietnamese mark (tones, modifiers, đ -> d), keeping case and everything else."""
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        out.append({"đ": "d", "Đ": "D"}.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(out))


def _garble_word(word: str, rng: random.Random, p_strip: float, p_junk: float) -> str:
    out = []
    for ch in word:
        low = ch.lower()
        base = skeleton(low) if low in VIET_CHARS else low
        if low != base and len(base) == 1:
            r = rng.random()
            if r < p_strip:
                out.append(base.upper() if ch.isupper() else base)
                continue
            if r < p_strip + p_junk:
                junk = JUNK_BY_BASE.get(base)
                out.append(rng.choice(junk) if junk else base.upper() if ch.isupper() else base)
                continue
        out.append(ch)
    return "".join(out)


def old_ocr_garble(
    text: str,
    seed: int = 0,
    p_strip: float = 0.60,
    p_junk: float = 0.15,
    p_space: float = 0.03,
    p_letter: float = 0.02,
    p_date: float = 0.5,
    p_code: float = 0.5,
) -> str:
    """Old-OCR damage: of marked letters 60% lose marks and 15% become junk; 3% of spaces vanish;
    2% of words get a letter confusion (rn/m, cl/d, li/h, e/c); dates and codes break."""
    rng = random.Random(seed)
    text = _DATE_RE.sub(lambda m: "1".join(m.groups()) if rng.random() < p_date else m.group(0), text)
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        out: list[str] = []
        for w in words:
            if w in _CODE_DAMAGE and rng.random() < p_code:
                w = _CODE_DAMAGE[w]
            elif any(c.isalpha() for c in w) and not w.isupper():
                w = _garble_word(w, rng, p_strip, p_junk)
                if rng.random() < p_letter:
                    src, dst = rng.choice(_LETTER_SWAPS)
                    if src in w:
                        w = w.replace(src, dst, 1)
            elif w.isupper():
                w = _garble_word(w, rng, p_strip, p_junk * 0.3)
            out.append(w)
        merged: list[str] = []
        for w in out:
            if merged and w and merged[-1] and merged[-1][-1].isalpha() and w[0].isalpha() and rng.random() < p_space:
                merged[-1] += w
            else:
                merged.append(w)
        lines.append(" ".join(merged))
    return "\n".join(lines)
