"""Recognise a file's format from its first bytes, not its name: archives are full of misnamed files."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import EmptyInputError, NotAPdfError, UnsupportedFormatError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
DOCUMENT_SUFFIXES = IMAGE_SUFFIXES | {".pdf", ".txt"}

_MAGIC = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "image"),
]

# What a misnamed file most often is: a web page (a portal's login or error page saved by the browser
# under the document's name), or an office file.
_IMPOSTORS = [
    ((b"<!doctype html", b"<html", b"<head", b"<body"), "HTML"),
    ((b"PK\x03\x04",), "a ZIP archive (an office document?)"),
    ((b"{\\rtf",), "RTF"),
]


def impostor(head: bytes) -> str | None:
    """What a file that is not a page or text is, by its first bytes (None when unknown)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for magics, what in _IMPOSTORS:
        if start.startswith(tuple(m.lower() for m in magics)):
            return what
    return None


def sniff_kind(path: Path) -> str:
    """Return "pdf", "image", "tiff" or "text"; raise a one-line error for anything else."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyInputError("the file is empty (0 bytes)", path=str(path))
    with path.open("rb") as handle:
        head = handle.read(1024)
    # PDFs may carry junk before the header; the spec tolerates 1024 bytes of it.
    if b"%PDF-" in head:
        return "pdf"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image"
    if path.suffix.lower() == ".txt":
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UnsupportedFormatError("a .txt file with binary content; expected text", path=str(path))
        return "text"
    suffix = path.suffix.lower() or "(no extension)"
    what = impostor(head)
    if what and suffix == ".pdf":
        raise NotAPdfError(f"not a PDF: looks like {what}; fetch the document again", path=str(path))
    if what and suffix in IMAGE_SUFFIXES:
        raise UnsupportedFormatError(f"not a {suffix} image: looks like {what}", path=str(path))
    raise UnsupportedFormatError(
        f"unsupported format {suffix}; vanban reads PDF, PNG, JPEG, TIFF, BMP, WebP and .txt",
        path=str(path),
    )
