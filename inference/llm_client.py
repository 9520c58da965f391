"""One client for any OpenAI-compatible chat server (a hosted API, vLLM, Ollama, llama.cpp's server, `transformers
serve`): timeouts, retries with backoff (the official `openai` client's), a concurrency limit, an on-disk cache keyed
by (url, model, messages, parameters), and JSON answers validated against a schema with one repair attempt.

The key is read from STANCESUM_LLM_API_KEY (or OPENAI_API_KEY), never from a file or a log line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
STRUCTURED_MODES = ("json_schema", "json_object", "none")
PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"


class LLMError(RuntimeError):
    """The language model could not give a usable answer (server down, timeout, invalid output after a repair)."""


@dataclass
class LLMSettings:
    """Where the server is and how to talk to it."""

    url: str
    model: str
    # "json_schema": response_format {"type": "json_schema", ...} (OpenAI-style servers, vLLM); "json_object":
    # {"type": "json_object", "schema": ...} (llama.cpp's server); "none": ask in the prompt only. Output is always
    # validated here, whatever the server promises.
    structured: str = "json_schema"
    timeout: float = 60.0
    max_retries: int = 2
    concurrency: int = 4
    temperature: float = 0.0
    max_tokens: int = 512
    cache_dir: Path | None = None  # default: $STANCESUM_CACHE/llm
    use_cache: bool = True

    def __post_init__(self) -> None:
        if self.structured not in STRUCTURED_MODES:
            raise ValueError(f"structured output mode must be one of {', '.join(STRUCTURED_MODES)}")
        if self.concurrency < 1 or self.timeout <= 0 or self.max_retries < 0:
            raise ValueError("concurrency must be >= 1, timeout > 0 and max_retries >= 0")


@dataclass
class LLMStats:
    """What the client did, for the cost line a command prints."""

    requests: int = 0
    cache_hits: int = 0
    repairs: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self.lock:
            for key, value in counts.items():
                setattr(self, key, getattr(self, key) + value)

    def line(self) -> str:
        calls = self.requests + self.cache_hits
        rate = f"{self.cache_hits / calls:.0%}" if calls else "-"
        return (
            f"{self.requests} request(s) to the server, {self.cache_hits} from the cache ({rate} hits), "
            f"{self.repairs} repair(s), {self.failures} failure(s); tokens: {self.prompt_tokens} in, "
            f"{self.completion_tokens} out"
        )


def api_key() -> str:
    return os.environ.get("STANCESUM_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY") or "not-needed"


def load_prompt(name: str) -> str:
    """A versioned prompt template of inference/prompts (`name` like "summarize_v1")."""
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8")


def _first_json_object(text: str) -> Any:
    """The JSON value of a reply: the whole text, else its first {...} block (servers wrap JSON in prose/fences)."""
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    match = re.search(r"\{.*\}", text, re.S)
    if match:
        return json.loads(match.group())
    raise json.JSONDecodeError("no JSON object in the reply", text, 0)


class LLMClient:
    """Chat completions with caching, bounded concurrency and validated JSON."""

    def __init__(self, settings: LLMSettings):
        from openai import OpenAI

        self.settings = settings
        self.stats = LLMStats()
        self.client = OpenAI(
            base_url=settings.url, api_key=api_key(), timeout=settings.timeout, max_retries=settings.max_retries
        )
        root = settings.cache_dir or Path(os.environ.get("STANCESUM_CACHE") or Path.home() / ".cache" / "stancesum")
        self.cache_dir = Path(root) / "llm" if settings.cache_dir is None else Path(root)

    def _key(self, messages: list[dict], params: dict) -> str:
        blob = json.dumps(
            {"url": self.settings.url.rstrip("/"), "model": self.settings.model, "messages": messages, **params},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    def complete(self, messages: list[dict], **params: Any) -> str:
        """The assistant's reply text (from the cache when the same request was answered before)."""
        params = {"temperature": self.settings.temperature, "max_tokens": self.settings.max_tokens, **params}
        key = self._key(messages, params)
        path = self.cache_dir / key[:2] / f"{key}.json"
        if self.settings.use_cache and path.is_file():
            self.stats.add(cache_hits=1)
            return json.loads(path.read_text(encoding="utf-8"))["content"]
        import openai

        try:
            response = self.client.chat.completions.create(
                model=self.settings.model,
                messages=messages,  # type: ignore[arg-type]
                **params,
            )
        except openai.APIError as err:  # connection errors, timeouts and HTTP errors, after the client's retries
            self.stats.add(failures=1)
            raise LLMError(f"{self.settings.url}: {type(err).__name__}: {str(err).splitlines()[0][:200]}") from None
        content = (response.choices[0].message.content or "") if response.choices else ""
        usage = response.usage
        self.stats.add(
            requests=1,
            prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        )
        if not content.strip():
            self.stats.add(failures=1)
            raise LLMError(f"{self.settings.url}: the server returned an empty completion")
        if self.settings.use_cache:
            from stancesum.models.articles_io import atomic_write_text

            atomic_write_text(path, json.dumps({"content": content}, ensure_ascii=False))
        return content

    def _format(self, schema: dict, name: str) -> dict:
        mode = self.settings.structured
        if mode == "json_schema":
            return {"response_format": {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}}
        if mode == "json_object":
            return {"response_format": {"type": "json_object", "schema": schema}}
        return {}

    def complete_json(
        self, messages: list[dict], schema: dict, name: str = "answer", max_tokens: int | None = None
    ) -> Any:
        """A JSON answer valid against `schema`: asked for in the server's structured mode, validated here, and on a
        bad answer asked once more with the validation error; LLMError if still not valid. `max_tokens` lowers the
        client's cap for answers known to be short."""
        import jsonschema

        params = self._format(schema, name)
        if max_tokens is not None:
            params["max_tokens"] = min(max_tokens, self.settings.max_tokens)
        reply = self.complete(messages, **params)
        try:
            return self._validated(reply, schema)
        except (json.JSONDecodeError, jsonschema.ValidationError) as err:
            problem = err.msg if isinstance(err, json.JSONDecodeError) else err.message
        self.stats.add(repairs=1)
        repair = [
            *messages,
            {"role": "assistant", "content": reply[:4000]},
            {
                "role": "user",
                "content": f"That reply is not valid ({problem[:300]}). Answer again with only a JSON object "
                f"that matches this schema:\n{json.dumps(schema)}",
            },
        ]
        second = self.complete(repair, **params)
        try:
            return self._validated(second, schema)
        except (json.JSONDecodeError, jsonschema.ValidationError) as err:
            self.stats.add(failures=1)
            problem = err.msg if isinstance(err, json.JSONDecodeError) else err.message
            raise LLMError(f"{self.settings.model}: invalid JSON answer after one repair ({problem[:200]})") from None

    @staticmethod
    def _validated(reply: str, schema: dict) -> Any:
        import jsonschema

        value = _first_json_object(reply)
        jsonschema.validate(value, schema)
        return value

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R | LLMError]:
        """fn over items with at most `concurrency` requests in flight; results in input order, an LLMError in
        place of a failed item."""

        def safe(item: T) -> R | LLMError:
            try:
                return fn(item)
            except LLMError as err:
                return err

        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            yield from pool.map(safe, items)
