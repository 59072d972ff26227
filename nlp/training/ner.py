"""Train the statistical NER from scratch on CPU (spaCy tok2vec + transition-based NER, no
pretrained vectors) on Chia train plus our gold train; write the model, its metrics and the
data statistics.

    python -m nlp.training.ner --out models/ner

Steps: build DocBins from ../shared/data (Chia via ``annotations/chia_mapping.json`` and the
split in ``annotations/splits``; our gold via ``annotations/gold/msc_gold_*.jsonl``, train
split only) into ``corpus/`` (git-ignored, derived data); train with ``spacy train`` (fixed
seed, dev = Chia dev); evaluate the best model on Chia test (rules, model, combination); copy
the best model to ``OUT/model`` and write ``OUT/metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.corpora.chia import CHIA_DIR, NER_LABELS, ROOT, Stats, load_split, read_corpus

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from nlp.corpora.gold import GoldTrial

CORPUS_DIR = ROOT / "corpus"
SEED = 20261123

CONFIG = """
[paths]
train = null
dev = null
vectors = null
init_tok2vec = null

[system]
gpu_allocator = null
seed = {seed}

[nlp]
lang = "en"
pipeline = ["tok2vec","ner"]
batch_size = 256
disabled = []
before_creation = null
after_creation = null
after_pipeline_creation = null

[nlp.tokenizer]
@tokenizers = "elig.tokenizer.v1"

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = {width}
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [5000,2500,2500,2500]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {width}
depth = {depth}
window_size = 1
maxout_pieces = 3

[components.ner]
factory = "ner"
incorrect_spans_key = null
moves = null
scorer = {{"@scorers":"spacy.ner_scorer.v1"}}
update_with_oracle_cut_size = 100

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = {width}
upstream = "*"

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
max_length = 0
gold_preproc = false
limit = 0
augmenter = null

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
max_length = 0
gold_preproc = false
limit = 0
augmenter = null

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = 0.1
accumulate_gradient = 1
patience = {patience}
max_epochs = {max_epochs}
max_steps = {max_steps}
eval_frequency = {eval_frequency}
frozen_components = []
annotating_components = []
before_to_disk = null
before_update = null

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
get_length = null

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001
t = 0.0

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0
ents_per_type = null

[pretraining]

[initialize]
vectors = ${{paths.vectors}}
init_tok2vec = ${{paths.init_tok2vec}}
vocab_data = null
lookups = null
before_init = null
after_init = null

[initialize.components]

[initialize.tokenizer]
"""


def blank() -> Language:
    """A blank English pipeline with our tokenizer (the one the rule pipeline uses)."""
    import spacy

    from nlp.pipeline import tokenizer  # noqa: F401  (registers elig.tokenizer.v1)

    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "elig.tokenizer.v1"}}})


def _doc(nlp: Language, text: str, spans: list[tuple[int, int, str]], stats: dict[str, int]) -> Doc:
    from spacy.util import filter_spans

    doc = nlp.make_doc(text)
    ents = []
    for s, e, label in spans:
        try:
            span = doc.char_span(s, e, label=label, alignment_mode="expand")
        except (IndexError, ValueError):  # spaCy 3.7 raises for some spans inside one token
            span = None
        if span is None or not span.text.strip():
            stats["unalignable"] = stats.get("unalignable", 0) + 1
            continue
        ents.append(span)
    kept = filter_spans(ents)
    stats["overlap_after_tokenizing"] = stats.get("overlap_after_tokenizing", 0) + len(ents) - len(kept)
    doc.ents = kept
    return doc


def gold_examples(trials: Iterable[GoldTrial]) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Our gold trials as criterion texts with spans (offsets into the criterion text), split
    exactly as ``elig parse`` splits them; spans of labels the model does not learn are left
    out, as are spans not inside one analysed criterion."""
    from nlp.criteria import split_criteria
    from nlp.pipeline.annotate import nlp_targets

    out = []
    for t in trials:
        for c in nlp_targets(split_criteria(t.text).criteria):
            back = {c.source_offset(i): i for i in range(len(c.text))}
            back[c.source_offset(len(c.text) - 1) + 1] = len(c.text)
            spans = []
            for s in t.spans:
                if s.label in NER_LABELS and s.start in back and s.end in back:
                    spans.append((back[s.start], back[s.end], s.label))
            out.append((c.text, spans))
    return out


def build_corpus(corpus_dir: Path = CORPUS_DIR, chia_dir: Path = CHIA_DIR, with_gold: bool = True) -> dict:
    """Write train/dev/test DocBins; return what went in."""
    from spacy.tokens import DocBin

    from nlp.corpora.gold import load_gold

    nlp = blank()
    split = load_split()
    corpus_dir.mkdir(parents=True, exist_ok=True)
    info: dict = {"split_trials": {k: len(v) for k, v in split.items()}}
    tok_stats: dict[str, int] = {}
    for part in ("train", "dev", "test"):
        stats = Stats()
        db = DocBin(store_user_data=False)
        n = 0
        for ex in read_corpus(chia_dir, split[part], stats=stats):
            db.add(_doc(nlp, ex.text, [(s.start, s.end, s.label) for s in ex.spans], tok_stats))
            n += 1
        info[f"chia_{part}"] = {"criteria": n, **{k: v for k, v in stats.as_dict().items() if k != "chia_types"}}
        if part == "train" and with_gold:
            gold = load_gold()
            examples = gold_examples(gold.split("train"))
            for text, spans in examples:
                db.add(_doc(nlp, text, spans, tok_stats))
            import hashlib

            info["gold_train"] = {"trials": len(gold.split("train")), "criteria": len(examples),
                                  "spans": sum(len(s) for _, s in examples),
                                  "files": {Path(f).name: hashlib.sha1(Path(f).read_bytes()).hexdigest() for f in gold.files},
                                  "problems": len(gold.problems)}
        db.to_disk(corpus_dir / f"{part}.spacy")
    info["tokenization"] = tok_stats
    return info


def train(out: Path, *, seed: int = SEED, width: int = 32, depth: int = 2, max_epochs: int = 30,
          max_steps: int = 5000, patience: int = 1400, eval_frequency: int = 200,
          with_gold: bool = True) -> dict:
    from spacy.cli.train import train as spacy_train

    t0 = time.perf_counter()
    info = build_corpus(with_gold=with_gold)
    work = CORPUS_DIR / "train_output"
    if work.exists():
        shutil.rmtree(work)
    cfg_path = CORPUS_DIR / "config.cfg"
    cfg_path.write_text(CONFIG.format(seed=seed, width=width, depth=depth, max_epochs=max_epochs,
                                      max_steps=max_steps, patience=patience, eval_frequency=eval_frequency),
                        encoding="utf-8")
    spacy_train(cfg_path, work, overrides={"paths.train": str(CORPUS_DIR / "train.spacy"),
                                           "paths.dev": str(CORPUS_DIR / "dev.spacy")})
    train_s = time.perf_counter() - t0
    out.mkdir(parents=True, exist_ok=True)
    model_dir = out / "model"
    if model_dir.exists():
        shutil.rmtree(model_dir)
    shutil.copytree(work / "model-best", model_dir)
    shutil.copy(cfg_path, out / "config.cfg")
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    from nlp.evaluation.ner import evaluate_chia, evaluate_gold

    t1 = time.perf_counter()
    test = evaluate_chia("test", model_dir=model_dir)
    gold = evaluate_gold("test", model_dir=model_dir)
    import spacy

    metrics = {
        "command": "python -m nlp.training.ner --out " + str(out.relative_to(ROOT) if out.is_absolute() and out.is_relative_to(ROOT) else out),
        "seed": seed, "architecture": {"tok2vec_width": width, "depth": depth, "embed_rows": [5000, 2500, 2500, 2500],
                                        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "ner_hidden": 64},
        "labels": list(NER_LABELS), "data": info, "train_wall_s": round(train_s, 1),
        "eval_wall_s": round(time.perf_counter() - t1, 1),
        "dev_best": meta.get("performance", {}), "spacy": spacy.__version__, "python": platform.python_version(),
        "chia_test": test, "gold_test": gold,
        "model_bytes": sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file()),
    }
    from nlp.training.cards import ner_card, write_metrics_and_card

    write_metrics_and_card(out, metrics, ner_card(metrics))
    return metrics


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "ner")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--max-steps", type=int, default=5000)
    ap.add_argument("--width", type=int, default=32, help="tok2vec width")
    ap.add_argument("--depth", type=int, default=2, help="tok2vec encoder depth")
    ap.add_argument("--no-gold", action="store_true", help="train on Chia only")
    ap.add_argument("--corpus-only", action="store_true", help="only build the DocBins and print their stats")
    args = ap.parse_args(argv)
    if not CHIA_DIR.is_dir():
        print(f"nlp.training.ner: error: {CHIA_DIR}: Chia corpus not found (../shared/data beside the repo)", file=sys.stderr)
        return 1
    if args.corpus_only:
        print(json.dumps(build_corpus(with_gold=not args.no_gold), indent=1))
        return 0
    m = train(args.out, seed=args.seed, max_steps=args.max_steps, width=args.width, depth=args.depth,
              with_gold=not args.no_gold)
    print(json.dumps({k: m[k] for k in ("train_wall_s", "model_bytes", "dev_best")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
