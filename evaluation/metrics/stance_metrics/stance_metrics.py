"""Stance metrics (favor / against / none): accuracy, macro-F1, the SemEval-2016 Task 6 F_avg, per-class scores."""

from __future__ import annotations

import datasets
import evaluate
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

LABELS: tuple[str, ...] = ("favor", "against", "none")

_CITATION = """\
@inproceedings{mohammad-etal-2016-semeval,
    title = "{S}em{E}val-2016 Task 6: Detecting Stance in Tweets",
    author = "Mohammad, Saif and Kiritchenko, Svetlana and Sobhani, Parinaz and Zhu, Xiaodan and Cherry, Colin",
    booktitle = "Proceedings of the 10th International Workshop on Semantic Evaluation ({S}em{E}val-2016)",
    year = "2016",
    address = "San Diego, California",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/S16-1003",
    pages = "31--41",
}
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
Scores stance predictions over the three labels favor / against / none: accuracy, macro-F1 over the three
labels, F_avg (the mean of the F1 of favor and of against, the official measure of SemEval-2016 Task 6),
precision / recall / F1 / support per label, and the confusion matrix (rows = reference, columns =
prediction, label order favor, against, none). A score whose denominator is zero is 0.0.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `str`): predicted stances, each one of "favor", "against", "none".
    references (`list` of `str`): gold stances, same length and labels.
Returns:
    accuracy (`float`), macro_f1 (`float`, over the three labels), f_avg (`float`, (F1_favor + F1_against) / 2),
    per_class (`dict`: label -> {precision, recall, f1, support}), confusion_matrix (`list` of `list` of `int`,
    rows = reference, columns = prediction), labels (`list` of `str`: ["favor", "against", "none"]).
Examples:
    >>> metric = evaluate.load("evaluation/metrics/stance_metrics")
    >>> r = metric.compute(predictions=["favor", "none"], references=["favor", "against"])
    >>> r["accuracy"], r["f_avg"]
    (0.5, 0.5)
"""


def check_labels(predictions: list[str], references: list[str], labels: list[str]) -> None:
    """Raise ValueError unless both lists are non-empty, of equal length and only hold `labels`."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    if not references:
        raise ValueError("no examples to score")
    unknown = sorted({repr(x) for x in (*predictions, *references)} - {repr(x) for x in labels})
    if unknown:
        raise ValueError(f"labels outside {list(labels)}: {', '.join(unknown)}")


def stance_scores(predictions: list[str], references: list[str]) -> dict:
    """The metric's values for stance predictions against references (see the module description)."""
    labels = list(LABELS)
    check_labels(predictions, references, labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        references, predictions, labels=labels, average=None, zero_division=0.0
    )
    per_class = {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    return {
        "accuracy": float(accuracy_score(references, predictions)),
        "macro_f1": float(f1.mean()),
        "f_avg": (per_class["favor"]["f1"] + per_class["against"]["f1"]) / 2,
        "per_class": per_class,
        "confusion_matrix": confusion_matrix(references, predictions, labels=labels).tolist(),
        "labels": labels,
    }


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class StanceMetrics(evaluate.Metric):
    """Accuracy, macro-F1, F_avg and per-class scores for favor / against / none."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
            reference_urls=[
                "https://aclanthology.org/S16-1003",
                "https://scikit-learn.org/stable/modules/model_evaluation.html",
            ],
        )

    def _compute(self, predictions: list[str], references: list[str]) -> dict:
        return stance_scores(list(predictions), list(references))
