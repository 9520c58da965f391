"""Readers that turn the public corpora in ../shared/data into stance, topic and summary examples.

Every loader takes `data_dir` (default: `../shared/data` beside the repository) and returns a list in a
deterministic order, each item with a deterministic `split` ("train" / "dev" / "test").
"""

from __future__ import annotations

from collections.abc import Callable

from stancesum.training.corpora.babe import babe_stance, babe_topics
from stancesum.training.corpora.basil import basil
from stancesum.training.corpora.bbc_news_summary import bbc_summary, bbc_topics
from stancesum.training.corpora.emergent import emergent
from stancesum.training.corpora.fnc1 import fnc1
from stancesum.training.corpora.ibm_claim_stance import ibm_claim_stance
from stancesum.training.corpora.perspectrum import perspectrum
from stancesum.training.corpora.seed_summaries import seed_summaries, summary_only
from stancesum.training.corpora.types import (
    DEFAULT_DATA_DIR,
    SPLITS,
    UNLABELED,
    CorpusError,
    StanceExample,
    SummaryDocument,
    TopicExample,
    split_label_counts,
)
from stancesum.training.corpora.vast import split_by_topic, vast, vast_by_topic
from stancesum.training.corpora.xsum import xsum_val

STANCE_CORPORA: dict[str, Callable[..., list[StanceExample]]] = {
    "emergent": emergent,
    "perspectrum": perspectrum,
    "ibm_claim_stance": ibm_claim_stance,
    "vast": vast,  # all rows "dev" (VAST's dev split)
    "vast_by_topic": vast_by_topic,  # the same rows, 70/30 train/dev by topic
    "babe_stance": babe_stance,  # unlabeled: a teacher labels them (distill_from)
    "basil": basil,
    "fnc1": fnc1,
}
TOPIC_CORPORA: dict[str, Callable[..., list[TopicExample]]] = {
    "babe_topics": babe_topics,
    "bbc_topics": bbc_topics,
}
SUMMARY_CORPORA: dict[str, Callable[..., list[SummaryDocument]]] = {
    "bbc_summary": bbc_summary,
    "xsum_val": xsum_val,
}

__all__ = [
    "DEFAULT_DATA_DIR",
    "SPLITS",
    "STANCE_CORPORA",
    "SUMMARY_CORPORA",
    "TOPIC_CORPORA",
    "CorpusError",
    "StanceExample",
    "SummaryDocument",
    "TopicExample",
    "UNLABELED",
    "babe_stance",
    "babe_topics",
    "basil",
    "bbc_summary",
    "bbc_topics",
    "emergent",
    "fnc1",
    "ibm_claim_stance",
    "perspectrum",
    "seed_summaries",
    "summary_only",
    "split_by_topic",
    "split_label_counts",
    "vast",
    "vast_by_topic",
    "xsum_val",
]
