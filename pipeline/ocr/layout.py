"""Reading order of a page's lines: two-column rows read column by column, a left block before its
right neighbour."""

from __future__ import annotations

from pipeline.record import Line, Word


def _segments(line: Line, min_gap: float) -> list[list[Word]]:
    """Split a line's words where the horizontal gap is wider than ``min_gap`` pixels."""
    parts: list[list[Word]] = [[line.words[0]]]
    for word in line.words[1:]:
        if word.bbox[0] - parts[-1][-1].bbox[2] > min_gap:
            parts.append([])
        parts[-1].append(word)
    return parts


def _line_of(words: list[Word], template: Line, paragraph: int) -> Line:
    box = (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
           max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))
    return Line(text=" ".join(w.text for w in words), bbox=box, paragraph=paragraph, block=template.block,
                words=list(words))


def _left_block_first(lines: list[Line]) -> list[Line]:
    """When Tesseract emits a block and then one side by side to its left (a photographed header whose
    right column starts higher), put the left block first."""
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks and blocks[-1][-1].block == line.block:
            blocks[-1].append(line)
        else:
            blocks.append([line])

    def box(block: list[Line]) -> tuple[int, int, int, int]:
        return (min(ln.bbox[0] for ln in block), min(ln.bbox[1] for ln in block),
                max(ln.bbox[2] for ln in block), max(ln.bbox[3] for ln in block))

    i = 0
    while i + 1 < len(blocks):
        first, second = box(blocks[i]), box(blocks[i + 1])
        overlap = min(first[3], second[3]) - max(first[1], second[1])
        shorter = min(first[3] - first[1], second[3] - second[1])
        if second[2] < first[0] and shorter > 0 and overlap > 0.5 * shorter:
            blocks[i], blocks[i + 1] = blocks[i + 1], blocks[i]
            i += 2
        else:
            i += 1
    return [line for block in blocks for line in block]


def reading_order(lines: list[Line]) -> list[Line]:
    """Read two-column rows (header: issuer | national motto; end: recipients | signature) column by
    column, as a person does: Tesseract often joins the two cells of a row into one line.

    A line whose words have a gap wider than 1.5 line heights starts a two-column run; the run goes on
    over vertically adjacent lines that either have such a gap or stay on one side of it. The run is
    emitted as its left cells, then its right cells, each column as its own paragraph. Body text (one
    column) is untouched. Added by the OCR benchmark work: on synthetic administrative pages it took
    clean-page CER from 2.8% to the order-free level (see benchmarks/results/ocr.md).
    """
    if not lines:
        return lines
    lines = _left_block_first(lines)
    heights = sorted(max(1, ln.bbox[3] - ln.bbox[1]) for ln in lines)
    height = heights[len(heights) // 2]
    min_gap = 1.5 * height
    next_paragraph = max(ln.paragraph for ln in lines) + 1
    out: list[Line] = []
    i = 0
    while i < len(lines):
        parts = _segments(lines[i], min_gap) if lines[i].words else []
        if len(parts) != 2:
            out.append(lines[i])
            i += 1
            continue
        split = (parts[0][-1].bbox[2] + parts[1][0].bbox[0]) / 2
        left: list[Line] = []
        right: list[Line] = []
        previous_bottom = lines[i].bbox[1]
        j = i
        while j < len(lines):
            line = lines[j]
            if not line.words or line.bbox[1] - previous_bottom > 1.0 * height:
                break
            parts = _segments(line, min_gap)
            if len(parts) == 2 and parts[0][-1].bbox[2] < split < parts[1][0].bbox[0]:
                left.append(_line_of(parts[0], line, next_paragraph))
                right.append(_line_of(parts[1], line, next_paragraph + 1))
            elif line.bbox[2] < split:
                left.append(_line_of(line.words, line, next_paragraph))
            elif line.bbox[0] > split and len(parts) == 1:
                right.append(_line_of(line.words, line, next_paragraph + 1))
            else:
                break
            previous_bottom = line.bbox[3]
            j += 1
        if j - i < 2:  # a lone wide gap is a stretched body line, not a two-column row
            out.append(lines[i])
            i += 1
            continue
        out.extend(left)
        out.extend(right)
        next_paragraph += 2
        i = j
    return out
