"""`stancesum evaluate`: score a labeler (or a predictions file) and the baselines against gold articles."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from stancesum.evaluation.baselines import MajorityBaseline, ZeroShotBaseline, lead_summary, with_labels
from stancesum.evaluation.scoring import score_system
from stancesum.inference.analyzer import resolve_precision
from stancesum.models.article import Article
from stancesum.models.articles_io import load_articles
from stancesum.models.schema import LabelSchema

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("stancesum", "torch", "transformers", "datasets", "evaluate", "scikit-learn", "rouge-score", "spacy")


@dataclass
class EvaluationResult:
    metrics: dict
    predictions: list[Article]  # the model's (or the given) predictions, in the article format


def select_split(articles: list[Article], splits_path: Path | None, split: str | None) -> list[Article]:
    if split is None:
        return articles
    if splits_path is None or not splits_path.is_file():
        raise ValueError(f"--split {split} needs a splits file; {splits_path} does not exist")
    splits = json.loads(splits_path.read_text(encoding="utf-8"))
    if split not in splits:
        names = [k for k, v in splits.items() if isinstance(v, list)]
        raise ValueError(f"{splits_path} has no split {split!r}; it has {', '.join(names)}")
    ids = set(splits[split])
    chosen = [a for a in articles if a.id in ids]
    if not chosen:
        raise ValueError(f"no gold article is in split {split!r} of {splits_path}")
    return chosen


def default_splits_path(gold_path: Path) -> Path:
    """The splits.json beside the gold file, else the seed corpus's."""
    beside = Path(gold_path).parent / "splits.json"
    return beside if beside.is_file() else REPO / "seeds" / "splits.json"


def predict_with_model(
    model_dir: Path,
    gold: list[Article],
    batch_size: int = 64,
    summarizer: str | None = "extractive",
    precision: str = "auto",
) -> tuple[list[Article], LabelSchema]:
    """The labeler's labels for the gold sentences and targets (gold segmentation), and the summarizer's summaries."""
    from stancesum.inference.analyzer import Analyzer
    from stancesum.inference.summarizers import build_summarizer

    summarize = build_summarizer(summarizer) if summarizer else None
    analyzer = Analyzer.from_pretrained(model_dir, batch_size=batch_size, summarizer=summarize, precision=precision)
    return [r.to_article() for r in analyzer.analyze_many(gold, exact_targets=True)], analyzer.labeler.schema


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def evaluate_gold(
    gold_path: Path,
    model_dir: Path | None = None,
    predictions_path: Path | None = None,
    split: str | None = None,
    splits_path: Path | None = None,
    train_path: Path | None = REPO / "seeds" / "articles.jsonl",
    baselines: bool = True,
    batch_size: int = 64,
    summarizer: str | None = "extractive",
    precision: str = "auto",
) -> EvaluationResult:
    """Every figure for the system and the baselines, side by side, with provenance. `splits_path` (for `split`):
    default_splits_path of the gold file."""
    if (model_dir is None) == (predictions_path is None):
        raise ValueError("give exactly one of a model directory or a predictions file")
    splits_path = default_splits_path(gold_path) if splits_path is None else splits_path
    schema = (
        LabelSchema.load(model_dir)
        if model_dir is not None and (model_dir / "label_schema.json").is_file()
        else LabelSchema()
    )
    gold = select_split(load_articles(gold_path, schema), splits_path, split)
    unlabeled = [a.id for a in gold if not a.sentences]
    if unlabeled:
        raise ValueError(f"{gold_path}: gold article {unlabeled[0]!r} has no annotated sentences")
    if model_dir is not None:
        predictions, schema = predict_with_model(model_dir, gold, batch_size, summarizer, precision)
        system = str(model_dir)
    else:
        assert predictions_path is not None
        predictions = load_articles(predictions_path, schema)
        system = str(predictions_path)
    systems = {"system": score_system(gold, predictions, schema)}
    if baselines:
        train = _baseline_training_articles(train_path, gold, schema)
        systems["majority"] = score_system(gold, MajorityBaseline(train).predict(gold), schema)
        zero_shot = ZeroShotBaseline(schema).fit(train)
        systems["zero-shot"] = score_system(gold, zero_shot.predict(gold), schema)
        systems["lead-3"] = {"summary": score_system(gold, [_with_lead(a) for a in gold], schema)["summary"]}
        systems["zero-shot"]["relevance_threshold"] = zero_shot.relevance
    metrics = {
        "gold": {
            "path": str(gold_path),
            "sha256": hashlib.sha256(Path(gold_path).read_bytes()).hexdigest(),
            "split": split,
            "articles": len(gold),
            "sentences": sum(len(a.sentences) for a in gold),
            "pairs": sum(len(a.sentences) * len(a.targets) for a in gold),
        },
        "system": system,
        "model_dir": str(model_dir) if model_dir else None,
        "summarizer": summarizer if model_dir else None,
        "precision": resolve_precision(precision) if model_dir else None,
        "baselines_trained_on": f"{train_path} (split train)" if baselines else None,
        "versions": package_versions(),
        "systems": systems,
    }
    return EvaluationResult(metrics, predictions)


def _with_lead(article: Article) -> Article:
    return with_labels(
        article, [s.topic for s in article.sentences], [s.stance for s in article.sentences], lead_summary(article)
    )


def _baseline_training_articles(train_path: Path | None, gold: list[Article], schema: LabelSchema) -> list[Article]:
    """The train split of the training articles' own splits file (never a gold article) for fitting the majority
    class and the zero-shot threshold."""
    if train_path is None or not Path(train_path).is_file():
        raise ValueError(f"baselines need labeled training articles; {train_path} does not exist")
    articles = select_split(load_articles(train_path, schema), default_splits_path(Path(train_path)), "train")
    gold_ids = {a.id for a in gold}
    return [a for a in articles if a.id not in gold_ids]
