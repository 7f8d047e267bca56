"""The one home of Vietnamese orthography: the checks and classes every stage uses."""

from __future__ import annotations

import re

from pipeline.orthography import (
    LOWER,
    UPPER,
    canonical,
    is_plausible_syllable,
    is_well_formed,
    nfc,
    strip_tone,
)


def test_plausible_is_looser_than_well_formed() -> None:
    assert is_plausible_syllable("NGHIÊNG") and is_well_formed("nghiêng")
    assert is_plausible_syllable("kưa") and not is_well_formed("kưa")  # k before ư: spelling forbids it
    assert not is_plausible_syllable("thx")
    assert not is_plausible_syllable(nfc("ho\u0300a\u0301"))  # two tone marks


def test_letter_classes_cover_every_marked_letter() -> None:
    capital, small = re.compile(f"[{UPPER}]"), re.compile(f"[{LOWER}]")
    assert all(capital.fullmatch(c) for c in "ĐỰỸÂẶ") and not capital.search("đựỹâặ")
    assert all(small.fullmatch(c) for c in "đựỹâặ") and not small.search("ĐỰỸÂẶ")


def test_tone_marks_are_placed_and_stripped() -> None:
    assert canonical("hoà") == "hòa" and canonical("hòa", "new") == "hoà"
    assert strip_tone("Thuỷ") == "Thuy" and strip_tone("Ướt") == "Ươt"


def test_eth_is_read_as_d_with_stroke_only_in_vietnamese_words() -> None:
    from pipeline.orthography import repair_eth_text, repair_eth_word

    assert repair_eth_word("HÐND") == "HĐND"
    assert repair_eth_word("76/QĐÐ-UBND") == "76/QĐ-UBND"
    assert repair_eth_word("Ðörður") == "Ðörður"
    assert repair_eth_text("Ðề án của HÐND, Ðörður\nÐ") == "Đề án của HĐND, Ðörður\nĐ"
