"""Explanations of match reports for people: per criterion that fails or needs a reviewer, the
criterion's text, the words each decisive constraint was read from, the patient facts used
(names and dates, never values) and why. Plain text for the terminal, one self-contained HTML
page (every text escaped) for ``elig match --html``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from nlp.matching.evaluate import ConstraintResult, CriterionResult, MatchReport
from nlp.show import esc, page

_HEAD = {"eligible": "ELIGIBLE", "ineligible": "INELIGIBLE", "needs_review": "NEEDS REVIEW"}


def decisive(r: MatchReport) -> Iterator[tuple[CriterionResult, str, tuple[ConstraintResult, ...]]]:
    """(criterion, "fail" | "review" | "open", the constraint results behind it) for every
    criterion that keeps the patient from "eligible", failing ones first."""
    rows = []
    ids = [c.criterion for c in r.criteria]
    for c in r.criteria:
        if not c.constraints and any(i.startswith(c.criterion + ".") for i in ids):
            continue  # a container: its sub-criteria say why
        if c.verdict == "fail":
            rows.append((0, c, "fail", tuple(k for k in c.constraints if k.verdict == "fail")))
        elif c.verdict in ("unknown", "not_computable"):
            review = tuple(k for k in c.constraints if k.review)
            if review:
                rows.append((1, c, "review", review))
            else:
                rows.append((2, c, "open", tuple(k for k in c.constraints if k.verdict in ("unknown", "not_computable"))))
    for _, c, what, ks in sorted(rows, key=lambda x: x[0]):
        yield c, what, ks


def explain_text(r: MatchReport, limit: int = 40) -> str:
    lines = [f"{r.trial}: {_HEAD[r.overall]}"]
    shown = 0
    rows = list(decisive(r))
    for c, what, ks in rows:
        if what == "open" and r.overall != "eligible" and shown >= limit:
            continue
        shown += 1
        tag = {"fail": "FAILS", "review": "REVIEW", "open": "OPEN"}[what]
        lines.append(f"  {tag} {c.criterion} ({c.section}): {_clip(c.evidence, 160)}")
        for k in ks:
            used = f" · used: {', '.join(k.facts)}" if k.facts else ""
            quote = f"read from {_clip(k.evidence, 80)!r}{used} · " if k.evidence else ""
            lines.append(f"      {quote}why: {k.reason}")
        if not ks and c.reason:
            lines.append(f"      why: {c.reason}")
    for k in r.record:
        if k.verdict != "pass":
            lines.append(f"  {'FAILS' if k.verdict == 'fail' else 'OPEN'} record {k.kind}: {k.reason}")
    hidden = len(rows) - shown
    if hidden > 0:
        lines.append(f"  ... and {hidden} more open criteria (see -o report.json or --html)")
    return "\n".join(lines)


def explain_html(reports: Sequence[MatchReport]) -> str:
    parts = ["<h1>Eligibility match</h1>",
             ('<p class="small">A criterion fails a patient only on a certain reading answered by a recorded '
              "fact; anything else is for a reviewer (README, \"Verdict policy\"). Patient values are not shown.</p>")]
    for r in reports:
        cls = {"eligible": "v-eligible", "ineligible": "v-fail", "needs_review": "v-review"}[r.overall]
        parts.append(f'<h2>{esc(r.trial)} · patient {esc(r.patient)}: <span class="{cls}">{esc(_HEAD[r.overall])}</span></h2>')
        rows = []
        for c, what, ks in decisive(r):
            why = "".join(
                f"<li>{'read from <q>' + esc(k.evidence) + '</q> · ' if k.evidence else ''}"
                f"{'used: ' + esc(', '.join(k.facts)) + ' · ' if k.facts else ''}{esc(k.reason)}</li>" for k in ks)
            if not ks and c.reason:
                why = f"<li>{esc(c.reason)}</li>"
            label = {"fail": '<span class="v-fail">fails</span>', "review": '<span class="v-review">review</span>',
                     "open": "open"}[what]
            rows.append(f'<div class="crit"><b>{esc(c.criterion)}</b> ({esc(c.section)}) {label}'
                        f"<blockquote>{esc(c.evidence)}</blockquote><ul>{why}</ul></div>")
        for k in r.record:
            if k.verdict != "pass":
                rows.append(f'<div class="crit"><b>record</b> {esc(k.kind)}: {esc(k.reason)}</div>')
        parts.append("".join(rows) or "<p>Every criterion passes.</p>")
    return page("Eligibility match", "\n".join(parts))


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
