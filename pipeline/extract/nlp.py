"""The spaCy pipeline: a blank Vietnamese tokenizer that keeps symbols, dates and times whole, and a
SpanRuler that anchors cited documents ("Quyết định số 3665/QĐ-UBND").

pyvi's word segmentation (spaCy's default for "vi") splits "3665/QĐ-UBND" into five tokens and costs a
model load, so the pipeline is built with ``use_pyvi`` off and a rule tokenizer; it is built once.
"""

from __future__ import annotations

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
    # A kind may be wrapped ("Thông" / "tư số 38/2015/TT-BTC"); a letter is also cited in lower case ("có
    # văn bản số 349/TB-VPCP", "tại công văn số ...").
    lower_too = {"Văn bản", "Công văn", "Tờ trình", "Báo cáo", "Thông báo", "Kế hoạch"}
    variants = [(k, k) for k in REFERENCE_KINDS] + [(k, k[:1].lower() + k[1:]) for k in REFERENCE_KINDS if k in lower_too]
    for _kind, written in variants:
        first, *rest = written.split()
        words = [{"TEXT": first}] + [tok for w in rest for tok in ({"IS_SPACE": True, "OP": "?"}, {"TEXT": w})]
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
