"""Topic metrics: accuracy, macro-F1 over the labels present in the references, per-class scores, confusion matrix."""

from __future__ import annotations

import datasets
import evaluate
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

_CITATION = """\
@article{scikit-learn,
    title = {Scikit-learn: Machine Learning in {P}ython},
    author = {Pedregosa, F. and Varoquaux, G. and Gramfort, A. and Michel, V. and Thirion, B. and Grisel, O. and
              Blondel, M. and Prettenhofer, P. and Weiss, R. and Dubourg, V. and Vanderplas, J. and Passos, A. and
              Cournapeau, D. and Brucher, M. and Perrot, M. and Duchesnay, E.},
    journal = {Journal of Machine Learning Research},
    volume = {12},
    pages = {2825--2830},
    year = {2011}
}
"""

_DESCRIPTION = """\
Scores single-label topic predictions: accuracy, macro-F1 averaged over the labels that occur in the
references (labels never seen in the gold data are left out of the average, so a label the test set lacks
cannot pull it down), precision / recall / F1 / support per label for every label, and the confusion matrix
(rows = reference, columns = prediction, in the order of `labels`). A score whose denominator is zero is 0.0.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `str`): predicted topic labels.
    references (`list` of `str`): gold topic labels, same length.
    labels (`list` of `str`, optional): the label set and its order (pass the schema's topic labels);
        every prediction and reference must be in it. Default: the sorted union of predictions and references.
Returns:
    accuracy (`float`), macro_f1 (`float`, over the labels that occur in the references),
    per_class (`dict`: label -> {precision, recall, f1, support}), confusion_matrix (`list` of `list` of `int`,
    rows = reference, columns = prediction), labels (`list` of `str`, the row / column order).
Examples:
    >>> metric = evaluate.load("evaluation/metrics/topic_metrics")
    >>> r = metric.compute(predictions=["economy_business", "other"],
    ...                    references=["economy_business", "economy_business"])
    >>> r["accuracy"], r["macro_f1"]
    (0.5, 0.6666666666666666)
"""


def check_labels(predictions: list[str], references: list[str], labels: list[str]) -> None:
    """Raise ValueError unless both lists are non-empty, of equal length and only hold `labels`."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    if not references:
        raise ValueError("no examples to score")
    if len(set(labels)) != len(labels):
        raise ValueError(f"repeated labels in {list(labels)}")
    unknown = sorted({repr(x) for x in (*predictions, *references)} - {repr(x) for x in labels})
    if unknown:
        raise ValueError(f"labels outside the label set: {', '.join(unknown)}")


def topic_scores(predictions: list[str], references: list[str], labels: list[str] | None = None) -> dict:
    """The metric's values for topic predictions against references (see the module description)."""
    labels = list(labels) if labels is not None else sorted(set(predictions) | set(references), key=str)
    check_labels(predictions, references, labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        references, predictions, labels=labels, average=None, zero_division=0.0
    )
    gold = set(references)
    present = [label for label in labels if label in gold]
    return {
        "accuracy": float(accuracy_score(references, predictions)),
        "macro_f1": float(f1_score(references, predictions, labels=present, average="macro", zero_division=0.0)),
        "per_class": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": confusion_matrix(references, predictions, labels=labels).tolist(),
        "labels": labels,
    }


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class TopicMetrics(evaluate.Metric):
    """Accuracy, macro-F1 (over gold labels present) and per-class scores for topic labels."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
            reference_urls=["https://scikit-learn.org/stable/modules/model_evaluation.html"],
        )

    def _compute(self, predictions: list[str], references: list[str], labels: list[str] | None = None) -> dict:
        return topic_scores(list(predictions), list(references), labels)
