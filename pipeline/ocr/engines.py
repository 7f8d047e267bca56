"""The engines that run Tesseract on a page image and return its hOCR.

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
import select
import signal
import subprocess
import sys
from functools import lru_cache
from typing import Protocol

import numpy as np
import pytesseract
from PIL import Image

from pipeline.errors import MissingDependencyError, OcrError
from pipeline.ocr.discovery import check_language, tessdata_folder
from pipeline.record import OcrOptions


class OcrEngine(Protocol):
    """What ``read_page`` needs of Tesseract: the hOCR of one page image. An engine raises
    :class:`OcrError` for a page it could not read (crash, timeout) and stays usable for the next."""

    def hocr(self, image: np.ndarray, options: OcrOptions, char_choices: bool) -> bytes: ...


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


class ProgramEngine:
    """The ``tesseract`` program through pytesseract, one process per page (``--engine cli``)."""

    def hocr(self, image: np.ndarray, options: OcrOptions, char_choices: bool) -> bytes:
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

    def __init__(self, command: tuple[str, ...] = (sys.executable, "-m", "pipeline.ocr.tesseract_server")) -> None:
        self.command = command  # the fault tests start a helper that crashes or hangs on cue
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


def engine_for(options: OcrOptions) -> OcrEngine:
    """The engine ``options.engine`` names, after checking its language is installed; the program when
    tesserocr is missing."""
    check_language(options)
    if options.engine == "library" and library_available():
        return library_engine()
    return ProgramEngine()


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
