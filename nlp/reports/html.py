"""A minimal self-contained HTML page: inline CSS, no scripts, no external resources.
Every text from a record goes through ``esc`` (``html.escape`` with quotes)."""

from __future__ import annotations

from nlp.show import CSS, esc, page, table  # the page helpers live below both reports and matching

__all__ = ["CSS", "Html", "esc", "figure", "page", "table"]


def figure(svg: str | None, caption: str, fig_id: str) -> str:
    if not svg:
        return ""
    return f'<figure id="{esc(fig_id)}" class="plot">{svg}<figcaption class="small">{esc(caption)}</figcaption></figure>'


class Html(str):
    """A string that notebooks display as HTML (or SVG markup): ``Html(svg)`` in a cell shows
    the plot; no IPython import needed."""

    def _repr_html_(self) -> str:
        return str(self)
