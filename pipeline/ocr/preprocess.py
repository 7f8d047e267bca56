"""Page preprocessing before Tesseract: only the steps the OCR benchmark shows to help.

Order: coloured ink removal (seals, signatures) on the colour page, grayscale, dark border removal,
90/180 degree orientation, deskew, despeckle and copy cleaning (specked 300 dpi scans), upscale of
low-resolution pages. Analysis (orientation, skew,
borders) runs on a ~100 dpi ink mask, so it costs tens of milliseconds; only the final rotation and
resize touch the full-resolution page. Measurements behind each default are in
``benchmarks/results/ocr.md`` (``make bench-ocr``). Earlier trials (brief): fastNlMeans denoising cost
3.8 s/page for no gain and adaptive thresholding hurt grey scans, so neither is here.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

ANALYSIS_DPI = 100
# Upscaling: measured on 100-150 dpi phone photos (benchmark), enlarging to 300 dpi *raised* CER
# (1.04% -> 1.50%) and Tesseract's CPU (1.8 -> 3.1 s/page); the brief's 576x960 photo (~70 dpi)
# gained from a 2x enlargement (to ~140 dpi). So only pages under 100 dpi are enlarged, to 200 dpi.
UPSCALE_BELOW_DPI = 100
UPSCALE_TO_DPI = 200
# Despeckle only pages with toner specks: tiny ink blobs (<= 12 px at 300 dpi) in the central quarter.
# Measured: clean/mild/stamp pages have <= 30, strong copies >= 200; a median on clean pages raised
# their CER (0.09% -> 0.31%), on strong copies it lowered it (14.8% -> 12.9%).
SPECKLE_MIN = 80
# Copies of copies (see clean_heavy_copy). Tuned on 10 heavy pages rendered from DEV-split laws, then
# measured on the benchmark's 5: CER 12.9% (median only) -> 6.0%. Stroke widths are at 300 dpi; damaged
# copies measured 4.3-5.2 px when the copier thinned the glyphs and 6.0-6.6 px when it over-inked them.
THIN_STROKE_PX = 5.5  # below: thin, broken glyphs (only specks are removed); above: over-inked
TARGET_STROKE_PX = 5.0  # over-inked pages are binarised at the threshold that gives strokes this wide
MAX_STROKE_THRESHOLD = 120  # never binarise above this grey level: it would fatten the glyphs
# Speck removal, (over-inked, thin) pages: ink is dilated by JOIN px before labelling (a broken glyph stays
# one blob); blobs up to AREA px are specks unless larger ink lies within GAP px (a tone mark beside its letter).
SPECK_JOIN = (3, 9)
SPECK_AREA = (60, 300)
SPECK_GAP = (6, 8)
A4_SHORT_SIDE_IN = 8.27
# Declared resolutions that mean "unknown": camera and screen defaults, never a scanner setting.
PLACEHOLDER_DPI = {72, 96}

# Pages scanned finer than this are read at it: Tesseract's layout analysis works on every pixel, while
# its line recogniser scales each line to a fixed height anyway. Measured (BENCHMARKS.md, OCR): 300 dpi
# pages read at 200 dpi cost ~14% less Tesseract CPU for the same CER; not on copies with toner specks,
# whose thin strokes it blurs.
READ_AT_DPI = 200
ALL_STEPS = frozenset({"stamp", "border", "orientation", "deskew", "despeckle", "upscale", "downscale"})
DEFAULT_STEPS = frozenset({"stamp", "border", "orientation", "deskew", "despeckle", "upscale", "downscale"})


# -- resolution --------------------------------------------------------------------------------------------
def estimate_dpi(dpi: int | None, shape: tuple[int, ...]) -> int:
    """The page's real resolution: the declared one, or (when absent or a camera default) inferred
    from the short side of an A4 page."""
    if dpi and dpi not in PLACEHOLDER_DPI:
        return int(dpi)
    return max(50, int(round(min(shape[:2]) / A4_SHORT_SIDE_IN)))


def upscale_factor(dpi: int | None, width: int, height: int | None = None) -> float:
    """How much to enlarge a page: pages under 100 dpi go to 200 dpi (at most 3x); others stay."""
    real = estimate_dpi(dpi, (height or int(width * 1.414), width))
    if real >= UPSCALE_BELOW_DPI:
        return 1.0
    return min(3.0, UPSCALE_TO_DPI / max(real, 1))


def enlarge(gray: np.ndarray, factor: float) -> np.ndarray:
    """The image ``factor`` times larger (bicubic): the one upscale of low-resolution pages and of the
    small-print lines re-read by ``pipeline.ocr.small_print``."""
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def speckle_count(gray: np.ndarray) -> int:
    """Tiny ink blobs (area <= 12 px) in the central quarter of a ~300 dpi page: toner specks."""
    height, width = gray.shape
    crop = gray[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4]
    _, mask = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] <= 12).sum())


# -- copies of copies -------------------------------------------------------------------------------------
def _ridge_width(ink: np.ndarray) -> float:
    """Mean stroke width of a 0/255 ink mask: twice the mean distance-to-paper on the strokes' ridges."""
    distance = cv2.distanceTransform(ink, cv2.DIST_L2, 5)
    ridge = (distance > 0) & (distance >= cv2.dilate(distance, np.ones((3, 3), np.uint8)))
    return float(distance[ridge].mean()) * 2 if ridge.any() else 0.0


def _centre(gray: np.ndarray) -> np.ndarray:
    height, width = gray.shape
    return gray[height // 6 : 5 * height // 6, width // 8 : 7 * width // 8]


def stroke_width(gray: np.ndarray) -> float:
    """Mean stroke width (px) of the Otsu ink in the middle of the page."""
    _, ink = cv2.threshold(_centre(gray), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return _ridge_width(cv2.medianBlur(ink, 3))


def threshold_for_width(gray: np.ndarray, target: float, limit: int = MAX_STROKE_THRESHOLD) -> int | None:
    """The grey threshold (a multiple of 10 from 60) whose ink has strokes closest to ``target`` px wide,
    or None when that threshold would be above ``limit``.

    Strokes widen as the threshold rises, so the search stops at the first threshold that reaches the
    target (2-4 tries on over-inked copies instead of 18).
    """
    centre = _centre(gray)
    previous: tuple[float, int] | None = None
    for threshold in range(60, limit + 11, 10):
        width = _ridge_width(np.where(centre < threshold, 255, 0).astype(np.uint8))
        if width >= target:
            best = min((width - target, threshold), previous or (np.inf, threshold))
            return best[1] if best[1] <= limit else None
        previous = (target - width, threshold)
    return None


def remove_isolated_specks(gray: np.ndarray, max_area: int, gap: int, join: int) -> tuple[np.ndarray, int]:
    """Whiten small ink blobs that lie away from larger ink (toner specks); keep those near text (marks).

    Returns the page and the number of blobs removed. The small blobs are visited one by one inside
    their bounding boxes: a page has a few thousand, and this costs a third of whole-page label lookups.
    """
    _, ink = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    joined = cv2.dilate(ink, np.ones((join, join), np.uint8)) if join > 1 else ink
    _, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    left, top, width, height, area = (stats[:, i] for i in range(5))
    # A dash (" - " in "Độc lập - Tự do", a list dash) is as small and as far from letters as a speck,
    # but wide and flat where specks are round: blobs at least 10 px wide and 2.5x wider than high stay.
    ink_w, ink_h = width - (join - 1), height - (join - 1)
    dash = (ink_w >= 10) & (ink_w >= 2.5 * ink_h)
    small = np.flatnonzero((area <= max_area) & ~dash)
    blobs = []
    large_ink = joined.copy()
    for label in small[small > 0]:
        rows = slice(top[label], top[label] + height[label])
        cols = slice(left[label], left[label] + width[label])
        own = labels[rows, cols] == label
        large_ink[rows, cols][own] = 0
        blobs.append((rows, cols, own))
    near = cv2.dilate(large_ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * gap + 1, 2 * gap + 1)))
    drop = np.zeros(gray.shape, np.uint8)
    removed = 0
    for rows, cols, own in blobs:
        if not near[rows, cols][own].any():
            drop[rows, cols][own] = 1
            removed += 1
    mask = cv2.dilate(drop, np.ones((3, 3), np.uint8)) > 0
    out = gray.copy()
    paper = int(np.percentile(gray[::8, ::8], 90))
    out[mask] = np.maximum(out[mask], paper)
    return out, removed


def clean_heavy_copy(gray: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """A toner-specked copy at ~300 dpi: a 3x3 median, then isolated specks removed; over-inked pages are
    also binarised at the threshold that brings their strokes back to ~5 px.

    Why: Tesseract reads specks as marks and punctuation, and fattened glyphs as other letters.
    Thickening thin, broken glyphs did not help in any form measured (erosion, blur, 2x upscale, grey
    opening), nor did binarising them; so thin pages only lose their specks.
    """
    gray = cv2.medianBlur(gray, 3)
    width = stroke_width(gray)
    kind = 1 if width < THIN_STROKE_PX else 0
    gray, removed = remove_isolated_specks(gray, SPECK_AREA[kind], SPECK_GAP[kind], SPECK_JOIN[kind])
    detail: dict[str, Any] = {"stroke_px": round(width, 2), "specks_removed": removed}
    if not kind:
        threshold = threshold_for_width(gray, TARGET_STROKE_PX)
        if threshold is not None:
            gray = np.where(gray < threshold, 0, 255).astype(np.uint8)
            detail["stroke_threshold"] = threshold
    return gray, detail


# -- colour ink ---------------------------------------------------------------------------------------------
def is_colour(rgb: np.ndarray) -> bool:
    """True when a sample of the pixels shows real colour (not a grey page stored as RGB)."""
    if rgb.ndim != 3:
        return False
    sample = rgb[::16, ::16].astype(np.int16)
    chroma = sample.max(axis=2) - sample.min(axis=2)
    return bool((chroma > 60).mean() > 0.0005)


def suppress_colour_ink(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """Grey page with strongly coloured ink (red seals, blue signatures) turned to paper.

    Black text under a seal stays: a seal printed over text leaves it dark and nearly grey, and only
    pixels that are clearly coloured, or light, are whitened. Returns the grey image and the share of
    pixels whitened. OpenCV per-channel operations: ~5x faster than numpy reductions over the axis.
    """
    red, green, blue = cv2.split(rgb)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    chroma = cv2.subtract(cv2.max(cv2.max(red, green), blue), cv2.min(cv2.min(red, green), blue))
    _, ink = cv2.threshold(chroma, 70, 1, cv2.THRESH_BINARY)
    ink = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    whiten = (ink > 0) & ((chroma > 40) | (gray > 110))
    sample = gray[::8, ::8]
    paper = int(np.median(sample[sample > 160])) if (sample > 160).any() else 255
    gray[whiten] = paper
    return gray, float(whiten.mean())


def to_gray(rgb: np.ndarray) -> np.ndarray:
    if rgb.ndim == 2:
        return rgb
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


# -- analysis on a small ink mask -------------------------------------------------------------------------
def ink_mask(gray: np.ndarray, scale: float) -> np.ndarray:
    """Binary (uint8 0/1) ink mask of a downscaled copy, Otsu threshold."""
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    _, mask = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return mask


def remove_borders(gray: np.ndarray, mask: np.ndarray, scale: float) -> tuple[np.ndarray, dict[str, Any]]:
    """Whiten dark regions that touch the page edge and run along it (copier lid, desk around a photo).

    Connected ink regions of the small mask that touch an edge and span over a quarter of it are
    border, never text: a real page has a white margin between its text and its edge.
    """
    height, width = mask.shape
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    x, y, w, h = (stats[1:, i] for i in range(4))
    touches = (x == 0) | (y == 0) | (x + w >= width) | (y + h >= height)
    long = (w > 0.25 * width) | (h > 0.25 * height)
    border = np.flatnonzero(touches & long) + 1
    if not border.size:
        return gray, {}
    small = np.isin(labels, border).astype(np.uint8)
    small = cv2.dilate(small, np.ones((5, 5), np.uint8))
    full = cv2.resize(small, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST).astype(bool)
    out = gray.copy()
    out[full] = int(np.percentile(gray[::8, ::8][~full[::8, ::8]], 90)) if (~full).any() else 255
    return out, {"regions": len(border), "share": round(float(small.mean()), 4)}


def _profile_score(ys: np.ndarray, length: int) -> float:
    """How sharply ink rows separate into lines: sum of squared differences of the row histogram."""
    hist = np.bincount(ys, minlength=length).astype(np.float64)
    return float(np.square(np.diff(hist)).sum())


def _ink_points(mask: np.ndarray, limit: int = 40000) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of (a fixed-size, seeded sample of) the ink pixels: the cost stays flat on dense pages."""
    ys, xs = np.nonzero(mask)
    if ys.size > limit:
        keep = np.random.default_rng(0).choice(ys.size, limit, replace=False)
        ys, xs = ys[keep], xs[keep]
    return ys, xs


def _best_angle(ys: np.ndarray, xs: np.ndarray, width: int, limit: float) -> tuple[float, float]:
    """(angle, score): the rotation of the points that makes the sharpest row profile.

    A coarse 0.5 degree search, then 0.1 degree refinement. The angle is the counter-clockwise
    rotation (OpenCV's convention, see ``rotate``) that levels the lines.
    """
    if ys.size < 200:
        return 0.0, 0.0
    xc = xs.astype(np.float64) - width / 2
    yf = ys.astype(np.float64)
    offset = int(width)  # room for negative rotated coordinates
    length = int(ys.max()) + 2 * offset + 1

    def score(angle: float) -> float:
        t = np.deg2rad(angle)
        rotated = np.round(yf * np.cos(t) - xc * np.sin(t)).astype(np.int64) + offset
        return _profile_score(rotated, length)

    coarse = np.arange(-limit, limit + 1e-9, 0.5)
    best = float(max(coarse, key=score))
    fine = np.arange(best - 0.4, best + 0.4 + 1e-9, 0.1)
    scored = [(score(a), a) for a in fine]
    top, angle = max(scored)
    return round(float(angle), 2), top


def skew_angle(mask: np.ndarray, limit: float = 6.0) -> float:
    """Skew of an upright page in degrees, by projection profile of its ink pixels."""
    ys, xs = _ink_points(mask)
    return _best_angle(ys, xs, mask.shape[1], limit)[0]


def analyse(mask: np.ndarray, limit: float = 6.0) -> tuple[int, float]:
    """(clockwise quarter turn that makes the page upright, then the skew angle to remove).

    Sideways pages: their columns, not their rows, separate into lines. The best profile over skew
    angles is compared both ways, so a skewed upright page is not mistaken for a sideways one.
    Upside-down pages: ``upside_down_score`` of the levelled mask is negative.
    """
    ys, xs = _ink_points(mask)
    if ys.size < 500:
        return 0, 0.0
    height, width = mask.shape
    angle, rows = _best_angle(ys, xs, width, limit)
    # Sideways: a clockwise quarter turn maps (y, x) to (x, height - 1 - y).
    side_angle, columns = _best_angle(xs, height - 1 - ys, height, limit)
    sideways = columns > 1.3 * rows
    upright = np.ascontiguousarray(np.rot90(mask, -1)) if sideways else mask
    angle = side_angle if sideways else angle
    if abs(angle) >= 0.3:
        upright = (rotate(upright * 255, angle) > 127).astype(np.uint8)
    flipped = upside_down_score(upright) < 0
    turn = ((90 if sideways else 0) + (180 if flipped else 0)) % 360
    # Turning a levelled page by 180 degrees keeps it level, the residual angle is unchanged.
    return turn, angle


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by ``angle`` degrees (counter-clockwise positive), growing the canvas, filling with paper."""
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    paper = int(np.percentile(gray[::8, ::8], 90))
    return cv2.warpAffine(gray, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=paper)


def _line_bands(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows holding ink: the text lines of an upright (deskewed) mask."""
    rows = mask.sum(axis=1)
    if not rows.any():
        return []
    on = rows > max(2, 0.03 * rows.max())
    bands = []
    start = None
    for i, flag in enumerate(on):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            bands.append((start, i))
            start = None
    if start is not None:
        bands.append((start, len(on)))
    return [b for b in bands if 4 <= b[1] - b[0] <= 60]


def upside_down_score(mask: np.ndarray) -> float:
    """Ink above the x-height band minus ink below it, over all text lines, as a share of the line ink.

    Upright Vietnamese text carries far more ink above the core (capitals, ascenders, the many tone
    and vowel marks) than below it (descenders, the dot below): positive when upright, negative when the
    page is upside down.
    """
    above = below = total = 0.0
    for top, bottom in _line_bands(mask):
        profile = mask[top:bottom].sum(axis=1).astype(np.float64)
        core = np.flatnonzero(profile >= 0.5 * profile.max())
        if core.size == 0:
            continue
        above += profile[: core[0]].sum()
        below += profile[core[-1] + 1 :].sum()
        total += profile.sum()
    return (above - below) / total if total else 0.0


def _turn(gray: np.ndarray, clockwise: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(gray, -(clockwise // 90))) if clockwise else gray


# -- the step sequence -------------------------------------------------------------------------------------
def preprocess(
    rgb: np.ndarray, dpi: int | None, steps: frozenset[str] | None = None
) -> tuple[np.ndarray, int, dict[str, Any]]:
    """Return the image for Tesseract, its effective dpi, and a record of the steps applied.

    ``steps`` chooses among ``ALL_STEPS`` (the benchmark's ablation); by default ``DEFAULT_STEPS``.
    """
    steps = DEFAULT_STEPS if steps is None else steps
    record: dict[str, Any] = {}
    if "stamp" in steps and is_colour(rgb):
        gray, share = suppress_colour_ink(rgb)
        record["colour_ink_removed"] = round(share, 5)
    else:
        gray = to_gray(rgb)
    real_dpi = estimate_dpi(dpi, gray.shape)
    if real_dpi != dpi:
        record["dpi_estimated"] = real_dpi
    scale = min(1.0, ANALYSIS_DPI / real_dpi)
    if steps & {"border", "orientation", "deskew"}:
        mask = ink_mask(gray, scale)
        if "border" in steps:
            gray, cut = remove_borders(gray, mask, scale)
            if cut:
                record["border_removed"] = cut
                mask = ink_mask(gray, scale)
        turn, angle = analyse(mask) if steps & {"orientation", "deskew"} else (0, 0.0)
        if "orientation" in steps and turn:
            gray = _turn(gray, turn)
            record["rotated"] = turn
        elif "orientation" not in steps and turn % 180:
            angle = skew_angle(mask)  # the angle found was that of the sideways reading
        if "deskew" in steps and abs(angle) >= 0.3:
            gray = rotate(gray, angle)
            record["deskew_degrees"] = angle
    if "despeckle" in steps and real_dpi >= 200:
        specks = speckle_count(gray)
        if specks >= SPECKLE_MIN:
            # Only on real scans: at low resolution the median would erase strokes.
            gray, detail = clean_heavy_copy(gray)
            record["despeckle"] = specks
            record.update(detail)
    factor = upscale_factor(real_dpi, gray.shape[1], gray.shape[0])
    if "upscale" in steps and factor > 1.0:
        gray = enlarge(gray, factor)
        record["upscale"] = round(factor, 3)
    effective_dpi = int(round(real_dpi * (factor if "upscale" in steps else 1.0)))
    return gray, effective_dpi, record


def for_reading(
    gray: np.ndarray, dpi: int, record: dict[str, Any], steps: frozenset[str] | None = None
) -> tuple[np.ndarray, float]:
    """The image Tesseract reads, and its scale to the page: pages finer than READ_AT_DPI are shrunk to
    it (area averaging), except copies with toner specks (``despeckle`` in ``record``)."""
    steps = DEFAULT_STEPS if steps is None else steps
    if "downscale" not in steps or "despeckle" in record or dpi <= 1.2 * READ_AT_DPI:
        return gray, 1.0
    shrink = READ_AT_DPI / dpi
    return cv2.resize(gray, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA), shrink
