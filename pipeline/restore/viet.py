"""Vietnamese orthography's old address: the names live in ``pipeline.orthography`` (marks, skeletons,
tone placement, syllable checks), which restoration's modules import directly; re-exported here for
the importers still using this path (benchmarks/restore_harm.py, benchmarks/ocr/readers.py)."""

from __future__ import annotations

from pipeline.orthography import (  # noqa: F401 - re-exported
    MODIFIED_VOWELS,
    NUCLEI,
    TONE_SET,
    TONES,
    VIET_CHARS,
    VOWELS,
    canonical,
    has_marks,
    is_well_formed,
    nfc,
    place_tone,
    skeleton,
    split_tone,
)
