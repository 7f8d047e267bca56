"""The types that flow through the stages.

A document becomes a :class:`DocumentSource` (ingest), each of its pages a :class:`PageContext`
(everything one worker needs, cheap to pickle: no pixels), each page a :class:`PageResult` (OCR),
and the document a :class:`pipeline.document.Document` (restore, extract, quality), whose
``to_record()`` is the JSON record of ``pipeline/schema/record.schema.json``.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from pipeline.errors import printable

SourceKind = Literal["pdf", "image", "tiff", "text", "folder"]
PageOrigin = Literal["ocr", "layer", "text", "none"]
CharChoices = Literal["auto", "always", "never"]
CHAR_CHOICES = ("auto", "always", "never")
ENGINES = ("library", "cli")


@dataclass(frozen=True)
class OcrOptions:
    """How a page is read; the defaults are the benchmark's choices."""

    language: str = "vie"
    psm: int = 3
    tessdata_dir: str | None = None
    preprocess: bool = True
    force_ocr: bool = False
    # Per-character alternatives cost ~15% of Tesseract's CPU; "auto" asks for them only on damaged
    # pages, where restoration repairs most with them (see pipeline.ocr.page.wants_char_choices).
    char_choices: CharChoices = "auto"
    timeout_s: float = 180.0
    dpi: int = 300
    # "library": libtesseract loaded once per worker (pipeline.ocr.engines); "cli": the tesseract
    # program once per page. Both give the same text; the library saves ~4% of the CPU per page.
    engine: str = "library"

    def __post_init__(self) -> None:
        if isinstance(self.char_choices, bool):  # vanban 0.1 took a bool
            object.__setattr__(self, "char_choices", "always" if self.char_choices else "never")
        if self.char_choices not in CHAR_CHOICES:
            raise ValueError(f"char_choices must be auto, always or never, not {self.char_choices!r}")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be library or cli, not {self.engine!r}")
        if not 0 <= self.psm <= 13:
            raise ValueError(f"psm must be a Tesseract page segmentation mode, 0 to 13, not {self.psm}")
        if not 0 < self.dpi <= 1200:  # the HTML report renders thumbnails at 40
            raise ValueError(f"dpi must be between 1 and 1200, not {self.dpi}")


@dataclass(frozen=True)
class PageContext:
    """One page to read: a pointer into its file, never the pixels (pages are rendered in the worker)."""

    path: str
    kind: SourceKind
    number: int  # 1-based number of the page in its document
    index_in_file: int  # 0-based page (or frame) index inside ``path``
    options: OcrOptions = field(default_factory=OcrOptions)
    text_layer: str | None = None


@dataclass
class Word:
    text: str
    confidence: float  # 0-100, Tesseract's scale
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in the preprocessed page's pixels
    start: int = 0  # offset of the word in the page text
    end: int = 0
    choices: list[list[tuple[str, float]]] | None = None  # per character: (char, probability)


@dataclass
class Line:
    text: str
    bbox: tuple[int, int, int, int]
    paragraph: int
    block: int
    start: int = 0
    end: int = 0
    words: list[Word] = field(default_factory=list)


class PackedLines(Sequence):
    """A page's lines kept pickled: about a tenth of the memory of the objects (a page's per-character
    alternatives are thousands of small tuples), unpacked afresh each time they are read. The batch's
    finishing worker holds a long document's pages this way."""

    def __init__(self, lines: list[Line]) -> None:
        self._data = pickle.dumps(list(lines), protocol=pickle.HIGHEST_PROTOCOL)
        self._count = len(lines)

    def _lines(self) -> list[Line]:
        return pickle.loads(self._data)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._lines()[index]

    def __iter__(self) -> Iterator[Line]:
        return iter(self._lines())


@dataclass
class PageResult:
    """What the OCR stage makes of one page. Never raises past the stage: failures go to ``error``."""

    number: int
    width: int = 0
    height: int = 0
    dpi: int | None = None
    origin: PageOrigin = "none"
    text: str = ""
    lines: list[Line] | PackedLines = field(default_factory=list)
    ocr_confidence: float | None = None
    model: str | None = None  # the Tesseract model that read the page (thin copies: see ocr.page)
    layer_text: str | None = None
    layer_score: float | None = None
    preprocessing: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    error: dict | None = None

    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    def packed(self) -> PageResult:
        """The same page with its lines pickled (see PackedLines)."""
        return replace(self, lines=PackedLines(self.lines))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class DocumentSource:
    """A document found by ingest: one file, or one folder of page images."""

    name: str
    path: str
    kind: SourceKind
    sha256: str
    pages: list[PageContext]
    size_bytes: int = 0

    def source_dict(self) -> dict:
        return {
            "path": printable(self.path),
            "sha256": self.sha256,
            "pages": len(self.pages),
            "kind": self.kind,
            "name": self.name,
        }


def without_timings(value: Any) -> Any:
    """A record (or any part of one) minus its wall-clock fields, page ``seconds`` and record ``timings``:
    what two runs on the same input must agree on."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in ("seconds", "timings")}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value
