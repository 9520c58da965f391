"""The seed corpus stays loadable and keeps the sizes the evaluation and training rely on."""

import json
import re
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
    assert len(corpus) == 449 and any(a.id == SEED_ID for a in corpus)
    sentences = [s for a in corpus for s in a.sentences]
    assert len(sentences) == 8329
    topics = Counter(s.topic for s in sentences)
    assert set(topics) == set(LabelSchema().topics)
    assert min(n for t, n in topics.items() if t != "other") >= 100, topics
    assert (topics["diplomacy_foreign_affairs"], topics["environment_energy"], topics["other"]) == (1136, 367, 140)
    stances = Counter(label for s in sentences for label in s.stance.values())
    assert stances == {"none": 17421, "favor": 3753, "against": 1079}, stances


def test_round2_articles_record_how_they_were_labeled(corpus):
    new = [a for a in corpus if a.annotation and a.annotation["round"] == 2]
    assert len(new) == 276 and all(a.annotation["reviewed"] and a.annotation["guidelines"] == "v3" for a in new)
    assert all(2 <= len(a.targets) <= 4 for a in new)
    assert all(a.annotation and a.annotation["reviewed"] for a in corpus)
    double = [a for a in new if a.annotation["double_annotated"]]
    assert len(double) >= 0.1 * len(new)


def test_round4_articles_are_the_summary_only_texts_labeled_and_train_only(corpus):
    """Round 4 labeled the round-3 summary-only texts: same text and reviewed summary, train split only (the
    committed summarizer was trained on their summaries), 10% double-annotated blind."""
    new = [a for a in corpus if a.annotation and a.annotation["round"] == 4]
    summary_only = {a.id: a for a in load_articles(SEEDS / "summaries" / "summaries.jsonl")}
    assert len(new) == 120 and {a.id for a in new} <= set(summary_only)
    for a in new:
        assert a.text == summary_only[a.id].text and a.summary == summary_only[a.id].summary, a.id
        assert a.annotation["reviewed"] and a.annotation["guidelines"] == "v3" and 2 <= len(a.targets) <= 4, a.id
    splits = json.loads((SEEDS / "splits.json").read_text())
    assert {a.id for a in new} <= set(splits["train"])
    plan = json.loads((SEEDS / "annotation" / "round4" / "batches.json").read_text())
    assert {a.id for a in new if a.annotation["double_annotated"]} == set(plan["blind"])
    assert len(plan["blind"]) >= 0.1 * len(new)


def test_every_article_fully_annotated(corpus):
    for a in corpus:
        assert 1 <= len(a.targets) <= 4, a.id  # round-1 articles of the agreement study may keep 1
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


def test_splits_partition_the_corpus_with_whole_families_held_out(corpus):
    splits = json.loads((SEEDS / "splits.json").read_text())
    ids = [i for k in ("train", "dev", "test", "ood_dev", "ood_test") for i in splits[k]]
    assert sorted(ids) == sorted(a.id for a in corpus)
    assert SEED_ID in splits["test"] and len(splits["ood_test"]) >= 30
    source = {a.id: a.source or "" for a in corpus}
    assert all("Docma-TU/tosca" in source[i] for i in splits["ood_test"])
    assert all("State-Department-PR" in source[i] for i in splits["ood_dev"])
    for k in ("train", "dev", "test"):  # no article of a held-out family anywhere else
        assert not any("Docma-TU/tosca" in source[i] or "State-Department-PR" in source[i] for i in splits[k])


def test_agreement_files_match_the_corpus(corpus):
    final = {a.id: a for a in corpus}
    first = load_articles(SEEDS / "agreement" / "first_pass.jsonl")
    second = load_articles(SEEDS / "agreement" / "second_pass.jsonl")
    assert [a.id for a in first] == [a.id for a in second] and len(first) == 10
    decisions = json.loads((SEEDS / "agreement" / "reconciliation.json").read_text())
    for d in decisions:
        s = final[d["id"]].sentences[d["sentence"]]
        assert (s.topic if d["field"] == "topic" else s.stance[d["field"]]) == d["final"], d


def test_round2_agreement_files_match_the_corpus(corpus):
    final = {a.id: a for a in corpus}
    first = load_articles(SEEDS / "agreement" / "round2" / "first.jsonl")
    second = load_articles(SEEDS / "agreement" / "round2" / "second.jsonl")
    assert [a.id for a in first] == [a.id for a in second] and len(first) == 29
    assert all(final[a.id].annotation["double_annotated"] for a in first)
    decisions = json.loads((SEEDS / "agreement" / "round2" / "reconciliation.json").read_text())
    assert len(decisions) == 71 and all(d["reason"] for d in decisions)
    for d in decisions:
        s = final[d["id"]].sentences[d["sentence"]]
        assert (s.topic if d["field"] == "topic" else s.stance[d["field"]]) == d["final"], d


def test_round4_agreement_files_match_the_corpus(corpus):
    final = {a.id: a for a in corpus}
    first = load_articles(SEEDS / "agreement" / "round4" / "first.jsonl")
    second = load_articles(SEEDS / "agreement" / "round4" / "second.jsonl")
    plan = json.loads((SEEDS / "annotation" / "round4" / "batches.json").read_text())
    assert [a.id for a in first] == [a.id for a in second] == plan["blind"]
    decisions = json.loads((SEEDS / "agreement" / "round4" / "reconciliation.json").read_text())
    disagreements = {
        (a.id, k, field)
        for a, b in zip(first, second, strict=True)
        for k, (x, y) in enumerate(zip(a.sentences, b.sentences, strict=True))
        for field in ["topic", *a.targets]
        if (x.topic != y.topic if field == "topic" else x.stance[field] != y.stance[field])
    }
    assert {(d["id"], d["sentence"], d["field"]) for d in decisions} == disagreements
    for d in decisions:
        assert d["reason"], d
        s = final[d["id"]].sentences[d["sentence"]]
        assert (s.topic if d["field"] == "topic" else s.stance[d["field"]]) == d["final"], d


def test_readme_table_credits_each_article_under_its_own_license(corpus):
    """The article table of seeds/README.md names the license each record carries (ids cut at 60 characters)."""
    credit = {
        "CC BY 2.5": "Wikinews, CC BY 2.5",
        "Public domain (Wikinews": "Wikinews, public domain (before 25 Sep 2005)",
        "Public domain (work of the U.S. Government": "U.S. Government work, public domain",
        "the user's own document": "the user's seed article",
    }
    expected = {}
    for article in corpus:
        names = [name for prefix, name in credit.items() if (article.license or "").startswith(prefix)]
        assert len(names) == 1, f"{article.id}: unknown license {article.license!r}"
        expected[article.id[:60]] = names[0]
    rows = {}
    for line in (SEEDS / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        if len(cells) == 5 and cells[0] in expected:
            rows[cells[0]] = cells[4].rstrip(" |")
    assert rows == expected


def test_summary_only_round_stays_out_of_evaluation(corpus):
    """seeds/summaries/ (training data of the summarizer only): reviewed, highlight-length, from in-domain families,
    and no text copies an article of an evaluation split."""
    from stancesum.training.overlap import OverlapIndex

    extra = load_articles(SEEDS / "summaries" / "summaries.jsonl")
    assert len(extra) == 120
    splits = json.loads((SEEDS / "splits.json").read_text(encoding="utf-8"))
    held_out = OverlapIndex()
    for article in corpus:
        for name in ("dev", "test", "ood_dev", "ood_test"):
            if article.id in splits[name]:
                held_out.add(article, name)
    labeled_later = {a.url for a in corpus if a.annotation and a.annotation["round"] == 4}
    urls = {a.url for a in corpus} - labeled_later
    for a in extra:
        assert a.url not in urls and not a.sentences and not a.targets, a.id
        assert a.summary and 2 <= len(re.findall(r"[.!?](?:\s|$)", a.summary)) <= 4, a.id
        assert len(a.summary.split()) <= 75, a.id
        assert a.annotation and a.annotation["reviewed"] and a.annotation["round"] == 3, a.id
        assert a.license, a.id
        # in-domain families only: not the State Department (ood_dev) nor Wikinews 2005-2009 (ood_test)
        assert a.id.startswith(("wikinews-2019", "wikinews-2020", "gum-", "whitehouse-")), a.id
        assert held_out.matches(a, a.id) == [], a.id


def test_augmented_targets_come_from_train_articles_only(corpus):
    splits = json.loads((SEEDS / "splits.json").read_text())
    # written for the train targets of rounds 1-2; round-4 targets have none (their pairs are read unchanged)
    train = [a for a in corpus if a.id in set(splits["train"]) and a.annotation and a.annotation["round"] != 4]
    train_targets = {t for a in train for t in a.targets}
    for name, field in (("negated_targets", "negation"), ("target_paraphrases", "paraphrase")):
        rows = [json.loads(line) for line in (SEEDS / "augmentation" / f"{name}.jsonl").open()]
        assert {r["target"] for r in rows} == train_targets, name
        assert all(r[field] is None or (r[field].strip() and r[field] != r["target"]) for r in rows), name
        assert all(r.get("note") for r in rows if r[field] is None), name
