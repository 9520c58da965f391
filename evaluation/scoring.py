"""Scoring one system's predicted articles against gold articles, with article-level bootstrap intervals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from stancesum.evaluation.metrics import load_metric
from stancesum.models.article import Article
from stancesum.models.bootstrap import accuracy_from_confusion, bootstrap_ci, bootstrap_ci_counts, f1_from_confusion
from stancesum.models.schema import STANCE_LABELS, LabelSchema

N_RESAMPLES = 1000


def _check_aligned(gold: list[Article], pred: list[Article]) -> None:
    by_id = {p.id: p for p in pred}
    for g in gold:
        p = by_id.get(g.id)
        if p is None:
            raise ValueError(f"no prediction for gold article {g.id!r}")
        if [(s.start, s.end) for s in p.sentences] != [(s.start, s.end) for s in g.sentences]:
            raise ValueError(f"article {g.id!r}: predicted sentences differ from the gold sentences")
        for i, (gs, s) in enumerate(zip(g.sentences, p.sentences, strict=True)):
            missing = sorted(set(gs.stance) - set(s.stance))  # only what the gold labels is scored
            if (gs.topic is not None and s.topic is None) or missing:
                raise ValueError(
                    f"article {g.id!r}, sentence {i}: no predicted "
                    f"{'stance for ' + repr(missing[0]) if missing else 'topic'}"
                )


def confusion_matrix(pairs: Sequence[tuple[str, str]], labels: list[str]) -> np.ndarray:
    """Counts of (gold, predicted) pairs: rows gold, columns predicted, both in `labels` order."""
    index = {lab: i for i, lab in enumerate(labels)}
    cm = np.zeros((len(labels), len(labels)))
    for gold, pred in pairs:
        cm[index[gold], index[pred]] += 1
    return cm


def macro_f1_present(cm: np.ndarray) -> np.ndarray:
    """Macro-F1 over the labels that occur in each resample's references."""
    f1 = f1_from_confusion(cm)
    present = cm.sum(-1) > 0
    return np.where(present, f1, 0).sum(-1) / np.maximum(present.sum(-1), 1)


def _ci(point_low_high: tuple[float, float, float]) -> dict[str, float | list[float]]:
    point, low, high = point_low_high
    return {"value": point, "ci95": [low, high]}


def score_stance(gold: list[Article], pred: list[Article]) -> dict:
    by_id = {p.id: p for p in pred}
    labels = list(STANCE_LABELS)
    per_article_pairs = [
        [
            (gs.stance[t], ps.stance[t])
            for gs, ps in zip(g.sentences, by_id[g.id].sentences, strict=True)
            for t in g.targets
            if t in gs.stance
        ]
        for g in gold
    ]
    pairs = [p for article in per_article_pairs for p in article]
    if not pairs:
        return {}
    result = load_metric("stance_metrics").compute(predictions=[p for _, p in pairs], references=[g for g, _ in pairs])
    counts = np.stack([confusion_matrix(a, labels) for a in per_article_pairs])
    result["ci95"] = {
        "macro_f1": _ci(bootstrap_ci_counts(counts, lambda cm: f1_from_confusion(cm).mean(-1), N_RESAMPLES))["ci95"],
        "f_avg": _ci(bootstrap_ci_counts(counts, lambda cm: f1_from_confusion(cm)[:, :2].mean(-1), N_RESAMPLES))[
            "ci95"
        ],
        "accuracy": _ci(bootstrap_ci_counts(counts, accuracy_from_confusion, N_RESAMPLES))["ci95"],
    }
    per_target: dict[str, list] = defaultdict(list)
    for g in gold:
        for gs, ps in zip(g.sentences, by_id[g.id].sentences, strict=True):
            for t in g.targets:
                if t in gs.stance:
                    per_target[t].append((gs.stance[t], ps.stance[t]))
    result["per_article"] = {g.id: _small_stance(a) for g, a in zip(gold, per_article_pairs, strict=True) if a}
    result["per_target"] = {t: _small_stance(v) for t, v in sorted(per_target.items())}
    result["n_pairs"] = len(pairs)
    return result


def _small_stance(pairs: list[tuple[str, str]]) -> dict:
    cm = confusion_matrix(pairs, list(STANCE_LABELS))[None]
    f1 = f1_from_confusion(cm)[0]
    return {
        "n": len(pairs),
        "accuracy": float(accuracy_from_confusion(cm)[0]),
        "macro_f1": float(f1.mean()),
        "f_avg": float(f1[:2].mean()),
        "gold": {lab: int(sum(1 for g, _ in pairs if g == lab)) for lab in STANCE_LABELS},
        "predicted": {lab: int(sum(1 for _, p in pairs if p == lab)) for lab in STANCE_LABELS},
    }


def score_topic(gold: list[Article], pred: list[Article], schema: LabelSchema) -> dict:
    by_id = {p.id: p for p in pred}
    labels = schema.topic_labels
    per_article = [
        [
            (gs.topic, ps.topic)
            for gs, ps in zip(g.sentences, by_id[g.id].sentences, strict=True)
            if gs.topic and ps.topic
        ]
        for g in gold
    ]
    pairs = [p for a in per_article for p in a]
    if not pairs:
        return {}
    result = load_metric("topic_metrics").compute(
        predictions=[p for _, p in pairs], references=[g for g, _ in pairs], labels=labels
    )
    counts = np.stack([confusion_matrix(a, labels) for a in per_article])
    result["ci95"] = {
        "accuracy": _ci(bootstrap_ci_counts(counts, accuracy_from_confusion, N_RESAMPLES))["ci95"],
        "macro_f1": _ci(bootstrap_ci_counts(counts, macro_f1_present, N_RESAMPLES))["ci95"],
    }
    result["n_sentences"] = len(pairs)
    return result


def score_summary(gold: list[Article], pred: list[Article]) -> dict:
    """ROUGE of predicted against reference summaries, over the gold articles that have a reference."""
    from stancesum.evaluation.metrics.summary_rouge.summary_rouge import rouge_scores

    by_id = {p.id: p for p in pred}
    rows = [(by_id[g.id].summary or "", g.summary, g.text) for g in gold if g.summary]
    rows = [r for r in rows if r[0].strip()]
    if not rows:
        return {}
    predictions, references, documents = (list(x) for x in zip(*rows, strict=True))
    predictions, references = _one_sentence_per_line(predictions), _one_sentence_per_line(references)
    result = load_metric("summary_rouge").compute(predictions=predictions, references=references, documents=documents)
    per_article = [rouge_scores([p], [r])["rouge1"] for p, r in zip(predictions, references, strict=True)]
    result["ci95"] = {"rouge1": _ci(bootstrap_ci(per_article, lambda xs: float(np.mean(xs)), N_RESAMPLES))["ci95"]}
    result["n_articles"] = len(rows)
    return result


def _one_sentence_per_line(texts: list[str]) -> list[str]:
    """ROUGE-Lsum reads sentences from newlines; free-text summaries are split with the project's splitter."""
    from stancesum.models.segmentation import SentenceSplitter

    splits = SentenceSplitter().split_many([t.replace("\n", " ") for t in texts])
    return ["\n".join(s.text for s in sents) for sents in splits]


def score_system(gold: list[Article], pred: list[Article], schema: LabelSchema) -> dict:
    """Every figure for one system: stance, topic, summary."""
    _check_aligned(gold, pred)
    return {
        "stance": score_stance(gold, pred),
        "topic": score_topic(gold, pred, schema),
        "summary": score_summary(gold, pred),
    }
