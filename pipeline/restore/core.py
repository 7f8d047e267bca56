"""The Restorer: legacy-encoding repair, protection of non-words, candidates, beam decoding, casing.

Modules: tokens (token and candidate types, tables), channel (the OCR channel learned from real OCR
output) and garble (its inverse), guards (foreign words, Latin OCR, clean documents), decode (beam
search), lm (n-gram model); this one classifies tokens, lists candidates and assembles the result.

Noisy channel: for each word token we list candidate syllables with a channel log-probability
    chan = a * log(s) + b * log(1 - s) + c
where s is the estimated share of marks lost in the line (unmarked words beyond what correct text
has, see `_line_rates`), so that in clean text adding a mark costs log(0.002) while in stripped text
it is free; a, b, c come from the kind of evidence (stripped, partly marked, junk symbols, OCR
confidence). The syllable 4-gram LM then picks the sequence: beam search over segments (a line, or
a sentence of it), all segments of the document at once.
"""

from __future__ import annotations

import bisect
import copy
import gc
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline.errors import ModelError
from pipeline.orthography import VIET_CHARS, canonical, nfc, skeleton
from pipeline.restore import legacy
from pipeline.restore.candidates import Candidates
from pipeline.restore.channel import Channel, align, count_pairs, merged_words
from pipeline.restore.decode import beam_decode
from pipeline.restore.garble import COST_SCALE, SkeletonTrie
from pipeline.restore.guards import DocumentEvidence, Guards
from pipeline.restore.lm import NgramLM
from pipeline.restore.tokens import (
    _VOWEL_CHARS,
    ABBR_CONTEXT,
    ABBREVIATIONS,
    BOS,
    BREAK_PUNCT,
    CASE_LOWER,
    CASE_TITLE,
    CODE_FIXES,
    COMMA,
    DATE_GLUED_RE,
    DIGITS_RE,
    EMAIL_RE,
    EOS,
    FOREIGN,
    KEEP_LEAD,
    KEEP_TRAIL,
    LEAD_PUNCT,
    NUM,
    ROMAN_RE,
    TRAIL_PUNCT,
    UNK,
    URL_RE,
    YEAR_QUOTE_RE,
    Cands,
    RestoreResult,
    Token,
    TokenChange,
    _fixed,
    _frame,
    _keep_affixes,
    apply_case,
    case_kind,
)

LINE_PRIOR_WEIGHT = 3.0  # words of evidence the document's mark-loss rate weighs in each line's estimate
ADAPT_SHARE = 0.3  # share of the channel's mass the document's own counts get in adaptation
ADAPT_ROUNDS = 1  # hard EM rounds (re-estimate, decode again)
ADAPT_MIN_LETTERS = 200  # fewer letters than this: too little to re-estimate anything
ADAPT_MIN_GAIN = 0.3  # nats per letter the document's own channel must explain better to decode again (see _restore_unicode)
CASE_WEIGHT = 0.5  # weight of the case evidence (log P(case | syllable)); tuned on real-admin DEV (1.0, 2.0 worse)
CASE_PRIOR = 5.0  # pseudo-counts of the corpus-wide Capitalised share in each syllable's estimate
ALIGN_CHUNK = 2000  # characters per alignment in adaptation: about a page, as the channel was learned
DEFAULT_MODELS = Path(__file__).resolve().parents[2] / "models"
TONE_STYLES = {"old": "old", "new": "new", "hòa": "old", "hoà": "new", "classic": "old", "modern": "new"}

# Capitals then two or more digits: a class, course or unit code ("khóa D16", "K65", "QH14"), never a damaged
# word: OCR writes single digits for letters ("s6", "D6") but not two (a real scan's "D16" became "Đó").
CLASS_CODE_RE = re.compile(r"[A-ZĐ]{1,4}\d{2,}")
ITEM_MARKS = "-–—•*"  # a line opening with one starts an item: no decoder segment goes on across it
PIECE_CHARS = 100_000  # characters (whole lines) decoded at once: the decoder's memory stays bounded
# Up to this length the first pass keeps its tokens for the second (about 70 bytes a character, 35 MB
# at most; measured: tokenising is 10-15% of restoring stripped text); longer texts are tokenised twice.
TOKENS_KEPT_CHARS = 500_000


def text_pieces(text: str, size: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of the text of about ``size`` characters, each cut after a line
    that no decoder segment crosses (`_sentence_line_end`), so pieces decode as the whole text would."""
    bounds: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        cut = _sentence_line_end(text, start + size)
        if cut < 0:
            break
        bounds.append((start, cut + 1))
        start = cut + 1
    bounds.append((start, len(text)))
    return bounds


def _sentence_line_end(text: str, after: int) -> int:
    """The first newline from ``after`` where a sentence ends: the line before it ends with a break mark,
    or the next line is blank or does not go on with a sentence (`_join_wrapped_lines` joins the other
    wrapped lines into one segment). Any newline when a text has no such place; -1 when it has none."""
    cut = text.find("\n", after)
    first = cut
    while cut >= 0:
        before = text[text.rfind("\n", 0, cut) + 1 : cut].rstrip()
        following = text[cut + 1 : cut + 80].split("\n", 1)[0].split()
        if not following or (before and before[-1] in BREAK_PUNCT) or following[0][0] in ITEM_MARKS:
            return cut
        # a line opening with a quote or a bracket may still go on with the sentence (its word's core
        # does): only a line opening with a letter or digit is judged by its first word
        if following[0][0].isalnum() and not continues_sentence(following[0]):
            return cut
        cut = text.find("\n", cut + 1)
    return first


class OcrWordSource(Protocol):
    """OCR words by span of the text (`pipeline.document.PageWords`): a long document's words are made
    for the piece being restored, never all at once."""

    def words_in(self, start: int, end: int) -> list[Mapping]:
        """The words that start in [start, end), with offsets relative to ``start``."""
        ...


class WordList:
    """A list of OCR words (dicts with start, end, confidence, choices; offsets in the whole text) as
    an OcrWordSource."""

    def __init__(self, words: Iterable[Mapping]) -> None:
        self._words = sorted((w for w in words if "start" in w and "end" in w), key=lambda w: w["start"])
        self._starts = [int(w["start"]) for w in self._words]

    def words_in(self, start: int, end: int) -> list[Mapping]:
        chosen = self._words[bisect.bisect_left(self._starts, start) : bisect.bisect_left(self._starts, end)]
        if not start:
            return chosen
        return [{**w, "start": int(w["start"]) - start, "end": int(w["end"]) - start} for w in chosen]


def _word_source(ocr_words: Iterable[Mapping] | OcrWordSource | None) -> OcrWordSource | None:
    """The OCR words as a source, or None when there are none (then the text may be Latin OCR output)."""
    if ocr_words is None or hasattr(ocr_words, "words_in"):
        return ocr_words  # type: ignore[return-value]
    words = list(ocr_words)
    return WordList(words) if words else None


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a document is restored, then restore its state.

    Restoring keeps a few hundred thousand cached candidates alive, and each automatic full collection
    walks all of them: 14 of them took 3.0 of 13.5 CPU-s on 100k damaged syllables. Restoration makes
    no reference cycles (a collection after restoring 100k damaged syllables with it paused found 0
    unreachable objects), so pausing it frees nothing later than reference counting does."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _page_chunks(restored: str, text: str, size: int = ALIGN_CHUNK) -> Iterator[tuple[str, str]]:
    """(restored, input) pieces of about `size` characters, cut at the same line ends: restoration keeps
    the lines, and aligning page-sized pieces costs linear time where one alignment of a whole long
    document costs quadratic time (and memory). Texts whose lines do not correspond stay whole."""
    ours, theirs = restored.split("\n"), text.split("\n")
    if len(ours) != len(theirs):
        yield restored, text
        return
    start = chars = 0
    for k, line in enumerate(theirs):
        chars += len(line) + 1
        if chars >= size or k == len(theirs) - 1:
            yield "\n".join(ours[start:k + 1]), "\n".join(theirs[start:k + 1])
            start, chars = k + 1, 0


def continues_sentence(word: str) -> bool:
    """Whether a line's first word can go on with the previous line's sentence: a word, not a heading."""
    return word[:1].isalpha() and not word.isupper()


def case_log_likelihoods(title: list[int] | None, lower: list[int] | None, size: int) -> np.ndarray:
    """(3, vocabulary) table of log P(case | syllable) for the rows CASE_NONE (0: no evidence), CASE_TITLE
    and CASE_LOWER, from in-sentence counts of the train corpora (all zeros for an older lexicon)."""
    table = np.zeros((3, size), dtype=np.float32)
    if not title or not lower:
        return table
    t, low = np.array(title, dtype=np.float64), np.array(lower, dtype=np.float64)
    share = t.sum() / max(1.0, t.sum() + low.sum())
    p_title = (t + CASE_PRIOR * share) / (t + low + CASE_PRIOR)
    table[CASE_TITLE] = np.log(p_title)
    table[CASE_LOWER] = np.log1p(-p_title)
    table[:, :COMMA + 1] = 0.0  # specials and the comma carry no case
    return table


class Restorer(Candidates, Guards):
    """Loaded models plus the restoration algorithm. Use `Restorer.load()` (cached per process)."""

    _cache: dict[str, Restorer] = {}
    piece_chars = PIECE_CHARS  # a copy with another value decodes in other pieces, with the same result

    def __init__(self, lm: NgramLM, lex: dict, channel: Channel, beam: int = 8, max_cands: int = 12) -> None:
        self.lm = lm
        self.channel = channel
        self.vocab: list[str] = lex["vocab"]
        self.index = {s: i for i, s in enumerate(self.vocab)}
        counts = np.array(lex["counts"], dtype=np.float64)
        self.counts = counts
        # corpus count per syllable as a dict: candidate sorting reads it per candidate, and a numpy
        # scalar lookup costs ~10x a dict's
        self.freq: dict[str, float] = dict(zip(self.vocab, counts.tolist(), strict=True))
        self.beam = beam
        self.max_cands = max_cands
        self.skel: dict[str, list[str]] = {}
        for sk, members in lex["skeletons"].items():
            mem = sorted(members, key=lambda s: -counts[self.index[s]])
            top = counts[self.index[mem[0]]]
            self.skel[sk] = [m for m in mem if counts[self.index[m]] >= top * 1e-3][:max_cands]
        self.skel_list = sorted(self.skel)
        self.skeleton_trie = SkeletonTrie(self.skel)
        # share of the skeleton's occurrences written with no mark at all (cho, can: high; nguoi: 0)
        self.pu: dict[str, float] = {}
        for sk, members in lex["skeletons"].items():
            tot = sum(counts[self.index[m]] for m in members)
            self.pu[sk] = float(counts[self.index[sk]] / tot) if sk in self.index and tot else 0.0
        # consonant frame (vowels as V): candidates for a wrong vowel/mark from a Vietnamese OCR
        self.frames: dict[str, list[str]] = {}
        for w in sorted(self.vocab[6:], key=lambda w: -counts[self.index[w]]):
            self.frames.setdefault(_frame(w), []).append(w)
        # corpus Latin words that are also stripped Vietnamese (hop, that, it) are not protected
        self.protect = {w for w in lex.get("protect", []) if skeleton(w.lower()) not in self.skel} | FOREIGN
        self.vocab_set = set(self.vocab[6:])
        self.foreign_words = frozenset(lex.get("foreign_words", ()))
        self.split_cost = COST_SCALE * channel.space_lost_cost
        # code pieces that lost the stroke of Đ (DBQH, LDTBXH): learned from the corpora (train.stroked_codes)
        self.stroked_codes: dict[str, str] = lex.get("stroked_codes", {})
        self.case_lp = case_log_likelihoods(lex.get("title_counts"), lex.get("lower_counts"), len(self.vocab))

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, models_dir: str | Path | None = None) -> Restorer:
        """Load (once per process and folder) the LM and lexicon from `models_dir` (default <repo>/models)."""
        path = Path(models_dir) if models_dir else DEFAULT_MODELS
        key = str(path.resolve())
        if key in cls._cache:
            return cls._cache[key]
        lm_path, lex_path, chan_path = path / "lm.npz", path / "lexicon.json", path / "channel.json"
        if not lm_path.is_file() or not lex_path.is_file() or not chan_path.is_file():
            raise ModelError(f"restoration model missing in {path}: run `make models`")
        try:
            lm = NgramLM.load(lm_path)
            lex = json.loads(lex_path.read_text(encoding="utf-8"))
            channel = Channel.load(chan_path)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"restoration model in {path} is damaged ({exc}): run `make models`") from exc
        inst = cls(lm, lex, channel)
        cls._cache[key] = inst
        return inst

    # ------------------------------------------------------------------ public helpers
    def is_valid_syllable(self, token: str) -> bool:
        """True if the token (any case, either tone style) is an attested Vietnamese syllable."""
        return canonical(nfc(token).lower()) in self.vocab_set

    def perplexity(self, text: str) -> float:
        """Per-syllable perplexity of the text under the syllable LM (segments as in training)."""
        toks = self._tokenize(nfc(text))
        seqs: list[list[int]] = []
        cur: list[int] = []
        for tok in toks:
            if tok.kind == "fixed":
                cur.append(tok.lm_id)
            else:
                for part in tok.core.split():
                    cur.append(self.index.get(canonical(part.lower()), UNK))
            if tok.comma:
                cur.append(COMMA)
            if tok.brk and cur:
                seqs.append(cur)
                cur = []
        if cur:
            seqs.append(cur)
        h = self.lm.order - 1
        ctxs, ws = [], []
        for seq in seqs:
            full = [BOS] * h + seq + [EOS]
            for i in range(h, len(full)):
                ctxs.append(full[i - h : i])
                ws.append(full[i])
        if not ws:
            return float("nan")
        lp = self.lm.logprob(np.array(ctxs, dtype=np.int64), np.array(ws, dtype=np.int64))
        return float(math.exp(-float(lp.mean())))

    @lru_cache(maxsize=50_000)  # noqa: B019
    def _render_old(self, o: str) -> str:
        return o

    @lru_cache(maxsize=50_000)  # noqa: B019
    def _render_new(self, o: str) -> str:
        return canonical(o, "new") if o in self.index else o

    # ------------------------------------------------------------------ tokenising
    def _classify(self, start: int, core: str) -> Token:
        t = self._classify_core(core)
        return Token(start, start + len(core), core, t.kind, t.out, t.lm_id, t.cands, t.marked, pu=t.pu,
                     joiner=t.joiner, foreign=t.foreign)

    @lru_cache(maxsize=200_000)  # noqa: B019 - one Restorer per process, the cache is the point
    def _classify_core(self, core: str) -> Token:
        """Class and candidates of a core, independent of where it occurs (cached: words repeat)."""
        start, end = 0, len(core)
        m = DATE_GLUED_RE.match(core)
        if m and 1 <= int(m.group(1)) <= 31 and 1 <= int(m.group(2)) <= 12:
            return _fixed(start, end, core, f"{int(m.group(1))}/{int(m.group(2))}/{m.group(3)}", NUM)
        if DIGITS_RE.match(core):
            return _fixed(start, end, core, lm_id=NUM)
        m = YEAR_QUOTE_RE.match(core)
        if m:
            return _fixed(start, end, core, m.group(1) + m.group(2), NUM)
        if ROMAN_RE.match(core) or (core.endswith(".") and core[:-1].isalpha() and core[:-1].isupper()
                                    and skeleton(core[:-1].lower()) not in self.skel):
            return _fixed(start, end, core)  # Chương IV., TM. KT. TL.
        if EMAIL_RE.match(core) or URL_RE.match(core) or core in self.protect or core in ABBREVIATIONS:
            return _fixed(start, end, core)
        if core not in CODE_FIXES and self._foreign_word(core):
            tok = _fixed(start, end, core)
            tok.foreign = True
            return tok
        if core in CODE_FIXES:
            return _fixed(start, end, core, CODE_FIXES[core])
        if "/" in core[1:-1] and not any(ch.isdigit() for ch in core) and core not in ABBREVIATIONS:
            # đồng/người/năm: lowercase words of 2+ letters; b/c, V/v, km/h stay as written
            return self._joined(core, "/", lambda p: len(p) >= 2 and p.isalpha() and p.lower() == p)
        if "-" in core[1:-1] and not any(ch.isdigit() for ch in core):
            # héc-ta, Rịa-Vũng: each piece is restored, the hyphen stays (punctuation is never dropped)
            return self._joined(core, "-", lambda p: p.isalpha() and (p.islower() or p[:1].isupper() and p[1:].islower()))
        if any(ch in "/-_&" for ch in core[1:-1]) and any(ch.isdigit() or ch.isupper() for ch in core):
            parts = re.split(r"([/\-])", core)
            fixed = "".join(CODE_FIXES.get(p, self.stroked_codes.get(p, p)) for p in parts)
            return _fixed(start, end, core, fixed, NUM if any(ch.isdigit() for ch in core) else UNK)
        digits = sum(ch.isdigit() for ch in core)
        letters = sum(ch.isalpha() for ch in core)
        if digits and (digits > 2 or letters == 0 or len(core) > 6 or "." in core or "," in core
                       or CLASS_CODE_RE.fullmatch(core)):
            return _fixed(start, end, core, lm_id=NUM)
        low = core.lower()
        if len(core) == 1 and core.isalpha() and low not in "aeiouyơôâăêư":
            return _fixed(start, end, core)  # list markers a) b) c), variables
        if (
            all(c in VIET_CHARS for c in low)
            and skeleton(low) not in self.skel
            and canonical(low) not in self.index
            and len(core) > 1
            and (core.isupper() or (core[0].isupper() and core[1:].islower()))
            and not self._two_syllables(low)
            and not self._expand(core, 0.6)  # Ciic, Tir, Liiu: garbled Các, Tự, Lưu, not names
        ):
            return _fixed(start, end, core, self.stroked_codes.get(core, core))  # abbreviation or name (Zalo, UBND)
        kind, cands, marked, parts = self._word_cands(core)
        if kind == "fixed":
            return _fixed(start, end, core, lm_id=NUM if digits else UNK)
        tok = Token(start, end, core, kind, marked=marked)
        tok.pu = self.pu.get(skeleton(canonical(low)), 0.0) if marked >= 0 else 0.0
        tok.cands = [cands] if cands is not None else list(parts or ())
        return tok

    def _joined(self, core: str, joiner: str, piece_ok: Callable[[str], bool]) -> Token:
        """Words joined by "/" or "-": each piece decoded as a word, the joiner kept; else kept whole."""
        pieces = core.split(joiner)
        if all(piece_ok(p) for p in pieces):
            subs = [self._classify_core(p) for p in pieces]
            if all(t.kind == "word" and t.cands and len(t.cands) == 1 for t in subs):
                tok = Token(0, len(core), core, "split", marked=-1, joiner=joiner)
                tok.cands = [t.cands[0] for t in subs]  # type: ignore[index]
                return tok
        return _fixed(0, len(core), core)

    def _two_syllables(self, low: str) -> bool:
        """True if a word is two Vietnamese skeletons run together (Coquan = cơ quan), not a name."""
        sk = skeleton(low)
        return any(sk[:i] in self.skel and sk[i:] in self.skel for i in range(2, len(sk) - 1))

    def _tokenize(self, text: str) -> list[Token]:
        """Word tokens of the (already Unicode) text with their class, candidates and segment breaks."""
        return self._tokenize_piece(text, "")[0]

    def _tokenize_piece(self, text: str, prev_marker: str) -> tuple[list[Token], str]:
        """Tokens of a piece of whole lines, given the list marker that opened the last list line before
        it (a) b) c) d) đ)); returns the tokens and that marker after the piece."""
        out: list[Token] = []
        english = False  # the last line with words was English
        next_base = 0
        for line_no, line in enumerate(text.split("\n")):
            line_toks: list[Token] = []
            base = next_base
            next_base += len(line) + 1
            for start_in_line, span_end, word in merged_words(line):
                start = base + start_in_line
                i, j = 0, len(word)
                while i < j and word[i] in LEAD_PUNCT:
                    i += 1
                while j > i and word[j - 1] in TRAIL_PUNCT and not (
                    word[j - 1] == "." and j - i <= 4 and word[i:j - 1].isupper() and word[i:j - 1].isalpha()
                ):
                    j -= 1
                # "U'" / "O'" is a horn read as an apostrophe, not a closing quote
                if j < len(word) and word[j] == "'" and j > i and word[j - 1] in "uoUO":
                    j += 1
                # "b?" "c*" "~n": the mark became a symbol; a vowel-less core keeps it
                while j < len(word) and word[j] in "?*~" and not any(c in _VOWEL_CHARS for c in word[i:j]):
                    j += 1
                while i > 0 and word[i - 1] in "?*~" and not any(c in _VOWEL_CHARS for c in word[i:j]):
                    i -= 1
                core = word[i:j]
                trail = word[j:]
                if not core:
                    if line_toks and any(c in BREAK_PUNCT for c in word):
                        line_toks[-1].brk = True
                    elif line_toks and word[0] in "-–—" and not line_toks[-1].brk:
                        line_toks[-1].comma = True  # "quận - huyện": a dash between words, as in training
                    continue
                tok = self._classify(start + i, core)
                tok.end = base + span_end - (len(word) - j)  # a merged word's core ends in its second part
                tok.line = line_no
                if not BREAK_PUNCT.isdisjoint(trail) or (core.endswith(".") and tok.kind == "fixed"):
                    tok.brk = True
                elif "," in trail:
                    tok.comma = True
                line_toks.append(tok)
            if line_toks:
                self._foreign_context(line_toks)
                english = self._english_line(line_toks, english)
                if english:
                    self._keep_line(line_toks)
                line_toks[-1].brk = True
                first = line_toks[0]
                if first.kind == "fixed" and len(first.core) == 1 and text[first.end:first.end + 1] == ")":
                    # list markers run a) b) c) d) đ) e): a second "d)" in a row lost its stroke
                    if first.core in "dD" and prev_marker and prev_marker in "dD":
                        first.out = "đ" if first.core == "d" else "Đ"
                    prev_marker = first.core
            out.extend(line_toks)
        self._join_wrapped_lines(text, out)
        return out, prev_marker

    @staticmethod
    def _join_wrapped_lines(text: str, toks: list[Token]) -> None:
        """A line that does not end a sentence, followed directly by one that goes on with it, is one
        decoder segment: scanned pages wrap sentences at the margin, and the LM is trained on unwrapped
        text (train.unwrap), so a wrap cut as a sentence end costs the words on both sides their context."""
        for a, b in zip(toks, toks[1:], strict=False):
            if not a.brk or b.line != a.line + 1 or a.kind == "fixed":
                continue
            gap = text[a.end:b.start]
            if continues_sentence(b.core) and not any(c in BREAK_PUNCT or c in ITEM_MARKS for c in gap):
                a.brk = False

    # ------------------------------------------------------------------ restore
    def restore(
        self, text: str, *, ocr_words: Iterable[Mapping] | OcrWordSource | None = None, tone_style: str = "old",
        details: bool = True, adapt: bool = True,
    ) -> RestoreResult:
        """Restore marks and repair OCR damage of `text`; see the module docstring for the model.

        tone_style: "old" (default; hòa, thủy, hóa: the placement dominant in legal texts) or "new"
        (hoà, thuỷ, hoá). Either style is accepted on input.
        details: fill each change's confidence and runners-up (False: changes carry offsets and forms
        only, confidence 1.0; plain-text output does not need them and saves about 15% of the time).
        adapt: for text from an OCR without Vietnamese, re-learn the channel on the document itself and
        decode again (see `_restore_unicode`; one document's damage comes from one OCR and repeats).
        """
        with _cycle_collection_paused():
            return self._restore(text, ocr_words, tone_style, details, adapt)

    def _restore(
        self, text: str, ocr_words: Iterable[Mapping] | OcrWordSource | None, tone_style: str, details: bool,
        adapt: bool,
    ) -> RestoreResult:
        style = TONE_STYLES.get(tone_style)
        if style is None:
            raise ValueError(f"tone_style must be one of {sorted(TONE_STYLES)}, not {tone_style!r}")
        text = nfc(text)
        words = _word_source(ocr_words)
        encoding = legacy.detect(text[:200_000].split(), self._valid_loose)
        if encoding is None:
            return self._restore_unicode(text, words, style, details, adapt=adapt and words is None)
        tokens = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", text)]
        # legacy text: convert token by token, restore, then report changes per input token
        conv = legacy.CONVERTERS[encoding]
        pieces, last, spans = [], 0, []
        pos = 0
        for s, e, t in tokens:
            c = conv(t)
            pieces.append(text[last:s])
            pos += s - last
            spans.append((pos, pos + len(c), s, e))
            pieces.append(c)
            pos += len(c)
            last = e
        pieces.append(text[last:])
        converted = "".join(pieces)
        res = self._restore_unicode(converted, None, style, details)
        # map the restored tokens back: output token k corresponds to input token k unless splits added
        # spaces, so rebuild per input token from the converted spans and the restoration changes
        shift_out: list[TokenChange] = []
        by_tok: dict[int, list[TokenChange]] = {}
        starts = [sp[0] for sp in spans]
        for ch in res.changes:
            k = bisect.bisect_right(starts, ch.start) - 1
            by_tok.setdefault(k, []).append(ch)
        for k, (cs, ce, s, e) in enumerate(spans):
            tok_out = converted[cs:ce]
            for ch in sorted(by_tok.get(k, []), key=lambda c: -c.start):
                a, b = ch.start - cs, ch.end - cs
                tok_out = tok_out[:a] + ch.chosen + tok_out[b:]
            if tok_out != text[s:e]:
                best = by_tok.get(k, [])
                conf = min((c.confidence for c in best), default=1.0)
                alts = best[0].alternatives if len(best) == 1 else []
                shift_out.append(TokenChange(s, e, text[s:e], tok_out, alts, conf))
        return RestoreResult(res.text, shift_out, encoding)

    def _mixed_channel(self, doc: dict[str, Counter[str]]) -> Channel | None:
        """The learned channel's counts plus the document's own, which get ADAPT_SHARE of the mass;
        None when the document has too few letters to say anything."""
        prior = self.channel.counts
        doc_total = sum(sum(c.values()) for c in doc.values())
        if doc_total < ADAPT_MIN_LETTERS:
            return None
        prior_total = sum(sum(c.values()) for c in prior.values())
        weight = ADAPT_SHARE / (1 - ADAPT_SHARE) * prior_total / doc_total
        mixed = {t: dict(obs) for t, obs in prior.items()}
        for t, obs in doc.items():
            row = mixed.setdefault(t, {})
            for o, c in obs.items():
                row[o] = row.get(o, 0) + c * weight
        return Channel(mixed)

    def _channel_gain(self, doc: dict[str, Counter[str]], channel: Channel) -> float:
        """How much better `channel` explains the document's letters than the learned channel: the
        mean gain in log P(observed | letter) per aligned letter, in nats."""
        total = sum(sum(c.values()) for c in doc.values())
        gain = sum(c * (channel.mark_logp(t, o) - self.channel.mark_logp(t, o))
                   for t, obs in doc.items() for o, c in obs.items())
        return gain / max(total, 1)

    def _valid_loose(self, tok: str) -> bool:
        return canonical(nfc(tok).lower()) in self.index

    def _restore_unicode(
        self, text: str, words: OcrWordSource | None, style: str, details: bool = True, adapt: bool = False
    ) -> RestoreResult:
        """Restore Unicode text in two passes, so that memory does not grow with the document: first the
        document's evidence (its mark-loss rate, the clean and Latin-OCR guards) is counted over its
        pieces (`text_pieces`), then each piece is decoded on its own. The result is that of decoding
        the text whole: decoder segments never cross a line, and the evidence is counted in text order.

        adapt: per-document adaptation (ADAPT_ROUNDS hard EM steps) for text from an OCR without
        Vietnamese: count what this document's OCR wrote for each letter by aligning the restoration
        with the input, mix the counts into the learned channel (ADAPT_SHARE of the mass) and decode
        again, when the document's own channel explains its letters at least ADAPT_MIN_GAIN nats per letter
        better. Clean and stripped text keep the first result (and its speed). The restoration is aligned
        with the input in page-sized chunks (`_page_chunks`: a whole-document alignment is quadratic).
        """
        pieces = text_pieces(text, self.piece_chars)
        evidence = DocumentEvidence()
        kept: list[list[Token]] | None = [] if len(text) <= TOKENS_KEPT_CHARS else None
        marker = ""
        for start, end in pieces:
            toks, marker = self._tokenize_piece(text[start:end], marker)
            self._evidence(toks, evidence, damaged=words is None)
            if kept is not None:
                kept.append(toks)
        latin_ocr = words is None and evidence.latin_ocr
        result, counts = self._decode_pieces(text, pieces, kept, words, style, details, evidence, latin_ocr,
                                             count=adapt and latin_ocr)
        for round_ in range(ADAPT_ROUNDS if counts is not None and result.changes else 0):
            # too few letters, or damage the learned channel already explains: the first result stands
            channel = self._mixed_channel(counts or {})
            if channel is None or self._channel_gain(counts or {}, channel) < ADAPT_MIN_GAIN:
                break
            adapted = copy.copy(self)  # shares the LM and lexicon; its own channel and candidate caches
            adapted.channel = channel
            result, counts = adapted._decode_pieces(text, pieces, None, None, style, details, evidence, latin_ocr,
                                                    count=round_ + 1 < ADAPT_ROUNDS)
        return result

    def _decode_pieces(
        self,
        text: str,
        pieces: list[tuple[int, int]],
        kept: list[list[Token]] | None,
        words: OcrWordSource | None,
        style: str,
        details: bool,
        evidence: DocumentEvidence,
        latin_ocr: bool,
        count: bool,
    ) -> tuple[RestoreResult, dict[str, Counter[str]] | None]:
        """Decode the pieces one after another (``kept``: their tokens, made by the first pass);
        ``count``: also count the aligned (restored, input) letters for adaptation."""
        restored: list[str] = []
        changes: list[TokenChange] = []
        counts: dict[str, Counter[str]] | None = defaultdict(Counter) if count else None
        marker = ""
        for i, (start, end) in enumerate(pieces):
            piece = text[start:end]
            toks, marker = (kept[i], marker) if kept is not None else self._tokenize_piece(piece, marker)
            index = self._ocr_index(words.words_in(start, end)) if words is not None else None
            out, piece_changes = self._decode_piece(piece, toks, index, style, details, evidence, latin_ocr)
            for change in piece_changes:
                change.start += start
                change.end += start
            restored.append(out)
            changes.extend(piece_changes)
            if counts is not None:
                for truth_part, observed_part in _page_chunks(out, piece):
                    count_pairs(align(truth_part, observed_part), counts)
        return RestoreResult(nfc("".join(restored)), changes, None), counts

    def _decode_piece(
        self,
        text: str,
        toks: list[Token],
        ocr_index: tuple[list[int], list[Mapping]] | None,
        style: str,
        details: bool,
        evidence: DocumentEvidence,
        latin_ocr: bool,
    ) -> tuple[str, list[TokenChange]]:
        """One piece: candidates per token, one beam search over all its segments, then assembly."""
        rates = self._line_rates(toks, evidence.mark_loss)
        parts_all, rate_pos, tok_pos, seg_len = self._lm_positions(toks, rates, ocr_index, evidence.clean, latin_ocr)
        if not parts_all:
            return text, []
        pos_off, pos_n, flat_ids, chan = self._channel_scores(parts_all, rate_pos)
        chan += self._case_scores(toks, tok_pos, len(parts_all), pos_n, flat_ids)
        seg = np.array(seg_len, dtype=np.int64)
        chosen, post = beam_decode(self.lm, seg, pos_off, pos_n, flat_ids, chan, beam=self.beam)
        restored, changes, need = self._assemble(text, toks, tok_pos, parts_all, chosen, style)
        if need and details:
            self._confidences(changes, need, style, parts_all, chosen, post)
        return restored, changes

    def _lm_positions(
        self,
        toks: list[Token],
        rates: list[float],
        ocr_index: tuple[list[int], list[dict]] | None,
        clean_doc: bool,
        latin_ocr: bool,
    ) -> tuple[list[Cands], list[float], list[list[int]], list[int]]:
        """Lay the tokens out as LM positions (candidates, mark-loss rate) cut into decoder segments."""
        seg_len: list[int] = []
        parts_all: list[Cands] = []
        rate_pos: list[float] = []
        tok_pos: list[list[int]] = []  # LM positions of each token's parts
        comma_cands = self._fixed_cands(",", COMMA)
        cur = 0
        for ti, tok in enumerate(toks):
            parts = self._token_parts(tok, rates[ti], ocr_index, clean_doc, latin_ocr)
            mine = []
            for cd in parts:
                mine.append(len(parts_all))
                parts_all.append(cd)
                rate_pos.append(rates[ti])
                cur += 1
            tok_pos.append(mine)
            if tok.comma:
                parts_all.append(comma_cands)
                rate_pos.append(rates[ti])
                cur += 1
            if tok.brk or cur >= 60:
                if cur:
                    seg_len.append(cur)
                cur = 0
        if cur:
            seg_len.append(cur)
        return parts_all, rate_pos, tok_pos, seg_len

    def _token_parts(
        self,
        tok: Token,
        rate: float,
        ocr_index: tuple[list[int], list[dict]] | None,
        clean_doc: bool,
        latin_ocr: bool,
    ) -> list[Cands]:
        """Candidates of one token's LM positions, narrowed by what the document says about its damage."""
        if tok.kind == "fixed":
            exp = ABBR_CONTEXT.get(tok.out or tok.core)
            if exp:  # UBND reads as "ủy ban nhân dân" for the LM: context for the next word
                return [self._fixed_cands(tok.out or tok.core, self.index.get(w, UNK)) for w in exp]
            return [self._fixed_cands(tok.out or tok.core, tok.lm_id)]
        parts = tok.cands or []
        if latin_ocr and tok.marked == 1 and len(parts) == 1 and tok.joiner == " ":
            parts = [self._mark_confusions(tok.core, tuple(parts[0].outs))]
        elif ((tok.marked == 1 and rate < 0.02) or (tok.marked >= 0 and clean_doc)) and len(
                parts) == 1 and len(parts[0].outs) > 1:
            # clean line: a valid marked word stands; a document with no sign of lost marks
            # keeps its valid words too ("năm nay" is not "năm này" however likely)
            parts = [self._single(canonical(tok.core.lower()))]
        elif clean_doc and not latin_ocr and (halves := self._clean_halves(tok)):
            # vàcác, xãCam: the source lost a space; it is put back, the letters stay as written.
            # Parting them (not keeping them whole) helps search and extraction ("xã Cam An")
            parts = [self._fixed_cands(h, self.index.get(canonical(h.lower()), UNK)) for h in halves]
        elif clean_doc and not latin_ocr and self._kept_in_clean_text(tok):
            parts = [self._fixed_cands(tok.core, UNK)]  # Toong, UBTW, gồm60, ubnd: kept as written
        if ocr_index is not None:
            parts = self._ocr_adjust(tok, parts, ocr_index)
        return parts

    def _clean_halves(self, tok: Token) -> tuple[str, str] | None:
        """A clean document's word token that is two valid words run together, as its written halves."""
        if tok.kind == "fixed" or tok.marked >= 0 or tok.joiner != " ":
            return None
        return self._run_together(tok.core)

    def _case_scores(
        self, toks: list[Token], tok_pos: list[list[int]], n_pos: int, pos_n: np.ndarray, flat_ids: np.ndarray
    ) -> np.ndarray:
        """CASE_WEIGHT * log P(the word's case inside its sentence | candidate), per flat candidate: a
        Capitalised "Dong" after "xã" is more likely the name Đông than the lowercase noun đồng."""
        rows = np.zeros(n_pos, dtype=np.int64)
        prev: Token | None = None
        for tok, mine in zip(toks, tok_pos, strict=True):
            if len(mine) == 1 and tok.kind == "word" and prev is not None and prev.line == tok.line and not prev.brk:
                rows[mine[0]] = case_kind(tok.core)
            prev = tok
        return CASE_WEIGHT * self.case_lp[np.repeat(rows, pos_n), flat_ids]

    @staticmethod
    def _channel_scores(
        parts_all: list[Cands], rate_pos: list[float]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Flatten the positions' candidates for the decoder, with channel scores at each line's loss rate."""
        pos_n = np.array([len(cd.outs) for cd in parts_all], dtype=np.int64)
        pos_off = np.zeros(len(pos_n), dtype=np.int64)
        np.cumsum(pos_n[:-1], out=pos_off[1:])
        flat_ids = np.concatenate([cd.ids for cd in parts_all]).astype(np.int64)
        s = np.repeat(np.array(rate_pos, dtype=np.float64), pos_n)
        chan = (np.concatenate([cd.a for cd in parts_all]) * np.log(s)
                + np.concatenate([cd.b for cd in parts_all]) * np.log1p(-s)
                + np.concatenate([cd.c for cd in parts_all])).astype(np.float32)
        return pos_off, pos_n, flat_ids, chan

    def _assemble(
        self,
        text: str,
        toks: list[Token],
        tok_pos: list[list[int]],
        parts_all: list[Cands],
        chosen: np.ndarray,
        style: str,
    ) -> tuple[str, list[TokenChange], list[tuple[int, int]]]:
        """Splice the decoded tokens into the text; list the changes and which of them need confidences."""
        pieces: list[str] = []
        changes: list[TokenChange] = []
        need: list[tuple[int, int]] = []
        last = 0
        ch_l = chosen.tolist()
        render = self._render_new if style == "new" else self._render_old
        for ti, tok in enumerate(toks):
            orig = text[tok.start:tok.end]
            if tok.kind == "fixed":
                out = tok.out or tok.core
            else:
                out = self._token_output(orig, tok, tok_pos[ti], parts_all, ch_l, render)
            pieces.append(text[last:tok.start])
            pieces.append(out)
            last = tok.end
            if out != orig:
                changes.append(TokenChange(tok.start, tok.end, orig, out))
                if tok.kind != "fixed" and tok_pos[ti]:
                    need.append((len(changes) - 1, tok_pos[ti][0]))
        pieces.append(text[last:])
        return "".join(pieces), changes, need

    @staticmethod
    def _token_output(
        orig: str,
        tok: Token,
        tp: list[int],
        parts_all: list[Cands],
        ch_l: list[int],
        render: Callable[[str], str],
    ) -> str:
        """The restored form of one word token, keeping the input's case, joiners and kept affixes."""
        if len(tp) == 1:
            cd = parts_all[tp[0]]
            k = ch_l[tp[0]]
            # an unknown word kept as written (id UNK) stays exactly as it came
            out = orig if cd.ids[k] == UNK else apply_case(orig.lstrip(KEEP_LEAD), render(cd.outs[k]))
        elif tok.joiner != " " and len(orig.split(tok.joiner)) == len(tp):
            out = tok.joiner.join(
                apply_case(o, render(parts_all[p].outs[ch_l[p]]))
                for o, p in zip(orig.split(tok.joiner), tp, strict=True)
            )
        else:
            words = [render(parts_all[p].outs[ch_l[p]]) for p in tp]
            inner = [i for i, c in enumerate(orig) if i and c.isupper()]
            if len(words) == 2 and len(inner) == 1 and orig.isalpha() and skeleton(orig[inner[0]:]) == skeleton(words[1]):
                # "xaCam": two words run together, the second a name; each keeps its own case (xã Cam)
                out = apply_case(orig[:inner[0]], words[0]) + tok.joiner + apply_case(orig[inner[0]:], words[1])
            else:
                out = apply_case(orig, tok.joiner.join(words))
        if orig[0] in KEEP_LEAD or orig[-1] in KEEP_TRAIL:
            out = _keep_affixes(orig, out)
        return out

    def _line_rates(self, toks: list[Token], s_doc: float) -> list[float]:
        """Per token: estimated probability that a mark of its line was lost (``s_doc``, the document's
        rate, `DocumentEvidence.mark_loss`, as prior).

        Unmarked words are only evidence of lost marks beyond what correct text has: the estimate is
        (unmarked seen - unmarked expected) / (marked expected), with expectations from how often each
        skeleton is written unmarked in the corpus (cho, can often; nguoi never).
        """
        line_of = [t.line for t in toks]
        stats: dict[int, list[float]] = {}
        for t, ln in zip(toks, line_of, strict=True):
            if t.marked < 0:
                continue
            st = stats.setdefault(ln, [0.0, 0.0, 0.0])
            st[0] += 1.0 if t.marked == 0 else 0.0
            st[1] += t.pu
            st[2] += 1.0 - t.pu
        alpha = LINE_PRIOR_WEIGHT
        rates = []
        cache: dict[int, float] = {}
        for ln in line_of:
            r = cache.get(ln)
            if r is None:
                u, e, d = stats.get(ln, (0.0, 0.0, 0.0))
                r = min(0.999, max(0.002, (u - e + alpha * s_doc) / (d + alpha)))
                cache[ln] = r
            rates.append(r)
        return rates

    @staticmethod
    def _ocr_index(ocr_words: list[Mapping]) -> tuple[list[int], list[Mapping]]:
        words = sorted((w for w in ocr_words if "start" in w and "end" in w), key=lambda w: w["start"])
        return [int(w["start"]) for w in words], words

    def _confidences(
        self,
        changes: list[TokenChange],
        need: list[tuple[int, int]],
        style: str,
        parts_all: list[Cands],
        chosen: np.ndarray,
        post: np.ndarray,
    ) -> None:
        """Fill confidence and runners-up of changed tokens from the decoder's local posteriors."""
        pos = np.array([p for _, p in need], dtype=np.int64)
        rows = post[pos]
        sel = chosen[pos]
        conf = rows[np.arange(len(pos)), sel].tolist()
        kk = min(4, rows.shape[1])
        top = np.argsort(-rows, axis=1)[:, :kk]
        topp = np.take_along_axis(rows, top, axis=1)
        keep = (top != sel[:, None]) & (topp >= 0.001)
        render = self._render_new if style == "new" else self._render_old
        top_l, topp_l, keep_l = top.tolist(), topp.tolist(), keep.tolist()
        for i, (ci, p) in enumerate(need):
            ch = changes[ci]
            ch.confidence = conf[i]
            if not any(keep_l[i]):
                continue
            outs = parts_all[p].outs
            orig = ch.original
            ch.alternatives = [
                (apply_case(orig, render(outs[k])), pr)
                for k, pr, ok in zip(top_l[i], topp_l[i], keep_l[i], strict=True)
                if ok
            ][:3]
