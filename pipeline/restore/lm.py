"""Interpolated Kneser-Ney syllable n-gram model stored as numpy open-addressing hash tables.

Why hash tables and not sorted keys + searchsorted: measured on this machine, np.searchsorted costs
~500 ns per query into a 2M-key table (21 dependent cache misses), while a vectorised two-bucket
lookup is two cache lines. Keys are packed ids (16 bits each); a table stores a 32-bit fingerprint
of the key (a second hash), so a false hit needs a 2**-32 coincidence within the two buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_S32 = np.uint64(32)


def pack(ids: list[np.ndarray]) -> np.ndarray:
    """Pack up to four 16-bit id arrays into one uint64 key (first id in the high bits)."""
    key = np.zeros(np.broadcast(*ids).shape, dtype=np.uint64)
    for a in ids:
        key = (key << np.uint64(16)) | a.astype(np.uint64)
    return key


_WAYS = 4  # slots per bucket
_BUCKET = np.dtype((np.void, 4 * _WAYS))  # a bucket's four uint32 fingerprints as one item


def _hashes(keys: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two candidate buckets (fast range reduction, Lemire) and a 32-bit fingerprint per key."""
    with np.errstate(over="ignore"):
        h1 = keys * _M1
        h2 = (keys ^ (keys >> np.uint64(29))) * _M2
    n = np.uint64(nb)
    b1 = (((h1 >> _S32) * n) >> _S32).astype(np.int64)
    b2 = (((h2 & np.uint64(0xFFFFFFFF)) * n) >> _S32).astype(np.int64)
    fp = ((h2 >> _S32).astype(np.uint32)) | np.uint32(1)  # never 0: 0 marks an empty slot
    return b1, b2, fp


_QLO, _QHI = -18.0, 0.0  # log-probability range of the 8-bit value quantiser


def quantize(vals: np.ndarray) -> np.ndarray:
    lv = np.log(np.clip(vals, np.exp(_QLO), 1.0))
    return np.round((lv - _QLO) / (_QHI - _QLO) * 255).astype(np.uint8)


def dequantize(q: np.ndarray) -> np.ndarray:
    return np.exp(q.astype(np.float32) * np.float32((_QHI - _QLO) / 255) + np.float32(_QLO)).astype(np.float32)


_LUT = dequantize(np.arange(256))


@dataclass
class HashTable:
    """Two-choice bucketed hash table (4 fingerprints per bucket) plus a small sorted overflow stash.

    A lookup is a fixed number of vectorised gathers (two buckets of four), with no probe loop:
    linear probing at the load this file size needs (85%) measured hundreds of probe rounds.
    """

    fps: np.ndarray  # (nb, 4) uint32, 0 = empty
    codes: np.ndarray  # (nb, 4) uint8 quantised values
    stash_keys: np.ndarray  # sorted uint64
    stash_codes: np.ndarray  # uint8

    @classmethod
    def build(cls, keys: np.ndarray, vals: np.ndarray, load: float = 0.85) -> HashTable:
        keys = keys.astype(np.uint64)
        nb = max(4, int(len(keys) / (_WAYS * load)) + 1)
        fps = np.zeros((nb, _WAYS), dtype=np.uint32)
        codes = np.zeros((nb, _WAYS), dtype=np.uint8)
        q = quantize(vals)
        b1, b2, fp = _hashes(keys, nb)
        fill = np.zeros(nb, dtype=np.int64)

        def place(pending: np.ndarray) -> np.ndarray:
            c1, c2 = b1[pending], b2[pending]
            choose = np.where(fill[c1] <= fill[c2], c1, c2)
            order = np.argsort(choose, kind="stable")
            sb = choose[order]
            first = np.searchsorted(sb, sb, side="left")
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order)) - first
            slot = fill[choose] + rank
            ok = slot < _WAYS
            fps[choose[ok], slot[ok]] = fp[pending[ok]]
            codes[choose[ok], slot[ok]] = q[pending[ok]]
            fill[:] += np.bincount(choose[ok], minlength=nb)
            return pending[~ok]

        # insert in small chunks so each key sees the loads left by the previous ones (two-choice)
        left = []
        for chunk in np.array_split(np.arange(len(keys)), 256):
            left.append(place(chunk))
        pending = np.concatenate(left) if left else np.arange(0)
        for _ in range(20):
            if not len(pending):
                break
            pending = place(pending)
        st = np.argsort(keys[pending])
        return cls(fps, codes, keys[pending][st], q[pending][st])

    def get(self, keys: np.ndarray, default: float) -> np.ndarray:
        """Values for `keys` (any shape), `default` where absent."""
        flat = keys.reshape(-1)
        nb = self.fps.shape[0]
        b1, b2, fp = _hashes(flat, nb)
        res = np.full(flat.shape, default, dtype=np.float32)
        # a bucket's four fingerprints as one 16-byte item, and a row of four matches as one uint32:
        # numpy gathers and tests those 3-5x faster than (n, 4) rows (the decoder's largest cost)
        buckets = self.fps.view(_BUCKET).reshape(-1)
        for b in (b1, b2):
            m = buckets.take(b).view(np.uint32).reshape(-1, _WAYS) == fp[:, None]  # (n, 4)
            hit = np.flatnonzero(m.view(np.uint32).reshape(-1))
            res[hit] = _LUT[self.codes[b[hit], m[hit].argmax(axis=1)]]
        if len(self.stash_keys):
            pos = np.clip(np.searchsorted(self.stash_keys, flat), 0, len(self.stash_keys) - 1)
            sh = self.stash_keys[pos] == flat
            if sh.any():
                res[sh] = _LUT[self.stash_codes[pos[sh]]]
        return res.reshape(keys.shape)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}_fps": self.fps,
            f"{prefix}_codes": self.codes,
            f"{prefix}_skeys": self.stash_keys,
            f"{prefix}_scodes": self.stash_codes,
        }

    @classmethod
    def from_arrays(cls, arrs: dict, prefix: str) -> HashTable:
        return cls(arrs[f"{prefix}_fps"], arrs[f"{prefix}_codes"], arrs[f"{prefix}_skeys"], arrs[f"{prefix}_scodes"])


class NgramLM:
    """P(w | ctx) = own_n(ctx,w) + gamma_n(ctx) * P_{n-1}(w | shorter ctx), down to a unigram."""

    def __init__(self, order: int, unigram: np.ndarray, own: list[HashTable], gamma: list[HashTable]):
        self.order = order
        self.unigram = unigram.astype(np.float32)  # P1 per id
        self.own = own  # index n-2 for order n = 2..order
        self.gamma = gamma

    def prob(self, ctx: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Probabilities for ids `w` (shape S) after contexts `ctx` (shape S + (order-1,)), oldest first."""
        p = self.unigram[w]
        for n in range(2, self.order + 1):
            hist = [ctx[..., -(n - 1) + i] for i in range(n - 1)]
            g = self.gamma[n - 2].get(pack(hist), 1.0)
            o = self.own[n - 2].get(pack([*hist, w]), 0.0)
            p = o + g * p
        return p

    def logprob_expand(
        self, ctx: np.ndarray, w: np.ndarray, valid: np.ndarray | None = None, live: np.ndarray | None = None
    ) -> np.ndarray:
        """log P for every beam context (A, B, order-1) times every candidate (A, K): (A, B, K).

        Only candidates marked `valid` (A, K) after beams marked `live` (A, B) are looked up (the rest
        get -1e9); a context weight is looked up once per live beam, an n-gram entry only where its
        context exists in the model.
        """
        A, B, _ = ctx.shape
        K = w.shape[1]
        if valid is None:
            valid = np.ones((A, K), dtype=bool)
        if live is None:
            live = np.ones((A, B), dtype=bool)
        la, lb = np.nonzero(live)  # live beams
        sel = valid[la]  # (L, K)
        li, ki = np.nonzero(sel)  # triples: beam li (index into la/lb), candidate ki
        ai, bi = la[li], lb[li]
        wv = w[ai, ki]
        p = self.unigram[wv].astype(np.float32)
        for n in range(2, self.order + 1):
            hist = [ctx[la, lb, -(n - 1) + i] for i in range(n - 1)]  # each (L,)
            g = self.gamma[n - 2].get(pack(hist), 1.0)  # (L,)
            gv = g[li]
            p = gv * p
            seen = np.nonzero(gv < 1.0)[0] if n > 2 else np.arange(len(li))
            if len(seen):
                keys = pack([h[li[seen]] for h in hist] + [wv[seen]])
                p[seen] += self.own[n - 2].get(keys, 0.0)
        out = np.full((A, B, K), -1e9, dtype=np.float32)
        out[ai, bi, ki] = np.log(np.maximum(p, 1e-12))
        return out

    def logprob(self, ctx: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.log(np.maximum(self.prob(ctx, w), 1e-12))

    def save(self, path: Path) -> None:
        arrs: dict[str, np.ndarray] = {"order": np.array([self.order]), "unigram": self.unigram}
        for n in range(2, self.order + 1):
            arrs.update(self.own[n - 2].arrays(f"own{n}"))
            arrs.update(self.gamma[n - 2].arrays(f"gamma{n}"))
        np.savez(path, **arrs)

    @classmethod
    def load(cls, path: Path) -> NgramLM:
        with np.load(path) as z:
            arrs = {k: z[k] for k in z.files}
        order = int(arrs["order"][0])
        own = [HashTable.from_arrays(arrs, f"own{n}") for n in range(2, order + 1)]
        gamma = [HashTable.from_arrays(arrs, f"gamma{n}") for n in range(2, order + 1)]
        return cls(order, arrs["unigram"], own, gamma)
