"""Candidates of a word token: what the observed letters may stand for, each with a channel cost.

- a valid or mark-stripped word: the syllables of its skeleton (paying log(s) for lost marks);
- a damaged word: the skeletons the learned OCR channel expands it to (garble.expansions), or two
  words run together (a lost space must pay for itself), or the nearest skeletons by edit distance;
- Latin-OCR text: valid-looking words compete with the syllables the channel says they were misread
  from (cúa for của);
- Vietnamese OCR with word confidences and per-character choices: `_ocr_adjust`.

A mixin of `pipeline.restore.core.Restorer` (it reads the lexicon, the channel and the costs there).
"""

from __future__ import annotations

import bisect
import math
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from pipeline.orthography import VIET_CHARS, canonical, has_marks, nfc, skeleton
from pipeline.restore.channel import Channel
from pipeline.restore.garble import SkeletonTrie, best_guess, expansions
from pipeline.restore.tokens import _VOWEL_CHARS, UNK, Cands, Token, _frame, _mark_penalty, _vowel_penalty

MAX_EXPANSION_COST = 2.6  # widest reading of a damaged token searched (tuned on real-admin DEV pages)
OCR_TRUST = 97.0  # OCR word confidence (0-100) from which a valid word is never changed
OCR_SWAP_COST = 4.0  # extra cost (nats) of another vowel/tone for a valid OCR word, without choices
OCR_CAPITAL_COST = 2.0  # extra cost of adding a mark to a capitalised valid OCR word (names, units)


class Candidates:
    """Candidate generation; see the module docstring."""

    index: dict[str, int]
    counts: np.ndarray
    freq: dict[str, float]
    skel: dict[str, list[str]]
    skel_list: list[str]
    skeleton_trie: SkeletonTrie
    frames: dict[str, list[str]]
    channel: Channel
    split_cost: float
    max_cands: int

    @lru_cache(maxsize=200_000)  # noqa: B019 - one Restorer per process, the cache is the point
    def _word_cands(self, core: str) -> tuple[str, Cands | None, int, tuple[Cands, ...] | None]:
        """Classify a core and list its candidates: (kind, cands, marked flag, split parts)."""
        low = core.lower()
        if all(c in VIET_CHARS for c in low):
            canon = canonical(low)
            sk = skeleton(canon)
            group = self.skel.get(sk)
            if canon in self.index and has_marks(canon):
                # marks may be partly lost (dịnh for định, truớc for trước): members whose marks
                # include all of the observed ones compete, paying log(s) for the loss
                more = [m for m in (group or []) if m != canon and _mark_penalty(canon, m) == 0.0]
                if not more:
                    return "word", self._single(canon), 1, None
                outs = [canon, *more]
                n = len(outs)
                a = np.array([0.0] + [1.0] * (n - 1))
                b = np.array([1.0] + [0.0] * (n - 1))
                return "word", self._cands(outs, a, b, np.zeros(n)), 1, None
            if canon in self.index:
                members = group or [canon]
                if canon not in members:
                    members = [canon, *members]
                a = np.array([0.0 if m == canon else 1.0 for m in members])
                return "word", self._cands(members, a, np.zeros(len(members)), np.zeros(len(members))), 0, None
            if group:
                pens = np.array([_mark_penalty(canon, m) for m in group])
                n = len(group)
                return "word", self._cands(group, np.ones(n), np.zeros(n), -pens - 0.3), -1, None
        return self._garbled(core)

    @lru_cache(maxsize=50_000)  # noqa: B019
    def _fixed_cands(self, out: str, lm_id: int) -> Cands:
        z = np.zeros(1, np.float32)
        return Cands([out], np.array([lm_id]), z, z, z)

    def _single(self, s: str) -> Cands:
        z = np.zeros(1)
        return Cands([s], np.array([self.index.get(s, UNK)]), z, z, z)

    def _cands(self, outs: list[str], a: np.ndarray, b: np.ndarray, c: np.ndarray) -> Cands:
        ids = np.array([self.index.get(o, UNK) for o in outs], dtype=np.int64)
        return Cands(list(outs), ids, a.astype(np.float32), b.astype(np.float32), c.astype(np.float32))

    @lru_cache(maxsize=100_000)  # noqa: B019
    def _expansions(self, text: str, max_cost: float) -> tuple[tuple[str, float], ...]:
        # searched within the caller's bound (a split's halves: 1.2, not 2.6): the narrower search
        # finds the same readings up to that cost and costs a fraction of the wide one
        return expansions(text, self.channel, self.skeleton_trie, max_cost=max_cost)

    def _expand(self, text: str, max_cost: float = MAX_EXPANSION_COST) -> list[tuple[str, float]]:
        """(syllable, cost) for skeletons the damaged text expands to, cheapest skeleton first, as far as
        `_cheapest` can use them: past the cost of the max_cands-th syllable the walk stops (a wide
        reading lists hundreds of syllables that could never make the cut)."""
        out: dict[str, float] = {}
        edge = None
        for sk, cost in self._expansions(text, max_cost):
            if edge is not None and cost > edge:
                break
            for m in self.skel.get(sk, ()):
                if m not in out:
                    out[m] = cost
            if edge is None and len(out) >= self.max_cands:
                edge = cost
        return list(out.items())

    def _cheapest_reading(self, text: str, max_cost: float) -> float | None:
        """The cost of `text`'s cheapest reading as a known syllable (what `_expand` would list first),
        None when it has none: the split search compares halves by it and lists only the winner's."""
        return next((cost for sk, cost in self._expansions(text, max_cost) if self.skel.get(sk)), None)

    def _cheapest(self, found: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """The max_cands cheapest (syllable, cost) of `found` (in cost order, as `_expand` gives them),
        the commoner syllable first at equal cost. Only the head that can make the cut is sorted: a
        wide reading lists hundreds of syllables."""
        k = self.max_cands
        cut = min(k, len(found))
        if cut:
            edge = found[cut - 1][1]
            while cut < len(found) and found[cut][1] <= edge:
                cut += 1
        return sorted(found[:cut], key=lambda mc: (mc[1], -self.freq[mc[0]]))[:k]

    def _best_split(self, core: str) -> tuple[float, tuple[Cands, ...]] | None:
        """The cheapest reading of a token as two words run together (hQPgac -> họp gác), with its cost."""
        best = None
        for i in range(2, len(core) - 1):
            left = self._cheapest_reading(core[:i], 1.2)
            # the right half is read only when this split can still be the cheapest (costs are >= 0)
            if left is None or (best is not None and left >= best[0]):
                continue
            right = self._cheapest_reading(core[i:], 1.2)
            if right is not None and (best is None or left + right < best[0]):
                best = (left + right, i)
        if best is None:
            return None
        parts = []
        for half in (core[:best[1]], core[best[1]:]):
            grp = self._cheapest(self._expand(half, 1.2))
            n = len(grp)
            parts.append(self._cands([m for m, _ in grp], np.ones(n), np.zeros(n),
                                     np.array([-2.0 * c - 0.5 for _, c in grp])))
        return best[0], tuple(parts)

    def _garbled(self, core: str) -> tuple[str, Cands | None, int, tuple[Cands, ...] | None]:
        found = self._expand(core)
        # junk: symbols, digits, non-Vietnamese letters (ä, ü: Western look-alikes), capitals inside a word
        junk = any(not (c in VIET_CHARS or c.isascii() and c.isalpha()) for c in core) or (
            any(c.isupper() for c in core[1:]) and not core.isupper()
        )
        keep_c = -8.0 if junk else -1.0
        single = min((c for _, c in found), default=None)
        # a split costs at least split_cost: when a single reading is that cheap, no split can win
        can_split = len(core) >= 4 and (single is None or single > self.split_cost)
        split = self._best_split(core) if can_split and not self._is_english(core) else None
        # a split inserts a space: it must pay for itself (the channel's cost of a lost space)
        if split is not None and (single is None or split[0] + self.split_cost < single):
            return "split", None, -1, split[1]
        if found:
            found = self._cheapest(found)
            outs = [m for m, _ in found] + [core]
            n = len(found)
            # junk inside a word is itself evidence of damage: its candidates do not pay log(s)
            a = np.array([0.0 if junk else 1.0] * n + [0.0])
            b = np.array([0.0] * n + [0.0 if junk else 1.0])
            c = np.array([-2.0 * cost for _, cost in found] + [keep_c])
            cands = self._cands(outs, a, b, c)
            cands.ids[-1] = UNK
            return "word", cands, 0, None
        # last resort: edit distance <= 2 on the skeleton (each -> cach, mroc -> nuoc)
        guess = best_guess(core, self.channel) or skeleton(core)
        if 2 <= len(guess) <= 7:
            hits = process.extract(guess, self.skel_list, scorer=Levenshtein.distance, score_cutoff=2, limit=8)
            outs: list[str] = []
            costs: list[float] = []
            for sk, dist, _ in sorted(hits, key=lambda h: (h[1], h[0])):
                for m in self.skel[sk][:4]:
                    outs.append(m)
                    costs.append(1.2 * dist + 0.3)
            if outs:
                outs = outs[: self.max_cands]
                costs = costs[: self.max_cands]
                n = len(outs)
                cands = self._cands(outs + [core], np.array([1.0] * n + [0.0]), np.array([0.0] * n + [1.0]),
                                    np.array([-1.5 * c for c in costs] + [keep_c + 1.0]))
                cands.ids[-1] = UNK
                return "word", cands, -1, None
        return "fixed", None, -1, None

    @lru_cache(maxsize=100_000)  # noqa: B019
    def _mark_confusions(self, core: str, others: tuple[str, ...]) -> Cands:
        """A valid word from a Latin OCR: every syllable of its skeleton competes, at the channel's
        log P(observed letters | candidate letters) against keeping it (ú read for ủ, á for ă)."""
        low = canonical(core.lower())
        group = self.skel.get(skeleton(low), [])
        outs = list(dict.fromkeys([low, *group, *others]))
        outs = [o for o in outs if len(o) == len(low)][: self.max_cands + 1]
        keep = sum(self.channel.mark_logp(c, c) for c in low)
        costs = [sum(self.channel.mark_logp(m, o) for m, o in zip(cand, low, strict=True)) - keep for cand in outs]
        n = len(outs)
        return self._cands(outs, np.zeros(n), np.zeros(n), np.array(costs))

    def _ocr_adjust(self, tok: Token, parts: list[Cands], index: tuple[list[int], list[dict]]) -> list[Cands]:
        """Use the OCR word confidence and per-character choices for this token's candidates."""
        starts, words = index
        core = tok.core
        if (
            (tok.kind == "split" and tok.joiner == " ")
            or not any(ch.isalpha() for ch in core)
            or (core.isupper() and core.isalpha() and len(core) <= 5 and not any(c in _VOWEL_CHARS for c in core.lower()))
        ):
            # a Vietnamese OCR rarely merges two words, and it reads a lone "~" or a code (VT, KT, TC) as
            # it is printed: junk is not split into words ("IUẸU"), a symbol or a code does not become one
            return [self._fixed_cands(core, UNK)]
        i = bisect.bisect_right(starts, tok.start) - 1
        if i < 0 or not (words[i]["start"] <= tok.start < words[i]["end"]):
            return parts
        w = words[i]
        conf = float(w.get("confidence", 0.0))
        low = canonical(tok.core.lower())
        valid = low in self.index
        # Tesseract `vie` on poor scans gives wrong-mark words confidences of 85-96 (median of right
        # words 96, measured on synthetic heavy scans): trust only >= 97, and scale the doubt below it
        if conf >= OCR_TRUST and valid:
            return [self._single(low)]  # a confident, valid word is left alone
        if not valid or len(parts) != 1:
            return parts
        e = min(0.6, max(0.005, (OCR_TRUST - max(conf, 0.0)) / 100.0))
        outs: dict[str, float] = {low: math.log(1 - e)}
        fr = self.frames.get(_frame(low), [])
        top = self.counts[self.index[fr[0]]] if fr else 0.0
        # A Vietnamese OCR mostly loses marks (chông for chống); a different vowel or tone (Đề/Đồ,
        # phường/phượng, Cục/Các) on a valid word needs the character choices or a large LM margin,
        # and names and unit words (capitalised: Nhã, Vụ, Cục, Sở) only change by gaining a mark.
        capital = tok.core[:1].isupper()
        for m in fr[:40]:
            if m != low and len(m) == len(low) and self.counts[self.index[m]] >= top * 1e-3:
                gains = skeleton(m) == skeleton(low) and _mark_penalty(low, m) == 0.0
                if gains:
                    outs[m] = math.log(e) - _vowel_penalty(low, m) - (OCR_CAPITAL_COST if capital else 0.0)
                elif not capital:
                    outs[m] = math.log(e) - _vowel_penalty(low, m) - OCR_SWAP_COST
        choices = w.get("choices") or []
        off = tok.start - int(w["start"])
        for ci, alts in enumerate(choices):
            j = ci - off
            if not (0 <= j < len(low)) or not alts:
                continue
            for alt in alts:
                ch, p = nfc(str(alt[0])).lower(), float(alt[1])
                if not ch or ch == low[j] or p < 0.01:
                    continue
                var = canonical(low[:j] + ch + low[j + 1:])
                if var in self.index:
                    outs[var] = max(outs.get(var, -99.0), math.log(e) + math.log(min(1.0, 10 * p)))
        names = list(outs)
        n = len(names)
        return [self._cands(names, np.zeros(n), np.zeros(n), np.array([outs[k] for k in names]))]
