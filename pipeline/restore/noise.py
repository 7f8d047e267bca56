"""Synthetic damage for benchmarks and tests: stripped marks, and old-OCR damage drawn from the learned channel.

`old_ocr_garble` draws, for every letter and space, what a real OCR without Vietnamese wrote for it
(models/channel.json, estimated from real OCR output by pipeline.restore.channel), so synthetic damage
has the real engines' mix of stripped marks, junk, letter confusions and lost or added spaces; dates
and codes break as in docs/ocr-damage.md. Deterministic for a given seed. It is learned from the same
engines the restorer learned from: the honest measure is leave-one-engine-out (benchmarks.restore_channel).
"""

from __future__ import annotations

import random
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from pipeline.restore.channel import Channel

_CODE_DAMAGE = {"UBND": "VBND", "HĐND": "HDND", "QĐ": "QD"}
_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
DEFAULT_CHANNEL = Path(__file__).resolve().parents[2] / "models" / "channel.json"


def strip_marks(text: str) -> str:
    """Remove every Vietnamese mark (tones, modifiers, đ -> d), keeping case and everything else."""
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        out.append({"đ": "d", "Đ": "D"}.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(out))


def _cased(observed: str, true_ch: str, word_upper: bool) -> str:
    """The channel counts capitals as lowercase: give the observation the true letter's case."""
    if not true_ch.isupper():
        return observed
    return observed.upper() if word_upper else observed[:1].upper() + observed[1:]


def channel_damage(text: str, channel: Channel, rng: random.Random) -> str:
    """Every letter and space of `text` replaced by a draw from P(observed | true) of the channel."""
    table = channel.sample_table()
    out: list[str] = []
    for word in re.split(r"( )", text):
        if word == " ":
            obs, probs = table.get(" ", ([" "], [1.0]))
            out.append(rng.choices(obs, probs)[0])
            continue
        upper = sum(c.isupper() for c in word) >= 2 and word.isupper()
        for ch in word:
            entry = table.get(ch.lower())
            out.append(_cased(rng.choices(*entry)[0], ch, upper) if entry else ch)
    return "".join(out)


def old_ocr_garble(text: str, seed: int = 0, channel: Channel | None = None, p_date: float = 0.5,
                   p_code: float = 0.5) -> str:
    """Old-OCR damage from the learned channel (default models/channel.json); dates and codes break."""
    rng = random.Random(seed)
    channel = channel or _default_channel()
    text = _DATE_RE.sub(lambda m: "1".join(m.groups()) if rng.random() < p_date else m.group(0), text)
    lines = []
    for line in text.split("\n"):
        words = [_CODE_DAMAGE[w] if w in _CODE_DAMAGE and rng.random() < p_code else w for w in line.split(" ")]
        lines.append(channel_damage(" ".join(words), channel, rng))
    return "\n".join(lines)


@lru_cache(maxsize=1)
def _default_channel() -> Channel:
    return Channel.load(DEFAULT_CHANNEL)
