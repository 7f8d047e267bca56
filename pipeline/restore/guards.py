"""The restorer's named guards: when text is left alone, and when it is taken for Latin OCR output.

- Foreign-word guard (issue 11, item 9): English inside Vietnamese text (HOME, SMART CITY, "at",
  "met") is kept as written and never split into syllables (guard 1: an English word that is no
  Vietnamese syllable; guard 2: an English word that is one, next to a guard-1 word).
- Latin-OCR guard: text from an OCR without Vietnamese has many damaged-looking words; only there do
  valid-looking words get their marks re-read and the channel re-learnt on the document.
- Clean-document guard: a document with no sign of lost marks keeps its valid words and its unknown
  words (names, codes); two valid words run together at a capital are parted by a space, every letter
  as written.
- English-line guard: a line (and the short lines that follow it) written in English is kept whole;
  word by word, "the quick brown fox" would become "thế quíc brown fọ" ("fox" -> "to" with a junk
  channel) because its short words are stripped Vietnamese too.

A mixin of `pipeline.restore.core.Restorer`: it reads the Restorer's lexicon (skel, index,
foreign_words).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.orthography import VIET_CHARS, canonical, skeleton
from pipeline.restore.tokens import Token, _fixed

CLEAN_DOC_RATE = 0.01  # a document losing fewer marks than this (beyond correct text's) is clean
CLEAN_MIN_WORDS = 20  # ... if it has at least this many valid words to tell
CLEAN_STRIPPED_SHARE = 0.02  # ... and at most this share of invalid words whose skeleton is known
LATIN_OCR_SHARE = 0.05  # share of damaged-looking words from which a text is taken for Latin OCR output
ENGLISH_LINE_WORDS = 4  # a line with fewer word tokens is not judged on its own (it follows the line above)
ENGLISH_SHARE = 0.8  # share of a line's words that must be English words (wamerican) ...
ENGLISH_ONLY_SHARE = 0.3  # ... and of words that are English and no Vietnamese skeleton (fox, and, of)


@dataclass
class DocumentEvidence:
    """What the guards and the line rates know of a whole document, counted token by token.

    Counted in text order, so that a document counted piece by piece (the restorer's first pass over
    a long document) gives exactly the floats of the document counted whole.
    """

    counted: int = 0  # tokens with a mark state (marked >= 0)
    unmarked: float = 0.0  # ... of which unmarked
    expected: float = 0.0  # ... unmarked as often as correct text has them (sum of pu)
    marked_expected: float = 0.0  # ... marked in correct text (sum of 1 - pu)
    stripped: int = 0  # invalid words whose skeleton is known: words that only lost their marks
    words: int = 0  # tokens that are not fixed
    damaged: int = 0  # ... damaged-looking (counted only when asked)

    @property
    def rate(self) -> float:
        """The document's share of lost marks beyond what correct text has (see `Restorer._line_rates`)."""
        return (self.unmarked - self.expected) / self.marked_expected if self.marked_expected > 0 else 0.0

    @property
    def mark_loss(self) -> float:
        """The rate as the prior of each line's (`Restorer._line_rates`), kept within [0.002, 0.999]."""
        return min(0.999, max(0.002, self.rate)) if self.marked_expected > 0 else 0.002

    @property
    def clean(self) -> bool:
        """No sign of lost marks: enough valid words (CLEAN_MIN_WORDS), no more unmarked ones than
        correct text has (CLEAN_DOC_RATE), and hardly any invalid word that only lost its marks
        ("Luu", "nguoi": their skeleton is known)."""
        return (self.counted >= CLEAN_MIN_WORDS and self.stripped <= CLEAN_STRIPPED_SHARE * self.counted
                and self.rate <= CLEAN_DOC_RATE)

    @property
    def latin_ocr(self) -> bool:
        """Guard: is this text the output of an OCR without Vietnamese? Then even its valid-looking
        marked words may carry wrong marks (cúa for của, cán for căn). Damaged-looking words are those
        neither valid nor explained by lost marks; measured on 80 real-admin DEV documents: at most
        1.2% of the clean ones' words (names, codes), 0% more when stripped, 15-60% of Latin OCR output."""
        return self.words >= 20 and self.damaged > LATIN_OCR_SHARE * self.words


class Guards:
    """Guard predicates over tokens; see the module docstring."""

    skel: dict[str, list[str]]
    index: dict[str, int]
    foreign_words: frozenset[str]

    def _is_english(self, core: str) -> bool:
        """A common English word (the lexicon's list from wamerican), as written in ASCII letters."""
        return len(core) >= 2 and core.isascii() and core.isalpha() and core.lower() in self.foreign_words

    def _foreign_word(self, core: str) -> bool:
        """Guard 1: an English word that is no single Vietnamese syllable (HOME, CITY, Smart, office) is
        kept as written and never split into syllables (HỌ MẸ, CI TỶ). Short lowercase ones (sir, ding,
        gem) are not kept on their own: Latin-script OCR engines write them for damaged Vietnamese
        (sử, dùng, gồm), so they need a foreign neighbour (guard 2)."""
        if not self._is_english(core) or skeleton(core.lower()) in self.skel:
            return False
        return len(core) >= 6 or (core[0].isupper() and len(core) >= 3)

    def _foreign_neighbour(self, tok: Token) -> bool:
        """A foreign word that vouches for its neighbour: one kept by guard 1 (not one kept by guard 2,
        so "De an e-Government" keeps "an" but restores "Đề"), not a Capitalised one (Smith, Paris are
        names, and "Ông Robert Smith den" is đến), unless in capitals (HOME) or lowercase (office)."""
        if not any(self._foreign_word(p) for p in tok.core.split("-")):
            return False
        return not (tok.core[:1].isupper() and tok.core[1:].islower())

    def _foreign_context(self, line_toks: list[Token]) -> None:
        """Guard 2: an English word that is also a Vietnamese skeleton (at, met, the) is kept when a
        neighbour on its line vouches for it (`_foreign_neighbour`: "at HOME", "Smart City")."""
        changed = True
        while changed:
            changed = False
            for i, tok in enumerate(line_toks):
                if tok.foreign or not self._is_english(tok.core):
                    continue
                near = line_toks[max(0, i - 1) : i] + line_toks[i + 1 : i + 2]
                if any(self._foreign_neighbour(n) for n in near):
                    kept = _fixed(tok.start, tok.end, tok.core)
                    kept.line, kept.brk, kept.comma, kept.foreign = tok.line, tok.brk, tok.comma, True
                    line_toks[i] = kept
                    changed = True

    def _evidence(self, toks: list[Token], into: DocumentEvidence | None = None, damaged: bool = False
                  ) -> DocumentEvidence:
        """Add the tokens to ``into`` (a new count when None); ``damaged``: count damaged-looking words
        too (only the Latin-OCR guard needs them, and they cost a lexicon look-up per word)."""
        evidence = into if into is not None else DocumentEvidence()
        for t in toks:
            if t.marked >= 0:
                evidence.counted += 1
                evidence.unmarked += 1.0 if t.marked == 0 else 0.0
                evidence.expected += t.pu
                evidence.marked_expected += 1.0 - t.pu
            elif t.kind != "fixed" and skeleton(t.core.lower()) in self.skel:
                evidence.stripped += 1
            if t.kind != "fixed":
                evidence.words += 1
                if damaged and self._damaged_looking(t.core):
                    evidence.damaged += 1
        return evidence

    def _english_line(self, line_toks: list[Token], after_english: bool) -> bool:
        """Guard: is this line English? Judged on its words (ENGLISH_LINE_WORDS or more): no Vietnamese
        letter, ENGLISH_SHARE of them English words and ENGLISH_ONLY_SHARE English words that no
        Vietnamese syllable strips to (stripped Vietnamese has none of those; Latin OCR of Vietnamese
        has junk). A shorter line is English when the line above was and all its words are English."""
        words = [t.core for t in line_toks if any(c.isalpha() for c in t.core)]
        if not words or any(not c.isascii() for w in words for c in w if c.isalpha()):
            return False
        english = [w for w in words if self._is_english(w.strip(".,;:'\"()"))]
        if len(words) < ENGLISH_LINE_WORDS:
            return after_english and len(english) == len(words)
        only = sum(1 for w in english if skeleton(w.lower()) not in self.skel)
        return len(english) >= ENGLISH_SHARE * len(words) and only >= ENGLISH_ONLY_SHARE * len(words)

    @staticmethod
    def _keep_line(line_toks: list[Token]) -> None:
        """Keep every token of a line as written (the English-line guard)."""
        for i, tok in enumerate(line_toks):
            if tok.kind != "fixed":
                kept = _fixed(tok.start, tok.end, tok.core)
                kept.line, kept.brk, kept.comma, kept.foreign = tok.line, tok.brk, tok.comma, True
                line_toks[i] = kept

    def _damaged_looking(self, core: str) -> bool:
        """Neither a valid syllable nor one that only lost marks: symbols, foreign letters, junk."""
        low = core.lower()
        if not all(c in VIET_CHARS for c in low):
            return True
        return skeleton(low) not in self.skel and canonical(low) not in self.index

    def _kept_in_clean_text(self, tok: Token) -> bool:
        """Guard: in a clean document, an unknown word is a name, a code or an abbreviation, not damage
        to split, re-mark or drop characters from: capitalised (Toong, Ayun, B'Lao, UBTW: place names
        of minority languages, codes), with digits glued to it ("gồm60"), or lowercase with a skeleton
        no syllable has (ubnd, đắk, h'mông). A known skeleton with a wrong mark (kiễm) is still repaired."""
        if tok.marked >= 0 or tok.joiner != " ":
            return False
        core = tok.core
        return core[:1].isupper() or any(c.isdigit() for c in core) or skeleton(core.lower()) not in self.skel

    def _run_together(self, core: str) -> tuple[str, str] | None:
        """Two valid syllables run together at a capital (xãCam, phườngĐông, củaUỷ), as written; None
        otherwise. Only a capital after a lowercase letter marks a lost space for sure: run together
        without one (vàcác, Hóathành) the pieces may as well be a name or a loanword (Anông, Ăngten,
        Rooi are two syllables too), and a clean document is left as it came."""
        for i in range(1, len(core)):
            if core[i].isupper() and core[i - 1].islower():
                left, right = core[:i], core[i:]
                if canonical(left.lower()) in self.index and canonical(right.lower()) in self.index:
                    return left, right
        return None
