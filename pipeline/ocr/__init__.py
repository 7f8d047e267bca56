"""OCR: preprocess a page image and read it with Tesseract, keeping words, boxes and confidences."""

from pipeline.ocr.page import read_page

__all__ = ["read_page"]
