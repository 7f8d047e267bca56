"""The pieces of the restoration model: hash tables, KN model on a toy corpus, training segmentation."""

from __future__ import annotations

import numpy as np

from pipeline.restore.lm import HashTable, dequantize, pack, quantize
from pipeline.restore.train import BOS, EOS, build_lm, lm_items


def test_hash_table_finds_every_key_and_nothing_else() -> None:
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(1, 2**60, 50_000, dtype=np.uint64))
    vals = rng.random(len(keys)).astype(np.float32) * 0.9 + 0.05
    table = HashTable.build(keys, vals)
    got = table.get(keys, -1.0)
    assert np.array_equal(got, dequantize(quantize(vals)))
    assert np.all(np.abs(np.log(got) - np.log(vals)) < 0.04)  # 8-bit log quantiser: < 4% relative error
    absent = rng.integers(2**60, 2**62, 20_000, dtype=np.uint64)
    assert np.all(table.get(absent, -1.0) == -1.0)


def test_kneser_ney_model_is_normalised_and_prefers_seen_continuations() -> None:
    # toy corpus over ids 6..9, order 3
    segs = [[6, 7, 8], [6, 7, 9], [6, 7, 8], [7, 8, 9], [9, 6, 7]] * 5
    stream = []
    for s in segs:
        stream += [BOS, BOS, *s, EOS]
    lm = build_lm(np.array(stream, dtype=np.int64), 3, 10, {3: 1})
    words = np.arange(2, 10)  # every id that can follow (</s> and the words)
    ctx = np.tile(np.array([[6, 7]]), (len(words), 1))
    p = lm.prob(ctx, words)
    assert abs(float(p.sum()) - 1.0) < 0.05  # quantised tables: close to 1
    assert p[words.tolist().index(8)] > p[words.tolist().index(9)] > p[words.tolist().index(6)]


def test_pack_is_positional() -> None:
    a, b = np.array([1, 2]), np.array([2, 1])
    k = pack([a, b])
    assert k[0] != k[1] and int(k[0]) == (1 << 16) | 2


def test_training_segments_and_split() -> None:
    segs = list(lm_items("Điều 5. Người lao động, người sử dụng lao động có quyền: đồng/năm (UBND)"))
    assert segs == [
        ["điều", "<num>"],
        ["người", "lao", "động", ",", "người", "sử", "dụng", "lao", "động", "có", "quyền"],
        ["đồng", "năm", "<unk>"],
    ]
