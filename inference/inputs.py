"""Reading what `analyze` is given: JSONL articles, .txt files, folders of them, or stdin."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stancesum.models.article import Article, ArticleFormatError
from stancesum.models.articles_io import decode_text, iter_article_records

MAX_ARTICLE_CHARS = 200_000
TEXT_SUFFIXES = (".txt", ".text", ".md")
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
# A folder is read for its articles only: a README.md or a config .json beside them is not an article.
FOLDER_SUFFIXES = (".jsonl", ".ndjson", ".txt", ".text")


@dataclass
class InputError:
    """An input that could not be read; `where` names the file (and line)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
HEADLINE_MAX_WORDS = 25


def is_headline(line: str) -> bool:
    """A first line that reads as a headline: short, and not ended like a sentence (headlines take no full stop)."""
    words = len(line.split())
    return 2 <= words <= HEADLINE_MAX_WORDS and not _SENTENCE_END.search(line.strip())


def article_from_text(text: str, article_id: str) -> Article:
    """A plain-text article: the first line is the headline when a blank line follows it, or when it reads as one
    (at most 25 words, no closing punctuation) and the text goes on."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    title = None
    first = lines[0].strip()
    if len(lines) > 2 and first and not lines[1].strip():
        title, text = first, "\n".join(lines[2:]).lstrip("\n")
    elif len(lines) > 1 and is_headline(first) and any(line.strip() for line in lines[1:]):
        title, text = first, "\n".join(lines[1:]).lstrip("\n")
    return Article(id=article_id, text=text, title=title)


def check_article(article: Article, where: str) -> InputError | None:
    if not article.text.strip():
        return InputError(where, "empty input: no text to analyze")
    if len(article.text) > MAX_ARTICLE_CHARS:
        return InputError(
            where,
            f"article is too long ({len(article.text):,} characters; the limit is {MAX_ARTICLE_CHARS:,}): "
            "split it into parts",
        )
    return None


Sourced = tuple[str, "Article | InputError"]


def _read_text_input(data: bytes, where: str, article_id: str) -> Iterator[Sourced]:
    try:
        text = decode_text(data, where)
    except ArticleFormatError as err:
        yield where, InputError(where, err.problem)
        return
    if where.endswith(JSONL_SUFFIXES) or (where == "<stdin>" and text.lstrip().startswith("{")):
        records = list(iter_article_records(text, where))
        if not records:
            yield where, InputError(where, "empty input: no articles in the file")
        for rec in records:
            if isinstance(rec, ArticleFormatError):
                yield rec.where, InputError(rec.where, rec.detail)
            else:
                located = f"{where} (article {rec.id})"
                yield located, check_article(rec, located) or rec
        return
    article = article_from_text(text, article_id)
    yield where, check_article(article, where) or article


def _file_id(path: Path) -> str:
    return re.sub(r"[^\w.-]+", "_", path.stem) or hashlib.sha1(str(path).encode()).hexdigest()[:12]


def read_inputs(inputs: list[str]) -> Iterator[Sourced]:
    """(where it came from, the article or an InputError in its place) for every input; '-' reads stdin."""
    for name in inputs:
        if name == "-":
            yield from _read_text_input(sys.stdin.buffer.read(), "<stdin>", "stdin")
            continue
        path = Path(name)
        if path.is_dir():
            files = _folder_files(path)
            if not files:
                yield str(path), InputError(str(path), f"folder holds no {'/'.join(FOLDER_SUFFIXES)} files")
            for file in files:
                yield from _read_file(file)
        elif path.exists():
            yield from _read_file(path)
        else:
            yield str(path), InputError(str(path), "no such file or folder")


def _folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES)


def _read_file(path: Path) -> Iterator[Sourced]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _stream_jsonl(path)
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        yield str(path), InputError(str(path), f"cannot be read: {err.strerror}")
        return
    if not data.strip():
        yield str(path), InputError(str(path), "empty input: the file is empty")
        return
    yield from _read_text_input(data, str(path), _file_id(path))


def _stream_jsonl(path: Path) -> Iterator[Sourced]:
    """A JSONL file read line by line, so memory does not grow with its size; each line validated as it comes."""
    seen: dict[str, int] = {}
    lines = 0
    try:
        handle = path.open("rb")
    except OSError as err:
        yield str(path), InputError(str(path), f"cannot be read: {err.strerror}")
        return
    with handle:
        for line_no, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            lines += 1
            where = f"{path}:{line_no}"
            try:
                text = decode_text(raw, where)
                article = Article.from_dict(json.loads(text.rstrip("\r\n")))  # columns of the line itself
            except ArticleFormatError as err:
                yield where, InputError(where, err.detail)
                continue
            except json.JSONDecodeError as err:
                yield where, InputError(where, f"bad JSON: {err.msg} (column {err.colno})")
                continue
            if article.id in seen:
                yield (
                    where,
                    InputError(where, f"field 'id': duplicate id {article.id!r} (first on line {seen[article.id]})"),
                )
                continue
            seen[article.id] = line_no
            located = f"{path} (article {article.id})"
            yield located, check_article(article, located) or article
    if not lines:
        yield str(path), InputError(str(path), "empty input: the file holds no articles")


def count_articles(inputs: list[str]) -> int | None:
    """How many articles the inputs hold at most (non-blank JSONL lines, one per text file), for a progress bar's
    ETA; None when stdin is among them. Reads the files once more, line by line."""
    total = 0
    for name in inputs:
        if name == "-":
            return None
        path = Path(name)
        for file in _folder_files(path) if path.is_dir() else [path]:
            if file.suffix.lower() in JSONL_SUFFIXES:
                try:
                    with file.open("rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                except OSError:
                    pass
            else:
                total += 1
    return total
