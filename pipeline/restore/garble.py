"""The way back from old-OCR damage: the mark-free skeletons a damaged token may stand for.

The confusions come from the learned channel (pipeline.restore.channel, models/channel.json), not from
a table written here: each piece of the token ("U'", "\\l", "6", "rn", a plain letter) offers the
letters it was written for with cost -log P(piece | letter) (scaled into the restorer's cost units).
"""

from __future__ import annotations

import heapq
from operator import itemgetter

from pipeline.restore.channel import Channel

# nats -> the restorer's cost units (a cost of 1.6 is the widest expansion it searches); tuned on the
# real-admin DEV pages of every engine (pipeline.restore.pairs), never on TEST.
COST_SCALE = 0.4


def best_guess(token: str, channel: Channel, scale: float = COST_SCALE) -> str:
    """The cheapest reading of each piece of a damaged token, left to right (for edit distance)."""
    out, i = [], 0
    while i < len(token):
        text, _, used = min(channel.units(token[i:i + channel.max_piece], i > 0, scale), key=lambda u: (u[1], -u[2]))
        out.append(text)
        i += used
    return "".join(out)


def expansions(
    token: str,
    channel: Channel,
    limit: int = 96,
    prefixes: frozenset[str] | set[str] | None = None,
    scale: float = COST_SCALE,
    max_cost: float = float("inf"),
) -> tuple[tuple[str, float], ...]:
    """Mark-free skeleton strings a damaged token may stand for, cheapest first (cost, not prob).

    With `prefixes` (every prefix of every known skeleton), partial readings that cannot lead to a
    known skeleton are dropped early, and so are those costing more than `max_cost`.
    """
    states: dict[int, dict[str, float]] = {0: {"": 0.0}}
    n = len(token)
    for i in range(n):
        cur = states.pop(i, None)
        if not cur:
            continue
        best = heapq.nsmallest(limit, cur.items(), key=itemgetter(1)) if len(cur) > limit else cur.items()
        # cheapest option first: past the first one over the bound, the rest are too (5 in 6 were)
        options = sorted(channel.units(token[i:i + channel.max_piece], i > 0, scale), key=itemgetter(1))
        for text, cost in best:
            for add, c, used in options:
                total = cost + c
                if total > max_cost:
                    break
                key = text + add
                if prefixes is not None and key not in prefixes:
                    continue
                nxt = states.setdefault(i + used, {})
                if total < nxt.get(key, 1e9):
                    nxt[key] = total
    final = states.get(n, {})
    return tuple(sorted(final.items(), key=lambda kv: (kv[1], kv[0]))[:limit])
