"""Archive outputs of a finished record: a searchable PDF (PDF/A-2b by default) whose invisible text
layer is ``text.final`` placed word by word on the OCR's boxes, ALTO v4 XML and hOCR.

Everything here is a function of a record (and, for the PDF, of the document's own page files): the
batch runner decides where and when files are written (``pipeline.batch``).
"""

from pipeline.output.words import PageWords, PlacedLine, PlacedWord, page_words

__all__ = ["PageWords", "PlacedLine", "PlacedWord", "page_words"]
