"""Summary ROUGE: mean ROUGE-1/2/L/Lsum F-measure (rouge-score, Porter stemmer), summary lengths and compression."""

from __future__ import annotations

import datasets
import evaluate

# rouge-score stems with nltk's Porter stemmer: imported here so a missing dependency fails at load time.
import nltk  # noqa: F401
import numpy as np
from rouge_score import rouge_scorer

ROUGE_TYPES: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum")

_CITATION = """\
@inproceedings{lin-2004-rouge,
    title = "{ROUGE}: A Package for Automatic Evaluation of Summaries",
    author = "Lin, Chin-Yew",
    booktitle = "Text Summarization Branches Out",
    year = "2004",
    address = "Barcelona, Spain",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/W04-1013",
    pages = "74--81",
}
"""

_DESCRIPTION = """\
ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum F-measures of each summary against its reference, averaged over the
examples (plain mean, 0..1), computed by Google Research's `rouge-score` package with the Porter stemmer.
ROUGE-Lsum is the summary-level LCS over sentences separated by newlines ("\\n") in both texts. Also reports
the mean length in words (whitespace-separated) of the summaries and of the references and, when the source
documents are given, the compression: the mean over examples of summary words / document words.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `str`): system summaries, sentences separated by "\\n".
    references (`list` of `str`): reference summaries, same length, sentences separated by "\\n".
    documents (`list` of `str`, optional): the source article of each example, for `compression`.
Returns:
    rouge1, rouge2, rougeL, rougeLsum (`float`, mean F-measure in 0..1), mean_summary_words (`float`),
    mean_reference_words (`float`) and, only when documents are given, compression (`float`).
Examples:
    >>> metric = evaluate.load("evaluation/metrics/summary_rouge")
    >>> r = metric.compute(predictions=["the cat sat"], references=["the cat ran away"])
    >>> round(r["rouge1"], 4), r["mean_summary_words"]
    (0.5714, 3.0)
"""


def word_count(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def rouge_scores(predictions: list[str], references: list[str], documents: list[str] | None = None) -> dict:
    """The metric's values for summaries against references (see the module description)."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    if not references:
        raise ValueError("no examples to score")
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    scores = [scorer.score(ref, pred) for pred, ref in zip(predictions, references, strict=True)]
    result: dict[str, float] = {t: float(np.mean([s[t].fmeasure for s in scores])) for t in ROUGE_TYPES}
    summary_words = np.array([word_count(p) for p in predictions], dtype=float)
    result["mean_summary_words"] = float(summary_words.mean())
    result["mean_reference_words"] = float(np.mean([word_count(r) for r in references]))
    if documents is not None:
        if len(documents) != len(predictions):
            raise ValueError(f"{len(documents)} documents but {len(predictions)} predictions")
        document_words = np.array([word_count(d) for d in documents], dtype=float)
        if (document_words == 0).any():
            raise ValueError(f"empty document at index {int(np.argmax(document_words == 0))}")
        result["compression"] = float((summary_words / document_words).mean())
    return result


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class SummaryRouge(evaluate.Metric):
    """Mean ROUGE-1/2/L/Lsum F-measure with stemming, plus summary length and compression."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
            codebase_urls=["https://github.com/google-research/google-research/tree/master/rouge"],
            reference_urls=["https://aclanthology.org/W04-1013"],
        )

    def _compute(self, predictions: list[str], references: list[str], documents: list[str] | None = None) -> dict:
        return rouge_scores(list(predictions), list(references), None if documents is None else list(documents))
