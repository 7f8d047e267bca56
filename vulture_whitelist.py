"""Names vulture reports as unused that are used: read by integrators through the API, or set for a library."""

from pipeline.batch.runner import BatchSummary
from pipeline.record import DocumentSource
from pipeline.stages import finish_document

BatchSummary.repaired_lines  # part of the summary process_batch returns to integrators
DocumentSource.size_bytes  # part of the document process_batch integrators inspect
_.tokenizer  # noqa: F821 - spaCy: nlp.tokenizer = ... replaces the pipeline's tokenizer
_.MAX_IMAGE_PIXELS  # noqa: F821 - Pillow: Image.MAX_IMAGE_PIXELS = ... sets its decompression-bomb limit
finish_document  # the record of pages read elsewhere: for integrators and tests

# pipeline.output: OCRmyPDF calls the engine plugin's hooks by name; PdfResult.layered is part of
# write_pdf's result (how many pages got a text layer); pikepdf writes a page's Contents on assignment.
from pipeline.output.ocrmypdf_plugin import VanbanEngine, get_ocr_engine
from pipeline.output.pdf import PdfResult

VanbanEngine.creator_tag, VanbanEngine.languages, VanbanEngine.get_orientation  # noqa: B018
VanbanEngine.get_deskew, VanbanEngine.generate_hocr, VanbanEngine.generate_pdf  # noqa: B018
get_ocr_engine  # noqa: B018
PdfResult.layered  # noqa: B018
_.Contents  # noqa: F821
