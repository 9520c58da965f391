"""The new labeled articles of a (re)training run (`--data`): validated, checked against the evaluation splits for
overlap, de-duplicated, and described for the model card before any training step."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from stancesum.models.article import Article, ArticleFormatError
from stancesum.models.articles_io import load_articles, load_located_articles
from stancesum.models.schema import LabelSchema
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import SPLITS, load_split_ids
from stancesum.training.overlap import find_overlaps

log = logging.getLogger(__name__)
EVALUATION_SPLITS = tuple(s for s in SPLITS if s != "train")  # dev, test, ood_dev, ood_test


class TrainingDataError(ValueError):
    """New training data that cannot be used; the message has one line per problem."""


@dataclass
class DataReport:
    """What went into a run besides the configured corpora, for the log and the model card."""

    files: list[dict] = field(default_factory=list)  # path, sha256, articles, sentences, pairs
    checked_against: dict[str, int] = field(default_factory=dict)  # evaluation split -> articles compared with
    overlaps: list[str] = field(default_factory=list)  # one line per new article that copies an evaluation article
    overlap_allowed: bool = False
    duplicates: list[str] = field(default_factory=list)  # new articles dropped as copies of earlier new articles
    skip: set[tuple[str, str]] = field(default_factory=set)  # (file, article id) left out of training

    def to_dict(self) -> dict:
        return {
            "files": self.files,
            "checked_against": self.checked_against,
            "overlaps": self.overlaps,
            "overlap_allowed": self.overlap_allowed,
            "duplicates_dropped": self.duplicates,
        }


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_new_data(args: TrainingArguments, schema: LabelSchema, allow_overlap: bool = False) -> DataReport:
    """Validate every `--data` file against `schema` (errors name file:line:field), compare every new article with
    the evaluation splits of the seed corpus (exact and near copies) and with each other. An overlap with an
    evaluation split raises TrainingDataError unless `allow_overlap`; a duplicate within the new data is dropped."""
    report = DataReport(overlap_allowed=allow_overlap)
    if not args.extra_data:
        return report
    new: list[tuple[str, Article]] = []
    problems: list[str] = []
    for path in args.extra_data:
        try:
            located = load_located_articles(path, schema)
        except ArticleFormatError as err:
            problems.append(str(err))
            continue
        for line, article in located:
            if not any(s.topic or s.stance for s in article.sentences):
                problems.append(f"{path}:{line}: field 'sentences': article {article.id!r} has no labeled sentence")
        new += [(f"{path}:{line}", article) for line, article in located]
        articles = [a for _, a in located]
        report.files.append(
            {
                "path": str(path),
                "sha256": file_sha256(path),
                "articles": len(articles),
                "sentences": sum(len(a.sentences) for a in articles),
                "pairs": sum(len(s.stance) for a in articles for s in a.sentences),
            }
        )
    if problems:
        raise TrainingDataError("\n".join(problems))
    ids = load_split_ids(args.splits_path)
    seeds = load_articles(args.seeds_path)
    evaluation = {split: [a for a in seeds if a.id in ids[split]] for split in EVALUATION_SPLITS}
    report.checked_against = {split: len(articles) for split, articles in evaluation.items()}
    leaks, duplicates = find_overlaps(new, evaluation)
    report.overlaps = [str(m) for m in leaks]
    if leaks and not allow_overlap:
        raise TrainingDataError(
            "\n".join(report.overlaps)
            + f"\n{len(leaks)} new article(s) copy evaluation articles: training on them would inflate every "
            "score. Remove them, or pass --allow-overlap if you know why (the model card will say so)."
        )
    for m in duplicates:
        log.warning("dropped: %s", m)
        report.duplicates.append(str(m))
        report.skip.add((m.where.rsplit(":", 1)[0], m.new_id))
    return report
