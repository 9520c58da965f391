"""`stancesum benchmark` for public stance corpora: the model beside the majority and zero-shot baselines."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stancesum.evaluation.baselines import ZeroShotBaseline
from stancesum.evaluation.metrics import load_metric
from stancesum.evaluation.scoring import confusion_matrix, macro_f1_present
from stancesum.inference.analyzer import resolve_precision
from stancesum.models.bootstrap import accuracy_from_confusion, bootstrap_ci_counts
from stancesum.models.schema import STANCE_LABELS
from stancesum.training.corpora import STANCE_CORPORA, StanceExample


@dataclass(frozen=True)
class StanceBenchmark:
    corpus: str  # a key of training.corpora.STANCE_CORPORA
    split: str  # the split scored
    fit_split: str  # the split the baselines are fitted on
    published: str | None  # the published figure to compare against, with its source


STANCE_BENCHMARKS: dict[str, StanceBenchmark] = {
    "emergent": StanceBenchmark(
        "emergent",
        "dev",
        "train",
        "accuracy 0.733 on the official test split (Ferreira & Vlachos 2016), which ../shared/data lacks: "
        "a reference point, not a like-for-like comparison",
    ),
    "perspectrum": StanceBenchmark("perspectrum", "test", "train", None),
    "ibm-claim-stance": StanceBenchmark("ibm_claim_stance", "test", "train", None),
    "vast": StanceBenchmark("vast_by_topic", "dev", "train", None),
}


def _intervals(gold: list[str], pred: list[str], groups: list[str]) -> dict[str, list[float]]:
    """95% bootstrap intervals of accuracy and macro-F1 (labels present) resampling whole groups (the unit the
    corpus's split was drawn by: Emergent's claims, VAST's topics), since rows of one group are not independent."""
    by_group: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for g, p, k in zip(gold, pred, groups, strict=True):
        by_group[k].append((g, p))
    counts = np.stack([confusion_matrix(by_group[k], list(STANCE_LABELS)) for k in sorted(by_group)])
    accuracy = bootstrap_ci_counts(counts, accuracy_from_confusion)
    macro = bootstrap_ci_counts(counts, macro_f1_present)
    return {"accuracy_ci95": list(accuracy[1:]), "macro_f1_present_ci95": list(macro[1:])}


def _scores(gold: list[str], pred: list[str], groups: list[str] | None = None) -> dict:
    result = load_metric("stance_metrics").compute(predictions=pred, references=gold)
    confusion = confusion_matrix(list(zip(gold, pred, strict=True)), list(STANCE_LABELS))
    result["macro_f1_present"] = float(macro_f1_present(confusion))  # the measure _intervals resamples
    if groups is not None:
        result.update(_intervals(gold, pred, groups))
    return result


def model_predictions(
    model_dir: Path,
    rows: list[StanceExample],
    polar_only: bool,
    batch_size: int = 128,
    none_bias: float | None = None,
    precision: str = "auto",
) -> list[str]:
    """Labels from the labeler (in `analyze`'s default precision unless told); on corpora without a 'none' class only
    favor vs against is chosen. `none_bias` replaces the model's calibrated prior on 'none' (tuned on seed news)."""
    from stancesum.inference.analyzer import load_labeler

    labeler = load_labeler(model_dir, precision)
    if none_bias is not None:
        labeler.config.stance_none_bias = none_bias
    probs = labeler.predict_stances([r.target for r in rows], [r.text for r in rows], batch_size=batch_size)
    labels = list(labeler.schema.stances)
    if polar_only:
        probs = probs[:, :2]
    return [labels[i] for i in probs.argmax(1)]


def zero_shot_predictions(
    rows: list[StanceExample], fit_rows: list[StanceExample], polar_only: bool, baseline: ZeroShotBaseline
) -> tuple[list[str], float]:
    from sklearn.metrics import f1_score

    def features(items: list[StanceExample]):
        return baseline._stance_features([r.target for r in items], baseline.embed([r.text for r in items]))

    relevance, margin = features(rows)
    polar = np.where(margin >= 0, "favor", "against")
    if polar_only:
        return list(polar), float("nan")
    fit_relevance, fit_margin = features(fit_rows)
    fit_polar = np.where(fit_margin >= 0, "favor", "against")
    gold = [r.label for r in fit_rows]
    tau = max(
        np.linspace(0.0, 0.8, 33),
        key=lambda t: f1_score(gold, np.where(fit_relevance < t, "none", fit_polar), average="macro"),
    )
    return list(np.where(relevance < tau, "none", polar)), float(tau)


def run_stance_benchmark(
    name: str,
    data_dir: Path,
    model_dir: Path | None,
    max_fit: int = 2000,
    none_bias: float | None = None,
    precision: str = "auto",
) -> dict:
    spec = STANCE_BENCHMARKS[name]
    rows_all = STANCE_CORPORA[spec.corpus](data_dir)
    rows = [r for r in rows_all if r.split == spec.split]
    fit = [r for r in rows_all if r.split == spec.fit_split]
    fit = fit[:: max(1, len(fit) // max_fit)]  # an even, deterministic subsample keeps the threshold fit quick
    gold, groups = [r.label for r in rows], [r.group for r in rows]
    polar_only = "none" not in set(gold) | {r.label for r in fit}
    majority = Counter(r.label for r in fit).most_common(1)[0][0]
    systems = {"majority": _scores(gold, [majority] * len(gold), groups)}
    zero_shot, tau = zero_shot_predictions(rows, fit, polar_only, ZeroShotBaseline())
    systems["zero-shot"] = {**_scores(gold, zero_shot, groups), "relevance_threshold": tau}
    if model_dir is not None:
        predicted = model_predictions(model_dir, rows, polar_only, none_bias=none_bias, precision=precision)
        systems["model"] = _scores(gold, predicted, groups)
    return {
        "benchmark": name,
        "split": spec.split,
        "n": len(rows),
        "groups": len(set(groups)),
        "labels": dict(Counter(gold)),
        "polar_only": polar_only,
        "published": spec.published,
        "model_dir": str(model_dir) if model_dir else None,
        "none_bias_override": none_bias,
        "precision": resolve_precision(precision) if model_dir is not None else None,
        "systems": systems,
    }


def format_stance_benchmark(result: dict) -> str:
    lines = [
        f"{result['benchmark']} ({result['split']} split, {result['n']} pairs; gold {result['labels']})"
        + ("; favor vs against only" if result["polar_only"] else "")
        + (
            f"; model's none prior set to {result['none_bias_override']}"
            if result.get("none_bias_override") is not None
            else ""
        )
    ]
    lines.append(f"{'system':<12} {'accuracy':>9} {'95% CI':>15} {'macro-F1':>9} {'95% CI':>15} {'F_avg':>7}")

    def interval(s: dict, key: str) -> str:
        low, high = s.get(key, (float("nan"), float("nan")))
        return f"[{low:.3f}, {high:.3f}]"

    for name, s in result["systems"].items():
        lines.append(
            f"{name:<12} {s['accuracy']:>9.3f} {interval(s, 'accuracy_ci95'):>15} {s['macro_f1_present']:>9.3f} "
            f"{interval(s, 'macro_f1_present_ci95'):>15} {s['f_avg']:>7.3f}"
        )
    if result["published"]:
        lines.append(f"published: {result['published']}")
    lines.append(
        "macro-F1 is over the labels present in the gold split; intervals: 95% bootstrap over the split's "
        f"{result.get('groups', '?')} groups (claims or topics, the unit the split was drawn by)."
    )
    return "\n".join(lines) + "\n"
