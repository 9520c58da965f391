"""Example types of the public-corpus readers, and the small helpers every reader shares."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from stancesum.models.schema import DEFAULT_TOPICS, STANCE_LABELS

K = TypeVar("K", bound=Hashable)

SPLITS: tuple[str, ...] = ("train", "dev", "test", "guard")  # guard: carved from train to check checkpoints
# the seed corpus also holds out whole families
SEED_SPLITS: tuple[str, ...] = ("train", "dev", "test", "ood_dev", "ood_test")
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
UNLABELED = "unlabeled"  # the label of a stance pair that a teacher model labels at training time (distill_from)
TEACHER_LABELED_SOURCES = frozenset({"babe_stance"})  # the stance sources whose pairs are all UNLABELED


class CorpusError(ValueError):
    """A corpus file that cannot be read as its documented layout; the message names the file."""


def _check(field: str, value: str, allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{field} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class StanceExample:
    """A (target, sentence) pair with its stance; `group` is the unit the split was drawn by."""

    target: str
    text: str
    label: str
    source: str
    group: str
    split: str

    def __post_init__(self) -> None:
        _check("label", self.label, (UNLABELED,) if self.source in TEACHER_LABELED_SOURCES else STANCE_LABELS)
        _check("split", self.split, SPLITS)


@dataclass(frozen=True)
class TopicExample:
    """A sentence with one of the 12 stancesum topic labels."""

    text: str
    topic: str
    source: str
    split: str

    def __post_init__(self) -> None:
        _check("topic", self.topic, DEFAULT_TOPICS)
        _check("split", self.split, SPLITS)


@dataclass(frozen=True)
class SummaryDocument:
    """A document as sentences with its reference summary; for extracts, the ids of the sentences it copies."""

    id: str
    title: str | None
    sentences: list[str]
    reference: str
    reference_sentence_ids: list[int] | None
    source: str
    split: str

    def __post_init__(self) -> None:
        _check("split", self.split, SEED_SPLITS)


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    return DEFAULT_DATA_DIR if data_dir is None else Path(data_dir)


def require(path: Path, corpus: str, origin: str) -> Path:
    """`path` if it exists, else a FileNotFoundError saying where the corpus comes from."""
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: the {corpus} corpus is expected there (original source: {origin})")
    return path


def read_text(path: Path) -> str:
    """UTF-8 text (a BOM is dropped); a file that is not UTF-8 is read as cp1252 with a warning naming it."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        warnings.warn(f"{path}: not valid UTF-8 (byte {err.start}: {err.reason}); read as cp1252", stacklevel=2)
        return data.decode("cp1252", errors="replace")


def read_csv(path: Path, delimiter: str = ",", required: Iterable[str] = ()) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts; a missing column or a malformed row raises CorpusError naming the file."""
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as err:
        raise CorpusError(f"{path}:{reader.line_num}: {err}") from err
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise CorpusError(f"{path}: missing column(s) {missing}; found {reader.fieldnames}")
    for i, row in enumerate(rows, start=2):
        if None in row or any(row.get(c) is None for c in required):
            raise CorpusError(f"{path}: row {i} has {'more' if None in row else 'fewer'} fields than the header")
    return rows


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as err:
        raise CorpusError(f"{path}:{err.lineno}: bad JSON: {err.msg}") from err


def read_jsonl(path: Path) -> list[Any]:
    records = []
    for i, line in enumerate(read_text(path).splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise CorpusError(f"{path}:{i}: bad JSON: {err.msg}") from err
    return records


def stable_hash(key: str, salt: str) -> int:
    """A hash that does not change between runs or machines (unlike hash())."""
    return int.from_bytes(hashlib.sha256(f"{salt}\x00{key}".encode()).digest()[:8], "big")


def assign_splits(keys: Iterable[K], salt: str, dev: float = 0.0, test: float = 0.0) -> dict[K, str]:
    """Split a set of group keys: order them by a salted stable hash, the first `test` share goes to test,
    the next `dev` share to dev, the rest to train (shares are rounded to whole groups)."""
    ordered = sorted(set(keys), key=lambda k: (stable_hash(str(k), salt), str(k)))
    n_test, n_dev = round(len(ordered) * test), round(len(ordered) * dev)
    return {k: "test" if i < n_test else "dev" if i < n_test + n_dev else "train" for i, k in enumerate(ordered)}


def carve_guard(rows: list[StanceExample], fraction: float, salt: str) -> list[StanceExample]:
    """Move `fraction` of the train groups to the split "guard" (held out of training to check checkpoints against).
    The groups are ordered by their own salted hash, so dev and test never change."""
    if fraction <= 0:
        return rows
    train = {r.group for r in rows if r.split == "train"}
    guard = {group for group, split in assign_splits(train, salt=salt, dev=fraction).items() if split == "dev"}
    return [replace(r, split="guard") if r.group in guard else r for r in rows]


# A boundary is white space after . ! ? (optionally closed by a quote or bracket), or a line break. The guarded
# splitter also refuses a boundary after a common abbreviation or before a lower-case letter.
_ABBREVIATIONS = (
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "St",
    "Jr",
    "Sr",
    "Prof",
    "Gen",
    "Gov",
    "Sen",
    "Rep",
    "Rev",
    "Lt",
    "Col",
    "No",
    "vs",
    "etc",
    "Inc",
    "Co",
    "Corp",
    "Ltd",
    "U.S",
    "U.K",
    "U.N",
    "D.C",
)
_END = r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))"
_PLAIN_BOUNDARY = re.compile(_END + r"[ \t]+|[ \t]*\n\s*")
_GUARDED_BOUNDARY = re.compile(
    _END + "".join(rf"(?<!\b{re.escape(a)}\.)" for a in _ABBREVIATIONS) + r"[ \t]+(?![a-z])|[ \t]*\n\s*"
)


def split_sentences(text: str, guarded: bool = True) -> list[str]:
    """A fast regex sentence splitter for corpora where spaCy would be too slow; trimmed, empty pieces dropped.
    guarded=False splits at every ". " (as the BBC News Summary extracts were cut)."""
    pattern = _GUARDED_BOUNDARY if guarded else _PLAIN_BOUNDARY
    return [s.strip() for s in pattern.split(text) if s.strip()]


def split_label_counts(examples: Iterable[StanceExample | TopicExample]) -> dict[str, dict[str, int]]:
    """{split: {label or topic: count}}, splits in train/dev/test order and labels sorted."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for e in examples:
        counts[e.split][e.label if isinstance(e, StanceExample) else e.topic] += 1
    return {s: dict(sorted(counts[s].items())) for s in SPLITS if s in counts}
