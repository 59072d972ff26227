"""Coded lexicons: the concepts the analyzer knows, with synonyms, standard codes and is-a parents.

Files: ``nlp/resources/lexicons/*.jsonl``, one JSON object per line (schema: ``LexiconEntry``).
``python -m nlp.resources.lexicon`` validates every file (schema, unique ids and synonyms,
parents that exist, code formats and check digits) and prints a summary.

``Lexicon`` is the one object that answers questions about concepts: name and codes of an id,
is-a ancestors and descendants, the concept of a code, and the concepts a short text names
(``find``: whole-token lookup of synonyms, case-insensitive, and abbreviations, as written; the
longest match wins). ``find`` is what later stages use instead of re-running the pipeline: a
patient's item names, the titles of a v1 document being upgraded.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nlp.core.constraints import Concept
from nlp.core.entity import CodeRef
from nlp.core.knowledge import cue

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ATC = "http://www.whocc.no/atc"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
MESH = "https://www.nlm.nih.gov/mesh"  # HL7 THO's canonical URL for MeSH
DRUGBANK = "https://go.drugbank.com"
SYSTEMS = (LOINC, SNOMED, ICD10, ICD10CM, ATC, RXNORM, MESH, DRUGBANK)
UCUM_SYSTEM = "http://unitsofmeasure.org"
# the OMOP vocabulary_id of each code system (DrugBank has none); and OMOP's gender concepts
OMOP_VOCABULARY = {SNOMED: "SNOMED", ICD10CM: "ICD10CM", ICD10: "ICD10", LOINC: "LOINC", RXNORM: "RxNorm",
                   ATC: "ATC", MESH: "MeSH", UCUM_SYSTEM: "UCUM"}
OMOP_GENDER = {"male": 8507, "female": 8532}

Category = Literal["measurement", "condition", "therapy", "procedure", "demographic", "other"]
# Entity labels a lexicon concept is tagged with (see nlp/pipeline/README.md for the label set).
Label = Literal[
    "MEASUREMENT", "CONDITION", "THERAPY", "PROCEDURE", "PREGNANCY", "TRIAL_PARTICIPATION",
    "CONSENT", "JUDGEMENT", "SEX", "AGE", "OTHER",
]


# an analyte the statistical NER found and no vocabulary has ("ankle pressure ≤ 70 mm Hg"): its
# threshold is kept under the name as written, with no code
UNCODED = "uncoded:"


def uncoded_id(text: str) -> str:
    """The id of an uncoded analyte named ``text`` (spaces collapsed)."""
    return UNCODED + " ".join(text.split())


class Code(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    system: Literal[
        "http://loinc.org", "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10",
        "http://hl7.org/fhir/sid/icd-10-cm", "http://www.whocc.no/atc",
        "http://www.nlm.nih.gov/research/umls/rxnorm", "https://www.nlm.nih.gov/mesh", "https://go.drugbank.com",
    ]
    code: str
    display: str | None = None


class LexiconEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    category: Category
    label: Label
    synonyms: tuple[str, ...] = ()  # matched case-insensitively, as whole tokens
    abbreviations: tuple[str, ...] = ()  # matched case-sensitively ("ALT", "PLT", "HIV")
    codes: tuple[Code, ...] = ()
    unit: str | None = None  # default UCUM unit (measurements)
    range: tuple[float, float] | None = None  # plausible values in ``unit`` (measurements)
    # a healthy adult's usual values in ``unit`` (a textbook reference interval, measurements): an
    # exclusion of every one of them is read as a requirement worded in an exclusion, or the trial's own population
    normal: tuple[float, float] | None = None
    parents: tuple[str, ...] = ()  # is-a: ids of broader (grouping) concepts
    # conditions: the scale that grades or stages them ("Stage 5 CKD" is CKD stage = 5)
    staged_by: str | None = None
    # conditions a lab value defines: the analyte whose threshold, written right after the
    # condition, is what the condition means ("severe anemia (< 8 g/dL)" is hemoglobin < 8)
    measured_by: str | None = None
    # words that name the concept only inside a list of treatments ("surgery, chemotherapy, or
    # radiation"): alone they name something else ("radiation exposure"); matched case-insensitively
    listed_synonyms: tuple[str, ...] = ()
    # a compound naming several concepts at once ("cardiopulmonary disease" is cardiac dysfunction
    # and pulmonary disease): a mention is read as one constraint per part, any of them (OR)
    expands_to: tuple[str, ...] = ()
    # a function or test group ("renal function"): the condition its abnormal state is
    # ("adequate renal function" = no renal dysfunction, "abnormal liver function" = hepatic dysfunction)
    dysfunction: str | None = None
    # a test group whose threshold is a threshold on each of these analytes ("transaminases > 3 x
    # ULN", "LFTs > 5x normal": ALT and AST), the group's own mention being no constraint then
    read_as: tuple[str, ...] = ()
    # measurements in time: the comparator a time limit with none of its own gives the value
    # ("progression to death within 24 hours"): "<" for an expectation ("death expected within a
    # time is a life expectancy below it"); unset, "<=" (at most the time)
    within: Literal["<", "<="] | None = None
    # a scale's classes written as capital letters, each a band of its points ("Child-Pugh B" is
    # 7-9 points): read as that band ("Child-Pugh B or C" is 7 points or more)
    classes: dict[str, tuple[float, float]] | None = None
    notes: str | None = None
    source: str | None = None  # imported entries: "package version (licence)" (nlp/core/vocabulary.py)

    @model_validator(mode="after")
    def _normal_is_plausible(self) -> LexiconEntry:
        if self.normal is not None:
            lo, hi = self.normal
            if self.range is None or self.unit is None or not (self.range[0] <= lo < hi <= self.range[1]):
                raise ValueError(f"{self.id}: normal {self.normal} needs a unit and must lie inside range {self.range}")
        return self

    @field_validator("synonyms", "abbreviations", "listed_synonyms")
    @classmethod
    def _clean_terms(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        for t in terms:
            if not t or t != t.strip() or "  " in t:
                raise ValueError(f"term {t!r} has stray whitespace")
        return terms


# --- code checks --------------------------------------------------------------------------

def luhn_check_digit(digits: str) -> int:
    """Check digit of LOINC's mod-10 algorithm (the Luhn algorithm) for the number part."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


_VD = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VP = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def verhoeff_valid(number: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _VD[c][_VP[i % 8][int(ch)]]
    return c == 0


def code_problem(code: Code) -> str | None:
    """Why a code is malformed (format or check digit), or None."""
    c = code.code
    if code.system == LOINC:
        m = re.fullmatch(r"(\d{1,7})-(\d)", c)
        if not m:
            return f"LOINC {c!r}: not NNNNN-N"
        if luhn_check_digit(m.group(1)) != int(m.group(2)):
            return f"LOINC {c!r}: check digit should be {luhn_check_digit(m.group(1))}"
    elif code.system == SNOMED:
        if not re.fullmatch(r"[1-9]\d{5,17}", c):
            return f"SNOMED CT {c!r}: not a 6-18 digit SCTID"
        if c[-3:-1] not in {"00", "10"}:
            return f"SNOMED CT {c!r}: partition {c[-3:-1]} is not a concept partition (00/10)"
        if not verhoeff_valid(c):
            return f"SNOMED CT {c!r}: Verhoeff check digit fails"
    elif code.system in (ICD10, ICD10CM):
        # ICD-10-CM's later editions add categories with a letter second ("QA0", 2026)
        second = r"\d" if code.system == ICD10 else r"[0-9A-Z]"
        if not re.fullmatch(rf"[A-Z]{second}[0-9AB](?:\.[0-9A-Z]{{1,4}})?(?:-[A-Z]{second}[0-9A-Z])?", c):
            return f"ICD-10 {c!r}: not a category/code like 'B20' or 'E11.9' (or a range 'C00-C97')"
    elif code.system == ATC:
        if not re.fullmatch(r"[A-Z](?:\d\d(?:[A-Z](?:[A-Z](?:\d\d)?)?)?)?", c):
            return f"ATC {c!r}: not an ATC code like 'L04AA'"
    elif code.system == RXNORM and not re.fullmatch(r"[1-9]\d{0,8}", c):
        return f"RxNorm {c!r}: not an RxCUI"
    elif code.system == MESH and not re.fullmatch(r"D\d{6}(?:\d{3})?", c):
        return f"MeSH {c!r}: not a descriptor id like 'D000925'"
    elif code.system == DRUGBANK and not re.fullmatch(r"DB\d{5}", c):
        return f"DrugBank {c!r}: not an accession like 'DB00619'"
    return None


# --- loading --------------------------------------------------------------------------------

def lexicon_files(directory: Path | None = None) -> list[Path]:
    base = directory or Path(str(resources.files("nlp.resources") / "lexicons"))
    return sorted(base.glob("*.jsonl"))


def read_entries(path: Path) -> list[LexiconEntry]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            out.append(LexiconEntry.model_validate_json(line))
        except ValidationError as exc:
            raise ValueError(f"{path.name}:{n}: {exc.errors()[0]['msg']} ({exc.errors()[0]['loc']})") from None
    return out


@lru_cache(maxsize=4)
def load_lexicon(directory: str | None = None) -> tuple[LexiconEntry, ...]:
    entries: list[LexiconEntry] = []
    for f in lexicon_files(Path(directory) if directory else None):
        entries.extend(read_entries(f))
    return tuple(entries)


def lexicon_problems(entries: Iterable[LexiconEntry]) -> list[str]:
    entries = list(entries)
    problems: list[str] = []
    ids: dict[str, LexiconEntry] = {}
    for e in entries:
        if e.id in ids:
            problems.append(f"duplicate id {e.id!r}")
        ids[e.id] = e
    owners: dict[str, str] = {}
    for e in entries:
        names = {n.lower() for n in (e.name, *e.synonyms, *e.abbreviations)}
        for code in e.codes:
            p = code_problem(code)
            if p:
                problems.append(f"{e.id}: {p}")
            if code.system == SNOMED and code.display and code.display.lower() not in names:
                # SNOMED CT's preferred term is how records name the concept ("Viral hepatitis type B")
                problems.append(f"{e.id}: SNOMED CT display {code.display!r} is none of its names")
        for parent in e.parents:
            if parent not in ids:
                problems.append(f"{e.id}: unknown parent {parent!r}")
            elif parent == e.id:
                problems.append(f"{e.id}: is its own parent")
        if e.staged_by is not None and (e.staged_by not in ids or ids[e.staged_by].unit != "{score}"):
            problems.append(f"{e.id}: staged_by {e.staged_by!r} is not a scale of the lexicon (a measurement in {{score}})")
        for part in e.expands_to:
            if part not in ids or ids[part].category != e.category or ids[part].expands_to:
                problems.append(f"{e.id}: expands_to {part!r} is not a plain concept of its category")
        if e.measured_by is not None and (e.measured_by not in ids or ids[e.measured_by].category != "measurement"):
            problems.append(f"{e.id}: measured_by {e.measured_by!r} is not a measurement of the lexicon")
        for part in e.read_as:
            if part not in ids or ids[part].label != "MEASUREMENT" or ids[part].unit is None:
                problems.append(f"{e.id}: read_as {part!r} is not a measurement of the lexicon with a unit")
        for letter, (lo, hi) in (e.classes or {}).items():
            if len(letter) != 1 or not letter.isupper() or e.range is None or not (e.range[0] <= lo <= hi <= e.range[1]):
                problems.append(f"{e.id}: class {letter!r} ({lo}-{hi}) is not a capital letter with a band inside its range {e.range}")
        if e.dysfunction is not None and (e.dysfunction not in ids or ids[e.dysfunction].category != "condition"):
            problems.append(f"{e.id}: dysfunction {e.dysfunction!r} is not a condition of the lexicon")
        if e.category == "measurement" and e.label == "MEASUREMENT" and e.source is None:  # imported: units per source
            if e.unit is None or e.range is None:
                problems.append(f"{e.id}: a measurement needs 'unit' and 'range'")
            elif e.range[0] > e.range[1]:
                problems.append(f"{e.id}: range low > high")
        if not e.synonyms and not e.abbreviations and not e.parents:
            problems.append(f"{e.id}: no synonyms or abbreviations")
        for term in e.synonyms:
            key = term.lower()
            if key in owners and owners[key] != e.id:
                problems.append(f"synonym {term!r} in both {owners[key]} and {e.id}")
            owners[key] = e.id
        for term in e.abbreviations:
            key = "\x00" + term
            if key in owners and owners[key] != e.id:
                problems.append(f"abbreviation {term!r} in both {owners[key]} and {e.id}")
            owners[key] = e.id
    # is-a cycles
    for e in entries:
        seen: set[str] = set()
        stack = list(e.parents)
        while stack:
            p = stack.pop()
            if p == e.id:
                problems.append(f"{e.id}: is-a cycle")
                break
            if p in seen or p not in ids:
                continue
            seen.add(p)
            stack.extend(ids[p].parents)
    return problems


@lru_cache(maxsize=1)
def _spelling_rules() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str], ...]]:
    """``spellings.json``'s rules: any rule's pattern (one search tells whether a term has a
    spelling to change), and (the American pattern, the British template) in file order."""
    data = json.loads((Path(str(resources.files("nlp.resources"))) / "spellings.json").read_text(encoding="utf-8"))
    rules = tuple((re.compile(r["american"], re.I), r["british"]) for r in data["british"])
    return re.compile("|".join(f"(?:{p.pattern})" for p, _ in rules), re.I), rules


def british_form(term: str) -> str | None:
    """The term in British spelling (``spellings.json``: "hypocalcemia" -> "hypocalcaemia",
    "esophageal varices" -> "oesophageal varices", "hospitalization" -> "hospitalisation"), a
    word's capital kept; None when no rule changes it."""
    any_rule, rules = _spelling_rules()
    if not any_rule.search(term):
        return None
    out = term
    for pattern, template in rules:
        out = _respell(pattern, template, out)
    return out if out != term else None


def _respell(pattern: re.Pattern[str], template: str, text: str) -> str:
    """``text`` with each match of ``pattern`` replaced by ``template``, a capital kept."""
    def one(m: re.Match[str]) -> str:
        new = m.expand(template)
        return new[:1].upper() + new[1:] if m.group(0)[:1].isupper() else new
    return pattern.sub(one, text)


def spelling_problems() -> list[str]:
    """Rules of ``spellings.json`` that do not compile, whose examples they do not produce, whose
    ``unchanged`` words they change, or whose British example the rules change again."""
    path = Path(str(resources.files("nlp.resources"))) / "spellings.json"
    out = []
    for n, r in enumerate(json.loads(path.read_text(encoding="utf-8"))["british"]):
        try:
            pattern = re.compile(r["american"], re.I)
        except re.error as exc:
            out.append(f"spellings.json rule {n} ({r['american']!r}): {exc}")
            continue
        for american, british in r["examples"]:
            got = _respell(pattern, r["british"], american)
            if got != british:
                out.append(f"spellings.json rule {n} ({r['american']!r}): {american!r} gives {got!r}, not {british!r}")
            if (again := british_form(british)) is not None:
                out.append(f"spellings.json: the British {british!r} is changed again, to {again!r}")
        for word in r["unchanged"]:
            if pattern.search(word):
                out.append(f"spellings.json rule {n} ({r['american']!r}): changes {word!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    directory = Path(args[0]) if args else None
    try:
        entries = [e for f in lexicon_files(directory) for e in read_entries(f)]
    except ValueError as exc:
        print(f"lexicon: error: {exc}", file=sys.stderr)
        return 1
    problems = [*lexicon_problems(entries), *spelling_problems()]
    for p in problems:
        print(f"lexicon: problem: {p}", file=sys.stderr)
    by_cat: dict[str, int] = {}
    for e in entries:
        by_cat[e.category] = by_cat.get(e.category, 0) + 1
    n_codes = sum(len(e.codes) for e in entries)
    print(f"{len(entries)} concepts {by_cat}, {n_codes} codes, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())


# --- the Lexicon object -----------------------------------------------------------------------

_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w+")
# characters an imported term never spans (the punctuation between its words is otherwise ignored:
# "Hb-S/Hb-C disease"): a comparison ("18 years old ≤ age" holds no "old age"), a semicolon, a
# comma between list items ("fever, cough, headache" holds no "cough headache"; a chemical name's
# "1,1-" has no space after its comma)
_CLOSE = re.compile(r"[^\S\n]*\)")  # a bracket closing right after a term that opened it
_TERM_BREAK = re.compile(r"[<>≤≥=;]|,\s")
_WHOLE_CACHE = 100_000  # phrases whose ``Lexicon.whole`` answer is kept


_INNER_HYPHEN = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")


def spelled_apart(term: str) -> str | None:
    """The term with the hyphens between its words written as spaces, as criteria often write
    them ("end stage renal disease", "insulin dependent diabetes", "graft versus host reaction",
    "non small cell lung cancer": one name, whose "non" negates nothing); None when it has none."""
    if not _INNER_HYPHEN.search(term):
        return None
    return _INNER_HYPHEN.sub(" ", term)


def course_forms(term: str, head: re.Pattern[str]) -> tuple[str, ...]:
    """A drug class's term whose last word is a drug noun (``head``, cue ``drug_class_head``:
    "antidiabetic drugs", "immune suppressive drugs") with a course noun in its place, as criteria
    name the same class ("antidiabetic therapies", "immune suppressive treatment"); none for a
    term that is the noun alone, nor where a course noun names something else (cue
    ``course_form_blocked``: "study treatment" is the trial's own, "psychiatric treatment" any care)."""
    m = head.search(term)
    if m is None or not term[:m.start()].strip() or cue("course_form_blocked").match(term):
        return ()
    return tuple(term[:m.start()] + w for w in ("therapy", "therapies", "treatment", "treatments"))


def other_number(term: str, exempt: re.Pattern[str]) -> str | None:
    """The term of two words or more with its last word, a lower-case noun, in the other number
    ("known allergy" -> "known allergies", "renal transplants" -> "renal transplant"); None for a
    single word (a word alone is too often another part of speech: "biologic") or a last word
    ``exempt`` says has no other number (cue ``number_exempt``: "diabetes", "sepsis", "treated")."""
    head, _, word = term.rpartition(" ")
    if not head or not word.isalpha() or not word.islower() or len(word) < 4 or exempt.search(word):
        return None
    if word.endswith("ies"):
        other = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        other = word[:-2]
    elif word.endswith("s"):
        other = word[:-1]
    elif word.endswith("y") and word[-2] not in "aeiou":
        other = word[:-1] + "ies"
    elif word.endswith(("ss", "x", "ch", "sh")):
        other = word + "es"
    else:
        other = word + "s"
    return f"{head} {other}"


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def bound_prefix_before(text: str, start: int, anti_nouns: bool = True) -> bool:
    """Whether a prefix a hyphen binds ("pre-diabetes", "pseudo-arthrosis", "anti-convulsant"; cue
    ``bound_prefix``) stands right before the word at ``start``, making another concept of it.
    ``anti_nouns``: "anti-" before any word is bound (the imported terms: "anti-tachycardia
    pacing"); else only before an adjective (cue ``adjective_word``: "anti-rheumatic",
    "anti-psychotic"), since "anti-HCV", "anti-hepatitis B" name an antibody, the marker of the
    infection the curated term names."""
    if start < 2 or text[start - 1] != "-":
        return False
    m = cue("bound_prefix").search(text, max(0, start - 8), start)
    if m is None:
        return False
    return anti_nouns or not m.group(0).lower().startswith("anti") or cue("adjective_word").match(text, start) is not None


class _Entries(Mapping[str, LexiconEntry]):
    """Entries by id: the curated ones validated, the imported ones (plain dicts from the built
    vocabulary, read on first use) made into ``LexiconEntry`` objects when first asked for. Ids,
    is-a parents and codes come from the vocabulary's index, without reading its entries."""

    def __init__(self, curated: dict[str, LexiconEntry], vocabulary: Any = None) -> None:
        self._curated = curated
        self._vocabulary = vocabulary
        self._parents: dict[str, list[str]] = vocabulary.parents if vocabulary is not None else {}
        self._built: dict[str, LexiconEntry] = {}

    @property
    def _raw(self) -> dict[str, dict[str, Any]]:
        return self._vocabulary.raw if self._vocabulary is not None else {}

    def __getitem__(self, cid: str) -> LexiconEntry:
        e = self._curated.get(cid) or self._built.get(cid)
        if e is None:
            e = self._built[cid] = construct_entry(self._raw[cid])
        return e

    def __contains__(self, cid: object) -> bool:
        return cid in self._curated or cid in self._parents

    def __iter__(self) -> Iterator[str]:
        yield from self._curated
        yield from (k for k in self._parents if k not in self._curated)

    def __len__(self) -> int:
        return len(self._curated) + sum(1 for k in self._parents if k not in self._curated)

    def is_curated(self, cid: str) -> bool:
        """Whether the concept is one of the hand-curated lexicon's (not imported)."""
        return cid in self._curated

    def curated(self) -> Iterator[LexiconEntry]:
        """The hand-curated entries (the imported ones are not read)."""
        yield from self._curated.values()

    def terms(self) -> Iterator[tuple[str, str, str]]:
        """(synonym, concept id, category) of every entry, without building the imported entries."""
        for e in self._curated.values():
            for t in e.synonyms:
                yield t, e.id, e.category
        for cid, d in self._raw.items():
            if cid not in self._curated:
                for t in d.get("synonyms", ()):
                    yield t, cid, d["category"]

    def link_index(self) -> dict[str, Any]:
        """The concept linker's index of the imported terms (``nlp.core.vocabulary.link_index``):
        saved by the vocabulary's build, not built here; empty without a vocabulary."""
        if self._vocabulary is None:
            return {"terms": [], "ids": [], "keyed": {}}
        return dict(self._vocabulary.link_index(frozenset(self._curated)))

    def codes(self) -> Iterator[tuple[str, str, str]]:
        """(system, code, concept id) of every entry, curated first, without reading the imported
        entries."""
        for e in self._curated.values():
            for c in e.codes:
                yield c.system, c.code, e.id
        if self._vocabulary is not None:
            for system, code, cid in self._vocabulary.codes:
                if cid not in self._curated:
                    yield system, code, cid

    def parents(self, cid: str) -> tuple[str, ...]:
        e = self._curated.get(cid)
        if e is not None:
            return e.parents
        return tuple(self._parents.get(cid, ()))


def construct_entry(d: dict[str, Any]) -> LexiconEntry:
    """A ``LexiconEntry`` from a built vocabulary line, unvalidated (the build and the tests
    validate every line)."""
    fields = {k: d[k] for k in LexiconEntry.model_fields if k in d}
    fields["codes"] = tuple(Code.model_construct(**c) for c in d.get("codes", ()))
    for k in ("synonyms", "abbreviations", "parents"):
        fields[k] = tuple(d.get(k, ()))
    if d.get("range") is not None:
        fields["range"] = tuple(d["range"])
    return LexiconEntry.model_construct(**fields)


def longest_first(text: str, sources: Iterable[list[tuple[str, int, int]]]) -> list[tuple[str, int, int]]:
    """Hits of several finders merged: a span of more words wins over one it overlaps (a
    specific concept is never dropped for a broader one inside it), an earlier source wins a tie
    of lengths; in text order."""
    ranked = sorted(((len(_WORD.findall(text[s:e])), -rank, -s, h) for rank, hits in enumerate(sources) for h in hits
                     for (_, s, e) in [h]), key=lambda x: x[:3], reverse=True)
    kept: list[tuple[str, int, int]] = []
    for *_, h in ranked:
        if not any(k[1] < h[2] and h[1] < k[2] for k in kept):
            kept.append(h)
    return sorted(kept, key=lambda h: h[1])


class Lexicon:
    """Concepts by id with their is-a closure, codes and surface terms: the curated lexicon and,
    from ``load()``, the imported vocabulary (``vocabulary``: its raw entries by id, its term keys
    and the aliases it adds to curated concepts; see ``nlp/core/vocabulary.py``)."""

    def __init__(self, entries: Iterable[LexiconEntry], vocabulary: Any = None) -> None:
        curated = {e.id: e for e in entries}
        self.entries: _Entries = _Entries(curated, vocabulary)
        self._ancestors: dict[str, frozenset[str]] = {}
        self._descendants: dict[str, set[str]] | None = None
        self._by_code: dict[tuple[str, str], str] | None = None
        self._concepts: dict[str, Concept] = {}
        self._whole: dict[str, str | None] = {}  # ``whole``'s answers: the lexicon does not change
        # token tuples -> concept id: synonyms lower-cased, abbreviations as written
        self._lower: dict[tuple[str, ...], str] = {}
        self._orth: dict[tuple[str, ...], str] = {}
        for e in curated.values():
            for s in e.synonyms:
                self._lower.setdefault(tuple(t.lower() for t, _, _ in _tokens(s)), e.id)
            for a in e.abbreviations:
                self._orth.setdefault(tuple(t for t, _, _ in _tokens(a)), e.id)
        # each term also spelled without its inner hyphens, after every term as written: a
        # spelling never takes another's term; the tagger's phrase matcher reads these too
        # (``term_variants``: per concept, the spellings apart and the other-number forms it gained)
        self.term_variants: dict[str, list[str]] = {}

        def gain(cid: str, form: str) -> None:
            """``form``, a variant of a term of ``cid``, unless it is already another's term."""
            key = tuple(t.lower() for t, _, _ in _tokens(form))
            if key not in self._lower:
                self._lower[key] = cid
                self.term_variants.setdefault(cid, []).append(form)

        for e in curated.values():
            for s in e.synonyms:
                if (apart := spelled_apart(s)) is not None:
                    gain(e.id, apart)
        # a drug class named with a drug noun ("antidiabetic drugs", "immunosuppressive agents")
        # also with a course noun ("antidiabetic therapies", "immune suppressive treatment"),
        # after every term as written: a variant never takes another's term
        head = cue("drug_class_head")
        for e in curated.values():
            if e.category != "therapy":
                continue
            for s in (*e.synonyms, *self.term_variants.get(e.id, ())):
                for form in course_forms(s, head):
                    gain(e.id, form)
        # each term of two words or more also with its last word in the other number ("known
        # allergies", "renal transplants", "oral corticosteroid"), after every term and spelling:
        # a variant never takes another's term
        exempt = cue("number_exempt")
        for e in curated.values():
            for s in (*e.synonyms, *self.term_variants.get(e.id, ())):
                if (other := other_number(s, exempt)) is not None:
                    gain(e.id, other)
        # first token -> the term lengths starting with it: ``find`` tries only those
        self._lower_starts: dict[str, set[int]] = {}
        self._orth_starts: dict[str, set[int]] = {}
        for k in self._lower:
            self._lower_starts.setdefault(k[0], set()).add(len(k))
        for k in self._orth:
            self._orth_starts.setdefault(k[0], set()).add(len(k))
        # imported terms: word-token keys (punctuation dropped, lower-cased, joined by one space)
        # -> concept id; brand names as written
        self._vocab: dict[str, str] = vocabulary.keys if vocabulary is not None else {}
        self._vocab_starts: dict[str, list[int]] = vocabulary.starts if vocabulary is not None else {}
        self._cased: dict[str, str] = vocabulary.cased if vocabulary is not None else {}
        self._cased_starts: dict[str, list[int]] = vocabulary.cased_starts if vocabulary is not None else {}

    @property
    def by_code(self) -> dict[tuple[str, str], str]:
        """(system, code) -> concept id (built on first use)."""
        if self._by_code is None:
            self._by_code = {}
            for system, code, cid in self.entries.codes():
                self._by_code.setdefault((system, code), cid)
        return self._by_code

    @classmethod
    def load(cls, directory: str | None = None) -> Lexicon:
        """The lexicon of the package's data files with the imported vocabulary
        (``nlp/core/vocabulary.py``), or of ``directory`` alone; built once per process, however
        the directory is passed (``load()`` and ``load(None)`` are the same lexicon)."""
        return _load_lexicon_once(directory)

    def __contains__(self, cid: object) -> bool:
        return cid in self.entries

    def get(self, cid: str) -> LexiconEntry | None:
        return self.entries.get(cid)

    def concept(self, cid: str) -> Concept:
        """The frozen ``Concept`` of an id (name and codes), one shared object per id."""
        c = self._concepts.get(cid)
        if c is None:
            e = self.entries.get(cid)
            c = Concept(id=cid, name=self.name(cid), category="measurement" if cid.startswith(UNCODED) else None) if e is None else Concept(
                id=e.id, name=e.name, category=e.category,
                codes=tuple(CodeRef(system=x.system, code=x.code) for x in e.codes))
            self._concepts[cid] = c
        return c

    def name(self, cid: str) -> str:
        e = self.entries.get(cid)
        if e is None and cid.startswith(UNCODED):
            return cid[len(UNCODED):]
        return e.name if e else cid.replace("_", " ")

    def ancestors(self, cid: str) -> frozenset[str]:
        """Broader concepts (transitively), not ``cid`` itself."""
        anc = self._ancestors.get(cid)
        if anc is None:
            seen: set[str] = set()
            stack = list(self.entries.parents(cid))
            while stack:
                c = stack.pop()
                if c in seen or c not in self.entries:
                    continue
                seen.add(c)
                stack.extend(self.entries.parents(c))
            anc = self._ancestors[cid] = frozenset(seen)
        return anc


    def inherited(self, cid: str, attr: str) -> str | None:
        """A field of a concept (``staged_by``, ``measured_by``, ``dysfunction``), or of a broader
        concept that has it."""
        for c in (cid, *self.ancestors(cid)):
            entry = self.entries.get(c)
            if entry is not None and (value := getattr(entry, attr)):
                return str(value)
        return None
    def descendants(self, cid: str) -> frozenset[str]:
        """Narrower concepts (transitively), not ``cid`` itself (the index is built on first use)."""
        if self._descendants is None:
            self._descendants = {}
            for c in self.entries:
                for a in self.ancestors(c):
                    self._descendants.setdefault(a, set()).add(c)
        return frozenset(self._descendants.get(cid, ()))

    def is_a(self, cid: str, other: str) -> bool:
        """``cid`` is ``other`` or a narrower concept of it."""
        return cid == other or other in self.ancestors(cid)

    def closure(self, ids: Iterable[str]) -> frozenset[str]:
        """The ids with all their ancestors."""
        out: set[str] = set()
        for cid in ids:
            out.add(cid)
            out |= self.ancestors(cid)
        return frozenset(out)

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(concept id, start, end) of the lexicon terms in ``text``: whole tokens, longest first,
        non-overlapping, in text order."""
        toks = _tokens(text)
        words = [t for t, _, _ in toks]
        lower = [w.lower() for w in words]
        out: list[tuple[str, int, int]] = []
        hyphen = "-" in text
        i = 0
        while i < len(toks):
            lengths = sorted(self._lower_starts.get(lower[i], set()) | self._orth_starts.get(words[i], set()), reverse=True)
            if lengths and hyphen and bound_prefix_before(text, toks[i][1], anti_nouns=False):
                lengths = []  # "pre-diabetes", "anti-rheumatic": the prefix makes another concept of the word
            hit = None
            for n in lengths:
                if i + n > len(toks):
                    continue
                cid = self._lower.get(tuple(lower[i:i + n])) or self._orth.get(tuple(words[i:i + n]))
                if cid is not None:
                    hit = (cid, toks[i][1], toks[i + n - 1][2], n)
                    break
            if hit is None:
                i += 1
                continue
            out.append(hit[:3])
            i += hit[3]
        if self._vocab:
            out = longest_first(text, [out, self.find_imported(text)])
        return out

    def find_imported(self, text: str) -> list[tuple[str, int, int]]:
        """(concept id, start, end) of the imported vocabulary's terms in ``text``: word tokens
        (punctuation between words ignored), longest first, non-overlapping."""
        orig = _WORD.findall(text)
        low = [*map(str.lower, orig)]
        keys, starts, cased, cased_starts = self._vocab, self._vocab_starts, self._cased, self._cased_starts
        # the words a term may start at, found by one comprehension (six in ten words start none)
        firsts = [i for i, (w, o) in enumerate(zip(low, orig, strict=True)) if w in starts or o in cased_starts]
        if not firsts:
            return []
        spans: list[tuple[int, int]] | None = None
        out: list[tuple[str, int, int]] = []
        n_words = len(low)
        pairs, cased_pairs = self._first_pairs
        free = 0  # the first word no term found so far covers
        # a hyphen may join a term's word to a prefix or to a compound's other word
        hyphen = "-" in text
        tail = cue("compound_tail")
        for i in firsts:
            if i < free:
                continue
            if hyphen and i:
                if spans is None:
                    spans = [m.span() for m in _WORD.finditer(text)]
                if bound_prefix_before(text, spans[i][0]):
                    continue  # "anti-convulsant", "pre-diabetes": the prefix makes it another concept
            lengths = starts.get(low[i]) or ()  # the word counts of the terms it starts, longest first
            other = cased_starts.get(orig[i]) or ()
            # a term of two words or more starts with the first two words of a key ("acute kidney")
            two = i + 1 < n_words and f"{low[i]} {low[i + 1]}" in pairs
            two_cased = i + 1 < n_words and f"{orig[i]} {orig[i + 1]}" in cased_pairs
            for n in (lengths or other) if not (lengths and other) else sorted({*lengths, *other}, reverse=True):
                if i + n > n_words:
                    continue
                cid = (keys.get(" ".join(low[i:i + n])) if n in lengths and (n == 1 or two) else None) or (
                    cased.get(" ".join(orig[i:i + n])) if n in other and (n == 1 or two_cased) else None)
                if cid is not None:
                    if spans is None:
                        spans = [m.span() for m in _WORD.finditer(text)]
                    if n > 1 and _TERM_BREAK.search(text, spans[i][1], spans[i + n - 1][0]):
                        continue  # a shorter term may still start here
                    if n == 1 and hyphen and tail.match(text, spans[i][1]) and self._is_condition(cid):
                        continue  # "Apnea-Hypopnea index", "hematoma-related": a word of a compound, no condition
                    end = spans[i + n - 1][1]
                    if text.count("(", spans[i][0], end) > text.count(")", spans[i][0], end) and (close := _CLOSE.match(text, end)):
                        end = close.end()  # "Chronic Kidney Disease (CKD)": the term's bracket closes inside it
                    out.append((cid, spans[i][0], end))
                    free = i + n
                    break
        return out

    def _is_condition(self, cid: str) -> bool:
        entry = self.get(cid)
        return entry is not None and entry.category == "condition"

    @cached_property
    def _first_pairs(self) -> tuple[frozenset[str], frozenset[str]]:
        """The first two words of every imported key of two words or more, lower-cased and as
        written (built on first use: a few hundredths of a second): ``find_imported`` tries the
        longer terms a word starts only when the next word is their second."""
        def firsts(keys: Iterable[str]) -> frozenset[str]:
            return frozenset(" ".join(k.split(" ", 2)[:2]) for k in keys if " " in k)
        return firsts(self._vocab), firsts(self._cased)

    def is_term(self, text: str) -> bool:
        """Whether ``text`` is, as a whole, one term of the lexicon or the imported vocabulary
        (``whole`` is then a concept): a key lookup, no scan of the text."""
        toks = _tokens(text)
        if tuple(t.lower() for t, _, _ in toks) in self._lower or tuple(t for t, _, _ in toks) in self._orth:
            return True
        words = _WORD.findall(text)
        return " ".join(w.lower() for w in words) in self._vocab or " ".join(words) in self._cased

    def whole(self, text: str) -> str | None:
        """The concept one term of which is the whole ``text`` ("hepatitis C"), else None."""
        if text in self._whole:
            return self._whole[text]
        hits = self.find(text)
        cid = hits[0][0] if len(hits) == 1 and hits[0][1] == 0 and hits[0][2] == len(text) else None
        if len(self._whole) >= _WHOLE_CACHE:
            self._whole.clear()  # bounded: a long-running process meets ever new phrases
        self._whole[text] = cid
        return cid

    def concepts_in(self, text: str) -> frozenset[str]:
        """The concepts ``text`` names (``find``), without ancestors."""
        return frozenset(cid for cid, _, _ in self.find(text))


@lru_cache(maxsize=4)
def _load_lexicon_once(directory: str | None) -> Lexicon:
    """``Lexicon.load``'s cache, keyed on the directory alone (always passed by position)."""
    if directory is not None:
        return Lexicon(load_lexicon(directory))
    from nlp.core.vocabulary import load_vocabulary

    return Lexicon(load_lexicon(), load_vocabulary())
