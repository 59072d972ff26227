"""Constraints in the words a person reads: quantities with display units ("65 years", "2.5 × ULN",
"×10⁹/L", "points", "mmHg"), age spans ("1 month – 18 years"), windows ("in the 3 months before
enrollment") and one sentence per constraint ("Exclude if ALT is above 2.5 × the upper limit of
normal").

Units come from the units tables (``units.json``: display forms; ``time_units.json``: names and
lengths); the JSON outputs keep UCUM codes, only what a person reads goes through here. Every
report (terminal, HTML, Markdown, CSV, plots) and the eligibility card use these functions, so a
unit is shown the same way everywhere.
"""

from __future__ import annotations

from nlp.core.constraints import (
    AgeCondition,
    AgeConstraint,
    AnyConstraint,
    Applicability,
    BmiConstraint,
    ConceptCondition,
    ConceptSet,
    ConditionConstraint,
    ConsentConstraint,
    JudgementConstraint,
    MeasurementConstraint,
    NumericRange,
    OtherConstraint,
    ProcedureConstraint,
    SexCondition,
    SexConstraint,
    TherapyConstraint,
    TrialParticipationConstraint,
    WeightConstraint,
    Window,
)
from nlp.core.labels import Anchor, Exposure, Relation
from nlp.core.units import TIME, dimension, display, time_units, to_days, ucum

# multiples of the patient's own reference range, spelt out in sentences
_REFERENCE = {"xULN": "the upper limit of normal", "xLLN": "the lower limit of normal"}
SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}
_ANCHOR = {
    Anchor.ENROLLMENT: "enrollment", Anchor.SCREENING: "screening", Anchor.RANDOMIZATION: "randomization",
    Anchor.FIRST_DOSE: "the first dose of the study treatment", Anchor.LAST_DOSE: "the last dose",
    Anchor.ONSET: "onset", Anchor.DIAGNOSIS: "diagnosis", Anchor.SURGERY: "surgery",
}


def number(v: float | int) -> str:
    """2.5 -> "2.5", 18.0 -> "18", 100000.0 -> "100,000" (six significant digits at most)."""
    x = float(v)
    if x.is_integer() and abs(x) >= 10_000:
        return f"{int(x):,}"
    return f"{x:.6g}"


def _time_name(code: str, value: float) -> str:
    for t in time_units():
        if t.code == code:
            return t.name if value == 1 else t.display
    return display(code)


def _whole_time(days: float) -> tuple[float, str]:
    """A length in days in the largest time unit that gives a whole number (within half a day:
    windows are stored in whole days, "3 months" as 91), else in days."""
    for t in time_units():  # years, months, weeks, days, hours, minutes
        n = round(days / float(t.days))
        if n >= 1 and abs(n * float(t.days) - days) <= min(0.5, float(t.days) / 4):
            return float(n), t.code
    return round(days, 2), "d"


def quantity(value: float | int, unit: str | None) -> str:
    """A value with its display unit: "65 years", "1 month", "2.5 × ULN", "100 ×10⁹/L", "6 points".
    A time below 1 of its unit is shown in a smaller one (0.0833 years -> "1 month")."""
    code = ucum(unit)
    if code is None:
        return number(value)
    if dimension(code) == TIME:
        if 0 < float(value) < 1:
            days = to_days(float(value), code)
            assert days is not None
            value, code = _whole_time(days)
        return f"{number(value)} {_time_name(code, float(value))}"
    shown = display(code)
    if shown.startswith("×") and code not in _REFERENCE:  # "×10⁹/L"
        return f"{number(value)} {shown}"
    return f"{number(value)} {shown}".rstrip()


def duration(days: float) -> str:
    """Days as people count them: 91 -> "3 months", 28 -> "4 weeks", 10 -> "10 days"."""
    value, code = _whole_time(days)
    return quantity(value, code)


def age_span(low_years: float | None, high_years: float | None) -> str:
    """An age range: "18 – 65 years", "1 month – 18 years", "≥ 18 years", "≤ 65 years"."""
    lo = quantity(low_years, "a") if low_years is not None and low_years > 0 else None
    hi = quantity(high_years, "a") if high_years is not None else None
    if lo and hi:
        if lo.endswith(" years") and hi.endswith(" years"):
            return f"{lo.removesuffix(' years')} – {hi}"
        return f"{lo} – {hi}"
    if hi:
        return f"≤ {hi}"
    return f"≥ {lo or quantity(0, 'a')}"


def bound(comparator: str, value: float | int, unit: str | None) -> str:
    """A comparison as a short cell: "≤ 2.5 × ULN", "≥ 18 years"."""
    return f"{SYMBOL.get(comparator, comparator)} {quantity(value, unit)}"


def _amount(value: float | int, unit: str | None) -> str:
    code = ucum(unit)
    if code in _REFERENCE:
        return f"{number(value)} × {_REFERENCE[code]}"
    return quantity(value, unit)


def range_words(r: NumericRange) -> str:
    """A range in words: "between 18 and 65 years", "above 2.5 × the upper limit of normal",
    "at least 100 ×10⁹/L", "exactly 2"."""
    if r.low is not None and r.low == r.high:
        return f"exactly {_amount(r.low, r.unit)}"
    if r.low is not None and r.high is not None:
        if r.low_inclusive and r.high_inclusive:
            return f"between {number(r.low)} and {_amount(r.high, r.unit)}"
        low = f"{'at least' if r.low_inclusive else 'above'} {number(r.low)}"
        return f"{low} and {'at most' if r.high_inclusive else 'below'} {_amount(r.high, r.unit)}"
    if r.low is not None:
        return f"{'at least' if r.low_inclusive else 'above'} {_amount(r.low, r.unit)}"
    if r.high is not None:
        return f"{'at most' if r.high_inclusive else 'below'} {_amount(r.high, r.unit)}"
    return "any value"


def anchor_words(w: Window) -> str:
    """The event a window is counted from, as written, else in words ("the last dose")."""
    return w.anchor_text or _ANCHOR.get(w.anchor, str(w.anchor).replace("_", " "))


def window_words(w: Window) -> str:
    """ "in the 3 months before enrollment", "at least 4 weeks before the last dose",
    "between 3 days and 10 days after onset"."""
    anchor = anchor_words(w)
    rel = {Relation.BEFORE: "before", Relation.AFTER: "after", Relation.DURING: "during"}[w.relation]
    if w.relation == Relation.DURING:
        return f"during {anchor}"
    if w.low_days is not None and w.high_days is not None:
        if w.low_days == 0:
            return f"in the {duration(w.high_days)} {rel} {anchor}"
        return f"between {duration(w.low_days)} and {duration(w.high_days)} {rel} {anchor}"
    if w.high_days is not None:
        return f"in the {duration(w.high_days)} {rel} {anchor}"
    assert w.low_days is not None  # a window has one end at least (Window validates it)
    return f"at least {duration(w.low_days)} {rel} {anchor}"


def _be(name: str) -> str:
    """ "are" after a plural noun written in lower case ("platelets", "triglycerides"), else "is"
    ("NIHSS", "hemoglobin", "CD4 count", "diabetes mellitus")."""
    last = name.rsplit(" ", 1)[-1]
    plural = last.islower() and last.endswith("s") and not last.endswith(("ss", "us", "is", "ys"))
    return "are" if plural else "is"


def name_words(name: str) -> str:
    """A concept name inside a sentence: capitalised words lowered ("Rett Syndrome" -> "rett
    syndrome"), abbreviations and eponyms kept ("HIV infection", "Parkinson's disease")."""
    words = name.split(" ")
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() and not w.endswith("'s") else w
                    for w in words)


def concept_words(cs: ConceptSet) -> str:
    """ "corticosteroid (except inhaled corticosteroid)"."""
    text = name_words(cs.concept.name)
    if not cs.include_descendants:
        text += " (this concept only, not its subtypes)"
    if cs.excluded:
        text += " (except " + ", ".join(sorted({name_words(x.name) for x in cs.excluded})) + ")"
    return text


def condition_words(cond: Applicability) -> str:
    """An ``applies_if`` in words: "for those with an anticoagulant", "for women", "for ages ≥ 65 years"."""
    if isinstance(cond, ConceptCondition):
        return f"for those {'with' if cond.present else 'without'} {concept_words(cond.concepts)}"
    if isinstance(cond, SexCondition):
        return "for women" if cond.sex == "female" else "for men"
    if isinstance(cond, AgeCondition):
        return f"for ages {range_words(cond.range)}"
    return f"where {cond.text!r} applies (not read)"


def _exposure_words(c: TherapyConstraint | ProcedureConstraint | TrialParticipationConstraint) -> str:
    trial = isinstance(c, TrialParticipationConstraint)
    what = concept_words(c.concepts) if not isinstance(c, TrialParticipationConstraint) else \
        "taking part in another clinical trial"
    if isinstance(c, TherapyConstraint) and c.dose is not None:
        what = f"{what} at a dose {range_words(c.dose)}"
    if c.duration is not None:
        what = f"{what} for {range_words(c.duration)}"
    if c.exposure == Exposure.CURRENT:
        return what + " now" if trial else f"currently on {what}"
    if c.exposure == Exposure.PLANNED:
        return f"{what} planned during the trial"
    some = what if trial else f"any {what}"
    if c.window is not None:
        return f"{some} {window_words(c.window)}"
    return f"{some}, at any time"


def _content(c: AnyConstraint) -> tuple[str, bool]:
    """What the constraint names, and whether it names it as present (``True``) or absent; a
    value as "<name> is <range>"."""
    if isinstance(c, MeasurementConstraint):
        name = name_words(c.concepts.concept.name)
        if c.change:
            name = f"the change in {name} from baseline"
        when = f", measured {window_words(c.window)}" if c.window is not None else ""
        return f"{name} {_be(name)} {range_words(c.range)}{when}", True
    if isinstance(c, AgeConstraint | WeightConstraint | BmiConstraint):
        name = {AgeConstraint: "age", WeightConstraint: "weight", BmiConstraint: "BMI"}[type(c)]
        return f"{name} is {range_words(c.range)}", True
    if isinstance(c, SexConstraint):
        return ("any sex" if c.sex == "all" else f"sex {c.sex}"), True
    if isinstance(c, ConditionConstraint | OtherConstraint):
        text = concept_words(c.concepts)
        if c.window is not None:
            text += " " + window_words(c.window)
        elif c.history:
            text += ", now or in the past"
        return text, c.present
    if isinstance(c, TherapyConstraint | ProcedureConstraint | TrialParticipationConstraint):
        return _exposure_words(c), c.present if c.exposure != Exposure.WASHOUT else not c.present
    if isinstance(c, ConsentConstraint):
        return "informed consent given", c.present
    return c.kind.replace("_", " "), True


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def verb(effect: str) -> str:
    """How a sentence of an inclusion or an exclusion starts."""
    return "Exclude if" if effect == "exclude" else "Requires"


def phrase(c: AnyConstraint, criterion_text: str | None = None) -> str:
    """What a constraint names, worded to follow ``verb(c.effect)``: "ALT is above 2.5 × the
    upper limit of normal" (exclusion), "age between 18 and 65 years" (inclusion), "no
    contraception", "the investigator's judgement: “…”"; with its condition and what makes it
    less than certain (a model's reading, an inference, a qualifier not read)."""
    if isinstance(c, JudgementConstraint):
        quote = criterion_text or (c.evidence.text if c.evidence else "the investigator's opinion")
        return f"the investigator's judgement: “{_clip(quote)}”"
    text, present = _content(c)
    if isinstance(c, SexConstraint) and c.sex == "all":
        out = "any sex"
    elif present:
        out = text if c.effect == "exclude" else text.replace(" is ", " ", 1).replace(" are ", " ", 1)
    else:
        out = f"no {text.removeprefix('any ')}"
    cond = getattr(c, "applies_if", None)
    if cond is not None:
        out += f", {condition_words(cond)}"
    notes = []
    prov = c.provenance
    if prov.source == "model":
        notes.append("read by the statistical model")
    if prov.inferred:
        notes.append("inferred from the wording")
    if prov.unresolved:
        notes.append("not read: " + "; ".join(prov.unresolved))
    if c.criterion is None:
        notes.append("from the record's structured fields")
    return out + (f" ({'; '.join(notes)})" if notes else "")


def sentence(c: AnyConstraint, criterion_text: str | None = None) -> str:
    """One constraint as a sentence a person can check against the source text: "Requires age
    between 18 and 65 years", "Exclude if ALT is above 2.5 × the upper limit of normal",
    "Exclude if any stem-cell therapy in the 3 months before enrollment", "Needs the
    investigator: “any condition that …”" (the criterion's text, else the words read). A washout
    is the absence of its exposure in its window."""
    if isinstance(c, JudgementConstraint):
        return "Needs the investigator: " + phrase(c, criterion_text).split(": ", 1)[1]
    if isinstance(c, SexConstraint) and c.sex == "all":
        return "Open to " + phrase(c)
    return f"{verb(c.effect)} {phrase(c, criterion_text)}"
