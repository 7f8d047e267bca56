"""The searchable PDF: the document's own page images with an invisible layer of the restored text.

Built from the field's libraries, each doing what it is known for:

* the pages: a PDF's own pages are copied untouched (pikepdf); image files are wrapped by img2pdf,
  which passes JPEG, JPEG 2000 and CCITT data through and PNG data losslessly, never re-encoding;
* the text layer: OCRmyPDF's fpdf2 renderer (``Fpdf2MultiPageRenderer``) draws each word invisibly
  in its box, with an embedded font whose ToUnicode map makes ``pdftotext`` and copy-paste give the
  NFC text back (OCRmyPDF's own Vietnamese output depends on it too);
* the layer is drawn in the frame Tesseract read (upright, deskewed) and grafted onto the original page
  as a form XObject through one matrix (``pipeline.output.frame``), so rotated and skewed pages keep
  every word on its ink;
* PDF/A-2b: ``pikepdf.pdfa.save`` adds the output intent and XMP metadata, writes, then validates the
  written bytes with pikepdf's allowlist validator, so a file that does not pass is never delivered.
"""

from __future__ import annotations

import contextlib
import functools
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pikepdf

from pipeline.errors import VanbanError
from pipeline.output.layer import with_changed_layers_placed
from pipeline.output.words import PageWords, page_words, upright_words
from pipeline.record import PageContext

PDF_TYPES = ("pdfa", "pdf")
DEFAULT_DPI = 300


class PdfWriteError(VanbanError):
    """The document cannot become a searchable PDF (a text-only input, unreadable page files)."""

    code = "pdf-output"
    stage = "output"


@dataclass
class PdfResult:
    """What went into a written PDF; ``notes`` are the per-document messages a user should see."""

    pages: int = 0
    layered: int = 0
    pdfa: bool = False
    notes: list[str] = field(default_factory=list)


# -- the text layer ------------------------------------------------------------------------------------
def _ocr_tree(page: PageWords, language: str):
    from ocrmypdf.hocrtransform import BoundingBox, OcrClass, OcrElement

    def box(b) -> BoundingBox:
        return BoundingBox(*(float(v) for v in b))

    lines = [
        OcrElement(
            ocr_class=OcrClass.LINE,
            bbox=box(line.bbox),
            language=language,
            children=[
                OcrElement(ocr_class=OcrClass.WORD, bbox=box(w.bbox), text=w.text, confidence=w.confidence / 100)
                for w in line.words
            ],
        )
        for line in page.lines
    ]
    return OcrElement(
        ocr_class=OcrClass.PAGE,
        bbox=BoundingBox(0, 0, float(page.width), float(page.height)),
        dpi=float(page.dpi or DEFAULT_DPI),
        language=language,
        children=lines,
    )


@functools.lru_cache(maxsize=1)
def _fonts():
    """OCRmyPDF's fonts, parsed once per process (about 0.3 CPU s, paid per document otherwise)."""
    import ocrmypdf
    from ocrmypdf.font import MultiFontManager

    return MultiFontManager(Path(ocrmypdf.__file__).parent / "data")


def render_text_layer(pages: list[PageWords], language: str = "vie") -> bytes:
    """One invisible-text page per given page, in the frame its boxes are in (OCRmyPDF's renderer)."""
    from ocrmypdf.fpdf_renderer import Fpdf2MultiPageRenderer

    fonts = _fonts()
    data = [(i, _ocr_tree(page, language), float(page.dpi or DEFAULT_DPI)) for i, page in enumerate(pages)]
    with tempfile.TemporaryDirectory(prefix="vanban-layer-") as folder:
        target = Path(folder) / "layer.pdf"
        Fpdf2MultiPageRenderer(pages_data=data, multi_font_manager=fonts, invisible_text=True).render(target)
        return target.read_bytes()


# -- the page images -----------------------------------------------------------------------------------
def _image_pages(path: str, dpi: float) -> pikepdf.Pdf:
    """An image file (every frame of a TIFF) as PDF pages at ``dpi``, its data passed through by img2pdf."""
    import img2pdf

    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    try:
        data = img2pdf.convert(path, layout_fun=layout)
    except (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, ValueError, OSError):
        data = img2pdf.convert(_flattened_png(path), layout_fun=layout)
    return pikepdf.open(io.BytesIO(data))


def _flattened_png(path: str) -> bytes:
    """Images img2pdf refuses as they are (alpha, 16 bits, palettes with transparency), as plain PNG."""
    from PIL import Image

    with Image.open(path) as image:
        flat = image.convert("RGB") if image.mode not in ("L", "1") else image
        out = io.BytesIO()
        flat.save(out, format="PNG", dpi=image.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI)))
        return out.getvalue()


def _raster_size(page: pikepdf.Page, dpi: float) -> tuple[int, int]:
    """Pixel size of the page as pdftoppm renders it at ``dpi`` (media box, /Rotate applied)."""
    box = [float(v) for v in page.mediabox]
    width, height = box[2] - box[0], box[3] - box[1]
    if page.obj.get("/Rotate", 0) % 180:
        width, height = height, width
    return round(width * dpi / 72), round(height * dpi / 72)


def raster_to_user(page: pikepdf.Page, dpi: float) -> np.ndarray:
    """Map from the pixels of the rendered page (top-left origin, y down) to the page's user space."""
    llx, lly, urx, ury = (float(v) for v in page.mediabox)
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    # user space -> displayed points (top-left origin, y down), for each /Rotate
    user_to_display = {
        0: [[1, 0, -llx], [0, -1, ury]],
        90: [[0, 1, -lly], [1, 0, -llx]],
        180: [[-1, 0, urx], [0, 1, -lly]],
        270: [[0, -1, ury], [-1, 0, urx]],
    }[rotate]
    forward = np.vstack([np.array(user_to_display, dtype=float), [0, 0, 1]])
    return np.linalg.inv(forward) @ np.diag([72 / dpi, 72 / dpi, 1.0])


def layer_matrix(page: pikepdf.Page, upright: PageWords, to_original: np.ndarray, raster_dpi: float) -> list[float]:
    """The ``cm`` that puts the text page (points of the upright frame) onto the original page."""
    scale = raster_dpi / 72
    points_to_pixels = np.array([[scale, 0, 0], [0, -scale, upright.height], [0, 0, 1]])
    m = raster_to_user(page, raster_dpi) @ to_original @ points_to_pixels
    return [m[0, 0], m[1, 0], m[0, 1], m[1, 1], m[0, 2], m[1, 2]]


def _strip_invisible_text(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """Remove the text drawn invisibly (render mode 3), in the page and in the forms it draws: a scanner's
    or an earlier OCR's layer (OCRmyPDF's and vanban's own are forms). Visible text stays. OCRmyPDF's
    own stripper (used for its --redo-ocr) does the work."""
    from ocrmypdf._graft import strip_invisible_text

    strip_invisible_text(pdf, page)
    page.remove_unreferenced_resources()  # the old layer's fonts (often not embedded: no PDF/A)


def _draws_visible_text(path: str, index: int) -> bool:
    """Whether page ``index`` of a PDF draws text that shows (a born-digital page): such text is the
    page itself and cannot be replaced by an invisible layer (pdfium reads forms too)."""
    import pypdfium2
    import pypdfium2.raw as pdfium

    document = pypdfium2.PdfDocument(path)
    try:
        objects = document[index].get_objects(filter=[pdfium.FPDF_PAGEOBJ_TEXT], max_depth=8)
        return any(pdfium.FPDFTextObj_GetTextRenderMode(o.raw) != pdfium.FPDF_TEXTRENDERMODE_INVISIBLE for o in objects)
    finally:
        document.close()


def _graft(pdf: pikepdf.Pdf, page: pikepdf.Page, layer: pikepdf.Object, matrix: list[float]) -> None:
    name = page.add_resource(pdf.copy_foreign(layer), pikepdf.Name.XObject, prefix="VbText")
    cm = " ".join(f"{v:.6f}" for v in matrix)
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(f"\nQ\nq {cm} cm {name} Do Q\n".encode()))


# -- the document --------------------------------------------------------------------------------------
def _base_pages(
    contexts: list[PageContext], layers: list[PageWords], keep: contextlib.ExitStack
) -> tuple[pikepdf.Pdf, list[float]]:
    """A new PDF holding the document's pages, and for each its raster dpi (the frame of the OCR).
    The source files stay open in ``keep`` until the PDF is saved (qpdf copies stream data then)."""
    out = keep.enter_context(pikepdf.new())
    sources: dict[str, pikepdf.Pdf] = {}
    dpis = []
    for ctx, words in zip(contexts, layers, strict=True):
        dpi = float(words.dpi or ctx.options.dpi or DEFAULT_DPI) / float(words.preprocessing.get("upscale") or 1.0)
        if ctx.kind == "pdf":
            dpi = float(ctx.options.dpi)
            key = ctx.path
            if key not in sources:
                sources[key] = keep.enter_context(pikepdf.open(ctx.path))
        else:
            key = f"{ctx.path}\0{dpi}"
            if key not in sources:
                sources[key] = keep.enter_context(_image_pages(ctx.path, dpi))
        out.pages.append(sources[key].pages[ctx.index_in_file])
        dpis.append(dpi)
    return out, dpis


def _raster_size_of(ctx: PageContext, page: pikepdf.Page | None, dpi: float) -> tuple[int, int]:
    if ctx.kind == "pdf":
        return _raster_size(page, dpi)
    from PIL import Image

    with Image.open(ctx.path) as image:
        if ctx.index_in_file:
            image.seek(ctx.index_in_file)
        return image.size


def original_sizes(contexts: list[PageContext]) -> list[tuple[int, int]]:
    """Pixel size of each page as vanban read it before preprocessing (the frame of ALTO and hOCR boxes)."""
    sizes = []
    with contextlib.ExitStack() as keep:
        opened: dict[str, pikepdf.Pdf] = {}
        for ctx in contexts:
            if ctx.kind == "pdf" and ctx.path not in opened:
                opened[ctx.path] = keep.enter_context(pikepdf.open(ctx.path))
            page = opened[ctx.path].pages[ctx.index_in_file] if ctx.kind == "pdf" else None
            sizes.append(_raster_size_of(ctx, page, float(ctx.options.dpi)))
    return sizes


def _pages_to_layer(contexts: list[PageContext], layers: list[PageWords], changed: set[int]) -> tuple[set[int], list[str]]:
    """The numbers of the pages that get vanban's text layer, and a note on each page that does not.

    A page read by OCR gets it; so does a page whose own layer vanban kept and restoration then changed
    (placed on that layer's boxes, ``output.layer``), unless its text is drawn visibly: that text is the
    page itself. A kept layer that restoration left alone stays as it is."""
    chosen, notes = set(), []
    for ctx, words in zip(contexts, layers, strict=True):
        number = words.number
        if words.origin == "layer" and number not in changed:
            notes.append(f"page {number}: its own text layer is kept (restoration changed nothing on it)")
        elif words.origin == "layer" and _draws_visible_text(ctx.path, ctx.index_in_file):
            notes.append(f"page {number}: its text is drawn visibly and stays as it is; the restored text is in the record")
        elif words.origin == "layer" and not words.has_boxes:
            notes.append(f"page {number}: its own text layer is kept (poppler found no words to place the restored text on)")
        elif words.origin in ("ocr", "layer") and words.has_boxes:
            chosen.add(number)
        elif words.origin == "none":
            notes.append(f"page {number}: no word boxes (the page could not be read); no text layer")
    return chosen, notes


def build_pdf(
    record: dict, contexts: list[PageContext], keep: contextlib.ExitStack, language: str = "vie"
) -> tuple[pikepdf.Pdf, PdfResult]:
    """The searchable PDF of a record in memory (not yet saved; its sources stay open in ``keep``)."""
    if not contexts or any(ctx.kind == "text" for ctx in contexts):
        raise PdfWriteError("a text file has no page images; no PDF is written for it")
    if len(record.get("pages") or []) != len(contexts):
        raise PdfWriteError(f"the record has {len(record.get('pages') or [])} pages but the document {len(contexts)}")
    placed, changed = with_changed_layers_placed(record, contexts)
    layers = page_words(placed)
    chosen, notes = _pages_to_layer(contexts, layers, changed)
    result = PdfResult(pages=len(layers), notes=notes)
    pdf, dpis = _base_pages(contexts, layers, keep)
    upright = {
        words.number: upright_words(words, _raster_size_of(ctx, page, dpi), dpi)
        for ctx, words, page, dpi in zip(contexts, layers, pdf.pages, dpis, strict=True)
        if words.number in chosen
    }
    if upright:
        layer_pdf = render_text_layer([words for words, _ in upright.values()], language)
        text_pages = keep.enter_context(pikepdf.open(io.BytesIO(layer_pdf)))
    order = {number: i for i, number in enumerate(upright)}
    for ctx, words, page, dpi in zip(contexts, layers, pdf.pages, dpis, strict=True):
        if words.number not in upright:
            continue
        if ctx.kind == "pdf" and (words.origin == "layer" or record["pages"][words.number - 1].get("layer_score") is not None):
            _strip_invisible_text(pdf, page)  # the old layer, rejected, or kept and then restored
        drawn, to_original = upright[words.number]
        matrix = layer_matrix(page, drawn, to_original, dpi)
        _graft(pdf, page, text_pages.pages[order[words.number]].as_form_xobject(), matrix)
        result.layered += 1
    return pdf, result


def write_pdf(
    record: dict, contexts: list[PageContext], stream: BinaryIO, pdf_type: str = "pdfa", language: str = "vie"
) -> PdfResult:
    """Write the searchable PDF of a record to ``stream`` (seekable, at its start).

    ``pdf_type`` "pdfa" writes PDF/A-2b validated by pikepdf; when validation fails the plain PDF is
    written instead and the result says why. "pdf" skips the conversion.
    """
    if pdf_type not in PDF_TYPES:
        raise ValueError(f"pdf_type must be one of {', '.join(PDF_TYPES)}, not {pdf_type!r}")
    with contextlib.ExitStack() as keep:
        pdf, result = build_pdf(record, contexts, keep, language)
        title = (record.get("document") or {}).get("subject") or record["source"].get("name")
        if title:
            pdf.docinfo[pikepdf.Name.Title] = title
        pdf.docinfo[pikepdf.Name.Creator] = "vanban"
        if pdf_type == "pdfa":
            from pikepdf import pdfa

            try:
                pdfa.save(pdf, stream, "2b")
                result.pdfa = True
                return result
            except pdfa.PdfaError as error:
                findings = [f.message for f in error.report.findings][:1]
                result.notes.append(f"not PDF/A-2b ({'; '.join(findings) or 'validation failed'}); wrote a plain PDF")
                stream.seek(0)
                stream.truncate()
        pdf.save(stream)
    return result
