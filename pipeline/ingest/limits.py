"""How big a page may be, checked from the file's own declarations before anything is rendered.

A 1 kB PDF can declare a 5000 x 5000 pt page: rendered at 300 dpi that is 434 megapixels, which took a
worker to 3 GB before Pillow's bomb check fired, and a 14400 pt page broke an OpenCV assertion. Both are
refused here from the page box (times its UserUnit) or the image header, as one per-document error.

The limits admit A0 at the render resolution: A0 is 841 x 1189 mm = 2384 x 3370 pt, which at 300 dpi
renders to 9933 x 14043 px = 139.5 Mpx (419 MB as RGB). ``MAX_PIXELS`` (180 Mpx) leaves A0 a 29%
margin and bounds a worker's rendering memory: one page of at most 540 MB of RGB pixels plus the
grey copies preprocessing makes (measured in BENCHMARKS.md, "Faults"). ``MAX_SIDE_PX`` is OpenCV's
limit: its remap and warpAffine (deskew) take coordinates as signed 16-bit integers, so a side over
32767 px fails inside OpenCV however few pixels the page has in all.
"""

from __future__ import annotations

from pipeline.errors import ImageTooLargeError, PageTooLargeError

MAX_PIXELS = 180_000_000
MAX_SIDE_PX = 32_767
POINTS_PER_INCH = 72.0


def pixel_size(width_pt: float, height_pt: float, dpi: int) -> tuple[int, int]:
    """The pixel size a page of this size in points renders to at ``dpi``."""
    scale = dpi / POINTS_PER_INCH
    return round(abs(width_pt) * scale), round(abs(height_pt) * scale)


def page_size_error(width_px: int, height_px: int) -> str | None:
    """Why a page of this many pixels is refused, or None when it is within the limits."""
    if max(width_px, height_px) > MAX_SIDE_PX:
        return f"{width_px} x {height_px} px, a side over {MAX_SIDE_PX} px"
    if width_px * height_px > MAX_PIXELS:
        megapixels = width_px * height_px / 1e6
        return f"{width_px} x {height_px} px = {megapixels:.0f} Mpx, over {MAX_PIXELS // 1_000_000} Mpx"
    return None


def check_pdf_page_sizes(reader, dpi: int, path: str) -> None:
    """Raise PageTooLargeError for the first page whose media box (what pdftoppm renders without
    ``-cropbox``) times its UserUnit would render past the limits at ``dpi``."""
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        unit = float(page.user_unit or 1.0)
        width_pt, height_pt = float(box.width) * unit, float(box.height) * unit
        why = page_size_error(*pixel_size(width_pt, height_pt, dpi))
        if why:
            raise PageTooLargeError(
                f"page {number} is {abs(width_pt):.0f} x {abs(height_pt):.0f} pt, {why} at {dpi} dpi; "
                "vanban reads pages up to A0",
                path=path,
            )


def check_image_size(width_px: int, height_px: int, path: str) -> None:
    """Raise ImageTooLargeError for an image whose header declares more than a page scan can have."""
    why = page_size_error(width_px, height_px)
    if why:
        raise ImageTooLargeError(f"image too large to be a page scan ({why})", path=path)
