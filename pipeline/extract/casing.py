"""Turn a body's name printed in capitals ("SỞ GIÁO DỤC VÀ ĐÀO TẠO") into its written form
("Sở Giáo dục và Đào tạo"): first from the document itself, else by the naming rules of public bodies."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .lexicon import fold, place_names

_FIXED = {
    "ỦY BAN NHÂN DÂN": "Ủy ban nhân dân",
    "UỶ BAN NHÂN DÂN": "Uỷ ban nhân dân",
    "HỘI ĐỒNG NHÂN DÂN": "Hội đồng nhân dân",
    "CHÍNH PHỦ": "Chính phủ",
    "QUỐC HỘI": "Quốc hội",
    "NHÀ NƯỚC": "Nhà nước",
    "BỘ CÔNG THƯƠNG": "Bộ Công Thương",
    "SỞ CÔNG THƯƠNG": "Sở Công Thương",
    "XÃ HỘI": "xã hội",
    "NHÂN DÂN": "nhân dân",
}
# Names whose first syllable is capitalised and whose second is not ("Văn phòng", "Trung tâm").
_TWO_SYLLABLE_HEADS = {
    "VĂN PHÒNG", "TRUNG TÂM", "CHI CỤC", "TỔNG CỤC", "CÔNG AN", "THANH TRA", "KHO BẠC", "BỆNH VIỆN",
    "HỘI ĐỒNG", "CÔNG TY", "LIÊN ĐOÀN", "BẢO HIỂM", "MẶT TRẬN", "NGÂN HÀNG", "ĐẢNG ỦY", "ĐẢNG UỶ",
    "THỦ TƯỚNG", "TỈNH ỦY", "HUYỆN ỦY", "TÒA ÁN", "VIỆN KIỂM", "ĐẠI HỌC", "CAO ĐẲNG", "HỌC VIỆN",
}
_ONE_SYLLABLE_HEADS = {"SỞ", "BỘ", "PHÒNG", "BAN", "CỤC", "VỤ", "VIỆN", "TRƯỜNG", "ĐÀI", "ĐOÀN", "HỘI", "TỔ", "TRẠM"}
_LEVELS = ["KHU VỰC", "THÀNH PHỐ", "THỊ XÃ", "THỊ TRẤN", "ĐẶC KHU", "TỈNH", "HUYỆN", "QUẬN", "PHƯỜNG", "XÃ"]
_VOWELS = set("AĂÂEÊIOÔƠUƯYÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ")


_ABBREVIATIONS = {
    "UBND", "HĐND", "MTTQ", "UBMTTQ", "THPT", "THCS", "GDĐT", "KBNN", "BHXH", "BCH", "BCĐ", "TW", "UBKT",
    "VHXH", "TNMT", "NNPTNT", "LĐTBXH", "KHĐT", "TTTT", "GTVT", "CAND", "QĐND", "HTX", "TNHH", "TP", "TT",
}


def _is_abbreviation(word: str) -> bool:
    """UBND, HĐND, GDĐT, XIV: kept as printed (known, vowel-less, with digits, or a roman numeral)."""
    core = word.strip(",.;:()")
    letters = [c for c in core if c.isalpha()]
    if not letters:
        return False
    return (
        core in _ABBREVIATIONS
        or not any(c in _VOWELS for c in letters)
        or any(c.isdigit() for c in core)
        or bool(re.fullmatch(r"[IVXLC]+", core))
    )


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def from_document(upper: str, text: str) -> str | None:
    """The same name written in mixed case elsewhere in the document, if it is there."""
    words = upper.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    for match in re.finditer(rf"(?<!\w){pattern}(?!\w)", text, flags=re.IGNORECASE):
        found = match.group(0)
        if any(c.islower() for c in found) and found[:1].isupper():
            return re.sub(r"\s+", " ", found)
    # A scan's header may carry a mark OCR misread ("BỘ GIÁO ĐỤC VÀ ĐÀO TẠO"): the same letters without
    # marks, written in mixed case in the body, are the name.
    folded = fold(upper).split()
    for match in re.finditer(rf"(?<!\w){re.escape(words[0][:1])}\w*" + r"(?:\s+\w+)" * (len(words) - 1),
                             text, flags=re.IGNORECASE):
        found = re.sub(r"\s+", " ", match.group(0))
        if any(c.islower() for c in found) and found[:1].isupper() and fold(found).split() == folded:
            return found
    return None


def by_rules(upper: str) -> str:
    """Capitalise a public body's name as the decree's examples do."""
    text = re.sub(r"\s+", " ", upper.strip())
    for fixed, written in _FIXED.items():
        text = re.sub(rf"(?<!\w){fixed}(?!\w)", written.replace(" ", "\u0001"), text)
    words = text.split(" ")
    out: list[str] = []
    capital_next = True
    place_mode = False
    i = 0
    while i < len(words):
        word = words[i].replace("\u0001", " ")
        pair = " ".join(words[i : i + 2]).replace("\u0001", " ")
        if word != word.upper() or not word[:1].isalpha():  # already written (fixed phrase) or punctuation
            if word in {"-", ","} or word.endswith(","):
                capital_next = True
            out.append(word[:1].upper() + word[1:] if capital_next and word[:1].islower() else word)
            if word not in {"-", ","} and not word.endswith(","):
                capital_next = False
            i += 1
            continue
        level = next((lv for lv in _LEVELS if pair.startswith(lv + " ") or pair == lv or word == lv), None)
        if level and out and i + len(level.split()) < len(words):
            out.append(level.lower())
            i += len(level.split())
            place_mode = True
            continue
        if _is_abbreviation(word):
            out.append(word)
            capital_next = True
            i += 1
            continue
        if place_mode:
            out.append(_cap(word))
            i += 1
            continue
        if pair in _TWO_SYLLABLE_HEADS:
            out.append(_cap(words[i]) + " " + words[i + 1].lower())
            capital_next = True
            i += 2
            continue
        if word == "VÀ":
            out.append("và")
            capital_next = True
        elif word in {"-", "–"}:
            out.append(word)
            capital_next = True
        elif capital_next or not out:
            clean = word.rstrip(",")
            out.append(_cap(clean) + word[len(clean) :])
            capital_next = word in _ONE_SYLLABLE_HEADS or word.endswith(",")
        else:
            out.append(word.lower())
            capital_next = word.endswith(",")
        i += 1
    result = " ".join(out)
    return result[:1].upper() + result[1:]


def proper_name(upper: str, text: str) -> str:
    """Written form of a capitalised name: as the document writes it elsewhere, else by rule, with the
    longest tail that the document writes in mixed case ("... Nguyễn Văn Trỗi") taken from it."""
    found = from_document(upper, text)
    if found:
        return found
    written = by_rules(upper)
    words = upper.split()
    out_words = written.split()
    if len(out_words) == len(words):
        for k in range(1, len(words) - 1):
            tail = from_document(" ".join(words[k:]), text)
            if tail and len(tail.split()) == len(words) - k:
                written = " ".join(out_words[:k] + tail.split())
                break
    # A place name the rules lower-cased by mistake is restored from the gazetteer.
    for name in place_names():
        low = name.lower()
        if len(name) > 3 and low in written and name not in written and written.endswith(low):
            written = written[: -len(low)] + name
    return written


def sentence_case(upper: str, text: str, first_upper: bool = True) -> str:
    """A title printed in capitals ("PHÊ DUYỆT DANH MỤC ... TỈNH BẮC NINH NĂM 2026") in sentence case: each
    word lower-cased unless it is an abbreviation or the document writes it capitalised more often than
    not after the same word inside its sentences (proper names: "tỉnh Bắc Ninh"; "trụ sở" stays lower
    though "Sở Xây dựng" is capitalised); the first letter upper-case unless ``first_upper`` is False (a
    title whose "VỀ VIỆC" was dropped goes on in lower case: "giải quyết ...")."""
    after: Counter = Counter()
    before: Counter = Counter()  # (word as written, next word lower-cased): "thủ tục" apart from "Thủ tướng"
    alone: Counter = Counter()
    for line in text.split("\n"):
        letters = [c for c in line if c.isalpha()]
        if not letters or sum(c.isupper() for c in letters) > 0.6 * len(letters):
            continue  # a line in capitals says nothing about case
        prev = last_inside = ""
        for m in re.finditer(r"\w+|[.:;!?(•+-]", line):
            word = m.group()
            if not word[0].isalnum():
                prev = last_inside = ""  # a sentence or item starts after this mark
                continue
            if prev:
                after[(prev, word)] += 1
                alone[word] += 1
                if last_inside:
                    before[(last_inside, word.lower())] += 1
            last_inside = word if prev else ""
            prev = word.lower()
    out: list[str] = []
    words = upper.split()
    for i, word in enumerate(words):
        core = word.strip(",.;:()\"'“”")
        if len(core) == 1 and out and out[-1].lower() == "điểm":  # "điểm b khoản 2": a point of an article
            out.append(word.lower())
            continue
        if not core or _is_abbreviation(core):
            out.append(word)
            continue
        if "/" in core and any(_is_abbreviation(part) for part in core.split("/")):  # "PHÁP/UBND"
            head, _, tail = word.partition("/")
            out.append(sentence_case(head, text, first_upper=False) + "/" + tail)
            continue
        cap, low = core[:1] + core[1:].lower(), core.lower()
        prev = out[-1].strip(",.;:()\"'“”").lower() if out else ""
        nxt = words[i + 1].strip(",.;:()\"'“”").lower() if i + 1 < len(words) else ""
        votes = (after[(prev, cap)], after[(prev, low)])
        if votes == (0, 0):
            votes = (before[(cap, nxt)], before[(low, nxt)])
        if votes == (0, 0):
            votes = (alone[cap], alone[low])
        out.append(word.replace(core, cap if votes[0] > votes[1] else low))
    result = " ".join(out)
    return result[:1].upper() + result[1:] if first_upper else result


_LOWER_LEVELS = ("thành phố", "thị xã", "thị trấn", "tỉnh", "huyện", "quận", "phường", "xã")


def restore_case(lowered: str) -> str:
    """Capitals a lower-cased title line lost, where rules can tell: place names after a level word
    ("tỉnh bình thuận" -> "tỉnh Bình Thuận", checked against the gazetteer), symbols ("42/2006/nq-hđnd"
    -> "42/2006/NQ-HĐND"), Roman numerals after "khóa", abbreviations in brackets ("(oda)" -> "(ODA)"),
    "Hội đồng nhân dân", "Ủy ban nhân dân". Everything else stays as written, the first letter included."""
    text = re.sub(r"(?<!\w)(\d{1,5}/(?:\d{4}/)?)([a-zđ]+(?:-[a-zđ]+)*)(?!\w)",
                  lambda m: m.group(1) + m.group(2).upper(), lowered)
    text = re.sub(r"\b(khóa|khoá)\s+([ivxl]+)\b", lambda m: f"{m.group(1)} {m.group(2).upper()}", text)
    text = re.sub(r"\(([a-zđ]{2,6})\)", lambda m: f"({m.group(1).upper()})", text)
    text = re.sub(r"(?<!\w)(ubnd|hđnd)(?!\w)", lambda m: m.group(1).upper(), text)
    text = re.sub(r"(?<!\w)(hội đồng nhân dân|ủy ban nhân dân|uỷ ban nhân dân)", lambda m: m.group(1)[:1].upper() + m.group(1)[1:],
                  text)
    text = re.sub(r"(?<=\s)(nghị quyết|quyết định|chỉ thị|thông tư|nghị định|luật|kế hoạch|công văn)(?=\s+số\s)",
                  lambda m: m.group(1)[:1].upper() + m.group(1)[1:], text)
    names = _places_by_lower()
    for level in _LOWER_LEVELS:
        def fix(m: re.Match, level: str = level) -> str:
            words = m.group(2).split()
            for k in (3, 2, 1):
                key = " ".join(words[:k])
                if len(words) >= k and key in names:
                    return f"{m.group(1)} {names[key]}" + "".join(" " + w for w in words[k:])
            return m.group(0)
        text = re.sub(rf"(?<!\w)({level})\s+((?:[a-zđà-ỹ]+\s*){{1,3}})", fix, text)
    return text


@lru_cache(maxsize=1)
def _places_by_lower() -> dict[str, str]:
    return {n.lower(): n for n in place_names()}


@lru_cache(maxsize=1)
def _places_by_fold() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in place_names():
        out.setdefault(fold(name), []).append(name)
    return out


def known_place(name: str) -> str:
    """A body's name whose place OCR misread in its marks ("Ủy ban nhân dân thành phố Cân Thơ") with the
    place as the gazetteer writes it, when exactly one place has those letters; else unchanged."""
    m = re.search(r"(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường)\s+(?P<place>[A-ZĐÀ-Ỹ].*)$", name)
    if not m or m.group("place") in place_names():
        return name
    found = _places_by_fold().get(fold(m.group("place")), [])
    return name[: m.start("place")] + found[0] if len(found) == 1 else name
