"""Vietnamese orthography, in one place: NFC, letters, the capital-letter class of patterns, tone
marks and where they go (old style hòa, thủy; new style hoà, thuỷ), and whether a syllable is
well-formed.

Pure functions over NFC strings, shared by ingest (text-layer scoring), restoration and its training,
extraction and quality, so all of them see text the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letter classes for regular expressions (inside [...]): capitals and lowercase letters with every mark.
UPPER = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
LOWER = "a-zđâăêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"

# Combining tone marks (NFD) in the conventional order: huyền, sắc, hỏi, ngã, nặng.
TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
TONE_SET = frozenset(TONES)

VOWELS = frozenset("aăâeêioôơuưy")
MODIFIED_VOWELS = frozenset("ăâêôơư")

# All lowercase letters that can occur in Vietnamese words (with marks), for tokenisation.
_LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
VIET_CHARS = frozenset(_LOWER + _LOWER.upper())

# Nuclei (tone-free) that Vietnamese spelling allows, with the glide-final rhymes written as nucleus.
NUCLEI = frozenset(
    ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "yê", "oai", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "iêu", "yêu"]
)
_SYL_RE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?([aăâeêioôơuưy]+)(ng|nh|ch|[cmnpt])?$"
)


def nfc(text: str) -> str:
    """Every string inside the pipeline is NFC; this is the one place that says so."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=200_000)
def split_tone(syl: str) -> tuple[str, int]:
    """Return (syllable without tone mark, tone index 0..5; 0 = level tone)."""
    tone = 0
    out = []
    for ch in unicodedata.normalize("NFD", syl):
        if ch in TONE_SET:
            tone = TONES.index(ch) + 1
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)), tone


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """Lowercase letters with every mark removed and đ -> d: the key that stripped text keeps."""
    out = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(ch):
            continue
        out.append("d" if ch == "đ" else ch)
    return "".join(out)


def has_marks(word: str) -> bool:
    """True when a word carries any Vietnamese diacritic (tone, modifier or đ)."""
    return skeleton(word) != word.lower()


def _tone_position(base: str, style: str) -> int:
    """Index in `base` (lowercase, tone-free) of the vowel that carries the tone mark."""
    start = 0
    if base.startswith("qu") or base.startswith("gi") and len(base) > 2 and base[2] in VOWELS:
        start = 2
    i = start
    while i < len(base) and base[i] not in VOWELS:
        i += 1
    j = i
    while j < len(base) and base[j] in VOWELS:
        j += 1
    if i >= len(base):
        # "gi" alone (gì), "qu" without vowel: mark the last vowel letter we can find.
        for k in range(len(base) - 1, -1, -1):
            if base[k] in VOWELS:
                return k
        return -1
    cluster = base[i:j]
    has_coda = j < len(base)
    for k in range(len(cluster) - 1, -1, -1):
        if cluster[k] in MODIFIED_VOWELS:
            return i + k
    if len(cluster) == 1:
        return i
    if len(cluster) >= 3:
        return i + 1
    if has_coda:
        return i + 1
    if style == "new" and cluster in ("oa", "oe", "uy"):
        return i + 1
    return i


@lru_cache(maxsize=200_000)
def place_tone(base: str, tone: int, style: str = "old") -> str:
    """Put tone `tone` on `base` (any case) by the old (hòa, thủy) or new (hoà, thuỷ) rule."""
    if tone == 0:
        return base
    low = base.lower()
    pos = _tone_position(low, style)
    if pos < 0:
        return base
    return nfc(base[: pos + 1] + TONES[tone - 1] + base[pos + 1 :])


@lru_cache(maxsize=200_000)
def canonical(syl: str, style: str = "old") -> str:
    """The syllable with its tone mark moved to the place `style` prescribes (accepts either style)."""
    base, tone = split_tone(syl)
    if tone == 0:
        return syl
    return place_tone(base, tone, style)


@lru_cache(maxsize=200_000)
def is_well_formed(syl: str) -> bool:
    """Phonotactic check of a lowercase NFC syllable: onset + known nucleus + coda, tone/coda rule."""
    base, tone = split_tone(syl)
    m = _SYL_RE.match(base)
    if not m:
        return False
    onset, nucleus, coda = m.group(1) or "", m.group(2), m.group(3) or ""
    if onset == "gi" and nucleus[0] == "i" and nucleus not in NUCLEI:
        nucleus = nucleus[1:]
    if onset == "qu" and nucleus[0] == "u":
        return False
    if nucleus not in NUCLEI:
        return False
    if coda in ("c", "ch", "p", "t") and tone not in (2, 5):
        return False
    if nucleus[-1] in "iouy" and len(nucleus) > 1 and coda and nucleus not in (
        "oa", "oă", "oe", "uâ", "uê", "uy", "uô", "uơ", "ươ", "iê", "yê", "uyê"
    ):
        return False
    return not (onset in ("k", "gh", "ngh") and nucleus[0] not in "eêiy")


_LOOSE_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ch|nh|ng|[cmnptiyou])?"
)


def strip_tone(syllable: str) -> str:
    """Remove the five tone marks but keep the letters â ă ê ô ơ ư đ."""
    decomposed = unicodedata.normalize("NFD", syllable)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_SET))


def is_plausible_syllable(token: str) -> bool:
    """A looser check than ``is_well_formed``, for any case (onset, 1-3 vowels, coda; at most one tone
    mark): enough to tell Vietnamese from an OCR's garble (text layers; quality without a lexicon)."""
    lowered = token.lower()
    if sum(c in TONE_SET for c in unicodedata.normalize("NFD", lowered)) > 1:
        return False
    return _LOOSE_SYLLABLE.fullmatch(strip_tone(lowered)) is not None


ETH = "\u00d0"  # Ð, the Icelandic eth, which OCR (Tesseract's vie model, scanners' layers) writes for Đ (U+0110)
ETH_DOUBLED = re.compile(f"Đ{ETH}|{ETH}Đ")  # one Đ read twice ("QĐÐ")
_ETH_CONTEXT = VIET_CHARS | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_WORD = re.compile(r"\S+")


def eth_in_vietnamese(word: str) -> bool:
    """Does the word hold Ð in a Vietnamese context: every other letter a Vietnamese letter or an upper-case
    code letter (the F, J, W, Z of "ĐHĐL-FJW")? A word of another language ("Ðörður") keeps its eth."""
    return ETH in word and all(c in _ETH_CONTEXT for c in word if c.isalpha() and c != ETH)


def repair_eth_word(word: str) -> str:
    """The word with Đ where OCR wrote its look-alike Ð ("HÐND", "Ðề"; "QĐÐ" read twice gives "QĐ")."""
    if not eth_in_vietnamese(word):
        return word
    return ETH_DOUBLED.sub("Đ", word).replace(ETH, "Đ")


def repair_eth_text(text: str) -> str:
    """`repair_eth_word` on every word of a text (a PDF's own text layer, which no OCR word list carries)."""
    return _WORD.sub(lambda m: repair_eth_word(m.group(0)), text) if ETH in text else text
