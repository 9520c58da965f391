"""Writing analyses as they are made: constant memory over any number of articles, atomic on completion, and
resumable after an interruption (`--resume`: the ids already written are skipped, nothing written is lost)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO

from stancesum.inference.formatting import render
from stancesum.inference.results import ArticleAnalysis


class OutputStream:
    """Analyses to stdout, or to OUTPUT through OUTPUT.partial (renamed into place when complete).

    With `resume` (JSONL only), the articles already in OUTPUT.partial (an interrupted run) or OUTPUT (a finished
    one) are kept, their ids are reported by `done`, and new analyses are appended; a last line cut off mid-write
    is dropped first."""

    def __init__(self, output: Path | None, fmt: str, resume: bool = False):
        if resume and (output is None or fmt != "jsonl"):
            raise ValueError("--resume needs --output and --format jsonl")
        self.output, self.fmt, self.count = output, fmt, 0
        self.done: set[str] = set()
        self.handle: IO[str]
        if output is None:
            self.handle, self.partial = sys.stdout, None
            self._open_json_array()
            return
        self.partial = output.with_name(output.name + ".partial")
        output.parent.mkdir(parents=True, exist_ok=True)
        if resume:
            if output.exists() and not self.partial.exists():
                os.replace(output, self.partial)  # a finished run: continue it
            if self.partial.exists():
                self.done = _complete_ids(self.partial)
            self.handle = self.partial.open("a", encoding="utf-8")
        else:
            self.handle = self.partial.open("w", encoding="utf-8")
        self._open_json_array()

    def _open_json_array(self) -> None:
        if self.fmt == "json":
            self.handle.write("[\n")

    def write(self, analysis: ArticleAnalysis) -> None:
        if self.fmt == "json":
            text = ("" if self.count == 0 else ",\n") + json.dumps(analysis.to_dict(), ensure_ascii=False, indent=2)
        else:
            text = render([analysis], self.fmt)
        self.write_rendered(text, analysis.id)

    def write_rendered(self, text: str, article_id: str) -> None:
        """An analysis already rendered in this stream's format (as Ray workers send them)."""
        self.handle.write(text)
        self.handle.flush()
        self.count += 1
        self.done.add(article_id)

    def close(self, complete: bool = True) -> None:
        """Finish the output: the JSON array closed, and OUTPUT.partial renamed to OUTPUT (when `complete`; an
        interrupted run leaves OUTPUT.partial for --resume)."""
        if self.fmt == "json":
            self.handle.write("\n]\n")
        self.handle.flush()
        if self.partial is None:
            return
        os.fsync(self.handle.fileno())
        self.handle.close()
        if complete:
            os.replace(self.partial, self.output)  # type: ignore[arg-type]


def _complete_ids(path: Path) -> set[str]:
    """Ids of the complete JSONL lines of `path`; a torn last line (no newline, or not JSON) is cut off."""
    ids: set[str] = set()
    keep = 0
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            try:
                ids.add(json.loads(raw)["id"])
            except (ValueError, KeyError, TypeError):
                break
            keep += len(raw)
    with path.open("r+b") as handle:
        handle.truncate(keep)
    return ids
