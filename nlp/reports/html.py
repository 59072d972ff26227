"""A minimal self-contained HTML page: inline CSS, no scripts, no external resources.
Every text from a record goes through ``esc`` (``html.escape`` with quotes)."""

from __future__ import annotations

import html as html_lib

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
"""


def esc(text: object) -> str:
    return html_lib.escape(str(text), quote=True)


def page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


def figure(svg: str | None, caption: str, fig_id: str) -> str:
    if not svg:
        return ""
    return f'<figure id="{esc(fig_id)}" class="plot">{svg}<figcaption class="small">{esc(caption)}</figcaption></figure>'


def table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """``rows`` cells are already HTML (escape before)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Html(str):
    """A string that notebooks display as HTML (or SVG markup): ``Html(svg)`` in a cell shows
    the plot; no IPython import needed."""

    def _repr_html_(self) -> str:
        return str(self)
