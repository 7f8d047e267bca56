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
    config = f'--tessdata-dir "{tessdata_dir}"' if tessdata_dir else ""
    return frozenset(pytesseract.get_languages(config=config))


def check_language(options: OcrOptions) -> None:
    tesseract_version()
    if options.language not in available_languages(options.tessdata_dir):
        raise MissingDependencyError(
            f"Tesseract language '{options.language}' is not installed; apt install tesseract-ocr-vie "
            "tesseract-ocr-script-viet (or pass --tessdata-dir)"
        )


def _config(options: OcrOptions) -> str:
    parts = [f"--psm {options.psm}", "-c hocr_char_boxes=0"]
    if options.tessdata_dir:
        parts.insert(0, f'--tessdata-dir "{options.tessdata_dir}"')
    if options.char_choices:
        parts.append("-c lstm_choice_mode=2")
    return " ".join(parts)


def run_hocr(image: np.ndarray, options: OcrOptions) -> bytes:
    """Run Tesseract once on a page image and return its hOCR."""
    check_language(options)
    try:
        return pytesseract.image_to_pdf_or_hocr(
            image,
            lang=options.language,
            config=_config(options),
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
            image, config="--psm 0 -c min_characters_to_try=10", output_type=pytesseract.Output.DICT,
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
    return lines
