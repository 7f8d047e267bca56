"""The way back from old-OCR damage: the mark-free skeletons a damaged token may stand for.

The confusions come from the learned channel (pipeline.restore.channel, models/channel.json), not from
a table written here: each piece of the token ("U'", "\\l", "6", "rn", a plain letter) offers the
letters it was written for with cost -log P(piece | letter) (scaled into the restorer's cost units).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
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


class SkeletonTrie:
    """Every prefix of the known skeletons as an integer state: the channel search extends a partial
    reading by one option with a lookup in its state's children, not by building and hashing a new
    string (the search's inner loop; 35% less CPU on the distinct tokens of 100k damaged syllables)."""

    def __init__(self, skeletons: Iterable[str]) -> None:
        self.kids: list[dict[str, int]] = [{"": 0}]  # state 0 is the empty prefix; "" stays in place
        self.text: list[str] = [""]
        for sk in skeletons:
            node = 0
            for ch in sk:
                node = self._child(node, ch)

    def _child(self, node: int, ch: str) -> int:
        nxt = self.kids[node].get(ch)
        if nxt is None:
            nxt = len(self.text)
            self.kids[node][ch] = nxt
            self.kids.append({"": nxt})
            self.text.append(self.text[node] + ch)
        return nxt

    def walk(self, node: int, add: str) -> int:
        """The state after `add` from `node`, or -1 when no skeleton continues that way."""
        for ch in add:
            node = self.kids[node].get(ch, -1)
            if node < 0:
                break
        return node


def expansions(
    token: str,
    channel: Channel,
    trie: SkeletonTrie,
    limit: int = 96,
    scale: float = COST_SCALE,
    max_cost: float = float("inf"),
) -> tuple[tuple[str, float], ...]:
    """Known skeletons (mark-free) a damaged token may stand for, cheapest first (cost, not prob).

    Partial readings that cannot lead to a skeleton of `trie` are dropped early, and so are those
    costing more than `max_cost`; each position keeps its `limit` cheapest partial readings.
    """
    n = len(token)
    states: list[dict[int, float]] = [{} for _ in range(n + 1)]
    states[0][0] = 0.0
    kids = trie.kids
    for i in range(n):
        cur = states[i]
        if not cur:
            continue
        best = heapq.nsmallest(limit, cur.items(), key=itemgetter(1)) if len(cur) > limit else cur.items()
        # cheapest option first: past the first one over the bound, the rest are too (5 in 6 were)
        options = channel.units(token[i:i + channel.max_piece], i > 0, scale)
        for node, cost in best:
            children = kids[node]
            for add, c, used in options:
                total = cost + c
                if total > max_cost:
                    break
                child = children.get(add, -1)
                if child < 0 and len(add) > 1:
                    child = trie.walk(node, add)
                if child < 0:
                    continue
                nxt = states[i + used]
                if total < nxt.get(child, 1e9):
                    nxt[child] = total
    final = [(trie.text[node], cost) for node, cost in states[n].items()]
    return tuple(sorted(final, key=lambda kv: (kv[1], kv[0]))[:limit])
