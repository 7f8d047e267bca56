"""Progress of a batch: a tqdm bar on a terminal (documents, pages, pages/s, ETA), log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """Counts pages and documents; draws a bar when ``stream`` is a terminal, else prints one line a document."""

    def __init__(
        self, total_docs: int, total_pages: int, *, enabled: bool = True, stream: TextIO | None = None
    ):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.total_docs = total_docs
        self.total_pages = total_pages
        self.docs = 0
        self.pages = 0
        self.started = time.monotonic()
        self.bar = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(
                total=total_pages,
                unit="page",
                file=self.stream,
                dynamic_ncols=True,
                smoothing=0.1,
                desc=self._desc(),
            )

    def _desc(self) -> str:
        return f"documents {self.docs}/{self.total_docs}"

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.pages / elapsed if elapsed > 0 else 0.0

    def page_done(self, count: int = 1) -> None:
        self.pages += count
        if self.bar is not None:
            self.bar.update(count)

    def document_done(self, name: str, status: str, pages: int) -> None:
        self.docs += 1
        if self.bar is not None:
            self.bar.set_description(self._desc())
            if status != "done":
                self.bar.write(f"{name}: {status}", file=self.stream)
            return
        if not self.enabled:
            return
        rate = self.rate()
        left = self.total_pages - self.pages
        eta = _eta(left / rate) if rate > 0 else "?"
        print(
            f"vanban: [{self.docs}/{self.total_docs} documents, {self.pages}/{self.total_pages} pages, "
            f"{rate:.2f} pages/s, ETA {eta}] {name}: {status} ({pages} pages)",
            file=self.stream,
            flush=True,
        )

    def message(self, text: str) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.write(f"vanban: {text}", file=self.stream)
        else:
            print(f"vanban: {text}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
