"""The words of a record as an output layer places them: each OCR word's box with its restored text.

Restoration records its changes as spans of the text before restoration; the OCR words carry spans of
their page text. A word's restored text is ``text.final`` between the mapped ends of its span
(``OffsetMap``). A change that runs over a word boundary (two OCR words restored as one) goes whole to
the first of those words, so no restored character is lost or doubled.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from pipeline.document import PAGE_SEPARATOR, OffsetMap
from pipeline.output.frame import box_to_original, preprocessed_to_original

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class PlacedWord:
    text: str  # the restored word (text.final)
    ocr_text: str  # what the OCR read
    bbox: Box  # x0, y0, x1, y1 in the preprocessed page's pixels
    confidence: float  # 0-100


@dataclass(frozen=True)
class PlacedLine:
    bbox: Box
    words: list[PlacedWord]


@dataclass
class PageWords:
    """One page of the record: its frame (the preprocessed page) and its placed lines."""

    number: int
    width: int
    height: int
    dpi: int | None
    origin: str
    preprocessing: dict = field(default_factory=dict)
    lines: list[PlacedLine] = field(default_factory=list)

    @property
    def has_boxes(self) -> bool:
        return bool(self.width and self.height and any(line.words for line in self.lines))


def post_to_pre(changes: list[dict]):
    """Inverse of OffsetMap for offsets outside changes: an offset in text.final to one before restoration."""
    post_ends: list[int] = []
    shifts: list[int] = []
    shift = 0
    for change in sorted(changes, key=lambda c: c["start"]):
        shift += len(change["chosen"]) - (change["end"] - change["start"])
        post_ends.append(change["end"] + shift)
        shifts.append(shift)

    def pre(offset: int) -> int:
        i = bisect.bisect_right(post_ends, offset)
        return offset - (shifts[i - 1] if i else 0)

    return pre


def _pre_page_starts(pages: list[dict], changes: list[dict]) -> list[int]:
    """Where each page starts in the text before restoration (pages record their start after it)."""
    pre = post_to_pre(changes)
    starts, previous_end = [], None
    for page in pages:
        start = page.get("text_start")
        if start is None:  # records without page offsets: pages joined as join_pages does
            start = 0 if previous_end is None else previous_end + len(PAGE_SEPARATOR)
            starts.append(start)
        else:
            starts.append(pre(start))
        lines = page.get("lines") or []
        previous_end = starts[-1] + (lines[-1]["end"] if lines else 0)
    return starts


def _straddling_ends(changes: list[dict]) -> list[tuple[int, int]]:
    return sorted((c["start"], c["end"]) for c in changes if c["end"] > c["start"])


def page_words(record: dict) -> list[PageWords]:
    """Every page of a record with its words placed: restored text on the OCR's boxes.

    With a legacy encoding converted (``restoration.encoding``) the offsets do not map word by word;
    the OCR words are then placed as read.
    """
    restoration = record.get("restoration") or {}
    changes = restoration.get("changes") or []
    final = record.get("text", {}).get("final") or ""
    mapped = not restoration.get("encoding")
    offset_map = OffsetMap(changes if mapped else [])
    spans = _straddling_ends(changes)
    out: list[PageWords] = []
    pages = record.get("pages") or []
    for page, start in zip(pages, _pre_page_starts(pages, changes if mapped else []), strict=True):
        layer = PageWords(
            number=page["number"],
            width=page.get("width") or 0,
            height=page.get("height") or 0,
            dpi=page.get("dpi"),
            origin=page.get("origin") or "none",
            preprocessing=page.get("preprocessing") or {},
        )
        pending_end = -1  # end (before restoration) of a change already given to an earlier word
        for line in page.get("lines") or []:
            placed = []
            for word in line.get("words") or []:
                s, e = start + word["start"], start + word["end"]
                if s < pending_end:
                    continue  # its text went to the word where the change began
                if mapped:
                    e = _extend_over_change(spans, e)
                    pending_end = e
                    text = final[offset_map(s) : offset_map(e)].strip()
                else:
                    text = word["text"]
                if text:
                    placed.append(PlacedWord(text, word["text"], tuple(word["bbox"]), float(word["confidence"])))
            if placed:
                layer.lines.append(PlacedLine(tuple(line["bbox"]), placed))
        out.append(layer)
    return out


def _extend_over_change(spans: list[tuple[int, int]], end: int) -> int:
    """A word's end, moved to the end of a change that begins inside the word and runs past it."""
    i = bisect.bisect_left(spans, (end, -1))  # changes never overlap: only the last one before can
    if i and spans[i - 1][1] > end:
        return spans[i - 1][1]
    return end


def in_original_frame(page: PageWords, size: tuple[int, int]) -> PageWords:
    """The page with every box on the original page of ``size`` (the upright box around the mapped one),
    as ALTO and hOCR viewers show them over the original image."""
    to_original = preprocessed_to_original(page.preprocessing, *size)

    def line(placed: PlacedLine) -> PlacedLine:
        words = [replace(w, bbox=box_to_original(to_original, w.bbox)) for w in placed.words]
        return PlacedLine(box_to_original(to_original, placed.bbox), words)

    dpi = round(page.dpi / float(page.preprocessing.get("upscale") or 1.0)) if page.dpi else None
    return replace(page, width=size[0], height=size[1], dpi=dpi, lines=[line(x) for x in page.lines])
