"""ALTO v4 XML of a record: pages, text blocks, lines and strings with their boxes and confidences.

Strings hold the restored word (``CONTENT``) and its OCR confidence (``WC``, 0-1); where restoration
changed the word, the OCR's reading is kept as an ``ALTERNATIVE``. Boxes are pixels (``MeasurementUnit``)
of the pages given: the batch gives them in the original image's frame (``words.in_original_frame``).
The tests validate it against the official ALTO 4.0 and 4.3 schemas (4.4 adds only optional attributes).
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from pipeline.output.words import PageWords, PlacedLine, page_words

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
ALTO_SCHEMA = "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def _box(element: ET.Element, bbox) -> None:
    x0, y0, x1, y1 = bbox
    element.set("HPOS", str(x0))
    element.set("VPOS", str(y0))
    element.set("WIDTH", str(x1 - x0))
    element.set("HEIGHT", str(y1 - y0))


def _union(lines: list[PlacedLine]) -> tuple[int, int, int, int]:
    return (
        min(line.bbox[0] for line in lines),
        min(line.bbox[1] for line in lines),
        max(line.bbox[2] for line in lines),
        max(line.bbox[3] for line in lines),
    )


def _page(layout: ET.Element, page: PageWords) -> None:
    element = ET.SubElement(layout, "Page", ID=f"page_{page.number}", PHYSICAL_IMG_NR=str(page.number))
    element.set("WIDTH", str(page.width))
    element.set("HEIGHT", str(page.height))
    space = ET.SubElement(element, "PrintSpace")
    _box(space, (0, 0, page.width, page.height))
    if not page.lines:
        return
    block = ET.SubElement(space, "TextBlock", ID=f"block_{page.number}_1")
    _box(block, _union(page.lines))
    for li, line in enumerate(page.lines, 1):
        text_line = ET.SubElement(block, "TextLine", ID=f"line_{page.number}_{li}")
        _box(text_line, line.bbox)
        for wi, word in enumerate(line.words, 1):
            if wi > 1:
                ET.SubElement(text_line, "SP")
            string = ET.SubElement(text_line, "String", ID=f"string_{page.number}_{li}_{wi}", CONTENT=word.text)
            _box(string, word.bbox)
            string.set("WC", f"{word.confidence / 100:.2f}")
            if word.text != word.ocr_text:
                ET.SubElement(string, "ALTERNATIVE", PURPOSE="OCR").text = word.ocr_text


def alto_xml(record: dict, pages: list[PageWords] | None = None) -> bytes:
    """The ALTO v4 document of a record (its ``pages`` when given, else the record's in the OCR's
    frame), UTF-8 with an XML declaration."""
    ET.register_namespace("", ALTO_NS)
    root = ET.Element("alto", {"xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{ALTO_NS} {ALTO_SCHEMA}"})
    root.set("xmlns", ALTO_NS)
    description = ET.SubElement(root, "Description")
    ET.SubElement(description, "MeasurementUnit").text = "pixel"
    source = ET.SubElement(description, "sourceImageInformation")
    ET.SubElement(source, "fileName").text = record["source"].get("path") or ""
    processing = ET.SubElement(ET.SubElement(description, "OCRProcessing", ID="ocr_1"), "ocrProcessingStep")
    software = ET.SubElement(processing, "processingSoftware")
    ET.SubElement(software, "softwareName").text = "vanban (Tesseract OCR, Vietnamese restoration)"
    layout = ET.SubElement(root, "Layout")
    for page in page_words(record) if pages is None else pages:
        _page(layout, page)
    ET.indent(root, space=" ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
