"""The test OCR engine: the library engine's client, talking to a helper process that follows a script.

Step ``n`` of the script says what the helper does with the ``n``-th page it is asked to read:
``"real"`` reads it with Tesseract, ``"text:<words>"`` answers those words as one line, ``"raise"``
answers an error, ``"hang"`` never answers, ``"crash"`` dies of SIGSEGV. Pages past the script are
read for real. Since the client is the real :class:`LibraryEngine`, timeouts, crashes and restarts
go through the code users run.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from html import escape

from pipeline.ocr.engines import LibraryEngine


class ScriptedEngine(LibraryEngine):
    def __init__(self, *steps: str) -> None:
        super().__init__(command=(sys.executable, os.path.abspath(__file__), json.dumps(steps)))


def _hocr_of(text: str) -> bytes:
    """One line of words, 100 px apart, as Tesseract's hOCR gives them."""
    words = "".join(
        f"<span class='ocrx_word' title='bbox {100 + 100 * i} 100 {180 + 100 * i} 140; x_wconf 96'>{escape(w)}</span> "
        for i, w in enumerate(text.split())
    )
    return (
        "<div class='ocr_carea' title='bbox 100 100 2000 140'><p class='ocr_par'>"
        f"<span class='ocr_line' title='bbox 100 100 2000 140'>{words}</span></p></div>"
    ).encode()


def _scripted(steps: list[str]):
    from pipeline.ocr import tesseract_server as server

    real = server.read_page
    calls = 0

    def read_page(api, request: dict) -> bytes:
        nonlocal calls
        step = steps[calls] if calls < len(steps) else "real"
        calls += 1
        if step == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        if step == "hang":
            time.sleep(3600)
        if step == "raise":
            raise RuntimeError("scripted failure")
        if step.startswith("text:"):
            return server.HOCR_HEAD + _hocr_of(step[5:]) + server.HOCR_TAIL
        return real(api, request)

    server.read_page = read_page
    return server


if __name__ == "__main__":
    _scripted(json.loads(sys.argv[1])).serve(sys.stdin.buffer, sys.stdout.buffer)
