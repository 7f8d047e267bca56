"""Restoration's view of Vietnamese text: tokenisation. The orthography itself (marks, skeletons, tone
placement, syllable checks) lives in ``pipeline.orthography``; its names are re-exported here for the
restoration modules that import them from this one."""

from __future__ import annotations

import re

from pipeline.orthography import (  # noqa: F401 - re-exported
    CODAS,
    MODIFIED_VOWELS,
    MODIFIERS,
    NUCLEI,
    ONSETS,
    TONE_SET,
    TONES,
    VIET_CHARS,
    VIET_LETTERS,
    VOWELS,
    canonical,
    has_marks,
    is_well_formed,
    nfc,
    place_tone,
    skeleton,
    split_tone,
)

# Tokeniser: words are runs of letters (any script) possibly joined by garble symbols; everything
# else (spaces, punctuation, digits) is kept verbatim between them.
TOKEN_RE = re.compile(r"\S+")
WORD_CORE_RE = re.compile(r"^([\"'“”‘’«»(\[{<,.;:!?…]*)(.*?)([\"'“”‘’«»)\]}>,.;:!?…]*)$", re.S)
