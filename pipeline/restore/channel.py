"""The OCR channel, learned from real OCR output: P(observed string | true letter), and its inverse.

Estimated by `python -m pipeline.restore.channel` from (truth, OCR) page pairs (pipeline.restore.pairs:
engines without Vietnamese reading rendered corpus text; the book's real OCR) into models/channel.json:
for every true grapheme (lowercase NFC letter with its marks, or a space) the counts of what the OCR
wrote for it: itself, the letter without marks, junk ("U'" for ư, "\\l" for ụ, "6" for ố), nothing.

Alignment: rapidfuzz's Levenshtein opcodes give the global character alignment of a page in C (pages
are ~1,600 characters; a Python DP would cost seconds a page). Its replace blocks are then split per
true grapheme by a small DP (`_split_block`) that lets one grapheme become 0-3 observed characters and
prefers pieces that start with the grapheme's own base letter, so "ư" -> "U'" and "m" -> "rn" come out
as units rather than as a substitution plus an insertion. Characters inserted after a grapheme (junk
after the letter) are attached to it.

Restoration reads the inverse (`Channel.units`): for a piece of a damaged token, the mark-free letters
it may stand for with cost -log P(piece | letter), summed over the letter's marked forms.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from pipeline.orthography import VIET_CHARS, nfc, skeleton

MAX_PIECE = 3  # longest observed string one grapheme becomes ("U'c" is two graphemes, "\\l" one)
MAX_BLOCK = 12  # replace blocks longer than this are layout (a dropped line), not letter damage
MIN_COUNT = 2  # observed pieces seen fewer times for a letter are not used
SYMBOL_DROP_COST = 0.8  # an unlisted symbol or digit inside a word: dropped at this cost
OTHER_DROP_COST = 1.2  # an unlisted character of another kind
UNSEEN_LETTER_COST = 0.0  # a plain letter the table does not list reads as itself
PIECE_SMOOTHING = 5  # pseudo-observations of other readings per piece: a piece seen twice, both times
# for "o" ("i~"), is not yet sure to be an o (its letters may be read as they are)
MARKED_VARIANTS = 24  # forms a letter's observation takes (itself, marks lost, other marks): smoothing
UNSEEN_PENALTY = 1.0  # nats: an observed symbol the channel never saw, against the seen ones
CAPITAL_INSIDE_COST = 0.1  # "tHanh": a capital inside a lowercase word, read as its lowercase letter


@lru_cache(maxsize=4096)
def base_letter(ch: str) -> str:
    """Lowercase letter without marks (đ -> d); other characters unchanged."""
    return skeleton(ch) or ch.lower()


def _kind(ch: str) -> str:
    return "digit" if ch.isdigit() else "letter" if ch.isalpha() else "symbol"


def _piece_cost(true_ch: str, piece: str) -> float:
    """Alignment cost of a true grapheme becoming `piece`: cheap when the piece starts with its letter."""
    if not piece:
        return 1.0
    if piece == true_ch:
        return 0.0
    first = 0.0 if base_letter(piece[0]) == base_letter(true_ch) else 1.0
    # extra characters: junk symbols ("U'") are cheaper than letters, which belong to the next grapheme
    return first + sum(0.6 if c.isalpha() else 0.3 for c in piece[1:])


@lru_cache(maxsize=50_000)
def _split_block(truth: str, observed: str) -> tuple[tuple[str, str], ...]:
    """Split a replace block: each true grapheme gets 0..MAX_PIECE observed characters, in order.

    Cached: one document's damage repeats (66,674 blocks of 100k damaged syllables, 12,218 distinct),
    and this dynamic programme was most of the time adaptation spent aligning."""
    n, m = len(truth), len(observed)
    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(m + 1):
            for k in range(min(MAX_PIECE, j) + 1):
                prev = best[i - 1][j - k]
                if prev == inf:
                    continue
                c = prev + _piece_cost(truth[i - 1], observed[j - k : j])
                if c < best[i][j]:
                    best[i][j], back[i][j] = c, k
    if best[n][m] == inf:
        return ()
    out: list[tuple[str, str]] = []
    j = m
    for i in range(n, 0, -1):
        k = back[i][j]
        out.append((truth[i - 1], observed[j - k : j]))
        j -= k
    return tuple(out[::-1])


# A mark an OCR wrote as punctuation after its letter, then a space: "tu. c" (tục), "di_. n" (điện),
# "d_! nh" (định), "hô. i" (hội), as gocr does. A lone final consonant (or "i") is never a Vietnamese
# word, so the two pieces are one word; training and restoration both join them (`merged_words`), so the channel learns "." for ụ.
_MARK_THEN_SPACE = re.compile(r"^[^\W\d]{0,4}[^\W\d_]_?[.!:'`]$")
_LONE_CODA = re.compile(r"^(ch|ng|nh|[cmnpti])([.,;:)]*)$")


def merged_words(line: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of the whitespace-separated words of a line, with a word that a mark split
    off its final consonant joined back (text without the space; end is the end of the second part)."""
    words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", line)]
    out: list[tuple[int, int, str]] = []
    k = 0
    while k < len(words):
        s, e, w = words[k]
        if k + 1 < len(words) and _MARK_THEN_SPACE.match(w) and _LONE_CODA.match(words[k + 1][2]):
            out.append((s, words[k + 1][1], w + words[k + 1][2]))
            k += 2
            continue
        out.append((s, e, w))
        k += 1
    return out


def _flat(text: str) -> str:
    return " ".join(nfc(text).split())


def join_split_marks(text: str) -> str:
    """The text with every word that a mark split joined back (see `merged_words`), spaces collapsed."""
    return " ".join(w for line in nfc(text).splitlines() for _, _, w in merged_words(line))


def align(truth: str, observed: str) -> list[tuple[str, str]]:
    """(true grapheme, observed string) for the aligned parts of a page (whitespace collapsed).

    Consecutive non-equal opcodes are re-split together: the C aligner may write "định" -> "di.nh" as
    an insertion of "d", a deletion of "đ" and a substitution, which per grapheme is đ -> d, ị -> "i."."""
    t, o = _flat(truth), join_split_marks(observed)
    pairs: list[tuple[str, str]] = []
    block: list[int] = []  # i1, i2, j1, j2 of the pending non-equal run

    def flush() -> None:
        if block:
            i1, i2, j1, j2 = block
            if i2 > i1 and i2 - i1 <= MAX_BLOCK and j2 - j1 <= MAX_BLOCK:
                pairs.extend(_split_block(t[i1:i2], o[j1:j2]))
            elif i2 == i1 and pairs and j2 - j1 < MAX_PIECE:
                pairs[-1] = (pairs[-1][0], pairs[-1][1] + o[j1:j2])  # junk after the letter
            block.clear()

    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(t, o):
        if tag == "equal":
            flush()
            same = t[i1:i2]
            pairs.extend(zip(same, same, strict=True))
        elif block:
            block[1], block[3] = i2, j2
        else:
            block.extend((i1, i2, j1, j2))
    flush()
    return pairs


def count_pairs(pairs: Iterable[tuple[str, str]], counts: dict[str, Counter[str]]) -> None:
    """Add aligned pairs to counts[true grapheme][observed]; a capital's observation is lowercased
    (an OCR's capital for a lowercase letter, "Q" for "ọ", is kept: it is the damage). Digits and
    punctuation are counted too: they are what a "6" or a "." usually is."""
    for t, o in pairs:
        if t.isupper():
            t, o = t.lower(), o.lower()
        counts[t][o] += 1


def _target(t: str) -> str:
    """What restoration can recover of a true grapheme: its mark-free letter; others stay themselves."""
    return base_letter(t) if t.lower() in VIET_CHARS else t


class Channel:
    """Learned P(observed | true grapheme) and its inverse lookup for candidate generation.

    The inverse cost of reading `piece` as `letter` is -log P(letter | piece), normalised over every
    true grapheme the piece was seen for (digits and punctuation included): "6" is usually a 6, so
    reading it as "o" costs what the data say, and an unchanged letter costs almost nothing."""

    def __init__(self, counts: dict[str, dict[str, int]]) -> None:
        self.counts = counts
        by_target: dict[str, Counter[str]] = defaultdict(Counter)
        seen: Counter[str] = Counter()
        for t, obs in counts.items():
            by_target[_target(t)].update(obs)
            seen.update(obs)
        inverse: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for letter, obs in sorted(by_target.items()):
            if not (letter.isalpha() and letter.isascii()):
                continue
            for piece, c in sorted(obs.items()):
                if c >= MIN_COUNT and 0 < len(piece) <= MAX_PIECE:
                    inverse[piece].append((letter, -math.log(c / (seen[piece] + PIECE_SMOOTHING))))
        self.inverse = {k: tuple(sorted(v, key=lambda lc: lc[1])) for k, v in inverse.items()}
        spaces = by_target.get(" ", Counter())
        total = sum(spaces.values()) or 1
        self.space_lost_cost = -math.log(max(spaces.get("", 0), 1) / total)
        self.max_piece = max((len(k) for k in self.inverse), default=1)
        self.unseen = {kind: self._backoff(by_target, seen, kind) for kind in ("symbol", "digit")}
        self._cache: dict[tuple[str, bool], tuple[tuple[str, float, int], ...]] = {}
        self._mark_cache: dict[tuple[str, str], float] = {}
        self._by_piece: dict[tuple[str, bool, bool], tuple[tuple[str, float, int], ...]] = {}
        self._samples: dict[str, tuple[list[str], list[float]]] | None = None

    def mark_logp(self, true_ch: str, observed: str) -> float:
        """log P(observed | true letter) at the level of marked letters (add-half smoothing):
        how likely this OCR wrote "ú" for "ủ", or "ó" for "ơ"."""
        key = (true_ch, observed)
        hit = self._mark_cache.get(key)
        if hit is None:
            obs = self.counts.get(true_ch, {})
            hit = math.log((obs.get(observed, 0) + 0.5) / (sum(obs.values()) + 0.5 * MARKED_VARIANTS))
            self._mark_cache[key] = hit
        return hit

    @staticmethod
    def _backoff(by_target: dict[str, Counter[str]], seen: Counter[str], kind: str) -> tuple[tuple[str, float], ...]:
        """Letters an unlisted symbol (or digit) may stand for: P(letter | some junk symbol) over the
        junk symbols seen, plus UNSEEN_PENALTY nats (an unlisted one is rarer than the listed ones).
        Engines differ in their junk (a scanner's "~" is no engine's here); what it hides does not."""
        letters = {t: obs for t, obs in by_target.items() if t.isalpha() and t.isascii()}
        # junk: symbols (digits) that stand for a letter at least half the time they are seen
        junk = {o for o, c in seen.items() if len(o) == 1 and _kind(o) == kind
                and sum(obs.get(o, 0) for obs in letters.values()) >= c / 2}
        total = sum(seen[o] for o in junk)
        out = []
        for letter, obs in sorted(letters.items()):
            hit = sum(c for o, c in obs.items() if o in junk)
            if hit >= MIN_COUNT and hit / max(total, 1) >= 1e-3:
                out.append((letter, -math.log(hit / total) + UNSEEN_PENALTY))
        return tuple(sorted(out, key=lambda lc: lc[1]))

    @classmethod
    def load(cls, path: Path) -> Channel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["counts"])

    def units(self, window: str, inside: bool, scale: float) -> tuple[tuple[str, float, int], ...]:
        """Options (mark-free letters, cost, characters used) for the start of `window`, cheapest first.

        `inside`: not the token's first character (a capital there is damage, not a name);
        `scale` turns nats into the restorer's cost units."""
        key = (window, inside)
        hit = self._cache.get(key)
        if hit is None:
            # the options depend on the window only through its longest listed piece (and, inside a
            # word, whether it is all capitals): 1 in 5 windows of damaged text was new, their pieces not
            longest = next((n for n in range(min(self.max_piece, len(window)), 1, -1)
                            if window[:n] in self.inverse or window[:n].lower() in self.inverse), 1)
            same = (window[:longest], inside, inside and window.isupper())
            hit = self._by_piece.get(same)
            if hit is None:
                hit = self._by_piece[same] = self._units(window, inside, scale)
            if len(self._cache) < 200_000:
                self._cache[key] = hit
        return hit

    def _units(self, window: str, inside: bool, scale: float) -> tuple[tuple[str, float, int], ...]:
        out: list[tuple[str, float, int]] = []
        ch = window[0]
        for n in range(min(self.max_piece, len(window)), 0, -1):
            piece = window[:n]
            for letter, cost in self.inverse.get(piece, ()):
                out.append((letter, scale * cost, n))
            low = piece.lower()
            if low != piece:
                # a capital: the lowercase letter's readings (a capital inside a word is itself damage)
                extra = CAPITAL_INSIDE_COST if inside and not window.isupper() else 0.0
                for letter, cost in self.inverse.get(low, ()):
                    out.append((letter, scale * cost + extra, n))
        if not any(u[2] == 1 for u in out):
            if ch.isalpha() and base_letter(ch).isascii():
                out.append((base_letter(ch), UNSEEN_LETTER_COST, 1))
            elif not ch.isalnum() or ch.isdigit():
                out.append(("", SYMBOL_DROP_COST, 1))
                out.extend((letter, scale * cost, 1) for letter, cost in self.unseen[_kind(ch)])
            else:
                out.append(("", OTHER_DROP_COST, 1))
        # cheapest first (stable, sorted once per window): the channel search stops at the first option
        # over its bound
        return tuple(sorted(out, key=itemgetter(1)))

    def sample_table(self) -> dict[str, tuple[list[str], list[float]]]:
        """Per true grapheme: observed strings and their probabilities (for synthetic damage); built once."""
        if self._samples is None:
            self._samples = {}
            for t, obs in sorted(self.counts.items()):
                total = sum(obs.values())
                items = sorted(obs.items())
                self._samples[t] = ([o for o, _ in items], [c / total for _, c in items])
        return self._samples


def estimate(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Counts of observed strings per true grapheme from (truth page, OCR page) pairs."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for truth, observed in pairs:
        count_pairs(align(truth, observed), counts)
    return {t: dict(sorted(c.items())) for t, c in sorted(counts.items())}


def book_pairs(folder: Path) -> list[tuple[str, str]]:
    """The printed book's page 130: a modern OCR's real mark errors, against the book's own text."""
    noisy, truth = folder / "aligned_text.txt.ocr_noisy", folder / "page130_groundtruth_excerpt.txt"
    if not (noisy.is_file() and truth.is_file()):
        return []
    return [(truth.read_text(encoding="utf-8"), noisy.read_text(encoding="utf-8"))]


def garbled_layer_pages(layers: Path, truth_dir: Path) -> list[tuple[str, str, str]]:
    """(page name, truth, garbled layer text) of the real scanner layers whose page truth was typed
    (truth_dir/<name>.p<N>.truth.txt; the layer's pages are separated by form feeds)."""
    out = []
    for truth_path in sorted(truth_dir.glob("*.p*.truth.txt")):
        name, page = truth_path.name.split(".")[:2]
        layer = layers / f"{name}.garbled_text_layer.txt"
        if not layer.is_file():
            continue
        pages = layer.read_text(encoding="utf-8").split("\f")
        k = int(page[1:]) - 1
        if 0 <= k < len(pages):
            out.append((f"{name}.{page}", truth_path.read_text(encoding="utf-8"), pages[k]))
    return out


def main(argv: list[str] | None = None) -> int:
    from pipeline.restore.pairs import DEFAULT_CACHE, ENGINE_FAMILY, load_pairs

    ap = argparse.ArgumentParser(prog="python -m pipeline.restore.channel", description=__doc__)
    ap.add_argument("--pairs", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--book", type=Path, default=Path("../shared/corpora/real-scans/book-ocr-pairs"))
    ap.add_argument("--layers", type=Path, default=Path("../shared/corpora/real-scans/garbled-layers"))
    ap.add_argument("--layer-truth", type=Path, default=Path("corpora/real/garbled-layers"))
    ap.add_argument("--out", type=Path, default=Path("models/channel.json"))
    args = ap.parse_args(argv)
    train = load_pairs(args.pairs, "train")
    if not train:
        print(f"error: no training pairs in {args.pairs}/train: run python -m pipeline.restore.pairs", file=sys.stderr)
        return 2
    layers = garbled_layer_pages(args.layers, args.layer_truth)
    book = book_pairs(args.book)
    pairs = [(truth, ocr) for _, _, truth, ocr in train] + book + [(t, o) for _, t, o in layers]
    engines = Counter(ENGINE_FAMILY.get(e, e) for _, e, _, _ in train)
    engines.update({"book": len(book), "scanner": len(layers)})
    counts = estimate(pairs)
    doc = {"pages": dict(sorted(engines.items())), "counts": counts}
    args.out.write_text(json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    print(f"channel from {len(pairs)} page pairs {dict(engines)} -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
