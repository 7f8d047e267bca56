"""The one train/dev/test split of every corpus the project reads; training and every benchmark call it.

Decided by a stable hash of a document's name alone, so it never changes when files are added and
needs no stored list (``models/split.json`` records what the committed models were built from, and
a test checks that it agrees with this function). A document is the unit: no sentence of a TEST
document is ever counted in training.

- ``legal`` (vlc-2022 file names): md5 % 10, 0 = test, 1 = dev, rest = train. This is the split the
  language model was trained on; the OCR benchmark once used a sha1 variant and so measured
  "after restoration" figures on training text (issue 10).
- ``wiki`` (viwiki-2017 article titles): md5 % 20, 0 = test, 1 = dev.
- ``real-admin`` (paths relative to ``real-admin/``, e.g. ``tnt305/005d8820eb95c1cb.txt``): md5 % 10,
  0-1 = test, 2-3 = dev, rest = train. Larger held-out parts because this small corpus must serve
  both extraction (dev/test annotations) and the language model (train).
"""

from __future__ import annotations

import hashlib
from typing import Literal

Part = Literal["train", "dev", "test"]

# corpus -> (modulus, buckets of test, buckets of dev)
_SCHEMES: dict[str, tuple[int, frozenset[int], frozenset[int]]] = {
    "legal": (10, frozenset({0}), frozenset({1})),
    "wiki": (20, frozenset({0}), frozenset({1})),
    "real-admin": (10, frozenset({0, 1}), frozenset({2, 3})),
}
CORPORA = tuple(_SCHEMES)


def split_of(name: str, corpus: str = "legal") -> Part:
    """``train``, ``dev`` or ``test`` for document ``name`` of ``corpus`` (see the module docstring)."""
    try:
        modulus, test, dev = _SCHEMES[corpus]
    except KeyError:
        raise ValueError(f"unknown corpus {corpus!r}; known: {', '.join(CORPORA)}") from None
    bucket = int(hashlib.md5(name.encode("utf-8")).hexdigest(), 16) % modulus
    return "test" if bucket in test else "dev" if bucket in dev else "train"
