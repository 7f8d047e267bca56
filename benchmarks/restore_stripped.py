"""Stripped-text accuracy on one split, for tuning on DEV: `python -m benchmarks.restore_stripped --part dev`.

Rows (a) and (a'') of `benchmarks.restore` measure TEST only; tuning must not look at TEST, so this
measures the same thing (marks stripped, restored, lowercased syllable accuracy with tone style
normalised) on real-admin and legal text of the part asked for, plus the share of clean real-admin
syllables left unchanged, with any models folder (a candidate build before it replaces models/).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from benchmarks.restore import syllables, wer
from benchmarks.restore_data import LEGAL, REPO, _take_lines, real_admin_lines
from pipeline.restore import Restorer
from pipeline.restore.noise import strip_marks


def stripped_accuracy(r: Restorer, lines: list[str]) -> tuple[float, int, float]:
    """(accuracy, syllables, CPU seconds) of restoring the lines with their marks stripped."""
    truth = "\n".join(lines)
    t0 = time.process_time()
    out = r.restore(strip_marks(truth), details=False).text
    return 1 - wer(out, truth, lower=True), syllables(truth), time.process_time() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.restore_stripped", description=__doc__)
    ap.add_argument("--part", choices=("dev", "test"), default="dev")
    ap.add_argument("--models", type=Path, default=REPO / "models")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "corpora")
    ap.add_argument("--syllables", type=int, default=60_000, help="real-admin syllables (legal: 100,000)")
    args = ap.parse_args(argv)
    r = Restorer.load(args.models)
    admin = real_admin_lines(args.part, args.syllables, args.shared / "real-admin")
    split = json.loads((args.models / "split.json").read_text(encoding="utf-8"))
    legal_dir = args.shared / LEGAL.name
    legal = _take_lines((legal_dir / name for name in split["legal"][args.part]), 100_000, bool)
    for label, lines in ((f"real-admin {args.part}", admin), (f"legal {args.part}", legal)):
        acc, n, cpu = stripped_accuracy(r, lines)
        print(f"stripped {label}: {acc:.3%} of {n:,} syllables ({n / max(cpu, 1e-9):,.0f} per CPU-s)")
    truth = "\n".join(admin)
    clean = r.restore(truth, details=False)
    print(f"clean real-admin {args.part}: {1 - wer(clean.text, truth):.3%} unchanged, {len(clean.changes)} changes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
