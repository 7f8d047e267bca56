"""Which truth words the searchable PDFs miss, and where vanban lost them: a reading of the last
``benchmarks.pdf`` run (its outputs in benchmarks/.cache/pdf/runs), not a new run.

    .venv/bin/python -m benchmarks.pdf_misses --per-condition 4 [--conditions clean,real]

For each page and tool, a missed word is a truth word (with multiplicity, normalised as the benchmark's
search recall counts it) that ``pdftotext`` of the output lacks. vanban's misses are then split by
where the word was lost, from the page's record:
- not in ``text.ocr`` either: the OCR never read it (restoration could only win it back from a wrong reading);
- in ``text.ocr`` but not in ``text.final``: restoration changed it away;
- in ``text.final`` but not in the PDF's text: the layer lost it.
Each word the OCR never read is shown against what text.final has in its place (difflib alignment of the
word sequences), so a mark error (which restoration could repair) is told from a misread word.
"""

from __future__ import annotations

import argparse
import difflib
import json
from collections import Counter
from pathlib import Path

from benchmarks.common import VLC_DEFAULT, markdown_table
from benchmarks.ocr.pages import build_pages, subset
from benchmarks.pdf import CACHE, REAL_DIR, TOOLS, Item, pdftotext, real_items, words
from pipeline.restore.noise import strip_marks


def missed(truth: list[str], found: list[str]) -> Counter:
    return Counter(truth) - Counter(found)


def lost_where(truth: list[str], record: dict, layer: list[str]) -> dict[str, Counter]:
    """vanban's missed words split by the stage that lost them."""
    gone = missed(truth, layer)
    final, ocr = Counter(words(record["text"]["final"] or "")), Counter(words(record["text"]["ocr"] or ""))
    have = Counter(layer)
    in_layer_lost = Counter({w: min(n, max(0, final[w] - have[w])) for w, n in gone.items()})
    rest = gone - in_layer_lost
    changed_away = Counter({w: min(n, max(0, ocr[w] - final[w])) for w, n in rest.items()})
    return {"layer lost it": +in_layer_lost, "restoration changed it": +changed_away, "OCR never read it": +(rest - changed_away)}


def in_its_place(truth_words: list[str], final_words: list[str], never: Counter) -> list[tuple[str, str]]:
    """(truth word, what text.final has in its place) for the words the OCR never read."""
    pairs, left = [], Counter(never)
    matcher = difflib.SequenceMatcher(None, truth_words, final_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        placed = final_words[j1:j2]
        for k, word in enumerate(truth_words[i1:i2]):
            if left[word] > 0:
                left[word] -= 1
                pairs.append((word, placed[k] if k < len(placed) else ""))
    return pairs


def versus_ocrmypdf(items: list[Item], runs: Path) -> list[list[object]]:
    """Per page, the words only vanban misses and those only OCRmyPDF (as the issue names it) misses."""
    rows = []
    for item in items:
        truth = words(item.truth)
        ours = missed(truth, words(pdftotext(runs / "vanban" / f"{item.key}.pdf")))
        theirs = missed(truth, words(pdftotext(runs / str(TOOLS.index("ocrmypdf")) / item.condition / f"{item.key}.pdf")))
        rows.append([item.condition, item.key, " ".join(sorted((ours - theirs).elements())) or "-",
                     " ".join(sorted((theirs - ours).elements())) or "-", " ".join(sorted((ours & theirs).elements())) or "-"])
    return rows


def kind_of(pair: tuple[str, str]) -> str:
    truth, found = pair
    if not found:
        return "no word there"
    if strip_marks(truth) == strip_marks(found):
        return "marks only"
    return "letters"


def analyse(items: list[Item], runs: Path) -> tuple[list[list[object]], list[list[object]], Counter]:
    rows, pairs_out, kinds = [], [], Counter()
    for condition in dict.fromkeys(i.condition for i in items):
        chosen = [i for i in items if i.condition == condition]
        truth_total = sum(len(words(i.truth)) for i in chosen)
        folders = {tool: runs / str(n) / condition for n, tool in enumerate(TOOLS)}
        folders["vanban"] = runs / "vanban"
        for tool, folder in folders.items():
            lost = sum(sum(missed(words(i.truth), words(pdftotext(folder / f"{i.key}.pdf"))).values()) for i in chosen)
            rows.append([condition, len(chosen), tool, truth_total, lost, f"{100 * (1 - lost / truth_total):.1f}%"])
        where: Counter = Counter()
        for item in chosen:
            record = json.loads((runs / "vanban" / f"{item.key}.json").read_text(encoding="utf-8"))
            split = lost_where(words(item.truth), record, words(pdftotext(runs / "vanban" / f"{item.key}.pdf")))
            where.update({k: sum(v.values()) for k, v in split.items()})
            for pair in in_its_place(words(item.truth), words(record["text"]["final"] or ""), split["OCR never read it"]):
                kinds[(condition, kind_of(pair))] += 1
                pairs_out.append([condition, item.key, pair[0], pair[1] or "-", kind_of(pair)])
        rows.append([condition, len(chosen), "vanban misses by stage", "", "; ".join(f"{k}: {n}" for k, n in where.items()), ""])
    return rows, pairs_out, kinds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="words the searchable PDFs miss (reads the last benchmarks.pdf run)")
    parser.add_argument("--corpus", type=Path, default=VLC_DEFAULT)
    parser.add_argument("--real", type=Path, default=REAL_DIR)
    parser.add_argument("--per-condition", type=int, default=4)
    parser.add_argument("--conditions", default="clean,real")
    args = parser.parse_args(argv)
    wanted = set(args.conditions.split(","))
    pages = subset(build_pages(args.corpus, args.per_condition), args.per_condition)
    items = [Item(p.key, p.condition, p.path, p.truth, p.dpi) for p in pages] + real_items(args.real)
    rows, pairs, kinds = analyse([i for i in items if i.condition in wanted], CACHE / "runs")
    print(markdown_table(["condition", "pages", "tool", "truth words", "missed", "recall"], rows))
    print()
    print(markdown_table(["condition", "what text.final has where the OCR never read the word", "words"],
                         [[c, k, n] for (c, k), n in sorted(kinds.items())]))
    print()
    print(markdown_table(["condition", "page", "truth word", "text.final in its place", "kind"], pairs))
    print()
    print(markdown_table(["condition", "page", "missed by vanban only", "missed by OCRmyPDF only", "missed by both"],
                         versus_ocrmypdf([i for i in items if i.condition in wanted], CACHE / "runs")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
