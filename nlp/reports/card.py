"""The eligibility card of one trial: each criterion's source text beside what the analyzer read
from it, in plain language, so a person can check the reading before trusting the matcher.

Per criterion: its text with the words each constraint was read from highlighted, then its
constraints as sentences ("Exclude if ALT is above 2.5 × the upper limit of normal"), combined as
the text combines them ("Requires any one of:", "Exclude if any of:"), sub-criteria nested under
their parent, and a criterion nothing could be read from with the reason. The record's structured
fields (age limits, sex) come first. Markdown (``.md``) or a self-contained HTML page (``.html``);
every record text is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nlp.core.constraints import AnyConstraint, Group
from nlp.core.document import AnnotatedCriterion, ParsedTrial
from nlp.core.labels import GroupOp
from nlp.core.wording import phrase, sentence, verb
from nlp.reports.html import esc, page

CARD_FORMATS = (".html", ".md")
_SECTIONS = (("inclusion", "Inclusion criteria"), ("exclusion", "Exclusion criteria"),
             ("unspecified", "Criteria the record does not mark as inclusion or exclusion"))


@dataclass
class Line:
    """One line of a criterion's reading, ``depth`` levels under the criterion."""

    text: str
    depth: int = 0


@dataclass
class CardItem:
    criterion: AnnotatedCriterion
    lines: list[Line]
    spans: list[tuple[int, int]]  # the words read, as offsets in the criterion's own text
    children: list[CardItem] = field(default_factory=list)

    @property
    def status(self) -> str:
        """computable | judgement | not_computable | container: what the card's marker shows."""
        c = self.criterion
        if c.reason and c.reason.startswith("container:"):
            return "container"
        if not c.computable:
            return "judgement" if any(k.kind == "judgement" for k in c.constraints) else "not_computable"
        return "computable"


@dataclass
class Card:
    trial: ParsedTrial
    record: list[str]  # the structured fields' constraints as sentences
    sections: list[tuple[str, list[CardItem]]]

    @property
    def label(self) -> str:
        r = self.trial.record
        return r.nct_id or r.source

    def counts(self) -> dict[str, int]:
        out = {"computable": 0, "judgement": 0, "not_computable": 0}
        stack = [it for _, items in self.sections for it in items]
        while stack:
            it = stack.pop()
            stack.extend(it.children)
            if it.status in out:
                out[it.status] += 1
        return out


def _op_words(group: Group, effect: str, nested: bool = False) -> str:
    """ "Requires any one of:", "Exclude if any of:"; a nested group without the verb ("all of:")."""
    if group.op == GroupOp.AT_LEAST:
        words = f"at least {group.n} of:"
    else:
        words = f"{'all' if group.op == GroupOp.ALL else 'any one' if effect == 'include' else 'any'} of:"
    return words if nested else f"{verb(effect)} {words}"


def _lines(crit: AnnotatedCriterion) -> list[Line]:
    """The criterion's reading: its constraints as sentences, grouped as its logic says."""
    by_id = {c.id: c for c in crit.constraints}
    effect = "exclude" if crit.section == "exclusion" else "include"

    def item(x: str | Group, depth: int) -> list[Line]:
        if isinstance(x, Group):
            if len(x.items) == 1:
                return item(x.items[0], depth)
            return [Line(_op_words(x, effect, nested=depth > 0), depth)] + [
                ln for y in x.items for ln in item(y, depth + 1)]
        c: AnyConstraint | None = by_id.get(x)
        if c is None:  # a sub-criterion
            return [Line(f"criterion {x} (below)", depth)]
        # alone, a judgement quotes its criterion; in a group, the words read (the text is beside)
        return [Line(phrase(c) if depth else sentence(c, crit.text), depth)]

    out: list[Line] = []
    logic = crit.logic
    if logic is not None and logic.items:
        if all(isinstance(x, str) and x not in by_id for x in logic.items):  # only sub-criteria
            out = [Line(("Exclude if the part below holds" if effect == "exclude" else "Requires the part below")
                        if len(logic.items) == 1 else
                        f"{_op_words(logic, effect).removesuffix(' of:')} of the parts below")]
        elif len(logic.items) == 1:
            out = item(logic.items[0], 0)
        else:
            out = [Line(_op_words(logic, effect))] + [ln for y in logic.items for ln in item(y, 1)]
    else:  # constraints without logic: each stands alone
        out = [Line(sentence(c, crit.text)) for c in crit.constraints]
    reason = crit.reason or ""
    if not crit.computable and not reason.startswith("container:") and not crit.constraints:
        out.append(Line(f"Not computable: {reason or 'nothing could be read'}"))
    elif reason and not reason.startswith("container:") and not (
            len(crit.constraints) == 1 and crit.constraints[0].kind == "judgement"):  # said by its line
        out.append(Line(f"Note: {reason}"))
    return out


def _spans(crit: AnnotatedCriterion) -> list[tuple[int, int]]:
    """Where each constraint's evidence sits in the criterion's own text (evidence offsets are in
    the eligibility text; escapes removed from the criterion text shift them a little)."""
    out: set[tuple[int, int]] = set()
    for c in crit.constraints:
        ev = c.evidence
        if ev is None or not ev.text:
            continue
        rel = ev.start - crit.text_start
        at = crit.text.find(ev.text, max(0, rel - len(crit.escapes) - 1))
        if at < 0:
            at = crit.text.find(ev.text)
        if at >= 0:
            out.add((at, at + len(ev.text)))
    kept: list[tuple[int, int]] = []
    for s, e in sorted(out):  # overlapping evidence merged
        if kept and s <= kept[-1][1]:
            kept[-1] = (kept[-1][0], max(e, kept[-1][1]))
        else:
            kept.append((s, e))
    return kept


def build_card(doc: ParsedTrial) -> Card:
    items = {c.id: CardItem(c, _lines(c), _spans(c)) for c in doc.criteria}
    roots: dict[str, list[CardItem]] = {}
    for c in doc.criteria:
        if c.parent and c.parent in items:
            items[c.parent].children.append(items[c.id])
        else:
            roots.setdefault(c.section, []).append(items[c.id])
    sections = [(title, roots[key]) for key, title in _SECTIONS if roots.get(key)]
    return Card(doc, [sentence(c) for c in doc.record_constraints], sections)


# -- Markdown -------------------------------------------------------------------------------------
_SPACE = re.compile(r"\s+")
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def _md(text: str) -> str:
    """One line of Markdown text: whitespace runs made one space, Markdown's specials escaped."""
    return _SPACE.sub(" ", text).translate(_MD_SPECIAL)


def _marked(text: str, spans: Sequence[tuple[int, int]], plain: Callable[[str], str],
            mark: Callable[[str], str]) -> str:
    """``text`` with the ``spans`` (sorted, not overlapping) marked: ``plain`` renders the text
    between them, ``mark`` a marked span."""
    out, pos = [], 0
    for s, e in spans:
        out += [plain(text[pos:s]), mark(text[s:e])]
        pos = e
    out.append(plain(text[pos:]))
    return "".join(out)


def _md_marked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    return _marked(text, spans, _md, lambda t: f"**{_md(t).strip()}**").strip()


def _md_item(it: CardItem, depth: int) -> list[str]:
    pad = "  " * depth
    c = it.criterion
    out = [f"{pad}- **{_md(c.id)}** {_md_marked(c.text, it.spans)}"]
    out += [f"{pad}  {'  ' * ln.depth}- {_md(ln.text)}" for ln in it.lines]
    for k in it.children:
        out += _md_item(k, depth + 1)
    return out


def to_markdown(cards: Sequence[Card]) -> str:
    out: list[str] = []
    for card in cards:
        r = card.trial.record
        n = card.counts()
        out += [f"# Eligibility card: {_md(card.label)}", ""]
        if r.brief_title:
            out += [_md(r.brief_title), ""]
        if r.conditions:
            out += [f"Conditions: {_md('; '.join(r.conditions))}", ""]
        out += [(f"{n['computable']} criteria read, {n['judgement']} left to the investigator, "
                f"{n['not_computable']} not computable. The words each reading comes from are in **bold**."), ""]
        if card.record:
            out += ["## From the record's structured fields", ""] + [f"- {_md(s)}" for s in card.record] + [""]
        for title, items in card.sections:
            out += [f"## {title}", ""]
            for it in items:
                out += _md_item(it, 0)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# -- HTML -----------------------------------------------------------------------------------------
_CARD_CSS = """
.card-crit{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.2em 1.2em;
 border-top:1px solid #eee;padding:.35em 0}
.card-crit .src{white-space:pre-wrap} .card-crit mark{background:#fff3b0;padding:0 .1em}
.card-crit ul{margin:0;padding-left:1.1em} .card-crit .cid{font-weight:600;margin-right:.4em}
.st{display:inline-block;font-size:.72em;padding:0 .4em;border-radius:.6em;margin-left:.4em}
.st-computable{background:#c7e9c0} .st-judgement{background:#fdd0a2} .st-not_computable{background:#f0f0f0}
.st-container{background:#e0e0e0} .nested{margin-left:1.6em}
"""
_STATUS = {"computable": "read", "judgement": "investigator", "not_computable": "not computable",
           "container": "parts below"}


def _html_marked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    return _marked(text, spans, esc, lambda t: f"<mark>{esc(t)}</mark>")


def _html_lines(lines: Sequence[Line]) -> str:
    """Nested lists from the lines' depths."""
    out, depth = ["<ul>"], 0
    for ln in lines:
        while depth < ln.depth:
            out.append("<ul>")
            depth += 1
        while depth > ln.depth:
            out.append("</ul>")
            depth -= 1
        out.append(f"<li>{esc(ln.text)}</li>")
    out.append("</ul>" * (depth + 1))
    return "".join(out)


def _html_item(it: CardItem) -> str:
    c = it.criterion
    st = it.status
    kids = "".join(_html_item(k) for k in it.children)
    return (f'<div class="card-crit" id="{esc(c.id)}" data-status="{esc(st)}"><div class="src">'
            f'<span class="cid">{esc(c.id)}</span>{_html_marked(c.text, it.spans)}'
            f'<span class="st st-{esc(st)}">{esc(_STATUS[st])}</span></div>'
            f"<div>{_html_lines(it.lines)}</div></div>" + (f'<div class="nested">{kids}</div>' if kids else ""))


def to_html(cards: Sequence[Card]) -> str:
    parts = []
    for card in cards:
        r = card.trial.record
        n = card.counts()
        parts.append(f'<section class="card" id="card-{esc(card.label)}"><h1>Eligibility card: {esc(card.label)}</h1>')
        if r.brief_title:
            parts.append(f"<p>{esc(r.brief_title)}</p>")
        if r.conditions:
            parts.append(f"<p class='small'>Conditions: {esc('; '.join(r.conditions))}</p>")
        parts.append(f"<p>{n['computable']} criteria read, {n['judgement']} left to the investigator, "
                     f"{n['not_computable']} not computable. Left: the criterion as written, the words each "
                     "reading comes from highlighted; right: what the analyzer reads from it.</p>")
        if card.record:
            parts.append("<h2>From the record's structured fields</h2><ul>"
                         + "".join(f"<li>{esc(s)}</li>" for s in card.record) + "</ul>")
        for title, items in card.sections:
            parts.append(f"<h2>{esc(title)}</h2>" + "".join(_html_item(it) for it in items))
        parts.append("</section>")
    title = "elig card: " + ", ".join(c.label for c in cards)
    return page(title, "\n".join(parts), _CARD_CSS)


def render_cards(cards: Sequence[Card], suffix: str) -> str:
    suffix = suffix.lower()
    if suffix in (".html", ".htm"):
        return to_html(cards)
    if suffix == ".md":
        return to_markdown(cards)
    raise ValueError(f"unknown card format {suffix!r} (use one of {', '.join(CARD_FORMATS)})")
