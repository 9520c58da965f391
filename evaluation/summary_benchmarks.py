"""Summary benchmarks: the trained extractive summarizer beside Lead-3, Lead at the same budget, TextRank and PacSum
(position-aware centrality), scored in the same run with the project's `summary_rouge` metric, with bootstrap
intervals: on the seed corpus summaries (test / ood_test), BBC News Summary (dev/test) or XSum validation.

    python -m stancesum.evaluation.summary_benchmarks seed-summaries --split test
    python -m stancesum.evaluation.summary_benchmarks bbc-summary --split dev [--data-dir ../shared/data] \
        [--summarizer-dir DIR]
    python -m stancesum.evaluation.summary_benchmarks xsum-val
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from stancesum.evaluation.metrics import load_metric
from stancesum.inference.summarizers import (
    ExtractiveSummarizer,
    LeadSummarizer,
    PacSumSummarizer,
    TextRankSummarizer,
    news_budget,
)
from stancesum.models.article import Article, Sentence
from stancesum.models.bootstrap import bootstrap_ci
from stancesum.models.labeler_config import ModelLoadError
from stancesum.models.sentence_features import Budget
from stancesum.models.summarizer_config import DEFAULT_SUMMARIZER_DIR
from stancesum.training.corpora import SummaryDocument, bbc_summary, seed_summaries, xsum_val
from stancesum.training.summarizer_training import RECORD_FILE, bbc_budget_ratio, reference_lines, xsum_partition

BENCHMARKS: tuple[str, ...] = ("seed-summaries", "bbc-summary", "xsum-val")
OURS = "stancesum extractive"
# Published figures on the same corpus, from the data README; not from this run (XSum: the full test set, ROUGE-L).
PUBLISHED: dict[str, dict[str, dict[str, float]]] = {
    "seed-summaries": {},
    "bbc-summary": {},
    "xsum-val": {
        "Lead (Narayan et al. 2018, XSum test)": {"rouge1": 16.30, "rouge2": 1.60, "rougeL": 11.95},
        "BART-large (Lewis et al. 2020, XSum test)": {"rouge1": 45.14, "rouge2": 22.27, "rougeL": 37.25},
    },
}


def as_article(doc: SummaryDocument) -> tuple[Article, list[Sentence]]:
    """The document as an Article whose text is its sentences joined by spaces (gold segmentation)."""
    sentences, offset = [], 0
    for text in doc.sentences:
        sentences.append(Sentence(offset, offset + len(text), text))
        offset += len(text) + 1
    return Article(id=doc.id, text=" ".join(doc.sentences), title=doc.title, sentences=sentences), sentences


def _trained_on_xsum(summarizer_dir: Path) -> bool:
    record = summarizer_dir / RECORD_FILE
    if not record.is_file():
        return False
    arguments = json.loads(record.read_text(encoding="utf-8")).get("arguments", {})
    return bool(arguments.get("xsum_oracle") or arguments.get("sources", {}).get("xsum", 0))


def benchmark_documents(
    name: str, data_dir: str | Path | None, split: str | None, summarizer_dir: Path
) -> tuple[list[SummaryDocument], Budget, str]:
    """(documents, budget of the budgeted systems, a note on what was chosen and why)."""
    if name == "seed-summaries":
        split = split or "test"
        if split not in ("dev", "test", "ood_dev", "ood_test"):
            raise ValueError(f"seed-summaries: split must be dev, test, ood_dev or ood_test (got {split!r})")
        repo = Path(__file__).resolve().parents[1]
        docs = seed_summaries(repo / "seeds" / "articles.jsonl", repo / "seeds" / "splits.json", (split,))
        budget = news_budget(summarizer_dir)
        return docs, budget, f"seed split {split}; budget: the summarizer's default ({_describe(budget)})"
    if name == "bbc-summary":
        split = split or "dev"
        docs = bbc_summary(data_dir)
        ratio = bbc_budget_ratio(docs)
        chosen = [d for d in docs if d.split == split]
        return (
            chosen,
            Budget(ratio=ratio),
            (
                f"split {split}; budget: ceil({ratio:.0%} of the article's sentences), the "
                "share that best matches the train-split reference extract sizes"
            ),
        )
    if name == "xsum-val":
        if split not in (None, "test"):
            raise ValueError(f"xsum-val has one split, 'test' (got {split!r})")
        docs = xsum_val(data_dir)
        note = "all of xsum_val"
        if _trained_on_xsum(summarizer_dir):
            part = xsum_partition(docs)
            docs = [d for d in docs if part[d.id] == "test"]
            note = "the held-out half of xsum_val (the summarizer was trained on oracle labels of the other half)"
        budget = news_budget(summarizer_dir)
        return docs, budget, note + f"; budget: the summarizer's default ({_describe(budget)})"
    raise ValueError(f"unknown benchmark {name!r}; choose one of {', '.join(BENCHMARKS)}")


def _describe(budget: Budget) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in vars(budget).items() if v is not None)


def per_document_rouge1(predictions: list[str], references: list[str]) -> np.ndarray:
    from stancesum.evaluation.metrics.summary_rouge.summary_rouge import rouge_scores

    return np.array([rouge_scores([p], [r])["rouge1"] for p, r in zip(predictions, references, strict=True)])


def run_summary_benchmark(
    name: str, data_dir: str | Path | None = None, split: str | None = None, summarizer_dir: str | Path | None = None
) -> dict:
    """Every system on the same documents and references, in the same run; figures ×100."""
    summarizer_dir = Path(summarizer_dir or DEFAULT_SUMMARIZER_DIR)
    docs, budget, note = benchmark_documents(name, data_dir, split, summarizer_dir)
    if not docs:
        raise ValueError(f"{name}: no documents in split {split!r}")
    systems = {
        "Lead-3": LeadSummarizer(Budget(max_sentences=3)),
        **({"Lead-1": LeadSummarizer(Budget(max_sentences=1))} if name == "xsum-val" else {}),
        "Lead (same budget)": LeadSummarizer(budget),
        "TextRank (tf-idf)": TextRankSummarizer(budget),
        "PacSum (tf-idf)": PacSumSummarizer(budget),
        OURS: ExtractiveSummarizer.from_pretrained(summarizer_dir, budget=budget),
    }
    prepared = [as_article(d) for d in docs]
    references = [reference_lines(d) for d in docs]
    documents = [a.text for a, _ in prepared]
    metric = load_metric("summary_rouge")
    results, per_doc = {}, {}
    for system_name, summarizer in systems.items():
        start = time.perf_counter()
        predictions = [summarizer(a, s) for a, s in prepared]
        seconds = time.perf_counter() - start
        scores = metric.compute(predictions=predictions, references=references, documents=documents)
        results[system_name] = {k: round(100 * scores[k], 2) for k in ("rouge1", "rouge2", "rougeL", "rougeLsum")} | {
            "words": round(scores["mean_summary_words"], 1),
            "compression": round(scores["compression"], 3),
            "seconds": round(seconds, 2),
        }
        per_doc[system_name] = per_document_rouge1(predictions, references)
        _, low, high = bootstrap_ci(list(per_doc[system_name]), lambda xs: float(np.mean(xs)), 1000)
        results[system_name]["rouge1_ci95"] = [round(100 * low, 2), round(100 * high, 2)]
    differences = {}
    for other in [s for s in systems if s != OURS]:
        delta = per_doc[OURS] - per_doc[other]
        point, low, high = bootstrap_ci(list(delta), lambda xs: float(np.mean(xs)), 1000)
        differences[other] = [round(100 * point, 2), round(100 * low, 2), round(100 * high, 2)]
    return {
        "benchmark": name,
        "split": split or {"bbc-summary": "dev", "seed-summaries": "test"}.get(name, "test"),
        "documents": len(docs),
        "note": note,
        "budget": {k: v for k, v in vars(budget).items() if v is not None},
        "summarizer_dir": str(summarizer_dir),
        "reference_words": round(float(np.mean([len(r.split()) for r in references])), 1),
        "systems": results,
        "rouge1_gain_over": differences,
        "published": PUBLISHED[name],
    }


def format_summary_benchmark(result: dict) -> str:
    """A plain-text table of one benchmark run, with the published figures below it."""
    lines = [
        f"benchmark {result['benchmark']}: {result['documents']} documents, {result['note']}",
        f"reference length: {result['reference_words']} words; summarizer: {result['summarizer_dir']}",
        "",
        f"{'system':<42} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'ROUGE-Lsum':>10} {'words':>7} {'seconds':>8}",
    ]
    for name, s in result["systems"].items():
        lines.append(
            f"{name:<42} {s['rouge1']:>8.2f} {s['rouge2']:>8.2f} {s['rougeL']:>8.2f} {s['rougeLsum']:>10.2f} "
            f"{s['words']:>7.1f} {s['seconds']:>8.2f}"
        )
    lines.append("")
    for other, (point, low, high) in result["rouge1_gain_over"].items():
        lines.append(
            f"{OURS} - {other}: ROUGE-1 {point:+.2f} (95% bootstrap CI over documents {low:+.2f} .. {high:+.2f})"
        )
    if result["published"]:
        lines += ["", "published (other papers, full test set; not this run):"]
        for name, s in result["published"].items():
            lines.append(f"{name:<42} {s['rouge1']:>8.2f} {s['rouge2']:>8.2f} {s['rougeL']:>8.2f}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Summary benchmarks (ROUGE of Lead-3, TextRank and the trained summarizer)."
    )
    parser.add_argument("name", choices=BENCHMARKS)
    parser.add_argument("--split", default=None, help="bbc-summary: train/dev/test (default dev); xsum-val: test")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--summarizer-dir", default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the result as JSON here")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the seconds column depends on it)")
    ns = parser.parse_args(argv)
    import torch

    torch.set_num_threads(ns.threads)
    try:
        result = run_summary_benchmark(ns.name, ns.data_dir, ns.split, ns.summarizer_dir)
    except (FileNotFoundError, ValueError, ModelLoadError) as err:
        print(f"summary_benchmarks: {err}", file=sys.stderr)
        return 2
    print(format_summary_benchmark(result), end="")
    if ns.json:
        from stancesum.models.articles_io import atomic_write_text

        atomic_write_text(ns.json, json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
