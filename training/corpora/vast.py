"""VAST, Varied Stance Topics (Allaway & McKeown 2020): NYT comments with a stance toward a topic phrase.

Source: github.com/emilyallaway/zero-shot-stance (the development split, 2,062 rows). License: none stated.
Read from `<data_dir>/vast/zerostance_vast_raw_val_all_onecol.csv`.

This copy is a re-export, not the original vast_dev.csv that README_VAST_columns.md describes: its columns
are `Tweet` (the comment, `post` in the original), `Target 1` (the labeled topic, the original's
lower-cased, stop-word-free `topic_str`), `Stance 1` (FAVOR / AGAINST / NONE as words, where the original
has 1 = pro, 0 = con, 2 = neutral), `seen?`, `new_topic`, and two columns of no use here
(`GT Target`, always "invalid", and `Wiki`, a generated paraphrase of the comment).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from stancesum.training.corpora.types import (
    CorpusError,
    StanceExample,
    assign_splits,
    read_csv,
    require,
    resolve_data_dir,
)

COLUMNS = ("Tweet", "Target 1", "Stance 1", "new_topic")
LABELS = {"FAVOR": "favor", "AGAINST": "against", "NONE": "none", "1": "favor", "0": "against", "2": "none"}
# Stop words as VAST removed them from topics (NLTK's English list, the part that occurs in topic phrases).
_STOPWORDS = set(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "into",
        "over",
        "and",
        "or",
        "not",
        "no",
        "s",
        "is",
        "are",
        "be",
        "being",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "their",
        "his",
        "her",
        "our",
        "your",
        "my",
        "as",
        "than",
        "too",
        "very",
        "can",
        "will",
        "should",
    ]
)
_IRREGULAR = {("child", "children"), ("man", "men"), ("woman", "women"), ("person", "people")}


def vast(data_dir: str | Path | None = None) -> list[StanceExample]:
    """One example per row: text = the comment, target = the labeled topic; split "dev" throughout.

    The label refers to `Target 1` (`new_topic` is a different phrase on 696 rows, often from another
    comment: synthetic-neutral rows). `Target 1` is lemmatized and stop-word free ("place table"), so where
    `new_topic` is the same phrase in natural wording ("a place at the table") that wording is the target.
    Group = the labeled topic (`Target 1`). For a train part, see `split_by_topic`.
    """
    path = require(
        resolve_data_dir(data_dir) / "vast" / "zerostance_vast_raw_val_all_onecol.csv",
        "VAST",
        "github.com/emilyallaway/zero-shot-stance",
    )
    out = []
    for i, r in enumerate(read_csv(path, required=COLUMNS), start=2):
        label = LABELS.get(r["Stance 1"].strip().upper())
        if label is None:
            raise CorpusError(f"{path}: row {i}: unknown stance {r['Stance 1']!r}")
        target = natural_topic(r["Target 1"], r["new_topic"])
        out.append(
            StanceExample(
                target=target,
                text=r["Tweet"].strip(),
                label=label,
                source="vast",
                group=r["Target 1"].strip().lower(),
                split="dev",
            )
        )
    return out


def split_by_topic(
    examples: list[StanceExample], train_fraction: float = 0.7, salt: str = "vast"
) -> list[StanceExample]:
    """The examples re-split by topic (group): `train_fraction` of the topics, chosen by a salted stable hash,
    become "train", the rest "dev"; deterministic. Topics, not comments, are held out: a comment labeled
    for two topics can fall on both sides (it tests zero-shot transfer to unseen topics, as VAST intends)."""
    splits = assign_splits((e.group for e in examples), salt=salt, dev=1.0 - train_fraction)
    return [dataclasses.replace(e, split=splits[e.group]) for e in examples]


def vast_by_topic(data_dir: str | Path | None = None) -> list[StanceExample]:
    """`vast` with the deterministic 70/30 by-topic train/dev split of `split_by_topic`."""
    return split_by_topic(vast(data_dir))


def natural_topic(labeled: str, natural: str) -> str:
    """`natural` when it is `labeled` in other wording (same content words up to plurals, hyphens and stop words),
    else `labeled`."""
    a, b = _content_words(labeled), _content_words(natural)
    if natural.strip() and len(a) == len(b) and all(_same_word(x, y) for x, y in zip(a, b, strict=True)):
        return natural.strip().rstrip(".").strip()
    return labeled.strip()


def _content_words(phrase: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", re.sub(r"[.\-]", "", phrase.lower())) if w not in _STOPWORDS]


def _same_word(a: str, b: str) -> bool:
    a, b = sorted((a, b), key=len)
    return b in (a, a + "s", a + "es") or (a.endswith("y") and b == a[:-1] + "ies") or (a, b) in _IRREGULAR
