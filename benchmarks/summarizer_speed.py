"""Time to summarise one 40-sentence article: the trained extractive summarizer against the obvious alternatives.

    .venv/bin/python benchmarks/summarizer_speed.py [--summarizer-dir models/summarizer_default] \
        [--threads 2] [--repeats 10] [--output models/summarizer_default/speed.json]

The article is the first 40 sentences of the longest seed article (real news prose, gold segmentation).
Compared in the same process and run, each after one warm-up call, median of --repeats calls:
- ours: the extractive summarizer as shipped (all sentences and the headline through the encoder in
  length-sorted batches, then the head, MMR and the budget);
- per-sentence: the same model and weights, but one encoder pass per sentence (no batching), the obvious way;
- TextRank (tf-idf): the unsupervised baseline, no neural model.
Prints seconds per article, the ratio per-sentence / ours, whether ours is within the 0.3 s target (issue 11), and
whether the two neural runs chose the same sentences.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 0.3


def forty_sentence_article():
    from stancesum.models.article import Article
    from stancesum.models.articles_io import load_articles

    longest = max(load_articles(REPO / "seeds" / "articles.jsonl"), key=lambda a: len(a.sentences))
    sentences = longest.sentences[:40]
    if len(sentences) < 40:
        raise SystemExit(f"the longest seed article has only {len(sentences)} sentences")
    return Article(id=longest.id, text=longest.text, title=longest.title, sentences=sentences), sentences


def timed(fn, repeats: int) -> tuple[float, str]:
    result = fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--summarizer-dir", default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--output", type=Path, default=None, help="also write the figures as JSON (speed.json)")
    args = parser.parse_args()

    import torch

    from stancesum.inference.summarizers import ExtractiveSummarizer, TextRankSummarizer

    torch.set_num_threads(args.threads)
    article, sentences = forty_sentence_article()
    ours = ExtractiveSummarizer.from_pretrained(args.summarizer_dir)
    per_sentence = ExtractiveSummarizer(ours.scorer, batch_size=1)
    textrank = TextRankSummarizer()
    rows = {}
    for name, summarizer in (
        ("ours (batched)", ours),
        ("per-sentence encoder passes", per_sentence),
        ("TextRank (tf-idf)", textrank),
    ):
        rows[name] = timed(lambda s=summarizer: s(article, sentences), args.repeats)
    print(
        f"article: {article.id} (first {len(sentences)} sentences, "
        f"{sum(len(s.text.split()) for s in sentences)} words); "
        f"torch threads {torch.get_num_threads()}; median of {args.repeats} calls after a warm-up"
    )
    for name, (seconds, _) in rows.items():
        print(f"{name:<30} {seconds:8.3f} s/article")
    ours_s, per_s = rows["ours (batched)"][0], rows["per-sentence encoder passes"][0]
    print(
        f"ratio per-sentence / ours: {per_s / ours_s:.2f}x; "
        f"ours within {TARGET_SECONDS} s: {'yes' if ours_s <= TARGET_SECONDS else 'NO'}"
    )
    print(f"ratio ours / TextRank: {ours_s / rows['TextRank (tf-idf)'][0]:.1f}x (TextRank uses no neural model)")
    print(
        "same sentences chosen batched and per-sentence: "
        f"{rows['ours (batched)'][1] == rows['per-sentence encoder passes'][1]}"
    )
    if args.output:
        record = {
            "sentences": len(sentences),
            "words": sum(len(s.text.split()) for s in sentences),
            "threads": torch.get_num_threads(),
            "repeats": args.repeats,
            "seconds_per_article": {name: seconds for name, (seconds, _) in rows.items()},
            "command": f"python benchmarks/summarizer_speed.py --threads {args.threads} --repeats {args.repeats}",
        }
        args.output.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
