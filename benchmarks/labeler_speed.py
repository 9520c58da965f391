"""Throughput and peak memory of the Analyzer's labeling against a plain transformers pipeline on the same model.

    .venv/bin/python benchmarks/labeler_speed.py [--model models/default] [--articles 12] [--threads 2]

Both label every (target, sentence) pair of the seed corpus's first N articles with the same encoder and stance
head. The plain way is what a transformers user would write: the model wrapped as a sequence classifier and run
through `pipeline("text-classification")` over the pairs, with the same batch size. Each runs in its own process so peak
memory (max RSS) is its own. Prints pairs per second, peak RSS, the speed-up ratio, and the label agreement.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def load_pairs(n_articles: int) -> list[tuple[str, str]]:
    from stancesum.models.articles_io import load_articles

    articles = load_articles(REPO / "seeds" / "articles.jsonl")[:n_articles]
    return [(t, s.text) for a in articles for s in a.sentences for t in a.targets]


def run_ours(model: str, pairs: list[tuple[str, str]], batch_size: int) -> list[int]:
    from stancesum.models.labeler import SentenceLabeler

    labeler = SentenceLabeler.from_pretrained(model)
    probs = labeler.predict_stances([p[0] for p in pairs], [p[1] for p in pairs], batch_size=batch_size)
    return probs.argmax(1).tolist()


def run_pipeline(model: str, pairs: list[tuple[str, str]], batch_size: int) -> list[int]:
    """A stock text-classification pipeline over the same encoder and stance head (wrapped as a transformers model)."""
    import torch
    from transformers import PreTrainedModel, pipeline
    from transformers.modeling_outputs import SequenceClassifierOutput

    from stancesum.models.labeler import SentenceLabeler

    labeler = SentenceLabeler.from_pretrained(model)
    config = labeler.encoder.config
    config.id2label = dict(enumerate(labeler.schema.stances))
    config.label2id = {v: k for k, v in config.id2label.items()}
    none = labeler.schema.stance_index("none")

    class StanceForSequenceClassification(PreTrainedModel):
        config_class = type(config)
        _supports_sdpa = True  # the wrapped encoder does its own attention

        def __init__(self, cfg):
            super().__init__(cfg)
            self.labeler = labeler

        def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, **_):
            extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            logits = self.labeler("stance", input_ids, attention_mask, **extra)
            logits[:, none] += (
                labeler.config.stance_none_bias
            )  # the model's calibrated prior, as predict_stances applies it
            return SequenceClassifierOutput(logits=logits)

    classifier = pipeline(
        "text-classification",
        model=StanceForSequenceClassification(config).eval(),
        tokenizer=labeler.tokenizer,
        device=-1,
    )
    inputs = [{"text": t, "text_pair": s} for t, s in pairs]
    with torch.inference_mode():
        outputs = classifier(inputs, batch_size=batch_size, truncation=True, max_length=labeler.config.max_length)
    return [config.label2id[o["label"]] for o in outputs]


def child(which: str, model: str, n_articles: int, batch_size: int, threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    pairs = load_pairs(n_articles)
    fn = run_ours if which == "ours" else run_pipeline
    fn(model, pairs[:16], batch_size)  # warm-up: model load, first allocations
    start = time.perf_counter()
    labels = fn(model, pairs, batch_size)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "which": which,
                "pairs": len(pairs),
                "seconds": seconds,
                "pairs_per_second": len(pairs) / seconds,
                "peak_rss_mb": peak_mb,
                "labels": labels,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", choices=["ours", "pipeline"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.model, args.articles, args.batch_size, args.threads)
        return
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
    results = {}
    for which in ("ours", "pipeline"):
        cmd = [
            sys.executable,
            __file__,
            "--child",
            which,
            "--model",
            args.model,
            "--articles",
            str(args.articles),
            "--batch-size",
            str(args.batch_size),
            "--threads",
            str(args.threads),
        ]
        line = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout.strip().splitlines()[-1]
        results[which] = json.loads(line)
    ours, plain = results["ours"], results["pipeline"]
    agree = sum(a == b for a, b in zip(ours["labels"], plain["labels"], strict=True)) / len(ours["labels"])
    print(
        f"model: {args.model}; {ours['pairs']} (target, sentence) pairs from {args.articles} seed articles; "
        f"batch size {args.batch_size}; {args.threads} threads"
    )
    print(f"{'':<34} {'pairs/s':>9} {'seconds':>8} {'peak RSS MB':>12}")
    for name, r in (("stancesum Analyzer (length-sorted)", ours), ("transformers pipeline", plain)):
        print(f"{name:<34} {r['pairs_per_second']:>9.1f} {r['seconds']:>8.2f} {r['peak_rss_mb']:>12.0f}")
    print(f"speed-up: {ours['pairs_per_second'] / plain['pairs_per_second']:.2f}x; label agreement {agree:.3f}")


if __name__ == "__main__":
    main()
