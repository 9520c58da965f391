"""Build seeds/articles.jsonl from the second annotation round (issue 9), from the committed annotation files.

    python scripts/seed_round2.py [--news ../shared/news] && python scripts/seed_splits.py

- new articles (seeds/annotation/round2/batches.json, batches 01-10): texts from ../shared/news split by the
  project's splitter, labels from the reviewed files (review/reviewed_NN.jsonl), then the reconciled labels of the
  agreement study (seeds/agreement/round2/reconciliation.json) over the double-annotated ones;
- round-1 articles: those of the round-1 agreement study keep their reconciled labels; the others (batches 11-12)
  take the labels of their v3 review;
- texts a reviewer dropped as defective (GUIDELINES §8) are left out and listed.
Every article records how it was labeled in its `annotation` field.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from stancesum.models.article import Article
from stancesum.models.articles_io import load_articles, save_articles
from stancesum.models.segmentation import SentenceSplitter

REPO = Path(__file__).resolve().parents[1]
ROUND2 = REPO / "seeds" / "annotation" / "round2"
FIRST_PASS = "an AI helper session labeling every sentence by hand from the guidelines (LLM-assisted annotation)"
ROUND1_CHECK = "a blind second annotation and a reconciliation of every disagreement (seeds/AGREEMENT.md)"
REVIEWER = "a second, independent AI helper session that read every label and corrected it"


def reviewed_labels(review_dir: Path = ROUND2 / "review") -> tuple[dict[str, dict], dict[str, str], dict[str, str]]:
    """(final label line per article id, drop reason per article id, batch name per article id) from the reviewed
    files review_dir/reviewed_NN.jsonl; an article reviewed twice is an error."""
    labels, drops, batch_of = {}, {}, {}
    for path in sorted(review_dir.glob("reviewed_*.jsonl")):
        batch = "batch_" + path.stem.split("_")[1]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            ann = json.loads(line)
            if ann["id"] in batch_of:
                raise SystemExit(f"{path}:{n}: article {ann['id']} already labeled in {batch_of[ann['id']]}")
            batch_of[ann["id"]] = batch
            if "drop" in ann:
                drops[ann["id"]] = ann["drop"]
            else:
                labels[ann["id"]] = ann
    return labels, drops, batch_of


def apply(article: Article, ann: dict, decisions: list[dict], annotation: dict) -> Article:
    data = article.to_dict()
    data["targets"], data["summary"], data["annotation"] = ann["targets"], ann["summary"], annotation
    by_sentence = {(d["sentence"], d["field"]): d["final"] for d in decisions if d["id"] == article.id}
    sentences = []
    for k, (s, lab) in enumerate(zip(data["sentences"], ann["labels"], strict=True)):
        stance = {t: by_sentence.get((k, t), v) for t, v in lab["stance"].items()}
        sentences.append({**s, "topic": by_sentence.get((k, "topic"), lab["topic"]), "stance": stance})
    data["sentences"] = sentences
    return Article.from_dict(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--news", type=Path, default=REPO.parent / "shared" / "news")
    args = parser.parse_args()
    plan = json.loads((ROUND2 / "batches.json").read_text(encoding="utf-8"))
    labels, drops, batch_of = reviewed_labels()
    decisions = json.loads(
        (REPO / "seeds" / "agreement" / "round2" / "reconciliation.json").read_text(encoding="utf-8")
    )
    double = {d["id"] for d in decisions} | set(
        json.loads(line)["id"]
        for line in (REPO / "seeds" / "agreement" / "round2" / "second.jsonl").read_text().splitlines()
    )
    round1 = load_articles(REPO / "seeds" / "articles.jsonl")
    round1_agreement = {a.id for a in load_articles(REPO / "seeds" / "agreement" / "first_pass.jsonl")}
    out: list[Article] = []
    for a in round1:
        if a.id in round1_agreement:  # labels reconciled in the round-1 agreement study: kept as they are
            out.append(
                Article.from_dict(
                    {
                        **a.to_dict(),
                        "annotation": {
                            "round": 1,
                            "guidelines": "v2",
                            "by": FIRST_PASS,
                            "reviewed": True,
                            "reviewed_by": ROUND1_CHECK,
                            "double_annotated": True,
                        },
                    }
                )
            )
        elif a.id in labels:
            out.append(
                apply(
                    a,
                    labels[a.id],
                    [],
                    {
                        "round": 1,
                        "guidelines": "v3 (labeled under v1/v2, reviewed against v3)",
                        "by": FIRST_PASS,
                        "reviewed": True,
                        "reviewed_by": f"{REVIEWER} ({batch_of[a.id]})",
                        "double_annotated": False,
                    },
                )
            )
    records = {
        r["id"]: r
        for name in ("articles.jsonl", "articles_more.jsonl")
        for r in map(json.loads, (args.news / name).read_text(encoding="utf-8").splitlines())
    }
    new_ids = [i for name, ids in plan["batches"].items() if name <= "batch_10" for i in ids if i in labels]
    splits = SentenceSplitter().split_many([records[i]["text"] for i in new_ids])
    for i, sentences in zip(new_ids, splits, strict=True):
        r = records[i]
        article = Article(
            id=i,
            text=r["text"],
            title=r["title"],
            source=r["source"],
            date=r["date"],
            url=r["url"],
            license=r["license"],
            sentences=sentences,
        )
        out.append(
            apply(
                article,
                labels[i],
                decisions,
                {
                    "round": 2,
                    "guidelines": "v3",
                    "by": f"{FIRST_PASS} ({batch_of[i]})",
                    "reviewed": True,
                    "reviewed_by": REVIEWER,
                    "double_annotated": i in double,
                },
            )
        )
    save_articles(REPO / "seeds" / "articles.jsonl", out)
    print(f"{len(out)} articles, {sum(len(a.sentences) for a in out)} sentences; dropped as defective: {len(drops)}")
    for i, why in sorted(drops.items()):
        print(f"  dropped {i}: {why[:110]}")


if __name__ == "__main__":
    main()
