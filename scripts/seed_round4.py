"""Add the fourth annotation round to seeds/articles.jsonl: the summary-only texts of round 3, now labeled sentence by
sentence (topic, and stance toward 2-4 targets), from the committed annotation files.

    python scripts/seed_round4.py && python scripts/seed_splits.py

- texts, metadata and reviewed summaries: seeds/summaries/summaries.jsonl (round 3), split by the project's
  splitter exactly as the annotators saw them (seeds/annotation/round4/batches.json);
- labels and targets: the reviewed files (seeds/annotation/round4/review/reviewed_NN.jsonl), then the reconciled
  labels of the agreement study (seeds/agreement/round4/reconciliation.json) over the double-annotated ones; a text
  the reviewer dropped as defective (GUIDELINES §8) is left out and listed;
- articles of earlier rounds are kept as they are; round-4 articles already in the file are replaced.
Round-4 articles go to the train split only (scripts/seed_splits.py): the committed summarizer was trained on their
summaries, so no evaluation split may hold them.
"""

from __future__ import annotations

import json
from pathlib import Path

from seed_round2 import reviewed_labels  # scripts/ is on the path when this script runs

from stancesum.models.article import Article
from stancesum.models.articles_io import load_articles, save_articles
from stancesum.models.segmentation import SentenceSplitter

REPO = Path(__file__).resolve().parents[1]
ROUND4 = REPO / "seeds" / "annotation" / "round4"
FIRST_PASS = "an AI helper session labeling every sentence by hand from the guidelines (LLM-assisted annotation)"
REVIEWER = "a second, independent AI helper session that read every label and corrected it"


def labeled(article: Article, ann: dict, decisions: list[dict], annotation: dict) -> Article:
    data = article.to_dict()
    data["targets"], data["annotation"] = ann["targets"], annotation
    final = {(d["sentence"], d["field"]): d["final"] for d in decisions if d["id"] == article.id}
    data["sentences"] = [
        {
            **s,
            "topic": final.get((k, "topic"), lab["topic"]),
            "stance": {t: final.get((k, t), v) for t, v in lab["stance"].items()},
        }
        for k, (s, lab) in enumerate(zip(data["sentences"], ann["labels"], strict=True))
    ]
    return Article.from_dict(data)


def main() -> None:
    plan = json.loads((ROUND4 / "batches.json").read_text(encoding="utf-8"))
    double = set(plan["blind"])
    labels, drops, batch_of = reviewed_labels(ROUND4 / "review")
    reconciled = REPO / "seeds" / "agreement" / "round4" / "reconciliation.json"
    decisions = json.loads(reconciled.read_text(encoding="utf-8"))
    planned = [i for ids in plan["batches"].values() for i in ids]
    missing = sorted(set(planned) - set(batch_of))
    if missing:
        raise SystemExit(f"{ROUND4 / 'review'}: no reviewed line for {missing[:3]}")
    texts = {a.id: a for a in load_articles(REPO / "seeds" / "summaries" / "summaries.jsonl")}
    corpus = [a for a in load_articles(REPO / "seeds" / "articles.jsonl") if (a.annotation or {}).get("round") != 4]
    known = {a.id for a in corpus}
    new_ids = [i for i in planned if i in labels and i not in known]
    splits = SentenceSplitter().split_many([texts[i].text for i in new_ids])
    for i, sentences in zip(new_ids, splits, strict=True):
        summary_only = texts[i]
        article = Article.from_dict({**summary_only.to_dict(), "sentences": [s.to_dict() for s in sentences]})
        corpus.append(
            labeled(
                article,
                labels[i],
                decisions,
                {
                    "round": 4,
                    "guidelines": "v3",
                    "by": f"{FIRST_PASS} ({batch_of[i]})",
                    "reviewed": True,
                    "reviewed_by": REVIEWER,
                    "double_annotated": i in double,
                    "summary": "round 3: written and reviewed (seeds/annotation/round3/), unchanged",
                },
            )
        )
    save_articles(REPO / "seeds" / "articles.jsonl", corpus)
    added = corpus[len(corpus) - len(new_ids) :]
    print(
        f"{len(corpus)} articles; round 4 added {len(added)} articles, {sum(len(a.sentences) for a in added)} "
        f"sentences; dropped as defective: {len(drops)}"
    )
    for i, why in sorted(drops.items()):
        print(f"  dropped {i}: {why[:110]}")


if __name__ == "__main__":
    main()
