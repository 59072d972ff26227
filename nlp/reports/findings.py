"""Consistency findings within one trial, from general rules (none written for one record):

- ``age_mismatch``: the structured minimum/maximum age disagrees with the ages the text states
  (``nlp.core.checks.age_warnings``);
- ``contradiction``: an inclusion and an exclusion on the same concept that no patient can
  satisfy together (``compare`` says disjoint), or an exclusion of a broader concept than one
  the trial requires ("excludes stroke" while requiring ischemic stroke);
- ``redundant``: an inclusion and an exclusion bounding the same value the same or nested way;
- ``title_conflict``: the diagnosis the title or condition list names is excluded by the
  criteria (or a broader concept is), or the inclusions require a different form of it (a
  sibling concept in the lexicon's is-a hierarchy: "severe" vs "non-severe" of one disease);
- ``duplicate``: two criteria whose normalised text is equal or nearly equal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import combinations

from nlp.core.checks import age_warnings
from nlp.core.document import AnnotatedCriterion, ParsedTrial
from nlp.core.lexicon import Lexicon
from nlp.core.normal import Facet, compare, criterion_facets, must_comparator
from nlp.reports.matrix import describe, is_numeric

NEAR_DUPLICATE = 0.9


@dataclass(frozen=True)
class Finding:
    trial: str
    kind: str  # age_mismatch | contradiction | redundant | title_conflict | duplicate
    severity: str  # warning | info
    message: str
    criteria: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"trial": self.trial, "kind": self.kind, "severity": self.severity,
                "message": self.message, "criteria": list(self.criteria)}


def _q(c: Facet) -> str:
    return repr(c.evidence.text) if c.evidence else "the structured field"


def _name(c: Facet) -> str:
    return c.concept.name if c.concept else c.kind


def _cid(c: Facet) -> str:
    """The concept id of a facet kept for having a concept (the callers filter on ``c.concept``)."""
    assert c.concept is not None
    return c.concept.id


_OTHER = re.compile(r"\b(other|another|additional|second|secondary|concomitant|coexisting|besides|apart from)\b", re.I)


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return {cid: e.name for cid, e in Lexicon.load().entries.items()}


def _qualified_as_other(doc: ParsedTrial, c: Facet) -> bool:
    """"history of other malignancies", "another autoimmune disease": the criterion speaks of
    something besides the trial's own condition (the words just before the evidence say so)."""
    if c.evidence is None:
        return False
    crit = next((k for k in doc.criteria if k.id == c.criterion), None)
    start = crit.start if crit is not None else max(0, c.evidence.start - 60)
    before = doc.record.eligibility_text[max(start, c.evidence.start - 60):c.evidence.start]
    return bool(_OTHER.search(before))


_GENERIC = frozenset(
    ["patient", "patients", "subject", "subjects", "participant", "participants", "people", "person", "persons", "individual", "individuals", "with", "of", "a", "an", "the", "known", "diagnosed", "diagnosis", "confirmed", "current", "currently", "any", "or", "and", "having", "has", "have", "who", "are", "is", "was", "were", "suffering", "from", "documented", "evidence", "presence", "by", "in", "at"]
)


def _bare(doc: ParsedTrial, c: Facet) -> bool:
    """The criterion says nothing but this concept ("Severe Aplastic Anemia (SAA) patients"):
    once the evidence, abbreviations in parentheses and generic words are removed, no word is
    left to qualify it ("with relapse", "contralateral", "other than AD", "retinopathy"). Only
    then is an exclusion of the trial's own condition a plain conflict; otherwise it is a note."""
    crit = next((k for k in doc.criteria if k.id == c.criterion), None)
    if crit is None or c.evidence is None or c.history or len(crit.constraints) != 1:
        return False
    parent = next((k for k in doc.criteria if k.id == crit.parent), None)
    if parent is not None and parent.text.rstrip().endswith(":") and parent.entities:
        return False  # under a lead-in that qualifies it ("Use of the following within 2 weeks:")
    words = normalise_text(re.sub(r"\([^()]{1,12}\)", " ", crit.text)).split()
    # the concept's own mention (the evidence may quote the whole clause around it)
    cid = c.concept.id if c.concept else None
    mention = next((e.text for e in crit.entities if cid and e.concept_id == cid), c.evidence.text)
    for w in normalise_text(mention).split():
        if w in words:
            words.remove(w)
    return not [w for w in words if w not in _GENERIC]


def _named_form(child: str, parent: str) -> bool:
    """"Severe aplastic anemia" is a named form of "aplastic anemia"; "angina" is not one of
    "cardiac dysfunction": the child's name contains the parent's."""
    names = _names()
    return normalise_text(names.get(parent, parent)) in normalise_text(names.get(child, child))


def _plain(c: Facet) -> bool:
    """Unconditional: no window, carve-out, condition or alternative that could reconcile it."""
    return not c.qualified


def normalise_text(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"[^\w]+", " ", t)
    return " ".join(t.split())


def _related(a: AnnotatedCriterion, b: AnnotatedCriterion) -> bool:
    return a.id.startswith(b.id + ".") or b.id.startswith(a.id + ".")


def _concepts(c: AnnotatedCriterion) -> frozenset[tuple[str, str | None, str]]:
    return frozenset((k.kind, k.concept.id if k.concept else None, must_comparator(k)) for k in criterion_facets(c))


def duplicates(label: str, doc: ParsedTrial) -> list[Finding]:
    out = []
    crits = [(c, normalise_text(c.text)) for c in doc.criteria]
    crits = [(c, t) for c, t in crits if len(t) >= 8]
    for (a, ta), (b, tb) in combinations(crits, 2):
        if _related(a, b):
            continue  # a container and its only clause share their text
        if ta == tb:
            out.append(Finding(label, "duplicate", "warning",
                               f"{a.id} and {b.id} state the same criterion: {a.text.strip()[:120]!r}", (a.id, b.id)))
            continue
        if min(len(ta), len(tb)) < 20 or abs(len(ta) - len(tb)) > 0.2 * max(len(ta), len(tb)):
            continue
        if _concepts(a) != _concepts(b):
            continue  # "non-severe X" vs "severe X": alike in letters, not in meaning
        sm = SequenceMatcher(None, ta, tb, autojunk=False)
        if sm.real_quick_ratio() >= NEAR_DUPLICATE and sm.quick_ratio() >= NEAR_DUPLICATE and sm.ratio() >= NEAR_DUPLICATE:
            out.append(Finding(label, "duplicate", "info",
                               f"{a.id} and {b.id} are nearly the same ({sm.ratio():.0%} alike): "
                               f"{a.text.strip()[:80]!r} / {b.text.strip()[:80]!r}", (a.id, b.id)))
    return out


def include_exclude(label: str, doc: ParsedTrial) -> list[Finding]:
    cons = [c for crit in doc.criteria for c in criterion_facets(crit)]
    incs = [c for c in cons if c.effect == "include" and _plain(c) and c.concept]
    excs = [c for c in cons if c.effect == "exclude" and c.concept and not (c.applies_if or c.excluded or c.planned)]
    lex = Lexicon.load()
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for a in incs:
        for b in excs:
            if a.criterion == b.criterion:
                continue
            key = (a.criterion or "", b.criterion or "", _cid(b))
            if key in seen or _qualified_as_other(doc, b):
                continue
            simple = _bare(doc, a) and _bare(doc, b)
            if a.kind == b.kind and _cid(a) == _cid(b):
                rel = compare(a, b)
                if rel == "disjoint":
                    if b.window_days or b.alternative:
                        sev, what = "info", "check the timing / alternatives"
                    elif simple:
                        sev, what = "warning", "no patient can meet both"
                    else:
                        sev, what = "info", "check that the exclusion only qualifies it"
                    seen.add(key)
                    out.append(Finding(label, "contradiction", sev,
                                       f"{a.criterion} requires {_name(a)} {describe(a)} ({_q(a)}) but {b.criterion} "
                                       f"excludes it ({describe(b)}, {_q(b)}): {what}", (a.criterion or "", b.criterion or "")))
                elif is_numeric(a) and is_numeric(b) and rel in ("equal", "stricter", "looser"):
                    seen.add(key)
                    out.append(Finding(label, "redundant", "info",
                                       f"{a.criterion} and {b.criterion} both bound {_name(a)}: {describe(a)} vs "
                                       f"{describe(b)} ({rel})", (a.criterion or "", b.criterion or "")))
            elif (a.kind == b.kind == "condition" and must_comparator(a) == "present" and must_comparator(b) == "absent"
                  and _cid(b) in lex.ancestors(_cid(a)) and not b.window_days):
                seen.add(key)
                out.append(Finding(label, "contradiction", "warning" if simple else "info",
                                   f"{a.criterion} requires {_name(a)} ({_q(a)}) but {b.criterion} excludes "
                                   f"{_name(b)}, which covers it ({_q(b)})", (a.criterion or "", b.criterion or "")))
    return out


def title_concepts(doc: ParsedTrial) -> dict[str, str]:
    """Condition concepts the title(s) and condition list name (read at parse time): id -> where."""
    return {t.concept_id: f"{t.where} {t.text!r}" for t in doc.topics}


def title_conflicts(label: str, doc: ParsedTrial) -> list[Finding]:
    targets = title_concepts(doc)
    if not targets:
        return []
    lex = Lexicon.load()
    cons = [c for crit in doc.criteria for c in criterion_facets(crit)
            if c.kind == "condition" and c.concept and not (c.applies_if or c.excluded or c.planned or c.window_days)]
    included = {_cid(c) for c in cons if must_comparator(c) == "present"}
    out: list[Finding] = []
    for t, where in sorted(targets.items()):
        t_anc = lex.ancestors(t)
        for c in cons:
            cid = _cid(c)
            if (must_comparator(c) == "absent" and c.effect == "exclude" and (cid == t or cid in t_anc)
                    and not _qualified_as_other(doc, c)):
                how = "it" if cid == t else f"{_name(c)}, which covers it"
                out.append(Finding(label, "title_conflict", "warning" if _bare(doc, c) else "info",
                                   f"the {where} names {t.replace('_', ' ')} but {c.criterion} excludes {how} ({_q(c)})",
                                   (c.criterion or "",)))
        # the inclusions name another form of the same disease and never the named one
        related = {t} | t_anc | lex.descendants(t)
        if included & related:
            continue
        for c in cons:
            cid = _cid(c)
            if must_comparator(c) != "present" or c.effect != "include":
                continue
            shared = sorted(p for p in (lex.ancestors(cid) & t_anc) - {cid}
                            if _named_form(cid, p) and _named_form(t, p))
            if shared and cid != t and t not in lex.ancestors(cid) and cid not in t_anc:
                parent = _names().get(shared[0], shared[0]).lower()
                out.append(Finding(label, "title_conflict", "warning",
                                   f"the {where} names {t.replace('_', ' ')} but {c.criterion} requires {_name(c)} "
                                   f"({_q(c)}), a different form of {parent}", (c.criterion or "",)))
    return out


def age_findings(label: str, doc: ParsedTrial) -> list[Finding]:
    text = [c for crit in doc.criteria for c in crit.constraints]
    crit_ids = tuple(sorted({c.criterion for c in text if c.kind == "age" and c.criterion}))
    return [Finding(label, "age_mismatch", "warning", w, crit_ids) for w in age_warnings(doc.record, text)]


def trial_findings(label: str, doc: ParsedTrial) -> list[Finding]:
    """All findings for one trial, in a stable order."""
    found = (age_findings(label, doc) + title_conflicts(label, doc) + include_exclude(label, doc)
             + duplicates(label, doc))
    order = {"age_mismatch": 0, "title_conflict": 1, "contradiction": 2, "redundant": 3, "duplicate": 4}
    return sorted(found, key=lambda f: (order.get(f.kind, 9), f.severity != "warning", f.criteria, f.message))
