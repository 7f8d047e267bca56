"""hOCR of a record: the restored words on the OCR's boxes, one ``ocr_page`` per page.

The form OCRmyPDF and other hOCR tools read (``ocrx_word`` with ``bbox`` and ``x_wconf``); also the
page the OCRmyPDF plugin hands back (``pipeline.output.ocrmypdf_plugin``).
"""

from __future__ import annotations

from html import escape

from pipeline.output.words import PageWords, page_words

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="vi" lang="vi">\n<head>\n<title></title>\n'
    '<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n'
    '<meta name="ocr-system" content="vanban"/>\n'
    '<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word"/>\n'
    "</head>\n<body>\n"
)


def _bbox(box) -> str:
    return "bbox {} {} {} {}".format(*box)


def page_hocr(page: PageWords, textangle: int = 0) -> str:
    """The ``ocr_page`` div of one page; ``textangle``: the counter-clockwise turn of its lines (a page
    preprocessing turned upright, its boxes given in the unturned image)."""
    n = page.number
    dpi = f"; scan_res {page.dpi} {page.dpi}" if page.dpi else ""
    out = [f'<div class="ocr_page" id="page_{n}" title="{_bbox((0, 0, page.width, page.height))}; ppageno {n - 1}{dpi}">']
    if page.lines:
        out.append(f' <div class="ocr_carea" id="block_{n}_1"><p class="ocr_par" id="par_{n}_1" lang="vie">')
        for li, line in enumerate(page.lines, 1):
            angle = f"; textangle {textangle}" if textangle else ""
            out.append(f'  <span class="ocr_line" id="line_{n}_{li}" title="{_bbox(line.bbox)}{angle}">')
            for wi, word in enumerate(line.words, 1):
                title = f"{_bbox(word.bbox)}; x_wconf {round(word.confidence)}"
                out.append(f'   <span class="ocrx_word" id="word_{n}_{li}_{wi}" title="{title}">{escape(word.text)}</span>')
            out.append("  </span>")
        out.append(" </p></div>")
    out.append("</div>")
    return "\n".join(out) + "\n"


def hocr_document(pages: list[PageWords], textangle: int = 0) -> str:
    return HEAD + "".join(page_hocr(page, textangle) for page in pages) + "</body>\n</html>\n"


def record_hocr(record: dict, pages: list[PageWords] | None = None) -> bytes:
    """The hOCR document of a record (its ``pages`` when given, else the record's in the OCR's frame)."""
    return hocr_document(page_words(record) if pages is None else pages).encode("utf-8")
