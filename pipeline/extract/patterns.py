"""Regular expressions for the fixed forms of the decree: numbers and symbols, dates, times."""

from __future__ import annotations

import re
from datetime import date

from pipeline import orthography

from .lexicon import CODE_TO_TYPE, EXTRA_CODES

_UP = orthography.UPPER
_LOW = orthography.LOWER
UPPER = _UP
LOWER = _LOW
# One part of a symbol: starts with a capital or digit, then letters and digits ("CTrTT", "QH14"). Codes use
# no marked letter but Đ/đ (the record schema's symbol pattern says the same): a marked lowercase letter
# after a code is a word glued to it ("QĐ-TTgcủa"), which used to make the record break the schema.
_PART = "[A-ZĐ0-9][A-Za-zĐđ0-9]*"
# Words that real texts glue to the symbol before them ("35/2025/QĐ-TTgcủa Thủ tướng"): the symbol ends there.
_GLUED_AFTER_SYMBOL = rf"(?:của|ngày|về|và|do|được|đã|năm|quy)(?![{_LOW}])"
SYMBOL_RE = re.compile(rf"^(?:(?:19|20)\d\d/)?{_PART}(?:-{_PART})*(?:/{_PART}(?:-{_PART})*)?$")
# A second code after a slash, as older and joint documents write it ("488/KHKT/TT",
# "117/2007/TTLT/BTC-BLĐTBXH"); it holds a letter, so "12/3/2025" stays a date.
_SLASH_PART = rf"(?:/(?=[A-ZĐ0-9]*[A-Za-zĐđ]){_PART}(?:-{_PART})*)?"
# "15/QĐ-UBND", "45/2019/QH14", "12/2025/QĐ-UBND", "1906/SGDĐT-CTrTT"; party style "496-TB/TU".
NUMSYM = (
    rf"(?:(?P<num>\d{{1,5}}[a-z]?)/(?P<sym>(?:(?:19|20)\d\d/)?{_PART}(?:-{_PART})*{_SLASH_PART})"
    rf"|(?P<pnum>\d{{1,5}})-(?P<psym>{_PART}/{_PART}(?:-{_PART})*))"
)
NUMSYM_RE = re.compile(rf"(?<![\w/]){NUMSYM}(?:(?![\w/-])|(?={_GLUED_AFTER_SYMBOL}))")
# A token that the tokenizer must keep whole: symbols, dates, times, decimals.
KEEP_WHOLE_RE = re.compile(
    rf"^(?:\d{{1,5}}[a-z]?/(?:(?:19|20)\d\d/)?{_PART}(?:-{_PART})*{_SLASH_PART}"
    rf"|\d{{1,5}}-{_PART}/{_PART}"
    r"|\d{1,2}([/.-])\d{1,2}\1\d{4}"
    r"|\d{1,2}[/-]\d{4}"
    r"|\d{1,2}[hg]\d{2}(?:'|p)?"
    r"|\d{1,3}(?:[.,]\d{3})+(?:,\d+)?|\d+,\d+"
    r"|V/v|b/c|./.)$"
)

# A time may precede the date: "14 giờ 00 ngày 29/7/2020", "8h00, ngày 10/10/2025", "8 giờ 30 (thứ Hai) ngày ...".
DATE_RE = re.compile(
    r"(?:(?<!\w)(?P<hh>\d{1,2})\s*(?:giờ|h|g)\s*(?P<mm>\d{2})?(?:\s*(?:phút|p))?\s*,?\s*"
    r"(?:\(?\s*(?:thứ\s+\w+|chủ\s+nhật)\s*\)?\s*,?\s*)?)?"
    r"(?:ngày[\s:.,]*(?P<d>\d{1,2})[\s:.,]+tháng[\s:.,]*(?P<m>\d{1,2})[\s:.,]+năm[\s:.,]*(?P<y>(?:19|20)\d\d)"
    r"|(?:ngày\s+)?(?<![\d/.-])(?P<d2>\d{1,2})(?P<sep>[/.-])(?P<m2>\d{1,2})(?P=sep)(?P<y2>(?:19|20)\d\d)(?![\d/]))",
    re.IGNORECASE,
)


def valid_date(y: int, m: int, d: int) -> str | None:
    """ISO form of a calendar date, or None for an impossible one (31/2, month 13)."""
    if not 1900 <= y <= 2100:
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def fix_symbol(text: str) -> str:
    """The legislature's number "QH15" that OCR reads as "QHI5" (the look-alike Ð for Đ is repaired where
    the OCR words are read, ``pipeline.ocr.hocr.repair_eth``)."""
    return re.sub(r"(?<=QH)[0-9Il|O]{2}(?![\w])", lambda m: m.group(0).translate(_DIGITS), text)


_DIGITS = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0"})


def expect_code(symbol: str | None, code: str | None) -> str | None:
    """The symbol with its type code set to ``code`` when OCR changed one letter of it ("TIr-NV" under
    "Tờ trình số" -> "TTr-NV"); unchanged when the code is already a known one or is further away."""
    if not symbol or not code:
        return symbol
    year, _, body = symbol.rpartition("/") if re.match(r"^(?:19|20)\d\d/", symbol) else ("", "", symbol)
    first, sep, rest = body.partition("-")
    if not sep or first == code or first in CODE_TO_TYPE or first in EXTRA_CODES:
        return symbol
    from rapidfuzz.distance import Levenshtein

    if Levenshtein.distance(first, code) == 1:
        return (f"{year}/" if year else "") + code + sep + rest
    return symbol


def split_numsym(text: str) -> tuple[str | None, str | None]:
    """(number, symbol) of "15/QĐ-UBND" or "496-TB/TU"; None for parts that fail the decree's pattern."""
    match = NUMSYM_RE.fullmatch(fix_symbol(text.strip()))
    if not match:
        return None, None
    if match.group("num"):
        number, symbol = match.group("num"), match.group("sym")
    else:
        number, symbol = match.group("pnum"), match.group("psym")
    return number, (symbol if valid_symbol(symbol) else None)


def valid_symbol(symbol: str) -> bool:
    """A symbol per Phụ lục III: optional year, then capitalised codes joined by hyphens (or a party slash)."""
    # A symbol names a type or a body: it holds letters ("20/6" is a number and a stray digit, not 20/"6").
    return bool(SYMBOL_RE.match(symbol)) and len(symbol) <= 40 and any(ch.isalpha() for ch in symbol)


def type_code_of(symbol: str | None) -> str | None:
    """The document-type code that opens a symbol ("QĐ" of "QĐ-UBND", of "2025/QĐ-UBND"), if any."""
    if not symbol:
        return None
    body = symbol.split("/", 1)[1] if re.match(r"^(?:19|20)\d\d/", symbol) else symbol
    first = re.split(r"[-/]", body)[0]
    if first in CODE_TO_TYPE or first in EXTRA_CODES:
        return first
    return None
