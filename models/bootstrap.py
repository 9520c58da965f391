"""Percentile bootstrap confidence intervals that resample whole items (for us: articles with their pairs).

Shared by the evaluation harness and by training (model cards' before/after differences), so it sits here, below both.

`bootstrap_ci` takes any statistic of a list of items. `bootstrap_ci_counts` is the fast path for statistics
of additive per-item counts (e.g. per-article confusion matrices): every resample's totals come from one matrix
product, and the statistic is evaluated on all resamples at once. Both draw the same resamples for the same
seed, so they agree on the same statistic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def resample_indices(n_items: int, n_resamples: int = 1000, seed: int = 0) -> np.ndarray:
    """An (n_resamples, n_items) array of item indices drawn with replacement, deterministic in `seed`."""
    if n_items < 1:
        raise ValueError("the bootstrap needs at least one item")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be positive, got {n_resamples}")
    return np.random.default_rng(seed).integers(0, n_items, size=(n_resamples, n_items))


def percentile_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """The central `confidence` percentile interval of bootstrap values (NaN values are ignored)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    alpha = (1.0 - confidence) / 2.0
    low, high = np.nanquantile(np.asarray(values, dtype=float), [alpha, 1.0 - alpha])
    return float(low), float(high)


def bootstrap_ci(
    items: Sequence[T],
    statistic: Callable[[list[T]], float],
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(point, low, high): `statistic(items)` and its percentile bootstrap interval over resampled items.

    The statistic is called once per resample on a list of items, so keep it cheap (plain Python or numpy,
    not an `evaluate` module's `compute`); for count-based statistics `bootstrap_ci_counts` is faster still.
    """
    items = list(items)
    indices = resample_indices(len(items), n_resamples, seed)
    point = float(statistic(items))
    values = np.fromiter((statistic([items[i] for i in row]) for row in indices), dtype=float, count=n_resamples)
    low, high = percentile_interval(values, confidence)
    return point, low, high


def bootstrap_ci_counts(
    counts: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(point, low, high) for a statistic of summed per-item counts, vectorised over resamples.

    `counts` has shape (n_items, *shape) (e.g. one confusion matrix per article); `statistic` maps an array
    of totals of shape (n, *shape) to n values (e.g. `lambda cm: f1_from_confusion(cm)[:, :2].mean(-1)`).
    """
    counts = np.asarray(counts, dtype=float)
    indices = resample_indices(len(counts), n_resamples, seed)
    weights = np.zeros((n_resamples, len(counts)))
    np.add.at(weights, (np.arange(n_resamples)[:, None], indices), 1.0)
    totals = np.tensordot(weights, counts, axes=1)
    point = float(np.asarray(statistic(counts.sum(axis=0)[None]))[0])
    low, high = percentile_interval(np.asarray(statistic(totals), dtype=float), confidence)
    return point, low, high


def f1_from_confusion(confusion: np.ndarray) -> np.ndarray:
    """Per-class F1 of confusion matrices (..., k, k) with rows = reference, cols = prediction; 0.0 when 0/0.

    F1 = 2 TP / (2 TP + FP + FN), the same as the harmonic mean of precision and recall.
    """
    confusion = np.asarray(confusion, dtype=float)
    tp = np.diagonal(confusion, axis1=-2, axis2=-1)
    denominator = confusion.sum(axis=-1) + confusion.sum(axis=-2)  # (TP + FN) + (TP + FP)
    return np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)


def paired_difference_ci(
    before: np.ndarray,
    after: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(point, low, high) of statistic(after) - statistic(before) for per-item counts of two systems on the same
    items, resampling items jointly (a paired bootstrap): the interval of the difference, not of each figure."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if before.shape != after.shape:
        raise ValueError(f"paired counts must have the same shape, got {before.shape} and {after.shape}")
    indices = resample_indices(len(before), n_resamples, seed)
    weights = np.zeros((n_resamples, len(before)))
    np.add.at(weights, (np.arange(n_resamples)[:, None], indices), 1.0)

    def diff(totals_before: np.ndarray, totals_after: np.ndarray) -> np.ndarray:
        return np.asarray(statistic(totals_after), dtype=float) - np.asarray(statistic(totals_before), dtype=float)

    point = float(diff(before.sum(axis=0)[None], after.sum(axis=0)[None])[0])
    values = diff(np.tensordot(weights, before, axes=1), np.tensordot(weights, after, axes=1))
    low, high = percentile_interval(values, confidence)
    return point, low, high


def accuracy_from_confusion(confusion: np.ndarray) -> np.ndarray:
    """Accuracy of confusion matrices (..., k, k); 0.0 for an empty matrix."""
    confusion = np.asarray(confusion, dtype=float)
    return np.trace(confusion, axis1=-2, axis2=-1) / np.maximum(confusion.sum((-2, -1)), 1)
