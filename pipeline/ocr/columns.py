"""Reading order of side-by-side blocks, from the OCR's word boxes.

An administrative page puts two blocks side by side: the header (issuer and number on the left, the
national motto, place and date on the right) and the closing row (recipients on the left, the
signature on the right). Tesseract often reads such a row as one line across both blocks ("BỘ CÔNG
THƯƠNG CỘNG HÒA XÃ HỘI ...", "Số: 315 /UBND-VP Hà Nội, ngày 03 tháng 5 năm 2019") or interleaves the
lines of the two blocks. Here a line is cut where a wide gap between two words crosses the middle of
the page, and a run of consecutive lines that all respect one vertical gutter is read left column first,
then right column, each as a paragraph of its own. Lines that cross the gutter (centred titles, body
text) end a run and keep their place. Before that, a block Tesseract gave before the block beside it on
its left (a photographed header whose right column starts higher) is put after it.

The one reading-order step of the OCR (``pipeline.ocr.page.read_image``). It replaced a second one that
cut lines at any gap wider than 1.5 line heights (measured by ``benchmarks/reading_order.py``: on the
real pages with typed truth the gutter rule reads better, plain CER dev 10.71% against 11.26% with both
steps, test 2.49% against 2.82%; on synthetic pages the two are equal once the block swap is kept).

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
    words: list[Word]  # left to right
    cuts: list[int]  # word indexes where a gutter may fall, widest gap first
    at: int | None = None  # the cut chosen

    @property
    def gap(self) -> tuple[int, int] | None:
        return None if self.at is None else self.gap_at(self.at)

    def gap_at(self, at: int) -> tuple[int, int]:
        return self.words[at - 1].bbox[2], self.words[at].bbox[0]

    @property
    def extent(self) -> tuple[int, int]:
        return min(w.bbox[0] for w in self.words), max(w.bbox[2] for w in self.words)

    @property
    def left(self) -> list[Word]:
        return self.words if self.at is None else self.words[: self.at]

    @property
    def right(self) -> list[Word]:
        return [] if self.at is None else self.words[self.at :]


def _spaces(words: list[Word]) -> list[int]:
    return [b.bbox[0] - a.bbox[2] for a, b in zip(words, words[1:], strict=False)]


def _cut(line: Line, words: list[Word], width: int, page_space: float) -> _Row:
    """The line with the gaps where it may be cut: wide against the page, and against the line's own
    spaces (a justified body line spreads all its spaces alike), in the middle band of the page. The
    widest is chosen until a neighbour's gutter says otherwise (a handwritten number's gap, "Số: 25
    /TB", is also wide). ``words``: the line's words left to right."""
    gaps = _spaces(words)
    cuts = []
    for k in sorted(range(len(gaps)), key=lambda k: -gaps[k]):
        others = sorted(g for j, g in enumerate(gaps) if j != k)
        space = others[len(others) // 2] if len(others) >= 2 else page_space
        middle = (words[k].bbox[2] + words[k + 1].bbox[0]) / 2
        if gaps[k] >= MIN_GAP_SHARE * width and gaps[k] >= SPACE_RATIO * max(space, 1.0) \
                and GUTTER_BAND[0] * width <= middle <= GUTTER_BAND[1] * width:
            cuts.append(k + 1)
    return _Row(line, words, cuts, cuts[0] if cuts else None)


def _fits(row: _Row, gutter: tuple[int, int], width: int) -> tuple[int, int] | None:
    """The gutter narrowed so that ``row`` respects it (choosing the row's cut that meets the gutter), or
    None when the row crosses it. A row on one side must sit off the page's centre: a centred title ends
    the run."""
    lo, hi = gutter
    for at in row.cuts:
        g0, g1 = row.gap_at(at)
        if max(lo, g0) < min(hi, g1):
            row.at = at
            return max(lo, g0), min(hi, g1)
    x0, x1 = row.extent
    centre = (x0 + x1) / 2
    narrowed = None
    if x1 <= hi and centre < CENTRED[0] * width and max(lo, x1) < hi:
        narrowed = (max(lo, x1), hi)
    elif x0 >= lo and centre > CENTRED[1] * width and lo < min(hi, x0):
        narrowed = (lo, min(hi, x0))
    if narrowed is not None:
        row.at = None  # on one side of the gutter, whole
    return narrowed


def _regions(rows: list[_Row], width: int) -> list[tuple[int, int, tuple[int, int]]]:
    """Runs [first, last] of two or more consecutive rows that share a gutter and hold a cut row."""
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
        if last > first:  # a lone line with a wide gap ("Điều 3.      Chánh Văn phòng ...") is no block
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


def _box(lines: list[Line]) -> tuple[int, int, int, int]:
    return (min(ln.bbox[0] for ln in lines), min(ln.bbox[1] for ln in lines),
            max(ln.bbox[2] for ln in lines), max(ln.bbox[3] for ln in lines))


def _left_block_first(lines: list[Line]) -> list[Line]:
    """When Tesseract gives a block and then one side by side to its left (their vertical extents overlap
    by more than half the shorter one), put the left block first."""
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks and blocks[-1][-1].block == line.block:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    i = 0
    while i + 1 < len(blocks):
        first, second = _box(blocks[i]), _box(blocks[i + 1])
        overlap = min(first[3], second[3]) - max(first[1], second[1])
        shorter = min(first[3] - first[1], second[3] - second[1])
        if second[2] < first[0] and shorter > 0 and overlap > 0.5 * shorter:
            blocks[i], blocks[i + 1] = blocks[i + 1], blocks[i]
            i += 2
        else:
            i += 1
    return [line for block in blocks for line in block]


def reading_order(lines: list[Line], page_width: int) -> list[Line]:
    """The lines in reading order: side-by-side blocks left column first (see the module docstring)."""
    if page_width <= 0 or len(lines) < 2 or any(not line.words for line in lines):
        return lines
    lines = _left_block_first(lines)
    ordered = [sorted(line.words, key=lambda w: w.bbox[0]) for line in lines]
    spaces = sorted(gap for words in ordered for gap in _spaces(words))
    page_space = float(spaces[len(spaces) // 2]) if spaces else 0.0
    rows = [_cut(line, words, page_width, page_space) for line, words in zip(lines, ordered, strict=True)]
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
