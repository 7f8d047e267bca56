"""Read a batch's records back and summarise their quality: the terminal summary and the HTML report.

The HTML report is one self-contained file (thumbnails inlined as base64 PNG, CSS inline) that a
reviewer opens in any browser: per document, each page's thumbnail beside its final text, with words
Tesseract was unsure of and words restoration changed highlighted (hover shows confidence or the
original spelling).
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pipeline.document import PAGE_SEPARATOR, OffsetMap
from pipeline.quality.checks import DEFAULT_THRESHOLDS, VERDICT_RANK

THUMB_WIDTH = 360


def page_rows(records: Iterable[dict]) -> list[dict]:
    """One row per page of every record: its document, verdict, reasons and key signals."""
    rows = []
    for record in records:
        quality = record.get("quality") or {}
        name = (record.get("source") or {}).get("name") or ""
        pages = quality.get("pages") or []
        if not pages:
            rows.append(
                {
                    "document": name,
                    "page": None,
                    "verdict": quality.get("verdict", "bad"),
                    "reasons": quality.get("reasons", []),
                    "confidence_mean": None,
                    "valid_after": None,
                }
            )
        for page in pages:
            rows.append({"document": name, **page})
    return rows


def badness(row: dict) -> tuple:
    """Sort key, worst first: verdict, then lowest confidence, then fewest valid syllables."""
    conf = row.get("confidence_mean")
    valid = row.get("valid_after")
    return (
        -VERDICT_RANK.get(row.get("verdict", "ok"), 0),
        conf if conf is not None else 101.0,
        valid if valid is not None else 2.0,
    )


def summary_text(records: list[dict], worst: int = 10) -> str:
    """The terminal summary: documents and pages per verdict, then the worst pages with reasons."""
    docs = Counter((r.get("quality") or {}).get("verdict", "bad") for r in records)
    rows = page_rows(records)
    pages = Counter(row["verdict"] for row in rows if row.get("page") is not None)
    lines = [
        f"documents: {len(records)}  " + "  ".join(f"{v}: {docs.get(v, 0)}" for v in ("ok", "review", "bad")),
        f"pages:     {sum(pages.values())}  "
        + "  ".join(f"{v}: {pages.get(v, 0)}" for v in ("ok", "review", "bad")),
    ]
    flagged = sorted((r for r in rows if r["verdict"] != "ok"), key=badness)[:worst]
    if flagged:
        lines.append("")
        lines.append(f"worst pages (up to {worst}):")
        for row in flagged:
            where = f"{row['document']} p.{row['page']}" if row.get("page") else row["document"]
            conf = row.get("confidence_mean")
            conf_text = f"conf {conf:.0f}" if conf is not None else "conf -"
            lines.append(
                f"  {row['verdict']:<6} {where:<40} {conf_text:<9} {'; '.join(row.get('reasons', []))}"
            )
    return "\n".join(lines)


# --- HTML ---------------------------------------------------------------------------------------


def _thumbnails(record: dict) -> dict[int, str]:
    """Page number -> data URI of a small PNG, rendered from the source file; {} when it is gone."""
    from pipeline.ingest.discover import open_document, open_folder_document
    from pipeline.ingest.render import load_page_image
    from pipeline.record import OcrOptions

    source = record.get("source") or {}
    path = Path(source.get("path") or "")
    if source.get("kind") in (None, "text") or not path.exists():
        return {}
    options = OcrOptions(dpi=40)  # a PDF page rendered straight at thumbnail size
    try:
        document = open_folder_document(path, options) if path.is_dir() else open_document(path, options)
    except Exception:  # noqa: BLE001 - the report still shows the text without its picture
        return {}
    from PIL import Image

    out = {}
    for ctx in document.pages:
        try:
            pixels, _ = load_page_image(replace(ctx, options=options))
        except Exception:  # noqa: BLE001
            continue
        image = Image.fromarray(pixels)
        image.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 2))
        # 32 colours keep text and a red stamp legible at a fifth of the bytes of full colour.
        image = image.quantize(colors=32)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        out[ctx.number] = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return out


def _highlight_spans(record: dict, low_confidence: float) -> list[tuple[int, int, str, str]]:
    """(start, end, css class, tooltip) in text.final for low-confidence words and restoration changes."""
    restoration = record.get("restoration") or {}
    changes = sorted(restoration.get("changes") or [], key=lambda c: c["start"])
    mapped = restoration.get("encoding") is None
    to_final = OffsetMap(changes if mapped else [])
    spans: list[tuple[int, int, str, str]] = []
    finals = []
    for change in changes if mapped else []:
        start = to_final(change["start"])
        finals.append(
            (start + len(change["chosen"]), len(change["chosen"]) - (change["end"] - change["start"]))
        )
        spans.append((start, start + len(change["chosen"]), "changed", f"was: {change['original']}"))
    for page in record.get("pages") or []:
        final_start = page.get("text_start")
        if final_start is None:
            continue
        # The page's offset before restoration: undo the shifts of changes that end before it.
        pre_start = final_start - sum(delta for end, delta in finals if end <= final_start)
        for line in page.get("lines") or []:
            for word in line.get("words") or []:
                if 0 <= word["confidence"] < low_confidence:
                    start = to_final(pre_start + word["start"])
                    end = to_final(pre_start + word["end"])
                    spans.append((start, end, "lowconf", f"confidence {word['confidence']:.0f}"))
    return spans


def _marked_text(text: str, offset: int, spans: list[tuple[int, int, str, str]]) -> str:
    """HTML of ``text`` (which starts at ``offset`` of text.final) with the spans inside it marked."""
    inside = sorted(
        (
            (max(s, offset), min(e, offset + len(text)), cls, tip)
            for s, e, cls, tip in spans
            if s < offset + len(text) and e > offset
        ),
        key=lambda s: (s[0], -s[1]),
    )
    parts, cursor = [], offset
    for start, end, cls, tip in inside:
        if start < cursor:
            continue  # overlapping marks: the first one wins
        parts.append(html.escape(text[cursor - offset : start - offset]))
        parts.append(
            f'<mark class="{cls}" title="{html.escape(tip)}">{html.escape(text[start - offset : end - offset])}</mark>'
        )
        cursor = end
    parts.append(html.escape(text[cursor - offset :]))
    return "".join(parts)


_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
.page{display:flex;gap:1.2em;margin:1em 0;padding:.8em;background:#fff;border:1px solid #ddd;border-radius:6px}
.page img{width:THUMBpx;flex:none;border:1px solid #bbb;align-self:flex-start}
.noimg{width:THUMBpx;flex:none;color:#888;font-style:italic}
.text{white-space:pre-wrap;font-family:'Liberation Serif','Times New Roman',serif;font-size:15px;line-height:1.45;flex:1}
mark.lowconf{background:#ffd7d7} mark.changed{background:#d7e8ff;text-decoration:underline dotted}
.verdict{font-weight:bold;padding:.1em .5em;border-radius:4px}
.ok{background:#d9f2d9} .review{background:#fff0c2} .bad{background:#ffd0d0}
.reasons{font-size:.9em;color:#555;margin:.3em 0} table{border-collapse:collapse}
td,th{padding:.2em .8em;border-bottom:1px solid #ddd;text-align:left}
""".replace("THUMB", str(THUMB_WIDTH))


def html_report(
    records: list[dict],
    *,
    title: str,
    low_confidence: float = DEFAULT_THRESHOLDS.low_confidence,
    thumbnails: bool = True,
) -> str:
    """The whole report as one HTML string, documents worst first."""
    docs = Counter((r.get("quality") or {}).get("verdict", "bad") for r in records)
    out = [
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<table><tr><th>verdict</th><th>documents</th></tr>",
        *(
            f"<tr><td><span class='verdict {v}'>{v}</span></td><td>{docs.get(v, 0)}</td></tr>"
            for v in ("ok", "review", "bad")
        ),
        "</table>",
        "<p><mark class='lowconf'>low OCR confidence</mark> &nbsp; <mark class='changed'>changed by restoration</mark>"
        " (hover a mark for details)</p>",
    ]
    ordered = sorted(
        records, key=lambda r: -VERDICT_RANK.get((r.get("quality") or {}).get("verdict", "bad"), 2)
    )
    for record in ordered:
        out.extend(_document_html(record, low_confidence, thumbnails))
    out.append("</body></html>")
    return "\n".join(out)


def _document_html(record: dict, low_confidence: float, thumbnails: bool) -> list[str]:
    source = record.get("source") or {}
    quality = record.get("quality") or {}
    verdict = quality.get("verdict", "bad")
    out = [
        f"<h2>{html.escape(source.get('name') or '')} <span class='verdict {verdict}'>{verdict}</span></h2>",
        f"<div class='reasons'>{html.escape(source.get('path') or '')}</div>",
    ]
    for error in record.get("errors") or []:
        out.append(
            f"<div class='reasons'>error ({html.escape(error['code'])}): {html.escape(error['message'])}</div>"
        )
    final = (record.get("text") or {}).get("final") or ""
    spans = _highlight_spans(record, low_confidence)
    thumbs = _thumbnails(record) if thumbnails else {}
    page_quality = {p["page"]: p for p in quality.get("pages") or []}
    for page in record.get("pages") or []:
        number = page["number"]
        start = page.get("text_start", 0)
        end = page.get("text_end", len(final))
        text = final[start:end].strip(PAGE_SEPARATOR)
        start = final.find(text, start) if text else start
        pq = page_quality.get(number, {})
        pv = pq.get("verdict", "ok")
        image = (
            f"<img alt='page {number}' src='{thumbs[number]}'>"
            if number in thumbs
            else "<div class='noimg'>no image</div>"
        )
        reasons = "; ".join(pq.get("reasons", []))
        out.append(
            f"<div class='page'>{image}<div style='flex:1'><div><b>page {number}</b> "
            f"<span class='verdict {pv}'>{pv}</span> <span class='reasons'>{html.escape(reasons)}</span></div>"
            f"<div class='text'>{_marked_text(text, start, spans)}</div></div></div>"
        )
    return out
