"""Reading and writing article JSONL files: validated on the way in, atomic on the way out."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from stancesum.models.article import Article, ArticleFormatError
from stancesum.models.schema import LabelSchema


def decode_text(data: bytes, path: str) -> str:
    """UTF-8 text from bytes, or an ArticleFormatError saying why it is not text."""
    if b"\x00" in data:
        raise ArticleFormatError("is a binary file, not text", path=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ArticleFormatError(f"is not UTF-8 text (bad byte at offset {err.start})", path=path) from None


def iter_located_records(
    text: str, path: str, schema: LabelSchema | None = None
) -> Iterator[tuple[int, Article | ArticleFormatError]]:
    """(line number, the line parsed into an Article or the error it raised) for each non-blank line."""
    seen: dict[str, int] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            yield line_no, ArticleFormatError(f"bad JSON: {err.msg} (column {err.colno})", path=path, line=line_no)
            continue
        try:
            article = Article.from_dict(data, schema)
        except ArticleFormatError as err:
            yield line_no, err.located(path, line_no)
            continue
        if article.id in seen:
            yield (
                line_no,
                ArticleFormatError(
                    f"duplicate id {article.id!r} (first on line {seen[article.id]})",
                    path=path,
                    line=line_no,
                    field="id",
                ),
            )
            continue
        seen[article.id] = line_no
        yield line_no, article


def iter_article_records(
    text: str, path: str, schema: LabelSchema | None = None
) -> Iterator[Article | ArticleFormatError]:
    """Each non-blank line parsed into an Article, or the error that line raised (located)."""
    return (item for _, item in iter_located_records(text, path, schema))


def load_located_articles(path: str | Path, schema: LabelSchema | None = None) -> list[tuple[int, Article]]:
    """(line number, article) for every article of a JSONL file; raise ArticleFormatError listing every bad line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ArticleFormatError(f"cannot be read: {err.strerror}", path=str(path)) from None
    records = list(iter_located_records(decode_text(raw, str(path)), str(path), schema))
    errors = [r for _, r in records if isinstance(r, ArticleFormatError)]
    if errors:
        if len(errors) == 1:
            raise errors[0]
        more = "\n".join(str(e) for e in errors[1:])
        raise ArticleFormatError(
            f"{errors[0].problem}\n{more}", path=errors[0].path, line=errors[0].line, field=errors[0].field
        )
    if not records:
        raise ArticleFormatError("holds no articles", path=str(path))
    return [(line, r) for line, r in records if isinstance(r, Article)]


def load_articles(path: str | Path, schema: LabelSchema | None = None) -> list[Article]:
    """All articles of a JSONL file; raise ArticleFormatError listing every bad line."""
    return [article for _, article in load_located_articles(path, schema)]


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write text to path through a temporary file in the same folder, then rename over it."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes to path through a temporary file in the same folder, then rename over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; the result should read like any other
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_articles(path: str | Path, articles: Iterable[Article]) -> None:
    """Write articles as JSONL, atomically."""
    atomic_write_text(path, "".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in articles))
