"""Model cards (``models/*/MODEL_CARD.md``) rendered from each model's ``metrics.json``, so the
numbers in the card are the measured ones. Called at the end of each training command;
``python -m nlp.training.cards`` re-renders both from the saved metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlp.corpora.chia import ROOT

CHIA_CITE = ("Kury F, Butler A, Yuan C, et al. Chia, a large annotated corpus of clinical trial "
             "eligibility criteria. Scientific Data 7, 281 (2020). https://doi.org/10.1038/s41597-020-00620-0. "
             "License: CC BY 4.0 (the model is derived from it; attribution required).")


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def ner_card(metrics: dict) -> str:
    from nlp.evaluation.ner import markdown_summary

    d = metrics["data"]
    arch = metrics["architecture"]
    chia = metrics["chia_test"]
    gold = metrics.get("gold_test") or {}
    lines = [
        "# Model card: statistical NER (`models/ner/model`)",
        "",
        "A spaCy 3.7 pipeline (`tok2vec` + transition-based `ner`) trained from scratch on CPU: no",
        "pretrained vectors, no downloads. It uses the rule pipeline's tokenizer (`elig.tokenizer.v1`).",
        "In the product it runs in front of the rule components (`elig parse`; `--no-ner` leaves it out):",
        "rule spans are kept (with their concept ids and values); the model's spans no rule span overlaps",
        "are linked to the vocabularies (`nlp/pipeline/linker.py`: exact, head, character 3-gram",
        "neighbour) and marked `\"source\": \"model\"`; a linked span gives constraints with",
        "`provenance.source` \"model\" (never a certain reading: the matcher sends them to review), an",
        "unlinked one a \"not recognised: unlinked ...\" reason when nothing else in the criterion is read;",
        "an unlinked analyte keeps a threshold nothing else reads, uncoded (`uncoded:<name>`, \"not computable:",
        "no code for the analyte ...\"; README, Models).",
        "",
        "## Data and license",
        f"- Chia ({CHIA_CITE})",
        "  converted with `nlp/corpora/chia.py` and `annotations/chia_mapping.json` (Condition ->",
        "  CONDITION or PREGNANCY, Drug -> THERAPY, Procedure -> PROCEDURE, Measurement -> MEASUREMENT,",
        "  Value -> VALUE, REF_RANGE (multiples of ULN/LLN) or AGE (the value of a Person 'age'),",
        "  Temporal -> TEMPORAL, Person -> SEX / AGE by its words; the rest dropped, reasons in the file).",
        "  One criterion line = one example; discontinuous spans -> covering span; overlaps -> longest.",
        (f"  Chia train: {d['chia_train']['criteria']} criteria; dev: {d['chia_dev']['criteria']}; "
        f"test: {d['chia_test']['criteria']}. Skipped spans (misaligned / crossing a line): "
        f"{sum(d[f'chia_{p}']['misaligned_skipped'] for p in ('train', 'dev', 'test'))} / "
        f"{sum(d[f'chia_{p}']['cross_line_skipped'] for p in ('train', 'dev', 'test'))}."),
    ]
    g = d.get("gold_train")
    if g:
        lines.append(f"- Our gold train (`annotations/gold/msc_gold_*.jsonl`, split \"train\"): {g['trials']} ctgov-msc trials, "
                     f"{g['criteria']} criteria, {g['spans']} spans of the model's labels (TRIAL_PARTICIPATION, CONSENT, "
                     "JUDGEMENT, OTHER spans are left out: Chia has no such entities). Registry data is public.")
    lines += [
        f"- Labels: {', '.join(metrics['labels'])}.",
        "",
        "## Split, seed, command",
        "- Split by trial id, seeded (20261123), 80/10/10: `annotations/splits/chia_{train,dev,test}.txt`.",
        "  The dev split picks the best checkpoint; the test split was not used for any choice.",
        (f"- Seed {metrics['seed']}; tok2vec MultiHashEmbed width {arch['tok2vec_width']} on {arch['attrs']} "
        f"(rows {arch['embed_rows']}), MaxoutWindowEncoder depth {arch['depth']}; NER hidden width {arch['ner_hidden']}."),
        (f"- Command: `{metrics['command']}` (builds the DocBins into the git-ignored `corpus/`, trains, "
        "evaluates, writes `metrics.json` and this card)."),
        (f"- Training wall time: {metrics['train_wall_s'] / 60:.1f} min on this 2-core machine (shared with other jobs); "
        f"evaluation {metrics['eval_wall_s']:.0f} s. spaCy {metrics['spacy']}, Python {metrics['python']}."),
        (f"- Size: {metrics['model_bytes'] / 1e6:.1f} MB. Best dev ents_f (spaCy scorer, strict, all labels): "
        f"{_f(metrics['dev_best'].get('ents_f'))}."),
        "",
        f"## Chia test ({chia['criteria']} criteria; labels above)",
        "",
        "`combined` = the product (rules first, model where no rule span overlaps); `model_first` = the",
        "other order, measured for comparison only. Strict = same start, end and label; relaxed =",
        "overlap with the same label.",
        "",
        markdown_summary(chia),
        "",
    ]
    if gold.get("trials"):
        lines += [f"## Our stem-cell gold test ({gold['trials']} trials, all labels the gold uses)", "",
                  markdown_summary(gold), ""]
    else:
        lines += ["## Our stem-cell gold test", "", "No gold test files were available when this model was trained.", ""]
    notes = ROOT / "models" / "ner" / "NOTES.md"
    if notes.exists():  # measurements taken after training (throughput), kept by hand
        lines += [notes.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


def classifier_card(metrics: dict) -> str:
    def table(res: dict | None) -> list[str]:
        if not res:
            return ["(not available)"]
        out = ["| class | n | P | R | F1 |", "|---|---|---|---|---|"]
        for cls, v in res["per_class"].items():
            out.append(f"| {cls} | {v['support']} | {_f(v['p'])} | {_f(v['r'])} | {_f(v['f1'])} |")
        m = res["macro"]
        out.append(f"| macro | {res['n']} | {_f(m['p'])} | {_f(m['r'])} | {_f(m['f1'])} |")
        out.append(f"\naccuracy {res['accuracy']:.3f}")
        return out

    d = metrics["data"]
    tuning = ", ".join(f"C={c}: dev macro-F1 {v['dev_macro_f1']:.3f}" for c, v in metrics["tuning_on_chia_dev"].items())
    lines = [
        "# Model card: criterion classifier (`models/classifier/classifier.joblib`)",
        "",
        "TF-IDF features (word 1-2-grams + character 3-5-grams within words) and a logistic",
        "regression (class_weight balanced), saved with joblib together with the scikit-learn",
        f"version ({metrics['sklearn']}; loading refuses another major.minor). Classes: demographic,",
        "measurement, condition, therapy, procedure, pregnancy, trial_participation, consent,",
        "judgement (not computable), other. Used by `elig parse --classifier`: a criterion where the",
        "rules built nothing computable gets `category` and a `reason` naming it; `computable` stays",
        "false and no constraint is invented.",
        "",
        "## Data and license",
        f"- Chia ({CHIA_CITE})",
        "- Our gold train (`annotations/gold/msc_gold_*.jsonl`).",
        "- Class of a criterion (the same derivation for both, `nlp/training/classifier.py`): the labels",
        "  in it, with Chia's flag types as pseudo-labels (Subjective_judgement and Non-query-able ->",
        "  judgement, Informed_consent -> consent, Competing_trial -> trial_participation,",
        "  Pregnancy_considerations -> pregnancy); the first class in the order consent,",
        "  trial_participation, judgement, pregnancy, measurement (MEASUREMENT/REF_RANGE), therapy,",
        "  procedure, condition, demographic (AGE/SEX) whose labels occur; otherwise other.",
        (f"- Criteria: Chia train {d['chia_train']} + gold train {d['gold_train']}; Chia dev {d['chia_dev']}; "
        f"Chia test {d['chia_test']}; gold test {d['gold_test']}."),
        "",
        "## Split, seed, command",
        ("- The Chia split of `annotations/splits` (by trial id); C chosen on Chia dev "
        f"({tuning}); "
        f"chosen C={metrics['C']}. Seed {metrics['seed']}."),
        (f"- Command: `{metrics['command']}`; wall time {metrics['train_wall_s']:.0f} s; "
        f"size {metrics['model_bytes'] / 1e6:.1f} MB."),
        "",
        "## Chia test",
        "",
        *table(metrics.get("chia_test")),
        "",
        "## Our gold test (classes derived from the gold spans)",
        "",
        *table(metrics.get("gold_test")),
        "",
        "`elig evaluate classifier --gold chia:test` also scores the rules' own class and the",
        "combination used by `elig parse --classifier`.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    for name, render in (("ner", ner_card), ("classifier", classifier_card)):
        path = ROOT / "models" / name / "metrics.json"
        if path.exists():
            (path.parent / "MODEL_CARD.md").write_text(render(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
            print(f"wrote {path.parent / 'MODEL_CARD.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def write_metrics_and_card(out: Path, metrics: dict[str, Any], card: str) -> None:
    """``metrics.json`` and ``MODEL_CARD.md`` beside a trained model."""
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(card, encoding="utf-8")
