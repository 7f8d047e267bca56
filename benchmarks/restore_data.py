"""Held-out test text for the restoration benchmark (never used in training: models/split.json)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.orthography import nfc

REPO = Path(__file__).resolve().parents[1]
LEGAL = REPO.parent / "shared" / "corpora" / "vlc-2022"


def test_lines(n_syllables: int = 100_000, legal: Path = LEGAL, models: Path = REPO / "models") -> list[str]:
    """Lines of the legal TEST files, in file order, until at least n_syllables word tokens."""
    split = json.loads((models / "split.json").read_text(encoding="utf-8"))
    return _take_lines((legal / name for name in split["legal"]["test"]), n_syllables, bool)


def _take_lines(paths: Iterable[Path], n_syllables: int, keep: Callable[[str], bool]) -> list[str]:
    """Whitespace-collapsed lines of the files in order, those `keep` accepts, until n_syllables words."""
    lines: list[str] = []
    count = 0
    for path in paths:
        for line in nfc(path.read_text(encoding="utf-8", errors="replace")).splitlines():
            line = " ".join(line.split())
            if not keep(line):
                continue
            lines.append(line)
            count += sum(1 for t in line.split() if any(c.isalpha() for c in t))
            if count >= n_syllables:
                return lines
    return lines


def admin_lines(folder: Path = REPO / "corpora" / "dev") -> list[str]:
    """Lines of the project's administrative dev documents (not used in training), if present."""
    lines: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        for line in nfc(path.read_text(encoding="utf-8")).splitlines():
            line = " ".join(line.split())
            if line:
                lines.append(line)
    return lines


ADMIN = REPO.parent / "shared" / "corpora" / "real-admin"


def real_admin_lines(part: str = "test", n_syllables: int = 100_000, root: Path = ADMIN) -> list[str]:
    """Lines of the real-admin documents of one split (pipeline.corpus_split), in path order, until at
    least n_syllables word tokens; lines without a letter (table rules, numbers) are skipped."""
    from pipeline.corpus_split import split_of

    paths = (p for p in sorted(root.rglob("*.txt")) if split_of(str(p.relative_to(root)), "real-admin") == part)
    return _take_lines(paths, n_syllables, lambda line: any(c.isalpha() for c in line))
