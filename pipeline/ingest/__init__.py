"""Ingest: find documents among the inputs and turn each into a DocumentSource of page pointers."""

from pipeline.ingest.discover import discover_documents, open_document
from pipeline.ingest.render import load_page_image, read_text_file

__all__ = ["discover_documents", "open_document", "load_page_image", "read_text_file"]
