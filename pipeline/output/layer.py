"""A PDF page's own text layer, placed word by word: for a page whose layer vanban kept and restoration
then changed, so that the restored text can replace it on the same boxes.

The record holds such a page's text (the layer as pypdf extracted it, restored) but no boxes. Poppler's
``pdftotext -bbox-layout`` gives the layer's words with their boxes and lines; the two extractions can
split words differently, so they are aligned word by word (difflib). A run of the page's words without
a one-to-one counterpart becomes one word over the boxes its run was aligned with; page words with no
box at all join the word before them, so no restored character is dropped.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from xml.etree import ElementTree as ET

from pipeline.errors import VanbanError
from pipeline.orthography import nfc
from pipeline.output.words import Box, post_to_pre
from pipeline.record import PageContext

_TOKEN = re.compile(r"\S+")
_XHTML = "{http://www.w3.org/1999/xhtml}"
LayerWord = tuple[str, tuple[float, float, float, float]]  # text, box in points (top-left origin)


class LayerReadError(VanbanError):
    """Poppler could not read the boxes of a PDF page's own text layer."""

    code = "pdf-layer"
    stage = "output"


def changed_pre_span(record: dict, page: dict) -> tuple[int, int] | None:
    """The page's span in the text before restoration, when restoration changed something in it."""
    changes = (record.get("restoration") or {}).get("changes") or []
    if not changes or page.get("text_start") is None:
        return None
    pre = post_to_pre(changes)
    start, end = pre(page["text_start"]), pre(page["text_end"])
    return (start, end) if any(start <= c["start"] and c["end"] <= end for c in changes) else None


def text_before_restoration(record: dict, span: tuple[int, int]) -> str:
    """The text before restoration between ``span`` (offsets before it): text.final with every change
    inside the span put back to the original it replaced."""
    from pipeline.document import OffsetMap

    changes = sorted(record["restoration"]["changes"], key=lambda c: c["start"])
    to_final, final = OffsetMap(changes), record["text"]["final"]
    pieces, position = [], span[0]
    for change in changes:
        if span[0] <= change["start"] and change["end"] <= span[1]:
            pieces += [final[to_final(position) : to_final(change["start"])], change["original"]]
            position = change["end"]
    pieces.append(final[to_final(position) : to_final(span[1])])
    return "".join(pieces)


def parse_bbox_layout(xhtml: str) -> tuple[tuple[float, float], list[list[LayerWord]]]:
    """The page size (points) and the lines of words of one page of ``pdftotext -bbox-layout``."""
    root = ET.fromstring(xhtml)
    page = root.find(f".//{_XHTML}page")
    if page is None:
        return (0.0, 0.0), []
    lines = [
        [
            (nfc(word.text or ""), tuple(float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for word in line.iter(f"{_XHTML}word")
        ]
        for line in page.iter(f"{_XHTML}line")
    ]
    return (float(page.get("width")), float(page.get("height"))), [line for line in lines if line]


def read_layer_words(path: str, index: int) -> tuple[tuple[float, float], list[list[LayerWord]]]:
    """The words of page ``index`` (0-based) of a PDF's own text layer, by line, with their boxes."""
    number = str(index + 1)
    try:
        done = subprocess.run(
            ["pdftotext", "-q", "-enc", "UTF-8", "-f", number, "-l", number, "-bbox-layout", path, "-"],
            capture_output=True, check=True, timeout=120,
        )
        return parse_bbox_layout(done.stdout.decode("utf-8"))
    except (OSError, subprocess.SubprocessError, ET.ParseError, UnicodeDecodeError) as error:
        raise LayerReadError(f"pdftotext could not read the text layer of page {number}: {error}", path=path) from error


def _union(boxes: list[tuple[float, ...]]) -> tuple[float, float, float, float]:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def align_words(text: str, lines: list[list[LayerWord]]) -> list[tuple[int, int, int, tuple[float, ...]]]:
    """The page text's words on the layer's boxes: (start, end, line number, box in points), in order."""
    tokens = [(m.start(), m.end(), nfc(m.group())) for m in _TOKEN.finditer(text)]
    boxed = [(li, word, box) for li, line in enumerate(lines) for word, box in line]
    matcher = difflib.SequenceMatcher(None, [t[2] for t in tokens], [b[1] for b in boxed], autojunk=False)
    out: list[list] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            continue  # a layer word the page text does not have: nothing to place on it
        if tag == "delete":  # page words without a box: with the word before them (or after, at the start)
            if out:
                out[-1][1] = tokens[i2 - 1][1]
            elif i2 < len(tokens):
                tokens[i2] = (tokens[i1][0], *tokens[i2][1:])
            continue
        if i2 - i1 == j2 - j1:
            out += [[tokens[i][0], tokens[i][1], boxed[j][0], boxed[j][2]] for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        else:
            out.append([tokens[i1][0], tokens[i2 - 1][1], boxed[j1][0], _union([b[2] for b in boxed[j1:j2]])])
    return [tuple(word) for word in out]


def placed_layer_page(page: dict, text: str, size: tuple[float, float], lines: list[list[LayerWord]], dpi: float) -> dict:
    """The record's page with the lines and words of its own layer, boxes in pixels at ``dpi``: the form
    ``words.page_words`` places restored text on (word offsets relative to the page's start)."""
    scale = dpi / 72

    def pixels(box) -> Box:
        return tuple(round(v * scale) for v in box)

    by_line: dict[int, list[dict]] = {}
    for start, end, line, box in align_words(text, lines):
        word = {"text": text[start:end], "confidence": 100.0, "bbox": list(pixels(box)), "start": start, "end": end}
        by_line.setdefault(line, []).append(word)
    placed = [
        {"bbox": list(_union([w["bbox"] for w in words])), "words": words,
         "start": words[0]["start"], "end": words[-1]["end"]}
        for _, words in sorted(by_line.items(), key=lambda item: item[1][0]["start"])
    ]
    width, height = (round(v * scale) for v in size)
    return {**page, "width": width, "height": height, "dpi": round(dpi), "preprocessing": {}, "lines": placed}


def with_changed_layers_placed(record: dict, contexts: list[PageContext]) -> tuple[dict, set[int]]:
    """The record with each kept PDF layer that restoration changed placed word by word from the PDF,
    and the numbers of those pages."""
    pages, changed = list(record.get("pages") or []), set()
    for i, (page, ctx) in enumerate(zip(pages, contexts, strict=True)):
        if page.get("origin") != "layer" or ctx.kind != "pdf" or (record.get("restoration") or {}).get("encoding"):
            continue
        span = changed_pre_span(record, page)
        if span is None:
            continue
        size, lines = read_layer_words(ctx.path, ctx.index_in_file)
        pages[i] = placed_layer_page(page, text_before_restoration(record, span), size, lines, float(ctx.options.dpi))
        changed.add(page["number"])
    return {**record, "pages": pages}, changed
