"""The one module that talks to Tesseract (through pytesseract).

One hOCR run per page gives words, boxes, confidences, lines, paragraphs and, with
``lstm_choice_mode=2``, per-character alternatives. Tesseract is pinned to one thread
(``OMP_THREAD_LIMIT=1``): measured here, its own threading made each page 5-7x slower on 2 cores,
so vanban parallelises across pages instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from functools import lru_cache

import numpy as np
import pytesseract
from PIL import Image

from pipeline.errors import MissingDependencyError, OcrError
from pipeline.record import Line, OcrOptions, Word, nfc

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_NS = "{http://www.w3.org/1999/xhtml}"
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_WCONF = re.compile(r"x_wconf (\d+(?:\.\d+)?)")
_XCONF = re.compile(r"x_confs (\d+(?:\.\d+)?)")


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    """The installed version, or a one-line error saying how to install it."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MissingDependencyError(
            "tesseract not found; install it (apt install tesseract-ocr tesseract-ocr-vie / brew install "
            "tesseract tesseract-lang)"
        )
    return str(pytesseract.get_tesseract_version())


@lru_cache(maxsize=8)
def available_languages(tessdata_dir: str | None = None) -> frozenset[str]:
    """Models Tesseract can load. Asked of ``tesseract --list-langs`` directly: pytesseract's own
    list drops names outside [a-z_], such as the script model ``Vietnamese`` and ``script/Vietnamese``."""
    tesseract_version()
    command = [pytesseract.pytesseract.tesseract_cmd, "--list-langs"]
    if tessdata_dir:
        command += ["--tessdata-dir", tessdata_dir]
    listed = subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.splitlines()
    names = {line.strip() for line in listed[1:] if line.strip()}
    return frozenset(names | {f"script/{n}" for n in names if n[:1].isupper()})


def check_language(options: OcrOptions) -> None:
    tesseract_version()
    missing = set(options.language.split("+")) - available_languages(options.tessdata_dir)
    if missing:
        raise MissingDependencyError(
            f"Tesseract language '{'+'.join(sorted(missing))}' is not installed; apt install tesseract-ocr-vie "
            "tesseract-ocr-script-viet (or pass --tessdata-dir)"
        )


def _config(options: OcrOptions, char_choices: bool) -> str:
    parts = [f"--psm {options.psm}", "-c hocr_char_boxes=0"]
    if options.tessdata_dir:
        parts.insert(0, f'--tessdata-dir "{options.tessdata_dir}"')
    if char_choices:
        parts.append("-c lstm_choice_mode=2")
    return " ".join(parts)


def fast_input(image: np.ndarray) -> Image.Image:
    """The page as a PIL image that pytesseract hands over as uncompressed BMP.

    pytesseract writes arrays to a temporary PNG; measured here, PNG compression of a 300 dpi A4 page
    costs ~0.75 s of CPU (a third of Tesseract's own time), BMP ~3 ms; Tesseract's output is identical.
    """
    pil = Image.fromarray(image)
    pil.format = "BMP"
    return pil


def run_hocr(image: np.ndarray, options: OcrOptions, char_choices: bool = False) -> bytes:
    """Run Tesseract once on a page image and return its hOCR (with per-character alternatives if asked)."""
    check_language(options)
    try:
        return pytesseract.image_to_pdf_or_hocr(
            fast_input(image),
            lang=options.language,
            config=_config(options, char_choices),
            extension="hocr",
            timeout=options.timeout_s,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise MissingDependencyError("tesseract not found; install tesseract-ocr") from exc
    except pytesseract.TesseractError as exc:  # a subclass of RuntimeError: test it first
        detail = (exc.message or "").strip().splitlines()
        reason = detail[-1] if detail else f"exit status {exc.status}"
        if exc.status < 0:
            reason = f"killed by signal {-exc.status}"
        raise OcrError(f"Tesseract failed: {reason}") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrError(f"Tesseract took longer than {options.timeout_s:.0f} s; the page was skipped") from exc
    except (subprocess.SubprocessError, OSError) as exc:
        raise OcrError(f"Tesseract failed: {exc}") from exc


def detect_orientation(image: np.ndarray, options: OcrOptions) -> tuple[int, float]:
    """Tesseract's OSD: (degrees to rotate clockwise to make the page upright, confidence)."""
    try:
        osd = pytesseract.image_to_osd(
            fast_input(image), config="--psm 0 -c min_characters_to_try=10", output_type=pytesseract.Output.DICT,
            timeout=options.timeout_s,
        )
    except (pytesseract.TesseractError, RuntimeError):
        return 0, 0.0
    return int(osd.get("rotate", 0)), float(osd.get("orientation_conf", 0.0))


def _bbox(title: str) -> tuple[int, int, int, int]:
    match = _BBOX.search(title or "")
    if not match:
        return (0, 0, 0, 0)
    x0, y0, x1, y1 = (int(v) for v in match.groups())
    return (x0, y0, x1, y1)


def _word_choices(word: ET.Element) -> list[list[tuple[str, float]]] | None:
    timesteps = [el for el in word if el.get("class") == "ocrx_cinfo" and (el.get("id") or "").startswith("lstm")]
    if not timesteps:
        return None
    choices: list[list[tuple[str, float]]] = []
    for step in timesteps:
        options: list[tuple[str, float]] = []
        for choice in step:
            char = nfc(choice.text or "")
            conf = _XCONF.search(choice.get("title", ""))
            if char.strip():
                options.append((char, round(float(conf.group(1)) / 100.0 if conf else 0.0, 4)))
        if options:
            choices.append(options)
    return choices


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


def parse_hocr(hocr: bytes) -> list[Line]:
    """Lines with their words, boxes and confidences, in Tesseract's reading order."""
    try:
        root = ET.fromstring(hocr)
    except ET.ParseError as exc:
        raise OcrError(f"unreadable Tesseract output ({exc})") from exc
    lines: list[Line] = []
    blocks = [div for div in root.iter(f"{_NS}div") if div.get("class") == "ocr_carea"]
    paragraph = 0
    for block_no, block in enumerate(blocks):
        for par in block.iter(f"{_NS}p"):
            paragraph += 1
            for span in par.iter(f"{_NS}span"):
                if span.get("class") not in ("ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"):
                    continue
                words = []
                for word_el in span:
                    if word_el.get("class") != "ocrx_word":
                        continue
                    text = (word_el.text or "").strip() or "".join(
                        t for el in word_el.iter() if el.get("class") != "ocrx_cinfo" for t in [el.text or ""]
                    ).strip()
                    text = nfc(text)
                    if not text:
                        continue
                    conf = _WCONF.search(word_el.get("title", ""))
                    words.append(
                        Word(
                            text=text,
                            confidence=float(conf.group(1)) if conf else 0.0,
                            bbox=_bbox(word_el.get("title", "")),
                            choices=_word_choices(word_el),
                        )
                    )
                if words:
                    lines.append(
                        Line(
                            text=" ".join(w.text for w in words),
                            bbox=_bbox(span.get("title", "")),
                            paragraph=paragraph,
                            block=block_no,
                            words=words,
                        )
                    )
    return reading_order(lines)
