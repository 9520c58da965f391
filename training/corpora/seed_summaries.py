"""The seed corpus as summary documents: each annotated article with its highlight-style reference summary."""

from __future__ import annotations

import json
from pathlib import Path

from stancesum.models.articles_io import load_articles
from stancesum.training.corpora.types import SummaryDocument


def seed_summaries(seeds_path: str | Path, splits_path: str | Path, splits: tuple[str, ...]) -> list[SummaryDocument]:
    """The seed articles of `splits` (names in seeds/splits.json) that have a reference summary; sentences are the
    articles' own (gold) units, reference = the summary."""
    ids = json.loads(Path(splits_path).read_text(encoding="utf-8"))
    split_of = {i: name for name in splits for i in ids.get(name, [])}
    return [
        SummaryDocument(
            id=a.id,
            title=a.title,
            sentences=[s.text for s in a.sentences],
            reference=a.summary,
            reference_sentence_ids=None,
            source="seeds",
            split=split_of[a.id],
        )
        for a in load_articles(seeds_path)
        if a.id in split_of and a.summary and a.sentences
    ]


def summary_only(path: str | Path) -> list[SummaryDocument]:
    """Articles with a reference summary but no sentence labels (seeds/summaries/: the summary-only round), split
    by the project's sentence splitter as inference splits them; all are training documents. Defective texts were
    dropped from the file, not kept with a flag."""
    from stancesum.models.segmentation import SentenceSplitter

    articles = [a for a in load_articles(path) if a.summary]
    split = SentenceSplitter().split_many([a.text for a in articles])
    return [
        SummaryDocument(
            id=a.id,
            title=a.title,
            sentences=[s.text for s in sentences],
            reference=a.summary or "",
            reference_sentence_ids=None,
            source="summaries",
            split="train",
        )
        for a, sentences in zip(articles, split, strict=True)
        if sentences
    ]
