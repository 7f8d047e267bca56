"""The Tesseract library in a helper process, loaded once and fed page after page.

Run as ``python -m pipeline.ocr.tesseract_server``; requests and answers are pickled dicts on
stdin/stdout (see ``pipeline.ocr.engines.LibraryEngine``, the only client).

Why a helper process and not libtesseract in the calling process: a crash inside Tesseract (it
happens on odd images) then kills only this process, and the client records the page as failed and
starts a new helper for the next page, as with the command-line ``tesseract``. Why not the
command-line ``tesseract`` per page: measured on this machine (BENCHMARKS.md, "engine and reading
resolution"), starting it and loading the model on every page costs ~4% of the CPU of a page.

Only the standard library, ``tesserocr`` and the request's bytes are used here: the helper starts fast.
"""

from __future__ import annotations

import os
import pickle
import resource
import sys
from typing import BinaryIO

# hOCR as the tesseract command writes it, so one parser serves both engines.
HOCR_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>\n'
HOCR_TAIL = b"</body></html>\n"
# What pytesseract's BMP hand-over has always told the command-line engine; kept so both engines
# read a page identically.
SOURCE_PPI = 96


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def read_page(api, request: dict) -> bytes:
    """Recognise one page image (raw 8-bit grey or RGB rows) and return its hOCR document."""
    height, width, channels = request["shape"]
    api.SetVariable("lstm_choice_mode", "2" if request["char_choices"] else "0")
    api.SetImageBytes(request["pixels"], width, height, channels, width * channels)
    api.SetSourceResolution(SOURCE_PPI)
    if not api.Recognize():
        raise RuntimeError("Tesseract could not recognise the page")
    return HOCR_HEAD + api.GetHOCRText(0).encode("utf-8") + HOCR_TAIL


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer requests until the client closes the pipe; one loaded model per (path, language, psm)."""
    try:
        import tesserocr
    except ImportError as error:  # answered page by page, so the client gets a reason, not a dead pipe
        tesserocr, broken = None, f"tesserocr cannot be loaded ({error}); reinstall it or use --engine cli"

    engines: dict[tuple, object] = {}
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            break
        try:
            if tesserocr is None:
                raise RuntimeError(broken)
            key = (request["tessdata"], request["language"], request["psm"])
            if key not in engines:
                api = tesserocr.PyTessBaseAPI(path=key[0], lang=key[1], psm=key[2], oem=tesserocr.OEM.DEFAULT)
                api.SetVariable("hocr_char_boxes", "0")
                engines[key] = api
            answer = {"hocr": read_page(engines[key], request)}
        except Exception as error:  # noqa: BLE001 - reported to the client, which raises OcrError
            answer = {"error": f"{type(error).__name__}: {error}".strip()}
        answer["cpu_seconds"] = _cpu_seconds()
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()
    for api in engines.values():
        api.End()


if __name__ == "__main__":
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # the client sets it too; a helper started by hand needs it
    serve(sys.stdin.buffer, sys.stdout.buffer)
