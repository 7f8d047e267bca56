"""Tokens of the restorer: what a word token is, what it may become, and the marks of damage in it.

Pure data and pure functions (no model): the token and candidate types, the punctuation and
abbreviation tables of administrative text, and the letter-level costs of a Vietnamese OCR's wrong
marks. pipeline.restore.core classifies and decodes them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from pipeline.orthography import VIET_CHARS, skeleton

BOS, EOS, UNK, NUM, COMMA = 1, 2, 3, 4, 5

LEAD_PUNCT = "\"“”‘’«»([{<*•–—-.,:;_!?|"
TRAIL_PUNCT = "\"“”‘’«»)]}>*,.;:!?…/"
SENTENCE_END = ".;:!?…"  # marks that end a decoder segment (and a training sentence, `train`)
BREAK_PUNCT = set(SENTENCE_END)

# Abbreviations of administrative texts, kept as written (the corpus adds its frequent Latin words).
ABBREVIATIONS = {
    "UBND", "HĐND", "CCHC", "TTATGT", "V/v", "TM", "KT", "TL", "TUQ", "QĐ", "NQ", "TW", "BCH", "MTTQ",
    "CT", "KH", "BC", "TB", "CV", "HD", "TTr", "NĐ", "CP", "TT", "BTC", "BNV", "BCA", "VP", "THCS", "THPT",
    "UBMTTQ", "BHXH", "BHYT", "GTVT", "TN&MT", "KCN", "ĐBQH", "CNTT", "ĐVT", "PCCC", "QLNN", "CBCCVC",
    "VT", "TC", "XD", "TTĐT", "GĐ", "PGĐ", "TNMT", "GDĐT", "KHĐT", "LĐTBXH", "NN&PTNT", "VHTTDL",
}
# What an abbreviation stands for, fed to the LM as context (the corpora spell these out).
ABBR_CONTEXT = {
    k: tuple(v.split())
    for k, v in {
        "UBND": "ủy ban nhân dân", "HĐND": "hội đồng nhân dân", "MTTQ": "mặt trận tổ quốc",
        "BCH": "ban chấp hành", "CCHC": "cải cách hành chính", "THCS": "trung học cơ sở",
        "THPT": "trung học phổ thông", "BHXH": "bảo hiểm xã hội", "BHYT": "bảo hiểm y tế",
        "CNTT": "công nghệ thông tin", "PCCC": "phòng cháy chữa cháy", "ĐBQH": "đại biểu quốc hội",
        "UBMTTQ": "ủy ban mặt trận tổ quốc", "TTATGT": "trật tự an toàn giao thông",
    }.items()
}
# Damaged codes an old OCR produces, and what they were.
CODE_FIXES = {
    "VBND": "UBND", "UBNO": "UBND", "U8ND": "UBND", "UBNĐ": "UBND", "HDND": "HĐND",
    "QD": "QĐ", "ND": "NĐ", "CCHG": "CCHC", "TTATGI": "TTATGT",
}
FOREIGN = {"Zalo", "Facebook", "Google", "YouTube", "Youtube", "TikTok", "Email", "email", "Internet",
           "internet", "website", "Website", "online", "COVID", "Covid", "iPhone", "Wifi", "wifi", "Word",
           "Excel", "PDF", "Microsoft", "Windows", "Viber", "Messenger", "VNeID", "app"}

EMAIL_RE = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
URL_RE = re.compile(r"^(https?://|www\.)\S+$|^[\w-]+(\.[\w-]+)*\.(vn|com|net|org|gov|edu)(/\S*)?$", re.I)
DATE_GLUED_RE = re.compile(r"^(\d{1,2})[1lI|](\d{1,2})[1lI|]((?:19|20)\d\d)$")
YEAR_QUOTE_RE = re.compile(r"^(19|20)['’`](\d\d)$")
ROMAN_RE = re.compile(r"^[IVXLC]+\.?$")
DIGITS_RE = re.compile(r"^[\d.,/:%°+\-–]+$")


@dataclass
class TokenChange:
    """One token the stage changed: offsets in the input text, what it was, what it became."""

    start: int
    end: int
    original: str
    chosen: str
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    confidence: float = 1.0

    def to_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "chosen": self.chosen,
            "alternatives": [[a, round(p, 4)] for a, p in self.alternatives],
            "confidence": round(self.confidence, 4),
        }


@dataclass
class RestoreResult:
    text: str
    changes: list[TokenChange]
    encoding: str | None = None


@dataclass
class Cands:
    """Candidates of one word token; chan = a*log(s) + b*log(1-s) + c. `outs` are lowercase forms."""

    outs: list[str]
    ids: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray


@dataclass
class Token:
    start: int  # offsets of the core (the word without surrounding punctuation) in the input
    end: int
    core: str  # after legacy-encoding conversion, NFC
    kind: str  # "fixed" | "word" | "split"
    out: str | None = None  # fixed output text (for kind "fixed")
    lm_id: int = UNK
    cands: list[Cands] | None = None  # one per LM position (two for a split merged token)
    marked: int = -1  # 1 marked Vietnamese, 0 unmarked Vietnamese, -1 not counted
    pu: float = 0.0  # how often this word's skeleton is written without marks in correct text
    line: int = 0  # line number in the text
    joiner: str = " "  # between the parts of a split token ("/" for đồng/năm)
    brk: bool = False  # a segment break follows this token
    comma: bool = False  # a comma follows this token
    foreign: bool = False  # a foreign word kept as written (the foreign-word guard)


def _fixed(start: int, end: int, core: str, out: str | None = None, lm_id: int = UNK) -> Token:
    return Token(start, end, core, "fixed", out if out is not None else core, lm_id)


@lru_cache(maxsize=100_000)
def apply_case(orig: str, out: str) -> str:
    """Give `out` the case pattern of `orig`: ALL CAPS, Capitalised or lower."""
    letters = [c for c in orig if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return out.upper()
    if orig[:1].isupper():
        return out[:1].upper() + out[1:]
    return out


CASE_NONE, CASE_TITLE, CASE_LOWER = 0, 1, 2


def case_kind(core: str) -> int:
    """How a word inside a sentence is written: Capitalised (a name: "Đồng" in "xã Đồng Cơ"), lower,
    or neither (ALL CAPS headings, single letters, mixed case say nothing about the syllable)."""
    if len(core) < 2 or not core.isalpha():
        return CASE_NONE
    if core.islower():
        return CASE_LOWER
    if core[0].isupper() and core[1:].islower():
        return CASE_TITLE
    return CASE_NONE


_VOWEL_BASES = set("aeiouy")
_VOWEL_CHARS = {c for c in VIET_CHARS if skeleton(c) in _VOWEL_BASES}


def _frame(word: str) -> str:
    return "".join("V" if c in _VOWEL_BASES else c for c in skeleton(word))


def _vowel_penalty(obs: str, cand: str) -> float:
    """Cost of an OCR reading `obs` for `cand` (same frame): per letter, mark vs. base confusions."""
    pen = 0.0
    for o, c in zip(obs, cand, strict=False):
        if o == c:
            continue
        so, sc = skeleton(o), skeleton(c)
        pen += 0.7 if so == sc else 1.5 if {so, sc} <= {"a", "o", "e", "u"} or {so, sc} <= {"i", "y"} else 3.0
    return pen


def _mark_penalty(obs: str, cand: str) -> float:
    """Cost of reading `cand` as `obs` beyond losing marks: marks in obs that cand does not have."""
    if len(obs) != len(cand):
        return 1.0
    pen = 0.0
    for o, c in zip(obs, cand, strict=False):
        if o == c:
            continue
        od = set(unicodedata.normalize("NFD", o)[1:])
        cd = set(unicodedata.normalize("NFD", c)[1:])
        if o == "đ" and c != "đ":
            pen += 2.0
        elif od - cd:
            pen += 2.0 if od & {"\u0302", "\u0306", "\u031b"} - cd else 1.0
    return pen


KEEP_LEAD = "'`\"‘“("  # punctuation a word core may start with that the output must keep
KEEP_TRAIL = ".,;:!)"  # ... or end with (LÁT. in a heading)


def _keep_affixes(orig: str, out: str) -> str:
    """Put back leading quotes and trailing periods of the core that the chosen word lacks."""
    lead = orig[: len(orig) - len(orig.lstrip(KEEP_LEAD))]
    trail = orig[len(orig.rstrip(KEEP_TRAIL)):]
    if lead and not out.startswith(lead):
        out = lead + out
    if trail and not out.endswith(trail):
        out = out + trail
    return out
