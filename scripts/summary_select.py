"""Choose the texts for the summary-only round (issue 11), deterministically, before any summary exists.

    python scripts/summary_select.py --out work/summary_selection.json --batches work/summaries --per-batch 21

The summarizer learns from highlight-style reference summaries, and the seed corpus's train split holds only 165.
Writing a summary costs a fraction of labeling every sentence, so this round asks only for summaries, on every
remaining text of the in-domain families (Wikinews 2019-2020, GUM, White House). Never drawn:
- the held-out families (Wikinews 2005-2009 -> ood_test, State Department -> ood_dev): never trained on;
- texts already in seeds/ (articles or the retraining set) or dropped there as defective;
- texts that copy (exactly or >= 50% of their 8-grams) any article of dev, test, ood_dev or ood_test, or each other
  (White House fact sheets reuse paragraphs), checked with the retraining guard's index (training/overlap.py).
The summaries train the summarizer only (split "train"); they are not in seeds/articles.jsonl, whose articles carry
full sentence labels.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from stancesum.models.article import Article
from stancesum.models.articles_io import load_articles
from stancesum.training.overlap import OverlapIndex

REPO = Path(__file__).resolve().parents[1]
NEWS = REPO.parent / "shared" / "news"
IN_DOMAIN = ("vanatteveldt/wikinews", "amir-zeldes/gum", "brian14708/wh-briefings")


def dropped_ids() -> set[str]:
    """Ids (cut at 60 characters) that an earlier round dropped as defective."""
    out = set()
    for path in sorted((REPO / "seeds" / "annotation").glob("round*/review/reviewed_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "drop" in record:
                out.add(record["id"][:60])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--batches", type=Path, help="also write batch_NN.md / batch_NN.jsonl here")
    parser.add_argument("--per-batch", type=int, default=21)
    args = parser.parse_args()
    seeds = load_articles(REPO / "seeds" / "articles.jsonl")
    retraining = load_articles(REPO / "seeds" / "retraining" / "new_articles.jsonl")
    splits = json.loads((REPO / "seeds" / "splits.json").read_text(encoding="utf-8"))
    split_of = {i: name for name, ids in splits.items() for i in ids}
    used_urls = {a.url for a in seeds + retraining}
    dropped = dropped_ids()
    held_out = OverlapIndex()
    for a in seeds:
        if split_of.get(a.id, "train") != "train":
            held_out.add(a, split_of[a.id])
    seen = OverlapIndex()
    for a in seeds + retraining:
        seen.add(a, "seeds")
    chosen, skipped = [], {"held-out family": 0, "in seeds": 0, "dropped": 0, "copies evaluation": 0, "copy": 0}
    for name in ("articles.jsonl", "articles_more.jsonl"):
        for line in (NEWS / name).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["provenance"]["repo"] not in IN_DOMAIN:
                skipped["held-out family"] += 1
                continue
            if r["url"] in used_urls:
                skipped["in seeds"] += 1
                continue
            if r["id"][:60] in dropped:
                skipped["dropped"] += 1
                continue
            article = Article(id=r["id"], text=r["text"], title=r["title"], url=r["url"])
            if held_out.matches(article, name):
                skipped["copies evaluation"] += 1
                continue
            if seen.matches(article, name):
                skipped["copy"] += 1
                continue
            seen.add(article, "new")
            chosen.append(r)
    chosen.sort(key=lambda r: r["id"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"ids": [r["id"] for r in chosen], "skipped": skipped}, indent=1) + "\n")
    print(f"{len(chosen)} texts chosen; skipped: {skipped}")
    if args.batches:
        args.batches.mkdir(parents=True, exist_ok=True)
        for b, begin in enumerate(range(0, len(chosen), args.per_batch), start=1):
            part = chosen[begin : begin + args.per_batch]
            keep = ("id", "title", "date", "source", "url", "license", "text")
            (args.batches / f"batch_{b:02d}.jsonl").write_text(
                "".join(json.dumps({k: r[k] for k in keep}, ensure_ascii=False) + "\n" for r in part)
            )
            md = [f"# Summary batch {b:02d}: {len(part)} texts\n"]
            for r in part:
                text = re.sub(r"\n{2,}", "\n\n", r["text"].strip())
                md.append(f"\n---\n\n## {r['id']}\n\n**{r['title']}** ({r['date']}; {r['source']})\n\n{text}\n")
            (args.batches / f"batch_{b:02d}.md").write_text("".join(md))


if __name__ == "__main__":
    main()
