"""vanban as an OCR engine for OCRmyPDF: its reading and restored Vietnamese in OCRmyPDF's own PDFs.

    ocrmypdf --plugin pipeline.output.ocrmypdf_plugin -l vie scan.pdf searchable.pdf

OCRmyPDF rasterises each page and asks the engine for its hOCR (or a text-only PDF); this engine runs
vanban's page reading (preprocessing, Tesseract) and the document stages (restoration) on that one
image, and answers with the restored words on their boxes, mapped back from the preprocessed page to
the image OCRmyPDF gave (``pipeline.output.frame``). As ``vanban process --pdf`` does, each line is
drawn level in the page turned upright (text extractors break up text tilted by a deskew angle) and
the quarter turn goes to the renderer as the lines' ``textangle``. Everything else (PDF/A,
optimisation, metadata) stays OCRmyPDF's. Restoration sees one page at a time here, where ``vanban process`` sees the document.
"""

from __future__ import annotations

from pathlib import Path

from ocrmypdf import hookimpl
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence

from pipeline.output.hocr import hocr_document
from pipeline.output.words import PageWords, original_dpi, page_words, upright_words, with_boxes_mapped

DEFAULT_DPI = 300  # an image that states no resolution: OCRmyPDF's own default


def read_restored(image: Path) -> tuple[PageWords, str]:
    """One page image through vanban's stages: its placed words in the image's own frame, and its text."""
    from PIL import Image

    from pipeline.config import PipelineConfig
    from pipeline.ingest.discover import sha256_file
    from pipeline.ingest.render import image_dpi
    from pipeline.ocr import read_page
    from pipeline.record import DocumentSource, OcrOptions, PageContext
    from pipeline.stages import finish_document

    ctx = PageContext(path=str(image), kind="image", number=1, index_in_file=0, options=OcrOptions())
    record = finish_document(
        DocumentSource(image.stem, str(image), "image", sha256_file(image), [ctx]),
        [read_page(ctx)],
        PipelineConfig(extract=False),
    )
    with Image.open(image) as pil:
        size, dpi = pil.size, image_dpi(pil)
    page = page_words(record)[0]
    levelled, to_original = upright_words(page, size, dpi or original_dpi(page) or DEFAULT_DPI)
    return with_boxes_mapped(levelled, to_original, size), record["text"]["final"]


class VanbanEngine(OcrEngine):
    """OCRmyPDF's engine interface over vanban's reading and restoration."""

    @staticmethod
    def version() -> str:
        from pipeline import __version__

        return __version__

    @staticmethod
    def creator_tag(options) -> str:
        return f"vanban {VanbanEngine.version()} (Tesseract with Vietnamese restoration)"

    def __str__(self) -> str:
        return f"vanban {self.version()}"

    @staticmethod
    def languages(options) -> set[str]:
        return {"vie"}

    @staticmethod
    def get_orientation(input_file: Path, options) -> OrientationConfidence:
        # vanban turns pages upright itself and maps its boxes back to the image: nothing to rotate.
        return OrientationConfidence(angle=0, confidence=0.0)

    @staticmethod
    def get_deskew(input_file: Path, options) -> float:
        return 0.0

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options) -> None:
        page, text = read_restored(Path(input_file))
        turn = int(page.preprocessing.get("rotated") or 0)
        Path(output_hocr).write_text(hocr_document([page], textangle=turn), encoding="utf-8")
        Path(output_text).write_text(text, encoding="utf-8")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options) -> None:
        from pipeline.output.pdf import render_text_layer

        page, text = read_restored(Path(input_file))
        Path(output_pdf).write_bytes(render_text_layer([page]))
        Path(output_text).write_text(text, encoding="utf-8")


@hookimpl
def get_ocr_engine(options=None):
    """vanban, unless the user chose another engine by name."""
    if options is not None and getattr(options, "ocr_engine", "auto") not in ("auto", "vanban"):
        return None
    return VanbanEngine()
