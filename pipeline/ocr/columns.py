"""Reading order of side-by-side blocks, from the OCR's word boxes.

An administrative page puts two blocks side by side: the header (issuer and number on the left, the
national motto, place and date on the right) and the closing row (recipients on the left, the
signature on the right). Tesseract often reads such a row as one line across both blocks ("BỘ CÔNG
THƯƠNG CỘNG HÒA XÃ HỘI ...", "Số: 315 /UBND-VP Hà Nội, ngày 03 tháng 5 năm 2019") or interleaves the
lines of the two blocks. Here a line is cut where a wide gap between two words crosses the middle of
the page, and a run of consecutive lines that all respect one vertical gutter is read left column first,
then right column, each as a paragraph of its own. Lines that cross the gutter (centred titles, body
text) end a run and keep their place.

Pure functions of the line and word boxes; ``read_page`` calls ``reading_order`` before joining lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.record import Line, Word

# A gutter is a gap between two words wider than this share of the page width and SPACE_RATIO times the
# line's usual space (word spaces measure 0.5-1% of the width; the narrowest gap between the header
# columns of the real scans, "ĐÀO TẠO | CỘNG HÒA" of a ministry decision, 2.2% and 2.8 spaces), whose
# middle lies in GUTTER_BAND.
MIN_GAP_SHARE = 0.02
SPACE_RATIO = 2.5
GUTTER_BAND = (0.25, 0.75)
CENTRED = (0.42, 0.58)  # a one-sided line whose middle falls here is centred on the page, not in a column
_PARAGRAPH_BASE = 1_000_000  # paragraph numbers of the column blocks, apart from Tesseract's


@dataclass
class _Row:
    """One OCR line: whole, or cut in two at a gutter (left and right words)."""

    line: Line
    left: list[Word]
    right: list[Word]
    gap: tuple[int, int] | None  # x-range of the gutter when the line was cut

    @property
    def extent(self) -> tuple[int, int]:
        words = self.left + self.right
        return min(w.bbox[0] for w in words), max(w.bbox[2] for w in words)


def _spaces(line: Line) -> list[int]:
    words = sorted(line.words, key=lambda w: w.bbox[0])
    return [b.bbox[0] - a.bbox[2] for a, b in zip(words, words[1:], strict=False)]


def _cut(line: Line, width: int, page_space: float) -> _Row:
    """The line, cut at its widest gap if that gap is a gutter: wide against the page, and against the
    line's own spaces (a justified body line spreads all its spaces alike)."""
    words = sorted(line.words, key=lambda w: w.bbox[0])
    gaps = _spaces(line)
    if not gaps:
        return _Row(line, words, [], None)
    at = max(range(len(gaps)), key=gaps.__getitem__) + 1
    best = gaps[at - 1]
    others = sorted(g for k, g in enumerate(gaps) if k != at - 1)
    space = others[len(others) // 2] if len(others) >= 2 else page_space
    if best >= MIN_GAP_SHARE * width and best >= SPACE_RATIO * max(space, 1.0):
        lo, hi = words[at - 1].bbox[2], words[at].bbox[0]
        middle = (lo + hi) / 2
        if GUTTER_BAND[0] * width <= middle <= GUTTER_BAND[1] * width:
            return _Row(line, words[:at], words[at:], (lo, hi))
    return _Row(line, words, [], None)


def _fits(row: _Row, gutter: tuple[int, int], width: int) -> tuple[int, int] | None:
    """The gutter narrowed so that ``row`` respects it, or None when the row crosses it. A row on one
    side must sit off the page's centre: a centred title ends the run."""
    lo, hi = gutter
    if row.gap is not None:
        new = (max(lo, row.gap[0]), min(hi, row.gap[1]))
        return new if new[0] < new[1] else None
    x0, x1 = row.extent
    centre = (x0 + x1) / 2
    if x1 <= hi and centre < CENTRED[0] * width:
        return (max(lo, x1), hi) if max(lo, x1) < hi else None
    if x0 >= lo and centre > CENTRED[1] * width:
        return (lo, min(hi, x0)) if lo < min(hi, x0) else None
    return None


def _regions(rows: list[_Row], width: int) -> list[tuple[int, int, tuple[int, int]]]:
    """Runs [first, last] of consecutive rows that share a gutter and hold at least one cut row."""
    out: list[tuple[int, int, tuple[int, int]]] = []
    i = 0
    while i < len(rows):
        if rows[i].gap is None or (out and i <= out[-1][1]):
            i += 1
            continue
        gutter = rows[i].gap
        first = last = i
        while first > 0 and (out == [] or first - 1 > out[-1][1]):
            narrowed = _fits(rows[first - 1], gutter, width)
            if narrowed is None:
                break
            first, gutter = first - 1, narrowed
        while last + 1 < len(rows):
            narrowed = _fits(rows[last + 1], gutter, width)
            if narrowed is None:
                break
            last, gutter = last + 1, narrowed
        out.append((first, last, gutter))
        i = last + 1
    return out


def _piece(words: list[Word], like: Line, paragraph: int) -> Line:
    return Line(
        text=" ".join(w.text for w in words),
        bbox=(min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
              max(w.bbox[2] for w in words), max(w.bbox[3] for w in words)),
        paragraph=paragraph,
        block=like.block,
        words=list(words),
    )


def reading_order(lines: list[Line], page_width: int) -> list[Line]:
    """The lines in reading order: side-by-side blocks left column first (see the module docstring)."""
    if page_width <= 0 or len(lines) < 2 or any(not line.words for line in lines):
        return lines
    spaces = sorted(gap for line in lines for gap in _spaces(line))
    page_space = float(spaces[len(spaces) // 2]) if spaces else 0.0
    rows = [_cut(line, page_width, page_space) for line in lines]
    regions = _regions(rows, page_width)
    if not regions:
        return lines
    out: list[Line] = []
    done = 0
    for k, (first, last, gutter) in enumerate(regions):
        out.extend(row.line for row in rows[done:first])
        left_para, right_para = _PARAGRAPH_BASE + 2 * k, _PARAGRAPH_BASE + 2 * k + 1
        lefts: list[Line] = []
        rights: list[Line] = []
        for row in rows[first : last + 1]:
            if row.gap is not None:
                lefts.append(_piece(row.left, row.line, left_para))
                rights.append(_piece(row.right, row.line, right_para))
            elif row.extent[1] <= gutter[1]:
                lefts.append(_piece(row.left, row.line, left_para))
            else:
                rights.append(_piece(row.left, row.line, right_para))
        out.extend(lefts + rights)
        done = last + 1
    out.extend(row.line for row in rows[done:])
    return out
