"""Page results wait on disk, not in memory, until their document is finished.

The batch's main process receives every page a worker reads. Kept in memory, a document's pages cost
about 0.3 MB each (word boxes, per-character alternatives) until its last page is in: 300 MB for a
1,000-page volume, times the documents in flight. Each result is appended to its document's spill file
as it arrives, and the worker that finishes the document reads them back.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import OutputError
from pipeline.record import PageResult


class PageSpill:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        path.unlink(missing_ok=True)  # a leftover of an interrupted run: its pages are read again

    def add(self, page: PageResult) -> None:
        try:
            with self.path.open("ab") as handle:
                pickle.dump(page, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as error:
            raise OutputError(f"cannot keep page results ({error.strerror or error})", path=str(self.path)) from error
        self.count += 1

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def read_spill(path: str | Path) -> Iterator[PageResult]:
    """The pages of a spill file, in the order they arrived."""
    with Path(path).open("rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return
