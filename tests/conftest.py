"""Shared fixtures: small page images and PDFs made here, so tests need nothing but the repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.config import limit_threads

limit_threads()

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def render_lines(lines: list[str], *, width: int = 1800, size: int = 44) -> Image.Image:
    """A white 300-dpi page strip with the given lines in a Times-like font."""
    font = ImageFont.truetype(FONT, size)
    height = 160 + len(lines) * int(size * 1.8)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((120, 80 + i * int(size * 1.8)), line, font=font, fill=0)
    return image


@pytest.fixture(scope="session")
def r():
    """The restorer with the committed models (loaded once; restore tests share it)."""
    from pipeline.restore import Restorer

    return Restorer.load()


def restored(r, text: str, **options) -> str:
    """The restored text alone."""
    return r.restore(text, **options).text


@pytest.fixture
def page_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fixture") / "trang.png"
    render_lines(["Quyết định số 3665/QĐ-UBND ngày 09/9/2025", "của Ủy ban nhân dân thành phố Đà Nẵng"]).save(
        path, dpi=(300, 300)
    )
    return path
