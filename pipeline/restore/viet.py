"""Vietnamese orthography as restoration imports it: the names live in ``pipeline.orthography`` (marks,
skeletons, tone placement, syllable checks) and are re-exported here for restoration's modules."""

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
