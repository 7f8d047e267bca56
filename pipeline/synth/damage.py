"""Damage a clean rendered page the way archives damage real ones: copies, skew, rotation, phone photos,
seals.

Every effect draws its randomness from the ``numpy.random.Generator`` it is given, so a page and a seed
always give the same scan. Effects work on float arrays (0 black .. 255 white) at the page's 300 dpi and
return a PIL image with the resolution it now has.
"""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.synth.render import _font

CONDITIONS = ("clean", "mild", "heavy", "skew", "rot90", "rot180", "lowres", "stamp")
# Not in the main benchmark set: a phone photo taken from further away (65-90 dpi), which checks the
# upscaling rule (preprocess enlarges pages under 100 dpi).
EXTRA_CONDITIONS = ("lowres70",)
SOURCE_DPI = 300

DESKS = ((125, 92, 62), (62, 62, 68), (168, 138, 100), (95, 105, 112))
SEAL_NAMES = (
    "ỦY BAN NHÂN DÂN PHƯỜNG HƯNG PHÚ",
    "ỦY BAN NHÂN DÂN XÃ TÂN PHONG",
    "ỦY BAN NHÂN DÂN PHƯỜNG AN KHÁNH",
    "ỦY BAN NHÂN DÂN XÃ PHƯỚC HẬU",
)


# -- small building blocks -------------------------------------------------------------------------------
def _as_float(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def _to_image(array: np.ndarray, dpi: int) -> Image.Image:
    mode = "RGB" if array.ndim == 3 else "L"
    image = Image.fromarray(np.clip(array, 0, 255).round().astype(np.uint8), mode)
    image.info["dpi"] = (dpi, dpi)
    return image


def _smooth_field(shape: tuple[int, int], rng: np.random.Generator, cells: int = 6) -> np.ndarray:
    """A random, slowly varying field in [0, 1] (toner density, lighting): a coarse grid, upsampled."""
    height, width = shape
    coarse = rng.random((cells, max(2, round(cells * width / height)))).astype(np.float32)
    field = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    lo, hi = float(field.min()), float(field.max())
    return (field - lo) / (hi - lo + 1e-6)


def _tone(page: np.ndarray, ink: float, paper: float) -> np.ndarray:
    """Map pure black/white to the ink and paper tones of a copy."""
    return ink + (paper - ink) * page / 255.0


def _rotate(page: np.ndarray, degrees: float, fill: float = 255.0) -> np.ndarray:
    """Rotate about the centre, counter-clockwise for positive angles, keeping the frame size."""
    height, width = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    border = (fill,) * 3 if page.ndim == 3 else fill
    return cv2.warpAffine(
        page, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )


def _scanner_noise(page: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    return page + rng.normal(0.0, sigma, page.shape).astype(np.float32)


# -- the conditions -------------------------------------------------------------------------------------
def _mild(page: np.ndarray, rng: np.random.Generator, noise: tuple[float, float] = (4.0, 7.0)) -> np.ndarray:
    """A good photocopy: soft edges, grey paper, faint ink, a little noise and uneven exposure."""
    page = cv2.GaussianBlur(page, (0, 0), float(rng.uniform(0.7, 1.0)))
    page = _tone(page, ink=float(rng.uniform(25, 50)), paper=float(rng.uniform(228, 242)))
    page = page * (0.96 + 0.04 * _smooth_field(page.shape, rng))
    page = _rotate(page, float(rng.uniform(-0.4, 0.4)), fill=float(page.mean()))
    return _scanner_noise(page, rng, float(rng.uniform(*noise)))


def _heavy(page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A copy of a copy: fattened or thinned strokes, toner that fades and smears, speckle, black edges."""
    kernel = np.ones((2, 2), np.uint8)
    # Erosion of the white paper fattens the strokes (over-inked copy); dilation thins them.
    page = cv2.erode(page, kernel) if rng.random() < 0.6 else cv2.dilate(page, kernel)
    page = cv2.GaussianBlur(page, (0, 0), float(rng.uniform(0.9, 1.3)))
    # Uneven toner: in faded zones the ink goes grey; in dirty zones the paper goes grey.
    fade = _smooth_field(page.shape, rng, cells=5) ** 2
    dirt = _smooth_field(page.shape, rng, cells=4) ** 3
    ink = 20.0 + 80.0 * fade
    paper = 245.0 - 55.0 * dirt
    page = ink + (paper - ink) * page / 255.0
    # High-contrast copier curve, then speckle: toner dots on the paper, drop-outs in the strokes.
    page = 255.0 / (1.0 + np.exp(-(page - float(rng.uniform(135, 150))) / float(rng.uniform(16, 24))))
    height, width = page.shape
    dots = int(rng.integers(800, 2500))
    ys, xs = rng.integers(0, height, dots), rng.integers(0, width, dots)
    radii = rng.choice([1, 1, 1, 2, 2, 3], dots)
    speckle = np.full((height, width), 255, np.uint8)
    for y, x, r in zip(ys, xs, radii, strict=True):
        cv2.circle(speckle, (int(x), int(y)), int(r), int(rng.integers(0, 90)), -1)
    page = np.minimum(page, speckle.astype(np.float32))
    holes = rng.random(page.shape) < 0.005
    page[holes] = np.maximum(page[holes], 200.0)
    # Copier drum streaks and the black band where the lid did not cover the glass.
    for _ in range(int(rng.integers(1, 3))):
        x = int(rng.integers(0, width))
        page[:, x : x + int(rng.integers(1, 4))] *= float(rng.uniform(0.6, 0.85))
    page = _rotate(page, float(rng.uniform(-0.8, 0.8)), fill=35.0)
    sides = rng.choice(4, size=int(rng.integers(1, 3)), replace=False)
    for side in sides:
        _dark_band(page, int(side), rng)
    page = cv2.GaussianBlur(page, (0, 0), 0.6)
    return _scanner_noise(page, rng, float(rng.uniform(6, 10)))


def _dark_band(page: np.ndarray, side: int, rng: np.random.Generator) -> None:
    """Paint a ragged dark border along one side (0 top, 1 right, 2 bottom, 3 left), in place."""
    height, width = page.shape
    length = height if side in (1, 3) else width
    depth = int(rng.uniform(0.01, 0.03) * min(height, width))
    wobble = cv2.resize(rng.random((1, 12)).astype(np.float32), (length, 1), interpolation=cv2.INTER_CUBIC)[0]
    depths = (depth * (0.6 + 0.8 * wobble)).astype(int)
    tone = float(rng.uniform(15, 45))
    for i in range(0, length, 1):
        d = max(1, int(depths[i]))
        if side == 0:
            page[:d, i] = tone
        elif side == 2:
            page[height - d :, i] = tone
        elif side == 3:
            page[i, :d] = tone
        else:
            page[i, width - d :] = tone


def _light_scan(page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A plain office scan: slight softness and sensor noise, otherwise clean."""
    page = cv2.GaussianBlur(page, (0, 0), float(rng.uniform(0.5, 0.7)))
    page = _tone(page, ink=float(rng.uniform(10, 30)), paper=float(rng.uniform(240, 250)))
    return _scanner_noise(page, rng, 3.0)


def _skew(page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A sheet fed at an angle: 1 to 5 degrees either way."""
    angle = float(rng.uniform(1.0, 5.0)) * (1 if rng.random() < 0.5 else -1)
    return _light_scan(_rotate(page, angle), rng)


def _phone_photo(
    page: np.ndarray, rng: np.random.Generator, dpi_range: tuple[int, int] = (100, 150)
) -> tuple[np.ndarray, int]:
    """A phone photo of a page on a desk: perspective, uneven light, colour cast, 100-150 dpi, JPEG."""
    dpi = int(rng.integers(dpi_range[0], dpi_range[1] + 1))
    height, width = page.shape
    pad = int(0.03 * width)
    desk = np.array(DESKS[int(rng.integers(len(DESKS)))], dtype=np.float32) * float(rng.uniform(0.8, 1.1))
    canvas = np.empty((height + 2 * pad, width + 2 * pad, 3), np.float32)
    canvas[:] = desk
    canvas += rng.normal(0, 6, canvas.shape).astype(np.float32)
    src = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    jitter = rng.uniform(-0.02, 0.02, (4, 2)) * np.float32([width, height])
    dst = (src + pad + jitter).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    colour_page = np.repeat(cv2.GaussianBlur(page, (0, 0), 1.0)[:, :, None], 3, axis=2)
    warped = cv2.warpPerspective(colour_page, matrix, canvas.shape[1::-1], flags=cv2.INTER_LINEAR,
                                 borderValue=(-1.0, -1.0, -1.0))
    mask = warped[:, :, 0] >= 0
    canvas[mask] = warped[mask]
    # Light falls off across the page from one side, darker towards the corners, with a warm cast.
    h2, w2 = canvas.shape[:2]
    yy, xx = np.mgrid[0:h2, 0:w2].astype(np.float32)
    theta = float(rng.uniform(0, 2 * math.pi))
    ramp = (np.cos(theta) * (xx / w2 - 0.5) + np.sin(theta) * (yy / h2 - 0.5)) + 0.5
    radial = ((xx / w2 - 0.5) ** 2 + (yy / h2 - 0.5) ** 2) / 0.5
    light = 1.0 - float(rng.uniform(0.15, 0.3)) * ramp - float(rng.uniform(0.05, 0.15)) * radial
    cast = np.float32([1.0, rng.uniform(0.94, 0.99), rng.uniform(0.82, 0.92)])
    canvas = canvas * light[:, :, None] * cast
    scale = dpi / SOURCE_DPI
    small = cv2.resize(canvas, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = _scanner_noise(small, rng, float(rng.uniform(2, 4)))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(small, 0, 255).astype(np.uint8), "RGB").save(
        buffer, "JPEG", quality=int(rng.integers(55, 76))
    )
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"), dtype=np.float32), dpi


def _seal(diameter: int, name: str, rng: np.random.Generator) -> np.ndarray:
    """Alpha mask (0..1) of a round seal: two rings, the issuer's name around, a star in the centre."""
    size = diameter + 8
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    centre = size / 2
    outer = diameter / 2
    draw.ellipse([centre - outer, centre - outer, centre + outer, centre + outer], outline=255,
                 width=max(3, diameter // 45))
    inner = outer * 0.66
    draw.ellipse([centre - inner, centre - inner, centre + inner, centre + inner], outline=255,
                 width=max(2, diameter // 90))
    face: ImageFont.FreeTypeFont = _font("Liberation Serif", "bold", max(10, int(diameter * 0.085)))
    text = f"{name} ★ "
    radius = outer * 0.83
    total = sum(face.getlength(c) for c in text)
    arc = total / radius  # radians the text spans
    angle = -math.pi / 2 - arc / 2  # centred on the top
    for char in text:
        advance = face.getlength(char)
        mid = angle + advance / (2 * radius)
        glyph = Image.new("L", (int(face.size * 1.6), int(face.size * 1.6)), 0)
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), char, font=face, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid) - 90, resample=Image.BICUBIC)
        x = centre + radius * math.cos(mid) - glyph.width / 2
        y = centre + radius * math.sin(mid) - glyph.height / 2
        canvas.paste(255, (int(x), int(y)), glyph)
        angle += advance / radius
    star = [
        (centre + inner * 0.45 * (1 if k % 2 == 0 else 0.4) * math.cos(-math.pi / 2 + k * math.pi / 5),
         centre + inner * 0.45 * (1 if k % 2 == 0 else 0.4) * math.sin(-math.pi / 2 + k * math.pi / 5))
        for k in range(10)
    ]
    draw.polygon(star, fill=255)
    alpha = np.asarray(canvas, dtype=np.float32) / 255.0
    alpha = np.asarray(
        Image.fromarray((alpha * 255).astype(np.uint8)).rotate(float(rng.uniform(-25, 25)), resample=Image.BICUBIC),
        dtype=np.float32,
    ) / 255.0
    # Ink is never even: a slow density field, and pores where the rubber did not print.
    density = 0.55 + 0.45 * _smooth_field(alpha.shape, rng, cells=4)
    pores = (rng.random(alpha.shape) > 0.12).astype(np.float32)
    return cv2.GaussianBlur(alpha * density * pores, (0, 0), 1.0)


def _signature_scribble(shape: tuple[int, int], box: tuple[int, int, int, int], rng: np.random.Generator):
    """Alpha mask of a handwritten signature: a few loops and a long stroke between title and name."""
    mask = np.zeros(shape, np.uint8)
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, y0 + (y1 - y0) * 0.55
    width = (x1 - x0) * 0.6
    points = []
    turns = float(rng.uniform(4, 7))
    for k in range(240):
        t = k / 239
        # A cursive line: loops travelling right, shrinking towards the end of the name.
        x = cx - width / 2 + width * t + width * 0.05 * math.cos(2 * math.pi * turns * t)
        y = cy + (y1 - y0) * 0.1 * math.sin(2 * math.pi * turns * t) * (1 - 0.6 * t)
        points.append((x + rng.normal(0, 0.5), y + rng.normal(0, 0.5)))
    cv2.polylines(mask, [np.int32(points)], False, 255, thickness=4, lineType=cv2.LINE_AA)
    tail = np.int32([(cx - width * 0.55, cy + 25), (cx + width * 0.6, cy - 10)])
    cv2.polylines(mask, [tail], False, 255, thickness=3, lineType=cv2.LINE_AA)
    return mask.astype(np.float32) / 255.0


def _signature_box(image: Image.Image, page: np.ndarray) -> tuple[int, int, int, int]:
    """Where the signature is: recorded by the renderer, or the last ink in the right half."""
    box = image.info.get("signature_box")
    if box:
        return tuple(int(v) for v in box)  # type: ignore[return-value]
    height, width = page.shape
    right = page[:, width // 2 :] < 128
    rows = np.flatnonzero(right.any(axis=1))
    bottom = int(rows[-1]) if rows.size else int(height * 0.8)
    return (width // 2, max(0, bottom - height // 8), width - width // 10, bottom)


def _stamp(image: Image.Image, page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A colour scan of a signed page: blue signature, red seal over the left part of the signature."""
    return sign_and_seal(_light_scan(page, rng), _signature_box(image, page), rng)


def sign_and_seal(
    page: np.ndarray, box: tuple[int, int, int, int], rng: np.random.Generator, seal_name: str | None = None
) -> np.ndarray:
    """Add a blue signature and a red seal to a grey page (float array) around ``box``; returns RGB."""
    colour = np.repeat(page[:, :, None], 3, axis=2)
    ink_blue = np.float32([35, 45, 130])
    sig = _signature_scribble(page.shape, box, rng) * 0.9
    colour = colour * (1 - sig[:, :, None]) + ink_blue * sig[:, :, None]
    diameter = int(SOURCE_DPI / 25.4 * rng.uniform(34, 40))
    name = SEAL_NAMES[int(rng.integers(len(SEAL_NAMES)))]
    seal = _seal(diameter, seal_name or name, rng)
    x0, y0, x1, y1 = box
    cx = int(x0 + (x1 - x0) * rng.uniform(0.1, 0.3))
    cy = int((y0 + y1) / 2 + rng.uniform(-0.1, 0.1) * (y1 - y0))
    red = np.float32([205, 35, 45])
    height, width = page.shape
    top, left = cy - seal.shape[0] // 2, cx - seal.shape[1] // 2
    sy0, sx0 = max(0, -top), max(0, -left)
    ty0, tx0 = max(0, top), max(0, left)
    ty1, tx1 = min(height, top + seal.shape[0]), min(width, left + seal.shape[1])
    alpha = seal[sy0 : sy0 + ty1 - ty0, sx0 : sx0 + tx1 - tx0, None] * 0.92
    region = colour[ty0:ty1, tx0:tx1]
    # Multiply blend: stamp ink darkens what is under it, black text stays black.
    colour[ty0:ty1, tx0:tx1] = region * (1 - alpha * (1 - red / 255.0))
    return colour


def apply_condition(
    image: Image.Image, condition: str, rng: np.random.Generator
) -> tuple[Image.Image, int]:
    """Return the damaged page and its resolution in dpi; the input is a clean 300 dpi rendering."""
    if condition not in CONDITIONS + EXTRA_CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; choose one of {', '.join(CONDITIONS + EXTRA_CONDITIONS)}")
    page = _as_float(image)
    dpi = SOURCE_DPI
    if condition == "clean":
        out = page
    elif condition == "mild":
        out = _mild(page, rng)
    elif condition == "heavy":
        out = _heavy(page, rng)
    elif condition == "skew":
        out = _skew(page, rng)
    elif condition == "rot90":
        out = np.ascontiguousarray(np.rot90(_light_scan(page, rng), 1 if rng.random() < 0.5 else 3))
    elif condition == "rot180":
        out = np.ascontiguousarray(np.rot90(_light_scan(page, rng), 2))
    elif condition == "lowres":
        out, dpi = _phone_photo(page, rng)
    elif condition == "lowres70":
        out, dpi = _phone_photo(page, rng, (65, 90))
    else:
        out = _stamp(image, page, rng)
    return _to_image(out, dpi), dpi
