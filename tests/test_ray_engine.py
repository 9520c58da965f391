"""`analyze --engine ray` on a real local Ray (2 CPUs): the same article-format output as the single-process run."""

import json

import pytest
from typer.testing import CliRunner

from stancesum.cli import app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_output_is_identical_to_the_local_run(ray_local, tiny_model_dir, tmp_path):
    from stancesum.models.articles_io import load_articles

    seeds = load_articles("seeds/articles.jsonl")[:50]
    source = tmp_path / "in.jsonl"
    rows = [{"id": a.id, "title": a.title, "text": a.text} for a in seeds]
    rows[0]["targets"] = [seeds[0].title]  # its own target happens to be its headline: not a fallback
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    common = ["--model", str(tiny_model_dir), "-f", "jsonl", "-t", "troops", "-s", "lead"]
    local = CliRunner().invoke(app, ["analyze", str(source), "-o", str(tmp_path / "local.jsonl"), *common])
    assert local.exit_code == 0, local.output
    for workers in ("1", "2"):
        out = tmp_path / f"ray{workers}.jsonl"
        ray = CliRunner().invoke(
            app, ["analyze", str(source), "-o", str(out), "--engine", "ray", "--workers", workers, *common]
        )
        assert ray.exit_code == 0, ray.output
        assert "50 analysed with Ray" in ray.stderr
        assert out.read_text() == (tmp_path / "local.jsonl").read_text()
    assert "named no targets" not in ray.stderr
    untargeted = [a for a in seeds[1:] if a.title]
    common = ["--model", str(tiny_model_dir), "-f", "jsonl", "-s", "none", "-o", str(tmp_path / "headline.jsonl")]
    for engine in (["--engine", "ray", "--workers", "1"], []):
        run = CliRunner().invoke(app, ["analyze", str(source), *common, *engine])
        assert run.exit_code == 0, run.output
        assert f"note: {len(untargeted)} article(s) named no targets" in run.stderr


def test_ray_engine_needs_a_jsonl_output(tiny_model_dir, tmp_path):
    result = CliRunner().invoke(app, ["analyze", "x.jsonl", "--model", str(tiny_model_dir), "--engine", "ray"])
    assert result.exit_code == 2 and "--engine ray writes --output FILE" in result.stderr
