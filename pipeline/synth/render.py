"""Render the text of an administrative document onto A4 page images, with the ground truth per page.

The scans the project develops against are rendered by the project itself (no real scans can be
committed), so the layout imitates Nghị định 30/2020/NĐ-CP: a two-column header (issuer and number on
the left, national motto and date on the right), a centred bold document type, a justified body with
first-line indents, and a "Nơi nhận" / signature row at the end.

Markup (one line of text = one line of markup):

- ``LEFT<TAB>RIGHT`` (or ``LEFT»RIGHT``, the form used in ``corpora/dev/src``) is a row of a
  two-column block; consecutive rows form one block. Left cells are centred in the left 40 % of the
  text width, right cells in the right 60 %; cells of a "Nơi nhận" list (``Nơi nhận:`` and
  ``- ...`` items) are left-aligned in a smaller size, as on real documents.
- a line holding only a form feed ``\\f`` starts a new page;
- a short all-capitals line ("THÔNG BÁO", "QUYẾT ĐỊNH:") is centred and bold, and so is the summary
  line right after a document type;
- an empty line is a small vertical gap; every other line is a justified body paragraph.

Ground-truth convention (``render_document_with_truth``): one string per page, one rendered line per
line, in the reading order a person uses: the page number (pages 2+), then blocks top to bottom; for a
two-column block, all lines of its left column, then all lines of its right column. Body paragraphs are
wrapped exactly as drawn, words separated by single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from pipeline.errors import MissingDependencyError

A4_INCHES = (8.27, 11.69)
COLUMN_SEPARATORS = ("\t", "»")
FORM_FEED = "\f"

_FONT_FILES = {
    "Liberation Serif": {
        "regular": "liberation2/LiberationSerif-Regular.ttf",
        "bold": "liberation2/LiberationSerif-Bold.ttf",
        "italic": "liberation2/LiberationSerif-Italic.ttf",
        "bolditalic": "liberation2/LiberationSerif-BoldItalic.ttf",
    },
    "FreeSerif": {
        "regular": "freefont/FreeSerif.ttf",
        "bold": "freefont/FreeSerifBold.ttf",
        "italic": "freefont/FreeSerifItalic.ttf",
        "bolditalic": "freefont/FreeSerifBoldItalic.ttf",
    },
}
_FONT_ROOTS = (Path("/usr/share/fonts/truetype"), Path("/usr/local/share/fonts"), Path("/Library/Fonts"))
_DATE_LINE = re.compile(r",\s*ngày\s+\S+\s+tháng\s+\S+\s+năm\s+\d{4}")
_SECTION = re.compile(r"^(?:[IVXLC]+|\d+)\.\s")
_DOC_TYPES = (
    "QUYẾT ĐỊNH", "THÔNG BÁO", "KẾ HOẠCH", "BÁO CÁO", "TỜ TRÌNH", "GIẤY MỜI", "CHỈ THỊ", "NGHỊ QUYẾT",
    "CÔNG ĐIỆN", "HƯỚNG DẪN", "BIÊN BẢN", "CHƯƠNG TRÌNH", "PHƯƠNG ÁN", "QUY CHẾ", "THÔNG CÁO", "LUẬT",
)

# Sizes in points and margins in millimetres, as Nghị định 30/2020 prescribes.
BODY_PT = 14.0
HEADER_PT = 12.5
RECIPIENTS_PT = 11.0
MARGINS_MM = {"top": 20.0, "bottom": 20.0, "left": 30.0, "right": 15.0}
LEFT_SHARE = 0.40


@lru_cache(maxsize=64)
def _font(family: str, style: str, size_px: int) -> ImageFont.FreeTypeFont:
    """Load one face of a family that covers Vietnamese; a one-line error names the package to install."""
    files = _FONT_FILES.get(family)
    if files is None:
        raise ValueError(f"unknown font family {family!r}; choose one of {sorted(_FONT_FILES)}")
    for root in _FONT_ROOTS:
        candidate = root / files[style]
        if candidate.exists():
            return ImageFont.truetype(str(candidate), size_px)
    raise MissingDependencyError(
        f"font {family} ({style}) not found; apt install fonts-liberation2 fonts-freefont-ttf"
    )


def _is_caps_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and text == text.upper() and len(text) <= 70


def _split_columns(line: str) -> tuple[str, str] | None:
    for sep in COLUMN_SEPARATORS:
        if sep in line:
            left, _, right = line.partition(sep)
            return left.strip(), right.strip()
    return None


@dataclass
class _Page:
    image: Image.Image
    truth: list[str] = field(default_factory=list)
    signature_box: tuple[int, int, int, int] | None = None


class _Layout:
    """Cursor-based page filler; owns the pages made so far. Internal to ``render_document``."""

    def __init__(self, dpi: int, font: str) -> None:
        self.dpi = dpi
        self.family = font
        self.width = round(A4_INCHES[0] * dpi)
        self.height = round(A4_INCHES[1] * dpi)
        mm = dpi / 25.4
        self.left = round(MARGINS_MM["left"] * mm)
        self.right = self.width - round(MARGINS_MM["right"] * mm)
        self.top = round(MARGINS_MM["top"] * mm)
        self.bottom = self.height - round(MARGINS_MM["bottom"] * mm)
        self.pages: list[_Page] = []
        self.y = 0
        self.new_page()

    # -- geometry helpers -------------------------------------------------------------------------
    def px(self, points: float) -> int:
        return max(6, round(points * self.dpi / 72.0))

    def font(self, style: str, points: float) -> ImageFont.FreeTypeFont:
        return _font(self.family, style, self.px(points))

    def line_height(self, points: float) -> int:
        return round(self.px(points) * 1.3)

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def new_page(self) -> None:
        image = Image.new("L", (self.width, self.height), 255)
        self.pages.append(_Page(image))
        self.y = self.top
        number = len(self.pages)
        if number > 1:  # page numbers from page 2, centred in the top margin (Nghị định 30)
            face = self.font("regular", HEADER_PT)
            label = str(number)
            x = (self.width - face.getlength(label)) / 2
            ImageDraw.Draw(image).text((x, self.top * 0.45), label, font=face, fill=0)
            self.page.truth.append(label)

    def ensure_room(self, needed: int) -> None:
        if self.y + needed > self.bottom and self.y > self.top:
            self.new_page()

    # -- drawing ----------------------------------------------------------------------------------
    def wrap(self, text: str, face: ImageFont.FreeTypeFont, width: float, indent: float = 0.0) -> list[str]:
        """Greedy word wrap by measured width; a word wider than the line is split by characters."""
        lines: list[str] = []
        current = ""
        limit = width - indent
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            if face.getlength(candidate) <= limit:
                current = candidate
                continue
            if current:
                lines.append(current)
                limit = width
            current = word
            while face.getlength(current) > limit:
                cut = len(current) - 1
                while cut > 1 and face.getlength(current[:cut]) > limit:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
                limit = width
        if current:
            lines.append(current)
        return lines

    def draw_text(self, x: float, text: str, face: ImageFont.FreeTypeFont) -> None:
        ImageDraw.Draw(self.page.image).text((x, self.y), text, font=face, fill=0)

    def draw_justified(self, x: float, words: list[str], face: ImageFont.FreeTypeFont, width: float) -> None:
        if len(words) < 2:
            self.draw_text(x, " ".join(words), face)
            return
        natural = sum(face.getlength(w) for w in words)
        gap = (width - natural) / (len(words) - 1)
        draw = ImageDraw.Draw(self.page.image)
        for word in words:
            draw.text((x, self.y), word, font=face, fill=0)
            x += face.getlength(word) + gap

    def paragraph(self, text: str) -> None:
        face = self.font("regular", BODY_PT)
        indent = self.px(BODY_PT) * 2.0
        width = self.right - self.left
        lines = self.wrap(text, face, width, indent)
        step = self.line_height(BODY_PT)
        for i, line in enumerate(lines):
            self.ensure_room(step)
            x = self.left + (indent if i == 0 else 0)
            last = i == len(lines) - 1
            if last:
                self.draw_text(x, line, face)
            else:
                self.draw_justified(x, line.split(), face, width - (indent if i == 0 else 0))
            self.page.truth.append(line)
            self.y += step
        self.y += round(self.px(BODY_PT) * 0.25)

    def centred(self, text: str, style: str, points: float) -> None:
        face = self.font(style, points)
        step = self.line_height(points)
        for line in self.wrap(text, face, (self.right - self.left) * 0.85):
            self.ensure_room(step)
            self.draw_text(self.left + (self.right - self.left - face.getlength(line)) / 2, line, face)
            self.page.truth.append(line)
            self.y += step

    def heading(self, text: str) -> None:
        """A numbered section heading ("II. NHIỆM VỤ ..."): bold, flush left, wrapped."""
        face = self.font("bold", BODY_PT)
        step = self.line_height(BODY_PT)
        for line in self.wrap(text, face, self.right - self.left):
            self.ensure_room(step * 2)
            self.draw_text(self.left, line, face)
            self.page.truth.append(line)
            self.y += step

    def gap(self) -> None:
        self.y += round(self.px(BODY_PT) * 0.6)

    def two_columns(self, rows: list[tuple[str, str]], first_block: bool) -> None:
        """Draw a block of rows; each page's truth gets its share: left lines, then right lines."""
        width = self.right - self.left
        split = self.left + width * LEFT_SHARE
        recipients = any(left.startswith("Nơi nhận") for left, _ in rows)
        cells_left = [self._cell(left, "left", i, rows, recipients) for i, (left, _) in enumerate(rows)]
        cells_right = [self._cell(right, "right", i, rows, recipients) for i, (_, right) in enumerate(rows)]
        left_truth: list[str] = []
        right_truth: list[str] = []
        box: list[float] | None = None

        def flush() -> None:
            self.page.truth.extend(left_truth)
            self.page.truth.extend(right_truth)
            if recipients and box is not None:
                self.page.signature_box = tuple(int(v) for v in box)  # type: ignore[assignment]
            left_truth.clear()
            right_truth.clear()

        for i in range(len(rows)):
            wrapped = []
            for (text, face, align), (x0, x1) in (
                (cells_left[i], (self.left, split)),
                (cells_right[i], (split, self.right)),
            ):
                inner = (x1 - x0) * (0.98 if align == "left" else 1.04)
                wrapped.append((self.wrap(text, face, inner) if text else [], face, align, x0, x1))
            height = max(
                max(len(lines), 1) * self.line_height(face.size * 72 / self.dpi)
                for lines, face, _, _, _ in wrapped
            )
            if self.y + height > self.bottom and self.y > self.top:
                flush()
                box = None
                self.new_page()
            for column, (lines, face, align, x0, x1) in enumerate(wrapped):
                y0 = self.y
                step = self.line_height(face.size * 72 / self.dpi)
                for line in lines:
                    length = face.getlength(line)
                    x = x0 if align == "left" else x0 + (x1 - x0 - length) / 2
                    self.draw_text(x, line, face)
                    (left_truth if column == 0 else right_truth).append(line)
                    if column == 1:
                        edges = [x, self.y, x + length, self.y + step]
                        box = edges if box is None else [
                            min(box[0], edges[0]), min(box[1], edges[1]),
                            max(box[2], edges[2]), max(box[3], edges[3]),
                        ]
                    self.y += step
                if first_block and lines and face.font.style.lower().startswith("bold"):
                    following = rows[i + 1][column] if i + 1 < len(rows) else ""
                    under_motto = column == 1 and " - Tự do - " in lines[-1]
                    under_issuer = column == 0 and not _is_caps_line(following)
                    if under_motto or under_issuer:
                        y_saved = self.y
                        self.y -= step
                        self._rule(x0, x1, lines[-1], face, short=column == 0)
                        self.y = y_saved
                self.y = y0
            self.y += height
        flush()
        self.y += round(self.px(BODY_PT) * 0.4)

    def _cell(
        self, text: str, column: str, index: int, rows: list[tuple[str, str]], recipients: bool
    ) -> tuple[str, ImageFont.FreeTypeFont, str]:
        """Font and alignment of one cell, following the conventions of real documents."""
        if recipients and column == "left":
            if text.startswith("Nơi nhận"):
                return text, self.font("bolditalic", HEADER_PT - 1), "left"
            return text, self.font("regular", RECIPIENTS_PT), "left"
        if _DATE_LINE.search(text):
            return text, self.font("italic", HEADER_PT), "centre"
        names_after = [r[1] for r in rows[index + 1:] if r[1]] if column == "right" else ["x"]
        is_signer = recipients and column == "right" and text and not names_after
        bold = _is_caps_line(text) and not (column == "left" and index == 0 and len(rows) > 1
                                            and _is_caps_line(rows[1][0]) and not recipients)
        if " - Tự do - " in text or is_signer:
            bold = True
        return text, self.font("bold" if bold else "regular", HEADER_PT), "centre"

    def _rule(self, x0: float, x1: float, line: str, face: ImageFont.FreeTypeFont, short: bool) -> None:
        length = face.getlength(line) * (0.35 if short else 0.9)
        centre = (x0 + x1) / 2
        y = self.y + self.line_height(face.size * 72 / self.dpi) * 0.98
        ImageDraw.Draw(self.page.image).line(
            [(centre - length / 2, y), (centre + length / 2, y)], fill=0, width=max(1, self.dpi // 150)
        )


def _blocks(text: str) -> list[tuple[str, object]]:
    """Group markup lines into (kind, payload) blocks."""
    blocks: list[tuple[str, object]] = []
    rows: list[tuple[str, str]] = []
    for raw in text.split("\n"):
        columns = _split_columns(raw)
        if columns is not None:
            rows.append(columns)
            continue
        if rows:
            blocks.append(("columns", rows))
            rows = []
        line = raw.strip(" \r")
        if line == FORM_FEED:
            blocks.append(("page", None))
        elif not line.strip():
            blocks.append(("gap", None))
        else:
            blocks.append(("line", line.replace(FORM_FEED, "").strip()))
    if rows:
        blocks.append(("columns", rows))
    return blocks


def render_document_with_truth(
    text: str, *, dpi: int = 300, font: str = "Liberation Serif", seed: int = 0
) -> list[tuple[Image.Image, str]]:
    """Render ``text`` (markup above) to 8-bit grey A4 pages, each with its ground-truth text.

    ``seed`` is accepted for a stable signature; the clean rendering itself is fully deterministic.
    Each image carries ``info["dpi"]`` and, on the page with a signature, ``info["signature_box"]``.
    """
    del seed  # the clean page has no randomness; damage takes its own generator
    text = unicodedata.normalize("NFC", text)
    layout = _Layout(dpi, font)
    previous_title = False
    first_block = True
    for kind, payload in _blocks(text):
        if kind == "page":
            layout.new_page()
            previous_title = False
        elif kind == "gap":
            layout.gap()
            previous_title = False
        elif kind == "columns":
            layout.two_columns(payload, first_block)  # type: ignore[arg-type]
            previous_title = False
        else:
            line = str(payload)
            if _is_caps_line(line) and _SECTION.match(line):
                layout.heading(line)
                previous_title = False
            elif _is_caps_line(line):
                layout.centred(line, "bold", BODY_PT)
                previous_title = line.rstrip(":") in _DOC_TYPES
            elif previous_title and len(line) < 250 and not line.startswith("Căn cứ") and line[-1] not in ";:":
                layout.centred(line, "bold", BODY_PT)
                previous_title = False
            else:
                layout.paragraph(line)
                previous_title = False
        first_block = False if kind != "gap" else first_block
    out = []
    for page in layout.pages:
        page.image.info["dpi"] = (dpi, dpi)
        if page.signature_box:
            page.image.info["signature_box"] = page.signature_box
        out.append((page.image, "\n".join(page.truth)))
    return out


def render_document(
    text: str, *, dpi: int = 300, font: str = "Liberation Serif", seed: int = 0
) -> list[Image.Image]:
    """Pages only; see ``render_document_with_truth`` for the markup and the truth convention."""
    return [image for image, _ in render_document_with_truth(text, dpi=dpi, font=font, seed=seed)]
