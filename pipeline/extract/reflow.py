"""Lines that real text breaks in the middle of a header or signature item, joined back into one cell.

Web pages of published documents wrap a header cell every few words ("ỦY BAN NHÂN" / "DÂN", "CỘNG HÒA
XÃ" / "HỘI CHỦ NGHĨA VIỆT NAM", "Hà Nội, ngày 20" / "tháng 11 năm 2025", "Số: 3783/QĐ-" / "UBND"), and
OCR of a narrow column does the same. A joined cell spans the original lines: its text is the document's
text over that span with each line break read as a space (same length, so offsets inside it stay
right); the lines it absorbed are left empty.
"""

from __future__ import annotations

import re

from .lexicon import DOC_TYPES, fold
from .patterns import DATE_RE
from .textutil import Cell, is_upper_line

_MOTTOS = ("CONG HOA XA HOI CHU NGHIA VIET NAM", "DOC LAP - TU DO - HANH PHUC")
_NUMBER_OPEN = re.compile(r"^S[ốôóo6]\s*[:.;]?\s*(?:\d{1,5})?\s*$")
_DATE_OPEN = re.compile(r"(?:^|,\s*|[a-zà-ỹ]\s+)ngày\b", re.IGNORECASE)
_PLACE_HEAD = re.compile(r"^(?:TP\.\s*)?[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,2}$")
_PLACE_TAIL = re.compile(r"^[A-ZĐÀ-Ỹ]?[\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3}\s*,\s*ngày\b", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[A-ZĐÀ-Ỹ][a-zđà-ỹ]*$")
_AUTHORITY = re.compile(r"^(?:TM|KT|TL|TUQ|Q)\s*\.")  # "TM.", "KT. " opening a signature line


# Two words that make one head: a line ending with the first continues on the line starting with the second.
_HEAD_PAIRS = {("UY", "BAN"), ("HOI", "DONG"), ("VAN", "PHONG"), ("THU", "TUONG"), ("TONG", "CUC"), ("CHI", "CUC"),
               ("BAN", "NHAN"), ("NHAN", "DAN"), ("CHINH", "PHU"), ("TRUNG", "TAM"), ("BO", "CHI"), ("DONG", "NHAN"),
               ("PHONG", "CHINH")}


_POSITION_ENDS = {"BAN", "TICH", "TRUONG", "DOC", "NHIEM", "THU", "VU", "PHONG", "TUONG"}


def completes(above: str, line: str) -> bool:
    """Does ``line`` continue a word pair broken at the end of ``above`` ("ỦY" / "BAN NHÂN DÂN")?"""
    a, b = fold(above).split(), fold(line).split()
    return bool(a and b) and (a[-1], b[0]) in _HEAD_PAIRS


def joined(text: str, first: Cell, last: Cell) -> Cell:
    """One cell from the start of ``first`` to the end of ``last`` (line breaks read as spaces)."""
    return Cell(text[first.start : last.end].replace("\n", " "), first.start, last.end, first.line, first.col)


def _single(cells: list[Cell]) -> Cell | None:
    return cells[0] if len(cells) == 1 and cells[0].col is None and cells[0].text != "\f" else None


def _next_line(cells_by_line: list[list[Cell]], i: int, limit: int) -> int | None:
    """Index of the next non-empty line after i (one blank line allowed), or None."""
    for j in (i + 1, i + 2):
        if j < limit and cells_by_line[j]:
            return j
    return None


_FOLDED_TYPES = {fold(name) for name in DOC_TYPES}
_TYPE_HEADS = {" ".join(name.split()[:k]) for name in _FOLDED_TYPES for k in range(1, len(name.split()))}


def _motto_key(folded: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*-\s*", " - ", folded)).strip()


def _wants_next(t: str, nxt: str) -> bool:
    """Does header cell ``t`` continue on the line holding ``nxt``?"""
    key = _motto_key(fold(t))
    if len(key) >= 4 and any(m.startswith(key) and m != key for m in _MOTTOS):
        both = _motto_key(key + " " + fold(nxt))
        return any(m.startswith(both) for m in _MOTTOS)
    if fold(t).strip() in _TYPE_HEADS and is_upper_line(t + " " + nxt):
        return re.sub(r"\s+", " ", fold(t + " " + nxt)).strip() in _FOLDED_TYPES
    if _NUMBER_OPEN.match(t) or re.match(r"^S[ốô]\s*[:.]?\s*\S*[-/]$", t):
        return bool(re.match(r"^[\dA-ZĐ/.…-]", nxt))
    if _DATE_OPEN.search(t) and not DATE_RE.search(t):
        return bool(re.match(r"^(?:\d{1,4}\b|tháng|năm)", nxt, re.IGNORECASE))
    if re.match(r"^[^\d,;:]{2,40},$", t) and not is_upper_line(t):
        return bool(re.match(r"^ngày\b", nxt, re.IGNORECASE))
    if _PLACE_HEAD.match(t) and not is_upper_line(t) and len(t) <= 20:
        return bool(_PLACE_TAIL.match(nxt))
    return False


def reflow_header(text: str, cells_by_line: list[list[Cell]], limit: int = 30) -> list[list[Cell]]:
    """The first ``limit`` lines with broken header items (motto, number, place and date) joined."""
    out = [list(c) for c in cells_by_line]
    limit = min(limit, len(out))
    i = 0
    while i < limit:
        cell = _single(out[i])
        if cell is None:
            i += 1
            continue
        for _ in range(3):
            j = _next_line(out, i, limit)
            nxt = _single(out[j]) if j is not None else None
            if nxt is None or not _wants_next(cell.text, nxt.text):
                break
            cell = joined(text, cell, nxt)
            out[i] = [cell]
            for k in range(i + 1, j + 1):
                out[k] = []
        i += 1
    return out


def _name_piece(t: str, most: int) -> bool:
    words = t.split()
    return 1 <= len(words) <= most and all(_NAME_WORD.match(w) for w in words)


def _noi_nhan(a: str, b: str) -> bool:
    return fold(a).rstrip(" :") == "NOI" and fold(b).startswith("NHAN")


def join_noi_nhan(text: str, cells_by_line: list[list[Cell]]) -> list[list[Cell]]:
    """"Nơi" / "nhận:" joined wherever it is, so that the closing block can be found by it."""
    out = [list(c) for c in cells_by_line]
    for i in range(len(out) - 1):
        cell, nxt = _single(out[i]), _single(out[i + 1])
        if cell is not None and nxt is not None and _noi_nhan(cell.text, nxt.text):
            out[i], out[i + 1] = [joined(text, cell, nxt)], []
    return out


def reflow_footer(text: str, cells_by_line: list[list[Cell]], start: int) -> list[list[Cell]]:
    """From line ``start`` on: "Nơi" / "nhận:", a wrapped authority line ("TM. ỦY BAN NHÂN" / "DÂN") and a
    signer's name broken over lines ("Vũ" / "Chiến Thắng", "Lê Tấn" / "Cận") joined."""
    out = [list(c) for c in cells_by_line]
    i = start
    while i < len(out):
        cell = _single(out[i])
        j = _next_line(out, i, len(out))
        nxt = _single(out[j]) if j is not None else None
        if cell is None or nxt is None:
            i += 1
            continue
        a, b = cell.text, nxt.text
        words_a, words_b = len(a.split()), len(b.split())
        join = (
            _noi_nhan(a, b)
            or (_AUTHORITY.match(a) and is_upper_line(b) and completes(a, b))
            # A position wrapped before its last word ("PHÓ TRƯỞNG" / "BAN").
            or (is_upper_line(a) and is_upper_line(b) and words_b == 1 and len(b) > 1
                and not _AUTHORITY.match(b) and fold(b) in _POSITION_ENDS)
            or (_name_piece(a, 2) and _name_piece(b, 2) and 2 <= words_a + words_b <= 4 and min(words_a, words_b) == 1
                and _last_of_block(out, j))
        )
        if join:
            out[i] = [joined(text, cell, nxt)]
            for k in range(i + 1, j + 1):
                out[k] = []
            continue
        i += 1
    return out


def _last_of_block(cells_by_line: list[list[Cell]], j: int) -> bool:
    """Line j ends the signature block: nothing after it, or a line that is not another name."""
    k = _next_line(cells_by_line, j, len(cells_by_line))
    if k is None:
        return True
    nxt = _single(cells_by_line[k])
    return nxt is None or not _name_piece(nxt.text, 4)
