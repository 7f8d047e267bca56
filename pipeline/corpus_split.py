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
  both extraction (dev/test annotations) and the language model (train). The corpus holds the same
  document more than once (a resolution crawled by two sources, a letter re-issued with one line
  changed: 26 such pairs fell across parts), so near-duplicates form families, and a dev or test
  document whose family has a member in a less held-out part (train before dev before test) is
  ``excluded``: never trained on, never evaluated. Training sets are what the hash gives, so the
  committed models are unchanged; only evaluation loses the copies of what a model or a rule saw.
  The families are derived by ``python -m pipeline.corpus_split ../shared/corpora/real-admin``
  into ``real_admin_families.json`` beside this file.
- ``real-scans`` (file stems of ``real-scans/``): a frozen list, because the hash put only 2 of the 12
  annotated scans in test. The five test scans cover every source (two ministry decisions, a
  university notice with appendices, a scan with typed truth, the procuracy report); decided before
  any extractor ran on them (``corpora/real/scans/SPLIT.md``). Every other scan is dev.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import zlib
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Literal

Part = Literal["train", "dev", "test", "excluded"]

# corpus -> (modulus, buckets of test, buckets of dev)
_SCHEMES: dict[str, tuple[int, frozenset[int], frozenset[int]]] = {
    "legal": (10, frozenset({0}), frozenset({1})),
    "wiki": (20, frozenset({0}), frozenset({1})),
    "real-admin": (10, frozenset({0, 1}), frozenset({2, 3})),
}
_FROZEN_TEST: dict[str, frozenset[str]] = {
    "real-scans": frozenset({"moet_qd_3", "moet_qd_7", "dhdl_0009", "dl_2025_0005", "vks_tuan_giao_bc_221"}),
}
CORPORA = (*_SCHEMES, *_FROZEN_TEST)
FAMILIES_FILE = Path(__file__).with_name("real_admin_families.json")
_ORDER: dict[str, int] = {"train": 0, "dev": 1, "test": 2}
SHINGLE = 8  # words per shingle
CONTAINMENT = 0.5  # share of the smaller document's shingles found in the other: "the same document"


def split_of(name: str, corpus: str = "legal", *, families: bool = True) -> Part:
    """``train``, ``dev``, ``test`` or ``excluded`` for document ``name`` of ``corpus`` (see the module
    docstring). ``families=False`` gives the part by hash alone, which page generators use so that a
    page keeps its identity when a document of its family is found later."""
    if corpus in _FROZEN_TEST:
        return "test" if name in _FROZEN_TEST[corpus] else "dev"
    own = _hashed_part(name, corpus)
    family = _families().get(name) if families and corpus == "real-admin" else None
    if family and _ORDER[own] > min(_ORDER[_hashed_part(member, corpus)] for member in family):
        return "excluded"
    return own


def _hashed_part(name: str, corpus: str) -> Part:
    try:
        modulus, test, dev = _SCHEMES[corpus]
    except KeyError:
        raise ValueError(f"unknown corpus {corpus!r}; known: {', '.join(CORPORA)}") from None
    bucket = int(hashlib.md5(name.encode("utf-8")).hexdigest(), 16) % modulus
    return "test" if bucket in test else "dev" if bucket in dev else "train"


@cache
def _families() -> dict[str, tuple[str, ...]]:
    if not FAMILIES_FILE.exists():
        return {}
    groups = json.loads(FAMILIES_FILE.read_text(encoding="utf-8"))
    return {member: tuple(group) for group in groups for member in group}


def _shingles(text: str) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(max(1, len(words) - SHINGLE))}


def near_duplicate_families(texts: dict[str, str]) -> list[list[str]]:
    """Groups of documents that share over ``CONTAINMENT`` of the smaller one's word 8-grams (connected)."""
    shingles = {name: _shingles(text) for name, text in texts.items()}
    holders: dict[int, list[str]] = defaultdict(list)
    for name in sorted(shingles):
        for h in shingles[name]:
            holders[h].append(name)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for names in holders.values():
        if 1 < len(names) < 20:  # a shingle in 20+ documents is boilerplate, not evidence of a copy
            for i, a in enumerate(names):
                for b in names[i + 1 :]:
                    shared[a, b] += 1
    parent = {name: name for name in texts}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for (a, b), n in shared.items():
        if n > CONTAINMENT * min(len(shingles[a]), len(shingles[b])):
            parent[max(root(a), root(b))] = min(root(a), root(b))
    families: dict[str, list[str]] = defaultdict(list)
    for name in sorted(texts):
        families[root(name)].append(name)
    return sorted(group for group in families.values() if len(group) > 1)


def main(argv: list[str] | None = None) -> None:
    """Derive ``real_admin_families.json`` from the real-admin folder (its index names the documents)."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.corpus_split", description=main.__doc__)
    parser.add_argument("folder", type=Path, nargs="?", default=Path("../shared/corpora/real-admin"))
    args = parser.parse_args(argv)
    if not (args.folder / "index.jsonl").is_file():
        parser.error(f"{args.folder} holds no index.jsonl: give the real-admin folder of ../shared/corpora")
    index = [json.loads(line) for line in (args.folder / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = {row["path"]: (args.folder / row["path"]).read_text(encoding="utf-8") for row in index}
    families = near_duplicate_families(texts)
    FAMILIES_FILE.write_text(json.dumps(families, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(families)} families of near-duplicates, {sum(map(len, families))} documents -> {FAMILIES_FILE}")


if __name__ == "__main__":
    main()
