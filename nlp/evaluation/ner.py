"""Entity scores: per-label precision, recall and F1, strict (same start, end and label) and
relaxed (overlap with the same label), micro and macro; for the rules alone, the model alone
and their combination (model spans only where no rule span overlaps).

Relaxed counting: a predicted span is correct when it overlaps a gold span of its label
(precision), a gold span is found when a predicted span of its label overlaps it (recall).

Against Chia the score covers the labels Chia's types map to (``NER_LABELS``; the rules'
TRIAL_PARTICIPATION / CONSENT / JUDGEMENT / OTHER have no Chia counterpart and are left out of
both sides); against our gold every label the gold uses counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

SpanT = tuple[int, int, str]
SYSTEMS = ("rules", "model", "combined", "model_first")
# "combined" is what the product does (rules first, model spans only where no rule span
# overlaps); "model_first" is the other order (rule spans only where no model span overlaps),
# measured for comparison and not used by ``elig parse``.


@dataclass
class Counts:
    tp: int = 0  # strict
    fp: int = 0
    fn: int = 0
    r_tp_p: int = 0  # relaxed: predictions overlapping a gold span of their label
    r_pred: int = 0
    r_tp_g: int = 0  # relaxed: gold spans overlapped by a prediction of their label
    r_gold: int = 0


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4)}


def _relaxed(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, float]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4)}


@dataclass
class Scorer:
    labels: tuple[str, ...] | None = None  # None: every label seen in gold or predictions
    counts: dict[str, Counts] = field(default_factory=dict)

    def add(self, gold: Iterable[SpanT], pred: Iterable[SpanT]) -> None:
        """One document's gold and predicted spans (same offset base)."""
        g = {s for s in gold if self.labels is None or s[2] in self.labels}
        p = {s for s in pred if self.labels is None or s[2] in self.labels}
        for label in {s[2] for s in g | p}:
            c = self.counts.setdefault(label, Counts())
            gl = [s for s in g if s[2] == label]
            pl = [s for s in p if s[2] == label]
            tp = len(set(gl) & set(pl))
            c.tp += tp
            c.fp += len(pl) - tp
            c.fn += len(gl) - tp
            c.r_pred += len(pl)
            c.r_gold += len(gl)
            c.r_tp_p += sum(1 for a in pl if any(a[0] < b[1] and b[0] < a[1] for b in gl))
            c.r_tp_g += sum(1 for b in gl if any(a[0] < b[1] and b[0] < a[1] for a in pl))

    def report(self) -> dict:
        labels = sorted(self.labels if self.labels is not None else self.counts)
        per: dict[str, dict] = {}
        for label in labels:
            c = self.counts.get(label, Counts())
            per[label] = {"gold": c.tp + c.fn, "pred": c.tp + c.fp,
                          "strict": _prf(c.tp, c.tp + c.fp, c.tp + c.fn),
                          "relaxed": _relaxed(c.r_tp_p, c.r_pred, c.r_tp_g, c.r_gold)}
        tot = Counts()
        for c in self.counts.values():
            for k in vars(tot):
                setattr(tot, k, getattr(tot, k) + getattr(c, k))
        with_gold = [label for label in labels if per[label]["gold"]]

        def macro(kind: str) -> dict[str, float]:
            if not with_gold:
                return {"p": 0.0, "r": 0.0, "f1": 0.0}
            return {m: round(sum(per[label][kind][m] for label in with_gold) / len(with_gold), 4) for m in ("p", "r", "f1")}

        return {
            "per_label": per,
            "micro": {"strict": _prf(tot.tp, tot.tp + tot.fp, tot.tp + tot.fn),
                      "relaxed": _relaxed(tot.r_tp_p, tot.r_pred, tot.r_tp_g, tot.r_gold)},
            "macro": {"strict": macro("strict"), "relaxed": macro("relaxed")},
            "gold_spans": tot.tp + tot.fn, "pred_spans": tot.tp + tot.fp,
        }


def score(gold_docs: Sequence[Iterable[SpanT]], pred_docs: Sequence[Iterable[SpanT]],
          labels: tuple[str, ...] | None = None) -> dict:
    if len(gold_docs) != len(pred_docs):
        raise ValueError(f"{len(gold_docs)} gold documents but {len(pred_docs)} predicted")
    s = Scorer(labels)
    for g, p in zip(gold_docs, pred_docs, strict=True):
        s.add(g, p)
    return s.report()


def _doc_spans(doc: Doc) -> list[SpanT]:
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def predict_texts(texts: Sequence[str], model_dir: Path | None = None,
                  systems: Sequence[str] = SYSTEMS) -> dict[str, list[list[SpanT]]]:
    """Spans per text for each system (offsets into each text)."""
    from nlp.pipeline import load_pipeline
    from nlp.pipeline.model_ner import combine, load_ner_model

    out: dict[str, list[list[SpanT]]] = {}
    rules = model = None
    if {"rules", "combined", "model_first"} & set(systems):
        rules = [_doc_spans(d) for d in load_pipeline().pipe(texts, batch_size=256)]
    if {"model", "combined", "model_first"} & set(systems):
        m = load_ner_model(str(model_dir) if model_dir else None)
        model = [_doc_spans(d) for d in m.pipe(texts, batch_size=256)]
    if "rules" in systems and rules is not None:
        out["rules"] = rules
    if "model" in systems and model is not None:
        out["model"] = model
    if "combined" in systems and rules is not None and model is not None:
        out["combined"] = [[(s, e, label) for s, e, label, _ in combine(r, m)] for r, m in zip(rules, model, strict=True)]
    if "model_first" in systems and rules is not None and model is not None:
        out["model_first"] = [[(s, e, label) for s, e, label, _ in combine(m, r)] for r, m in zip(rules, model, strict=True)]
    return out


def evaluate_chia(part: str = "test", model_dir: Path | None = None, systems: Sequence[str] = SYSTEMS,
                  chia_dir: Path | None = None) -> dict:
    """Scores on a Chia split (train/dev/test) of ``annotations/splits``."""
    from nlp.corpora.chia import CHIA_DIR, NER_LABELS, load_split, read_corpus

    examples = list(read_corpus(chia_dir or CHIA_DIR, load_split()[part]))
    texts = [ex.text for ex in examples]
    gold = [[(s.start, s.end, s.label) for s in ex.spans] for ex in examples]
    preds = predict_texts(texts, model_dir, systems)
    return {"data": f"chia:{part}", "criteria": len(texts), "labels": list(NER_LABELS),
            **{name: score(gold, p, NER_LABELS) for name, p in preds.items()}}


def evaluate_gold(part: str = "test", model_dir: Path | None = None, systems: Sequence[str] = SYSTEMS,
                  gold_dir: Path | None = None) -> dict:
    """Scores on our gold trials of a split, through the product's own path (criteria split as
    ``elig parse`` splits them, offsets into the eligibility text). Without gold files the
    result says so (``trials: 0``)."""
    from nlp.corpora.gold import GOLD_DIR, load_gold
    from nlp.criteria import split_criteria
    from nlp.pipeline import load_pipeline
    from nlp.pipeline.annotate import annotate_criteria
    from nlp.pipeline.model_ner import combine, load_ner_model

    gs = load_gold(gold_dir or GOLD_DIR)
    trials = gs.split(part)
    res: dict = {"data": f"gold:{part}", "trials": len(trials), "files": [Path(f).name for f in gs.files],
                 "problems": gs.problems[:50], "n_problems": len(gs.problems),
                 "trial_ids": [t.trial_id for t in trials]}
    if not trials:
        return res
    rules_nlp = load_pipeline()
    model = load_ner_model(str(model_dir) if model_dir else None) if {"model", "combined", "model_first"} & set(systems) else None
    gold: list[list[SpanT]] = []
    by_sys: dict[str, list[list[SpanT]]] = {s: [] for s in systems}
    for t in trials:
        crits = split_criteria(t.text).criteria
        gold.append([(s.start, s.end, s.label) for s in t.spans])
        ents = annotate_criteria(rules_nlp, crits)
        r: list[SpanT] = [(e.start, e.end, e.label) for es in ents.values() for e in es]
        m: list[SpanT] = []
        if model is not None:
            from nlp.pipeline.annotate import nlp_targets

            for c in nlp_targets(crits):
                doc = model(c.text)
                m += [(*c.source_span(e.start_char, e.end_char), e.label_) for e in doc.ents]
        if "rules" in by_sys:
            by_sys["rules"].append(r)
        if "model" in by_sys:
            by_sys["model"].append(m)
        if "combined" in by_sys:
            by_sys["combined"].append([(s, e, label) for s, e, label, _ in combine(r, m)])
        if "model_first" in by_sys:
            by_sys["model_first"].append([(s, e, label) for s, e, label, _ in combine(m, r)])
    res["labels"] = sorted({s[2] for g in gold for s in g})
    for name, p in by_sys.items():
        res[name] = score(gold, p)
    return res


def format_report(res: dict, systems: Sequence[str] = SYSTEMS) -> str:
    """A plain-text table per system."""
    lines = [f"{res.get('data')}: " + (f"{res['criteria']} criteria" if "criteria" in res else f"{res.get('trials', 0)} trials")]
    for name in systems:
        r = res.get(name)
        if r is None:
            continue
        lines.append("")
        lines.append(f"== {name} ==")
        lines.append(f"{'label':<20}{'gold':>6}{'pred':>6}   {'strict P':>8}{'R':>7}{'F1':>7}   {'relaxed P':>9}{'R':>7}{'F1':>7}")
        rows = [*list(r["per_label"].items()), ("micro", {"gold": r["gold_spans"], "pred": r["pred_spans"], **r["micro"]}), ("macro", {"gold": "", "pred": "", **r["macro"]})]
        for label, v in rows:
            st, rl = v["strict"], v["relaxed"]
            lines.append(f"{label:<20}{v['gold']!s:>6}{v['pred']!s:>6}   {st['p']:>8.3f}{st['r']:>7.3f}{st['f1']:>7.3f}"
                         f"   {rl['p']:>9.3f}{rl['r']:>7.3f}{rl['f1']:>7.3f}")
    return "\n".join(lines)


def evaluate_brat(chia_dir: Path, model_dir: Path | None = None, systems: Sequence[str] = SYSTEMS) -> dict:
    """Scores on every document of a brat directory (Chia format and mapping)."""
    from nlp.corpora.chia import NER_LABELS, read_corpus

    examples = list(read_corpus(chia_dir))
    texts = [ex.text for ex in examples]
    gold = [[(s.start, s.end, s.label) for s in ex.spans] for ex in examples]
    preds = predict_texts(texts, model_dir, systems)
    return {"data": f"brat:{chia_dir}", "criteria": len(texts), "labels": list(NER_LABELS),
            **{name: score(gold, p, NER_LABELS) for name, p in preds.items()}}


_PARTS = ("train", "dev", "test")


def run(target: str, split: str = "test", model_dir: Path | None = None) -> tuple[str, dict]:
    """``elig evaluate ner``: resolve ``target`` (``chia:PART``, ``gold:PART``, a bare PART for
    Chia, or a directory of brat files / ``msc_gold_*.jsonl``) and score it. Problems with the
    inputs raise ``InputError`` (one line naming the path)."""
    import re

    from nlp.corpora.chia import CHIA_DIR, SPLIT_DIR
    from nlp.corpora.gold import GOLD_DIR, MSC_DIR
    from nlp.errors import InputError
    from nlp.pipeline.model_ner import load_ner_model

    load_ner_model(str(model_dir) if model_dir else None)  # a missing model fails first, in one line
    m = re.fullmatch(r"(?:(chia|gold):)?(train|dev|test)", target)
    if m:
        source, part = m.group(1) or "chia", m.group(2)
        if source == "chia":
            if not CHIA_DIR.is_dir():
                raise InputError(str(CHIA_DIR), "Chia corpus not found (../shared/data beside the repo)")
            if not (SPLIT_DIR / f"chia_{part}.txt").is_file():
                raise InputError(str(SPLIT_DIR / f"chia_{part}.txt"), "split id list not found")
            res = evaluate_chia(part, model_dir)
        else:
            if not any(GOLD_DIR.glob("msc_gold_*.jsonl")):
                raise InputError(str(GOLD_DIR), "no msc_gold_*.jsonl gold files")
            if not MSC_DIR.is_dir():
                raise InputError(str(MSC_DIR), "ctgov-msc records not found (../shared/data beside the repo)")
            res = evaluate_gold(part, model_dir)
    else:
        path = Path(target)
        if not path.exists():
            raise InputError(target, "not found (give chia:test, gold:test, or a directory of brat .ann or msc_gold_*.jsonl files)")
        if not path.is_dir():
            raise InputError(target, "not a directory (give chia:test, gold:test, or a directory of brat .ann or msc_gold_*.jsonl files)")
        if any(path.glob("*.ann")):
            res = evaluate_brat(path, model_dir)
        elif any(path.glob("msc_gold_*.jsonl")):
            if split not in _PARTS:
                raise InputError(split, "--split must be train, dev or test")
            if not MSC_DIR.is_dir():
                raise InputError(str(MSC_DIR), "ctgov-msc records not found (../shared/data beside the repo)")
            res = evaluate_gold(split, model_dir, gold_dir=path)
        else:
            raise InputError(target, "holds no brat .ann files and no msc_gold_*.jsonl files")
    text = format_report(res)
    if res.get("n_problems"):
        text += f"\n\n{res['n_problems']} gold line/span problem(s) skipped, e.g.: " + "; ".join(res["problems"][:3])
    return text, res


def markdown_summary(res: dict, systems: Sequence[str] = SYSTEMS) -> str:
    """Micro/macro per system, then the per-label table (strict / relaxed F1 per system), for
    model cards."""
    present = [s for s in systems if s in res]
    out = ["| system | strict P | strict R | strict F1 | relaxed P | relaxed R | relaxed F1 | macro strict F1 | macro relaxed F1 |",
           "|---|---|---|---|---|---|---|---|---|"]
    for s in present:
        m, a = res[s]["micro"], res[s]["macro"]
        out.append(f"| {s} | {m['strict']['p']:.3f} | {m['strict']['r']:.3f} | {m['strict']['f1']:.3f} | "
                   f"{m['relaxed']['p']:.3f} | {m['relaxed']['r']:.3f} | {m['relaxed']['f1']:.3f} | "
                   f"{a['strict']['f1']:.3f} | {a['relaxed']['f1']:.3f} |")
    out += ["", "| label | gold | " + " | ".join(f"{s} strict F1 | {s} relaxed F1" for s in present) + " |",
            "|---|---|" + "---|---|" * len(present)]
    labels = res[present[0]]["per_label"].keys() if present else []
    for label in labels:
        row = [label, str(res[present[0]]["per_label"][label]["gold"])]
        for s in present:
            v = res[s]["per_label"].get(label)
            row += [f"{v['strict']['f1']:.3f}", f"{v['relaxed']['f1']:.3f}"] if v else ["-", "-"]
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out)
