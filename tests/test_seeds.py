"""The seed corpus stays loadable and keeps the sizes the evaluation and training rely on."""

import json
from collections import Counter

import pytest
from conftest import REPO

from stancesum.models.articles_io import load_articles
from stancesum.models.schema import LabelSchema

SEEDS = REPO / "seeds"
SEED_ID = "seed-000_4934cb18e678b5bb"


@pytest.fixture(scope="module")
def corpus():
    return load_articles(SEEDS / "articles.jsonl")


def test_corpus_size_and_label_coverage(corpus):
    assert len(corpus) >= 41 and any(a.id == SEED_ID for a in corpus)
    sentences = [s for a in corpus for s in a.sentences]
    assert len(sentences) >= 800
    topics = Counter(s.topic for s in sentences)
    assert set(topics) == set(LabelSchema().topics)
    assert min(topics.values()) >= 15, topics
    stances = Counter(label for s in sentences for label in s.stance.values())
    assert stances["favor"] >= 150 and stances["against"] >= 150, stances


def test_every_article_fully_annotated(corpus):
    for a in corpus:
        assert 1 <= len(a.targets) <= 4, a.id
        assert a.summary and len(a.summary.split()) <= 75, a.id
        assert a.source and a.license, a.id
        for s in a.sentences:
            assert s.topic is not None and set(s.stance) == set(a.targets), (a.id, s.start)
        covered = " ".join(a.text[s.start : s.end] for s in a.sentences)
        assert len(covered.split()) == len(a.text.split()), f"{a.id}: sentences do not cover the text"


def test_seed_article_targets(corpus):
    seed = next(a for a in corpus if a.id == SEED_ID)
    assert seed.title.startswith("NATO chief rules out troops") and seed.date == "2024-11-27"
    assert set(seed.targets) == {
        "NATO troops deployed to Ukraine",
        "supplying weapons to Ukraine",
        "starting peace negotiations with Russia now",
        "higher defence spending by NATO members",
    }


def test_splits_partition_the_corpus(corpus):
    splits = json.loads((SEEDS / "splits.json").read_text())
    ids = [i for k in ("train", "dev", "test") for i in splits[k]]
    assert sorted(ids) == sorted(a.id for a in corpus)
    assert SEED_ID in splits["test"]
    n = len(corpus)
    assert abs(len(splits["train"]) / n - 0.6) < 0.07 and abs(len(splits["test"]) / n - 0.2) < 0.07


def test_agreement_files_match_the_corpus(corpus):
    final = {a.id: a for a in corpus}
    first = load_articles(SEEDS / "agreement" / "first_pass.jsonl")
    second = load_articles(SEEDS / "agreement" / "second_pass.jsonl")
    assert [a.id for a in first] == [a.id for a in second] and len(first) >= 0.18 * len(corpus)
    decisions = json.loads((SEEDS / "agreement" / "reconciliation.json").read_text())
    for d in decisions:
        s = final[d["id"]].sentences[d["sentence"]]
        assert (s.topic if d["field"] == "topic" else s.stance[d["field"]]) == d["final"], d
