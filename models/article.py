"""The article format: one JSON object per article, with optional sentence-level labels."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from stancesum.models.schema import STANCE_LABELS, LabelSchema

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OPTIONAL_STR_FIELDS = ("title", "source", "url", "license", "summary")


class ArticleFormatError(ValueError):
    """A record that does not follow the article format; names where it went wrong."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, field: str | None = None):
        self.path, self.line, self.field, self.problem = path, line, field, message
        super().__init__(f"{self.where}: {self.detail}" if self.where else self.detail)

    @property
    def where(self) -> str:
        """'file:line', as far as known."""
        return ":".join(str(p) for p in (self.path, self.line) if p is not None)

    @property
    def detail(self) -> str:
        return f"field '{self.field}': {self.problem}" if self.field else self.problem

    def located(self, path: str | None, line: int | None) -> ArticleFormatError:
        return ArticleFormatError(self.problem, path=path, line=line, field=self.field)


@dataclass
class Sentence:
    """A span of the article text, with its gold or predicted labels (None / {} when unlabeled)."""

    start: int
    end: int
    text: str
    topic: str | None = None
    stance: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "topic": self.topic,
            "stance": dict(self.stance),
        }


@dataclass
class Article:
    """One news article in the project's format."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    date: str | None = None
    url: str | None = None
    license: str | None = None
    targets: list[str] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    summary: str | None = None
    annotation: dict[str, Any] | None = None  # gold articles: how the labels were made (who, reviewed, guidelines)

    @property
    def is_segmented(self) -> bool:
        return bool(self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "url": self.url,
            "license": self.license,
            "text": self.text,
            "targets": list(self.targets),
            "sentences": [s.to_dict() for s in self.sentences],
            "summary": self.summary,
            **({"annotation": self.annotation} if self.annotation is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Any, schema: LabelSchema | None = None) -> Article:
        """Validate a decoded JSON record; raise ArticleFormatError naming the field."""
        schema = schema or LabelSchema()
        if not isinstance(data, dict):
            raise ArticleFormatError(f"expected a JSON object, got {type(data).__name__}")
        for key in ("id", "text"):
            if key not in data:
                raise ArticleFormatError("missing required field", field=key)
            if not isinstance(data[key], str):
                raise ArticleFormatError(f"must be a string, got {type(data[key]).__name__}", field=key)
        if not data["id"].strip():
            raise ArticleFormatError("must not be empty", field="id")
        if not data["text"].strip():
            raise ArticleFormatError("article text is empty", field="text")
        for key in OPTIONAL_STR_FIELDS + ("date",):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise ArticleFormatError(f"must be a string or null, got {type(data[key]).__name__}", field=key)
        if data.get("date") is not None and not DATE_RE.match(data["date"]):
            raise ArticleFormatError(f"must be YYYY-MM-DD, got {data['date']!r}", field="date")
        known = ("id", "text", "targets", "sentences", "date", "annotation", *OPTIONAL_STR_FIELDS)
        for key in sorted(set(data) - set(known)):  # other metadata is ignored, a misspelt field is not
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
            if close:
                raise ArticleFormatError(f"unknown field (did you mean {close[0]!r}?)", field=key)
        annotation = data.get("annotation")
        if annotation is not None and not isinstance(annotation, dict):
            raise ArticleFormatError(f"must be an object or null, got {type(annotation).__name__}", field="annotation")
        targets = data.get("targets") or []
        if not isinstance(targets, list) or not all(isinstance(t, str) and t.strip() for t in targets):
            raise ArticleFormatError("must be a list of non-empty strings", field="targets")
        if len(set(targets)) != len(targets):
            raise ArticleFormatError("has a duplicate target", field="targets")
        raw_sentences = data.get("sentences") or []
        if not isinstance(raw_sentences, list):
            raise ArticleFormatError("must be a list", field="sentences")
        text = data["text"]
        sentences = [_sentence_from_dict(raw, i, text, targets, schema) for i, raw in enumerate(raw_sentences)]
        for i in range(1, len(sentences)):
            if sentences[i].start < sentences[i - 1].end:
                raise ArticleFormatError(
                    f"overlaps or precedes the previous sentence (starts at {sentences[i].start}, "
                    f"previous ends at {sentences[i - 1].end})",
                    field=f"sentences[{i}].start",
                )
        return cls(
            id=data["id"],
            text=text,
            title=data.get("title"),
            source=data.get("source"),
            date=data.get("date"),
            url=data.get("url"),
            license=data.get("license"),
            targets=list(targets),
            sentences=sentences,
            summary=data.get("summary"),
            annotation=annotation,
        )


def _sentence_from_dict(raw: Any, i: int, text: str, targets: list[str], schema: LabelSchema) -> Sentence:
    where = f"sentences[{i}]"
    if not isinstance(raw, dict):
        raise ArticleFormatError("must be an object", field=where)
    for key in ("start", "end"):
        if not isinstance(raw.get(key), int) or isinstance(raw.get(key), bool):
            raise ArticleFormatError("must be an integer", field=f"{where}.{key}")
    start, end = raw["start"], raw["end"]
    if not 0 <= start < end <= len(text):
        raise ArticleFormatError(
            f"offsets {start}:{end} out of range for a text of {len(text)} characters", field=f"{where}.start"
        )
    span = text[start:end]
    if "text" in raw and raw["text"] != span:
        raise ArticleFormatError(f"does not match text[{start}:{end}] = {span[:60]!r}", field=f"{where}.text")
    topic = raw.get("topic")
    if topic is not None and topic not in schema.topics:
        raise ArticleFormatError(
            f"unknown topic label {topic!r} (known: {', '.join(schema.topic_labels)})", field=f"{where}.topic"
        )
    stance = raw.get("stance") or {}
    if not isinstance(stance, dict):
        raise ArticleFormatError("must be an object mapping target to label", field=f"{where}.stance")
    for target, label in stance.items():
        if target not in targets:
            raise ArticleFormatError(f"stance for {target!r}, which is not in 'targets'", field=f"{where}.stance")
        if label not in STANCE_LABELS:
            raise ArticleFormatError(
                f"label {label!r} is not one of {'/'.join(STANCE_LABELS)}", field=f"{where}.stance[{target!r}]"
            )
    extra = set(raw) - {"start", "end", "text", "topic", "stance"}
    if extra:
        raise ArticleFormatError(f"unknown field(s): {', '.join(sorted(extra))}", field=where)
    return Sentence(start=start, end=end, text=span, topic=topic, stance=dict(stance))
