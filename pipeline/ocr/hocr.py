"""Tesseract's hOCR to lines and words (boxes, confidences, per-character alternatives), in Tesseract's
order (``pipeline.ocr.columns.reading_order`` puts them in reading order, in ``read_image``)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pipeline.errors import OcrError
from pipeline.orthography import ETH, ETH_DOUBLED, eth_in_vietnamese, nfc, repair_eth_word
from pipeline.record import Line, Word

_NS = "{http://www.w3.org/1999/xhtml}"
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_WCONF = re.compile(r"x_wconf (\d+(?:\.\d+)?)")
_XCONF = re.compile(r"x_confs (\d+(?:\.\d+)?)")


def _bbox(title: str, scale: float = 1.0) -> tuple[int, int, int, int]:
    match = _BBOX.search(title or "")
    if not match:
        return (0, 0, 0, 0)
    x0, y0, x1, y1 = (round(int(v) * scale) for v in match.groups())
    return (x0, y0, x1, y1)


Choices = list[list[tuple[str, float]]]


def repair_eth(text: str, choices: Choices | None) -> tuple[str, Choices | None]:
    """A word with Đ where Tesseract wrote its look-alike Ð (`orthography.repair_eth_word`), with its
    per-character choices following the text.

    Done once here, where the words are read, so that every later stage sees Đ (a PDF's own layer gets the
    same repair in ingest).
    """
    if not eth_in_vietnamese(text):
        return text, choices
    if choices is not None:
        doubled = ETH_DOUBLED.search(text)
        while doubled and len(choices) == len(text):
            choices = choices[: doubled.start() + 1] + choices[doubled.start() + 2:]
            text = text[: doubled.start()] + "Đ" + text[doubled.end():]
            doubled = ETH_DOUBLED.search(text)
        choices = [_eth_options(step) for step in choices]
    return repair_eth_word(text), choices


def _eth_options(step: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """One character's alternatives with Ð read as Đ, the stronger probability kept for a merged pair."""
    best: dict[str, float] = {}
    for char, prob in step:
        char = char.replace(ETH, "Đ").replace("ð", "đ")
        best[char] = max(prob, best.get(char, 0.0))
    return list(best.items())


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


def weighted_confidence(words: list[Word]) -> float | None:
    """Character-weighted mean word confidence (0-100): long words weigh more than stray marks."""
    total = weight = 0.0
    for word in words:
        total += word.confidence * len(word.text)
        weight += len(word.text)
    return round(total / weight, 2) if weight else None


def parse_hocr(hocr: bytes, scale: float = 1.0) -> list[Line]:
    """Lines with their words, boxes (times ``scale``: the page was read shrunk) and confidences, in
    the order Tesseract wrote them."""
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
                    text, choices = repair_eth(text, _word_choices(word_el))
                    words.append(
                        Word(
                            text=text,
                            confidence=float(conf.group(1)) if conf else 0.0,
                            bbox=_bbox(word_el.get("title", ""), scale),
                            choices=choices,
                        )
                    )
                if words:
                    lines.append(
                        Line(
                            text=" ".join(w.text for w in words),
                            bbox=_bbox(span.get("title", ""), scale),
                            paragraph=paragraph,
                            block=block_no,
                            words=words,
                        )
                    )
    return lines
