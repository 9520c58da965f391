"""The local evaluate metric modules and the article bootstrap, checked against hand computations and sklearn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from rouge_score import rouge_scorer
from sklearn.metrics import f1_score, precision_recall_fscore_support

from stancesum.evaluation.metrics import METRIC_NAMES, load_metric, metric_path
from stancesum.models.bootstrap import bootstrap_ci, bootstrap_ci_counts, f1_from_confusion, resample_indices
from stancesum.models.schema import STANCE_LABELS, LabelSchema

REPO = Path(__file__).resolve().parents[1]
STANCES = list(STANCE_LABELS)


@pytest.fixture(scope="module")
def stance():
    return load_metric("stance_metrics")


@pytest.fixture(scope="module")
def topic():
    return load_metric("topic_metrics")


@pytest.fixture(scope="module")
def rouge():
    return load_metric("summary_rouge")


# --- loading ---------------------------------------------------------------------------------------------------


def test_load_metric_is_cached_and_names_are_checked():
    assert load_metric("stance_metrics") is load_metric("stance_metrics")
    with pytest.raises(ValueError, match="unknown metric"):
        load_metric("rouge")


@pytest.mark.parametrize("name", METRIC_NAMES)
def test_each_metric_has_a_script_and_a_card(name):
    folder = metric_path(name)
    assert (folder / f"{name}.py").is_file()
    card = (folder / "README.md").read_text(encoding="utf-8")
    for section in (
        "## Metric Description",
        "## How to Use",
        "### Inputs",
        "### Output Values",
        "## Limitations and Bias",
        "## Citation",
    ):
        assert section in card, f"{name} card lacks {section!r}"
    assert load_metric(name).citation.strip()


def test_loading_by_path_works_offline_with_no_network(tmp_path):
    # A fresh process with HF_HUB_OFFLINE=1, a fresh dynamic-modules cache, and every socket connection refused.
    code = """
import json, socket, sys
def refuse(*args, **kwargs):
    raise OSError("network disabled by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
from stancesum.evaluation.metrics import METRIC_NAMES, load_metric
s = load_metric("stance_metrics").compute(predictions=["favor"], references=["favor"])
r = load_metric("summary_rouge").compute(predictions=["a b"], references=["a b"])
t = load_metric("topic_metrics").compute(predictions=["x"], references=["x"])
json.dump([s["f_avg"], r["rouge1"], t["accuracy"]], sys.stdout)
"""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_MODULES_CACHE": str(tmp_path / "modules"),
        "HF_HOME": str(tmp_path / "hf"),
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0.5, 1.0, 1.0]
    assert any((tmp_path / "modules").rglob("stance_metrics.py"))


def test_stance_labels_match_the_schema():
    assert load_metric("stance_metrics").compute(predictions=["none"], references=["none"])["labels"] == STANCES


# --- stance ----------------------------------------------------------------------------------------------------


def test_stance_by_hand(stance):
    refs = ["favor", "favor", "favor", "against", "against", "none", "none", "none"]
    preds = ["favor", "against", "none", "against", "favor", "none", "none", "favor"]
    # Confusion (rows = reference, cols = prediction; favor, against, none):
    #   favor   -> favor 1, against 1, none 1
    #   against -> favor 1, against 1, none 0
    #   none    -> favor 1, against 0, none 2
    # accuracy = (1 + 1 + 2) / 8 = 1/2
    # favor:   TP 1, predicted 3 (column sum), gold 3 -> P = 1/3, R = 1/3, F1 = 1/3
    # against: TP 1, predicted 2,              gold 2 -> P = 1/2, R = 1/2, F1 = 1/2
    # none:    TP 2, predicted 3,              gold 3 -> P = 2/3, R = 2/3, F1 = 2/3
    # macro_f1 = (1/3 + 1/2 + 2/3) / 3 = (9/6) / 3 = 1/2
    # f_avg    = (1/3 + 1/2) / 2 = 5/12
    r = stance.compute(predictions=preds, references=refs)
    assert r["labels"] == ["favor", "against", "none"]
    assert r["confusion_matrix"] == [[1, 1, 1], [1, 1, 0], [1, 0, 2]]
    assert r["accuracy"] == pytest.approx(1 / 2)
    assert r["macro_f1"] == pytest.approx(1 / 2)
    assert r["f_avg"] == pytest.approx(5 / 12)
    expected = {
        "favor": (1 / 3, 1 / 3, 1 / 3, 3),
        "against": (1 / 2, 1 / 2, 1 / 2, 2),
        "none": (2 / 3, 2 / 3, 2 / 3, 3),
    }
    for label, (p, rec, f, s) in expected.items():
        assert r["per_class"][label] == {
            "precision": pytest.approx(p),
            "recall": pytest.approx(rec),
            "f1": pytest.approx(f),
            "support": s,
        }


def test_stance_f_avg_and_zero_division_by_hand(stance):
    # refs favor, against, against; preds none, against, none.
    # favor:   TP 0, predicted 0 -> P = 0/0 := 0.0, R = 0/1 = 0, F1 = 0.0
    # against: TP 1, predicted 1, gold 2 -> P = 1, R = 1/2, F1 = 2 * 1 * 1/2 / (3/2) = 2/3
    # none:    TP 0, predicted 2, gold 0 -> P = 0, R = 0/0 := 0.0, F1 = 0.0
    # f_avg = (0 + 2/3) / 2 = 1/3; macro_f1 = (0 + 2/3 + 0) / 3 = 2/9; accuracy = 1/3
    r = stance.compute(predictions=["none", "against", "none"], references=["favor", "against", "against"])
    assert r["f_avg"] == pytest.approx(1 / 3)
    assert r["macro_f1"] == pytest.approx(2 / 9)
    assert r["accuracy"] == pytest.approx(1 / 3)
    assert r["per_class"]["favor"]["precision"] == 0.0 and r["per_class"]["none"]["recall"] == 0.0
    assert r["per_class"]["none"]["support"] == 0


def test_stance_against_sklearn_on_random_input(stance):
    rng = np.random.default_rng(7)
    refs = rng.choice(STANCES, size=300, p=[0.2, 0.2, 0.6]).tolist()
    preds = [y if rng.random() < 0.6 else str(rng.choice(STANCES)) for y in refs]
    r = stance.compute(predictions=preds, references=refs)
    p, rec, f, s = precision_recall_fscore_support(refs, preds, labels=STANCES, zero_division=0.0)
    for i, label in enumerate(STANCES):
        got = r["per_class"][label]
        assert (got["precision"], got["recall"], got["f1"], got["support"]) == pytest.approx((p[i], rec[i], f[i], s[i]))
    assert r["macro_f1"] == pytest.approx(f1_score(refs, preds, labels=STANCES, average="macro"))
    assert r["f_avg"] == pytest.approx(f1_score(refs, preds, labels=["favor", "against"], average="macro"))
    assert r["accuracy"] == pytest.approx(np.mean(np.array(refs) == np.array(preds)))
    assert np.asarray(r["confusion_matrix"]).sum() == 300


def test_stance_rejects_bad_input(stance):
    with pytest.raises(ValueError, match="labels outside"):
        stance.compute(predictions=["Favor"], references=["favor"])
    with pytest.raises(ValueError):
        stance.compute(predictions=[], references=[])


# --- topic -----------------------------------------------------------------------------------------------------


def test_topic_by_hand_with_schema_labels(topic):
    labels = LabelSchema().topic_labels  # 12 labels; only 3 occur below
    refs = ["economy_business", "economy_business", "military_defense", "diplomacy_foreign_affairs"]
    preds = ["economy_business", "military_defense", "military_defense", "economy_business"]
    # economy:   TP 1, predicted 2 (items 0, 3), gold 2 -> P = 1/2, R = 1/2, F1 = 1/2
    # military:  TP 1, predicted 2 (items 1, 2), gold 1 -> P = 1/2, R = 1,   F1 = 2 * 1/2 / (3/2) = 2/3
    # diplomacy: TP 0, predicted 0,              gold 1 -> P = 0,   R = 0,   F1 = 0
    # macro_f1 over the 3 gold labels = (1/2 + 2/3 + 0) / 3 = 7/18 (over all 12 it would be 7/72)
    # accuracy = 2/4
    r = topic.compute(predictions=preds, references=refs, labels=labels)
    assert r["labels"] == labels
    assert r["accuracy"] == pytest.approx(1 / 2)
    assert r["macro_f1"] == pytest.approx(7 / 18)
    assert r["per_class"]["military_defense"] == {
        "precision": pytest.approx(1 / 2),
        "recall": 1.0,
        "f1": pytest.approx(2 / 3),
        "support": 1,
    }
    assert r["per_class"]["health_medicine"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    cm = np.asarray(r["confusion_matrix"])
    assert cm.shape == (12, 12) and cm.sum() == 4
    eco, mil, dip = (labels.index(x) for x in ("economy_business", "military_defense", "diplomacy_foreign_affairs"))
    assert (cm[eco, eco], cm[eco, mil], cm[mil, mil], cm[dip, eco]) == (1, 1, 1, 1)


def test_topic_default_labels_are_the_sorted_union(topic):
    # refs b, b, a; preds b, c, a -> labels [a, b, c]; c never in the references, so macro over a, b:
    # a: P = R = 1, F1 = 1; b: TP 1, predicted 1, gold 2 -> F1 = 2 * 1 * 1/2 / (3/2) = 2/3; macro = 5/6
    r = topic.compute(predictions=["b", "c", "a"], references=["b", "b", "a"])
    assert r["labels"] == ["a", "b", "c"]
    assert r["macro_f1"] == pytest.approx(5 / 6)
    assert r["confusion_matrix"] == [[1, 0, 0], [0, 1, 1], [0, 0, 0]]


def test_topic_against_sklearn_on_random_input(topic):
    labels = LabelSchema().topic_labels
    rng = np.random.default_rng(3)
    refs = rng.choice(labels[:8], size=400).tolist()  # four labels never in the references
    preds = [y if rng.random() < 0.5 else str(rng.choice(labels)) for y in refs]
    r = topic.compute(predictions=preds, references=refs, labels=labels)
    p, rec, f, s = precision_recall_fscore_support(refs, preds, labels=labels, zero_division=0.0)
    for i, label in enumerate(labels):
        got = r["per_class"][label]
        assert (got["precision"], got["recall"], got["f1"], got["support"]) == pytest.approx((p[i], rec[i], f[i], s[i]))
    assert r["macro_f1"] == pytest.approx(f1_score(refs, preds, labels=labels[:8], average="macro"))
    assert r["macro_f1"] != pytest.approx(f1_score(refs, preds, labels=labels, average="macro"))


def test_topic_rejects_labels_outside_the_label_set(topic):
    with pytest.raises(ValueError, match="outside the label set"):
        topic.compute(predictions=["sports"], references=["other"], labels=LabelSchema().topic_labels)


# --- ROUGE -----------------------------------------------------------------------------------------------------


def test_rouge_unigram_and_bigram_by_hand(rouge):
    # pred "the cat sat" (3 tokens), ref "the cat ran away" (4 tokens)
    # ROUGE-1: overlap {the, cat} = 2 -> P = 2/3, R = 2/4, F = 2PR / (P + R) = (2/3) / (7/6) = 4/7
    # ROUGE-2: pred {the cat, cat sat}, ref {the cat, cat ran, ran away}: overlap 1 -> P = 1/2, R = 1/3, F = 2/5
    # ROUGE-L: LCS "the cat" = 2 -> same as ROUGE-1 = 4/7
    r = rouge.compute(predictions=["the cat sat"], references=["the cat ran away"])
    assert r["rouge1"] == pytest.approx(4 / 7)
    assert r["rouge2"] == pytest.approx(2 / 5)
    assert r["rougeL"] == pytest.approx(4 / 7)
    assert (r["mean_summary_words"], r["mean_reference_words"]) == (3.0, 4.0)
    assert "compression" not in r


def test_rouge_stems_and_splits_lsum_on_newlines_by_hand(rouge):
    # Porter stemming (tokens > 3 chars): cats -> cat, runs -> run, running -> run: a perfect unigram match.
    assert rouge.compute(predictions=["cats running"], references=["cat runs"])["rouge1"] == pytest.approx(1.0)
    # Sentence order swapped: as one sequence, LCS("a b c d", "c d a b") = 2 -> rougeL = 2/4 = 1/2;
    # per sentence, each reference sentence is fully covered by one summary sentence -> rougeLsum = 1.
    r = rouge.compute(predictions=["a b\nc d"], references=["c d\na b"])
    assert r["rougeL"] == pytest.approx(1 / 2)
    assert r["rougeLsum"] == pytest.approx(1.0)


def test_rouge_matches_rouge_score_called_directly(rouge):
    preds = [
        "NATO allies agreed to send more troops.\nRussia condemned the move.",
        "The central bank raised interest rates again.",
        "Floods displaced thousands of residents.",
    ]
    refs = [
        "Allies agreed on sending additional NATO troops.\nMoscow condemned the decision.",
        "Interest rates were raised by the central bank for a third time.",
        "Thousands were displaced by floods in the north.\nRescue teams arrived.",
    ]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    direct = [scorer.score(ref, pred) for pred, ref in zip(preds, refs, strict=True)]
    r = rouge.compute(predictions=preds, references=refs)
    for key in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
        assert r[key] == pytest.approx(np.mean([d[key].fmeasure for d in direct]))


def test_rouge_compression_by_hand(rouge):
    # summaries of 3 and 3 words over documents of 6 and 12 words: mean(3/6, 3/12) = (0.5 + 0.25) / 2 = 0.375
    r = rouge.compute(
        predictions=["a b c", "d e f"],
        references=["a b", "d e f g"],
        documents=["a b c x y z", " ".join("abcdefghijkl")],
    )
    assert r["compression"] == pytest.approx(0.375)
    assert r["mean_reference_words"] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="empty document"):
        rouge.compute(predictions=["a"], references=["a"], documents=["  "])


# --- bootstrap -------------------------------------------------------------------------------------------------


def _articles(n: int, seed: int) -> list[list[tuple[str, str]]]:
    """n articles of 10..40 (prediction, reference) stance pairs, about 70 % correct."""
    rng = np.random.default_rng(seed)
    articles = []
    for _ in range(n):
        refs = rng.choice(STANCES, size=int(rng.integers(10, 41)), p=[0.25, 0.25, 0.5])
        articles.append([(y if rng.random() < 0.7 else str(rng.choice(STANCES)), str(y)) for y in refs])
    return articles


def _confusion(pairs: list[tuple[str, str]]) -> np.ndarray:
    index = {label: i for i, label in enumerate(STANCES)}
    cm = np.zeros((3, 3))
    np.add.at(cm, ([index[r] for _, r in pairs], [index[p] for p, _ in pairs]), 1)
    return cm


def _f_avg(articles: list[list[tuple[str, str]]]) -> float:
    f1 = f1_from_confusion(_confusion([pair for article in articles for pair in article]))
    return float(f1[:2].mean())


def _mean(items: list[float]) -> float:
    return float(np.mean(items))


def test_f1_from_confusion_matches_sklearn():
    pairs = [pair for article in _articles(5, seed=1) for pair in article] + [("none", "none")]
    preds, refs = zip(*pairs, strict=True)
    expected = f1_score(refs, preds, labels=STANCES, average=None, zero_division=0.0)
    assert f1_from_confusion(_confusion(pairs)) == pytest.approx(expected)
    assert f1_from_confusion(np.zeros((3, 3))).tolist() == [0.0, 0.0, 0.0]


def test_bootstrap_is_deterministic_and_contains_the_point():
    values = np.random.default_rng(0).normal(size=40).tolist()
    first = bootstrap_ci(values, _mean, n_resamples=500, seed=1)
    assert first == bootstrap_ci(values, _mean, n_resamples=500, seed=1)
    assert first != bootstrap_ci(values, _mean, n_resamples=500, seed=2)
    point, low, high = first
    assert point == pytest.approx(np.mean(values))
    assert low < point < high
    # a 95 % interval of a mean is about +-1.96 standard errors
    assert (high - low) / 2 == pytest.approx(1.96 * np.std(values) / np.sqrt(len(values)), rel=0.25)


def test_bootstrap_resamples_items_with_replacement():
    idx = resample_indices(5, n_resamples=4, seed=0)
    assert idx.shape == (4, 5) and idx.min() >= 0 and idx.max() < 5
    assert (resample_indices(5, 4, seed=0) == idx).all()
    # a constant statistic gives a zero-width interval; one item gives a zero-width interval too
    assert bootstrap_ci([[1], [2]], lambda items: 3.0) == (3.0, 3.0, 3.0)
    assert bootstrap_ci([2.5], _mean) == (2.5, 2.5, 2.5)
    with pytest.raises(ValueError):
        bootstrap_ci([], _mean)
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], _mean, confidence=1.0)


def test_bootstrap_interval_shrinks_with_more_items():
    widths = []
    for n in (10, 40, 160):
        _, low, high = bootstrap_ci(_articles(n, seed=n), _f_avg, n_resamples=300, seed=0)
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2] > 0


def test_bootstrap_over_articles_is_fast_and_the_count_path_agrees(stance):
    articles = _articles(20, seed=5)
    start = time.perf_counter()
    point, low, high = bootstrap_ci(articles, _f_avg, n_resamples=1000, seed=0)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"1000 resamples of 20 articles took {elapsed:.2f} s"
    assert low <= point <= high
    preds, refs = zip(*(pair for article in articles for pair in article), strict=True)
    assert point == pytest.approx(stance.compute(predictions=list(preds), references=list(refs))["f_avg"])
    counts = np.stack([_confusion(article) for article in articles])
    fast = bootstrap_ci_counts(counts, lambda cm: f1_from_confusion(cm)[:, :2].mean(axis=-1), n_resamples=1000, seed=0)
    assert fast == pytest.approx((point, low, high))
