"""Where a box of the preprocessed page lies on the original page.

OCR boxes are in the pixels of the page Tesseract read: turned upright by quarter turns, deskewed
(rotated about its centre on a grown canvas) and maybe enlarged (``pipeline.ocr.preprocess``, whose
record of the steps is the page's ``preprocessing``). Each step is an affine map, so the way back is
one affine matrix; the text layer is drawn in the preprocessed frame and mapped onto the original image
with it, which keeps each word on its ink whatever the rotation.

Matrices are 3x3 numpy arrays acting on column vectors (x, y, 1), y pointing down.
"""

from __future__ import annotations

import math

import numpy as np


def _translate(dx: float, dy: float) -> np.ndarray:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def _scale(sx: float, sy: float | None = None) -> np.ndarray:
    return np.diag([sx, sx if sy is None else sy, 1.0])


def _rotation(degrees_ccw: float) -> np.ndarray:
    """Counter-clockwise rotation on screen (y down), OpenCV's getRotationMatrix2D convention."""
    t = math.radians(degrees_ccw)
    c, s = math.cos(t), math.sin(t)
    return np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])


def quarter_turn(clockwise: int, width: float, height: float) -> np.ndarray:
    """np.rot90(image, -(clockwise // 90)) as a map of points of a width x height image."""
    turn = clockwise % 360
    if turn == 90:
        return np.array([[0.0, -1.0, height], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    if turn == 180:
        return np.array([[-1.0, 0.0, width], [0.0, -1.0, height], [0.0, 0.0, 1.0]])
    if turn == 270:
        return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, width], [0.0, 0.0, 1.0]])
    return np.eye(3)


def deskew(angle: float, width: float, height: float) -> np.ndarray:
    """``preprocess.rotate``: rotation about the centre onto a canvas grown to hold the whole page."""
    t = math.radians(angle)
    cos, sin = abs(math.cos(t)), abs(math.sin(t))
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    centre = _translate(width / 2, height / 2)
    return _translate(new_w / 2 - width / 2, new_h / 2 - height / 2) @ centre @ _rotation(angle) @ np.linalg.inv(centre)


def original_to_preprocessed(steps: dict, width: int, height: int) -> np.ndarray:
    """The map from the original page's pixels (width x height) to the preprocessed page's pixels."""
    matrix = np.eye(3)
    turn = int(steps.get("rotated") or 0)
    if turn:
        matrix = quarter_turn(turn, width, height) @ matrix
        if turn % 180:
            width, height = height, width
    angle = float(steps.get("deskew_degrees") or 0.0)
    if angle:
        matrix = deskew(angle, width, height) @ matrix
    factor = float(steps.get("upscale") or 1.0)
    if factor != 1.0:
        matrix = _scale(factor) @ matrix
    return matrix


def upright_frame(steps: dict, width: int, height: int) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """The page turned upright but not deskewed: the frame a text layer is best drawn in.

    Returns (map from the preprocessed page to it, map from it to the original page, its size). Text
    extractors (poppler's pdftotext among them) read text turned by quarter turns, but break text tilted
    by a few degrees into fragments; so a layer is drawn upright in this frame, each word in the upright
    box around its deskewed box, and only quarter turns are left to the page matrix.
    """
    turn = int(steps.get("rotated") or 0)
    quarter = quarter_turn(turn, width, height)
    size = (height, width) if turn % 180 else (width, height)
    rest = original_to_preprocessed({k: v for k, v in steps.items() if k != "rotated"}, *size)
    return np.linalg.inv(rest), np.linalg.inv(quarter), size


def preprocessed_to_original(steps: dict, width: int, height: int) -> np.ndarray:
    """The inverse: a box of the OCR (preprocessed pixels) onto the original page of width x height."""
    return np.linalg.inv(original_to_preprocessed(steps, width, height))


def apply(matrix: np.ndarray, x: float, y: float) -> tuple[float, float]:
    u, v, _ = matrix @ np.array([x, y, 1.0])
    return float(u), float(v)


def box_to_original(matrix: np.ndarray, bbox) -> tuple[int, int, int, int]:
    """The upright box around a preprocessed box's four corners on the original page."""
    x0, y0, x1, y1 = bbox
    corners = [apply(matrix, x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))
