"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI, VIQR, and UTF-8 mis-decoded as cp1252/latin-1.

Each converter works token by token (whitespace is never touched), so offsets of whitespace-separated
tokens in the input stay valid. `detect` tries every converter and keeps the one that turns clearly
more tokens into known Vietnamese syllables than the text as given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# TCVN3 (ABC) byte values, read as latin-1 characters, for the lowercase letters with marks and the
# uppercase modified letters (toned capitals lived in a separate ".VnTimeH" font using the same codes).
_TCVN3_ROWS = {
    "àảãáạ": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ằẳẵắặ": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "ầẩẫấậ": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "èẻẽéẹ": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ềểễếệ": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "ìỉĩíị": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "òỏõóọ": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ồổỗốộ": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ờởỡớợ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "ùủũúụ": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ừửữứự": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "ỳỷỹýỵ": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
    "ĂÂÊÔƠƯĐ": (0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7),
    "ăâêôơưđ": (0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE),
}
TCVN3_TABLE = {chr(code): letter for letters, codes in _TCVN3_ROWS.items() for letter, code in zip(letters, codes, strict=True)}
_TCVN3_TRANS = str.maketrans(TCVN3_TABLE)

# VNI: a base letter followed by a mark character (VNI-Windows font codes read as latin-1).
_VNI_TONE = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_CIRC = {"á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}  # â ê ô + tone
_VNI_BREVE = {"é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}  # ă + tone
_VNI_I = {"í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị"}
_VNI_RE = re.compile(r"([aeoyuAEOYU])([ùøûõïÙØÛÕÏ]|[âÂ][ùøûõïÙØÛÕÏ]?|[êÊ]|[áàåãäÁÀÅÃÄ]|[éèúüëÉÈÚÜË])|([ôÔöÖ])([ùøûõïÙØÛÕÏ]?)|([ñÑ])|([íìæóòÍÌÆÓÒ])")


def _vni_sub(m: re.Match) -> str:
    if m.group(5):
        return "đ" if m.group(5) == "ñ" else "Đ"
    if m.group(6):
        c = m.group(6)
        return _VNI_I[c.lower()].upper() if c.isupper() else _VNI_I[c]
    if m.group(3):
        base = {"ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư"}[m.group(3)]
        tone = _VNI_TONE.get(m.group(4).lower(), "") if m.group(4) else ""
        return unicodedata.normalize("NFC", base + tone)
    base, mark = m.group(1), m.group(2)
    low = mark.lower()
    if low[0] == "â":
        if base.lower() not in "aeo":
            return m.group(0)
        tone = _VNI_TONE.get(low[1], "") if len(low) > 1 else ""
        return unicodedata.normalize("NFC", base + "\u0302" + tone)
    if low == "ê":
        return unicodedata.normalize("NFC", base + "\u0306") if base.lower() == "a" else m.group(0)
    if low in _VNI_TONE:
        return unicodedata.normalize("NFC", base + _VNI_TONE[low])
    if low in _VNI_CIRC:
        return unicodedata.normalize("NFC", base + "\u0302" + _VNI_CIRC[low]) if base.lower() in "aeo" else m.group(0)
    if low in _VNI_BREVE:
        return unicodedata.normalize("NFC", base + "\u0306" + _VNI_BREVE[low]) if base.lower() == "a" else m.group(0)
    return m.group(0)


def from_tcvn3(token: str) -> str:
    return unicodedata.normalize("NFC", token.translate(_TCVN3_TRANS))


def from_vni(token: str) -> str:
    return unicodedata.normalize("NFC", _VNI_RE.sub(_vni_sub, token))


_VIQR_RE = re.compile(r"([aeiouyAEIOUY])(\^|\(|\+)?([\'`?~.])?|(dd|DD|Dd)")
_VIQR_MOD = {"^": "\u0302", "(": "\u0306", "+": "\u031b"}
_VIQR_TONE = {"'": "\u0301", "`": "\u0300", "?": "\u0309", "~": "\u0303", ".": "\u0323"}


def from_viqr(token: str) -> str:
    """VIQR: vowel + optional ^ ( + then optional ' ` ? ~ . ; dd -> đ. A final '.' stays punctuation."""
    end_dot = token.endswith(".") and len(token) > 1 and not token.endswith("..")
    body = token[:-1] if end_dot else token

    def sub(m: re.Match) -> str:
        if m.group(4):
            return "đ" if m.group(4) == "dd" else "Đ"
        base, mod, tone = m.group(1), m.group(2) or "", m.group(3) or ""
        if mod == "^" and base.lower() not in "aeo" or mod == "(" and base.lower() != "a":
            return m.group(0)
        if mod == "+" and base.lower() not in "ou":
            return m.group(0)
        return base + _VIQR_MOD.get(mod, "") + _VIQR_TONE.get(tone, "")

    out = _VIQR_RE.sub(sub, body)
    return unicodedata.normalize("NFC", out + (token[-1] if end_dot else ""))


_CP1252_REV = {}
for _b in range(0x80, 0x100):
    try:
        _CP1252_REV[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        _CP1252_REV[chr(_b)] = _b


def from_mojibake(token: str) -> str:
    """UTF-8 bytes that were decoded as cp1252 (or latin-1): re-encode and decode as UTF-8."""
    raw = bytearray()
    for ch in token:
        o = ord(ch)
        if o < 0x80:
            raw.append(o)
        elif ch in _CP1252_REV:
            raw.append(_CP1252_REV[ch])
        else:
            return token
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8"))
    except UnicodeDecodeError:
        return token


CONVERTERS: dict[str, Callable[[str], str]] = {
    "cp1252-mojibake": from_mojibake,
    "tcvn3": from_tcvn3,
    "vni": from_vni,
    "viqr": from_viqr,
}


def detect(tokens: list[str], is_valid: Callable[[str], bool]) -> str | None:
    """Name of the legacy encoding that makes the tokens Vietnamese, or None for Unicode text.

    A converter wins when it changes at least 3 tokens and raises the share of valid syllables among
    changed tokens from under 30% to over 70%: plain Vietnamese is never converted.
    """
    words = [t for t in tokens if any(c.isalpha() for c in t)][:4000]
    if not words:
        return None
    best, best_gain = None, 0.0
    for name, conv in CONVERTERS.items():
        if name != "viqr" and all(ord(c) < 0x80 for t in words for c in t):
            continue
        changed = [(t, conv(t)) for t in words]
        changed = [(a, b) for a, b in changed if a != b]
        if len(changed) < 3 and len(changed) < len(words):
            continue
        before = sum(is_valid(a.strip(".,;:!?()\"'")) for a, _ in changed) / len(changed)
        after = sum(is_valid(b.strip(".,;:!?()\"'")) for _, b in changed) / len(changed)
        share = len(changed) / len(words)
        gain = (after - before) * share
        if before < 0.3 and after > 0.7 and share > 0.1 and gain > best_gain:
            best, best_gain = name, gain
    return best
