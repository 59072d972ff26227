"""The class of a criterion, derived from the labels annotated inside it (the same derivation for
Chia and for our gold trials): what the criterion classifier learns and is scored on."""

from __future__ import annotations

from collections.abc import Iterable

from nlp.corpora.chia import CHIA_DIR, Mapping, load_split, read_corpus

CLASSES = ("demographic", "measurement", "condition", "therapy", "procedure", "pregnancy",
           "trial_participation", "consent", "judgement", "other")
_ORDER = (
    ("consent", {"CONSENT"}), ("trial_participation", {"TRIAL_PARTICIPATION"}),
    ("judgement", {"JUDGEMENT"}), ("pregnancy", {"PREGNANCY"}),
    ("measurement", {"MEASUREMENT", "REF_RANGE"}), ("therapy", {"THERAPY"}),
    ("procedure", {"PROCEDURE"}), ("condition", {"CONDITION"}), ("demographic", {"AGE", "SEX"}),
)
_FLAG_LABEL = {"judgement": "JUDGEMENT", "consent": "CONSENT",
               "trial_participation": "TRIAL_PARTICIPATION", "pregnancy": "PREGNANCY"}


def criterion_class(labels: Iterable[str]) -> str:
    found = set(labels)
    for cls, want in _ORDER:
        if found & want:
            return cls
    return "other"


def chia_data(part: str, mapping: Mapping | None = None) -> tuple[list[str], list[str]]:
    mapping = mapping or Mapping()
    texts, ys = [], []
    for ex in read_corpus(CHIA_DIR, load_split()[part], mapping=mapping):
        labels = {s.label for s in ex.spans}
        labels |= {_FLAG_LABEL[mapping.flag[f]] for f in ex.flags if mapping.flag.get(f) in _FLAG_LABEL}
        texts.append(ex.text)
        ys.append(criterion_class(labels))
    return texts, ys


def gold_data(part: str) -> tuple[list[str], list[str]]:
    """Our gold trials' analysed criteria with the class of the labels inside each."""
    from nlp.corpora.gold import load_gold
    from nlp.criteria import split_criteria
    from nlp.pipeline.annotate import nlp_targets

    texts, ys = [], []
    for t in load_gold().split(part):
        for c in nlp_targets(split_criteria(t.text).criteria):
            a, b = c.source_offset(0), c.source_offset(max(len(c.text) - 1, 0)) + 1
            labels = {s.label for s in t.spans if a <= s.start and s.end <= b}
            texts.append(c.text)
            ys.append(criterion_class(labels))
    return texts, ys
