"""Seed-corpus annotation workflow: prepare split articles, check an annotation file, merge into seeds/.

    python scripts/seed_annotation.py prepare --ids-file ids.txt --out work/batch.jsonl
    python scripts/seed_annotation.py check work/labels.jsonl --articles work/batch.jsonl
    python scripts/seed_annotation.py merge --articles work/all.jsonl --labels a.jsonl b.jsonl \
        --out seeds/articles.jsonl

An annotation file holds one JSON object per article:
    {"id": str, "targets": [str, ...], "summary": str,
     "labels": [{"i": 0, "topic": str, "stance": {target: "favor"|"against"|"none"}}, ...]}
with one entry per sentence of the prepared article, in order.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stancesum.models.article import Article, ArticleFormatError
from stancesum.models.articles_io import load_articles, save_articles
from stancesum.models.segmentation import SentenceSplitter

NEWS_DIR = Path(__file__).resolve().parents[2] / "shared" / "news"
NEWS = (NEWS_DIR / "articles.jsonl", NEWS_DIR / "articles_more.jsonl")
WIKINEWS_CREDIT = "Wikinews (https://en.wikinews.org), CC BY 2.5 https://creativecommons.org/licenses/by/2.5/"


def prepare(ids: list[str], out: Path, news: tuple[Path, ...] = NEWS) -> None:
    records = {r["id"]: r for path in news for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    missing = [i for i in ids if i not in records]
    if missing:
        sys.exit(f"{', '.join(map(str, news))}: no record with id {missing[0]!r}")
    chosen = [records[i] for i in ids]
    splits = SentenceSplitter().split_many([r["text"] for r in chosen])
    articles = [
        Article(
            id=r["id"],
            text=r["text"],
            title=r["title"],
            source=r["source"],
            date=r["date"],
            url=r["url"],
            license=r["license"],
            sentences=sents,
        )
        for r, sents in zip(chosen, splits, strict=True)
    ]
    save_articles(out, articles)
    print(f"{out}: {len(articles)} articles, {sum(len(a.sentences) for a in articles)} sentences")


def apply_labels(article: Article, ann: dict, where: str) -> Article:
    """The article with the annotation's targets, labels and summary, validated by the article loader."""
    labels = ann.get("labels", [])
    if len(labels) != len(article.sentences):
        raise ArticleFormatError(
            f"{len(labels)} labels for {len(article.sentences)} sentences", path=where, field="labels"
        )
    for k, lab in enumerate(labels):
        if lab.get("i", k) != k:
            raise ArticleFormatError(f"label {k} has i={lab.get('i')}", path=where, field=f"labels[{k}].i")
        missing = [t for t in ann["targets"] if t not in lab.get("stance", {})]
        if missing:
            raise ArticleFormatError(f"no stance for target {missing[0]!r}", path=where, field=f"labels[{k}].stance")
    summary = ann.get("summary")
    if summary is not None and len(summary.split()) > 75:
        raise ArticleFormatError(f"summary has {len(summary.split())} words (at most 75)", path=where, field="summary")
    data = article.to_dict()
    data["targets"] = ann["targets"]
    data["summary"] = summary
    data["sentences"] = [
        {**s.to_dict(), "topic": lab["topic"], "stance": lab["stance"]}
        for s, lab in zip(article.sentences, labels, strict=True)
    ]
    try:
        return Article.from_dict(data)
    except ArticleFormatError as err:
        raise ArticleFormatError(err.problem, path=where, field=err.field) from None


def apply_decisions(ann: dict, decisions: list[dict]) -> None:
    """Overwrite an annotation's labels with the reconciled final labels that concern its article."""
    for d in decisions:
        if d["id"] != ann.get("id"):
            continue
        label = ann["labels"][d["sentence"]]
        if d["field"] == "topic":
            label["topic"] = d["final"]
        else:
            label["stance"][d["field"]] = d["final"]


def read_annotations(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as err:
                sys.exit(f"{path}:{n}: bad JSON: {err.msg}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--ids-file", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("check")
    c.add_argument("labels", type=Path)
    c.add_argument("--articles", type=Path, required=True)
    m = sub.add_parser("merge")
    m.add_argument("--articles", type=Path, required=True, nargs="+")
    m.add_argument("--labels", type=Path, required=True, nargs="+")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument(
        "--reconcile", type=Path, help="reconciliation.json: final labels for disagreements of the double pass"
    )
    args = parser.parse_args()
    if args.cmd == "prepare":
        prepare([i.strip() for i in args.ids_file.read_text().splitlines() if i.strip()], args.out)
        return
    articles = {
        a.id: a for path in ([args.articles] if args.cmd == "check" else args.articles) for a in load_articles(path)
    }
    label_files = [args.labels] if args.cmd == "check" else args.labels
    decisions = json.loads(args.reconcile.read_text(encoding="utf-8")) if getattr(args, "reconcile", None) else []
    done, errors = [], []
    for path in label_files:
        for n, ann in enumerate(read_annotations(path), 1):
            apply_decisions(ann, decisions)
            where = f"{path}:{n}"
            if ann.get("id") not in articles:
                errors.append(f"{where}: unknown article id {ann.get('id')!r}")
                continue
            try:
                done.append(apply_labels(articles[ann["id"]], ann, where))
            except ArticleFormatError as err:
                errors.append(str(err))
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        sys.exit(2)
    if args.cmd == "merge":
        save_articles(args.out, done)
    n_sent = sum(len(a.sentences) for a in done)
    print(f"{len(done)} articles, {n_sent} sentences: OK")


if __name__ == "__main__":
    main()
