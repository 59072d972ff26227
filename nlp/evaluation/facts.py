"""Score parsed trials against "key facts" answer keys (../shared/acceptance/GOLD_GUIDELINE.md).

A fact is found when a constraint of the criterion holding the fact's quote has the fact's kind,
effect (or its normal-form equivalent: include "ALT <= 2.5 xULN" = exclude "ALT > 2.5 xULN"),
concept (the constraint's concept or one of its broader concepts; a measurement's analyte by any
name the lexicon gives the concept, case and hyphens aside, or by either of the two names of an
analyte written "A (B)"; a change from a baseline, "serum creatinine rise from baseline", only
by a constraint that reads a change, by a name of its concept in the analyte as whole words; a
drug's dose or a course's length, "prednisone dose", "steroid treatment duration", by a name of
the treatment's concept (a course's, also of a broader concept: a prednisone course is a
glucocorticoid treatment's); a fact that names its concept, an "other" therapy or a target
diagnosis, by a name found in the constraint's evidence or by any name of the constraint's
concept standing as whole words in the fact's name), comparator, value and unit
(after conversion; a key's unitless "ratio" or "score" where the text wrote no unit takes the
number of a constraint whose unit the analyzer implied, "P/F ratio < 200" read in mmHg) and window. Recall is reported per kind; precision for the numeric kinds
(age, weight, bmi, measurement): the share of numeric constraints built from the text that match
some fact. Constraints are read as facets (``nlp.core.normal``): a range gives one comparison per
end, as the key gives one fact per end.

Optional facts (``"optional": true``: a reading a second annotator might not make) are scored
apart: recall counts the other facts, the optional ones found are reported on their own line, and
a numeric constraint matching an optional fact is not a false positive. A consent fact is credited
only to a constraint that requires consent in normal form. Windows compare in days: the key counts a
month as 30 days, the analyzer as a twelfth of 365.25, so a key's count is read back into the amounts
it may stand for (``window_days_as_parsed``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.core.comparators import FLIP
from nlp.core.constraints import IMPLIED_UNIT_RULE
from nlp.core.document import ParsedTrial, criteria_for_quote
from nlp.core.knowledge import cue
from nlp.core.labels import NUMERIC_KINDS
from nlp.core.lexicon import UNCODED, Lexicon
from nlp.core.normal import Facet, criterion_facets, must_comparator
from nlp.core.units import convert, names_nothing, to_days, ucum

_KIND_ALIASES = {"therapy": {"therapy", "procedure"}, "weight": {"weight", "measurement"},
                 "bmi": {"bmi", "measurement"}, "measurement": {"measurement", "weight", "bmi", "dose", "duration"}}
# a key's dose analyte: "prednisone dose", "prednisone-equivalent dose" (hyphens read as spaces)
_DOSE_ANALYTE = re.compile(r"(.+?)(?: equivalent)? dose")
# a key's analyte naming how long a treatment lasted: "glucocorticoid treatment duration",
# "duration of intubation", "duration of bone-metabolism drug use" (hyphens read as spaces)
_DURATION_ANALYTE = re.compile(r"duration of (?P<a>.+?)(?: use)?|(?P<b>.+?) duration")
_COURSE_WORD = re.compile(r" (?:treatment|therapy|use|support)$")
_UNITLESS = {None, "{score}", "{ratio}", "{count}"}
# a key's analyte written with its other name in brackets: "CASS (Composite Autonomic Severity Score)"
_BRACKETED = re.compile(r"(.+?)\s*\((.+)\)")
# The answer keys count window days by GOLD_GUIDELINE.md's convention (month = 30 days, year = 365);
# the package counts by nlp/resources/time_units.json (month = 30.4375, year = 365.25). A key's
# count is read back into the amounts it may stand for, each converted by the package's rule.
_KEY_DAYS_PER = {"a": 365, "mo": 30, "wk": 7, "d": 1}


def window_days_as_parsed(key_days: int) -> set[int]:
    """The day counts the package gives for a key's ``window_days`` (90: "90 days" -> 90 or
    "3 months" -> 91)."""
    out = {key_days}
    for unit, per in _KEY_DAYS_PER.items():
        if key_days % per == 0:
            out.add(round(to_days(key_days // per, unit) or 0))
    return out


def _fact_must(fact: dict[str, Any]) -> str:
    cmp_ = fact.get("comparator", "present")
    if fact.get("negated") and cmp_ in ("present", "absent"):
        cmp_ = FLIP[cmp_]
    return cmp_ if fact["effect"] == "include" else FLIP.get(cmp_, cmp_)


def _analyte_key(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())


def _names_of(cid: str | None) -> set[str]:
    """Every name the lexicon gives a concept (its name, synonyms and abbreviations), as compared:
    the key's "C-reactive protein" is the concept CRP, "ankle brachial index" is "ankle-brachial
    index"."""
    entry = Lexicon.load().entries.get(cid) if cid else None
    if entry is None:
        return set()
    names = {_analyte_key(n) for n in (entry.name, *entry.synonyms, *entry.abbreviations)}
    # the specimen left out ("phosphate" is "serum phosphate"; cue ``specimen_lead``)
    return names | {cue("specimen_lead").sub("", n) for n in names if entry.category == "measurement"}


def _concept_ok(fact: dict[str, Any], c: Facet) -> bool:
    cid = c.concept.id if c.concept else None
    want = fact.get("concept")
    names = {(c.concept.name or "").lower()} if c.concept else set()
    if fact["kind"] in ("measurement", "weight", "bmi"):
        if fact["kind"] in ("weight", "bmi") and c.kind == fact["kind"]:
            return True
        analyte = _analyte_key(fact.get("analyte", ""))
        if c.kind == "dose":  # a dose facet of a therapy: the key names the drug's dose
            m = _DOSE_ANALYTE.fullmatch(analyte)
            return m is not None and m.group(1) in _names_of(cid)
        if c.kind == "duration":  # a course's length: the key names the treatment (or its class) and "duration"
            d = _DURATION_ANALYTE.fullmatch(analyte)
            said = (d.group("a") or d.group("b")) if d else ""
            kinds = {cid, *Lexicon.load().ancestors(cid)} if cid else set()
            return bool(said) and any({said, _COURSE_WORD.sub("", said)} & _names_of(k) for k in kinds)
        names = _names_of(cid)
        if cid is not None and cid.startswith(UNCODED):
            # an uncoded analyte: its name as written, compared as a person would, its spacing,
            # punctuation, plural and a trailing "score" / "test" / "level" aside ("OSDI-score" is
            # the key's "OSDI"; "ICGR 15" its "ICG-R15")
            mine = c.concept.name if c.concept else ""
            said = _BRACKETED.fullmatch(analyte)
            return not c.change and bool(mine) and any(same_quantity_name(mine, n) for n in (analyte, *(said.groups() if said else ())))
        bracketed = _BRACKETED.fullmatch(analyte)
        if analyte in names or (bracketed is not None and set(bracketed.groups()) & names):
            return not c.change  # the level the key names
        # a key's analyte naming a change ("serum creatinine rise from baseline", "EDSS increase";
        # cue ``change_word``): credited only to a change reading, by a name of its concept in it
        return c.change and bool(cue("change_word").search(analyte)) and any(_names_in(n, analyte) for n in names)
    if want in (None, "target_diagnosis", "other"):
        name = _analyte_key(fact.get("name") or "")
        if want == "target_diagnosis" and fact["effect"] != c.effect:
            return False
        ev = _analyte_key(c.evidence.text if c.evidence else "")
        return bool(name) and (name in ev or any(_names_in(n, name) for n in names | _names_of(cid)))
    return cid == want or (cid is not None and want in Lexicon.load().ancestors(cid))


_NAME_TAIL = re.compile(r"(?:\W*(?:score|test|level|value)s?)+$")


def _name_core(name: str) -> str:
    """An analyte's name as two people writing it agree on: lower case, a trailing "score" /
    "test" / "level" / "value" and a plural "s" dropped, letters and digits only."""
    n = _NAME_TAIL.sub("", name.lower())
    n = n[:-1] if n.endswith("s") and not n.endswith("ss") else n
    return re.sub(r"\W+", "", n)


def _name_words(name: str) -> list[str]:
    """An analyte's name as words, compared as ``_name_core`` compares them."""
    return [w for w in (_name_core(w) for w in re.split(r"[\s/]+", _NAME_TAIL.sub("", name.lower()))) if w]


def same_quantity_name(mine: str, said: str) -> bool:
    """Whether two names of an analyte no vocabulary has, given at the same quote, name one
    quantity: the same name as ``_name_core`` compares it, or one name's words the last words of
    the other's, at least two of them and more than a dimension word with qualifiers ("lesion
    area" at "at least 1 lesion estimated to be ≥1.0 cm2" is the key's "cartilage lesion area"; not
    "area", "longest diameter", nor "Left Ventricle wall thickness" for "left ventricular wall
    thickness")."""
    if _name_core(mine) == _name_core(said):
        return True
    a, b = _name_words(mine), _name_words(said)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 2 and long_[-len(short):] == short and not names_nothing(" ".join(short))


def _names_in(n: str, text: str) -> bool:
    """Whether the concept name ``n`` stands in the key's ``text`` as whole words ("ECMO" in
    "ventricular assist device or ECMO"; "ms" not in "systems")."""
    return bool(n) and re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) is not None


def _value_ok(fact: dict[str, Any], c: Facet) -> bool:
    if "value" not in fact or fact["kind"] not in ("age", "weight", "bmi", "measurement"):
        return True
    if not isinstance(c.value, (int, float)):
        return False
    f_unit = ucum(fact.get("unit"))
    c_unit = ucum(c.unit)
    got: float | None
    # a key that writes no unit where the text wrote none ("P/F ratio < 200": "ratio") and a
    # constraint whose unit the analyzer implied, not read (its analyte's own, mmHg): both say
    # the number as written
    implied = c.constraint.provenance.rule == IMPLIED_UNIT_RULE
    if f_unit in _UNITLESS and (c_unit in _UNITLESS or implied):
        got = float(c.value)
    else:
        got = convert(float(c.value), c_unit, f_unit, c.concept.id if c.concept else None)
        if got is None:
            return False
    return abs(got - float(fact["value"])) <= 1e-6 * max(1.0, abs(float(fact["value"])))


def _window_ok(fact_days: int, days: int | None) -> bool:
    return days is not None and days in window_days_as_parsed(fact_days)


def fact_matches(fact: dict[str, Any], c: Facet) -> bool:
    kind = c.kind
    if kind not in _KIND_ALIASES.get(fact["kind"], {fact["kind"]}):
        return False
    if kind not in ("consent", "judgement", "sex", "age", "trial_participation") and not _concept_ok(fact, c):
        return False
    if kind == "sex":
        return str(c.value).lower() == str(fact.get("value", "")).lower()
    if kind == "consent":
        return must_comparator(c) == "present"
    if kind in NUMERIC_KINDS or fact["kind"] in NUMERIC_KINDS:
        if must_comparator(c) != _fact_must(fact) or not _value_ok(fact, c):
            return False
    elif kind in ("condition", "therapy", "procedure", "trial_participation") and must_comparator(c) != _fact_must(fact):
        return False
    return not (fact.get("window_days") is not None and not _window_ok(int(fact["window_days"]), c.window_days))


def _constraints_for_quote(doc: ParsedTrial, quote: str) -> list[Facet]:
    return [c for crit in criteria_for_quote(doc, quote, overlap=True) for c in criterion_facets(crit)]


@dataclass
class Score:
    found: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    optional_found: int = 0
    optional_total: int = 0
    numeric_matched: int = 0
    numeric_total: int = 0
    # of them, thresholds of analytes no vocabulary has (``uncoded:``), whose names as written the
    # scorer compares with the key's own words
    uncoded_matched: int = 0
    uncoded_total: int = 0
    misses: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.found.update(other.found)
        self.total.update(other.total)
        self.optional_found += other.optional_found
        self.optional_total += other.optional_total
        self.numeric_matched += other.numeric_matched
        self.numeric_total += other.numeric_total
        self.uncoded_matched += other.uncoded_matched
        self.uncoded_total += other.uncoded_total
        self.misses.extend(other.misses)
        self.spurious.extend(other.spurious)

    @property
    def recall(self) -> float:
        return sum(self.found.values()) / max(1, sum(self.total.values()))

    @property
    def numeric_precision(self) -> float:
        return self.numeric_matched / self.numeric_total if self.numeric_total else 1.0


def score_trial(doc: ParsedTrial, facts: Sequence[dict[str, Any]]) -> Score:
    s = Score()
    label = doc.record.nct_id or doc.record.source
    for fact in facts:
        hit = any(fact_matches(fact, c) for c in _constraints_for_quote(doc, fact["quote"]))
        if fact.get("optional"):
            s.optional_total += 1
            s.optional_found += hit
            continue
        s.total[fact["kind"]] += 1
        if hit:
            s.found[fact["kind"]] += 1
        else:
            s.misses.append(f"{label} {fact['kind']} {fact.get('analyte') or fact.get('concept') or ''} "
                            f"{fact.get('comparator', '')} {fact.get('value', '')} {fact.get('unit', '')}: {fact['quote']!r}")
    numeric_facts = [f for f in facts if f["kind"] in NUMERIC_KINDS]
    for crit in doc.criteria:
        for c in criterion_facets(crit):
            if c.kind not in NUMERIC_KINDS and c.kind not in ("dose", "duration"):  # a therapy's dose, a course's length: numbers read too
                continue
            s.numeric_total += 1
            hit = any(fact_matches(f, c) for f in numeric_facts)
            if c.concept is not None and c.concept.id.startswith(UNCODED):
                s.uncoded_total += 1
                s.uncoded_matched += hit
            if hit:
                s.numeric_matched += 1
            else:
                s.spurious.append(f"{label} {c.id} {c.kind} {c.concept.id if c.concept else ''} {c.comparator} {c.value} {c.unit}: "
                                  f"{c.evidence.text if c.evidence else ''!r}")
    return s


def load_keys(directory: Path) -> dict[str, dict[str, Any]]:
    keys = {}
    for f in sorted(directory.glob("*.facts.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        keys[data["trial_id"]] = data
    return keys


def format_report(score: Score, per_trial: Iterable[tuple[str, Score]] = ()) -> str:
    lines = [f"{'kind':<20} {'found':>6} {'facts':>6} {'recall':>7}"]
    for kind in sorted(score.total):
        lines.append(f"{kind:<20} {score.found[kind]:>6} {score.total[kind]:>6} {score.found[kind] / score.total[kind]:>7.3f}")
    lines.append(f"{'ALL':<20} {sum(score.found.values()):>6} {sum(score.total.values()):>6} {score.recall:>7.3f}")
    if score.optional_total:
        lines.append(f"optional facts (not in recall): {score.optional_found}/{score.optional_total} found")
    lines.append(f"numeric precision: {score.numeric_matched}/{score.numeric_total} = {score.numeric_precision:.3f}")
    if score.uncoded_total:
        coded_m, coded_n = score.numeric_matched - score.uncoded_matched, score.numeric_total - score.uncoded_total
        lines.append(f"  of which uncoded analytes: {score.uncoded_matched}/{score.uncoded_total}; "
                     f"coded alone: {coded_m}/{coded_n} = {coded_m / max(1, coded_n):.3f}")
    for name, s in per_trial:
        lines.append(f"  {name}: recall {s.recall:.3f}, numeric precision {s.numeric_precision:.3f}")
    if score.misses:
        lines.append("missed facts:")
        lines.extend(f"  {m}" for m in score.misses)
    if score.spurious:
        lines.append("numeric constraints matching no fact:")
        lines.extend(f"  {m}" for m in score.spurious)
    return "\n".join(lines)
