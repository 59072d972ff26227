"""Viewing parsed trials: criteria with highlighted entities, in a terminal or as HTML.

HTML is rendered here, in displaCy's entity style, with every piece of text escaped (no spaCy:
the reports that embed it never import the pipeline)."""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence

from nlp.core.document import ParsedTrial
from nlp.core.entity import Entity

_COLORS = {
    "AGE": "#f6c28b", "SEX": "#f6c28b", "MEASUREMENT": "#9ecae1", "VALUE": "#c7e9c0",
    "REF_RANGE": "#a1d99b", "CONDITION": "#fdae6b", "PREGNANCY": "#fdd0a2", "THERAPY": "#bcbddc",
    "PROCEDURE": "#dadaeb", "TEMPORAL": "#fff7bc", "TRIAL_PARTICIPATION": "#d9d9d9",
    "CONSENT": "#e5f5e0", "JUDGEMENT": "#fcbba1", "OTHER": "#f0f0f0",
}
_ANSI = {"MEASUREMENT": 36, "VALUE": 32, "REF_RANGE": 32, "CONDITION": 33, "PREGNANCY": 33,
         "THERAPY": 35, "PROCEDURE": 35, "TEMPORAL": 34, "AGE": 31, "SEX": 31}


def _flags(ent: Entity) -> str:
    f = [n for n in ("negated", "historical", "hypothetical", "family", "excepted") if getattr(ent, n)]
    return ",".join(f)


def render_terminal(doc: ParsedTrial, color: bool = False) -> str:
    rec = doc.record
    out = [f"{rec.nct_id or rec.source}  {rec.brief_title or ''}".rstrip()]
    text = rec.eligibility_text
    for c in doc.criteria:
        own = c.text
        pieces: list[str] = []
        pos = 0
        for e in sorted(c.entities, key=lambda x: x.start):
            # entity offsets are in the eligibility text; render on the criterion's own text
            rel = own.find(e.text, pos)
            if rel < 0:
                continue
            pieces.append(own[pos:rel])
            tag = e.label + (f":{e.concept_id}" if e.concept_id else "") + (f"|{_flags(e)}" if _flags(e) else "")
            if color:
                pieces.append(f"\033[{_ANSI.get(e.label, 37)}m[{e.text}]\033[0m\033[2m{tag}\033[0m")
            else:
                pieces.append(f"[{e.text}]{{{tag}}}")
            pos = rel + len(e.text)
        pieces.append(own[pos:])
        indent = "  " * (c.depth + 1)
        out.append(f"{indent}{c.id:<8} " + "".join(pieces).replace("\n", " "))
    del text
    return "\n".join(out) + "\n\n"


_MARK = ("<mark class=\"entity\" style=\"background: {color}; padding: 0.45em 0.6em; margin: 0 0.25em; "
         "line-height: 1; border-radius: 0.35em;\">{text}<span style=\"font-size: 0.8em; font-weight: bold; "
         "line-height: 1; border-radius: 0.35em; vertical-align: middle; margin-left: 0.5rem\">{label}</span></mark>")


def _esc(text: str) -> str:
    return html_lib.escape(text).replace("\n", "<br>")


def highlight_html(text: str, ents: Sequence[tuple[int, int, str, str]]) -> str:
    """``text`` with (start, end, label, color) spans marked; all text and labels escaped."""
    out, pos = [], 0
    for start, end, label, color in sorted(ents):
        if start < pos:
            continue  # overlapping spans: the first wins
        out.append(_esc(text[pos:start]))
        out.append(_MARK.format(color=html_lib.escape(color, quote=True), text=_esc(text[start:end]),
                                label=html_lib.escape(label)))
        pos = end
    out.append(_esc(text[pos:]))
    return f'<div class="entities" style="line-height: 2.5; direction: ltr">{"".join(out)}</div>'


def render_criteria_html(doc: ParsedTrial, colors: dict[str, str] | None = None) -> str:
    """One trial's criteria as HTML fragments (one ``<div class="crit">`` each), entities
    highlighted."""
    colors = {} if colors is None else colors
    items = []
    for c in doc.criteria:
        ents = []
        for e in c.entities:
            rel = e.start - c.text_start
            # map back to the criterion's clean text (escapes removed)
            rel_start = c.text.find(e.text, max(0, rel - len(c.escapes)))
            if rel_start < 0:
                continue
            label = e.label + (f" {e.concept_id}" if e.concept_id else "")
            colors[label] = _COLORS.get(e.label, "#eeeeee")
            ents.append((rel_start, rel_start + len(e.text), label, colors[label]))
        items.append(
            f'<div class="crit" style="margin-left:{c.depth * 2}em"><b>{html_lib.escape(c.id)}</b> '
            f"{highlight_html(c.text, ents)}</div>"
        )
    return "".join(items)


def render_html(docs: Sequence[ParsedTrial]) -> str:
    parts = []
    colors: dict[str, str] = {}
    for doc in docs:
        rec = doc.record
        title = html_lib.escape(f"{rec.nct_id or rec.source} {rec.brief_title or ''}")
        parts.append(f"<section><h2>{title}</h2>{render_criteria_html(doc, colors)}</section>")
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>elig show</title></head>"
        f"<body style='font-family:sans-serif'>{''.join(parts)}</body></html>\n"
    )


# -- self-contained HTML pages (inline CSS, no scripts, no external resources; every text escaped) --
CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;max-width:1400px}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em} th,td{border:1px solid #ddd;padding:.25em .45em;vertical-align:top}
th{background:#f4f4f4;text-align:left} td.none{color:#bbb;text-align:center}
.mark{display:inline-block;font-size:.75em;padding:0 .35em;border-radius:.6em;margin-left:.3em}
.m-stricter{background:#fdd0a2}.m-looser{background:#c7e9c0}.m-equal{background:#e0e0e0}
.m-disjoint{background:#fb6a4a;color:#fff}.m-mixed{background:#dadaeb}.m-incomparable{background:#f0f0f0}
.m-unique{background:#ffe066}
tr.unique td.cell{background:#fffbe6}
details.ev summary{cursor:pointer;color:#555;font-size:.75em} details.ev{font-size:.8em;color:#444}
.finding.warning{color:#a50f15} .finding.info{color:#555}
figure{margin:1em 0} figure svg{max-width:100%;height:auto}
.crit{margin:.2em 0} details.trial{margin:.4em 0} details.trial>summary{font-weight:600;cursor:pointer}
.small{font-size:.8em;color:#555}
.v-fail{color:#a50f15;font-weight:600} .v-review{color:#8a5a00;font-weight:600} .v-eligible{color:#1b7837;font-weight:600}
blockquote{margin:.2em 0 .2em 1em;padding-left:.6em;border-left:3px solid #ddd;color:#333}
"""


def esc(text: object) -> str:
    return html_lib.escape(str(text), quote=True)


def page(title: str, body: str, css: str = "") -> str:
    """A self-contained page: the shared style sheet plus ``css`` (the page's own rules)."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{CSS}{css}</style></head>\n<body>\n{body}\n</body></html>\n")


def table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """``rows`` cells are already HTML (escape before)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
