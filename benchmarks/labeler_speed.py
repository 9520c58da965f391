"""Labeling throughput, peak memory and accuracy: bf16 (OpenVINO, the default on a CPU with bfloat16 units), int8
(ONNX Runtime, the default elsewhere) and the fp32 PyTorch model against a plain transformers pipeline on the same
model, in the same run.

    .venv/bin/python benchmarks/labeler_speed.py [--model models/default] [--articles 12] [--threads 2] [--repeats 3]

All label every (target, sentence) pair of the first N seed test articles with the same encoder and stance head.
The plain way is what a transformers user would write: the model wrapped as a sequence classifier and run through
`pipeline("text-classification")` over the pairs, with the same batch size. Each runs in its own process so peak memory
(max RSS) is its own, and times `--repeats` passes over the pairs, of which the median counts (a 2-core virtual machine
varies by 10-20% from pass to pass). Prints pairs per second, peak RSS, the speed-up over the pipeline, the label
agreement of bf16 and int8 with fp32, and stance macro-F1 / topic accuracy of each on the seed dev split (gold
sentences and targets). bf16 is left out on a CPU without bfloat16 units.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SYSTEMS = ("bf16", "int8", "fp32", "pipeline")
NAMES = {
    "bf16": "stancesum bf16 (OpenVINO)",
    "int8": "stancesum int8 (ONNX Runtime)",
    "fp32": "stancesum fp32 (PyTorch)",
    "pipeline": "transformers pipeline (fp32)",
}


def split_articles(split: str):
    from stancesum.models.articles_io import load_articles

    ids = set(json.loads((REPO / "seeds" / "splits.json").read_text())[split])
    return [a for a in load_articles(REPO / "seeds" / "articles.jsonl") if a.id in ids]


def load_pairs(n_articles: int) -> list[tuple[str, str]]:
    articles = split_articles("test")[:n_articles]
    return [(t, s.text) for a in articles for s in a.sentences for t in a.targets]


def load_labeler(which: str, model: str, threads: int):
    from stancesum.inference.analyzer import load_labeler

    return load_labeler(model, which, threads)


def run_ours(labeler, pairs: list[tuple[str, str]], batch_size: int) -> list[int]:
    probs = labeler.predict_stances([p[0] for p in pairs], [p[1] for p in pairs], batch_size=batch_size)
    return probs.argmax(1).tolist()


def pipeline_classifier(model: str):
    """A stock text-classification pipeline over the same encoder and stance head (wrapped as a transformers model)."""
    from transformers import PreTrainedModel, pipeline
    from transformers.modeling_outputs import SequenceClassifierOutput

    from stancesum.models.labeler import SentenceLabeler, stance_probabilities

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
            probs = stance_probabilities(self.labeler("stance", input_ids, attention_mask, **extra).float())
            logits = probs.log()
            logits[:, none] += labeler.config.stance_none_bias  # the calibrated prior, as predict_stances applies it
            return SequenceClassifierOutput(logits=logits)

    return pipeline(
        "text-classification",
        model=StanceForSequenceClassification(config).eval(),
        tokenizer=labeler.tokenizer,
        device=-1,
    ), labeler.config


def child(which: str, model: str, n_articles: int, batch_size: int, threads: int, repeats: int) -> None:
    import torch

    torch.set_num_threads(threads)
    pairs = load_pairs(n_articles)
    if which == "pipeline":
        classifier, config = pipeline_classifier(model)
        label2id = classifier.model.config.label2id

        def fn(ps):
            with torch.inference_mode():
                out = classifier(
                    [{"text": t, "text_pair": s} for t, s in ps],
                    batch_size=batch_size,
                    truncation=True,
                    max_length=config.max_length,
                )
            return [label2id[o["label"]] for o in out]
    else:
        labeler = load_labeler(which, model, threads)

        def fn(ps):
            return run_ours(labeler, ps, batch_size)

    fn(pairs[:16])  # warm-up: first allocations
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        labels = fn(pairs)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    result = {
        "which": which,
        "pairs": len(pairs),
        "seconds": seconds,
        "pairs_per_second": len(pairs) / seconds,
        "passes_pairs_per_second": [len(pairs) / t for t in times],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "labels": labels,
    }
    if which != "pipeline":
        from stancesum.training.trainer import dev_scores

        result["dev"] = dev_scores(labeler, split_articles("dev"), batch_size=batch_size)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=SYSTEMS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.model, args.articles, args.batch_size, args.threads, args.repeats)
        return
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
    from stancesum.inference.analyzer import resolve_precision
    from stancesum.models.onnx_labeler import exported

    default = resolve_precision("auto")
    systems = [w for w in SYSTEMS if w != "bf16" or default == "bf16"]
    for precision in ("bf16", "int8"):  # made once and cached; not part of the timed run
        if precision in systems:
            exported(args.model, precision)
    results = {}
    for which in systems:
        cmd = [sys.executable, __file__, "--child", which, "--model", args.model, "--articles", str(args.articles)]
        cmd += ["--batch-size", str(args.batch_size), "--threads", str(args.threads), "--repeats", str(args.repeats)]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
        results[which] = json.loads(out.strip().splitlines()[-1])
    fp32, plain = results["fp32"], results["pipeline"]
    print(
        f"model: {args.model}; {fp32['pairs']} (target, sentence) pairs from the first {args.articles} seed test "
        f"articles; batch size {args.batch_size}; {args.threads} threads; median of {args.repeats} passes; "
        f"default precision here: {default}"
    )
    print(f"{'':<40} {'pairs/s':>9} {'seconds':>8} {'peak RSS MB':>12} {'vs pipeline':>12}  passes (pairs/s)")
    for which in systems:
        r = results[which]
        ratio = r["pairs_per_second"] / plain["pairs_per_second"]
        passes = " ".join(f"{x:.0f}" for x in r["passes_pairs_per_second"])
        print(
            f"{NAMES[which]:<40} {r['pairs_per_second']:>9.1f} {r['seconds']:>8.2f} {r['peak_rss_mb']:>12.0f} "
            f"{ratio:>11.2f}x  {passes}"
        )
    for which in systems:
        if which != "fp32":
            agree = sum(a == b for a, b in zip(results[which]["labels"], fp32["labels"], strict=True))
            print(f"label agreement {which} vs fp32: {agree / len(fp32['labels']):.4f}")
    for which in (w for w in systems if w in ("bf16", "int8")):
        for key in ("stance_macro_f1", "topic_accuracy"):
            ours, ref = results[which]["dev"][key], fp32["dev"][key]
            print(f"seed dev {key}: {which} {ours:.4f}, fp32 {ref:.4f} (difference {ours - ref:+.4f})")


if __name__ == "__main__":
    main()
