"""The one module that talks to Tesseract.

One recognition per page gives hOCR: words, boxes, confidences, lines, paragraphs and, with
``lstm_choice_mode=2``, per-character alternatives. Two engines produce the same hOCR:

- ``library`` (default): libtesseract through tesserocr, in a helper process per worker
  (``pipeline.ocr.tesseract_server``) that loads the model once. Measured here, this saves the
  ~4% of a page's CPU that the command-line program spends starting and loading the model
  (0.11 s), and a crash in Tesseract still costs only the page.
- ``cli``: the ``tesseract`` program through pytesseract, one process per page; used when tesserocr
  is not installed.

Tesseract is pinned to one thread (``OMP_THREAD_LIMIT=1``): measured here, its own threading made
each page 5-7x slower on 2 cores, so vanban parallelises across pages instead.
"""

from __future__ import annotations

import atexit
import importlib.util
import multiprocessing.util
import os
import pickle
import re
import select
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import lru_cache

import numpy as np
import pytesseract
from PIL import Image

from pipeline.errors import MissingDependencyError, OcrError
from pipeline.record import Line, OcrOptions, Word, nfc

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_NS = "{http://www.w3.org/1999/xhtml}"
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_WCONF = re.compile(r"x_wconf (\d+(?:\.\d+)?)")
_XCONF = re.compile(r"x_confs (\d+(?:\.\d+)?)")
_LISTED_DIR = re.compile(r'"(.+)"')


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    """The installed version, or a one-line error saying how to install it."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MissingDependencyError(
            "tesseract not found; install it (apt install tesseract-ocr tesseract-ocr-vie / brew install "
            "tesseract tesseract-lang)"
        )
    return str(pytesseract.get_tesseract_version())


@lru_cache(maxsize=8)
def _list_langs(tessdata_dir: str | None) -> tuple[str, ...]:
    tesseract_version()
    command = [pytesseract.pytesseract.tesseract_cmd, "--list-langs"]
    if tessdata_dir:
        command += ["--tessdata-dir", tessdata_dir]
    return tuple(subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.splitlines())


@lru_cache(maxsize=8)
def available_languages(tessdata_dir: str | None = None) -> frozenset[str]:
    """Models Tesseract can load. Asked of ``tesseract --list-langs`` directly: pytesseract's own
    list drops names outside [a-z_], such as the script model ``Vietnamese`` and ``script/Vietnamese``."""
    listed = _list_langs(tessdata_dir)
    names = {line.strip() for line in listed[1:] if line.strip()}
    return frozenset(names | {f"script/{n}" for n in names if n[:1].isupper()})


def tessdata_folder(tessdata_dir: str | None) -> str:
    """The folder the models come from, as the tesseract program finds it (its first --list-langs line)."""
    if tessdata_dir:
        return os.path.join(os.path.abspath(tessdata_dir), "")
    listed = _list_langs(None)
    match = _LISTED_DIR.search(listed[0]) if listed else None
    if not match:
        raise MissingDependencyError("cannot tell where Tesseract's models are; pass --tessdata-dir")
    return os.path.join(match.group(1), "")


def check_language(options: OcrOptions) -> None:
    tesseract_version()
    missing = set(options.language.split("+")) - available_languages(options.tessdata_dir)
    if missing:
        raise MissingDependencyError(
            f"Tesseract language '{'+'.join(sorted(missing))}' is not installed; apt install tesseract-ocr-vie "
            "tesseract-ocr-script-viet (or pass --tessdata-dir)"
        )


def _config(options: OcrOptions, char_choices: bool) -> str:
    parts = [f"--psm {options.psm}", "-c hocr_char_boxes=0"]
    if options.tessdata_dir:
        parts.insert(0, f'--tessdata-dir "{options.tessdata_dir}"')
    if char_choices:
        parts.append("-c lstm_choice_mode=2")
    return " ".join(parts)


def fast_input(image: np.ndarray) -> Image.Image:
    """The page as a PIL image that pytesseract hands over as uncompressed BMP.

    pytesseract writes arrays to a temporary PNG; measured here, PNG compression of a 300 dpi A4 page
    costs ~0.75 s of CPU (a third of Tesseract's own time), BMP ~3 ms; Tesseract's output is identical.
    """
    pil = Image.fromarray(image)
    pil.format = "BMP"
    return pil


def _run_cli(image: np.ndarray, options: OcrOptions, char_choices: bool) -> bytes:
    try:
        return pytesseract.image_to_pdf_or_hocr(
            fast_input(image),
            lang=options.language,
            config=_config(options, char_choices),
            extension="hocr",
            timeout=options.timeout_s,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise MissingDependencyError("tesseract not found; install tesseract-ocr") from exc
    except pytesseract.TesseractError as exc:  # a subclass of RuntimeError: test it first
        detail = (exc.message or "").strip().splitlines()
        reason = detail[-1] if detail else f"exit status {exc.status}"
        if exc.status < 0:
            reason = f"killed by signal {-exc.status}"
        raise OcrError(f"Tesseract failed: {reason}") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrError(f"Tesseract took longer than {options.timeout_s:.0f} s; the page was skipped") from exc
    except (subprocess.SubprocessError, OSError) as exc:
        raise OcrError(f"Tesseract failed: {exc}") from exc


class LibraryEngine:
    """The client of one ``tesseract_server`` helper process: started on first use, restarted after a
    crash or a timeout (the page in hand is then recorded as failed)."""

    command: tuple[str, ...] = (sys.executable, "-m", "pipeline.ocr.tesseract_server")

    def __init__(self) -> None:
        self.owner = os.getpid()  # a forked child must start its own helper, never share these pipes
        self.process: subprocess.Popen | None = None
        self.cpu_seconds = 0.0  # the helper's CPU so far, as it last reported (benchmarks add it)
        self._reported = 0.0

    def _start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self._reported = 0.0
            self.process = subprocess.Popen(
                list(self.command),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # Tesseract's warnings ("Estimating resolution...") are noise here
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )
        return self.process

    def close(self) -> None:
        """End the helper and wait for it (so its CPU is accounted to this process, as a child's)."""
        if self.process is not None and self.owner == os.getpid():
            self.process.stdin.close()  # the helper ends at end of input
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _failed(self, reason: str, timed_out: bool = False) -> OcrError:
        """End the helper (the next page starts a new one); a helper killed by a signal is reported as such."""
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            code = process.wait()
            if code < 0 and not timed_out:
                reason = f"Tesseract failed: killed by signal {-code} ({signal.Signals(-code).name})"
        return OcrError(reason)

    def hocr(self, image: np.ndarray, options: OcrOptions, char_choices: bool) -> bytes:
        pixels = np.ascontiguousarray(image, dtype=np.uint8)
        request = {
            "tessdata": tessdata_folder(options.tessdata_dir),
            "language": options.language,
            "psm": options.psm,
            "char_choices": char_choices,
            "shape": (pixels.shape[0], pixels.shape[1], 1 if pixels.ndim == 2 else pixels.shape[2]),
            "pixels": pixels.tobytes(),
        }
        process = self._start()
        try:
            pickle.dump(request, process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], options.timeout_s)
            if not ready:
                raise self._failed(
                    f"Tesseract took longer than {options.timeout_s:.0f} s; the page was skipped", timed_out=True
                )
            answer = pickle.load(process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            raise self._failed(f"Tesseract failed: {exc}") from exc
        self.cpu_seconds += answer["cpu_seconds"] - self._reported
        self._reported = answer["cpu_seconds"]
        if "error" in answer:
            raise OcrError(f"Tesseract failed: {answer['error']}")
        return answer["hocr"]


_ENGINE: LibraryEngine | None = None


def library_engine() -> LibraryEngine:
    """This process's helper (one per worker process)."""
    global _ENGINE
    if _ENGINE is None or _ENGINE.owner != os.getpid():
        _ENGINE = LibraryEngine()
        atexit.register(_ENGINE.close)
        # Pool workers leave through multiprocessing, which skips atexit but runs these finalizers.
        multiprocessing.util.Finalize(_ENGINE, _ENGINE.close, exitpriority=10)
    return _ENGINE


def helper_cpu_seconds() -> float:
    """CPU seconds this process's library helper has used so far (benchmarks add it to the process's own)."""
    return _ENGINE.cpu_seconds if _ENGINE is not None and _ENGINE.owner == os.getpid() else 0.0


@lru_cache(maxsize=1)
def library_available() -> bool:
    return importlib.util.find_spec("tesserocr") is not None


def run_hocr(image: np.ndarray, options: OcrOptions, char_choices: bool = False) -> bytes:
    """Run Tesseract once on a page image and return its hOCR (with per-character alternatives if asked)."""
    check_language(options)
    if options.engine == "library" and library_available():
        return library_engine().hocr(image, options, char_choices)
    return _run_cli(image, options, char_choices)


def detect_orientation(image: np.ndarray, options: OcrOptions) -> tuple[int, float]:
    """Tesseract's OSD: (degrees to rotate clockwise to make the page upright, confidence)."""
    try:
        osd = pytesseract.image_to_osd(
            fast_input(image), config="--psm 0 -c min_characters_to_try=10", output_type=pytesseract.Output.DICT,
            timeout=options.timeout_s,
        )
    except (pytesseract.TesseractError, RuntimeError):
        return 0, 0.0
    return int(osd.get("rotate", 0)), float(osd.get("orientation_conf", 0.0))


def _bbox(title: str, scale: float = 1.0) -> tuple[int, int, int, int]:
    match = _BBOX.search(title or "")
    if not match:
        return (0, 0, 0, 0)
    x0, y0, x1, y1 = (round(int(v) * scale) for v in match.groups())
    return (x0, y0, x1, y1)


def _word_choices(word: ET.Element) -> list[list[tuple[str, float]]] | None:
    timesteps = [el for el in word if el.get("class") == "ocrx_cinfo" and (el.get("id") or "").startswith("lstm")]
    if not timesteps:
        return None
    choices: list[list[tuple[str, float]]] = []
    for step in timesteps:
        options: list[tuple[str, float]] = []
        for choice in step:
            char = nfc(choice.text or "")
            conf = _XCONF.search(choice.get("title", ""))
            if char.strip():
                options.append((char, round(float(conf.group(1)) / 100.0 if conf else 0.0, 4)))
        if options:
            choices.append(options)
    return choices


def _segments(line: Line, min_gap: float) -> list[list[Word]]:
    """Split a line's words where the horizontal gap is wider than ``min_gap`` pixels."""
    parts: list[list[Word]] = [[line.words[0]]]
    for word in line.words[1:]:
        if word.bbox[0] - parts[-1][-1].bbox[2] > min_gap:
            parts.append([])
        parts[-1].append(word)
    return parts


def _line_of(words: list[Word], template: Line, paragraph: int) -> Line:
    box = (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
           max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))
    return Line(text=" ".join(w.text for w in words), bbox=box, paragraph=paragraph, block=template.block,
                words=list(words))


def _left_block_first(lines: list[Line]) -> list[Line]:
    """When Tesseract emits a block and then one side by side to its left (a photographed header whose
    right column starts higher), put the left block first."""
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks and blocks[-1][-1].block == line.block:
            blocks[-1].append(line)
        else:
            blocks.append([line])

    def box(block: list[Line]) -> tuple[int, int, int, int]:
        return (min(ln.bbox[0] for ln in block), min(ln.bbox[1] for ln in block),
                max(ln.bbox[2] for ln in block), max(ln.bbox[3] for ln in block))

    i = 0
    while i + 1 < len(blocks):
        first, second = box(blocks[i]), box(blocks[i + 1])
        overlap = min(first[3], second[3]) - max(first[1], second[1])
        shorter = min(first[3] - first[1], second[3] - second[1])
        if second[2] < first[0] and shorter > 0 and overlap > 0.5 * shorter:
            blocks[i], blocks[i + 1] = blocks[i + 1], blocks[i]
            i += 2
        else:
            i += 1
    return [line for block in blocks for line in block]


def reading_order(lines: list[Line]) -> list[Line]:
    """Read two-column rows (header: issuer | national motto; end: recipients | signature) column by
    column, as a person does: Tesseract often joins the two cells of a row into one line.

    A line whose words have a gap wider than 1.5 line heights starts a two-column run; the run goes on
    over vertically adjacent lines that either have such a gap or stay on one side of it. The run is
    emitted as its left cells, then its right cells, each column as its own paragraph. Body text (one
    column) is untouched. Added by the OCR benchmark work: on synthetic administrative pages it took
    clean-page CER from 2.8% to the order-free level (see benchmarks/results/ocr.md).
    """
    if not lines:
        return lines
    lines = _left_block_first(lines)
    heights = sorted(max(1, ln.bbox[3] - ln.bbox[1]) for ln in lines)
    height = heights[len(heights) // 2]
    min_gap = 1.5 * height
    next_paragraph = max(ln.paragraph for ln in lines) + 1
    out: list[Line] = []
    i = 0
    while i < len(lines):
        parts = _segments(lines[i], min_gap) if lines[i].words else []
        if len(parts) != 2:
            out.append(lines[i])
            i += 1
            continue
        split = (parts[0][-1].bbox[2] + parts[1][0].bbox[0]) / 2
        left: list[Line] = []
        right: list[Line] = []
        previous_bottom = lines[i].bbox[1]
        j = i
        while j < len(lines):
            line = lines[j]
            if not line.words or line.bbox[1] - previous_bottom > 1.0 * height:
                break
            parts = _segments(line, min_gap)
            if len(parts) == 2 and parts[0][-1].bbox[2] < split < parts[1][0].bbox[0]:
                left.append(_line_of(parts[0], line, next_paragraph))
                right.append(_line_of(parts[1], line, next_paragraph + 1))
            elif line.bbox[2] < split:
                left.append(_line_of(line.words, line, next_paragraph))
            elif line.bbox[0] > split and len(parts) == 1:
                right.append(_line_of(line.words, line, next_paragraph + 1))
            else:
                break
            previous_bottom = line.bbox[3]
            j += 1
        if j - i < 2:  # a lone wide gap is a stretched body line, not a two-column row
            out.append(lines[i])
            i += 1
            continue
        out.extend(left)
        out.extend(right)
        next_paragraph += 2
        i = j
    return out


def parse_hocr(hocr: bytes, scale: float = 1.0) -> list[Line]:
    """Lines with their words, boxes (times ``scale``: the page was read shrunk) and confidences, in
    reading order."""
    try:
        root = ET.fromstring(hocr)
    except ET.ParseError as exc:
        raise OcrError(f"unreadable Tesseract output ({exc})") from exc
    lines: list[Line] = []
    blocks = [div for div in root.iter(f"{_NS}div") if div.get("class") == "ocr_carea"]
    paragraph = 0
    for block_no, block in enumerate(blocks):
        for par in block.iter(f"{_NS}p"):
            paragraph += 1
            for span in par.iter(f"{_NS}span"):
                if span.get("class") not in ("ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"):
                    continue
                words = []
                for word_el in span:
                    if word_el.get("class") != "ocrx_word":
                        continue
                    text = (word_el.text or "").strip() or "".join(
                        t for el in word_el.iter() if el.get("class") != "ocrx_cinfo" for t in [el.text or ""]
                    ).strip()
                    text = nfc(text)
                    if not text:
                        continue
                    conf = _WCONF.search(word_el.get("title", ""))
                    words.append(
                        Word(
                            text=text,
                            confidence=float(conf.group(1)) if conf else 0.0,
                            bbox=_bbox(word_el.get("title", ""), scale),
                            choices=_word_choices(word_el),
                        )
                    )
                if words:
                    lines.append(
                        Line(
                            text=" ".join(w.text for w in words),
                            bbox=_bbox(span.get("title", ""), scale),
                            paragraph=paragraph,
                            block=block_no,
                            words=words,
                        )
                    )
    return reading_order(lines)
