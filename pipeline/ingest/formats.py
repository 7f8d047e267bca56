"""Recognise a file's format from its first bytes, not its name: archives are full of misnamed files."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import EmptyInputError, UnsupportedFormatError

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
    raise UnsupportedFormatError(
        f"unsupported format {suffix}; vanban reads PDF, PNG, JPEG, TIFF, BMP, WebP and .txt",
        path=str(path),
    )
