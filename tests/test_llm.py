"""LLM assistance against real servers started by the tests: `transformers serve` with a tiny random model (garbage
text: protocol, validation, fallbacks and bookkeeping are what is checked), and a small misbehaving HTTP server for
faults (500s, slow answers, malformed and empty completions, a closed port)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import SEED_TXT
from llm_server import ServedModel, build_tiny_chat_model, free_port
from typer.testing import CliRunner

from stancesum.cli import app
from stancesum.inference.llm_client import LLMClient, LLMError, LLMSettings

pytestmark = [pytest.mark.llm, pytest.mark.integration]
SCHEMA = {"type": "object", "properties": {"answer": {"enum": ["yes", "no"]}}, "required": ["answer"]}
ARTICLE = (
    "NATO rules out troops\n\n"
    "NATO will not send troops to Ukraine. It will send weapons instead. Talks may come later.\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("llm")
    served = ServedModel(build_tiny_chat_model(root / "tiny-llama"), root / "serve.log")
    try:
        served.wait()
        yield served
    finally:
        served.stop()


@pytest.fixture
def settings(server, tmp_path):
    return LLMSettings(url=server.url, model=server.model, max_tokens=24, cache_dir=tmp_path / "cache", timeout=30)


def test_real_server_completion_and_the_cache(settings):
    client = LLMClient(settings)
    messages = [{"role": "user", "content": "Name a colour."}]
    first = client.complete(messages)
    assert first.strip() and client.stats.requests == 1 and client.stats.prompt_tokens > 0
    assert client.complete(messages) == first and client.stats.cache_hits == 1 and client.stats.requests == 1
    assert "1 request(s) to the server, 1 from the cache (50% hits)" in client.stats.line()


def test_garbage_is_repaired_once_then_refused(settings):
    client = LLMClient(settings)
    with pytest.raises(LLMError, match="invalid JSON answer after one repair"):
        client.complete_json([{"role": "user", "content": "Answer yes or no as JSON."}], SCHEMA)
    assert client.stats.repairs == 1 and client.stats.requests == 2


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def txt(tmp_path):
    path = tmp_path / "nato.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def llm_args(server, *more):
    return ["--llm-url", server.url, "--llm-model", server.model, "--llm-timeout", "30", *more]


def test_review_falls_back_to_the_model_and_records_both(server, tiny_model_dir, txt, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCESUM_CACHE", str(tmp_path / "c"))
    result = run(
        "analyze",
        txt,
        "--model",
        tiny_model_dir,
        "-s",
        "lead",
        "-f",
        "json",
        "-t",
        "troops",
        *llm_args(server, "--llm-review", "all", "--llm-budget", "2", "--llm-fallback", "model"),
    )
    assert result.exit_code == 0, result.output
    [analysis] = json.loads(result.stdout)
    reviewed = [s for s in analysis["sentences"] if "review" in s]
    assert len(reviewed) == 2  # the budget
    for s in reviewed:
        assert s["review"]["by"] == {"topic": "model", "stance": {"troops": "model"}} and s["review"]["error"]
        assert s["review"]["model"]["topic"] == s["topic"]
    assert "LLM review: 3 of 3 sentences eligible, 2 sent" in result.stderr and "request(s)" in result.stderr


def test_review_without_fallback_is_a_clear_error(server, tiny_model_dir, txt, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCESUM_CACHE", str(tmp_path / "c"))
    result = run(
        "analyze",
        txt,
        "--model",
        tiny_model_dir,
        "-s",
        "lead",
        "-t",
        "troops",
        *llm_args(server, "--llm-review", "all", "--llm-budget", "1"),
    )
    assert result.exit_code == 2 and "LLM:" in result.stderr and "--llm-fallback model" in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip() and "once for fast CPU" not in line]
    assert len(lines) == 1  # the error (a fresh cache also notes the one-time export)


def test_llm_summary_falls_back_to_the_extract(server, txt, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCESUM_CACHE", str(tmp_path / "c"))
    ok = run("summarize", txt, "-s", "llm", "-f", "json", *llm_args(server, "--llm-fallback", "model"))
    assert ok.exit_code == 0, ok.output
    [row] = json.loads(ok.stdout)
    assert row["summary"] and all(line in ARTICLE for line in row["summary"].split("\n"))
    failed = run("summarize", txt, "-s", "llm", *llm_args(server))
    assert failed.exit_code == 2 and "LLM:" in failed.stderr


def test_summary_support_check_flags_what_the_article_does_not_say():
    from stancesum.inference.llm_assist import support_check
    from stancesum.models.summarizer import SentenceScorer

    scorer = SentenceScorer.from_base()
    article = ["NATO will not send troops to Ukraine.", "It will send 300 missiles instead."]
    support = support_check(
        ["NATO will send 300 missiles to Ukraine.", "Germany paid 900 million for tanks."], article, scorer.embed
    )
    assert support[0]["supported"] and support[0]["sources"][0] in (0, 1)
    assert not support[1]["supported"] and support[1]["missing_numbers"] == ["900"]
    assert "Germany" in support[1]["missing_names"] or support[1]["similarity"] < 0.5


class Misbehaving(BaseHTTPRequestHandler):
    """An OpenAI-style endpoint that fails in the way its path asks for."""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length", 0)))
        mode = self.path.split("/")[1]
        if mode == "error500":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "boom"}}')
            return
        if mode == "slow":
            time.sleep(3)
        content = {"malformed": '{"answer": "maybe"', "empty": "", "slow": '{"answer": "yes"}'}.get(mode, "")
        body = json.dumps(
            {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [
                    {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def bad_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(
    "mode, timeout, message",
    [
        ("error500", 5, "InternalServerError"),
        ("slow", 1, "Timeout"),
        ("malformed", 5, "invalid JSON answer"),
        ("empty", 5, "empty completion"),
    ],
)
def test_faults_give_clear_errors(bad_server, tmp_path, mode, timeout, message):
    client = LLMClient(
        LLMSettings(url=f"{bad_server}/{mode}/v1", model="m", timeout=timeout, max_retries=1, cache_dir=tmp_path)
    )
    start = time.time()
    with pytest.raises(LLMError, match=message):
        client.complete_json([{"role": "user", "content": "yes or no?"}], SCHEMA)
    assert time.time() - start < 30 and client.stats.failures >= 1


def test_server_down_is_a_one_line_error(tiny_model_dir, txt, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCESUM_CACHE", str(tmp_path / "c"))
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = run(
        "analyze",
        txt,
        "--model",
        tiny_model_dir,
        "-s",
        "lead",
        "-t",
        "troops",
        "--llm-url",
        url,
        "--llm-model",
        "m",
        "--llm-review",
        "all",
        "--llm-timeout",
        "2",
    )
    assert result.exit_code == 2 and "APIConnectionError" in result.stderr


def test_slow_but_valid_answer_is_used(bad_server, tmp_path):
    client = LLMClient(LLMSettings(url=f"{bad_server}/slow/v1", model="m", timeout=10, cache_dir=tmp_path))
    assert client.complete_json([{"role": "user", "content": "?"}], SCHEMA) == {"answer": "yes"}


def test_seed_article_llm_review_cli_on_real_server(server, tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCESUM_CACHE", str(tmp_path / "c"))
    result = run(
        "analyze",
        SEED_TXT,
        "--model",
        tiny_model_dir,
        "-s",
        "lead",
        "-t",
        "troops",
        "-f",
        "jsonl",
        *llm_args(server, "--llm-review", "uncertain", "--llm-budget", "1", "--llm-fallback", "model"),
    )
    assert result.exit_code == 0, result.output
    assert "LLM review:" in result.stderr
