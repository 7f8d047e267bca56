"""Synthetic scans: render document text to page images and damage them like real copies and photos."""

from pipeline.synth.render import render_document, render_document_with_truth

__all__ = ["render_document", "render_document_with_truth"]
