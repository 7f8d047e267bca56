"""The OCR confusion model: which junk an old OCR writes for a Vietnamese letter, and the way back.

One table serves both directions, so the synthetic damage of `noise.py` and the candidate generator of
the restorer agree: JUNK_BY_BASE lists what a marked vowel (by its mark-free base letter) turns into
when the OCR had no Vietnamese support (all seen in real archive files, see docs/ocr-damage.md);
`expansions` inverts it to enumerate the mark-free skeletons a damaged token may stand for.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# What a marked vowel becomes (old OCR without Vietnamese): symbols, digits, look-alike letters.
JUNK_BY_BASE: dict[str, tuple[str, ...]] = {
    "a": ("~", "?", "ii", "@", "4", "8", "*", "ä"),
    "e": ("~", "?", "@", "3", "f3", "S", "*", "ë"),
    "o": ("~", "?", "6", "0", "Q", "*", "ö", "O'"),
    "u": ("~", "?", "\\l", "\\f", "ii", "ir", "*", "ü", "U'"),
    "i": ("~", "?", "j", "1", "*", "ï"),
    "y": ("~", "?", "j", "*"),
}
# Letter-level OCR confusions (observed -> intended skeleton letters) with a cost.
LETTER_CONFUSIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "rn": (("m", 0.4),),
    "m": (("rn", 0.8), ("n", 0.9)),
    "cl": (("d", 0.4),),
    "li": (("h", 0.5),),
    "e": (("c", 0.7),),
    "c": (("e", 0.7),),
    "mr": (("nu", 0.3),),
    "l": (("i", 0.6), ("t", 0.8)),
    "i": (("l", 0.6),),
    "j": (("i", 0.3),),
    "f": (("t", 0.7),),
}
# Inverse table: junk string -> skeleton letters it may stand for (cost 0.3 each).
JUNK_TO_SKEL: dict[str, str] = {}
for _base, _junks in JUNK_BY_BASE.items():
    for _j in _junks:
        JUNK_TO_SKEL[_j] = JUNK_TO_SKEL.get(_j, "") + _base
_MAX_UNIT = max(len(k) for k in list(JUNK_TO_SKEL) + list(LETTER_CONFUSIONS))
_SYMBOLS = set("~?@*\\^#$%&|!`'\"{}[]<>_=+")


def _units(token: str, i: int) -> tuple[tuple[str, float, int], ...]:
    """Options (skeleton text, cost, chars consumed) for the damaged token at position i."""
    return _units_at(token[i : i + _MAX_UNIT], i > 0)


@lru_cache(maxsize=50_000)
def _units_at(window: str, inside: bool) -> tuple[tuple[str, float, int], ...]:
    """Options for the start of `window` (the next few characters); `inside`: not the first letter."""
    token, i = (" " + window, 1) if inside else (window, 0)
    out: list[tuple[str, float, int]] = []
    ch = token[i]
    for n in range(_MAX_UNIT, 0, -1):
        piece = token[i : i + n]
        if len(piece) < n:
            continue
        if piece in JUNK_TO_SKEL and (n > 1 or not ch.isalpha() or (ch.isupper() and i > 0)):
            out.extend((b, 0.3 * n if n > 1 else 0.3, n) for b in JUNK_TO_SKEL[piece])
        low = piece.lower() if not (piece.isupper() and n > 1) else piece
        if low in LETTER_CONFUSIONS:
            out.extend((b, c, n) for b, c in LETTER_CONFUSIONS[low])
    if ch.isalpha():
        base = "".join(c for c in unicodedata.normalize("NFD", ch.lower()) if not unicodedata.combining(c))
        base = "d" if base == "đ" else base
        cost = 0.1 if (ch.isupper() and i > 0) else 0.0
        if base.isascii():
            out.append((base, cost, 1))
    elif ch in _SYMBOLS or ch.isdigit():
        out.append(("", 0.8, 1))
    else:
        out.append(("", 1.2, 1))
    if not any(u[2] == 1 for u in out):
        out.append(("", 1.2, 1))  # a letter of another script: may be dropped
    return tuple(out)


def best_guess(token: str) -> str:
    """The cheapest reading of each piece of a damaged token, left to right (for edit distance)."""
    out, i = [], 0
    while i < len(token):
        text, _, used = min(_units(token, i), key=lambda u: (u[1], -u[2]))
        out.append(text)
        i += used
    return "".join(out)


def expansions(token: str, limit: int = 96, prefixes: frozenset[str] | set[str] | None = None
               ) -> tuple[tuple[str, float], ...]:
    """Mark-free skeleton strings a damaged token may stand for, cheapest first (cost, not prob).

    With `prefixes` (every prefix of every known skeleton), partial readings that cannot lead to a
    known skeleton are dropped early.
    """
    states: dict[int, dict[str, float]] = {0: {"": 0.0}}
    n = len(token)
    for i in range(n):
        cur = states.pop(i, None)
        if not cur:
            continue
        best = sorted(cur.items(), key=lambda kv: kv[1])[:limit]
        for text, cost in best:
            for add, c, used in _units(token, i):
                nxt = states.setdefault(i + used, {})
                key = text + add
                if prefixes is not None and key not in prefixes:
                    continue
                total = cost + c
                if total < nxt.get(key, 1e9):
                    nxt[key] = total
    final = states.get(n, {})
    return tuple(sorted(final.items(), key=lambda kv: (kv[1], kv[0]))[:limit])
