"""The words of a record as an output layer places them: each OCR word's box with its restored text.

Restoration records its changes as spans of the text before restoration; the OCR words carry spans of
their page text. A word's restored text is ``text.final`` between the mapped ends of its span
(``OffsetMap``). A change that runs over a word boundary (two OCR words restored as one) goes whole to
the first of those words, so no restored character is lost or doubled.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field, replace

import numpy as np

from pipeline.document import PAGE_SEPARATOR, OffsetMap
from pipeline.output.frame import apply, box_to_original, preprocessed_to_original, upright_frame

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


def with_boxes_mapped(page: PageWords, matrix: np.ndarray, size: tuple[int, int]) -> PageWords:
    """The page with every box mapped by ``matrix`` (the upright box around the mapped one) onto a page of
    ``size`` pixels."""

    def line(placed: PlacedLine) -> PlacedLine:
        words = [replace(w, bbox=box_to_original(matrix, w.bbox)) for w in placed.words]
        return PlacedLine(box_to_original(matrix, placed.bbox), words)

    return replace(page, width=size[0], height=size[1], lines=[line(x) for x in page.lines])


def original_dpi(page: PageWords) -> int | None:
    """The resolution of the original page (the OCR's, before any enlarging)."""
    return round(page.dpi / float(page.preprocessing.get("upscale") or 1.0)) if page.dpi else None


def in_original_frame(page: PageWords, size: tuple[int, int]) -> PageWords:
    """The page with every box on the original page of ``size`` (the upright box around the mapped one),
    as ALTO and hOCR viewers show them over the original image."""
    mapped = with_boxes_mapped(page, preprocessed_to_original(page.preprocessing, *size), size)
    return replace(mapped, dpi=original_dpi(page))


def _level_line(line: PlacedLine, to_upright: np.ndarray) -> PlacedLine:
    """A line in the upright frame, kept level: its words where their centres map, all at the height of
    the line's mapped centre and as tall as the line. Text extractors (poppler's pdftotext among them)
    break text tilted by a few degrees into fragments, and mix the words of tilted neighbouring lines;
    a level line reads whole, at the cost of a highlight off by up to half the line's width times the
    sine of the skew at its ends (about 8 px for a 1,000 px line skewed 1 degree)."""
    scale = math.sqrt(abs(np.linalg.det(to_upright[:2, :2])))
    _, cy = apply(to_upright, (line.bbox[0] + line.bbox[2]) / 2, (line.bbox[1] + line.bbox[3]) / 2)
    half = (line.bbox[3] - line.bbox[1]) * scale / 2

    def level(box) -> tuple[int, int, int, int]:
        cx, _ = apply(to_upright, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        half_width = (box[2] - box[0]) * scale / 2
        return round(cx - half_width), round(cy - half), round(cx + half_width), round(cy + half)

    words = [PlacedWord(w.text, w.ocr_text, level(w.bbox), w.confidence) for w in line.words]
    return PlacedLine((words[0].bbox[0], round(cy - half), words[-1].bbox[2], round(cy + half)), words)


def upright_words(words: PageWords, raster_size: tuple[int, int], raster_dpi: float) -> tuple[PageWords, np.ndarray]:
    """A page's words in its upright frame (``frame.upright_frame``) at the raster's resolution, each
    line level, and the map from that frame's pixels to the original raster's."""
    to_upright, to_original, (width, height) = upright_frame(words.preprocessing, *raster_size)
    lines = [_level_line(line, to_upright) for line in words.lines if line.words]
    return replace(words, width=width, height=height, dpi=round(raster_dpi), lines=lines), to_original


