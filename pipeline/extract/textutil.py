"""Lines, column cells, pages and spans of the text being read."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipeline.orthography import LOWER, UPPER

from .lexicon import fold


@dataclass(frozen=True)
class Cell:
    """A piece of one line: the whole line, or one column of a ``LEFT<TAB>RIGHT`` header line."""

    text: str  # stripped
    start: int  # offset of text[0] in the document
    end: int
    line: int  # index of the line
    col: int | None  # 0 left, 1 right, None when the line has one column and no layout says where


@dataclass(frozen=True)
class Line:
    text: str
    start: int
    end: int


def split_lines(text: str) -> list[Line]:
    """The document's lines with their offsets (a form feed line stays a line)."""
    lines, pos = [], 0
    for raw in text.split("\n"):
        lines.append(Line(raw, pos, pos + len(raw)))
        pos += len(raw) + 1
    return lines


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it holds no leading or trailing space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def line_cells(text: str, line: Line, index: int, columns: dict[int, int] | None = None) -> list[Cell]:
    """Cells of one line: tab-separated columns of typed text, else the whole line."""
    cells = []
    if "\t" in line.text:
        pos = line.start
        parts = re.split(r"\t+", line.text)
        for i, part in enumerate(parts):
            off = text.index(part, pos) if part else pos
            s, e = strip_span(text, off, off + len(part))
            if e > s:
                cells.append(Cell(text[s:e], s, e, index, 0 if i == 0 else 1))
            pos = off + len(part)
        return cells
    s, e = strip_span(text, line.start, line.end)
    # OCR specks before the text ("-___ Cần Giuộc, ngày ...", ", Hải Châu") are no part of it; a bullet
    # ("- Như trên;") is kept.
    m = _LEADING_NOISE.match(text, s, e)
    if m and m.end() < e:
        s = m.end()
    if e > s:
        col = columns.get(index) if columns else None
        cells.append(Cell(text[s:e], s, e, index, col))
    return cells


_LEADING_NOISE = re.compile(r"(?:[_.,:;'\"`~|›»«]+|-[-_.,:;'\"`~|]+)\s*")


class Pages:
    """Maps an offset to its page: from the OCR layout when given, else by counting form feeds."""

    def __init__(self, text: str, layout: list[dict] | None = None) -> None:
        self.breaks = [m.start() for m in re.finditer("\f", text)]
        self.layout = sorted(layout or [], key=lambda d: d["start"])
        self.starts = [d["start"] for d in self.layout]

    def page(self, offset: int) -> int:
        if self.layout:
            i = bisect.bisect_right(self.starts, offset) - 1
            if i >= 0:
                return int(self.layout[i]["page"])
        return bisect.bisect_right(self.breaks, offset) + 1

    def span(self, start: int, end: int) -> dict:
        return {"start": start, "end": end, "page": self.page(start)}


def is_upper_line(s: str) -> bool:
    """Mostly capital letters (a heading, a body name, a position), tolerating OCR noise."""
    letters = [c for c in s if c.isalpha()]
    if len(letters) < 2:
        return False
    return sum(c.isupper() for c in letters) / len(letters) >= 0.8


def folded_startswith(s: str, target: str, min_ratio: float = 85.0) -> bool:
    """Does ``s`` start with ``target``, accents aside and allowing one or two damaged letters?"""
    from rapidfuzz import fuzz

    head = fold(s)[: len(target)]
    return fuzz.ratio(head, fold(target)) >= min_ratio


def ocr_reading_order(text: str) -> str:
    """Typed two-column lines (``LEFT<TAB>RIGHT``) rewritten the way OCR reads such a block: all left
    cells, then all right cells. Used to check that extraction does not depend on the tab markup."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        if "\t" not in lines[i]:
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and "\t" in lines[j]:
            j += 1
        cells = [line.split("\t", 1) for line in lines[i:j]]
        out += [left for left, _ in cells if left.strip()] + [right for _, right in cells if right.strip()]
        i = j
    return "\n".join(out)


# -- two columns that OCR merged into one line ----------------------------------------------------------
_UP, _LO = UPPER, LOWER
_PLACE_DATE = re.compile(
    rf"(?<![\w/-])(?:TP\.\s*)?(?:[{_UP}][{_LO}]+\.?\s+){{0,4}}[{_UP}][{_LO}]+\s*,\s*[Nn]gày\s+[\d.]"
)
_AUTHORITY_IN_LINE = re.compile(r"\s(?:TM|KT|TL|TUQ|Q)\s*\.\s*[" + _UP + "]")
_TRAILING_CAPS = re.compile(rf"[;,.:]\s+((?:[{_UP}]{{1,9}}\s+)*[{_UP}]{{2,9}})\s*$")
_TRAILING_NAME = re.compile(rf"[;,.:]\s+((?:[{_UP}][{_LO}]*\s+){{1,4}}[{_UP}][{_LO}]+)\s*$")


def _fold_index(s: str, needle: str) -> int:
    """Index in s of a folded needle ("CONG HOA"), accents and case aside; -1 if absent."""
    folded = "".join((fold(ch)[:1] or " ") for ch in s)
    return folded.find(needle)


def split_merged(text: str, cell: Cell, zone: str) -> list[Cell]:
    """Split a line that OCR read across both columns ("UBND TỈNH X CỘNG HÒA ...", "- Như trên; PHÓ GIÁM
    ĐỐC") into a left and a right cell, at the first mark that only the right column carries."""
    s = cell.text
    cut = -1
    left_col = 0
    if zone == "header":
        marks = [i for i in (_fold_index(s, "CONG HOA XA"), _fold_index(s, "DOC LAP")) if i > 0]
        m = _PLACE_DATE.search(s)
        if m and m.start() > 0:
            marks.append(m.start())
        cut = min(marks) if marks else -1
        number = re.search(r"\s[.,:]?(?=S[ốố]\s*:)", s)
        if cut < 0 and number and number.start() > 0:
            cut = number.end()  # two lines of the left column read as one ("SỞ TƯ PHÁP .Số: 14/HD-STP")
            left_col = None
    elif zone == "footer" and (s.startswith(("-", "+", "•")) or _fold_index(s, "NOI NHAN") == 0):
        m = _AUTHORITY_IN_LINE.search(s)
        if m:
            cut = m.start() + 1
        else:
            m = _TRAILING_CAPS.search(s) or _TRAILING_NAME.search(s)
            if m and not s.rstrip().endswith((";", ".")):
                cut = m.start(1)
    if cut <= 0:
        return [cell]
    left, right = s[:cut].rstrip(" .,:;"), s[cut:].strip()
    if not left or not right:
        return [cell]
    rs = cell.start + s.index(right, cut)
    return [Cell(left, cell.start, cell.start + len(left), cell.line, left_col),
            Cell(right, rs, rs + len(right), cell.line, 1 if left_col == 0 else None)]
