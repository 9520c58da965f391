"""The exported labelers (int8 on ONNX Runtime, bf16 on OpenVINO): made from a model directory once and cached, close
to the float32 model, loaded without torch, and an article's labels independent of the other articles it is analyzed
with."""

import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from stancesum.cli import app

pytestmark = pytest.mark.integration
SENTENCES = [
    "NATO will not send troops to Ukraine.",
    "It will send weapons instead, the alliance's secretary general told reporters on Tuesday.",
    "Talks may start next year.",
]


def _bf16_supported() -> bool:
    from stancesum.models.openvino_encoder import bf16_supported

    return bf16_supported()


EXPORTED = ["int8", pytest.param("bf16", marks=pytest.mark.skipif(not _bf16_supported(), reason="no bf16 CPU"))]


@pytest.mark.parametrize("precision", EXPORTED)
def test_exported_labeler_is_close_to_fp32_and_cached(tiny_model_dir, precision):
    from stancesum.models.labeler import SentenceLabeler
    from stancesum.models.onnx_labeler import OnnxLabeler, onnx_path

    fp32, fast = SentenceLabeler.from_pretrained(tiny_model_dir), OnnxLabeler(tiny_model_dir, precision=precision)
    assert onnx_path(tiny_model_dir, precision).is_file()
    for a, b in (
        (fp32.predict_topics(SENTENCES, groups=[3]), fast.predict_topics(SENTENCES, groups=[3])),
        (fp32.predict_stances(["troops"] * 3, SENTENCES), fast.predict_stances(["troops"] * 3, SENTENCES)),
    ):
        assert a.shape == b.shape and np.abs(a - b).max() < 0.02 and (a.argmax(1) == b.argmax(1)).all()


@pytest.mark.parametrize("precision", EXPORTED)
def test_an_encoder_without_token_types_exports_and_matches_fp32(tmp_path, precision):
    from conftest import tiny_labeler

    from stancesum.models.labeler import SentenceLabeler
    from stancesum.models.onnx_labeler import OnnxLabeler

    tiny_labeler(architecture="mpnet").save_pretrained(tmp_path / "m")
    fp32, fast = SentenceLabeler.from_pretrained(tmp_path / "m"), OnnxLabeler(tmp_path / "m", precision=precision)
    assert "token_type_ids" not in fp32.tokenize(SENTENCES)
    a, b = fp32.predict_stances(["troops"] * 3, SENTENCES), fast.predict_stances(["troops"] * 3, SENTENCES)
    assert np.abs(a - b).max() < 0.02 and (a.argmax(1) == b.argmax(1)).all()


@pytest.mark.parametrize("precision", EXPORTED)
def test_exported_labeler_uses_stance_context_as_trained(tmp_path, precision):
    from conftest import tiny_labeler

    from stancesum.models.labeler import SentenceLabeler
    from stancesum.models.onnx_labeler import OnnxLabeler

    model = tiny_labeler()
    model.config.stance_context = "previous"
    model.save_pretrained(tmp_path / "m")
    fp32, fast = SentenceLabeler.from_pretrained(tmp_path / "m"), OnnxLabeler(tmp_path / "m", precision=precision)
    contexts = ["Headline about troops", SENTENCES[0], SENTENCES[1]]
    a = fp32.predict_stances(["troops"] * 3, SENTENCES, contexts=contexts)
    b = fast.predict_stances(["troops"] * 3, SENTENCES, contexts=contexts)
    assert np.abs(a - b).max() < 0.02 and (a.argmax(1) == b.argmax(1)).all()
    assert not np.allclose(b, fast.predict_stances(["troops"] * 3, SENTENCES), atol=1e-4)


def test_auto_precision_and_unknown_precision(tiny_model_dir):
    from stancesum.inference.analyzer import load_labeler, resolve_precision

    assert resolve_precision("auto") == ("bf16" if _bf16_supported() else "int8")
    assert resolve_precision("int8") == "int8"
    assert load_labeler(tiny_model_dir, "auto").precision == resolve_precision("auto")
    with pytest.raises(ValueError, match="unknown precision 'fp16'"):
        load_labeler(tiny_model_dir, "fp16")


@pytest.mark.parametrize("precision", EXPORTED)
def test_exported_inference_does_not_import_torch(tiny_model_dir, precision):
    from stancesum.models.onnx_labeler import exported

    exported(tiny_model_dir, precision)
    code = (
        "import sys; from stancesum.models.onnx_labeler import OnnxLabeler; "
        f"m = OnnxLabeler({str(tiny_model_dir)!r}, precision={precision!r}); "
        "m.predict_stances(['x'], ['A sentence.']); print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_an_articles_labels_do_not_depend_on_its_company(tiny_model_dir):
    from stancesum.inference.analyzer import Analyzer
    from stancesum.models.article import Article

    analyzer = Analyzer.from_pretrained(tiny_model_dir, summarizer=None)
    a = Article(id="a", text=" ".join(SENTENCES), title="NATO")
    b = Article(id="b", text="Prices rose sharply. Unions called for a strike. The government declined to comment.")
    alone = analyzer.analyze_many([a], ["troops"])[0]
    together = analyzer.analyze_many([b, a], ["troops"])[1]
    assert [s.stance["troops"].scores for s in alone.sentences] == [
        s.stance["troops"].scores for s in together.sentences
    ]


def test_optimize_command_and_missing_model(tiny_model_dir, tmp_path):
    result = CliRunner().invoke(app, ["optimize", str(tiny_model_dir), "--precision", "int8"])
    assert result.exit_code == 0 and "encoder.int8.onnx" in result.stdout
    default = CliRunner().invoke(app, ["optimize", str(tiny_model_dir)])
    graph = "encoder.fp32.onnx" if _bf16_supported() else "encoder.int8.onnx"
    assert default.exit_code == 0 and graph in default.stdout
    fp32 = CliRunner().invoke(app, ["optimize", str(tiny_model_dir), "--precision", "fp32"])
    assert fp32.exit_code == 2 and "nothing to export" in fp32.stderr
    missing = CliRunner().invoke(app, ["optimize", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


@pytest.mark.skipif(not _bf16_supported(), reason="no bf16 CPU")
def test_bf16_vectors_do_not_depend_on_threads(tiny_model_dir):
    """Ray's actors run one thread each, a local run all cores: their outputs must match."""
    from stancesum.models.onnx_labeler import OnnxLabeler

    texts = SENTENCES * 30
    one, two = (OnnxLabeler(tiny_model_dir, threads=n, precision="bf16") for n in (1, 2))
    assert np.array_equal(one.pooled(["troops"] * 90, texts, 64), two.pooled(["troops"] * 90, texts, 64))


@pytest.mark.skipif(not _bf16_supported(), reason="no bf16 CPU")
def test_bf16_encoder_is_safe_to_share_between_threads(tiny_model_dir):
    from concurrent.futures import ThreadPoolExecutor

    from stancesum.models.onnx_labeler import OnnxLabeler

    labeler = OnnxLabeler(tiny_model_dir, threads=2, precision="bf16")
    inputs = [(["troops"] * 40, SENTENCES * 13 + [f"Sentence number {k}."]) for k in range(6)]
    alone = [labeler.pooled(t, s, 16) for t, s in inputs]
    with ThreadPoolExecutor(3) as pool:
        shared = list(pool.map(lambda ts: labeler.pooled(ts[0], ts[1], 16), inputs))
    assert all(np.array_equal(a, b) for a, b in zip(alone, shared, strict=True))


def test_bf16_on_a_cpu_without_bfloat16_fails_before_exporting(tiny_model_dir, tmp_path, monkeypatch):
    import stancesum.models.openvino_encoder as openvino_encoder
    from stancesum.models.onnx_labeler import OnnxLabeler, onnx_path

    monkeypatch.setenv("STANCESUM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(openvino_encoder, "bf16_supported", lambda: False)  # as on a CPU without bfloat16 units
    with pytest.raises(ValueError, match="bfloat16 units"):
        OnnxLabeler(tiny_model_dir, precision="bf16")
    assert not onnx_path(tiny_model_dir, "bf16").exists()
