"""The spaCy pipeline: a blank Vietnamese tokenizer that keeps symbols, dates and times whole, and a
SpanRuler that anchors cited documents ("Quyết định số 3665/QĐ-UBND").

pyvi's word segmentation (spaCy's default for "vi") splits "3665/QĐ-UBND" into five tokens and costs a
model load, so the pipeline is built with ``use_pyvi`` off and a rule tokenizer; it is built once.
``reference_spans`` runs it over texts of any length, piece by piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .lexicon import REFERENCE_KINDS
from .patterns import KEEP_WHOLE_RE

if TYPE_CHECKING:  # spaCy is imported on first use: importing pipeline.extract stays cheap
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer

_NUMSYM_TOKEN = r"^(?:\d{1,5}[a-z]?/.+|\d{1,5}-.+/.+)$"


def _tokenizer(nlp: Language) -> Tokenizer:
    """Split on spaces and punctuation, except inside tokens the decree writes as one unit."""
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    prefixes = [r"[\(\[\"“‘'«\-–—•*+]"]
    suffixes = [r"[\)\]\"”’'»,;:!?…]", r"\.(?!/)$", r"\./\.$"]
    infixes = [r"(?<=[\w\)])[,;:](?=\w)", r"(?<=\w)\((?=\w)"]
    return Tokenizer(
        nlp.vocab,
        rules={"./.": [{"ORTH": "./."}], "V/v": [{"ORTH": "V/v"}]},
        prefix_search=compile_prefix_regex(prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=KEEP_WHOLE_RE.match,
    )


def _reference_patterns() -> list[dict]:
    """Token patterns: a document kind, an optional "số"/"số:", then one number/symbol token."""
    patterns = []
    gap = {"IS_SPACE": True, "OP": "*"}  # a line break inside the citation (wrapped OCR text)
    # A kind may be wrapped ("Thông" / "tư số 38/2015/TT-BTC"); any kind is also cited in lower case ("có
    # văn bản số 349/TB-VPCP", "tại công văn số ...", old decisions: "Căn cứ nghị quyết số 141/HĐBT ...").
    # In lower case only a letter takes words before "số": "hướng dẫn tại văn bản số ..." is no "hướng dẫn".
    lower_too = {"văn bản", "công văn", "tờ trình", "báo cáo", "thông báo", "kế hoạch"}
    variants = [*REFERENCE_KINDS, *(k[:1].lower() + k[1:] for k in REFERENCE_KINDS if k[:1].isupper())]
    for written in variants:
        first, *rest = written.split()
        words = [{"TEXT": first}] + [tok for w in rest for tok in ({"IS_SPACE": True, "OP": "?"}, {"TEXT": w})]
        if written[:1].islower() and written not in lower_too:
            patterns.append({"label": "REF", "pattern": words + [{"LOWER": "số"}, {"TEXT": ":", "OP": "?"}, gap,
                                                                 {"TEXT": {"REGEX": _NUMSYM_TOKEN}}]})
            continue
        # "Báo cáo thẩm định số 744/BC-TNMT": up to four lower-case words between the kind and "số".
        patterns.append(
            {
                "label": "REF",
                "pattern": words
                + [{"IS_LOWER": True, "OP": "{1,4}"}, {"LOWER": "số"}, {"TEXT": ":", "OP": "?"}, gap,
                   {"TEXT": {"REGEX": _NUMSYM_TOKEN}}],
            }
        )
        patterns.append(
            {
                "label": "REF",
                "pattern": words
                + [gap, {"LOWER": "số", "OP": "?"}, {"TEXT": ":", "OP": "?"}, gap, {"TEXT": {"REGEX": _NUMSYM_TOKEN}}],
            }
        )
    return patterns


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline (about 0.3 s to build; reused by every call)."""
    import spacy

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.tokenizer = _tokenizer(nlp)
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "refs", "overwrite": False})
    ruler.add_patterns(_reference_patterns())
    return nlp


# The spaCy pass runs over pieces of at most this many characters: a document of any length (a bound
# volume of 1,000 pages is ~3.5M characters; spaCy refuses over 1M with E088) costs the memory of one
# piece, and references are found with offsets into the whole text. 100k characters is ~40 pages.
CHUNK_CHARS = 100_000
# Where a piece may end, best first: a page break (see pipeline.stages.PAGE_SEPARATOR), a paragraph
# break, a line break, a space. A citation wrapped over a line stays whole within a piece.
_BREAKS = ("\n\f\n", "\n\n", "\n", " ")


@dataclass(frozen=True)
class RefSpan:
    """A citation the span ruler found: character offsets into the whole text, and its text."""

    start_char: int
    end_char: int
    text: str


def chunk_bounds(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) pieces covering ``text``, each at most ``size`` long, each cut just after the best
    break found in its second half (a hard cut only when the half holds no space at all)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            floor = start + size // 2
            cut = next(
                (i + len(sep) for sep in _BREAKS if (i := text.rfind(sep, floor, end - len(sep) + 1)) >= 0),
                end,
            )
            end = cut
        bounds.append((start, end))
        start = end
    return bounds


def reference_spans(text: str) -> list[RefSpan]:
    """The span ruler's citations over the whole text, one bounded piece at a time."""
    nlp = get_nlp()
    found: list[RefSpan] = []
    for start, end in chunk_bounds(text):
        doc = nlp(text[start:end])
        found.extend(
            RefSpan(start + span.start_char, start + span.end_char, span.text) for span in doc.spans.get("refs", [])
        )
    return found
